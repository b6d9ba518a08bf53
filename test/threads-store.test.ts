import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listThreads } from '../src/archive/list-threads.js';
import { resolveThreadId } from '../src/archive/resolve-thread-id.js';
import { assignThread, mergeThreads, moveEvent } from '../src/archive/thread-store.js';
import { loadThreadView } from '../src/archive/thread-view.js';
import { InputError } from '../src/errors/index.js';
import { tempDir } from './support/archive-fixtures.js';
import { archivedRows, deskAssessment, fixedLinker, insertRun, openTestArchive, putInThread, riskView, testEvent } from './support/thread-store-fixtures.js';

/**
 * The thread store (src/archive/thread-store.ts and its read models): every event in exactly one
 * thread, every decision recorded, merges and moves that never touch archived runs.
 */

let work: { dir: string; cleanup: () => void };
let db: Database;
beforeEach(() => {
  work = tempDir('threads-store');
  db = openTestArchive(work.dir);
});
afterEach(() => {
  db.close();
  work.cleanup();
});

const AT = '2025-10-01T00:00:00.000Z';

function inputError(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected an InputError');
}

const membership = () => db.prepare('SELECT event_id, thread_id FROM thread_events ORDER BY event_id').all();
const links = (eventId: string) =>
  db.prepare('SELECT thread_id, method, score, runner_up_thread_id, detail_json FROM thread_links WHERE event_id = ? ORDER BY id').all(eventId) as {
    thread_id: string;
    method: string;
    score: number | null;
    runner_up_thread_id: string | null;
    detail_json: string;
  }[];

