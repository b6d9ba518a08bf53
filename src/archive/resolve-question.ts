import type { Database } from 'better-sqlite3';
import { InputError } from '../errors/index.js';
import { loadQuestion, type QuestionDetail } from './forecasts.js';

/**
 * Resolving a forecast question (issue 14 §4): appends one row to `resolutions`. Nothing is ever
 * edited: a correction is a new row, and the one in force is the last recorded. Every refusal is
 * an InputError (exit 2) thrown before anything is written.
 */
export interface ResolveInput {
  questionId: string;
  /** An option id (`yes`/`no` for a binary question), or null for void. */
  outcome: string | null;
  /** When the outcome happened: `YYYY-MM-DD` or an ISO 8601 date-time. */
  at: string;
  evidence?: string;
  note?: string;
  /** Needed to resolve a question whose current resolution is void. */
  force?: boolean;
  /** When this is recorded (defaults to now). */
  now?: Date;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A resolution date as stored: `YYYY-MM-DD` stays as it is (a real calendar date), a date-time with
 * a zone becomes its UTC ISO string. Anything else is an InputError.
 */
export function normaliseResolutionDate(value: string, flag = '--at'): string {
  const text = value.trim();
  const day = DATE_ONLY.exec(text);
  if (day) {
    const ms = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
    if (Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === text) return text;
  } else if (DATE_TIME.test(text)) {
    const ms = Date.parse(text);
    if (Number.isFinite(ms)) return new Date(ms).toISOString();
  }
  throw new InputError(`${flag}: unreadable date ${JSON.stringify(value)}; use YYYY-MM-DD or an ISO 8601 date-time with a zone (2027-03-01T12:00Z)`);
}

/** Throws unless the text is an absolute http(s) URL. */
export function checkEvidenceUrl(value: string): string {
  const text = value.trim();
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {
    url = null;
  }
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw new InputError(`--evidence: ${JSON.stringify(value)} is not an http(s) URL`);
  }
  return text;
}

/** Appends the resolution and returns the question as it now reads. */
export function resolveQuestion(db: Database, input: ResolveInput): QuestionDetail {
  const question = loadQuestion(db, input.questionId);
  if (input.outcome !== null && !question.options.some((o) => o.id === input.outcome)) {
    throw new InputError(
      `${question.id}: outcome ${JSON.stringify(input.outcome)} is not an option; valid: ${question.options.map((o) => o.id).join(', ')}`,
    );
  }
  if (question.resolution !== null && question.resolution.outcome === null && !input.force) {
    throw new InputError(`${question.id} is resolved as void; pass --force to resolve it again`);
  }
  const note = input.note?.trim();
  if (input.outcome === null && !note) throw new InputError('--void needs --note saying why the question cannot be resolved');
  const evidence = input.evidence === undefined ? null : checkEvidenceUrl(input.evidence);
  const at = normaliseResolutionDate(input.at);
  const recordedAt = (input.now ?? new Date()).toISOString();
  db.prepare('INSERT INTO resolutions (question_id, outcome, evidence_url, note, resolved_at, recorded_at) VALUES (?, ?, ?, ?, ?, ?)').run(
    question.id,
    input.outcome,
    evidence,
    note ? note : null,
    at,
    recordedAt,
  );
  return loadQuestion(db, question.id);
}
