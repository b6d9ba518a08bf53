import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CancelledError, ProviderError } from '../src/errors/index.js';
import { readRateLimitHeaders, parseResetDuration } from '../src/llm/rate-limit-headers.js';
import { RateLimiter, type Permit } from '../src/llm/rate-limiter.js';
import { toProviderError } from '../src/llm/provider-errors.js';
import { maskKeyInError } from '../src/llm/mask-key.js';

const SMALL = { inputTokens: 100, maxOutputTokens: 100 };
const never = new AbortController().signal;

/** Acquires `n` slots at once and records the fake-clock time each was granted. */
function acquireMany(limiter: RateLimiter, n: number, estimate = SMALL, signal = never): { times: number[]; permits: Promise<Permit>[] } {
  const times: number[] = [];
  const permits = Array.from({ length: n }, () =>
    limiter.acquire(estimate, signal).then((p) => {
      times.push(Date.now());
      return p;
    }),
  );
  return { times, permits };
}

const rateLimited = (retryAfterMs?: number, extra: { retryable?: boolean } = {}) =>
  new ProviderError('openai HTTP 429: Rate limit reached', { status: 429, retryable: extra.retryable ?? true, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });

describe('RateLimiter', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('with no limit known, every call goes at once', async () => {
    const limiter = new RateLimiter();
    const { times, permits } = acquireMany(limiter, 10);
    await Promise.all(permits);
    expect(times).toEqual(Array(10).fill(0));
    expect(limiter.stats()).toMatchObject({ granted: 10, delayed: 0, waitedMs: 0, effectiveRpm: null, effectiveTpm: null });
  });

  it('--rpm spaces requests evenly at the limit, first come first served', async () => {
    const limiter = new RateLimiter({ rpm: 60, headroom: 1 });
    const order: number[] = [];
    const permits = [0, 1, 2, 3, 4].map((i) => limiter.acquire(SMALL, never).then(() => order.push(i)));
    await vi.advanceTimersByTimeAsync(4_000);
    await Promise.all(permits);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    const { times, permits: more } = acquireMany(limiter, 3);
    await vi.advanceTimersByTimeAsync(3_000);
    await Promise.all(more);
    // 60 per minute is one a second; the fifth of the first batch went at 4 s.
    expect(times).toEqual([5_000, 6_000, 7_000]);
    expect(limiter.stats()).toMatchObject({ granted: 8, delayed: 7, effectiveRpm: 60 });
  });

  it('headroom keeps 5% of a limit unused by default', async () => {
    const limiter = new RateLimiter({ rpm: 60 });
    const { times, permits } = acquireMany(limiter, 3);
    await vi.advanceTimersByTimeAsync(3_000);
    await Promise.all(permits);
    expect(times[0]).toBe(0);
    // 57 requests a minute: 1053 ms apart.
    expect(times[1]).toBe(1053);
    expect(times[2]).toBe(2106);
  });

  it('--tpm reserves input plus output cap, bursts a minute of budget, then paces; actual usage is settled', async () => {
    const limiter = new RateLimiter({ tpm: 6_000, headroom: 1 });
    const big = { inputTokens: 1_000, maxOutputTokens: 2_000 };
    expect(limiter.countsTokens).toBe(true);
    const { times, permits } = acquireMany(limiter, 3, big);
    await vi.advanceTimersByTimeAsync(0);
    expect(times).toEqual([0, 0]);
    // The third needs 3,000 tokens back: 30 s at 100 tokens/s.
    await vi.advanceTimersByTimeAsync(29_000);
    expect(times).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(times).toEqual([0, 0, 30_000]);
    const [first] = await Promise.all(permits);
    expect(first!.reservedTokens).toBe(3_000);
    // The call used 1,000 in + 200 out of its 3,000 reserved: 1,800 come back at once.
    limiter.succeeded(first!, { inputTokens: 1_000, outputTokens: 200 });
    const next = acquireMany(limiter, 1, { inputTokens: 1_000, maxOutputTokens: 800 });
    await vi.advanceTimersByTimeAsync(0);
    expect(next.times).toEqual([30_000]);
  });

  it('a request bigger than the whole token budget still goes when the bucket is full, and pays for it', async () => {
    const limiter = new RateLimiter({ tpm: 1_000, headroom: 1 });
    const huge = { inputTokens: 2_500, maxOutputTokens: 500 };
    const { times, permits } = acquireMany(limiter, 2, huge);
    await vi.advanceTimersByTimeAsync(0);
    expect(times).toEqual([0]);
    // In debt by 2,000 tokens: the next one waits until the bucket is full again (3 minutes).
    await vi.advanceTimersByTimeAsync(179_000);
    expect(times).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all(permits);
    expect(times).toEqual([0, 180_000]);
  });

  it('learns limits from response headers and follows the server down, never up', async () => {
    const limiter = new RateLimiter({ headroom: 1 });
    const first = await limiter.acquire(SMALL, never);
    limiter.succeeded(first, { inputTokens: 100, outputTokens: 50 }, { requests: { limit: 120, remaining: 0, resetMs: 500 } });
    expect(limiter.stats()).toMatchObject({ learned: { rpm: 120, tpm: null }, effectiveRpm: 120 });
    // Servers round remaining down, so 0 may mean "most of one": one more goes now, then 0.5 s apart.
    const { times, permits } = acquireMany(limiter, 3);
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all(permits);
    expect(times).toEqual([0, 500, 1_000]);
    // A server whose key other clients also use says remaining 0 with our bucket at 2: pulled down to 1.
    const busy = new RateLimiter({ rpm: 600, headroom: 1 });
    const p = await busy.acquire(SMALL, never);
    busy.succeeded(p, { inputTokens: 1, outputTokens: 1 }, { requests: { limit: 600, remaining: 0 } });
    const burst = acquireMany(busy, 3);
    await vi.advanceTimersByTimeAsync(0);
    expect(burst.times).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(burst.times).toHaveLength(2);
  });

  it('the lower of the configured and learned limits wins', () => {
    const limiter = new RateLimiter({ rpm: 30, headroom: 1 });
    const permit = { grantedAt: 0, waitedMs: 0, reservedTokens: 0, estimate: SMALL, gapMs: Infinity };
    limiter.release(permit);
    limiter.succeeded(permit, { inputTokens: 1, outputTokens: 1 }, { requests: { limit: 500 }, tokens: { limit: 90_000, counts: 'total' } });
    expect(limiter.stats()).toMatchObject({ effectiveRpm: 30, effectiveTpm: 90_000, learned: { rpm: 500, tpm: 90_000 } });
  });

  it('a 429 pauses every caller until its retry-after, cuts the rate once per burst, and successes restore it', async () => {
    const limiter = new RateLimiter({ rpm: 600, headroom: 1 });
    await vi.advanceTimersByTimeAsync(10);
    const burst = await Promise.all([limiter.acquire(SMALL, never), limiter.acquire(SMALL, never)]);
    const before = limiter.stats().effectiveRpm!;
    // Three calls of the same burst come back 429, told to wait longer than we waited between
    // them (we are too fast): one cut of 30%, not three.
    for (let i = 0; i < 3; i++) limiter.failed(burst[1]!, rateLimited(2_000));
    const cut = limiter.stats().effectiveRpm!;
    expect(cut).toBeCloseTo(before * 0.7, 5);
    expect(limiter.stats().rateLimited).toBe(3);
    // Everyone waits out the 2 s pause; then one at a time at the cut rate (420/min: ~143 ms apart).
    const { times, permits } = acquireMany(limiter, 3);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(times).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    const granted = await Promise.all(permits);
    expect(times[0]).toBe(2_010);
    expect(times[1]! - times[0]!).toBe(143);
    // Each success brings 5% back, up to the limit.
    for (const p of granted) limiter.succeeded(p, { inputTokens: 1, outputTokens: 1 });
    expect(limiter.stats().effectiveRpm!).toBeCloseTo(cut * 1.05 ** 3, 5);
    for (let i = 0; i < 20; i++) limiter.succeeded(granted[0]!, { inputTokens: 1, outputTokens: 1 });
    expect(limiter.stats().effectiveRpm).toBe(600);
  });

  it('a call only slightly early (retry-after shorter than our gap: jitter, a cold connection) costs a 10% cut, not 30%', async () => {
    const limiter = new RateLimiter({ rpm: 60, headroom: 1 });
    await limiter.acquire(SMALL, never);
    const second = acquireMany(limiter, 1);
    await vi.advanceTimersByTimeAsync(1_000);
    const [permit] = await Promise.all(second.permits);
    expect(permit!.gapMs).toBe(1_000);
    limiter.failed(permit!, rateLimited(5));
    expect(limiter.stats().effectiveRpm).toBeCloseTo(54, 5);
  });

  it('with no limit known, a 429 without retry-after sets one at half the rate we sent at', async () => {
    const limiter = new RateLimiter();
    const { permits } = acquireMany(limiter, 8);
    const granted = await Promise.all(permits);
    await vi.advanceTimersByTimeAsync(100);
    limiter.failed(granted[7]!, rateLimited());
    // 8 calls within the last second is 480 a minute; half of that.
    expect(limiter.stats().effectiveRpm).toBe(240);
    const { times, permits: after } = acquireMany(limiter, 2);
    await vi.advanceTimersByTimeAsync(2_000);
    const again = await Promise.all(after);
    // One call when the default 1 s pause ends, the next 250 ms later.
    expect(times).toEqual([1_100, 1_350]);
    // Another 429 on a call sent after the cut: half again; the wall is put at 3/4 of 240.
    limiter.failed(again[1]!, rateLimited());
    expect(limiter.stats().effectiveRpm).toBe(120);
    // Successes climb 5% each back to just under the wall (180 × 0.95 = 171) ...
    for (let i = 0; i < 8; i++) limiter.succeeded(again[0]!, { inputTokens: 1, outputTokens: 1 });
    expect(limiter.stats().effectiveRpm).toBeCloseTo(171, 5);
    // ... and past it only 0.2% a call.
    for (let i = 0; i < 10; i++) limiter.succeeded(again[0]!, { inputTokens: 1, outputTokens: 1 });
    expect(limiter.stats().effectiveRpm).toBeCloseTo(171 * 1.002 ** 10, 5);
  });

  it("with no limit known, a 429's retry-after gives the rate; a slightly early call only nudges it", async () => {
    const limiter = new RateLimiter();
    const { permits } = acquireMany(limiter, 8);
    const granted = await Promise.all(permits);
    // Sent 0 ms after the call before it and told to wait 1 s: the server allows about one a second.
    limiter.failed(granted[1]!, rateLimited(1_000));
    expect(limiter.stats().effectiveRpm).toBe(57);
    // Later, at that pace, a call 3 ms early: a 10% nudge, never a speed-up.
    const later = acquireMany(limiter, 1);
    await vi.advanceTimersByTimeAsync(2_000);
    const [early] = await Promise.all(later.permits);
    limiter.failed(early!, rateLimited(3));
    expect(limiter.stats().effectiveRpm).toBeCloseTo(57 * 0.9, 5);
  });

  it('with no limit known, a quiet model told to wait briefly just waits: no rate is invented', async () => {
    const quiet = new RateLimiter();
    const permit = await quiet.acquire(SMALL, never);
    quiet.failed(permit, rateLimited(150));
    expect(quiet.stats().effectiveRpm).toBeNull();
    const next = acquireMany(quiet, 2);
    await vi.advanceTimersByTimeAsync(150);
    expect(next.times).toEqual([150, 150]);
  });

  it('quota exhaustion (a 429 not worth retrying) neither pauses nor slows anyone', async () => {
    const limiter = new RateLimiter({ rpm: 600, headroom: 1 });
    const permit = await limiter.acquire(SMALL, never);
    limiter.failed(permit, rateLimited(60_000, { retryable: false }));
    expect(limiter.stats()).toMatchObject({ rateLimited: 0, effectiveRpm: 600 });
    // Its retry-after of 60 s is not imposed on anyone: the next call goes at once.
    const { times, permits } = acquireMany(limiter, 1);
    await vi.advanceTimersByTimeAsync(0);
    await Promise.all(permits);
    expect(times).toEqual([0]);
  });

  it('a caller whose signal aborts leaves the queue with CancelledError; the others are still served', async () => {
    const limiter = new RateLimiter({ rpm: 60, headroom: 1 });
    await limiter.acquire(SMALL, never);
    const controller = new AbortController();
    const leaving = limiter.acquire(SMALL, controller.signal);
    const staying = limiter.acquire(SMALL, never);
    controller.abort();
    await expect(leaving).rejects.toBeInstanceOf(CancelledError);
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(staying).resolves.toMatchObject({ grantedAt: 1_000, waitedMs: 1_000 });
    await expect(limiter.acquire(SMALL, controller.signal)).rejects.toThrow('cancelled while waiting for a rate-limit slot');
  });
});

