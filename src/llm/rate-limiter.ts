import { CancelledError, type ProviderError } from '../errors/index.js';
import type { RateLimitSnapshot } from './rate-limit-headers.js';
import type { RememberedLimits } from './rate-limit-memory.js';
import { TokenBucket } from './token-bucket.js';

/** Limits per period (a minute in real use), as configured by the user. */
export interface RateLimits {
  /** Requests per minute. */
  rpm?: number;
  /** Tokens per minute: estimated input plus the requested output cap, like OpenAI counts them. */
  tpm?: number;
}

export interface RateLimiterOptions extends RateLimits {
  /** The period limits are expressed per. 60 s for real APIs; shorter in tests. @default 60000 */
  windowMs?: number;
  /**
   * Share of a known limit actually used. The rest absorbs clock skew between us and the server,
   * network jitter that bunches requests up, and other clients on the same key. @default 0.95
   */
  headroom?: number;
  /** Longest pause a 429 can impose on every caller. @default 30000 */
  maxPauseMs?: number;
  /** Limits the provider advertised in an earlier run: a starting point until its headers speak. */
  remembered?: RememberedLimits;
  now?: () => number;
}

/** What a call is expected to cost, known before it is sent. */
export interface CallEstimate {
  inputTokens: number;
  maxOutputTokens: number;
}

/** A granted slot: handed back with the call's outcome so the limiter can settle and learn. */
export interface Permit {
  readonly grantedAt: number;
  readonly waitedMs: number;
  /** Tokens taken from the token bucket for this call (0 without a token limit). */
  readonly reservedTokens: number;
  readonly estimate: CallEstimate;
  /** Time since the slot before this one was granted (Infinity for the first): how fast we were sending. */
  readonly gapMs: number;
}

export interface RateLimiterStats {
  granted: number;
  /** Calls that had to wait for a slot, and for how long in total. */
  delayed: number;
  waitedMs: number;
  /** 429 rate-limit answers reported back (quota exhaustion excluded). */
  rateLimited: number;
  /** The limits in force now, per minute; null when there is none. */
  effectiveRpm: number | null;
  effectiveTpm: number | null;
  /** Limits read from the provider's response headers. */
  learned: { rpm: number | null; tpm: number | null };
}

interface Waiter {
  estimate: CallEstimate;
  enqueuedAt: number;
  resolve: (permit: Permit) => void;
  reject: (error: Error) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

/** How much an unexplained 429 cuts the rate, and how fast it comes back per success. */
const DECREASE = 0.7;
const INCREASE = 1.05;
const MIN_SLOWDOWN = 0.1;
/** The cut for a call that was only slightly early. */
const NUDGE = 0.9;
/** Growth per success past the rate of the last 429 (no limit known): about 5% per 25 calls. */
const PROBE = 1.002;
/** With no limit known, a 429 without retry-after pauses callers this long. */
const DEFAULT_PAUSE_MS = 1000;

/**
 * Client-side rate limiting for one provider+model, shared by every call to it in the process
 * (all desks of a run, all runs of a watcher), so desks wait their turn instead of retrying into
 * the wall together.
 *
 * - Requests are spaced evenly at the limit (a one-second burst at most), because providers
 *   enforce per-minute limits over shorter slices; tokens may burst up to a minute's budget and
 *   are paced after that. Callers are served first come, first served.
 * - Limits come from the user (`--rpm`, `--tpm`) and from the provider's rate-limit headers,
 *   whichever is lower; the server's `remaining` counts pull our buckets down, never up.
 * - A 429 pauses every caller until its retry-after and cuts the rate (once per burst of 429s,
 *   not once per rejected call), a little when the call was only slightly early, a lot when the
 *   server's retry-after says we send faster than it allows; each success restores it gradually.
 *   With no limit known at all, 429s set one (from retry-after, else half the rate we sent at);
 *   past the rate of the last 429 it grows only slowly, in case the limit rose.
 */
export class RateLimiter {
  private readonly windowMs: number;
  private readonly headroom: number;
  private readonly maxPauseMs: number;
  private readonly now: () => number;
  private readonly configured: RateLimits;
  private learnedRpm: number | undefined;
  private learnedTpm: number | undefined;
  private tokenCounts: 'total' | 'input' = 'total';
  private slowdown = 1;
  /** The rate found by 429s when no limit is known; undefined until the first one. */
  private adaptiveRpm: number | undefined;
  /** The rate the last 429 pointed at, when no limit is known: climbed to quickly, probed past slowly. */
  private adaptiveCeiling = Infinity;
  private lastDecreaseAt = -Infinity;
  private pausedUntil = 0;
  private requestBucket: TokenBucket | undefined;
  private tokenBucket: TokenBucket | undefined;
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly recentGrants: number[] = [];
  private readonly counts = { granted: 0, delayed: 0, waitedMs: 0, rateLimited: 0 };

