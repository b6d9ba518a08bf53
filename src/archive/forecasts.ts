import type { Database } from 'better-sqlite3';
import type { AgentAssessment } from '../assessment/schema.js';
import { InputError } from '../errors/index.js';
import { ArchiveUnavailableError } from './errors.js';
import { optionsByQuestion, resolutionsByQuestion } from './question-options.js';
import { questionsFromView, type EarlierQuestions } from '../forecasts/questions-from-view.js';
import type { Probabilities, QuestionOption, QuestionType, ResolutionRecord } from '../forecasts/types.js';
import type { RiskView } from '../synthesis/schema.js';

/**
 * Forecast questions in the archive (migration 9): recording a run's questions and forecasts, and
 * reading them back for `assess questions list/show`. Forecast rows are insert-only (the database
 * refuses UPDATE and DELETE on them); runs archived before migration 9 have no questions, nothing is
 * backfilled.
 */

/** What recordForecasts needs of a finished run (a RunResult has it). */
export interface RunForForecasts {
  runId: string;
  synthesis: RiskView | null;
  assessments: readonly AgentAssessment[];
}

export interface RecordedForecasts {
  questions: number;
  forecasts: number;
}

const NOTHING: RecordedForecasts = { questions: 0, forecasts: 0 };

/**
 * Records the questions and forecasts of the run's latest synthesis, in one transaction. Nothing for
 * a run with no synthesis or no thread; nothing again for a synthesis already recorded (a resume
 * that makes a new synthesis version records that one's forecasts as new rows).
 */
export function recordForecasts(db: Database, run: RunForForecasts): RecordedForecasts {
  if (!run.synthesis) return NOTHING;
  const view = run.synthesis;
  return db.transaction((): RecordedForecasts => {
    const row = db.prepare('SELECT r.thread_id AS threadId, t.title AS title FROM runs r JOIN threads t ON t.id = r.thread_id WHERE r.id = ?').get(run.runId) as
      | { threadId: string; title: string }
      | undefined;
    if (!row) return NOTHING;
    const synthesis = db
      .prepare('SELECT version, created_at AS createdAt FROM syntheses WHERE run_id = ? AND risk_view_json IS NOT NULL ORDER BY version DESC LIMIT 1')
      .get(run.runId) as { version: number; createdAt: string } | undefined;
    if (!synthesis) return NOTHING;
    const done = db.prepare('SELECT 1 FROM forecasts WHERE run_id = ? AND synthesis_version = ? LIMIT 1').get(run.runId, synthesis.version);
    if (done) return NOTHING;

    const scenarioId = `${row.threadId}:Q`;
    const scenarioOptions = optionsByQuestion(db, { questionId: scenarioId }).get(scenarioId) ?? [];
    const earlier: EarlierQuestions = {
      scenario: scenarioOptions.length > 0 ? { options: scenarioOptions } : null,
      risks: db
        .prepare("SELECT id, title, COALESCE(axis, '') AS axis FROM questions WHERE thread_id = ? AND kind = 'binary' ORDER BY created_at, id")
        .all(row.threadId) as { id: string; title: string; axis: string }[],
    };
    const derived = questionsFromView({
      threadId: row.threadId,
      threadTitle: row.title,
      runId: run.runId,
      madeAt: synthesis.createdAt,
      view,
      assessments: run.assessments,
      earlier,
    });

    const upsertQuestion = db.prepare(`INSERT INTO questions (id, thread_id, kind, source_key, title, axis, criteria, resolve_by, created_at, updated_at)
      VALUES (@id, @threadId, @type, @sourceKey, @title, @axis, @criteria, @resolveBy, @at, @at)
      ON CONFLICT(id) DO UPDATE SET title = excluded.title, axis = excluded.axis, criteria = excluded.criteria,
        resolve_by = excluded.resolve_by, updated_at = excluded.updated_at`);
    const nextPosition = db.prepare('SELECT COALESCE(MAX(position), -1) + 1 FROM question_options WHERE question_id = ?').pluck();
    const upsertOption = db.prepare(`INSERT INTO question_options (question_id, option_id, label, position) VALUES (?, ?, ?, ?)
      ON CONFLICT(question_id, option_id) DO UPDATE SET label = excluded.label`);
    const mapping = db.prepare('INSERT INTO question_mappings (run_id, synthesis_version, question_id, option_id, item_id) VALUES (?, ?, ?, ?, ?)');
    const forecast = db.prepare(
      'INSERT INTO forecasts (question_id, forecaster, run_id, synthesis_version, made_at, probabilities_json) VALUES (?, ?, ?, ?, ?, ?)',
    );
    for (const q of derived.questions) {
      upsertQuestion.run({ id: q.id, threadId: q.threadId, type: q.type, sourceKey: q.sourceKey, title: q.title, axis: q.axis, criteria: q.criteria, resolveBy: q.resolveBy, at: synthesis.createdAt });
      for (const o of q.options) upsertOption.run(q.id, o.id, o.label, nextPosition.get(q.id) as number);
    }
    for (const m of derived.mappings) mapping.run(run.runId, synthesis.version, m.questionId, m.optionId, m.itemId);
    for (const f of derived.forecasts) forecast.run(f.questionId, f.forecaster, run.runId, synthesis.version, f.madeAt, JSON.stringify(f.probabilities));
    return { questions: derived.questions.length, forecasts: derived.forecasts.length };
  })();
}

