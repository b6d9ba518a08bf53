import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { boundSummary, loadThreadContext } from '../src/archive/thread-context.js';
import { MAX_EVIDENCE_EVENTS, MAX_EVIDENCE_SUMMARY_CHARS } from '../src/threads/context.js';
import { tempDir } from './support/archive-fixtures.js';
import { deskAssessment, insertRun, openTestArchive, putInThread, riskView, testEvent } from './support/thread-store-fixtures.js';

/**
 * The memory a run is given (src/archive/thread-context.ts): only from other, earlier events of the
 * same thread, bounded evidence with code-assigned ids, corrupt archived rows skipped with a warning,
 * and never anything from another thread.
 */

let work: { dir: string; cleanup: () => void };
let db: Database;
beforeEach(() => {
  work = tempDir('thread-context');
  db = openTestArchive(work.dir);
});
afterEach(() => {
  db.close();
  work.cleanup();
});

const AT = '2025-11-01T00:00:00.000Z';

/** A thread of three dated events (A, B, C), each assessed, plus the thread id. */
function storyOfThree() {
  const a = testEvent('JBIC facility created', '2025-09-01T00:00:00.000Z');
  const b = testEvent('First projects named', '2025-09-10T00:00:00.000Z');
  const c = testEvent('First loan signed', '2025-09-20T00:00:00.000Z');
  const threadId = putInThread(db, a, null).threadId;
  putInThread(db, b, threadId);
  putInThread(db, c, threadId);
  insertRun(db, {
    runId: 'run-a',
    event: a,
    startedAt: '2025-09-01T10:00:00.000Z',
    desks: { 'JP-01': deskAssessment('JP-01', 'cautiously-supportive', [0.6, 0.4], 'A'), 'US-01': deskAssessment('US-01', 'supportive', [0.7, 0.3], 'A') },
    synthesis: riskView([{ name: 'Modest success', p: 0.6, lineageId: 'S1' }, { name: 'Stall', p: 0.4, lineageId: 'S2' }], 'A'),
  });
  insertRun(db, {
    runId: 'run-c',
    event: c,
    startedAt: '2025-09-20T10:00:00.000Z',
    desks: { 'JP-01': deskAssessment('JP-01', 'mixed', [0.5, 0.5], 'C') },
    synthesis: riskView([{ name: 'Modest success', p: 0.5, lineageId: 'S1' }], 'C'),
  });
  return { a, b, c, threadId };
}