  constructor(options: RateLimiterOptions = {}) {
    this.windowMs = options.windowMs ?? 60_000;
    this.headroom = options.headroom ?? 0.95;
    this.maxPauseMs = options.maxPauseMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.configured = { ...(options.rpm ? { rpm: options.rpm } : {}), ...(options.tpm ? { tpm: options.tpm } : {}) };
    this.learnedRpm = options.remembered?.rpm;
    this.learnedTpm = options.remembered?.tpm;
    this.tokenCounts = options.remembered?.tokenCounts ?? 'total';
    this.retune();
  }

  /** What the provider's headers said (or an earlier run remembered), to remember for the next run. */
  advertised(): RememberedLimits {
    return {
      ...(this.learnedRpm !== undefined ? { rpm: this.learnedRpm } : {}),
      ...(this.learnedTpm !== undefined ? { tpm: this.learnedTpm, tokenCounts: this.tokenCounts } : {}),
    };
  }

  /** True when calls need a token estimate (a token limit is configured or was learned). */
  get countsTokens(): boolean {
    return this.tokenBucket !== undefined;
  }

  /** True when a call of this size would have to wait for its slot now (someone is queued, or no slot is free). */
  wouldWait(estimate: CallEstimate): boolean {
    return this.waiters.length > 0 || this.waitMs(estimate, this.now()) > 0;
  }

