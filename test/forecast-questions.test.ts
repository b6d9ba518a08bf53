/**
 * Forecast questions (issue 14 §2–4): migration 9 and its immutability triggers, the questions and
 * forecasts a consolidated view yields (numbers checked by hand), ids kept across two runs of a
 * thread through the built CLI (the two events of `npm run demo:thread`), and `assess questions
 * list/show`. Like demo-thread.test.ts, the CLI part tests the dist/ that exists: run `npm run
 * build` after changing src/.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordForecasts } from '../src/archive/forecasts.js';
import { LATEST_VERSION, loadRun, openArchive } from '../src/archive/index.js';
import type { AgentAssessment } from '../src/assessment/schema.js';
import { questionsFromView, type RunQuestions } from '../src/forecasts/questions-from-view.js';
import type { RiskView } from '../src/synthesis/schema.js';
import { CLI } from './bench/spawn-cli.js';
import { ROOT, SEED_EVENT } from './support/paths.js';

const FOLLOW_UP = join(ROOT, 'fixtures', 'events', 'jbic-first-projects.md');

// ---- A hand-made view: three desks, two scenarios, one merged risk. ----

function desk(agentId: string, trajectories: [string, number, string][], risks: [string, number][]): AgentAssessment {
  return {
    agentId,
    trajectories: trajectories.map(([id, probability, resolveBy]) => ({
      id: `${agentId}:${id}`,
      probability,
      resolveBy,
      resolution: `${agentId} ${id} criterion by ${resolveBy}`,
    })),
    risks: risks.map(([id, likelihood]) => ({ id: `${agentId}:${id}`, likelihood, resolveBy: '2027-06-30', resolution: `${agentId} ${id} happens by 2027-06-30` })),
  } as unknown as AgentAssessment;
}

const ASSESSMENTS = [
  // A's third trajectory (0.1) was dropped by the synthesis: its `none` is 0.1.
  desk('A-01', [['T1', 0.6, '2028-01-01'], ['T2', 0.3, '2028-06-30']], [['R1', 0.3], ['R2', 0.6]]),
  desk('B-01', [['T1', 0.5, '2028-01-01'], ['T2', 0.5, '2029-01-20']], []),
  desk('C-01', [['T1', 0.3, '2028-01-01'], ['T2', 0.2, '2028-01-01'], ['T3', 0.4, '2028-01-01']], [['R1', 0.2]]),
];

function scenario(lineageId: string, name: string, perAgent: [string, number, string[]][]) {
  return {
    id: lineageId,
    lineageId,
    name,
    summary: name,
    memberIds: perAgent.flatMap(([, , ids]) => ids),
    perAgent: perAgent.map(([agentId, probability, trajectoryIds]) => ({ agentId, probability, trajectoryIds })),
    pooledProbability: 0,
    spread: 0,
    disagreement: false,
    unclustered: false,
  };
}

const risk = (title: string, sourceIds: string[]) => ({ id: 'RR1', title, axis: 'Sanctions', summary: title, sourceIds, agentIds: [], maxSeverity: 'high', meanSeverity: 3, meanLikelihood: 0, score: 0 });

const VIEW = {
  scenarios: [
    scenario('S1', 'Deal holds', [['A-01', 0.6, ['A-01:T1']], ['B-01', 0.5, ['B-01:T1']], ['C-01', 0.5, ['C-01:T1', 'C-01:T2']]]),
    scenario('S2', 'Deal collapses', [['A-01', 0.3, ['A-01:T2']], ['B-01', 0.5, ['B-01:T2']], ['C-01', 0.4, ['C-01:T3']]]),
  ],
  riskRegister: [risk('Sanctions on firms', ['A-01:R1', 'A-01:R2', 'C-01:R1'])],
} as unknown as RiskView;

const probs = (run: RunQuestions, questionId: string, forecaster: string) =>
  run.forecasts.find((f) => f.questionId === questionId && f.forecaster === forecaster)?.probabilities;

describe('questions from a consolidated view', () => {
  const run = questionsFromView({ threadId: 'th-ab12', threadTitle: 'A deal', runId: 'run-1', madeAt: '2026-01-01T00:00:00.000Z', view: VIEW, assessments: ASSESSMENTS, earlier: { scenario: null, risks: [] } });

  it('one multiple-choice question for the scenarios (lineage ids + none), one binary per merged risk', () => {
    expect(run.questions.map((q) => [q.id, q.type])).toEqual([
      ['th-ab12:Q', 'multiple-choice'],
      ['th-ab12:R1', 'binary'],
    ]);
    const q = run.questions[0]!;
    expect(q.options).toEqual([
      { id: 'S1', label: 'Deal holds' },
      { id: 'S2', label: 'Deal collapses' },
      { id: 'none', label: 'None of these' },
    ]);
    // The latest resolve-by of the member trajectories; the criteria are theirs.
    expect(q.resolveBy).toBe('2029-01-20');
    expect(q.criteria).toContain('S1 (Deal holds): A-01 T1 criterion by 2028-01-01 | B-01 T1 criterion by 2028-01-01');
    expect(q.criteria).toContain('none: none of the scenarios above comes true by 2029-01-20');
    expect(run.questions[1]!.resolveBy).toBe('2027-06-30');
    expect(run.questions[1]!.options.map((o) => o.id)).toEqual(['yes', 'no']);
  });

  it('desk forecasts: the sum of its trajectories per scenario, none = 1 − sum', () => {
    expect(probs(run, 'th-ab12:Q', 'A-01')).toEqual({ S1: 0.6, S2: 0.3, none: 0.1 });
    expect(probs(run, 'th-ab12:Q', 'B-01')).toEqual({ S1: 0.5, S2: 0.5, none: 0 });
    expect(probs(run, 'th-ab12:Q', 'C-01')).toEqual({ S1: 0.5, S2: 0.4, none: 0.1 });
    // A risk: the desk's member risk (the highest of two for A-01); B-01 has none, so no forecast.
    expect(probs(run, 'th-ab12:R1', 'A-01')).toEqual({ yes: 0.6, no: 0.4 });
    expect(probs(run, 'th-ab12:R1', 'C-01')).toEqual({ yes: 0.2, no: 0.8 });
    expect(probs(run, 'th-ab12:R1', 'B-01')).toBeUndefined();
  });

  it('pooled forecasts under each method, and the uniform baseline', () => {
    const mean = probs(run, 'th-ab12:Q', 'pool:trimmed-mean')!;
    // Three desks: the trimmed mean is the plain mean (1.6/3, 1.2/3, 0.2/3), which already sums to 1.
    expect(mean['S1']).toBeCloseTo(1.6 / 3, 9);
    expect(mean['S2']).toBeCloseTo(0.4, 9);
    expect(mean['none']).toBeCloseTo(0.2 / 3, 9);
    const median = probs(run, 'th-ab12:Q', 'pool:median')!;
    expect(median['S1']).toBeCloseTo(0.5, 9);
    expect(median['S2']).toBeCloseTo(0.4, 9);
    expect(median['none']).toBeCloseTo(0.1, 9);
    expect(probs(run, 'th-ab12:Q', 'baseline:uniform')).toEqual({ S1: 1 / 3, S2: 1 / 3, none: 1 / 3 });
    // Binary: mean of 0.6 and 0.2 is 0.4; log-odds: logistic(mean(logit .6, logit .2)) = 0.3798, renormalised with no = 0.6202.
    expect(probs(run, 'th-ab12:R1', 'pool:trimmed-mean')!['yes']).toBeCloseTo(0.4, 9);
    expect(probs(run, 'th-ab12:R1', 'pool:log-odds-mean')!['yes']).toBeCloseTo(0.3798, 4);
    expect(probs(run, 'th-ab12:R1', 'baseline:uniform')).toEqual({ yes: 0.5, no: 0.5 });
    expect(run.forecasts.filter((f) => f.questionId === 'th-ab12:Q').map((f) => f.forecaster)).toEqual([
      'A-01', 'B-01', 'C-01', 'pool:trimmed-mean', 'pool:median', 'pool:log-odds-mean', 'baseline:uniform',
    ]);
  });

  it('maps each desk item to the option it fed', () => {
    expect(run.mappings.filter((m) => m.optionId === 'S1').map((m) => m.itemId)).toEqual(['A-01:T1', 'B-01:T1', 'C-01:T1', 'C-01:T2']);
    expect(run.mappings.filter((m) => m.questionId === 'th-ab12:R1').map((m) => m.itemId)).toEqual(['A-01:R1', 'A-01:R2', 'C-01:R1']);
  });

  it('a later view keeps the ids: options only grow, risks pair by title', () => {
    const later = {
      scenarios: [
        scenario('S1', 'Deal holds, slowly', [['A-01', 0.7, ['A-01:T1']], ['B-01', 0.5, ['B-01:T1']], ['C-01', 0.5, ['C-01:T1', 'C-01:T2']]]),
        scenario('S3', 'Deal renegotiated', [['A-01', 0.3, ['A-01:T2']], ['B-01', 0.5, ['B-01:T2']], ['C-01', 0.4, ['C-01:T3']]]),
      ],
      riskRegister: [risk('Energy crunch', ['C-01:R1']), risk('Sanctions on Japanese firms', ['A-01:R1'])],
    } as unknown as RiskView;
    const next = questionsFromView({
      threadId: 'th-ab12',
      threadTitle: 'A deal',
      runId: 'run-2',
      madeAt: '2026-02-01T00:00:00.000Z',
      view: later,
      assessments: ASSESSMENTS,
      earlier: { scenario: { options: run.questions[0]!.options }, risks: [{ id: 'th-ab12:R1', title: 'Sanctions on firms', axis: 'Sanctions' }] },
    });
    expect(next.questions.map((q) => q.id)).toEqual(['th-ab12:Q', 'th-ab12:R2', 'th-ab12:R1']);
    expect(next.questions[0]!.options.map((o) => `${o.id} ${o.label}`)).toEqual(['S1 Deal holds, slowly', 'S2 Deal collapses', 'S3 Deal renegotiated', 'none None of these']);
    // The retired S2 is still an option: this run gives it 0; the baseline spreads over all four.
    expect(probs(next, 'th-ab12:Q', 'pool:median')!['S2']).toBe(0);
    expect(probs(next, 'th-ab12:Q', 'baseline:uniform')!['S2']).toBe(0.25);
  });
});

// ---- Through the built CLI, into a temporary archive. ----

function assess(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ASSESS_DB: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface ForecastRow {
  id: number;
  question_id: string;
  forecaster: string;
  run_id: string;
  synthesis_version: number;
  made_at: string;
  probabilities_json: string;
}

describe('questions across two runs of a thread (the demo:thread events)', () => {
  let dir: string;
  let db: string;
  let firstRows: ForecastRow[];
  let firstRun: string;
  let secondRun: string;
  let threadId: string;
  const rows = (): ForecastRow[] => {
    const d = new Database(db, { readonly: true });
    try {
      return d.prepare('SELECT * FROM forecasts ORDER BY id').all() as ForecastRow[];
    } finally {
      d.close();
    }
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'assess-questions-'));
    db = join(dir, 'assess.db');
    const first = assess(['run', SEED_EVENT, '--provider', 'replay', '--db', db, '--format', 'json', '--no-progress']);
    expect(first.code, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout) as { runId: string; thread: { id: string } };
    firstRun = report.runId;
    threadId = report.thread.id;
    firstRows = rows();
    const second = assess(['run', FOLLOW_UP, '--provider', 'replay', '--db', db, '--format', 'json', '--no-progress']);
    expect(second.code, second.stderr).toBe(0);
    const report2 = JSON.parse(second.stdout) as { runId: string; thread: { id: string } };
    expect(report2.thread.id).toBe(threadId);
    secondRun = report2.runId;
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the first run forecast the scenario question and a question per merged risk', () => {
    const ids = new Set(firstRows.map((r) => r.question_id));
    expect(ids.has(`${threadId}:Q`)).toBe(true);
    expect([...ids].filter((id) => /:R\d+$/.test(id)).length).toBeGreaterThan(0);
    expect(firstRows.every((r) => r.run_id === firstRun)).toBe(true);
    const forecasters = new Set(firstRows.filter((r) => r.question_id === `${threadId}:Q`).map((r) => r.forecaster));
    for (const f of ['pool:trimmed-mean', 'pool:median', 'pool:log-odds-mean', 'baseline:uniform']) expect(forecasters.has(f)).toBe(true);
  });

  it('the second run adds forecasts to the same question ids and leaves the old rows as they were', () => {
    const all = rows();
    expect(all.slice(0, firstRows.length)).toEqual(firstRows);
    const added = all.slice(firstRows.length);
    expect(added.length).toBeGreaterThan(0);
    expect(added.every((r) => r.run_id === secondRun)).toBe(true);
    const before = new Set(firstRows.map((r) => r.question_id));
    const after = new Set(added.map((r) => r.question_id));
    expect(after.has(`${threadId}:Q`)).toBe(true);
    // Merged risks carried over keep their question ids.
    expect([...after].filter((id) => before.has(id) && id.includes(':R')).length).toBeGreaterThan(0);
  });

  it('the database refuses to edit or delete a forecast', () => {
    const d = new Database(db);
    try {
      expect(() => d.prepare("UPDATE forecasts SET probabilities_json = '{}' WHERE id = 1").run()).toThrow(/immutable/);
      expect(() => d.prepare('DELETE FROM forecasts WHERE id = 1').run()).toThrow(/immutable/);
    } finally {
      d.close();
    }
    expect(rows().slice(0, firstRows.length)).toEqual(firstRows);
  });

  it('questions show --format json has the documented shape', () => {
    const r = assess(['questions', 'show', `${threadId}:Q`, '--db', db, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const q = JSON.parse(r.stdout) as Record<string, unknown> & { options: { id: string; label: string }[]; forecasts: Record<string, unknown>[] };
    for (const key of ['id', 'type', 'options', 'criteria', 'resolveBy', 'forecasts', 'resolution']) expect(q).toHaveProperty(key);
    expect(q['id']).toBe(`${threadId}:Q`);
    expect(q['type']).toBe('multiple-choice');
    expect(q['resolution']).toBeNull();
    expect(q.options.at(-1)).toEqual({ id: 'none', label: 'None of these' });
    expect(q.options.slice(0, -1).every((o) => /^S\d+$/.test(o.id) && o.label.length > 0)).toBe(true);
    const runs = new Set(q.forecasts.map((f) => f['runId']));
    expect(runs).toEqual(new Set([firstRun, secondRun]));
    for (const f of q.forecasts) {
      expect(Object.keys(f).sort()).toEqual(['forecaster', 'madeAt', 'probabilities', 'runId']);
      const p = f['probabilities'] as Record<string, number>;
      expect(Object.keys(p).every((k) => q.options.some((o) => o.id === k))).toBe(true);
      expect(Object.values(p).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 2);
    }
  });

  it('questions list --format json: every question of the thread; --due only past resolve-by and unresolved', () => {
    const r = assess(['questions', 'list', '--db', db, '--format', 'json', '--thread', threadId]);
    expect(r.code, r.stderr).toBe(0);
    const list = JSON.parse(r.stdout) as { id: string; type: string; resolveBy: string | null; resolution: unknown }[];
    expect(list.some((q) => q.id === `${threadId}:Q` && q.type === 'multiple-choice')).toBe(true);
    expect(list.filter((q) => q.type === 'binary').length).toBeGreaterThan(0);
    const due = assess(['questions', 'list', '--due', '--db', db, '--format', 'json']);
    expect(due.code, due.stderr).toBe(0);
    const today = new Date().toISOString().slice(0, 10);
    const dueList = JSON.parse(due.stdout) as typeof list;
    expect(dueList.map((q) => q.id)).toEqual(list.filter((q) => q.resolveBy !== null && q.resolveBy <= today).map((q) => q.id));
  });

  it('bad input: exit 2 with one line, nothing changed', () => {
    const before = rows().length;
    for (const args of [
      ['questions', 'show', `${threadId}:R999`],
      ['questions', 'show', 'nonsense'],
      ['questions', 'list', '--thread', 'th-ffffffffffff'],
      ['questions', 'list', '--format', 'xml'],
    ]) {
      const r = assess([...args, '--db', db]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(rows().length).toBe(before);
  });
});

describe('a resume that makes a new synthesis version', () => {
  it('records that version\'s forecasts as new rows, once; earlier rows stay as they were', () => {
    const dir = mkdtempSync(join(tmpdir(), 'assess-resume-q-'));
    try {
      const path = join(dir, 'assess.db');
      const first = assess(['run', SEED_EVENT, '--provider', 'replay', '--db', path, '--format', 'json', '--no-progress']);
      expect(first.code, first.stderr).toBe(0);
      const runId = (JSON.parse(first.stdout) as { runId: string }).runId;
      const d = openArchive(path, { create: false });
      try {
        const before = d.prepare('SELECT * FROM forecasts ORDER BY id').all() as ForecastRow[];
        expect(before.length).toBeGreaterThan(0);
        // What a resume's new synthesis leaves behind: version 2 of the run's view, later.
        d.prepare(
          "INSERT INTO syntheses (run_id, version, risk_view_json, overall_risk, error, created_at) SELECT run_id, 2, risk_view_json, overall_risk, NULL, '2099-01-01T00:00:00.000Z' FROM syntheses WHERE run_id = ? AND version = 1",
        ).run(runId);
        const { result } = loadRun(d, runId);
        const recorded = recordForecasts(d, result);
        expect(recorded.forecasts).toBe(before.length);
        const after = d.prepare('SELECT * FROM forecasts ORDER BY id').all() as ForecastRow[];
        expect(after.slice(0, before.length)).toEqual(before);
        expect(after.slice(before.length).every((r) => r.synthesis_version === 2 && r.made_at === '2099-01-01T00:00:00.000Z')).toBe(true);
        expect(new Set(after.slice(before.length).map((r) => r.question_id))).toEqual(new Set(before.map((r) => r.question_id)));
        // The same synthesis again: nothing more.
        expect(recordForecasts(d, result)).toEqual({ questions: 0, forecasts: 0 });
      } finally {
        d.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('migration 9', () => {
  it('a new archive has the question tables and the immutability triggers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'assess-m9-'));
    try {
      const d = openArchive(join(dir, 'a.db'), { create: true });
      try {
        // Later migrations (10: reviews) build on 9; a new archive has them all.
        expect(LATEST_VERSION).toBeGreaterThanOrEqual(9);
        expect(d.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
        const names = d.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') ORDER BY name").pluck().all() as string[];
        for (const n of ['questions', 'question_options', 'question_mappings', 'forecasts', 'resolutions', 'forecasts_no_update', 'forecasts_no_delete']) {
          expect(names).toContain(n);
        }
        // Resolutions are append-only too: a correction is a new row.
        d.prepare("INSERT INTO questions (id, thread_id, kind, source_key, title, criteria, resolve_by, created_at, updated_at) VALUES ('th-1:R1', 'th-1', 'binary', 'risk', 't', 'c', '2027-01-01', 'x', 'x')").run();
        d.prepare("INSERT INTO resolutions (question_id, outcome, resolved_at, recorded_at) VALUES ('th-1:R1', 'yes', '2027-01-01', '2027-01-02')").run();
        expect(() => d.prepare("UPDATE resolutions SET outcome = 'no'").run()).toThrow(/append-only/);
        expect(() => d.prepare('DELETE FROM resolutions').run()).toThrow(/append-only/);
        expect(() => d.prepare("INSERT INTO questions (id, thread_id, kind, source_key, title, criteria, created_at, updated_at) VALUES ('th-1:X', 'th-1', 'other', 'risk', 't', 'c', 'x', 'x')").run()).toThrow(/CHECK/);
      } finally {
        d.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
