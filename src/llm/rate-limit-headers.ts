/**
 * What a provider says about its rate limits in response headers, read into one shape so the
 * limiter can learn limits it was not told.
 *
 * OpenAI (and many OpenAI-compatible gateways): `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`,
 * resets as durations such as `1s`, `6m0s`, `250ms`. Token limits count input plus the requested
 * output cap.
 *
 * Anthropic: `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`,
 * resets as RFC 3339 times. `tokens-*` is the most restrictive token limit in effect; when only
 * `input-tokens-*` is sent, the limit counts input tokens only.
 */

export interface LimitState {
  limit?: number;
  remaining?: number;
  /** Milliseconds until the limit is fully replenished. */
  resetMs?: number;
}

export interface RateLimitSnapshot {
  requests?: LimitState;
  tokens?: LimitState & { counts: 'total' | 'input' };
}

type HeaderSource = Headers | { get(name: string): string | null } | undefined;

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `6m0s`, `1.5s`, `250ms` → milliseconds; undefined when the text is not such a duration. */
export function parseResetDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  let total = 0;
  let consumed = 0;
  for (const match of trimmed.matchAll(DURATION_PART)) {
    total += Number(match[1]) * (UNIT_MS[match[2] ?? 's'] ?? 0);
    consumed += match[0].length;
  }
  if (consumed !== trimmed.length) {
    // A bare number of seconds is what some gateways send.
    const seconds = Number(trimmed);
    return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
  }
  return total;
}

function number(headers: NonNullable<HeaderSource>, name: string): number | undefined {
  const value = headers.get(name);
  if (value === null || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function state(parts: { limit: number | undefined; remaining: number | undefined; resetMs: number | undefined }): LimitState | undefined {
  const out: LimitState = {};
  if (parts.limit !== undefined && parts.limit > 0) out.limit = parts.limit;
  if (parts.remaining !== undefined) out.remaining = parts.remaining;
  if (parts.resetMs !== undefined) out.resetMs = parts.resetMs;
  return Object.keys(out).length > 0 ? out : undefined;
}

function openai(headers: NonNullable<HeaderSource>): RateLimitSnapshot {
  const reset = (name: string) => {
    const value = headers.get(name);
    return value === null ? undefined : parseResetDuration(value);
  };
  const requests = state({
    limit: number(headers, 'x-ratelimit-limit-requests'),
    remaining: number(headers, 'x-ratelimit-remaining-requests'),
    resetMs: reset('x-ratelimit-reset-requests'),
  });
  const tokens = state({
    limit: number(headers, 'x-ratelimit-limit-tokens'),
    remaining: number(headers, 'x-ratelimit-remaining-tokens'),
    resetMs: reset('x-ratelimit-reset-tokens'),
  });
  return { ...(requests ? { requests } : {}), ...(tokens ? { tokens: { ...tokens, counts: 'total' as const } } : {}) };
}

function anthropic(headers: NonNullable<HeaderSource>, now: number): RateLimitSnapshot {
  const read = (kind: string) => {
    const resetAt = headers.get(`anthropic-ratelimit-${kind}-reset`);
    const parsed = resetAt === null ? NaN : Date.parse(resetAt);
    return state({
      limit: number(headers, `anthropic-ratelimit-${kind}-limit`),
      remaining: number(headers, `anthropic-ratelimit-${kind}-remaining`),
      resetMs: Number.isNaN(parsed) ? undefined : Math.max(0, parsed - now),
    });
  };
  const requests = read('requests');
  const total = read('tokens');
  const input = total ? undefined : read('input-tokens');
  const tokens = total ? { ...total, counts: 'total' as const } : input ? { ...input, counts: 'input' as const } : undefined;
  return { ...(requests ? { requests } : {}), ...(tokens ? { tokens } : {}) };
}

/** The rate-limit headers of one response (either provider's naming), or undefined when there are none. */
export function readRateLimitHeaders(headers: HeaderSource, now = Date.now()): RateLimitSnapshot | undefined {
  if (!headers || typeof headers.get !== 'function') return undefined;
  const fromOpenAI = openai(headers);
  const snapshot = fromOpenAI.requests || fromOpenAI.tokens ? fromOpenAI : anthropic(headers, now);
  return snapshot.requests || snapshot.tokens ? snapshot : undefined;
}