describe('assignThread', () => {
  it('starts a thread for an event nothing matches, with an id th- and 10 hex, its title and the event time', () => {
    const event = testEvent('Japan unveils $550B facility', '2025-09-26T00:00:00.000Z');
    const decision = assignThread(db, event, AT, undefined, { linker: fixedLinker(null) });
    expect(decision).toMatchObject({ method: 'new', score: null, runnerUp: null, decidedAt: AT });
    expect(decision.threadId).toMatch(/^th-[0-9a-f]{10}$/);
    expect(db.prepare('SELECT id, title, created_at, last_event_at, merged_into FROM threads').all()).toEqual([
      { id: decision.threadId, title: 'Japan unveils $550B facility', created_at: AT, last_event_at: '2025-09-26T00:00:00.000Z', merged_into: null },
    ]);
    expect(db.prepare('SELECT event_id, thread_id, title, summary, event_at, added_at FROM thread_events').get()).toEqual({
      event_id: event.id,
      thread_id: decision.threadId,
      title: event.event.title,
      summary: event.event.summary,
      event_at: '2025-09-26T00:00:00.000Z',
      added_at: AT,
    });
    expect(links(event.id)).toEqual([{ thread_id: decision.threadId, method: 'new', score: null, runner_up_thread_id: null, detail_json: '{}' }]);
  });

  it('joins the thread the linker picks, recording the score, what it beat and the detail; an undated event is dated by `at`', () => {
    const first = testEvent('Facility', '2025-09-26T00:00:00.000Z');
    const threadId = putInThread(db, first, null).threadId;
    const next = testEvent('First loan', undefined);
    const decision = assignThread(db, next, '2025-10-03T00:00:00.000Z', undefined, { linker: fixedLinker(threadId) });
    expect(decision).toMatchObject({ threadId, method: 'similarity', score: 0.5, runnerUp: { threadId: 'th-other00000', score: 0.2 }, detail: { cosine: 0.6 } });
    expect(links(next.id)).toEqual([{ thread_id: threadId, method: 'similarity', score: 0.5, runner_up_thread_id: 'th-other00000', detail_json: '{"cosine":0.6}' }]);
    expect(db.prepare('SELECT last_event_at FROM threads WHERE id = ?').pluck().get(threadId)).toBe('2025-10-03T00:00:00.000Z');
    // An older event joining later does not move the thread's last event back.
    putInThread(db, testEvent('Background', '2025-09-01T00:00:00.000Z'), threadId);
    expect(db.prepare('SELECT last_event_at FROM threads WHERE id = ?').pluck().get(threadId)).toBe('2025-10-03T00:00:00.000Z');
  });

  it('links with the real engine: a close follow-up joins, an unrelated story starts its own thread, and features are recorded', () => {
    const facility = testEvent(
      'Japan creates JBIC facility for $550 billion U.S. investment package',
      '2025-09-26T00:00:00.000Z',
      'Japan’s Ministry of Finance announced a JBIC facility to channel $550 billion of Japanese investment into U.S. projects under the tariff agreement with Washington.',
    );
    const followUp = testEvent(
      'JBIC facility signs first loan under $550 billion Japan U.S. investment package',
      '2025-10-10T00:00:00.000Z',
      'The JBIC facility created by Japan’s Ministry of Finance signed its first loan for U.S. projects under the $550 billion investment package agreed with Washington.',
    );
    const unrelated = testEvent('Brazil coffee harvest hit by frost', '2025-10-11T00:00:00.000Z', 'Frost in Minas Gerais damaged arabica coffee plantations ahead of the harvest.');
    const first = assignThread(db, facility, AT);
    const second = assignThread(db, followUp, AT);
    const third = assignThread(db, unrelated, AT);
    expect(first.method).toBe('new');
    expect(second).toMatchObject({ threadId: first.threadId, method: 'similarity' });
    expect(second.score).toBeGreaterThan(0);
    expect(third.method).toBe('new');
    expect(third.threadId).not.toBe(first.threadId);
    expect(db.prepare('SELECT COUNT(*) FROM thread_event_features').pluck().get()).toBe(3);
  });

  it('leaves an event already in a thread where it is (method existing, no new decision), noting an override it did not apply', () => {
    const event = testEvent('Facility', '2025-09-26T00:00:00.000Z');
    const first = putInThread(db, event, null);
    const other = putInThread(db, testEvent('Other', '2025-09-27T00:00:00.000Z'), null).threadId;
    const again = assignThread(db, event, '2025-10-05T00:00:00.000Z', undefined, { linker: fixedLinker(other) });
    expect(again).toMatchObject({ threadId: first.threadId, method: 'existing', detail: { linkedBy: 'override-new' } });
    expect(again.detail['overrideIgnored']).toBeUndefined();
    const overridden = assignThread(db, event, '2025-10-05T00:00:00.000Z', { threadId: other });
    expect(overridden).toMatchObject({ threadId: first.threadId, method: 'existing', detail: { overrideIgnored: `thread ${other}` } });
    // Asking for the thread it is already in is no conflict.
    expect(assignThread(db, event, AT, { threadId: first.threadId }).detail['overrideIgnored']).toBeUndefined();
    expect(links(event.id)).toHaveLength(1);
    expect(membership()).toHaveLength(2);
  });

  it('honours --thread (a prefix, a merged thread resolved) and --new-thread; an unknown thread is an InputError and changes nothing', () => {
    const base = putInThread(db, testEvent('Base', '2025-09-26T00:00:00.000Z'), null).threadId;
    const joined = assignThread(db, testEvent('Joined', '2025-09-28T00:00:00.000Z'), AT, { threadId: base.slice(0, 7) }, { linker: fixedLinker(null) });
    expect(joined).toMatchObject({ threadId: base, method: 'override', score: null, runnerUp: null });
    const fresh = assignThread(db, testEvent('Fresh', '2025-09-29T00:00:00.000Z'), AT, { newThread: true }, { linker: fixedLinker(base) });
    expect(fresh.method).toBe('override-new');
    expect(fresh.threadId).not.toBe(base);
    mergeThreads(db, base, fresh.threadId, AT);
    const viaMerged = assignThread(db, testEvent('Late', '2025-09-30T00:00:00.000Z'), AT, { threadId: fresh.threadId });
    expect(viaMerged).toMatchObject({ threadId: base, method: 'override', detail: { requested: fresh.threadId } });

    const before = membership();
    expect(inputError(() => assignThread(db, testEvent('Lost', undefined), AT, { threadId: 'th-0000000000' }))).toBe(
      'unknown thread th-0000000000 (assess threads list shows them)',
    );
    expect(membership()).toEqual(before);
  });
});