describe('rate-limit headers', () => {
  it('reads OpenAI durations', () => {
    expect(parseResetDuration('6m0s')).toBe(360_000);
    expect(parseResetDuration('1.5s')).toBe(1_500);
    expect(parseResetDuration('250ms')).toBe(250);
    expect(parseResetDuration('1h2m3s')).toBe(3_723_000);
    expect(parseResetDuration('12')).toBe(12_000);
    expect(parseResetDuration('soon')).toBeUndefined();
    const headers = new Headers({
      'x-ratelimit-limit-requests': '500',
      'x-ratelimit-remaining-requests': '499',
      'x-ratelimit-reset-requests': '120ms',
      'x-ratelimit-limit-tokens': '30000',
      'x-ratelimit-remaining-tokens': '27000',
      'x-ratelimit-reset-tokens': '6s',
    });
    expect(readRateLimitHeaders(headers)).toEqual({
      requests: { limit: 500, remaining: 499, resetMs: 120 },
      tokens: { limit: 30_000, remaining: 27_000, resetMs: 6_000, counts: 'total' },
    });
  });

  it('reads Anthropic RFC 3339 resets, preferring the combined token limit over input-only', () => {
    const now = Date.parse('2026-11-26T10:00:00Z');
    const headers = new Headers({
      'anthropic-ratelimit-requests-limit': '50',
      'anthropic-ratelimit-requests-remaining': '49',
      'anthropic-ratelimit-requests-reset': '2026-11-26T10:00:01Z',
      'anthropic-ratelimit-input-tokens-limit': '40000',
      'anthropic-ratelimit-input-tokens-remaining': '39000',
      'anthropic-ratelimit-input-tokens-reset': '2026-11-26T10:00:02Z',
    });
    expect(readRateLimitHeaders(headers, now)).toEqual({
      requests: { limit: 50, remaining: 49, resetMs: 1_000 },
      tokens: { limit: 40_000, remaining: 39_000, resetMs: 2_000, counts: 'input' },
    });
    headers.set('anthropic-ratelimit-tokens-limit', '80000');
    expect(readRateLimitHeaders(headers, now)?.tokens).toEqual({ limit: 80_000, counts: 'total' });
  });

  it('no rate-limit headers: nothing', () => {
    expect(readRateLimitHeaders(new Headers({ 'content-type': 'application/json' }))).toBeUndefined();
    expect(readRateLimitHeaders(undefined)).toBeUndefined();
  });
});

