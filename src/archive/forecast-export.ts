import type { Database } from 'better-sqlite3';
import type { QuestionHeader } from './forecasts.js';
import type { Probabilities, QuestionType } from '../forecasts/types.js';
import { optionsByQuestion } from './question-options.js';

/**
 * `assess forecasts export` (issue 14 §5): every question, every forecast and every resolution row
 * (the whole history, corrections included) as stored, so analysts can check the scores elsewhere.
 */
export type ExportedQuestion = QuestionHeader;

export interface ExportedForecast {
  questionId: string;
  forecaster: string;
  runId: string;
  synthesisVersion: number;
  madeAt: string;
  probabilities: Probabilities;
}

export interface ExportedResolution {
  questionId: string;
  /** null: void. */
  outcome: string | null;
  at: string;
  recordedAt: string;
  evidence: string | null;
  note: string | null;
}

export interface ForecastExport {
  questions: ExportedQuestion[];
  forecasts: ExportedForecast[];
  resolutions: ExportedResolution[];
}

export function exportForecasts(db: Database): ForecastExport {
  const options = optionsByQuestion(db);
  const questions = (
    db.prepare('SELECT id, kind, thread_id, title, resolve_by FROM questions ORDER BY id').all() as {
      id: string;
      kind: QuestionType;
      thread_id: string;
      title: string;
      resolve_by: string | null;
    }[]
  ).map((q) => ({ id: q.id, type: q.kind, threadId: q.thread_id, title: q.title, resolveBy: q.resolve_by, options: options.get(q.id) ?? [] }));
  const forecasts = (
    db.prepare('SELECT question_id, forecaster, run_id, synthesis_version, made_at, probabilities_json FROM forecasts ORDER BY id').all() as {
      question_id: string;
      forecaster: string;
      run_id: string;
      synthesis_version: number;
      made_at: string;
      probabilities_json: string;
    }[]
  ).map((f) => ({
    questionId: f.question_id,
    forecaster: f.forecaster,
    runId: f.run_id,
    synthesisVersion: f.synthesis_version,
    madeAt: f.made_at,
    probabilities: JSON.parse(f.probabilities_json) as Probabilities,
  }));
  const resolutions = (
    db.prepare('SELECT question_id, outcome, resolved_at, recorded_at, evidence_url, note FROM resolutions ORDER BY recorded_at, id').all() as {
      question_id: string;
      outcome: string | null;
      resolved_at: string;
      recorded_at: string;
      evidence_url: string | null;
      note: string | null;
    }[]
  ).map((r) => ({ questionId: r.question_id, outcome: r.outcome, at: r.resolved_at, recordedAt: r.recorded_at, evidence: r.evidence_url, note: r.note }));
  return { questions, forecasts, resolutions };
}
