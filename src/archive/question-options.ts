import type { Database } from 'better-sqlite3';
import { NONE_OPTION } from '../forecasts/questions-from-view.js';
import type { QuestionOption, ResolutionRecord } from '../forecasts/types.js';

/**
 * What every reader of forecast questions needs beside the question rows: each question's options
 * and its resolution history, read in one query each for the questions in scope (one question, one
 * thread, or the whole archive) rather than one query per question.
 */
export interface QuestionScope {
  questionId?: string;
  threadId?: string;
}

const SCOPE = `(@question IS NULL OR question_id = @question)
  AND (@thread IS NULL OR question_id IN (SELECT id FROM questions WHERE thread_id = @thread))`;

const scopeParams = (scope: QuestionScope) => ({ question: scope.questionId ?? null, thread: scope.threadId ?? null });

/**
 * Each question's options in the order people read them: by position, with "none of these" last
 * whatever its position (options only grow, so a scenario added later comes after it).
 */
export function optionsByQuestion(db: Database, scope: QuestionScope = {}): Map<string, QuestionOption[]> {
  const rows = db
    .prepare(`SELECT question_id AS q, option_id AS id, label FROM question_options WHERE ${SCOPE} ORDER BY question_id, option_id = @none, position, option_id`)
    .all({ ...scopeParams(scope), none: NONE_OPTION.id }) as (QuestionOption & { q: string })[];
  const out = new Map<string, QuestionOption[]>();
  for (const r of rows) {
    const list = out.get(r.q) ?? [];
    list.push({ id: r.id, label: r.label });
    out.set(r.q, list);
  }
  return out;
}

/** Each question's resolution history, oldest first: the last entry is the one in force. */
export function resolutionsByQuestion(db: Database, scope: QuestionScope = {}): Map<string, ResolutionRecord[]> {
  const rows = db
    .prepare(`SELECT question_id AS q, outcome, evidence_url, note, resolved_at, recorded_at FROM resolutions WHERE ${SCOPE} ORDER BY recorded_at, id`)
    .all(scopeParams(scope)) as { q: string; outcome: string | null; evidence_url: string | null; note: string | null; resolved_at: string; recorded_at: string }[];
  const out = new Map<string, ResolutionRecord[]>();
  for (const r of rows) {
    const list = out.get(r.q) ?? [];
    list.push({
      outcome: r.outcome,
      at: r.resolved_at,
      recordedAt: r.recorded_at,
      ...(r.evidence_url !== null ? { evidence: r.evidence_url } : {}),
      ...(r.note !== null ? { note: r.note } : {}),
    });
    out.set(r.q, list);
  }
  return out;
}
