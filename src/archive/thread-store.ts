import { randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { IdentifiedEvent } from '../event/schema.js';
import { InputError } from '../errors/index.js';
import type { LinkDecision } from '../threads/context.js';
import { resolveThreadId } from './resolve-thread-id.js';
import { currentLink, insertLink } from './thread-links.js';
import { defaultLinker, type Linker } from './thread-linker.js';

/**
 * Thread membership: which thread each archived event is in, and every decision that put it there.
 * Assigning, merging and moving change only `threads`, `thread_events` and `thread_links`: runs,
 * desk results and syntheses are never rewritten (a run keeps the thread and memory it was given).
 */

/** `--thread ID` / a feed's `thread: <id>`, or `--new-thread` / `thread: new`. */
export type ThreadOverride = { threadId: string } | { newThread: true };

export interface AssignOptions {
  /** The linking engine; tests pass one with a fixed verdict. */
  linker?: Linker;
  /** New thread ids (`th-` + 10 random hex by default). */
  newId?: () => string;
}

const randomThreadId = (): string => `th-${randomBytes(5).toString('hex')}`;

/** The thread row for a story that starts with `title`; the id is retried on the (unlikely) clash. */
function createThread(db: Database, title: string, createdAt: string, eventAt: string, newId: () => string): string {
  const exists = db.prepare('SELECT 1 FROM threads WHERE id = ?').pluck();
  let id = newId();
  for (let tries = 0; exists.get(id) !== undefined; tries++) {
    if (tries > 20) throw new Error('could not find a free thread id');
    id = newId();
  }
  db.prepare('INSERT INTO threads (id, title, created_at, last_event_at) VALUES (?, ?, ?, ?)').run(id, title, createdAt, eventAt);
  return id;
}

function describeOverride(override: ThreadOverride): string {
  return 'newThread' in override ? 'a new thread' : `thread ${override.threadId}`;
}

/**
 * Puts `event` in a thread before its run starts, and says how. An event already in a thread (an
 * earlier run of the same event) stays there: method `existing`, and an override that asked for
 * another thread is noted in `detail.overrideIgnored` (moving is `assess threads move`). Otherwise
 * the override decides, else the linking engine (a new thread when nothing is similar enough).
 *
 * One IMMEDIATE transaction: two processes (a watcher and a `run`) assigning the same event cannot
 * both insert it, and the thread, membership, decision and linking features land together. The
 * event's time is its publication date, else `at`.
 */
export function assignThread(db: Database, event: IdentifiedEvent, at: string, override?: ThreadOverride, options: AssignOptions = {}): LinkDecision {
  const linker = options.linker ?? defaultLinker;
  const newId = options.newId ?? randomThreadId;
  return db.transaction((): LinkDecision => {
    const current = db.prepare('SELECT thread_id FROM thread_events WHERE event_id = ?').pluck().get(event.id) as string | undefined;
    if (current !== undefined) {
      const link = currentLink(db, event.id);
      const wanted = override && 'threadId' in override ? resolveThreadId(db, override.threadId).id : undefined;
      const ignored = override !== undefined && wanted !== current ? describeOverride(override) : undefined;
      return {
        threadId: current,
        method: 'existing',
        score: link?.score ?? null,
        runnerUp: link?.runnerUp ?? null,
        detail: {
          linkedBy: link?.method ?? null,
          linkedAt: link?.decidedAt ?? null,
          ...(ignored ? { overrideIgnored: ignored } : {}),
        },
        decidedAt: at,
      };
    }

    const eventAt = event.event.publishedAt ?? at;
    let decision: LinkDecision;
    if (override && 'newThread' in override) {
      const threadId = createThread(db, event.event.title, at, eventAt, newId);
      decision = { threadId, method: 'override-new', score: null, runnerUp: null, detail: {}, decidedAt: at };
    } else if (override) {
      const target = resolveThreadId(db, override.threadId);
      decision = {
        threadId: target.id,
        method: 'override',
        score: null,
        runnerUp: null,
        detail: target.note ? { requested: override.threadId, note: target.note } : {},
        decidedAt: at,
      };
    } else {
      const verdict = linker.decide(db, event, eventAt, new Date(at));
      const threadId = verdict.threadId ?? createThread(db, event.event.title, at, eventAt, newId);
      decision = {
        threadId,
        method: verdict.threadId === null ? 'new' : verdict.method,
        score: verdict.score,
        runnerUp: verdict.runnerUp,
        detail: verdict.detail,
        decidedAt: at,
      };
    }
    db.prepare('INSERT INTO thread_events (event_id, thread_id, title, summary, event_at, added_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      event.id,
      decision.threadId,
      event.event.title,
      event.event.summary,
      eventAt,
      at,
    );
    insertLink(db, event.id, decision);
    db.prepare('UPDATE threads SET last_event_at = MAX(last_event_at, ?) WHERE id = ?').run(eventAt, decision.threadId);
    linker.record(db, event.id, event.event);
    return decision;
  }).immediate();
}

export interface MergeResult {
  into: string;
  from: string;
  /** Events moved from `from` into `into`. */
  moved: number;
  /** Lines for the user: an id that named a merged thread, resolved. */
  notes: string[];
}

/**
 * Moves every event of thread `from` into thread `into` (B into A), one `merge` decision per event,
 * and marks `from` merged (its row stays, so its id still resolves). Merging a thread into itself,
 * or into a thread it already went to, is an InputError.
 */
export function mergeThreads(db: Database, into: string, from: string, at: string): MergeResult {
  return db.transaction((): MergeResult => {
    const target = resolveThreadId(db, into);
    const source = resolveThreadId(db, from);
    const notes = [target.note, source.note].filter((n): n is string => n !== null);
    if (target.id === source.id) {
      throw new InputError(
        source.note ? `cannot merge ${from} into ${into}: ${source.note.split(';')[0]} already` : `cannot merge thread ${target.id} into itself`,
      );
    }
    const events = db.prepare('SELECT event_id FROM thread_events WHERE thread_id = ? ORDER BY event_at, event_id').pluck().all(source.id) as string[];
    db.prepare('UPDATE thread_events SET thread_id = ? WHERE thread_id = ?').run(target.id, source.id);
    for (const eventId of events) {
      insertLink(db, eventId, { threadId: target.id, method: 'merge', score: null, runnerUp: null, detail: { from: source.id }, decidedAt: at });
    }
    db.prepare('UPDATE threads SET merged_into = ? WHERE id = ?').run(target.id, source.id);
    db.prepare('UPDATE threads SET last_event_at = MAX(last_event_at, (SELECT last_event_at FROM threads WHERE id = ?)) WHERE id = ?').run(
      source.id,
      target.id,
    );
    return { into: target.id, from: source.id, moved: events.length, notes };
  }).immediate();
}

export interface MoveResult {
  eventId: string;
  title: string;
  from: string;
  to: string;
  /** True when `to` was `new`: the thread was made for this event. */
  created: boolean;
  notes: string[];
}

/** Full event id from a full id or a unique prefix, among the events in threads. */
export function resolveThreadEventId(db: Database, idOrPrefix: string): string {
  const prefix = idOrPrefix.trim().toLowerCase();
  if (!/^[0-9a-z_-]{1,64}$/.test(prefix)) throw new InputError(`invalid event id ${JSON.stringify(idOrPrefix)}: expected hex digits, e.g. 6c1f0e`);
  const rows = db
    .prepare("SELECT event_id FROM thread_events WHERE event_id >= ? AND event_id < ? || '~' ORDER BY event_id LIMIT 3")
    .pluck()
    .all(prefix, prefix) as string[];
  if (rows.length === 0) throw new InputError(`unknown event ${idOrPrefix} (assess threads show lists a thread's events)`);
  if (rows.includes(prefix)) return prefix;
  if (rows.length > 1) throw new InputError(`event id prefix ${idOrPrefix} is ambiguous (${rows.join(', ')}…); give more characters`);
  return rows[0]!;
}

/**
 * Moves one event to another thread, or to a thread of its own (`to` = `new`), recording a `move`
 * decision. Moving it to the thread it is in is an InputError. The thread it leaves keeps its row
 * even when empty; its last event time follows the events it still has.
 */
export function moveEvent(db: Database, eventIdOrPrefix: string, to: string, at: string, options: Pick<AssignOptions, 'newId'> = {}): MoveResult {
  return db.transaction((): MoveResult => {
    const eventId = resolveThreadEventId(db, eventIdOrPrefix);
    const member = db.prepare('SELECT thread_id, title, event_at FROM thread_events WHERE event_id = ?').get(eventId) as {
      thread_id: string;
      title: string;
      event_at: string;
    };
    const notes: string[] = [];
    let target: string;
    const created = to.trim().toLowerCase() === 'new';
    if (created) {
      target = createThread(db, member.title, at, member.event_at, options.newId ?? randomThreadId);
    } else {
      const resolved = resolveThreadId(db, to);
      if (resolved.note) notes.push(resolved.note);
      target = resolved.id;
      if (target === member.thread_id) throw new InputError(`event ${eventId} is already in thread ${target}`);
    }
    db.prepare('UPDATE thread_events SET thread_id = ? WHERE event_id = ?').run(target, eventId);
    insertLink(db, eventId, { threadId: target, method: 'move', score: null, runnerUp: null, detail: { from: member.thread_id }, decidedAt: at });
    db.prepare('UPDATE threads SET last_event_at = MAX(last_event_at, ?) WHERE id = ?').run(member.event_at, target);
    const remaining = db.prepare('SELECT MAX(event_at) FROM thread_events WHERE thread_id = ?').pluck().get(member.thread_id) as string | null;
    if (remaining !== null) db.prepare('UPDATE threads SET last_event_at = ? WHERE id = ?').run(remaining, member.thread_id);
    return { eventId, title: member.title, from: member.thread_id, to: target, created, notes };
  }).immediate();
}
