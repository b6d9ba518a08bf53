import type { Database } from 'better-sqlite3';
import type { ThreadContext, ThreadRef } from '../threads/context.js';
import { linkInForceAt } from './thread-links.js';

/**
 * The thread a run was in, read back from its row. Checked by hand rather than with Zod: `runs
 * show` and `runs export` load this and stay free of zod's start-up cost.
 */

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The stored ThreadContext, or null when there is none or it cannot be read (the run then shows its thread from the tables). */
export function parseStoredContext(json: string | null): ThreadContext | null {
  if (json === null) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return null;
  }
  if (!isRecord(raw) || !isRecord(raw['thread']) || !isRecord(raw['memory']) || !Array.isArray(raw['evidence']) || !Array.isArray(raw['warnings'])) {
    return null;
  }
  const thread = raw['thread'];
  if (typeof thread['id'] !== 'string' || typeof thread['title'] !== 'string' || typeof thread['events'] !== 'number' || !isRecord(thread['link'])) {
    return null;
  }
  if (!raw['evidence'].every((e) => isRecord(e) && typeof e['id'] === 'string' && typeof e['summary'] === 'string')) return null;
  // Written by the recorder from a ThreadContext; the fields reports and resume rely on are checked above.
  return raw as unknown as ThreadContext;
}

/**
 * The ThreadRef of a run: from its stored context, else (a run archived before threads, whose
 * thread the upgrade made, or an unreadable context) from the thread tables as they were linked
 * when the run started. Undefined for a run in no thread.
 */
export function storedThreadRef(
  db: Database,
  row: { thread_id: string | null; event_id: string; started_at: string },
  context: ThreadContext | null,
): ThreadRef | undefined {
  if (context) return context.thread;
  if (row.thread_id === null) return undefined;
  const title = db.prepare('SELECT title FROM threads WHERE id = ?').pluck().get(row.thread_id) as string | undefined;
  const events = db.prepare('SELECT COUNT(*) FROM thread_events WHERE thread_id = ?').pluck().get(row.thread_id) as number;
  const link = linkInForceAt(db, row.event_id, row.started_at) ?? {
    threadId: row.thread_id,
    method: 'backfill' as const,
    score: null,
    runnerUp: null,
    detail: {},
    decidedAt: row.started_at,
  };
  return { id: row.thread_id, title: title ?? '', events, link };
}
