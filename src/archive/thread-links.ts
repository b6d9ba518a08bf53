import type { Database } from 'better-sqlite3';
import type { LinkDecision, LinkMethod } from '../threads/context.js';

/**
 * `thread_links`: every decision that put an event in a thread, in the order made. Rows are only
 * ever added (a move or merge is a new row), so the history `threads show` prints is what happened.
 */

export interface LinkRow {
  event_id: string;
  thread_id: string;
  method: string;
  score: number | null;
  runner_up_thread_id: string | null;
  runner_up_score: number | null;
  detail_json: string;
  decided_at: string;
}

const LINK_COLUMNS = 'event_id, thread_id, method, score, runner_up_thread_id, runner_up_score, detail_json, decided_at';

/** Records one decision for `eventId`. */
export function insertLink(db: Database, eventId: string, decision: LinkDecision): void {
  db.prepare(`INSERT INTO thread_links (${LINK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(
    eventId,
    decision.threadId,
    decision.method,
    decision.score,
    decision.runnerUp?.threadId ?? null,
    decision.runnerUp?.score ?? null,
    JSON.stringify(decision.detail),
    decision.decidedAt,
  );
}

function detailOf(json: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(json);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    // A damaged detail loses only the explanation, never the decision itself.
    return {};
  }
}

export function linkFromRow(row: LinkRow): LinkDecision {
  return {
    threadId: row.thread_id,
    // Written only by this module from LinkMethod values (or by migration 7: 'backfill').
    method: row.method as LinkMethod,
    score: row.score,
    runnerUp: row.runner_up_thread_id === null ? null : { threadId: row.runner_up_thread_id, score: row.runner_up_score ?? 0 },
    detail: detailOf(row.detail_json),
    decidedAt: row.decided_at,
  };
}

/** The decision in force for an event (its latest), or undefined for an event in no thread. */
export function currentLink(db: Database, eventId: string): LinkDecision | undefined {
  const row = db.prepare(`SELECT ${LINK_COLUMNS} FROM thread_links WHERE event_id = ? ORDER BY id DESC LIMIT 1`).get(eventId) as LinkRow | undefined;
  return row ? linkFromRow(row) : undefined;
}

/**
 * The decision that was in force at `at` (the latest made by then), else the event's first one:
 * what a run started at `at` was linked by.
 */
export function linkInForceAt(db: Database, eventId: string, at: string): LinkDecision | undefined {
  const row = (db
    .prepare(`SELECT ${LINK_COLUMNS} FROM thread_links WHERE event_id = ? AND decided_at <= ? ORDER BY id DESC LIMIT 1`)
    .get(eventId, at) ??
    db.prepare(`SELECT ${LINK_COLUMNS} FROM thread_links WHERE event_id = ? ORDER BY id LIMIT 1`).get(eventId)) as LinkRow | undefined;
  return row ? linkFromRow(row) : undefined;
}

/** Every decision about each of `eventIds`, oldest first. */
export function linkHistory(db: Database, eventIds: readonly string[]): Map<string, LinkDecision[]> {
  const history = new Map<string, LinkDecision[]>();
  const select = db.prepare(`SELECT ${LINK_COLUMNS} FROM thread_links WHERE event_id = ? ORDER BY id`);
  for (const eventId of eventIds) history.set(eventId, (select.all(eventId) as LinkRow[]).map(linkFromRow));
  return history;
}
