import type { Database } from 'better-sqlite3';
import type { AgentDefinition } from '../agents/definition.js';
import { CancelledError } from '../errors/index.js';
import { eventId } from '../event/event-id.js';
import { toNewsEvent } from '../event/parse-event-text.js';
import type { NewsEvent } from '../event/schema.js';
import { fetchArticleText } from './fetch-article.js';
import { fetchFeed } from './fetch-feed.js';
import { itemKey, similarTitles, titleFingerprint } from './item-key.js';
import { routeItem } from './route.js';
import { backoffDelay, nextPollAt } from './schedule.js';
import { FeedError, type FeedConfig, type FeedItem, type HttpOptions, type RouteDecision } from './types.js';
import {
  addSource,
  feedRow,
  findKnownItem,
  insertItem,
  itemStatus,
  queueSkippedItem,
  recentTitles,
  recordPollFailure,
  recordPollSuccess,
} from './watch-store.js';

/** Optional model triage: picks desks for an item, or none to skip it, with a reason. */
export type Triage = (item: FeedItem, desks: AgentDefinition[], signal: AbortSignal) => Promise<RouteDecision>;

export interface PollDeps {
  db: Database;
  desks: AgentDefinition[];
  http: HttpOptions;
  now: () => Date;
  triage?: Triage | undefined;
  /**
   * Runs the dedupe-then-record of one item with no other poll's in between. Needed because
   * handling can await (article fetch, triage) and feeds are polled concurrently: without it the
   * same story from two feeds could pass the "seen?" check twice.
   */
  exclusive?: <T>(work: () => Promise<T>) => Promise<T>;
  /** Longest story body assessed, in characters; longer ones are cut (head and tail kept) and the cut recorded. */
  maxEventChars?: number | undefined;
}

export interface PollResult {
  feed: string;
  ok: boolean;
  httpStatus?: number | undefined;
  notModified: boolean;
  error?: string;
  /** Stories seen for the first time, and what became of them. */
  queued: number;
  skipped: number;
  /** Items already known (same key, same canonical link, or the same headline within a day: see same-story.ts). */
  duplicates: number;
  nextPollAt: string;
  /** The feed was read although it was not well-formed: `malformed XML: recovered 1 item (…)`. */
  warning?: string;
}

/** Under this many characters a feed summary is "just a headline" worth replacing with the article. */
const SHORT_SUMMARY = 400;
const DAY_MS = 86_400_000;

function matchesAny(text: string, words: string[]): string | undefined {
  return words.find((w) => text.includes(w.toLowerCase()));
}

