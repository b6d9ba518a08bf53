import { parseFeedDate } from '../feeds/feed-date.js';
import { htmlToText } from '../feeds/html-text.js';
import type { PageDocument, PageElement } from './page-dom.js';

/**
 * What a news page says about itself, read from its markup before Readability rewrites the
 * document. Each field is taken from the first source that has a usable value, field by field:
 *
 * 1. JSON-LD (`<script type="application/ld+json">`): the article node — a `*NewsArticle` type
 *    first, else `Article`/`BlogPosting`/`Report` — found at the top level, in an array, in
 *    `@graph` or as a page's `mainEntity`: `headline`, `datePublished`, `publisher.name`
 *    (`@id` references resolved), `inLanguage`, `isAccessibleForFree`;
 * 2. OpenGraph `<meta>`: `og:title`, `article:published_time`, `og:site_name`, `og:locale`,
 *    `article:content_tier`;
 * 3. the page itself: a `<time datetime>` (the one marked `itemprop="datePublished"` or `pubdate`,
 *    else the first inside `<article>`, else the first on the page) and `<html lang>`.
 *
 * Page metadata is untrusted and often sloppy, so a value that does not parse is skipped (the next
 * source is tried), never an error: dates must be ISO 8601 or RFC 2822 (an offset is applied, a
 * time without one is read as UTC; the result is ISO 8601 in UTC), languages BCP 47 (`ja_JP`
 * becomes `ja-JP`). Words such as "2 hours ago" are not guessed at.
 */
