import { DetectError, MalformedError, ParseError, parseFeed } from 'feedsmith';
import { parseFeedDate } from './feed-date.js';
import { htmlToText } from './html-text.js';
import { FeedError, type FeedFormat, type FeedItem } from './types.js';
import { xmlProblem } from './xml-wellformed.js';

/**
 * Feed text → normalised items. feedsmith detects and parses RSS 2.0, RSS 1.0 (RDF), Atom and JSON
 * Feed into objects that mirror each format; this maps them onto `FeedItem`: titles and summaries
 * as plain text, links absolute (xml:base, then the feed URL), dates ISO UTC, guids trimmed.
 */

// Item types as parseFeed returns them (its exported RssFeed.Item<string> etc. differ in nested
// generics — e.g. `atom.source.updated: unknown` — so they are derived from the result instead).
type AnyParsed = ReturnType<typeof parseFeed<string>>;
type FeedOf<F extends FeedFormat> = Extract<AnyParsed, { format: F }>['feed'];
type RssItem = NonNullable<FeedOf<'rss'>['items']>[number];
type RdfItem = NonNullable<FeedOf<'rdf'>['items']>[number];
type AtomEntry = NonNullable<FeedOf<'atom'>['entries']>[number];
type JsonItem = NonNullable<FeedOf<'json'>['items']>[number];

export interface ParsedFeed {
  format: FeedFormat;
  title?: string;
  items: FeedItem[];
  /** Set when the XML was not well-formed and these items are what could be recovered. */
  warning?: string;
}

/**
 * A hard ceiling against pathological items (the body is already capped at 5 MiB per fetch).
 * Ordinary long items are not cut here: the event size cap does that, head and tail, and records
 * the cut on the event, so nothing is shortened silently.
 */
export const MAX_SUMMARY_CHARS = 1_000_000;
/** An untitled item is titled with the start of its summary, up to this many characters. */
const UNTITLED_TITLE_CHARS = 100;

/** Cuts text to at most `max` characters, at a word boundary when one is near, marking the cut. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const slice = text.slice(0, max - 1);
  const space = slice.search(/\s\S*$/);
  return `${(space > max * 0.6 ? slice.slice(0, space) : slice).trimEnd()}…`;
}

/** Plain text on one line (titles, authors). */
function oneLine(html: string | undefined): string {
  return html ? htmlToText(html).replace(/\s+/g, ' ').trim() : '';
}

/** The longer of the candidates' plain text (content:encoded usually beats description). */
function longestText(candidates: (string | undefined)[]): string {
  let best = '';
  for (const candidate of candidates) {
    if (!candidate) continue;
    const text = htmlToText(candidate);
    if (text.length > best.length) best = text;
  }
  return cut(best, MAX_SUMMARY_CHARS);
}

/** Base URL after applying each xml:base in turn (outermost first); invalid ones are skipped. */
function resolveBase(feedUrl: string, bases: (string | undefined)[]): string | undefined {
  let base: string | undefined;
  try {
    base = new URL(feedUrl).href;
  } catch {
    base = undefined;
  }
  for (const b of bases) {
    if (!b) continue;
    try {
      base = new URL(b, base).href;
    } catch {
      // An unusable xml:base leaves the base as it was.
    }
  }
  return base;
}

