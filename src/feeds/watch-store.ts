import type { Database } from 'better-sqlite3';
import type { NewsEvent } from '../event/schema.js';
import { MAX_ITEM_ATTEMPTS, retryDelayMs } from './item-attempts.js';
import type { FeedConfig, RouteDecision } from './types.js';

/**
 * The watcher's state in the archive database: feeds (HTTP validators, poll times, errors,
 * counters), stories with every key they were seen under, and the persistent queue. Each
 * function is one small transaction, so a crash never leaves an item half-recorded.
 */

export interface FeedRow {
  name: string;
  url: string;
  etag: string | null;
  last_modified: string | null;
  last_poll_at: string | null;
  last_status: number | null;
  last_error: string | null;
  next_poll_at: string | null;
  consecutive_failures: number;
  items_seen: number;
  items_assessed: number;
  items_skipped: number;
  /** Set while the feed is read despite not being well-formed ("malformed XML: recovered 3 items (…)"). */
  parse_warning: string | null;
}

export interface ItemSource {
  feed: string;
  link: string | null;
  key: string;
  seenAt: string;
}

export interface QueuedItem {
  id: number;
  feed: string;
  event: NewsEvent;
  eventId: string;
  route: RouteDecision;
  runId: string | null;
  /** Attempts that ended without an assessment so far. */
  attempts: number;
}

/** Makes sure every configured feed has a row; a feed whose URL changed starts over (no stale ETag). */
export function ensureFeeds(db: Database, feeds: FeedConfig[]): void {
  const get = db.prepare('SELECT url FROM feeds WHERE name = ?').pluck();
  const insert = db.prepare('INSERT INTO feeds (name, url) VALUES (?, ?)');
  const reset = db.prepare(
    'UPDATE feeds SET url = ?, etag = NULL, last_modified = NULL, next_poll_at = NULL, consecutive_failures = 0 WHERE name = ?',
  );
  db.transaction(() => {
    for (const feed of feeds) {
      const url = get.get(feed.name) as string | undefined;
      if (url === undefined) insert.run(feed.name, feed.url);
      else if (url !== feed.url) reset.run(feed.url, feed.name);
    }
  })();
}

export function feedRow(db: Database, name: string): FeedRow | undefined {
  return db.prepare('SELECT * FROM feeds WHERE name = ?').get(name) as FeedRow | undefined;
}

export function feedRows(db: Database): FeedRow[] {
  return db.prepare('SELECT * FROM feeds ORDER BY name').all() as FeedRow[];
}

/**
 * A poll that got the feed (or a 304). `warning`: the document's parse warning, null when it was
 * well-formed; left as it was when undefined (a 304 re-reads nothing).
 */
export function recordPollSuccess(
  db: Database,
  name: string,
  poll: {
    at: string;
    httpStatus: number;
    etag?: string | undefined;
    lastModified?: string | undefined;
    nextPollAt: string;
    warning?: string | null | undefined;
  },
): void {
  db.prepare(
    `UPDATE feeds SET last_poll_at = ?, last_status = ?, last_error = NULL, consecutive_failures = 0, next_poll_at = ?,
      etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified),
      parse_warning = CASE WHEN ? THEN ? ELSE parse_warning END WHERE name = ?`,
  ).run(
    poll.at,
    poll.httpStatus,
    poll.nextPollAt,
    poll.etag ?? null,
    poll.lastModified ?? null,
    poll.warning === undefined ? 0 : 1,
    poll.warning ?? null,
    name,
  );
}

export function recordPollFailure(
  db: Database,
  name: string,
  poll: { at: string; httpStatus: number | undefined; error: string; nextPollAt: string },
): void {
  db.prepare(
    `UPDATE feeds SET last_poll_at = ?, last_status = ?, last_error = ?, consecutive_failures = consecutive_failures + 1,
      next_poll_at = ? WHERE name = ?`,
  ).run(poll.at, poll.httpStatus ?? null, poll.error, poll.nextPollAt, name);
}

/** The story already recorded under any of these keys, or with this canonical link. */
export function findKnownItem(db: Database, keys: string[], canonical: string | undefined): number | undefined {
  const byKey = db.prepare('SELECT item_id FROM feed_item_keys WHERE key = ?').pluck();
  for (const key of keys) {
    const id = byKey.get(key) as number | undefined;
    if (id !== undefined) return id;
  }
  if (canonical) {
    return db.prepare('SELECT id FROM feed_items WHERE canonical_link = ? ORDER BY id LIMIT 1').pluck().get(canonical) as
      | number
      | undefined;
  }
  return undefined;
}