export interface PageMetadata {
  title?: string;
  /** ISO 8601, UTC. */
  publishedAt?: string;
  siteName?: string;
  /** BCP 47. */
  language?: string;
  /** JSON-LD `isAccessibleForFree`, when the page states it. */
  accessibleForFree?: boolean;
  /** OpenGraph `article:content_tier` (`free`, `metered`, `locked`), lower-cased. */
  contentTier?: string;
  /** An element whose class or id names a paywall or registration wall. */
  paywallElement: boolean;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * Runs of ASCII whitespace (line breaks in markup) become one space. Not `\s`: that would also
 * fold the ideographic space U+3000, which Japanese headlines use as a separator on purpose.
 */
const collapse = (text: string): string => text.replace(/[ \t\n\r\f]+/g, ' ').trim();

const isObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

const NEWS_ARTICLE = /NewsArticle$/;
const ARTICLE = /^(Article|BlogPosting|LiveBlogPosting|Report|ScholarlyArticle)$/;

function typesOf(node: JsonObject): string[] {
  const type = node['@type'];
  const list = Array.isArray(type) ? type : [type];
  // `schema:NewsArticle` and `https://schema.org/NewsArticle` name the same type.
  return list.filter((t): t is string => typeof t === 'string').map((t) => t.replace(/^.*[/:#]/, ''));
}

/** Every object node of the page's JSON-LD blocks: arrays, `@graph` and `mainEntity` unfolded. */
function jsonLdNodes(document: PageDocument): JsonObject[] {
  const nodes: JsonObject[] = [];
  const visit = (value: Json | undefined, depth: number) => {
    if (depth > 4 || value === undefined) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    if (!isObject(value)) return;
    nodes.push(value);
    visit(value['@graph'], depth + 1);
    visit(value['mainEntity'], depth + 1);
  };
  for (const script of document.querySelectorAll('script')) {
    if (!(script.getAttribute('type') ?? '').toLowerCase().includes('ld+json')) continue;
    try {
      visit(JSON.parse(script.textContent ?? '') as Json, 0);
    } catch {
      // A broken block is common in the wild and says nothing we could trust: skip it.
    }
  }
  return nodes;
}

function articleNode(nodes: JsonObject[]): JsonObject | undefined {
  return nodes.find((n) => typesOf(n).some((t) => NEWS_ARTICLE.test(t))) ?? nodes.find((n) => typesOf(n).some((t) => ARTICLE.test(t)));
}

/** Text of a JSON-LD string value; some publishers leave HTML entities or tags in them. */
function jsonText(value: Json | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = /[<&]/.test(value) ? htmlToText(value) : collapse(value);
  return text === '' ? undefined : text;
}

/** `publisher` as an object, a list of them, a bare name or an `@id` pointing at another node. */
function publisherName(value: Json | undefined, byId: Map<string, JsonObject>): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first === 'string') return jsonText(first);
  if (!isObject(first)) return undefined;
  const id = first['@id'];
  const node = first['name'] === undefined && typeof id === 'string' ? (byId.get(id) ?? first) : first;
  return jsonText(node['name']);
}

function jsonLanguage(value: Json | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (isObject(value)) return jsonText(value['alternateName']) ?? jsonText(value['name']);
  return undefined;
}

function jsonBoolean(value: Json | undefined): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  return undefined;
}

/** `<meta property|name="key" content="…">`, first match, keys compared lower-cased. */
function metaContents(document: PageDocument): Map<string, string> {
  const found = new Map<string, string>();
  for (const meta of document.querySelectorAll('meta')) {
    const key = (meta.getAttribute('property') ?? meta.getAttribute('name') ?? '').trim().toLowerCase();
    const content = collapse(meta.getAttribute('content') ?? '');
    if (key && content && !found.has(key)) found.set(key, content);
  }
  return found;
}

const BCP47 = /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/;

/** `ja_JP` → `ja-JP`; anything that is not a BCP 47 tag → undefined. */
export function normaliseLanguage(value: string | undefined): string | undefined {
  const tag = value?.trim().replace(/_/g, '-');
  return tag && BCP47.test(tag) ? tag : undefined;
}

function firstElement(document: PageDocument, selector: string): PageElement | undefined {
  for (const element of document.querySelectorAll(selector)) return element;
  return undefined;
}

/** The page's own publication `<time>`: marked as such, else the first in the article, else the first. */
function timeDatetimes(document: PageDocument): (string | undefined)[] {
  return ['time[itemprop="datePublished"][datetime]', 'time[pubdate][datetime]', 'article time[datetime]', 'time[datetime]'].map(
    (selector) => firstElement(document, selector)?.getAttribute('datetime') ?? undefined,
  );
}

const PAYWALL_ELEMENT = '[class*="paywall"],[id*="paywall"],[class*="regwall"],[id*="regwall"],[class*="subscriber-only"],[class*="premium-wall"]';

const firstOf = <T>(values: (T | undefined)[]): T | undefined => values.find((v) => v !== undefined);

export function readPageMetadata(document: PageDocument): PageMetadata {
  const nodes = jsonLdNodes(document);
  const byId = new Map<string, JsonObject>();
  for (const node of nodes) if (typeof node['@id'] === 'string') byId.set(node['@id'], node);
  const article = articleNode(nodes) ?? {};
  const meta = metaContents(document);
  const og = (key: string): string | undefined => meta.get(key);

  const title = firstOf([jsonText(article['headline']), og('og:title')]);
  const publishedAt = firstOf(
    [typeof article['datePublished'] === 'string' ? article['datePublished'] : undefined, og('article:published_time'), ...timeDatetimes(document)].map(
      (value) => parseFeedDate(value),
    ),
  );
  const siteName = firstOf([publisherName(article['publisher'], byId), og('og:site_name')]);
  const language = firstOf(
    [jsonLanguage(article['inLanguage']), og('og:locale'), document.documentElement?.getAttribute('lang') ?? undefined].map(normaliseLanguage),
  );
  const accessibleForFree = jsonBoolean(article['isAccessibleForFree']);
  const contentTier = og('article:content_tier')?.toLowerCase();
  return {
    ...(title !== undefined ? { title } : {}),
    ...(publishedAt !== undefined ? { publishedAt } : {}),
    ...(siteName !== undefined ? { siteName } : {}),
    ...(language !== undefined ? { language } : {}),
    ...(accessibleForFree !== undefined ? { accessibleForFree } : {}),
    ...(contentTier !== undefined ? { contentTier } : {}),
    paywallElement: firstElement(document, PAYWALL_ELEMENT) !== undefined,
  };
}