describe('resolveThreadId', () => {
  it('takes a full id, a unique prefix, or the hex without th-; refuses unknown, ambiguous and malformed ids in one line', () => {
    const ids = ['th-aaaa000001', 'th-aaaa000002', 'th-bbbb000001'];
    let n = 0;
    for (const id of ids) assignThread(db, testEvent(`Story ${n++}`, undefined), AT, { newThread: true }, { newId: () => id });
    expect(resolveThreadId(db, 'th-bbbb000001')).toEqual({ id: 'th-bbbb000001', note: null });
    expect(resolveThreadId(db, 'bbbb')).toEqual({ id: 'th-bbbb000001', note: null });
    expect(resolveThreadId(db, ' TH-AAAA000002 ').id).toBe('th-aaaa000002');
    expect(inputError(() => resolveThreadId(db, 'th-aaaa'))).toBe('thread id prefix th-aaaa is ambiguous (th-aaaa000001, th-aaaa000002…); give more characters');
    expect(inputError(() => resolveThreadId(db, 'th-cccc'))).toBe('unknown thread th-cccc (assess threads list shows them)');
    expect(inputError(() => resolveThreadId(db, 'th-x y'))).toBe('invalid thread id "th-x y": expected th- and hex digits, e.g. th-3f2a9c');
  });
});

describe('mergeThreads', () => {
  it('moves every event of B into A with a merge decision each, marks B merged, and never touches runs, desk results or syntheses', () => {
    const a1 = testEvent('A first', '2025-09-01T00:00:00.000Z');
    const a = putInThread(db, a1, null).threadId;
    const b1 = testEvent('B first', '2025-09-05T00:00:00.000Z');
    const b2 = testEvent('B second', '2025-09-20T00:00:00.000Z');
    const b = putInThread(db, b1, null).threadId;
    putInThread(db, b2, b);
    insertRun(db, { runId: 'run-b1', event: b1, startedAt: '2025-09-05T10:00:00.000Z', threadId: b, desks: { 'JP-01': deskAssessment('JP-01', 'mixed', [0.5, 0.5]) }, synthesis: riskView([{ name: 'X', p: 1 }]) });
    const rows = archivedRows(db);

    const result = mergeThreads(db, a, b, AT);
    expect(result).toEqual({ into: a, from: b, moved: 2, notes: [] });
    expect(membership()).toEqual([
      { event_id: a1.id, thread_id: a },
      { event_id: b1.id, thread_id: a },
      { event_id: b2.id, thread_id: a },
    ].sort((x, y) => x.event_id.localeCompare(y.event_id)));
    expect(links(b1.id).map((l) => [l.method, l.thread_id, l.detail_json])).toEqual([
      ['override-new', b, '{}'],
      ['merge', a, JSON.stringify({ from: b })],
    ]);
    expect(db.prepare('SELECT merged_into FROM threads WHERE id = ?').pluck().get(b)).toBe(a);
    expect(db.prepare('SELECT last_event_at FROM threads WHERE id = ?').pluck().get(a)).toBe('2025-09-20T00:00:00.000Z');
    expect(resolveThreadId(db, b)).toEqual({ id: a, note: `thread ${b} was merged into ${a}; using ${a}` });
    // The run keeps the thread it started in.
    expect(archivedRows(db)).toEqual(rows);
  });

  it('refuses to merge a thread into itself, or into the thread it already went to, changing nothing', () => {
    const a = putInThread(db, testEvent('A', undefined), null).threadId;
    const b = putInThread(db, testEvent('B', undefined), null).threadId;
    expect(inputError(() => mergeThreads(db, a, a, AT))).toBe(`cannot merge thread ${a} into itself`);
    mergeThreads(db, a, b, AT);
    const before = { members: membership(), links: db.prepare('SELECT COUNT(*) FROM thread_links').pluck().get() };
    expect(inputError(() => mergeThreads(db, a, b, AT))).toBe(`cannot merge ${b} into ${a}: thread ${b} was merged into ${a} already`);
    expect(inputError(() => mergeThreads(db, b, a, AT))).toMatch(/^cannot merge .* into .*: thread .* was merged into .* already$|^cannot merge thread .* into itself$/);
    expect(inputError(() => mergeThreads(db, a, 'th-0000000000', AT))).toBe('unknown thread th-0000000000 (assess threads list shows them)');
    expect({ members: membership(), links: db.prepare('SELECT COUNT(*) FROM thread_links').pluck().get() }).toEqual(before);
  });
});