/** Stories first seen since `since`, for spotting the same story under another title's wording. */
export function recentTitles(db: Database, since: string): { id: number; title: string }[] {
  return db.prepare('SELECT id, title FROM feed_items WHERE first_seen_at >= ? ORDER BY id').all(since) as {
    id: number;
    title: string;
  }[];
}

/** Records that a known story was seen again (another key, or another feed); returns whether the source is new. */
export function addSource(db: Database, itemId: number, source: ItemSource): boolean {
  return db.transaction(() => {
    db.prepare('INSERT OR IGNORE INTO feed_item_keys (key, item_id) VALUES (?, ?)').run(source.key, itemId);
    const sources = JSON.parse(
      db.prepare('SELECT sources_json FROM feed_items WHERE id = ?').pluck().get(itemId) as string,
    ) as ItemSource[];
    if (sources.some((s) => s.feed === source.feed && s.link === source.link)) return false;
    sources.push(source);
    db.prepare('UPDATE feed_items SET sources_json = ? WHERE id = ?').run(JSON.stringify(sources), itemId);
    return true;
  })();
}

export interface NewItem {
  feed: string;
  keys: string[];
  canonical: string | undefined;
  fingerprint: string;
  event: NewsEvent;
  eventId: string;
  textSource: 'feed' | 'article';
  source: ItemSource;
  at: string;
  /** Queued for assessment with this routing, or skipped with this reason. */
  outcome: { route: RouteDecision } | { skip: string; route?: RouteDecision };
}

