import { Readability } from '@mozilla/readability';
import { nodeToText, type TextWalkNode } from '../feeds/html-text.js';
import { parsePage } from './page-dom.js';
import { readPageMetadata, type PageMetadata } from './page-metadata.js';

/**
 * The main text of a news page and what the page says about itself: parsed with linkedom, the
 * metadata read first (Readability rewrites the document as it works), then the article found by
 * Mozilla's Readability (the Firefox reader view) and flattened to plain text, one line per
 * paragraph. Shared by the watcher (feed items with only a headline) and `assess run <URL>`.
 */

/** Under this many characters the "article" is a stub, a paywall teaser or a cookie banner. */
export const MIN_ARTICLE_CHARS = 200;

export interface ExtractedArticle {
  /** Plain text of the article; empty when Readability found nothing article-like. */
  text: string;
  /** The page title as Readability reads it (the `<title>` with a trailing " | Site" cut), if any. */
  readabilityTitle?: string;
  /**
   * Share of the article's characters that are link text (0–1). Readability returns the best
   * block of a page even when the page has no article; a section front's best block is a list of
   * headlines, nearly all of it links.
   */
  linkDensity: number;
  metadata: PageMetadata;
}

export function extractArticle(html: string): ExtractedArticle {
  const document = parsePage(html);
  const metadata = readPageMetadata(document);
  // Readability's typings name the DOM's `Document`/`Node`, which this project's lib (no DOM)
  // does not declare; linkedom's document is the structural equivalent Readability works with.
  const reader = new Readability<TextWalkNode>(document as unknown as ConstructorParameters<typeof Readability>[0], {
    // Hand back the cleaned-up article element itself rather than its serialised HTML.
    serializer: (node) => node as unknown as TextWalkNode,
  });
  const article = reader.parse();
  const text = article?.content ? nodeToText(article.content) : '';
  const readabilityTitle = article?.title?.replace(/\s+/g, ' ').trim();
  const linkDensity = article?.content ? linkTextShare(article.content) : 0;
  return { text, ...(readabilityTitle ? { readabilityTitle } : {}), metadata, linkDensity };
}

const TEXT_NODE = 3;

/** Characters of text inside `<a>` elements ÷ all characters of text, whitespace not counted. */
export function linkTextShare(root: TextWalkNode): number {
  let all = 0;
  let linked = 0;
  // Iterative, like nodeToText: deep markup cannot overflow the stack.
  const stack: { node: TextWalkNode; inLink: boolean }[] = [{ node: root, inLink: false }];
  while (stack.length > 0) {
    const { node, inLink } = stack.pop()!;
    if (node.nodeType === TEXT_NODE) {
      const chars = (node.nodeValue ?? '').replace(/\s+/g, '').length;
      all += chars;
      if (inLink) linked += chars;
      continue;
    }
    const name = node.nodeName.toUpperCase();
    if (name === 'SCRIPT' || name === 'STYLE') continue;
    for (let child = node.firstChild; child; child = child.nextSibling) stack.push({ node: child, inLink: inLink || name === 'A' });
  }
  return all === 0 ? 0 : linked / all;
}