describe('moveEvent', () => {
  it('moves one event (by prefix) to another thread or a new one with a move decision; the thread left keeps its row', () => {
    const e1 = testEvent('Alpha one', '2025-09-01T00:00:00.000Z');
    const e2 = testEvent('Alpha two', '2025-09-10T00:00:00.000Z');
    const a = putInThread(db, e1, null).threadId;
    putInThread(db, e2, a);
    const b = putInThread(db, testEvent('Beta', '2025-09-05T00:00:00.000Z'), null).threadId;
    insertRun(db, { runId: 'run-e2', event: e2, startedAt: '2025-09-10T10:00:00.000Z', threadId: a, desks: { 'JP-01': deskAssessment('JP-01', 'mixed', [0.5, 0.5]) } });
    const rows = archivedRows(db);

    const moved = moveEvent(db, e2.id.slice(0, 6), b, AT);
    expect(moved).toEqual({ eventId: e2.id, title: 'Alpha two', from: a, to: b, created: false, notes: [] });
    expect(links(e2.id).map((l) => [l.method, l.thread_id, l.detail_json])).toEqual([
      ['override', a, '{}'],
      ['move', b, JSON.stringify({ from: a })],
    ]);
    // A's last event is now its remaining one; B's is the moved event's.
    expect(db.prepare('SELECT last_event_at FROM threads WHERE id = ?').pluck().get(a)).toBe('2025-09-01T00:00:00.000Z');
    expect(db.prepare('SELECT last_event_at FROM threads WHERE id = ?').pluck().get(b)).toBe('2025-09-10T00:00:00.000Z');

    const alone = moveEvent(db, e1.id, 'new', AT);
    expect(alone).toMatchObject({ eventId: e1.id, from: a, created: true });
    expect(alone.to).toMatch(/^th-[0-9a-f]{10}$/);
    expect(db.prepare('SELECT title FROM threads WHERE id = ?').pluck().get(alone.to)).toBe('Alpha one');
    // A is empty now but keeps its row (its id stays printable and resolvable).
    expect(db.prepare('SELECT COUNT(*) FROM thread_events WHERE thread_id = ?').pluck().get(a)).toBe(0);
    expect(resolveThreadId(db, a).id).toBe(a);
    expect(archivedRows(db)).toEqual(rows);
  });

  it('refuses a move to the thread the event is in, an unknown event and an unknown thread, in one line', () => {
    const e1 = testEvent('Only', undefined);
    const a = putInThread(db, e1, null).threadId;
    const before = db.prepare('SELECT COUNT(*) FROM thread_links').pluck().get();
    expect(inputError(() => moveEvent(db, e1.id, a, AT))).toBe(`event ${e1.id} is already in thread ${a}`);
    expect(inputError(() => moveEvent(db, 'ffffff', a, AT))).toBe('unknown event ffffff (assess threads show lists a thread\'s events)');
    expect(inputError(() => moveEvent(db, e1.id, 'th-0000000000', AT))).toBe('unknown thread th-0000000000 (assess threads list shows them)');
    expect(db.prepare('SELECT COUNT(*) FROM thread_links').pluck().get()).toBe(before);
  });
});

