import type { Database } from 'better-sqlite3';
import { scoreForecasters } from '../forecasts/leaderboard.js';
import { currentResolution } from '../forecasts/resolution.js';
import type { Forecast, Probabilities, Question, QuestionType } from '../forecasts/types.js';
import { optionsByQuestion, resolutionsByQuestion } from './question-options.js';

/**
 * The read model behind `assess scores` (issue 14 §5): every question with its resolution in force
 * (the last recorded; see currentResolution), every forecast, the thread of each question and the
 * model each run's desks ran on (runs.desks_json). Scoring itself is src/forecasts/.
 */
export interface ScoringRows {
  questions: Question[];
  forecasts: Forecast[];
  /** Question id → thread id. */
  threadOf: Map<string, string>;
  /** `${runId}\u0000${agentId}` → `provider/model`. */
  deskModel: Map<string, string>;
}

export const deskModelKey = (runId: string, agentId: string): string => `${runId}\u0000${agentId}`;

/**
 * `resolvedOnly`: only questions with a resolution on record and their forecasts — all that scoring
 * reads (unresolved questions score nothing), so a caller that only scores (a run report's track
 * records) does not read and parse every forecast the archive holds.
 */
export function loadScoringRows(db: Database, { resolvedOnly = false }: { resolvedOnly?: boolean } = {}): ScoringRows {
  const resolved = resolvedOnly ? ' WHERE id IN (SELECT question_id FROM resolutions)' : '';
  const questionRows = db.prepare(`SELECT id, kind, thread_id, resolve_by FROM questions${resolved} ORDER BY id`).all() as {
    id: string;
    kind: QuestionType;
    thread_id: string;
    resolve_by: string | null;
  }[];
  const options = optionsByQuestion(db);
  const history = resolutionsByQuestion(db);
  const threadOf = new Map<string, string>();
  const questions: Question[] = questionRows.map((q) => {
    threadOf.set(q.id, q.thread_id);
    return { id: q.id, type: q.kind, options: options.get(q.id) ?? [], resolveBy: q.resolve_by ?? '', resolution: currentResolution(history.get(q.id) ?? []) };
  });
  const forecasts: Forecast[] = (
    db
      .prepare(
        `SELECT question_id, forecaster, run_id, made_at, probabilities_json FROM forecasts${resolvedOnly ? ' WHERE question_id IN (SELECT question_id FROM resolutions)' : ''} ORDER BY made_at, id`,
      )
      .all() as {
      question_id: string;
      forecaster: string;
      run_id: string;
      made_at: string;
      probabilities_json: string;
    }[]
  ).map((f) => ({ forecaster: f.forecaster, questionId: f.question_id, runId: f.run_id, madeAt: f.made_at, probabilities: JSON.parse(f.probabilities_json) as Probabilities }));
  const deskModel = new Map<string, string>();
  for (const run of db.prepare(`SELECT id, desks_json FROM runs WHERE id IN (SELECT DISTINCT run_id FROM forecasts${resolvedOnly ? ' WHERE question_id IN (SELECT question_id FROM resolutions)' : ''})`).all() as { id: string; desks_json: string }[]) {
    for (const d of JSON.parse(run.desks_json) as { agentId: string; provider?: string; model?: string }[]) {
      deskModel.set(deskModelKey(run.id, d.agentId), `${d.provider ?? 'unknown'}/${d.model ?? 'unknown'}`);
    }
  }
  return { questions, forecasts, threadOf, deskModel };
}

/** A forecaster's track record for the run report: time-averaged Brier over its resolved, non-void questions. */
export interface TrackRecord {
  brier: number;
  n: number;
}

/**
 * Every forecaster's track record over the archive's resolved, non-void questions (scoreForecasters,
 * unscoped); a forecaster with none is absent. Keyed by forecaster id, so a desk's is under its agent id.
 */
export function loadTrackRecords(db: Database): Record<string, TrackRecord> {
  const { questions, forecasts } = loadScoringRows(db, { resolvedOnly: true });
  const records: Record<string, TrackRecord> = {};
  for (const row of scoreForecasters(questions, forecasts).rows) records[row.forecaster] = { brier: row.brier, n: row.n };
  return records;
}
