import type { Database } from 'better-sqlite3';
import { InputError } from '../errors/index.js';

export interface ResolvedThread {
  /** The thread the events are in now: the one asked for, or where it was merged to. */
  id: string;
  /** Set when the id given named a thread merged away: the line to tell the user. */
  note: string | null;
}

/**
 * Thread ids are `th-` and hex (new threads) or `th-` and the start of an event id (threads
 * backfilled from runs archived before threads), so anything of letters, digits and dashes is
 * accepted; `th-` may be left out, as people copy the hex part.
 */
const THREAD_ID = /^th-[0-9a-z_-]{1,64}$/;

/** Merges chain (A into B, B into C); a loop can only come from a hand-edited archive, so it is cut. */
const MAX_MERGE_HOPS = 100;

/**
 * A thread id or a unique prefix of one, as `resolveRunId` does for runs. A thread merged into
 * another resolves to the thread its events went to, with a note saying so (old reports keep
 * printing the old id). Unknown or ambiguous is an InputError of one line.
 */
export function resolveThreadId(db: Database, idOrPrefix: string): ResolvedThread {
  const trimmed = idOrPrefix.trim().toLowerCase();
  const asked = trimmed.startsWith('th-') ? trimmed : `th-${trimmed}`;
  if (!THREAD_ID.test(asked)) throw new InputError(`invalid thread id ${JSON.stringify(idOrPrefix)}: expected th- and hex digits, e.g. th-3f2a9c`);
  const rows = db
    .prepare("SELECT id FROM threads WHERE id >= ? AND id < ? || '~' ORDER BY id LIMIT 3")
    .pluck()
    .all(asked, asked) as string[];
  if (rows.length === 0) throw new InputError(`unknown thread ${idOrPrefix} (assess threads list shows them)`);
  let id = rows.includes(asked) ? asked : rows.length === 1 ? rows[0]! : undefined;
  if (id === undefined) {
    throw new InputError(`thread id prefix ${idOrPrefix} is ambiguous (${rows.join(', ')}…); give more characters`);
  }
  const mergedInto = db.prepare('SELECT merged_into FROM threads WHERE id = ?').pluck();
  const start = id;
  for (let hop = 0; hop < MAX_MERGE_HOPS; hop++) {
    const next = mergedInto.get(id) as string | null | undefined;
    if (next === null || next === undefined) break;
    id = next;
  }
  return { id, note: id === start ? null : `thread ${start} was merged into ${id}; using ${id}` };
}
