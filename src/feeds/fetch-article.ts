import { extractArticle, MIN_ARTICLE_CHARS } from '../article/extract-article.js';
import { fetchHtmlPage } from '../article/fetch-html-page.js';
import type { HttpOptions } from './types.js';

/**
 * The main text of an article page, for feed items that carry only a headline: the page fetched
 * with the feeds' limits and the article extracted as `assess run <URL>` does (src/article/).
 * Best effort: any failure — HTTP error, not HTML, nothing article-like, fewer than
 * MIN_ARTICLE_CHARS — is null, and the feed's own text is used.
 */

export { MIN_ARTICLE_CHARS };

export async function fetchArticleText(url: string, http: HttpOptions): Promise<string | null> {
  try {
    const page = await fetchHtmlPage(url, http);
    if (page.kind !== 'html') return null;
    const { text } = extractArticle(page.html);
    return text.length >= MIN_ARTICLE_CHARS ? text : null;
  } catch {
    return null;
  }
}
