import { decodeBody } from '../feeds/decode-body.js';
import { httpGet, statusLine } from '../feeds/fetch-feed.js';
import type { HttpOptions } from '../feeds/types.js';

/**
 * One GET of a web page with the feeds' HTTP limits (user agent, timeout, size cap, redirects
 * followed), decoded to text whatever its charset (decode-body.ts). What the page turned out to
 * be is the result; what went wrong on the way (timeout, connection, too large) is thrown as the
 * FeedError httpGet raises, and a cancelled caller as a CancelledError.
 */
export type FetchedPage =
  /** `url` is the final URL, after redirects. */
  | { kind: 'html'; html: string; url: string }
  | { kind: 'http-error'; status: number; statusLine: string; url: string }
  | { kind: 'not-html'; contentType: string; url: string };

const HTML_ACCEPT = 'text/html, application/xhtml+xml;q=0.9, */*;q=0.5';

/** Content types that can hold an article; a missing type is given the benefit of the doubt. */
function isHtml(contentType: string | null): boolean {
  if (!contentType) return true;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'text/html' || type === 'application/xhtml+xml' || type === '';
}

export async function fetchHtmlPage(url: string, http: HttpOptions): Promise<FetchedPage> {
  const response = await httpGet(url, { Accept: HTML_ACCEPT }, http);
  if (!response.bytes) {
    return { kind: 'http-error', status: response.status, statusLine: statusLine(response.status, response.statusText), url: response.url };
  }
  const contentType = response.headers.get('content-type');
  if (!isHtml(contentType)) return { kind: 'not-html', contentType: contentType ?? '', url: response.url };
  const html = decodeBody(response.bytes, contentType);
  // A body without a single tag is not a page, whatever its header says (an empty 200, plain text).
  if (!html.includes('<')) return { kind: 'not-html', contentType: contentType ?? 'none', url: response.url };
  return { kind: 'html', html, url: response.url };
}
