import { CancelledError, ProviderError } from '../errors/index.js';

export interface RetryPolicy {
  /** Retries after the first attempt. @default 3 */
  maxRetries: number;
  /** First backoff delay; doubles each retry, with jitter. @default 1000 */
  baseDelayMs: number;
  /** Cap on any single wait, including a server's retry-after. @default 30000 */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 3, baseDelayMs: 1000, maxDelayMs: 30_000 };

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export const abortableSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new CancelledError('cancelled'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError('cancelled'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** Delay before retry number `retry` (1-based): the server's word if it gave one, else backoff; always capped. */
export function retryDelay(error: ProviderError, retry: number, policy: RetryPolicy, random = Math.random): number {
  const backoff = policy.baseDelayMs * 2 ** (retry - 1) * (0.75 + random() * 0.5);
  const wanted = error.retryAfterMs ?? backoff;
  return Math.min(Math.max(0, Math.round(wanted)), policy.maxDelayMs);
}

export interface RetryHooks {
  onRetry?: (info: { retry: number; delayMs: number; error: ProviderError }) => void;
  sleep?: Sleep;
}

/**
 * The single retry layer: the SDKs are built with maxRetries 0, so transient failures (429, 5xx,
 * 529, timeouts, connection resets) are retried here only, with capped, signal-aware waits.
 */
export async function withRetry<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  policy: RetryPolicy,
  signal: AbortSignal,
  hooks: RetryHooks = {},
): Promise<T> {
  const sleep = hooks.sleep ?? abortableSleep;
  for (let retry = 0; ; retry++) {
    try {
      return await attempt(retry + 1);
    } catch (error) {
      if (!(error instanceof ProviderError) || !error.retryable || retry >= policy.maxRetries || signal.aborted) throw error;
      const delayMs = retryDelay(error, retry + 1, policy);
      hooks.onRetry?.({ retry: retry + 1, delayMs, error });
      await sleep(delayMs, signal);
    }
  }
}