  /** Waits for a slot for a call of this size; rejects with CancelledError when `signal` aborts. */
  acquire(estimate: CallEstimate, signal: AbortSignal): Promise<Permit> {
    if (signal.aborted) return Promise.reject(new CancelledError('cancelled while waiting for a rate-limit slot'));
    const now = this.now();
    if (this.waiters.length === 0 && this.waitMs(estimate, now) === 0) return Promise.resolve(this.grant(estimate, now, now));
    return new Promise<Permit>((resolve, reject) => {
      const waiter: Waiter = {
        estimate,
        enqueuedAt: now,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(new CancelledError('cancelled while waiting for a rate-limit slot'));
          this.schedule();
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
      this.schedule();
    });
  }

  /** The call succeeded: settle its tokens against what it really used, learn from the headers. */
  succeeded(permit: Permit, usage: { inputTokens: number; outputTokens: number }, snapshot?: RateLimitSnapshot): void {
    const now = this.now();
    this.learn(snapshot, now);
    if (this.tokenBucket && permit.reservedTokens > 0) {
      const used = usage.inputTokens + (this.tokenCounts === 'total' ? usage.outputTokens : 0);
      const refund = permit.reservedTokens - used;
      if (refund >= 0) this.tokenBucket.give(refund, now);
      else this.tokenBucket.take(-refund, now);
    }
    if (this.slowdown < 1 || this.adaptiveRpm !== undefined) {
      this.slowdown = Math.min(1, this.slowdown * INCREASE);
      if (this.adaptiveRpm !== undefined) {
        // Back up to just under the wall quickly; past it only slowly, in case the limit rose.
        const target = this.adaptiveCeiling * this.headroom;
        this.adaptiveRpm = this.adaptiveRpm < target ? Math.min(target, this.adaptiveRpm * INCREASE) : this.adaptiveRpm * PROBE;
      }
      this.retune();
    }
    this.schedule();
  }

  /** The call failed: a 429 pauses everyone and slows the rate; other failures just settle. */
  failed(permit: Permit, error: ProviderError & { rateLimit?: RateLimitSnapshot }): void {
    const now = this.now();
    this.learn(error.rateLimit, now);
    const throttled = error.status === 429 && error.retryable;
    // A rejected request consumed nothing on the server; a failed one may have, so keep its input.
    if (this.tokenBucket && permit.reservedTokens > 0) {
      this.tokenBucket.give(throttled ? permit.reservedTokens : permit.estimate.maxOutputTokens, now);
    }
    if (throttled) {
      this.counts.rateLimited += 1;
      const pause = Math.min(this.maxPauseMs, error.retryAfterMs ?? DEFAULT_PAUSE_MS);
      this.pausedUntil = Math.max(this.pausedUntil, now + pause);
      // Calls sent before the last cut were paced at the old rate: their 429s are the same news.
      if (permit.grantedAt > this.lastDecreaseAt) this.decrease(now, error.retryAfterMs, permit.gapMs);
    }
    this.schedule();
  }

  /** The call never went out (its budget ran out after the wait): return its reservation. */
  release(permit: Permit): void {
    if (this.tokenBucket && permit.reservedTokens > 0) this.tokenBucket.give(permit.reservedTokens, this.now());
    this.schedule();
  }

  stats(): RateLimiterStats {
    return {
      ...this.counts,
      effectiveRpm: this.effectiveRpm() ?? null,
      effectiveTpm: this.effectiveTpm() ?? null,
      learned: { rpm: this.learnedRpm ?? null, tpm: this.learnedTpm ?? null },
    };
  }

  /**
   * Slows down after a 429 on a call sent `gapMs` after the call before it. A retry-after shorter
   * than that gap means the call was only slightly early (jitter, a cold first connection, or
   * someone else's traffic on the key): a small cut. A retry-after at least as long as the gap
   * means we are sending faster than the server allows: a real cut, to what its retry-after implies.
   */
  private decrease(now: number, retryAfterMs: number | undefined, gapMs: number): void {
    this.lastDecreaseAt = now;
    const told = retryAfterMs !== undefined && retryAfterMs > 0 ? retryAfterMs : undefined;
    const slightlyEarly = told !== undefined && told < gapMs;
    if (this.knownRpm() !== undefined || this.knownTpm() !== undefined) {
      this.slowdown = Math.max(MIN_SLOWDOWN, this.slowdown * (slightlyEarly ? NUDGE : DECREASE));
    } else if (told === undefined) {
      // No limit known and no retry-after: half the rate we were sending at (measured over the last
      // sixth of a period, and over at least a second), the wall somewhere in between.
      const current = this.adaptiveRpm ?? this.sentRpm(now);
      this.adaptiveCeiling = Math.max(1, current * 0.75);
      this.adaptiveRpm = Math.max(1, current * 0.5);
    } else if (!slightlyEarly) {
      // One slot per retry-after is the server's rate: exact for per-second buckets, cautious for
      // per-minute windows (successes climb back from there).
      const current = this.adaptiveRpm ?? this.sentRpm(now);
      const implied = this.windowMs / told;
      this.adaptiveCeiling = Math.max(1, Math.min(current, implied));
      this.adaptiveRpm = Math.max(1, Math.min(current * NUDGE, implied * this.headroom));
    } else if (this.adaptiveRpm !== undefined) {
      // Slightly early at a rate we chose: that rate is the wall; settle a little below it.
      this.adaptiveCeiling = Math.max(1, this.adaptiveRpm);
      this.adaptiveRpm = Math.max(1, this.adaptiveRpm * NUDGE);
    }
    // (Slightly early with no rate of our own yet — a quiet model meeting someone else's traffic —
    // sets none: the pause until retry-after is the whole answer.)
    this.retune();
    // No burst after the pause: exactly one call goes when it ends, the rest follow at the new pace.
    const rpm = this.effectiveRpm();
    if (rpm !== undefined) this.requestBucket?.setLevel(1 - Math.max(0, this.pausedUntil - now) * (rpm / this.windowMs), now);
  }

  private learn(snapshot: RateLimitSnapshot | undefined, now: number): void {
    if (!snapshot) return;
    let changed = false;
    if (snapshot.requests?.limit !== undefined && snapshot.requests.limit !== this.learnedRpm) {
      this.learnedRpm = snapshot.requests.limit;
      changed = true;
    }
    if (snapshot.tokens?.limit !== undefined && (snapshot.tokens.limit !== this.learnedTpm || snapshot.tokens.counts !== this.tokenCounts)) {
      this.learnedTpm = snapshot.tokens.limit;
      this.tokenCounts = snapshot.tokens.counts;
      changed = true;
    }
    if (changed) this.retune();
    if (snapshot.requests?.remaining !== undefined) {
      // Servers report whole requests (rounded down), so a bucket part-way to its next request
      // says 0; clamping to that would add a response's latency to every interval. +1 follows
      // other clients' use of the key without throttling our own pacing.
      this.requestBucket?.clampTo(snapshot.requests.remaining + 1, now);
      // A server that says "none left" without saying its limit: wait for its reset.
      if (snapshot.requests.remaining === 0 && !this.requestBucket && snapshot.requests.resetMs !== undefined) {
        this.pausedUntil = Math.max(this.pausedUntil, now + Math.min(this.maxPauseMs, snapshot.requests.resetMs));
      }
    }
    if (snapshot.tokens?.remaining !== undefined) this.tokenBucket?.clampTo(snapshot.tokens.remaining, now);
  }

  /** Requests per period we sent lately: over the last sixth of a period, and over at least a second. */
  private sentRpm(now: number): number {
    const recent = this.recentGrants.filter((t) => t > now - this.windowMs / 6);
    const elapsed = Math.max(now - (recent[0] ?? now), this.windowMs / 60);
    return (Math.max(1, recent.length) * this.windowMs) / elapsed;
  }

  private knownRpm(): number | undefined {
    return minDefined(this.configured.rpm, this.learnedRpm);
  }

  private knownTpm(): number | undefined {
    return minDefined(this.configured.tpm, this.learnedTpm);
  }

  private effectiveRpm(): number | undefined {
    const known = this.knownRpm();
    if (known !== undefined) return known * this.headroom * this.slowdown;
    return this.adaptiveRpm;
  }

  private effectiveTpm(): number | undefined {
    const known = this.knownTpm();
    return known === undefined ? undefined : known * this.headroom * this.slowdown;
  }

  /** Rebuilds the buckets' rates after a limit was set, learned, cut or restored. */
  private retune(): void {
    const now = this.now();
    const rpm = this.effectiveRpm();
    if (rpm === undefined) this.requestBucket = undefined;
    else {
      const rate = rpm / this.windowMs;
      // One second's worth of requests at 60 s periods, and never less than one.
      const capacity = Math.max(1, Math.floor(rpm / 60));
      if (this.requestBucket) this.requestBucket.retune(rate, capacity, now);
      else this.requestBucket = new TokenBucket(rate, capacity, now);
    }
    const tpm = this.effectiveTpm();
    if (tpm === undefined) this.tokenBucket = undefined;
    else if (this.tokenBucket) this.tokenBucket.retune(tpm / this.windowMs, tpm, now);
    else this.tokenBucket = new TokenBucket(tpm / this.windowMs, tpm, now);
  }

  private cost(estimate: CallEstimate): number {
    return estimate.inputTokens + (this.tokenCounts === 'total' ? estimate.maxOutputTokens : 0);
  }

  private waitMs(estimate: CallEstimate, now: number): number {
    const paused = Math.max(0, this.pausedUntil - now);
    const requests = this.requestBucket?.waitMs(1, now) ?? 0;
    const tokens = this.tokenBucket?.waitMs(this.cost(estimate), now) ?? 0;
    return Math.max(paused, requests, tokens);
  }

  private grant(estimate: CallEstimate, now: number, enqueuedAt: number): Permit {
    this.requestBucket?.take(1, now);
    const reservedTokens = this.tokenBucket ? this.cost(estimate) : 0;
    if (reservedTokens > 0) this.tokenBucket?.take(reservedTokens, now);
    const waitedMs = now - enqueuedAt;
    this.counts.granted += 1;
    if (waitedMs > 0) {
      this.counts.delayed += 1;
      this.counts.waitedMs += waitedMs;
    }
    const gapMs = now - (this.recentGrants.at(-1) ?? -Infinity);
    this.recentGrants.push(now);
    while (this.recentGrants.length > 0 && (this.recentGrants[0] ?? now) <= now - this.windowMs) this.recentGrants.shift();
    return { grantedAt: now, waitedMs, reservedTokens, estimate, gapMs };
  }

  /** Serves waiters in order while they fit, then sleeps until the first one will. */
  private schedule(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.waiters.length > 0) {
      const head = this.waiters[0]!;
      const now = this.now();
      const wait = this.waitMs(head.estimate, now);
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.schedule();
        }, wait);
        return;
      }
      this.waiters.shift();
      head.signal.removeEventListener('abort', head.onAbort);
      head.resolve(this.grant(head.estimate, now, head.enqueuedAt));
    }
  }
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