export interface StoredForecast {
  forecaster: string;
  runId: string;
  madeAt: string;
  probabilities: Probabilities;
}

/** `assess questions show` (JSON): the shape, plus thread, title and resolution history. */
export interface QuestionDetail {
  id: string;
  type: QuestionType;
  threadId: string;
  title: string;
  options: QuestionOption[];
  criteria: string;
  resolveBy: string | null;
  /** Oldest first; within a run desks, then pools, then the baseline, as recorded. */
  forecasts: StoredForecast[];
  /** The resolution in force (the last recorded), or null while unresolved. `outcome: null` is void. */
  resolution: ResolutionRecord | null;
  resolutionHistory: ResolutionRecord[];
}

/** A question as stored: what every listing and export shows of it. */
export interface QuestionHeader {
  id: string;
  type: QuestionType;
  threadId: string;
  title: string;
  resolveBy: string | null;
  options: QuestionOption[];
}

export interface QuestionSummary extends QuestionHeader {
  /** Runs that forecast it. */
  runs: number;
  lastForecastAt: string | null;
  resolution: ResolutionRecord | null;
}

interface QuestionRow {
  id: string;
  kind: QuestionType;
  thread_id: string;
  title: string;
  criteria: string;
  resolve_by: string | null;
}

/** The question with this exact id; an InputError (exit 2) when there is none. */
export function loadQuestion(db: Database, id: string): QuestionDetail {
  const row = db.prepare('SELECT id, kind, thread_id, title, criteria, resolve_by FROM questions WHERE id = ?').get(id) as QuestionRow | undefined;
  if (!row) throw new InputError(`no question ${JSON.stringify(id)} in the archive (assess questions list shows them)`);
  const forecasts = (
    db
      .prepare('SELECT forecaster, run_id, made_at, probabilities_json FROM forecasts WHERE question_id = ? ORDER BY made_at, id')
      .all(id) as { forecaster: string; run_id: string; made_at: string; probabilities_json: string }[]
  ).map((f) => ({ forecaster: f.forecaster, runId: f.run_id, madeAt: f.made_at, probabilities: JSON.parse(f.probabilities_json) as Probabilities }));
  const history = resolutionsByQuestion(db, { questionId: id }).get(id) ?? [];
  return {
    id: row.id,
    type: row.kind,
    threadId: row.thread_id,
    title: row.title,
    options: optionsByQuestion(db, { questionId: id }).get(id) ?? [],
    criteria: row.criteria,
    resolveBy: row.resolve_by,
    forecasts,
    resolution: history.at(-1) ?? null,
    resolutionHistory: history,
  };
}

export interface ListQuestionsOptions {
  /** Only questions whose resolve-by is on or before `now` and that are unresolved. */
  due?: boolean;
  threadId?: string;
  now: Date;
}

