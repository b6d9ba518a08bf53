import { MIN_ARTICLE_CHARS, type ExtractedArticle } from './extract-article.js';

/**
 * Whether the text we got is a paywall stub rather than the article. Two kinds of evidence:
 *
 * - the publisher says so: JSON-LD `isAccessibleForFree: false` or OpenGraph
 *   `article:content_tier` `locked`/`metered` (Google's and Facebook's paywall markup). Such a page
 *   that gave us less than PAYWALL_TEASER_MAX_CHARS is taken to show only its teaser; one that gave
 *   us more served the article (to readers without a subscription too), which is used;
 * - the text we got is under MIN_ARTICLE_CHARS (not an article anyway) and either asks the reader
 *   to subscribe or log in, or the page has a paywall/registration-wall element. This only decides
 *   how the refusal is worded.
 */

/** A teaser is a paragraph or three; a marked page that gave us more is taken as the article. */
export const PAYWALL_TEASER_MAX_CHARS = 1_500;

/** Subscribe-wall wording, English and Japanese. */
const WALL_WORDS = /\b(subscribe|subscription|subscribers?|sign in to (?:continue|read)|log in to (?:continue|read)|already a member)\b|有料会員|会員限定|購読|ログインして/i;

/** The reason the text looks like a paywall stub, or null. */
export function paywallEvidence(article: ExtractedArticle): string | null {
  const { metadata } = article;
  const chars = article.text.length;
  const marked =
    metadata.accessibleForFree === false
      ? 'the page marks the article as not free to read'
      : metadata.contentTier === 'locked' || metadata.contentTier === 'metered'
        ? `the page marks the article as ${metadata.contentTier}`
        : null;
  if (marked && chars < PAYWALL_TEASER_MAX_CHARS) return marked;
  if (chars < MIN_ARTICLE_CHARS) {
    if (WALL_WORDS.test(article.text)) return 'the page asks the reader to subscribe or log in';
    if (metadata.paywallElement) return 'the page has a paywall';
  }
  return null;
}
