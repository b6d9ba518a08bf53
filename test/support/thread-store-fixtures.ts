import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { openArchive } from '../../src/archive/open-archive.js';
import type { Linker } from '../../src/archive/thread-linker.js';
import { assignThread } from '../../src/archive/thread-store.js';
import type { IdentifiedEvent } from '../../src/event/schema.js';
import type { LinkDecision } from '../../src/threads/context.js';

/**
 * Archives for the thread store and thread context tests, written row by row: events put in
 * threads with a linker whose verdict the test fixes (the linking engine has its own tests), and
 * runs with desk results and syntheses whose ids, times and contents a real run cannot choose.
 */

export function openTestArchive(dir: string, name = 'threads.db'): Database {
  return openArchive(join(dir, name));
}

/** A linker that joins `joinThread` when given, else starts a new thread; it records no features. */
export function fixedLinker(joinThread: string | null = null): Linker {
  return {
    decide: () =>
      joinThread === null
        ? { threadId: null, method: 'new', score: null, runnerUp: null, detail: {} }
        : { threadId: joinThread, method: 'similarity', score: 0.5, runnerUp: { threadId: 'th-other00000', score: 0.2 }, detail: { cosine: 0.6 } },
    record: () => undefined,
  };
}

let counter = 0;

/** An event with a readable, unique id (`e001…`), a title, a summary and (optionally) a publication date. */
export function testEvent(title: string, publishedAt: string | undefined, summary = `${title}: what happened.`): IdentifiedEvent {
  counter++;
  const id = `e${String(counter).padStart(3, '0')}${title.toLowerCase().replace(/[^a-z0-9]+/g, '').slice(0, 12)}`;
  return { id, event: { title, summary, tags: [], ...(publishedAt ? { publishedAt } : {}) } };
}

/** Puts `event` in `threadId` (or a new thread when null) without the linking engine. */
export function putInThread(db: Database, event: IdentifiedEvent, threadId: string | null, at = '2025-10-01T00:00:00.000Z'): LinkDecision {
  return assignThread(db, event, at, threadId === null ? { newThread: true } : { threadId }, { linker: fixedLinker() });
}

/** A desk assessment as archived, with what thread memory and `threads show` read (plus a marker in its texts). */
export function deskAssessment(agentId: string, stance: string, probabilities: number[], marker = ''): Record<string, unknown> {
  return {
    agentId,
    agentName: agentId,
    bottomLine: `${agentId} bottom line ${marker}`.trim(),
    stance: { label: stance, reason: `${agentId} reason ${marker}`.trim() },
    trajectories: probabilities.map((p, i) => ({ id: `${agentId}:T${i + 1}`, name: `Trajectory ${i + 1}`, probability: p })),
    indicators: [{ id: `${agentId}:I1`, indicator: `Indicator of ${agentId} ${marker}`.trim(), why: 'because' }],
  };
}

/** A consolidated view with the fields the thread read models check. */
export function riskView(scenarios: { name: string; p: number; lineageId?: string }[], marker = ''): Record<string, unknown> {
  return {
    bottomLine: `consolidated ${marker}`.trim(),
    overallRisk: { level: 'elevated', score: 1, drivers: [] },
    scenarios: scenarios.map((s, i) => ({
      id: `S${i + 1}`,
      name: s.name,
      summary: '',
      memberIds: [],
      perAgent: [],
      pooledProbability: s.p,
      spread: 0,
      disagreement: false,
      unclustered: false,
      ...(s.lineageId ? { lineageId: s.lineageId } : {}),
    })),
    riskRegister: [{ id: 'M1', title: `Risk ${marker}`.trim() }],
    coverage: { included: [], missing: [] },
    warnings: [],
  };
}

export interface TestRun {
  runId: string;
  event: IdentifiedEvent;
  /** `YYYY-MM-DDTHH:MM:00.000Z`: results are stamped 30 seconds later. */
  startedAt: string;
  /** agentId → assessment object, or a raw string stored as is (corrupt rows). */
  desks?: Record<string, Record<string, unknown> | string>;
  /** Failed desk results (round 0). */
  failed?: string[];
  synthesis?: Record<string, unknown> | string | null;
  threadId?: string | null;
  status?: string;
}

/** Writes a finished run with its desk results (round 0) and synthesis (version 1). */
export function insertRun(db: Database, run: TestRun): void {
  const finished = run.startedAt.replace(/:00\.000Z$/, ':30.000Z');
  db.transaction(() => {
    db.prepare(
      `INSERT INTO runs (id, event_id, event_title, event_json, desks_json, synthesis_model_json, prompt_hashes_json, options_json,
        started_at, finished_at, status, thread_id) VALUES (?, ?, ?, ?, '[]', '{}', '{}', '{}', ?, ?, ?, ?)`,
    ).run(run.runId, run.event.id, run.event.event.title, JSON.stringify(run.event.event), run.startedAt, finished, run.status ?? 'ok', run.threadId ?? null);
    const desk = db.prepare(
      `INSERT INTO desk_results (run_id, agent_id, round, status, assessment_json, failure_kind, failure_reason, finished_at)
       VALUES (?, ?, 0, ?, ?, ?, ?, ?)`,
    );
    for (const [agentId, assessment] of Object.entries(run.desks ?? {})) {
      desk.run(run.runId, agentId, 'ok', typeof assessment === 'string' ? assessment : JSON.stringify(assessment), null, null, finished);
    }
    for (const agentId of run.failed ?? []) desk.run(run.runId, agentId, 'failed', null, 'provider', 'HTTP 500', finished);
    if (run.synthesis !== undefined) {
      const json = run.synthesis === null ? null : typeof run.synthesis === 'string' ? run.synthesis : JSON.stringify(run.synthesis);
      db.prepare(`INSERT INTO syntheses (run_id, version, risk_view_json, overall_risk, error, created_at) VALUES (?, 1, ?, ?, ?, ?)`).run(
        run.runId,
        json,
        json === null ? null : 'elevated',
        json === null ? 'synthesis failed' : null,
        finished,
      );
    }
  })();
}

/** Every row of the tables a thread change must never touch, for before/after comparisons. */
export function archivedRows(db: Database): unknown {
  return {
    runs: db.prepare('SELECT * FROM runs ORDER BY id').all(),
    desks: db.prepare('SELECT * FROM desk_results ORDER BY run_id, agent_id, round').all(),
    syntheses: db.prepare('SELECT * FROM syntheses ORDER BY run_id, version').all(),
  };
}