describe('loadThreadContext', () => {
  it('shows a new event the thread so far: E1 itself, earlier events newest first, each desk its latest view and what came since', () => {
    const { a, b, c, threadId } = storyOfThree();
    const d = testEvent('Second loan signed', '2025-09-30T00:00:00.000Z', 'D '.repeat(2000));
    putInThread(db, d, threadId);
    const context = loadThreadContext(db, threadId, d, ['JP-01', 'US-01', 'CN-01'], AT);

    expect(context.thread).toMatchObject({ id: threadId, title: 'JBIC facility created', events: 4 });
    expect(context.evidence.map((e) => [e.id, e.eventId])).toEqual([
      ['E1', d.id],
      ['E2', c.id],
      ['E3', b.id],
      ['E4', a.id],
    ]);
    // E1 is the full event; the new event's own long summary is not cut.
    expect(context.evidence[0]!.summary).toBe(d.event.summary);
    expect(context.evidence[0]!.at).toBe('2025-09-30T00:00:00.000Z');

    // JP-01's latest view is of C (the latest earlier event), nothing between C and D.
    expect(context.memory['JP-01']!.lastView).toMatchObject({
      runId: 'run-c',
      eventId: c.id,
      eventTitle: 'First loan signed',
      bottomLine: 'JP-01 bottom line C',
      stance: { label: 'mixed', reason: 'JP-01 reason C' },
      trajectories: [
        { id: 'JP-01:T1', name: 'Trajectory 1', probability: 0.5 },
        { id: 'JP-01:T2', name: 'Trajectory 2', probability: 0.5 },
      ],
      indicators: [{ id: 'JP-01:I1', indicator: 'Indicator of JP-01 C' }],
    });
    expect(context.memory['JP-01']!.eventsSince).toEqual([]);
    // US-01 last looked at A: B and C happened since, oldest first.
    expect(context.memory['US-01']!.lastView.runId).toBe('run-a');
    expect(context.memory['US-01']!.eventsSince).toEqual(['E3', 'E2']);
    // A desk that never assessed the thread has no memory.
    expect(context.memory['CN-01']).toBeUndefined();
    expect(Object.keys(context.memory).sort()).toEqual(['JP-01', 'US-01']);

    expect(context.previousSynthesis).toMatchObject({ runId: 'run-c', eventId: c.id, stances: { 'JP-01': 'mixed' } });
    expect(context.previousSynthesis!.view.bottomLine).toBe('consolidated C');
    expect(context.warnings).toEqual([]);
  });

  it('takes memory only from events dated before this one: a re-run of B never sees the view formed after C', () => {
    const { a, b, threadId } = storyOfThree();
    insertRun(db, { runId: 'run-b-earlier', event: b, startedAt: '2025-09-10T10:00:00.000Z', desks: { 'JP-01': deskAssessment('JP-01', 'opposed', [0.1, 0.9], 'B') } });
    const context = loadThreadContext(db, threadId, b, ['JP-01', 'US-01'], AT);
    expect(context.evidence.map((e) => e.eventId)).toEqual([b.id, a.id]);
    // Not C's view (later event), not B's own earlier run (same event: a fresh reading, not an update).
    expect(context.memory['JP-01']!.lastView).toMatchObject({ runId: 'run-a', eventId: a.id, bottomLine: 'JP-01 bottom line A' });
    expect(context.previousSynthesis).toMatchObject({ runId: 'run-a', stances: { 'JP-01': 'cautiously-supportive', 'US-01': 'supportive' } });
  });

  it('carries each trajectory\'s horizon and criterion into memory (issue 14); a malformed one is dropped, the view kept', () => {
    const { threadId } = storyOfThree();
    const b = testEvent('Projects reviewed', '2025-09-25T00:00:00.000Z');
    putInThread(db, b, threadId);
    const desk = deskAssessment('JP-01', 'mixed', [0.6, 0.4], 'B');
    const [t1, t2] = desk['trajectories'] as Record<string, unknown>[];
    desk['trajectories'] = [
      { ...t1, resolveBy: '2029-01-20', resolution: 'At least $100 billion approved by 2029-01-20, in JBIC press releases' },
      { ...t2, resolveBy: 20290120, resolution: 'Less than $50 billion approved by 2029-01-20, in JBIC press releases' },
    ];
    insertRun(db, { runId: 'run-b', event: b, startedAt: '2025-09-25T10:00:00.000Z', desks: { 'JP-01': desk } });
    const d = testEvent('Second loan signed', '2025-09-30T00:00:00.000Z');
    putInThread(db, d, threadId);
    const context = loadThreadContext(db, threadId, d, ['JP-01'], AT);
    expect(context.memory['JP-01']?.lastView.runId).toBe('run-b');
    expect(context.memory['JP-01']?.lastView.trajectories).toStrictEqual([
      { id: 'JP-01:T1', name: 'Trajectory 1', probability: 0.6, resolveBy: '2029-01-20', resolution: 'At least $100 billion approved by 2029-01-20, in JBIC press releases' },
      { id: 'JP-01:T2', name: 'Trajectory 2', probability: 0.4, resolution: 'Less than $50 billion approved by 2029-01-20, in JBIC press releases' },
    ]);
  });

  it('lists every trajectory id a desk has used in the thread, retired ones too, so none is ever reused', () => {
    const { c, threadId } = storyOfThree();
    // In run-a JP-01 wrote T1 and T2; a later run of C (already there) wrote T1 and T2 again; here a
    // view that had a third trajectory, since retired: T3 must stay taken.
    const b = testEvent('Projects reviewed', '2025-09-15T00:00:00.000Z');
    putInThread(db, b, threadId);
    insertRun(db, { runId: 'run-b', event: b, startedAt: '2025-09-15T10:00:00.000Z', desks: { 'JP-01': deskAssessment('JP-01', 'mixed', [0.5, 0.3, 0.2], 'B') } });
    const d = testEvent('Second loan signed', '2025-09-30T00:00:00.000Z');
    putInThread(db, d, threadId);
    const context = loadThreadContext(db, threadId, d, ['JP-01', 'US-01'], AT);
    // The last view (C's) has two trajectories, but T3 was used by B's.
    expect(context.memory['JP-01']?.lastView.trajectories.map((t) => t.id)).toEqual(['JP-01:T1', 'JP-01:T2']);
    expect(context.memory['JP-01']?.usedTrajectoryIds).toEqual(['JP-01:T1', 'JP-01:T2', 'JP-01:T3']);
    expect(context.memory['US-01']?.usedTrajectoryIds).toEqual(['US-01:T1', 'US-01:T2']);
    // Nothing from the event itself: C's own runs are not "earlier" for a re-run of C.
    const rerun = loadThreadContext(db, threadId, c, ['JP-01'], AT);
    expect(rerun.memory['JP-01']?.usedTrajectoryIds).toEqual(['JP-01:T1', 'JP-01:T2', 'JP-01:T3']);
  });

  it('gives the first event of a thread no memory and only itself as evidence', () => {
    const { a, threadId } = storyOfThree();
    const context = loadThreadContext(db, threadId, a, ['JP-01'], AT);
    expect(context.evidence.map((e) => e.id)).toEqual(['E1']);
    expect(context.memory).toEqual({});
    expect(context.previousSynthesis).toBeNull();
  });

  it('bounds the evidence: at most MAX_EVIDENCE_EVENTS earlier events, the newest, each summary cut', () => {
    const first = testEvent('Story 0', '2025-08-01T00:00:00.000Z', 'x'.repeat(5000));
    const threadId = putInThread(db, first, null).threadId;
    const events = [first];
    for (let i = 1; i <= 8; i++) {
      const e = testEvent(`Story ${i}`, `2025-08-${String(i + 1).padStart(2, '0')}T00:00:00.000Z`, `${'word '.repeat(400)}end ${i}`);
      putInThread(db, e, threadId);
      events.push(e);
    }
    const latest = testEvent('Story latest', '2025-08-20T00:00:00.000Z', 'y'.repeat(3000));
    putInThread(db, latest, threadId);
    const context = loadThreadContext(db, threadId, latest, [], AT);
    expect(context.evidence).toHaveLength(1 + MAX_EVIDENCE_EVENTS);
    expect(context.evidence.slice(1).map((e) => e.title)).toEqual(['Story 8', 'Story 7', 'Story 6', 'Story 5', 'Story 4']);
    expect(context.evidence.map((e) => e.id)).toEqual(['E1', 'E2', 'E3', 'E4', 'E5', 'E6']);
    expect(context.evidence[0]!.summary).toHaveLength(3000);
    for (const e of context.evidence.slice(1)) {
      expect(e.summary.length).toBeLessThanOrEqual(MAX_EVIDENCE_SUMMARY_CHARS);
      expect(e.summary.endsWith('…')).toBe(true);
    }
    expect(context.thread.events).toBe(10);
  });

  it('skips a corrupt or old-shaped earlier assessment with a warning and uses the desk\'s next older view', () => {
    const { a, c, threadId } = storyOfThree();
    const d = testEvent('Second loan signed', '2025-09-30T00:00:00.000Z');
    putInThread(db, d, threadId);
    // Newer than run-c: corrupt JSON for JP-01, an assessment without trajectories for US-01, a broken synthesis.
    insertRun(db, {
      runId: 'run-c-again',
      event: c,
      startedAt: '2025-09-25T10:00:00.000Z',
      desks: { 'JP-01': '{"bottomLine": "cut off', 'US-01': { bottomLine: 'old shape', stance: { label: 'neutral', reason: 'r' } } },
      synthesis: '{"scenarios": 7}',
    });
    const context = loadThreadContext(db, threadId, d, ['JP-01', 'US-01'], AT);
    expect(context.memory['JP-01']!.lastView.runId).toBe('run-c');
    expect(context.memory['US-01']!.lastView).toMatchObject({ runId: 'run-a', eventId: a.id });
    expect(context.previousSynthesis!.runId).toBe('run-c');
    expect(context.warnings).toHaveLength(3);
    expect(context.warnings[0]).toMatch(/^JP-01's assessment in run run-c-ag \("First loan signed"\) could not be read \(not valid JSON\); skipped$/);
    expect(context.warnings[1]).toMatch(/^US-01's assessment in run run-c-ag .*unexpected shape \(trajectories: .*\); skipped$/);
    expect(context.warnings[2]).toMatch(/^the consolidated view of run run-c-ag .*could not be read \(unexpected shape/);
  });

  it('never shows an unrelated thread\'s events, views or synthesis, however recent', () => {
    const { threadId } = storyOfThree();
    const other = testEvent('Unrelated: chip export rules', '2025-09-29T00:00:00.000Z');
    const otherThread = putInThread(db, other, null).threadId;
    insertRun(db, {
      runId: 'run-other',
      event: other,
      startedAt: '2025-09-29T10:00:00.000Z',
      desks: { 'JP-01': deskAssessment('JP-01', 'alarmed', [0.9, 0.1], 'OTHER'), 'CN-01': deskAssessment('CN-01', 'opposed', [0.2, 0.8], 'OTHER') },
      synthesis: riskView([{ name: 'Export clampdown', p: 0.9 }], 'OTHER'),
    });
    const d = testEvent('Second loan signed', '2025-09-30T00:00:00.000Z');
    putInThread(db, d, threadId);
    const context = loadThreadContext(db, threadId, d, ['JP-01', 'CN-01'], AT);
    const text = JSON.stringify(context);
    expect(text).not.toContain('OTHER');
    expect(text).not.toContain('run-other');
    expect(text).not.toContain(other.id);
    expect(text).not.toContain(otherThread);
    expect(context.memory['CN-01']).toBeUndefined();

    // And the other way round: the unrelated thread's next event sees only its own past.
    const next = testEvent('Chip rules tightened', '2025-10-05T00:00:00.000Z');
    putInThread(db, next, otherThread);
    const otherContext = loadThreadContext(db, otherThread, next, ['JP-01', 'US-01'], AT);
    expect(otherContext.evidence.map((e) => e.eventId)).toEqual([next.id, other.id]);
    expect(Object.keys(otherContext.memory)).toEqual(['JP-01']);
    expect(otherContext.memory['JP-01']!.lastView.runId).toBe('run-other');
    expect(otherContext.previousSynthesis!.runId).toBe('run-other');
  });

  it('reads a desk\'s latest round: a resume\'s success counts, a failure is never memory', () => {
    const a = testEvent('Start', '2025-09-01T00:00:00.000Z');
    const threadId = putInThread(db, a, null).threadId;
    insertRun(db, { runId: 'run-a', event: a, startedAt: '2025-09-01T10:00:00.000Z', failed: ['JP-01', 'US-01'] });
    db.prepare(
      `INSERT INTO desk_results (run_id, agent_id, round, status, assessment_json, finished_at) VALUES ('run-a', 'JP-01', 1, 'ok', ?, '2025-09-02T00:00:00.000Z')`,
    ).run(JSON.stringify(deskAssessment('JP-01', 'neutral', [0.5, 0.5], 'resumed')));
    const b = testEvent('Next', '2025-09-05T00:00:00.000Z');
    putInThread(db, b, threadId);
    const context = loadThreadContext(db, threadId, b, ['JP-01', 'US-01'], AT);
    expect(context.memory['JP-01']!.lastView).toMatchObject({ bottomLine: 'JP-01 bottom line resumed', at: '2025-09-02T00:00:00.000Z' });
    expect(context.memory['US-01']).toBeUndefined();
  });

  it('orders an undated event by when it joined, not by the time of a later run of it', () => {
    const a = testEvent('Undated start', undefined);
    const threadId = putInThread(db, a, null, '2025-09-01T00:00:00.000Z').threadId;
    const b = testEvent('Dated follow-up', '2025-09-15T00:00:00.000Z');
    putInThread(db, b, threadId);
    insertRun(db, { runId: 'run-b', event: b, startedAt: '2025-09-15T10:00:00.000Z', desks: { 'JP-01': deskAssessment('JP-01', 'mixed', [0.5, 0.5], 'B') } });
    // Re-running A on Nov 1: it is still the thread's first event, so B's view is not its memory.
    const context = loadThreadContext(db, threadId, a, ['JP-01'], AT);
    expect(context.evidence.map((e) => e.id)).toEqual(['E1']);
    expect(context.evidence[0]!.at).toBe('2025-09-01T00:00:00.000Z');
    expect(context.memory).toEqual({});
  });
});

describe('boundSummary', () => {
  it('keeps short text, cuts long text at a word within the bound and marks the cut', () => {
    expect(boundSummary('short  text\n')).toBe('short text');
    const cut = boundSummary(`${'alpha '.repeat(200)}`, 100);
    expect(cut.length).toBeLessThanOrEqual(100);
    expect(cut).toMatch(/alpha…$/);
    expect(boundSummary('x'.repeat(300), 100)).toBe(`${'x'.repeat(99)}…`);
  });
});