/** Questions by resolve-by (soonest first; none last), then id. */
export function listQuestions(db: Database, options: ListQuestionsOptions): QuestionSummary[] {
  const rows = db
    .prepare(
      `SELECT q.id, q.kind, q.thread_id, q.title, q.criteria, q.resolve_by,
         (SELECT COUNT(DISTINCT run_id) FROM forecasts f WHERE f.question_id = q.id) AS runs,
         (SELECT MAX(made_at) FROM forecasts f WHERE f.question_id = q.id) AS last_at
       FROM questions q WHERE (@thread IS NULL OR q.thread_id = @thread)
       ORDER BY q.resolve_by IS NULL, q.resolve_by, q.id`,
    )
    .all({ thread: options.threadId ?? null }) as (QuestionRow & { runs: number; last_at: string | null })[];
  const scope = options.threadId !== undefined ? { threadId: options.threadId } : {};
  const optionsOf = optionsByQuestion(db, scope);
  const historyOf = resolutionsByQuestion(db, scope);
  return rows
    .map((r) => ({
      id: r.id,
      type: r.kind,
      threadId: r.thread_id,
      title: r.title,
      resolveBy: r.resolve_by,
      options: optionsOf.get(r.id) ?? [],
      runs: r.runs,
      lastForecastAt: r.last_at,
      resolution: historyOf.get(r.id)?.at(-1) ?? null,
    }))
    .filter((q) => !options.due || isDue(q, options.now));
}

/** Due: its resolve-by date is today or earlier (UTC) and nobody has resolved it. */
export function isDue(q: Pick<QuestionSummary, 'resolution' | 'resolveBy'>, now: Date): boolean {
  return q.resolution === null && q.resolveBy !== null && q.resolveBy.slice(0, 10) <= now.toISOString().slice(0, 10);
}

/**
 * recordForecasts for the run commands: archive trouble never stops a run, so a failure comes back
 * as an ArchiveUnavailableError to report (like any archive write error), and nothing is written.
 */
export function recordRunForecasts(db: Database, run: RunForForecasts): ArchiveUnavailableError | null {
  try {
    recordForecasts(db, run);
    return null;
  } catch (error) {
    const why = (error as Error).message.split('\n')[0];
    return new ArchiveUnavailableError(`archive write failed: ${why} (recording forecasts)`, { cause: error });
  }
}

/** A thread's question for `assess threads show`: each forecaster's latest forecast and the resolution in force. */
export interface ThreadQuestion {
  id: string;
  type: QuestionType;
  title: string;
  resolveBy: string | null;
  options: QuestionOption[];
  /** Forecaster → its latest probabilities (by made_at, then as recorded), in first-forecast order. */
  latest: Record<string, Probabilities>;
  /** The resolution in force (the last recorded), or null while unresolved. `outcome: null` is void. */
  resolution: ResolutionRecord | null;
}

/** The thread's questions: the scenario question first, then the risk questions by id. */
export function loadThreadQuestions(db: Database, threadId: string): ThreadQuestion[] {
  const rows = db
    .prepare("SELECT id, kind, title, resolve_by FROM questions WHERE thread_id = ? ORDER BY kind <> 'multiple-choice', length(id), id")
    .all(threadId) as { id: string; kind: QuestionType; title: string; resolve_by: string | null }[];
  // Each forecaster's latest forecast per question: the thread's forecasts in order, the last one kept.
  const latest = new Map<string, Record<string, Probabilities>>();
  for (const f of db
    .prepare('SELECT question_id, forecaster, probabilities_json FROM forecasts WHERE question_id IN (SELECT id FROM questions WHERE thread_id = ?) ORDER BY made_at, id')
    .all(threadId) as { question_id: string; forecaster: string; probabilities_json: string }[]) {
    const byForecaster = latest.get(f.question_id) ?? {};
    byForecaster[f.forecaster] = JSON.parse(f.probabilities_json) as Probabilities;
    latest.set(f.question_id, byForecaster);
  }
  const optionsOf = optionsByQuestion(db, { threadId });
  const historyOf = resolutionsByQuestion(db, { threadId });
  return rows.map((r) => ({
    id: r.id,
    type: r.kind,
    title: r.title,
    resolveBy: r.resolve_by,
    options: optionsOf.get(r.id) ?? [],
    latest: latest.get(r.id) ?? {},
    resolution: historyOf.get(r.id)?.at(-1) ?? null,
  }));
}
