import { STATUS_CODES } from 'node:http';
import { scopedSignal } from '../signals/scoped-signal.js';
import { CancelledError } from '../errors/index.js';
import { decodeBody } from './decode-body.js';
import { parseFeedText } from './parse-feed.js';
import { FeedError, type FetchedFeed, type HttpOptions } from './types.js';

/**
 * Fetching a feed: one conditional GET with a per-request timeout and a body-size cap, then
 * decoding and parsing. Every failure is a one-line FeedError whose `retryable` says whether
 * backing off and trying again can help (5xx, 408, 429, timeouts, connection failures) or not
 * (other 4xx, not a feed, malformed, too large). Cancellation by the caller's signal is a
 * CancelledError, not the feed's fault.
 */

const FEED_ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, ' +
  'application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5';

/** `10000` → `10s`, `1500` → `1.5s`, `200` → `200ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const seconds = ms / 1000;
  return Number.isInteger(seconds) ? `${seconds}s` : `${seconds.toFixed(1)}s`;
}

export interface RawResponse {
  status: number;
  statusText: string;
  /** Final URL after redirects. */
  url: string;
  headers: Headers;
  /** Undefined for 304 and error statuses (their bodies are discarded). */
  bytes: Uint8Array | undefined;
}

/** The innermost useful message of a fetch failure (`fetch failed` hides the real one in `cause`). */
function networkReason(error: unknown): string {
  let current: unknown = error;
  let reason = error instanceof Error ? error.message : String(error);
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (current.message && current.message !== 'fetch failed') reason = current.message;
    else if (typeof code === 'string') reason = code;
    current = current.cause;
  }
  return reason.replace(/\s+/g, ' ').trim();
}

/** Discards a body without waiting: a stalled or mocked stream may never settle its cancel(). */
function discard(body: ReadableStream<Uint8Array> | null): void {
  body?.cancel().catch(() => undefined);
}

/**
 * The next chunk, or the signal's reason as soon as it fires. fetch is meant to abort body reads
 * itself, but not every implementation does (msw's interceptor, for one), and a server that
 * stops sending mid-body would otherwise hold the poll forever.
 */
function readOrAbort(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  signal: AbortSignal,
): ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    reader.read().then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Reads a body up to `maxBytes`, cancelling the stream as soon as it grows past the cap. */
async function readCapped(response: Response, maxBytes: number, signal: AbortSignal): Promise<Uint8Array> {
  const tooLarge = () => new FeedError(`feed larger than ${maxBytes} bytes`, { httpStatus: response.status, retryable: false });
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    discard(response.body);
    throw tooLarge();
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await readOrAbort(reader, signal);
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw tooLarge();
      chunks.push(value);
    }
  } catch (error) {
    reader.cancel().catch(() => undefined);
    throw error;
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * One GET with the project's HTTP limits: User-Agent, per-request timeout combined with the
 * caller's signal, size cap. Returns the body of 2xx responses; 304 and ≥ 300 statuses return
 * without one (the caller decides what they mean). Throws FeedError for timeouts, connection
 * failures, oversize bodies; CancelledError when the caller's signal fired.
 */
export async function httpGet(url: string, headers: Record<string, string>, http: HttpOptions): Promise<RawResponse> {
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(url);
  } catch {
    throw new FeedError(`invalid URL: ${url.slice(0, 200)}`, { retryable: false });
  }
  if (parsedUrl.protocol !== 'http:' && parsedUrl.protocol !== 'https:') {
    throw new FeedError(`unsupported URL scheme: ${parsedUrl.protocol}`, { retryable: false });
  }
  if (http.signal.aborted) throw new CancelledError('feed fetch cancelled', { cause: http.signal.reason });

  const { signal, timedOut, dispose } = scopedSignal(http.signal, http.timeoutMs);
  try {
    const response = await http.fetch(parsedUrl.href, {
      method: 'GET',
      headers: { 'User-Agent': http.userAgent, ...headers },
      redirect: 'follow',
      signal,
    });
    const base = { status: response.status, statusText: response.statusText, url: response.url || parsedUrl.href, headers: response.headers };
    if (response.status < 200 || response.status >= 300) {
      discard(response.body);
      return { ...base, bytes: undefined };
    }
    return { ...base, bytes: await readCapped(response, http.maxBytes, signal) };
  } catch (error) {
    if (error instanceof FeedError) throw error;
    // The caller's cancellation wins over a timeout that fired at the same moment.
    if (http.signal.aborted) throw new CancelledError('feed fetch cancelled', { cause: error });
    if (timedOut()) {
      throw new FeedError(`timed out after ${formatDuration(http.timeoutMs)}`, { retryable: true, cause: error });
    }
    throw new FeedError(`connection failed: ${networkReason(error)}`, { retryable: true, cause: error });
  } finally {
    dispose();
  }
}

/** `HTTP 503 Service Unavailable`, with the standard reason when the server sent none (HTTP/2). */
export function statusLine(status: number, statusText?: string): string {
  const reason = statusText?.trim() || STATUS_CODES[status] || '';
  return `HTTP ${status}${reason ? ` ${reason}` : ''}`;
}

function optionalHeader(headers: Headers, name: string): string | undefined {
  const value = headers.get(name)?.trim();
  return value ? value : undefined;
}

export async function fetchFeed(
  url: string,
  validators: { etag?: string; lastModified?: string },
  http: HttpOptions,
): Promise<FetchedFeed> {
  const headers: Record<string, string> = { Accept: FEED_ACCEPT };
  if (validators.etag) headers['If-None-Match'] = validators.etag;
  if (validators.lastModified) headers['If-Modified-Since'] = validators.lastModified;

  const response = await httpGet(url, headers, http);
  // A 304 may omit the validators; the ones we sent still hold.
  const etag = optionalHeader(response.headers, 'etag') ?? (response.status === 304 ? validators.etag : undefined);
  const lastModified =
    optionalHeader(response.headers, 'last-modified') ?? (response.status === 304 ? validators.lastModified : undefined);

  if (response.status === 304) {
    return { notModified: true, httpStatus: 304, ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
  }
  if (!response.bytes) {
    const status = response.status;
    const retryable = status >= 500 || status === 408 || status === 429;
    throw new FeedError(statusLine(status, response.statusText), { httpStatus: status, retryable });
  }

  const text = decodeBody(response.bytes, response.headers.get('content-type'));
  let parsed;
  try {
    parsed = parseFeedText(text, response.url);
  } catch (error) {
    if (error instanceof FeedError) {
      throw new FeedError(error.message, { httpStatus: response.status, retryable: error.retryable, cause: error.cause });
    }
    throw error;
  }
  return {
    notModified: false,
    httpStatus: response.status,
    ...(etag ? { etag } : {}),
    ...(lastModified ? { lastModified } : {}),
    format: parsed.format,
    ...(parsed.title ? { title: parsed.title } : {}),
    items: parsed.items,
    ...(parsed.warning ? { warning: parsed.warning } : {}),
  };
}
