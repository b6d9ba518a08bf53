import { extractArticle, MIN_ARTICLE_CHARS, type ExtractedArticle } from '../article/extract-article.js';
import { fetchHtmlPage } from '../article/fetch-html-page.js';
import { paywallEvidence } from '../article/paywall.js';
import { CancelledError, InputError } from '../errors/index.js';
import { canonicalLink } from '../feeds/item-key.js';
import { FeedError, type HttpOptions } from '../feeds/types.js';
import { toNewsEvent } from './parse-event-text.js';
import type { NewsEvent } from './schema.js';
import type { EventLimits } from './size-cap.js';

/**
 * `assess run <URL>`: a news page becomes an event. The page is fetched with the watcher's HTTP
 * limits and its article extracted the way the watcher does (src/article/); title, date, site
 * name and language come from the page's metadata (page-metadata.ts), the text from Readability.
 * The event then goes through toNewsEvent like any file: the same cleaning and size cap.
 *
 * Every way a page can fail to be a news article is an InputError naming the URL, raised before
 * any model is called: an HTTP error status, a response that is not HTML, a page where
 * Readability finds no article (or under MIN_ARTICLE_CHARS of it), a paywall stub (paywall.ts),
 * and the fetch itself failing (timeout, connection, over the size cap).
 *
 * The event's `url` is the page's final URL after redirects, in canonical form: fragment and
 * tracking parameters (`utm_*`, `fbclid`, `gclid`…) dropped, the other query parameters kept and
 * sorted (canonicalLink, as the watcher keys stories). `source` is the site: its name (publisher,
 * og:site_name, else the host name) and its root URL.
 */

/** The watcher's limits for article pages: 20 s, 5 MiB. */
export const PAGE_TIMEOUT_MS = 20_000;
export const PAGE_MAX_BYTES = 5 * 1024 * 1024;
export const PAGE_USER_AGENT = 'assess/0.1 (news assessment; article reader)';

/**
 * Above this share of link text, the block Readability picked is a list of links (a section front,
 * a tag page), not an article. Articles run well under it (the fixtures: 0–5%).
 */
export const MAX_LINK_DENSITY = 0.5;

/** HTTP options for reading event pages with `fetchImpl`, cancelled by `signal`. */
export function pageHttpOptions(fetchImpl: typeof fetch, signal: AbortSignal): HttpOptions {
  return { fetch: fetchImpl, timeoutMs: PAGE_TIMEOUT_MS, maxBytes: PAGE_MAX_BYTES, userAgent: PAGE_USER_AGENT, signal };
}

const mebibytes = (bytes: number): string => `${Number((bytes / 1024 / 1024).toFixed(1))} MiB`;

async function fetchPage(url: string, http: HttpOptions): Promise<{ article: ExtractedArticle; finalUrl: string }> {
  let page;
  try {
    page = await fetchHtmlPage(url, http);
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    if (error instanceof FeedError) {
      // httpGet words its size refusal for feeds; this is a page.
      const message = /larger than \d+ bytes/.test(error.message) ? `page larger than ${mebibytes(http.maxBytes)}` : error.message;
      throw new InputError(`${url}: ${message}`, { cause: error });
    }
    throw error;
  }
  if (page.kind === 'http-error') throw new InputError(`${url}: ${page.statusLine}`);
  if (page.kind === 'not-html') throw new InputError(`${url}: not an HTML page (content type ${page.contentType || 'none'})`);
  let article: ExtractedArticle;
  try {
    article = extractArticle(page.html);
  } catch (error) {
    throw new InputError(`${url}: no article found on the page (it could not be parsed)`, { cause: error });
  }
  return { article, finalUrl: page.url };
}

export async function readPageEvent(url: string, http: HttpOptions, limits: EventLimits = {}): Promise<NewsEvent> {
  const { article, finalUrl } = await fetchPage(url, http);
  const chars = article.text.length;
  const paywall = paywallEvidence(article);
  if (paywall) {
    throw new InputError(`${url}: only a paywall stub (${chars} characters of text; ${paywall}); save the article's text to a file and run that`);
  }
  if (article.linkDensity > MAX_LINK_DENSITY) {
    throw new InputError(`${url}: no article found on the page (${Math.round(article.linkDensity * 100)}% of its main text is links: an index or section page?)`);
  }
  if (chars < MIN_ARTICLE_CHARS) {
    throw new InputError(
      chars === 0
        ? `${url}: no article found on the page`
        : `${url}: no article found on the page (${chars} characters of article text; at least ${MIN_ARTICLE_CHARS} needed)`,
    );
  }
  const { metadata } = article;
  const site = new URL(finalUrl);
  const title = metadata.title ?? article.readabilityTitle;
  return toNewsEvent(
    {
      ...(title !== undefined ? { title } : {}),
      summary: article.text,
      url: canonicalLink(finalUrl) ?? finalUrl,
      source: { name: metadata.siteName ?? site.hostname, url: `${site.origin}/` },
      ...(metadata.publishedAt !== undefined ? { publishedAt: metadata.publishedAt } : {}),
      ...(metadata.language !== undefined ? { language: metadata.language } : {}),
    },
    url,
    limits,
  );
}