/** A new story: recorded with all its keys, and either queued or skipped (with the reason). */
export function insertItem(db: Database, item: NewItem): number {
  return db.transaction(() => {
    const skipped = 'skip' in item.outcome;
    const { lastInsertRowid } = db
      .prepare(
        `INSERT INTO feed_items (feed, canonical_link, title_fingerprint, title, first_seen_at, sources_json, event_json, event_id,
          text_source, route_json, status, skip_reason, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        item.feed,
        item.canonical ?? null,
        item.fingerprint,
        item.event.title,
        item.at,
        JSON.stringify([item.source]),
        JSON.stringify(item.event),
        item.eventId,
        item.textSource,
        item.outcome.route ? JSON.stringify(item.outcome.route) : null,
        skipped ? 'skipped' : 'queued',
        'skip' in item.outcome ? item.outcome.skip : null,
        item.at,
      );
    const id = Number(lastInsertRowid);
    const key = db.prepare('INSERT OR IGNORE INTO feed_item_keys (key, item_id) VALUES (?, ?)');
    for (const k of item.keys) key.run(k, id);
    db.prepare(`UPDATE feeds SET items_seen = items_seen + 1${skipped ? ', items_skipped = items_skipped + 1' : ''} WHERE name = ?`).run(
      item.feed,
    );
    return id;
  })();
}

/**
 * Takes the oldest queued story that is due (queued → running), or nothing. An item waiting for
 * its next attempt is due once `next_attempt_at` has passed; with `triedBefore` (`watch --once`,
 * where the cron schedule spaces the attempts) it is due anyway unless it was already tried at or
 * after that instant, so one invocation tries each item at most once.
 */
export function claimNextItem(db: Database, at: string, options: { triedBefore?: string } = {}): QueuedItem | undefined {
  const row = db
    .prepare(
      `UPDATE feed_items SET status = 'running', updated_at = @at
       WHERE id = (SELECT id FROM feed_items WHERE status = 'queued'
         AND (next_attempt_at IS NULL OR next_attempt_at <= @at
           OR (@triedBefore IS NOT NULL AND (last_attempt_at IS NULL OR last_attempt_at < @triedBefore)))
         ORDER BY id LIMIT 1)
       RETURNING id, feed, event_json, event_id, route_json, run_id, attempts`,
    )
    .get({ at, triedBefore: options.triedBefore ?? null }) as
    | { id: number; feed: string; event_json: string; event_id: string; route_json: string; run_id: string | null; attempts: number }
    | undefined;
  if (!row) return undefined;
  return {
    id: row.id,
    feed: row.feed,
    event: JSON.parse(row.event_json) as NewsEvent,
    eventId: row.event_id,
    route: JSON.parse(row.route_json) as RouteDecision,
    runId: row.run_id,
    attempts: row.attempts,
  };
}

/** Remembers which run assesses the item before the run starts, so a crash can resume it. */
export function setItemRun(db: Database, id: number, runId: string): void {
  db.prepare('UPDATE feed_items SET run_id = ? WHERE id = ?').run(runId, id);
}

/**
 * Done: only for an item whose run is archived as an assessment (ok, or degraded with a
 * synthesis); counts it as assessed for its feed.
 */
export function finishItem(db: Database, id: number, at: string): void {
  db.transaction(() => {
    db.prepare("UPDATE feed_items SET status = 'done', last_error = NULL, next_attempt_at = NULL, updated_at = ? WHERE id = ?").run(at, id);
    db.prepare('UPDATE feeds SET items_assessed = items_assessed + 1 WHERE name = (SELECT feed FROM feed_items WHERE id = ?)').run(id);
  })();
}

/**
 * Puts an item back at its place in the queue, due at once and without counting an attempt: a
 * shutdown cut its run short, the daily budget stopped it, or the archive failed under it.
 */
export function requeueItem(db: Database, id: number, at: string): void {
  db.prepare("UPDATE feed_items SET status = 'queued', next_attempt_at = NULL, updated_at = ? WHERE id = ?").run(at, id);
}

/** Where an item stands after an attempt that did not assess it. */
export interface AttemptResult {
  status: 'queued' | 'failed';
  attempts: number;
  /** When it is tried again (null once failed). */
  nextAttemptAt: string | null;
}

/**
 * Records an attempt that ended without an assessment: the item goes back in the queue, due after
 * the backoff (`retryNow`: at once), or becomes `failed` with the reason once it has had
 * MAX_ITEM_ATTEMPTS. The item keeps its run id, so the next attempt continues that run.
 */
export function recordFailedAttempt(db: Database, id: number, failure: { at: Date; reason: string; retryNow?: boolean }): AttemptResult {
  return db.transaction((): AttemptResult => {
    const previous = db.prepare('SELECT attempts FROM feed_items WHERE id = ?').pluck().get(id) as number | undefined;
    const attempts = (previous ?? 0) + 1;
    const stamp = failure.at.toISOString();
    if (attempts >= MAX_ITEM_ATTEMPTS) {
      db.prepare(
        "UPDATE feed_items SET status = 'failed', attempts = ?, last_error = ?, last_attempt_at = ?, next_attempt_at = NULL, updated_at = ? WHERE id = ?",
      ).run(attempts, failure.reason, stamp, stamp, id);
      return { status: 'failed', attempts, nextAttemptAt: null };
    }
    const next = failure.retryNow ? stamp : new Date(failure.at.getTime() + retryDelayMs(attempts)).toISOString();
    db.prepare(
      "UPDATE feed_items SET status = 'queued', attempts = ?, last_error = ?, last_attempt_at = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?",
    ).run(attempts, failure.reason, stamp, next, stamp, id);
    return { status: 'queued', attempts, nextAttemptAt: next };
  })();
}

/** Fails an item at once (not worth retrying by itself); `assess feeds retry` requeues it. */
export function failItem(db: Database, id: number, failure: { at: Date; reason: string }): AttemptResult {
  const stamp = failure.at.toISOString();
  const row = db
    .prepare(
      `UPDATE feed_items SET status = 'failed', attempts = attempts + 1, last_error = ?, last_attempt_at = ?, next_attempt_at = NULL,
        updated_at = ? WHERE id = ? RETURNING attempts`,
    )
    .get(failure.reason, stamp, stamp, id) as { attempts: number };
  return { status: 'failed', attempts: row.attempts, nextAttemptAt: null };
}

/** A failed item as `feeds status` and `feeds retry` show it. */
export interface ItemAttention {
  id: number;
  feed: string;
  title: string;
  status: 'queued' | 'failed';
  attempts: number;
  lastError: string | null;
  lastAttemptAt: string | null;
  /** Queued items: when the next attempt is due. */
  nextAttemptAt: string | null;
  runId: string | null;
}

const ATTENTION_COLUMNS = `id, feed, title, status, attempts, last_error AS lastError, last_attempt_at AS lastAttemptAt,
  next_attempt_at AS nextAttemptAt, run_id AS runId`;

/** Items that failed for good, oldest first. */
export function failedItems(db: Database): ItemAttention[] {
  return db.prepare(`SELECT ${ATTENTION_COLUMNS} FROM feed_items WHERE status = 'failed' ORDER BY id`).all() as ItemAttention[];
}

/** Queued items whose earlier attempts failed (waiting for their next attempt, or due again), oldest first. */
export function retryingItems(db: Database): ItemAttention[] {
  return db
    .prepare(`SELECT ${ATTENTION_COLUMNS} FROM feed_items WHERE status = 'queued' AND attempts > 0 ORDER BY id`)
    .all() as ItemAttention[];
}

/** One item by id, with its status, or undefined. */
export function itemById(db: Database, id: number): (Omit<ItemAttention, 'status'> & { status: string }) | undefined {
  return db.prepare(`SELECT ${ATTENTION_COLUMNS} FROM feed_items WHERE id = ?`).get(id) as
    | (Omit<ItemAttention, 'status'> & { status: string })
    | undefined;
}

/**
 * `assess feeds retry`: failed items back in the queue, due at once, with a fresh set of attempts.
 * Only items still `failed` change (a concurrent retry is not applied twice); returns those.
 */
export function requeueFailedItems(db: Database, ids: number[], at: string): ItemAttention[] {
  return db.transaction(() => {
    const requeue = db.prepare(
      `UPDATE feed_items SET status = 'queued', attempts = 0, next_attempt_at = NULL, updated_at = ?
       WHERE id = ? AND status = 'failed' RETURNING ${ATTENTION_COLUMNS}`,
    );
    return ids.flatMap((id) => {
      const row = requeue.get(at, id) as ItemAttention | undefined;
      return row ? [row] : [];
    });
  })();
}

/** The earliest next attempt still in the future: when the watch loop must wake up for a retry. */
export function nextRetryAt(db: Database, after: string): string | undefined {
  return (
    (db.prepare("SELECT MIN(next_attempt_at) FROM feed_items WHERE status = 'queued' AND next_attempt_at > ?").pluck().get(after) as
      | string
      | null) ?? undefined
  );
}

/** A story skipped by one feed's filters, accepted by another feed: queued after all. */
export function queueSkippedItem(db: Database, id: number, route: RouteDecision, at: string): void {
  db.transaction(() => {
    db.prepare("UPDATE feed_items SET status = 'queued', skip_reason = NULL, route_json = ?, updated_at = ? WHERE id = ? AND status = 'skipped'").run(
      JSON.stringify(route),
      at,
      id,
    );
  })();
}

export function itemStatus(db: Database, id: number): { status: string; skipReason: string | null } {
  const row = db.prepare('SELECT status, skip_reason FROM feed_items WHERE id = ?').get(id) as { status: string; skip_reason: string | null };
  return { status: row.status, skipReason: row.skip_reason };
}

export interface QueueCounts {
  /** Queued and due: new stories, and retries whose wait is over. */
  queued: number;
  /** Queued, waiting for a next attempt that is not due yet. */
  retrying: number;
  running: number;
  done: number;
  skipped: number;
  failed: number;
}

/** Items per state at `at`; `queued` and `retrying` split the queued rows by whether they are due. */
export function queueCounts(db: Database, at: string): QueueCounts {
  const rows = db
    .prepare(
      `SELECT CASE WHEN status = 'queued' AND next_attempt_at > ? THEN 'retrying' ELSE status END AS state, COUNT(*) AS n
       FROM feed_items GROUP BY state`,
    )
    .all(at) as { state: string; n: number }[];
  const count = (s: string) => rows.find((r) => r.state === s)?.n ?? 0;
  return {
    queued: count('queued'),
    retrying: count('retrying'),
    running: count('running'),
    done: count('done'),
    skipped: count('skipped'),
    failed: count('failed'),
  };
}

/** Stories waiting in the queue (due or not). */
export function queuedCount(db: Database): number {
  return db.prepare("SELECT COUNT(*) FROM feed_items WHERE status = 'queued'").pluck().get() as number;
}

/** Items being assessed right now (by this or another watcher process). */
export function runningItems(db: Database): { id: number; feed: string; title: string; runId: string | null; since: string }[] {
  return db
    .prepare("SELECT id, feed, title, run_id AS runId, updated_at AS since FROM feed_items WHERE status = 'running' ORDER BY id")
    .all() as { id: number; feed: string; title: string; runId: string | null; since: string }[];
}

/** A recent item as `feeds status` lists it. */
export interface RecentItem {
  id: number;
  feed: string;
  title: string;
  status: string;
  route: RouteDecision | null;
  skipReason: string | null;
  sources: number;
  attempts: number;
  lastError: string | null;
}

/** Routing decisions, skips and failures, newest first: what `feeds status` shows. */
export function recentDecisions(db: Database, limit: number): RecentItem[] {
  const rows = db
    .prepare(
      `SELECT id, feed, title, status, route_json, skip_reason, sources_json, attempts, last_error
       FROM feed_items ORDER BY id DESC LIMIT ?`,
    )
    .all(limit) as {
    id: number;
    feed: string;
    title: string;
    status: string;
    route_json: string | null;
    skip_reason: string | null;
    sources_json: string;
    attempts: number;
    last_error: string | null;
  }[];
  return rows.map((r) => ({
    id: r.id,
    feed: r.feed,
    title: r.title,
    status: r.status,
    route: r.route_json ? (JSON.parse(r.route_json) as RouteDecision) : null,
    skipReason: r.skip_reason,
    sources: (JSON.parse(r.sources_json) as ItemSource[]).length,
    attempts: r.attempts,
    lastError: r.last_error,
  }));
}
