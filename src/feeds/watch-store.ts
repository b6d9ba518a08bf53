import type { Database } from 'better-sqlite3';
import type { NewsEvent } from '../event/schema.js';
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

export function recordPollSuccess(
  db: Database,
  name: string,
  poll: { at: string; httpStatus: number; etag?: string | undefined; lastModified?: string | undefined; nextPollAt: string },
): void {
  db.prepare(
    `UPDATE feeds SET last_poll_at = ?, last_status = ?, last_error = NULL, consecutive_failures = 0, next_poll_at = ?,
      etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified) WHERE name = ?`,
  ).run(poll.at, poll.httpStatus, poll.nextPollAt, poll.etag ?? null, poll.lastModified ?? null, name);
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

/** Takes the oldest queued story for processing (queued → running), or nothing when the queue is empty. */
export function claimNextItem(db: Database, at: string): QueuedItem | undefined {
  const row = db
    .prepare(
      `UPDATE feed_items SET status = 'running', updated_at = ?
       WHERE id = (SELECT id FROM feed_items WHERE status = 'queued' ORDER BY id LIMIT 1)
       RETURNING id, feed, event_json, event_id, route_json, run_id`,
    )
    .get(at) as { id: number; feed: string; event_json: string; event_id: string; route_json: string; run_id: string | null } | undefined;
  if (!row) return undefined;
  return {
    id: row.id,
    feed: row.feed,
    event: JSON.parse(row.event_json) as NewsEvent,
    eventId: row.event_id,
    route: JSON.parse(row.route_json) as RouteDecision,
    runId: row.run_id,
  };
}

/** Remembers which run assesses the item before the run starts, so a crash can resume it. */
export function setItemRun(db: Database, id: number, runId: string): void {
  db.prepare('UPDATE feed_items SET run_id = ? WHERE id = ?').run(runId, id);
}

/** Done only once the run is archived; counts the item as assessed for its feed. */
export function finishItem(db: Database, id: number, at: string): void {
  db.transaction(() => {
    db.prepare("UPDATE feed_items SET status = 'done', updated_at = ? WHERE id = ?").run(at, id);
    db.prepare('UPDATE feeds SET items_assessed = items_assessed + 1 WHERE name = (SELECT feed FROM feed_items WHERE id = ?)').run(id);
  })();
}

/** Puts an item back at its place in the queue (shutdown before it finished). */
export function requeueItem(db: Database, id: number, at: string): void {
  db.prepare("UPDATE feed_items SET status = 'queued', updated_at = ? WHERE id = ?").run(at, id);
}

/** An item that keeps failing: skipped with the reason, so it stops costing model calls. */
export function setItemAside(db: Database, id: number, reason: string, at: string): void {
  db.transaction(() => {
    db.prepare("UPDATE feed_items SET status = 'skipped', skip_reason = ?, updated_at = ? WHERE id = ?").run(reason, at, id);
    db.prepare('UPDATE feeds SET items_skipped = items_skipped + 1 WHERE name = (SELECT feed FROM feed_items WHERE id = ?)').run(id);
  })();
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

/** After a crash: items left `running` go back to the queue (keeping their run id, so the run is resumed). */
export function requeueInterrupted(db: Database, at: string): number {
  return db.prepare("UPDATE feed_items SET status = 'queued', updated_at = ? WHERE status = 'running'").run(at).changes;
}

export function queueCounts(db: Database): { queued: number; running: number; done: number; skipped: number } {
  const rows = db.prepare('SELECT status, COUNT(*) AS n FROM feed_items GROUP BY status').all() as { status: string; n: number }[];
  const count = (s: string) => rows.find((r) => r.status === s)?.n ?? 0;
  return { queued: count('queued'), running: count('running'), done: count('done'), skipped: count('skipped') };
}

/** Stories waiting in the queue. */
export function queuedCount(db: Database): number {
  return db.prepare("SELECT COUNT(*) FROM feed_items WHERE status = 'queued'").pluck().get() as number;
}

/** Items being assessed right now (by this or another watcher process). */
export function runningItems(db: Database): { id: number; feed: string; title: string; runId: string | null; since: string }[] {
  return db
    .prepare("SELECT id, feed, title, run_id AS runId, updated_at AS since FROM feed_items WHERE status = 'running' ORDER BY id")
    .all() as { id: number; feed: string; title: string; runId: string | null; since: string }[];
}

/** Routing decisions and skips, newest first: what `feeds status` shows. */
export function recentDecisions(
  db: Database,
  limit: number,
): { id: number; feed: string; title: string; status: string; route: RouteDecision | null; skipReason: string | null; sources: number }[] {
  const rows = db
    .prepare('SELECT id, feed, title, status, route_json, skip_reason, sources_json FROM feed_items ORDER BY id DESC LIMIT ?')
    .all(limit) as { id: number; feed: string; title: string; status: string; route_json: string | null; skip_reason: string | null; sources_json: string }[];
  return rows.map((r) => ({
    id: r.id,
    feed: r.feed,
    title: r.title,
    status: r.status,
    route: r.route_json ? (JSON.parse(r.route_json) as RouteDecision) : null,
    skipReason: r.skip_reason,
    sources: (JSON.parse(r.sources_json) as ItemSource[]).length,
  }));
}