describe('provider errors', () => {
  const context = { provider: 'openai', timedOut: false, cancelled: false, timeoutMs: 1000 };

  it('a 429 carries retry-after and the rate-limit headers; the message does not repeat the status', () => {
    const sdkError = Object.assign(new Error('429 Rate limit reached for requests'), {
      status: 429,
      headers: new Headers({ 'retry-after-ms': '1500', 'x-ratelimit-limit-requests': '60', 'x-ratelimit-remaining-requests': '0' }),
      error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' },
    });
    const error = toProviderError(sdkError, context) as ProviderError;
    expect(error.message).toBe('openai HTTP 429: Rate limit reached for requests');
    expect(error).toMatchObject({ status: 429, retryable: true, retryAfterMs: 1500, rateLimit: { requests: { limit: 60, remaining: 0 } } });
  });

  it('insufficient_quota is a 429 that is not retried', () => {
    const sdkError = Object.assign(new Error('429 You exceeded your current quota, please check your plan and billing details.'), {
      status: 429,
      headers: new Headers(),
      code: 'insufficient_quota',
      error: { message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', code: 'insufficient_quota' },
    });
    const error = toProviderError(sdkError, context) as ProviderError;
    expect(error.retryable).toBe(false);
    expect(error.message).toBe('openai HTTP 429 (quota exhausted, not retried): You exceeded your current quota, please check your plan and billing details.');
  });

  it('a key echoed in the error body is masked before the body becomes the message (not only in .message)', () => {
    const token = 'gateway-token-7f3a9c2e51';
    const body = { message: `invalid bearer token "${token}"`, type: 'auth' };
    const sdkError = Object.assign(new Error(`401 ${body.message}`), { status: 401, headers: new Headers(), error: body });
    const error = toProviderError(maskKeyInError(sdkError, token), context) as ProviderError;
    expect(error.message).toBe('openai HTTP 401: invalid bearer token "[redacted]"');
    expect(JSON.stringify((error.cause as { error: unknown }).error)).not.toContain(token);
  });

  it("Anthropic's JSON error body becomes its message", () => {
    const body = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };
    const sdkError = Object.assign(new Error(`529 ${JSON.stringify(body)}`), { status: 529, headers: new Headers(), error: body });
    const error = toProviderError(sdkError, { ...context, provider: 'anthropic' }) as ProviderError;
    expect(error.message).toBe('anthropic HTTP 529: Overloaded');
    expect(error.retryable).toBe(true);
  });
});