describe('listThreads and loadThreadView', () => {
  it('lists threads newest activity first with event and run counts; --active keeps those with an event in the last 30 days; merged ones are left out', () => {
    const old = putInThread(db, testEvent('Old story', '2025-06-01T00:00:00.000Z'), null).threadId;
    const e = testEvent('Recent story', '2025-09-25T00:00:00.000Z');
    const recent = putInThread(db, e, null).threadId;
    putInThread(db, testEvent('Recent follow-up', '2025-09-28T00:00:00.000Z'), recent);
    insertRun(db, { runId: 'run-1', event: e, startedAt: '2025-09-25T10:00:00.000Z', synthesis: riskView([{ name: 'X', p: 1 }]) });
    insertRun(db, { runId: 'run-2', event: e, startedAt: '2025-09-26T10:00:00.000Z' });
    const gone = putInThread(db, testEvent('Merged away', '2025-09-29T00:00:00.000Z'), null).threadId;
    mergeThreads(db, recent, gone, AT);

    const now = new Date('2025-10-10T00:00:00.000Z');
    const all = listThreads(db, { now });
    expect(all.map((t) => [t.id, t.events, t.runs, t.active])).toEqual([
      [recent, 3, 2, true],
      [old, 1, 0, false],
    ]);
    expect(all[0]).toMatchObject({ title: 'Recent story', lastEventAt: '2025-09-29T00:00:00.000Z', latestRun: { runId: 'run-2', status: 'ok', overallRisk: null } });
    expect(listThreads(db, { now, active: true }).map((t) => t.id)).toEqual([recent]);
    expect(listThreads(db, { now, limit: 1 }).map((t) => t.id)).toEqual([recent]);
  });

  it('shows events oldest first with runs and every decision, stance histories per desk, and scenario histories by lineage (names for runs before threads)', () => {
    const a = testEvent('Facility', '2025-09-01T00:00:00.000Z');
    const b = testEvent('First loan', '2025-09-10T00:00:00.000Z');
    const threadId = putInThread(db, a, null).threadId;
    assignThread(db, b, AT, undefined, { linker: fixedLinker(threadId) });
    insertRun(db, {
      runId: 'run-a',
      event: a,
      startedAt: '2025-09-01T10:00:00.000Z',
      desks: { 'JP-01': deskAssessment('JP-01', 'cautiously-supportive', [0.6, 0.4]), 'US-01': '{broken' },
      synthesis: riskView([{ name: 'Modest success', p: 0.55 }, { name: 'Stall', p: 0.45 }]),
    });
    insertRun(db, {
      runId: 'run-b',
      event: b,
      startedAt: '2025-09-10T10:00:00.000Z',
      desks: { 'JP-01': deskAssessment('JP-01', 'mixed', [0.5, 0.5]) },
      synthesis: riskView([{ name: 'Modest success', p: 0.65, lineageId: 'S1' }, { name: 'Collapse', p: 0.35, lineageId: 'S2' }]),
    });
    const view = loadThreadView(db, threadId.slice(0, 6));
    expect(view.id).toBe(threadId);
    expect(view.events.map((e) => [e.eventId, e.publishedAt, e.runIds, e.link.method])).toEqual([
      [a.id, '2025-09-01T00:00:00.000Z', ['run-a'], 'override-new'],
      [b.id, '2025-09-10T00:00:00.000Z', ['run-b'], 'similarity'],
    ]);
    expect(view.events[1]!.link).toMatchObject({ score: 0.5, runnerUp: { threadId: 'th-other00000', score: 0.2 } });
    expect(view.stances).toEqual({
      'JP-01': [
        { runId: 'run-a', eventId: a.id, at: '2025-09-01T10:00:30.000Z', stance: 'cautiously-supportive' },
        { runId: 'run-b', eventId: b.id, at: '2025-09-10T10:00:30.000Z', stance: 'mixed' },
      ],
    });
    expect(view.scenarios).toEqual([
      {
        lineageId: 'S1',
        name: 'Modest success',
        history: [
          { runId: 'run-a', eventId: a.id, at: '2025-09-01T10:00:30.000Z', probability: 0.55 },
          { runId: 'run-b', eventId: b.id, at: '2025-09-10T10:00:30.000Z', probability: 0.65 },
        ],
      },
      { lineageId: 'S2', name: 'Collapse', history: [{ runId: 'run-b', eventId: b.id, at: '2025-09-10T10:00:30.000Z', probability: 0.35 }] },
      { lineageId: null, name: 'Stall', history: [{ runId: 'run-a', eventId: a.id, at: '2025-09-01T10:00:30.000Z', probability: 0.45 }] },
    ]);
    expect(view.warnings).toEqual(['US-01\'s assessment in run run-a could not be read (not valid JSON); left out']);
  });
});