/** The event a story becomes; its tags say which feed it came from and whose text it carries. */
function toEvent(item: FeedItem, feed: FeedConfig, summary: string, textSource: 'feed' | 'article'): NewsEvent {
  const httpLink = item.link && /^https?:\/\//i.test(item.link) ? item.link : undefined;
  return {
    title: item.title,
    summary,
    ...(item.publishedAt ? { publishedAt: item.publishedAt } : {}),
    source: { name: feed.name, ...(/^https?:\/\//i.test(feed.url) ? { url: feed.url } : {}) },
    ...(httpLink ? { url: httpLink } : {}),
    tags: [feed.name, textSource === 'article' ? 'text:article' : 'text:feed'],
  };
}

/**
 * Polls one feed: conditional GET, parse, and for each item (at most maxItemsPerPoll, oldest
 * first) dedupe against everything seen before, apply the feed's filters, route to desks and
 * queue it. Never throws for a feed's own trouble: the error is recorded on the feed, which backs
 * off, and the caller goes on with the other feeds.
 */
export async function pollFeed(deps: PollDeps, feed: FeedConfig): Promise<PollResult> {
  const { db, now } = deps;
  const at = now();
  const stamp = at.toISOString();
  const row = feedRow(db, feed.name);
  const validators = { ...(row?.etag ? { etag: row.etag } : {}), ...(row?.last_modified ? { lastModified: row.last_modified } : {}) };

  let fetched;
  try {
    fetched = await fetchFeed(feed.url, validators, deps.http);
  } catch (error) {
    if (error instanceof CancelledError || deps.http.signal.aborted) {
      // Shutting down is not the feed's fault: no failure, no backoff; it is polled at the next start.
      return { feed: feed.name, ok: true, notModified: false, queued: 0, skipped: 0, duplicates: 0, nextPollAt: row?.next_poll_at ?? stamp };
    }
    const failures = (row?.consecutive_failures ?? 0) + 1;
    const next = new Date(at.getTime() + backoffDelay(failures, feed.schedule)).toISOString();
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    const httpStatus = error instanceof FeedError ? error.httpStatus : undefined;
    recordPollFailure(db, feed.name, { at: stamp, httpStatus, error: message, nextPollAt: next });
    return { feed: feed.name, ok: false, httpStatus, notModified: false, error: message, queued: 0, skipped: 0, duplicates: 0, nextPollAt: next };
  }

  const next = nextPollAt(feed.schedule, at).toISOString();
  const result: PollResult = {
    feed: feed.name,
    ok: true,
    httpStatus: fetched.httpStatus,
    notModified: fetched.notModified,
    queued: 0,
    skipped: 0,
    duplicates: 0,
    nextPollAt: next,
    ...(!fetched.notModified && fetched.warning ? { warning: fetched.warning } : {}),
  };
  if (!fetched.notModified) {
    // Feeds list newest first; the newest N, queued oldest first so the queue stays chronological.
    const items = fetched.items
      .slice(0, feed.maxItemsPerPoll)
      .map((item, index) => ({ item, index }))
      .sort((a, b) => (a.item.publishedAt ?? '').localeCompare(b.item.publishedAt ?? '') || b.index - a.index)
      .map((x) => x.item);
    const since = new Date(at.getTime() - DAY_MS).toISOString();
    const exclusive = deps.exclusive ?? (<T>(work: () => Promise<T>) => work());
    for (const item of items) {
      if (deps.http.signal.aborted) break;
      await exclusive(() => handleItem(deps, feed, item, stamp, since, result));
    }
  }
  if (deps.http.signal.aborted) {
    // Stopped part-way: keep the old validators and schedule, so the next start fetches the feed
    // again in full and handles the items this poll did not reach (those it did are deduped).
    return { ...result, nextPollAt: row?.next_poll_at ?? stamp };
  }
  recordPollSuccess(db, feed.name, {
    at: stamp,
    httpStatus: fetched.httpStatus,
    etag: fetched.etag,
    lastModified: fetched.lastModified,
    nextPollAt: next,
    // A 304 says nothing new about the document, so its warning (or none) stands.
    warning: fetched.notModified ? undefined : (fetched.warning ?? null),
  });
  return result;
}

/**
 * An item with no title and neither a link nor a guid: nothing says what story it is or where it
 * came from (its "title" would be the start of whatever text it has), so it is recorded as
 * skipped, never assessed.
 */
const unidentified = (item: FeedItem): boolean => item.titleFromSummary === true && !item.link && !item.guid;
const UNIDENTIFIED = 'no title, link or guid: nothing identifies the story';

const FILTER_SKIP = /^(excluded by filter|matches none of include)/;
const isFilterSkip = (reason: string | null): boolean => reason !== null && FILTER_SKIP.test(reason);

function routeFor(deps: PollDeps, feed: FeedConfig, item: FeedItem): Promise<RouteDecision> {
  return deps.triage && feed.agents === 'auto' ? deps.triage(item, deps.desks, deps.http.signal) : Promise.resolve(routeItem(item, deps.desks, feed.agents));
}

async function handleItem(deps: PollDeps, feed: FeedConfig, item: FeedItem, stamp: string, since: string, result: PollResult): Promise<void> {
  const { db } = deps;
  const identity = itemKey(item);
  const canonical = identity.canonical;
  // A guid that is not a URL is only unique within its own feed.
  const key = identity.key.startsWith('guid:') && !/^guid:https?:/i.test(identity.key) ? `${feed.name}|${identity.key}` : identity.key;
  // Also index the story by its link, so the same link arriving with another guid is recognised.
  const keys = canonical && key !== `link:${canonical}` ? [key, `link:${canonical}`] : [key];
  const source = { feed: feed.name, link: item.link ?? null, key, seenAt: stamp };

  const text = `${item.title}\n${item.summary}`.toLowerCase();
  const excluded = matchesAny(text, feed.exclude);
  const missing = feed.include.length > 0 && !matchesAny(text, feed.include);

  const known = findKnownItem(db, keys, canonical) ?? recentTitles(db, since).find((r) => similarTitles(r.title, item.title))?.id;
  if (known !== undefined) {
    for (const k of keys) addSource(db, known, { ...source, key: k });
    // Filters belong to each feed: a story one feed filtered out is assessed if this feed accepts it.
    const previous = itemStatus(db, known);
    if (!excluded && !missing && previous.status === 'skipped' && isFilterSkip(previous.skipReason)) {
      const route = await routeFor(deps, feed, item);
      if (route.agents.length > 0) {
        queueSkippedItem(db, known, route, stamp);
        result.queued++;
        return;
      }
    }
    result.duplicates++;
    return;
  }

  let summary = item.summary;
  let textSource: 'feed' | 'article' = 'feed';
  if (!excluded && !missing && feed.fetchArticle && item.link && item.summary.length < SHORT_SUMMARY) {
    const article = await fetchArticleText(item.link, deps.http);
    if (article) {
      summary = article;
      textSource = 'article';
    }
  }
  // Feed text is as untrusted as any event: the same cleaning and size cap apply.
  let event: NewsEvent;
  let invalid: string | undefined;
  try {
    event = toNewsEvent(toEvent(item, feed, summary, textSource), `feed ${feed.name}`, deps.maxEventChars !== undefined ? { maxChars: deps.maxEventChars } : {});
  } catch (error) {
    invalid = error instanceof Error ? error.message : String(error);
    event = toEvent({ ...item, title: item.title.trim() || '(untitled)' }, feed, '', textSource);
  }

  let outcome: { route: RouteDecision } | { skip: string; route?: RouteDecision };
  if (unidentified(item)) outcome = { skip: UNIDENTIFIED };
  else if (invalid !== undefined) outcome = { skip: `not a usable event: ${invalid}` };
  else if (excluded) outcome = { skip: `excluded by filter "${excluded}"` };
  else if (missing) outcome = { skip: `matches none of include [${feed.include.join(', ')}]` };
  else {
    const route = await routeFor(deps, feed, item);
    outcome = route.agents.length > 0 ? { route } : { skip: `no desk to assess it: ${route.reason}`, route };
  }
  insertItem(db, {
    feed: feed.name,
    keys,
    canonical,
    fingerprint: titleFingerprint(item.title),
    event,
    eventId: eventId(event),
    textSource,
    source,
    at: stamp,
    outcome,
  });
  if ('skip' in outcome) result.skipped++;
  else result.queued++;
}