/** An absolute http(s) URL, or undefined (javascript:, mailto:, unresolvable relatives…). */
function absoluteLink(href: string | undefined, base: string | undefined): string | undefined {
  const trimmed = href?.trim();
  if (!trimmed) return undefined;
  try {
    const url = new URL(trimmed, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function firstDate(...values: (string | undefined)[]): string | undefined {
  for (const value of values) {
    const parsed = parseFeedDate(value);
    if (parsed) return parsed;
  }
  return undefined;
}

function trimmed(value: string | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  return text.length > 0 ? text : undefined;
}

/** Assembles a FeedItem; undefined when it has neither a title nor a summary. */
function makeItem(raw: {
  title: string | undefined;
  summaries: (string | undefined)[];
  link: string | undefined;
  guid: string | number | undefined;
  dates: (string | undefined)[];
  author: string | undefined;
}): FeedItem | undefined {
  const summary = longestText(raw.summaries);
  let title = oneLine(raw.title);
  const titleFromSummary = !title;
  if (!title) title = cut(summary.replace(/\s+/g, ' '), UNTITLED_TITLE_CHARS);
  if (!title) return undefined;
  const item: FeedItem = { title, summary };
  if (titleFromSummary) item.titleFromSummary = true;
  const guid = trimmed(raw.guid);
  if (guid) item.guid = guid;
  if (raw.link) item.link = raw.link;
  const publishedAt = firstDate(...raw.dates);
  if (publishedAt) item.publishedAt = publishedAt;
  const author = oneLine(raw.author);
  if (author) item.author = author;
  return item;
}

function personName(person: { name?: string; email?: string } | undefined): string | undefined {
  return person?.name ?? person?.email;
}

/** Atom's `rel="alternate"` link (the default rel), else the first link. */
function atomLink(links: { href?: string; rel?: string }[] | undefined): string | undefined {
  if (!links || links.length === 0) return undefined;
  const alternate = links.find((l) => l.href && (l.rel === undefined || l.rel.toLowerCase() === 'alternate'));
  return (alternate ?? links.find((l) => l.href))?.href;
}

function looksLikeUrl(text: string | undefined): boolean {
  return !!text && /^https?:\/\//i.test(text.trim());
}

function rssItem(item: RssItem, feedBase: string | undefined): FeedItem | undefined {
  const base = resolveBase(feedBase ?? '', [item.xml?.base]);
  const guid = item.guid?.value;
  // A permalink guid (the default) is the item's URL when the item has no <link>.
  const permalink = item.guid?.isPermaLink !== false && looksLikeUrl(guid) ? guid : undefined;
  return makeItem({
    title: item.title ?? item.dc?.titles?.[0],
    summaries: [item.description, item.content?.encoded, item.dc?.descriptions?.[0]],
    link: absoluteLink(item.link ?? atomLink(item.atom?.links) ?? permalink, base),
    guid,
    dates: [item.pubDate, ...(item.dc?.dates ?? []), ...(item.dcterms?.issued ?? []), ...(item.dcterms?.created ?? []), item.atom?.published, item.atom?.updated],
    author: personName(item.authors?.[0]) ?? item.dc?.creators?.[0],
  });
}

function rdfItem(item: RdfItem, feedBase: string | undefined): FeedItem | undefined {
  const base = resolveBase(feedBase ?? '', [item.xml?.base]);
  return makeItem({
    title: item.title ?? item.dc?.titles?.[0],
    summaries: [item.description, item.content?.encoded, item.dc?.descriptions?.[0]],
    link: absoluteLink(item.link ?? item.rdf?.about, base),
    // rdf:about is RSS 1.0's item identifier (usually the link).
    guid: item.rdf?.about,
    dates: [...(item.dc?.dates ?? []), ...(item.dcterms?.issued ?? []), ...(item.dcterms?.created ?? [])],
    author: item.dc?.creators?.[0],
  });
}

function atomEntry(entry: AtomEntry, feedBase: string | undefined, feedAuthor: string | undefined): FeedItem | undefined {
  const base = resolveBase(feedBase ?? '', [entry.xml?.base]);
  return makeItem({
    title: entry.title?.value,
    // Out-of-line content (content@src) has no text here.
    summaries: [entry.summary?.value, entry.content?.src ? undefined : entry.content?.value],
    link: absoluteLink(atomLink(entry.links), base),
    guid: entry.id,
    dates: [entry.published, entry.updated, ...(entry.dc?.dates ?? [])],
    author: personName(entry.authors?.[0]) ?? entry.dc?.creators?.[0] ?? feedAuthor,
  });
}

function jsonItem(item: JsonItem, base: string | undefined, feedAuthor: string | undefined): FeedItem | undefined {
  return makeItem({
    title: item.title,
    summaries: [item.summary, item.content_text, item.content_html],
    link: absoluteLink(item.url ?? item.external_url, base),
    guid: item.id,
    dates: [item.date_published, item.date_modified],
    author: personName(item.authors?.[0]) ?? feedAuthor,
  });
}

function compact(items: (FeedItem | undefined)[]): FeedItem[] {
  return items.filter((item): item is FeedItem => item !== undefined);
}

/** One line, bounded, for error messages. */
function brief(text: string, max = 160): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** True when the text starts like an HTML document (after an optional prolog, comments, whitespace). */
function looksLikeHtml(text: string): boolean {
  const head = text.slice(0, 2048).replace(/^\uFEFF/, '');
  return /^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*(?:<!doctype\s+html[\s>]|<html[\s>])/i.test(head);
}

function failure(text: string, error: unknown): FeedError {
  const cause = error;
  if (error instanceof MalformedError) {
    const reason = error.cause instanceof Error ? error.cause.message : error.message;
    return new FeedError(`malformed feed: ${brief(reason)}`, { retryable: false, cause });
  }
  if (error instanceof ParseError) {
    return new FeedError(`malformed feed: ${brief(error.message).toLowerCase()}`, { retryable: false, cause });
  }
  if (error instanceof DetectError) {
    if (/<(?:html|body|head|div|p)[\s>]/i.test(text.slice(0, 4096))) {
      return new FeedError('not a feed: looks like an HTML page', { retryable: false, cause });
    }
    const start = text.trimStart();
    if (start.startsWith('{') || start.startsWith('[')) {
      try {
        JSON.parse(start);
        return new FeedError('not a feed: JSON but not a JSON Feed', { retryable: false, cause });
      } catch (jsonError) {
        const reason = jsonError instanceof Error ? jsonError.message : String(jsonError);
        return new FeedError(`malformed feed: invalid JSON (${brief(reason)})`, { retryable: false, cause });
      }
    }
    if (start.startsWith('<')) return new FeedError('not a feed: XML but not RSS, RSS 1.0 or Atom', { retryable: false, cause });
    return new FeedError('not a feed: unrecognised format', { retryable: false, cause });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new FeedError(`malformed feed: ${brief(reason)}`, { retryable: false, cause });
}

/** `malformed XML: recovered 1 item (<channel>, <rss> never closed (document cut off?))` */
function recoveredWarning(problem: string, items: number): string {
  return `malformed XML: recovered ${items} item${items === 1 ? '' : 's'} (${problem})`;
}

/**
 * Parses feed text (already decoded) into items. Throws FeedError (never retryable): `not a feed:
 * …` for HTML pages and anything that is not a recognisable feed, `malformed feed: …` for broken
 * XML/JSON that yields nothing. An XML feed that is not well-formed but from which items could
 * still be read is returned with a `warning` saying so.
 */
export function parseFeedText(text: string, feedUrl: string): ParsedFeed {
  const parsed = parseItems(text, feedUrl);
  if (parsed.format === 'json') return parsed;
  const problem = xmlProblem(text.replace(/^\uFEFF/, ''));
  return problem === null ? parsed : { ...parsed, warning: recoveredWarning(problem, parsed.items.length) };
}

function parseItems(text: string, feedUrl: string): ParsedFeed {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim().length === 0) throw new FeedError('not a feed: empty body', { retryable: false });
  if (looksLikeHtml(body)) throw new FeedError('not a feed: looks like an HTML page', { retryable: false });

  let parsed: AnyParsed;
  try {
    parsed = parseFeed<string>(body);
  } catch (error) {
    throw failure(body, error);
  }

  switch (parsed.format) {
    case 'rss': {
      const feed = parsed.feed;
      const base = resolveBase(feedUrl, [feed.xml?.base]);
      const title = oneLine(feed.title) || undefined;
      return { format: 'rss', ...(title ? { title } : {}), items: compact((feed.items ?? []).map((i) => rssItem(i, base))) };
    }
    case 'rdf': {
      const feed = parsed.feed;
      const base = resolveBase(feedUrl, [feed.xml?.base]);
      const title = oneLine(feed.title) || undefined;
      return { format: 'rdf', ...(title ? { title } : {}), items: compact((feed.items ?? []).map((i) => rdfItem(i, base))) };
    }
    case 'atom': {
      const feed = parsed.feed;
      const base = resolveBase(feedUrl, [feed.xml?.base]);
      const title = oneLine(feed.title?.value) || undefined;
      const author = personName(feed.authors?.[0]);
      return { format: 'atom', ...(title ? { title } : {}), items: compact((feed.entries ?? []).map((e) => atomEntry(e, base, author))) };
    }
    case 'json': {
      const feed = parsed.feed;
      const base = resolveBase(feedUrl, []);
      const title = oneLine(feed.title) || undefined;
      const author = personName(feed.authors?.[0]);
      return { format: 'json', ...(title ? { title } : {}), items: compact((feed.items ?? []).map((i) => jsonItem(i, base, author))) };
    }
  }
}
