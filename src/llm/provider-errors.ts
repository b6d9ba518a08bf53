// The SDKs' error modules only (the same classes the SDKs throw): importing the SDK packages
// here would load both whole SDKs (~25 MB for Anthropic's) into runs that use neither.
import { APIConnectionError as AnthropicConnectionError, APIConnectionTimeoutError as AnthropicConnectionTimeout } from '@anthropic-ai/sdk/core/error';
import { APIConnectionError as OpenAIConnectionError, APIConnectionTimeoutError as OpenAIConnectionTimeout } from 'openai/core/error';
import { CancelledError, ProviderError, redactSecrets } from '../errors/index.js';
import { readRateLimitHeaders } from './rate-limit-headers.js';

/** Parses `retry-after-ms` (ms) or `retry-after` (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** 408 timeout, 409 lock, 429 rate limit, 5xx and Anthropic's 529 overloaded are worth retrying. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Shape shared by the openai and anthropic SDK errors; checked structurally so both map alike. */
interface SdkErrorLike {
  name?: string;
  status?: number;
  headers?: Headers;
  message?: string;
  /** openai: the body's `error` object; anthropic: the whole body (`{type, error: {type, message}}`). */
  error?: unknown;
  /** openai: `error.code` of the body, e.g. `insufficient_quota`. */
  code?: unknown;
}

interface ErrorBody {
  message?: unknown;
  code?: unknown;
  type?: unknown;
  error?: ErrorBody;
}

/**
 * The provider's own explanation, without the status the SDKs prefix to their messages and
 * without raw JSON: openai puts the body's `error` on `.error`, anthropic the whole body.
 */
function providerDetail(e: SdkErrorLike): { text: string; code: string | undefined } {
  const body = (typeof e.error === 'object' && e.error !== null ? e.error : {}) as ErrorBody;
  const inner = typeof body.error === 'object' && body.error !== null ? body.error : body;
  const code = [e.code, inner.code, inner.type].find((c): c is string => typeof c === 'string');
  const fromBody = typeof inner.message === 'string' ? inner.message : undefined;
  const fromMessage = (e.message ?? '').replace(/^\d{3}\s+/, '');
  const text = (fromBody ?? fromMessage).split('\n')[0]?.slice(0, 200) ?? '';
  return { text: redactSecrets(text), code };
}

/** A 429 that no wait will fix: the account is out of credit (OpenAI's `insufficient_quota`). */
function isQuotaExhausted(status: number, detail: { text: string; code: string | undefined }): boolean {
  return status === 429 && (detail.code === 'insufficient_quota' || /exceeded your current quota/i.test(detail.text));
}

/**
 * Whether `error` is of an SDK error class called `className`, or a subclass. instanceof sees only
 * the copy of the SDK this module imported; LangChain's integrations throw the errors of the copy
 * in node_modules, which is another copy when the CLI is bundled (or when npm installs two
 * versions), so the class names along the prototype chain are checked too.
 */
function isSdkClass(error: unknown, className: string): boolean {
  for (let proto: unknown = typeof error === 'object' && error !== null ? Object.getPrototypeOf(error) : null; proto !== null && typeof proto === 'object'; proto = Object.getPrototypeOf(proto)) {
    if (Object.hasOwn(proto, 'constructor') && (proto as { constructor: { name?: unknown } }).constructor.name === className) return true;
  }
  return false;
}

/**
 * Maps an SDK or network error to a typed error. `timedOut` says whether our per-call timer fired
 * (the SDK only sees an abort); `cancelled` whether the caller aborted the whole run.
 */
export function toProviderError(
  error: unknown,
  context: { provider: string; timedOut: boolean; cancelled: boolean; timeoutMs: number },
): Error {
  if (context.cancelled) return new CancelledError(`${context.provider} call cancelled`, { cause: error });
  if (context.timedOut) {
    return new ProviderError(`${context.provider} call timed out after ${Number((context.timeoutMs / 1000).toFixed(1))}s`, {
      retryable: true,
      cause: error,
    });
  }
  // Adapters that already speak our language (replay) pass straight through.
  if (error instanceof ProviderError || error instanceof CancelledError) return error;
  const e = (error ?? {}) as SdkErrorLike;
  if (typeof e.status === 'number') {
    const detail = providerDetail(e);
    const retryAfterMs = parseRetryAfter(e.headers);
    const rateLimit = readRateLimitHeaders(e.headers);
    const quota = isQuotaExhausted(e.status, detail);
    return new ProviderError(`${context.provider} HTTP ${e.status}${quota ? ' (quota exhausted, not retried)' : ''}${detail.text ? `: ${detail.text}` : ''}`, {
      status: e.status,
      retryable: isRetryableStatus(e.status) && !quota,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      ...(rateLimit ? { rateLimit } : {}),
      cause: error,
    });
  }
  // Classes, not names: openai 6.x errors keep the name 'Error', so only the class tells them apart.
  if (error instanceof OpenAIConnectionTimeout || error instanceof AnthropicConnectionTimeout || isSdkClass(error, 'APIConnectionTimeoutError') || e.name === 'APIConnectionTimeoutError') {
    return new ProviderError(`${context.provider} connection timed out`, { retryable: true, cause: error });
  }
  // fetch's network failures are TypeError('fetch failed') with a cause; any other TypeError is a bug, not the network.
  const fetchFailure = e.name === 'TypeError' && (e.message === 'fetch failed' || (error as { cause?: unknown }).cause !== undefined);
  if (error instanceof OpenAIConnectionError || error instanceof AnthropicConnectionError || isSdkClass(error, 'APIConnectionError') || e.name === 'APIConnectionError' || e.name === 'FetchError' || fetchFailure) {
    return new ProviderError(`${context.provider} connection failed: ${redactSecrets((e.message ?? '').split('\n')[0] ?? '')}`, {
      retryable: true,
      cause: error,
    });
  }
  return new ProviderError(`${context.provider} call failed: ${redactSecrets((e.message ?? String(error)).split('\n')[0] ?? '')}`, {
    retryable: false,
    cause: error,
  });
}
