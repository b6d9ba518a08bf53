import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { decodeBody } from './decode-body.js';
import { httpGet } from './fetch-feed.js';
import { nodeToText, type TextWalkNode } from './html-text.js';
import type { HttpOptions } from './types.js';

/**
 * The main text of an article page, for feed items that carry only a headline: GET with the same
 * limits as feeds, decode, parse with linkedom, extract with Mozilla's Readability (the Firefox
 * reader view), and flatten to plain text with one line per paragraph. Best effort: any failure
 * — HTTP error, not HTML, nothing article-like, fewer than MIN_ARTICLE_CHARS — is null.
 */

/** Under this many characters the "article" is a stub, a paywall teaser or a cookie banner. */
export const MIN_ARTICLE_CHARS = 200;

const HTML_ACCEPT = 'text/html, application/xhtml+xml;q=0.9, */*;q=0.5';

/** Content types that can hold an article; a missing type is given the benefit of the doubt. */
function isHtml(contentType: string | null): boolean {
  if (!contentType) return true;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'text/html' || type === 'application/xhtml+xml' || type === '';
}

/**
 * The document Readability reads. A page without an `<html>` element is wrapped, since linkedom
 * mis-nests bare fragments. linkedom documents have no URL (`document.URL`/`baseURI` are
 * undefined); Readability only needs one to absolutise links, which plain text does not use.
 */
function articleDocument(html: string): unknown {
  const page = /<html[\s>]/i.test(html) ? html : `<!doctype html><html><head></head><body>${html}</body></html>`;
  return parseHTML(page).document;
}

export async function fetchArticleText(url: string, http: HttpOptions): Promise<string | null> {
  try {
    const response = await httpGet(url, { Accept: HTML_ACCEPT }, http);
    if (!response.bytes) return null;
    const contentType = response.headers.get('content-type');
    if (!isHtml(contentType)) return null;
    const html = decodeBody(response.bytes, contentType);
    if (!html.includes('<')) return null;

    const document = articleDocument(html);
    // Readability's typings name the DOM's `Document`/`Node`, which this project's lib (no DOM)
    // does not declare; linkedom's document is the structural equivalent Readability works with.
    const reader = new Readability<TextWalkNode>(document as ConstructorParameters<typeof Readability>[0], {
      // Hand back the cleaned-up article element itself rather than its serialised HTML.
      serializer: (node) => node as unknown as TextWalkNode,
    });
    const article = reader.parse();
    if (!article?.content) return null;
    const text = nodeToText(article.content);
    return text.length >= MIN_ARTICLE_CHARS ? text : null;
  } catch {
    return null;
  }
}
