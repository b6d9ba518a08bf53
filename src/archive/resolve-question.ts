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
  /**
   * Needed to resolve a question whose current resolution is void, and to date an outcome no later
   * than the question's first forecast (checkScoredAt).
   */
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

/**
 * Refuses an outcome dated after `now`: a resolution records what has happened. A `YYYY-MM-DD` date
 * is compared by day (UTC, as stored dates are read), so today is allowed; a date-time to the
 * millisecond.
 */
function checkNotFuture(at: string, now: Date, given: string): void {
  const future = DATE_ONLY.test(at) ? at > now.toISOString().slice(0, 10) : Date.parse(at) > now.getTime();
  if (future) throw new InputError(`--at ${given.trim()} is in the future; an outcome is recorded once it has happened`);
}

/**
 * Refuses (unless forced) an outcome dated no later than the question's first forecast: scoring
 * ignores forecasts made at or after the resolution time (they could have seen the outcome;
 * forecastsInForce in src/forecasts/time-averaged.ts), so no forecast of the question would ever
 * be scored. Usually a typo in the year. A void resolution is never scored, so it is not checked.
 */
function checkScoredAt(question: QuestionDetail, at: string, given: string): void {
  const first = question.forecasts.reduce<string | null>((min, f) => (min === null || Date.parse(f.madeAt) < Date.parse(min) ? f.madeAt : min), null);
  if (first === null) return;
  const atMs = Date.parse(at);
  const firstMs = Date.parse(first);
  if (atMs > firstMs) return;
  throw new InputError(
    `${question.id}: --at ${given.trim()} is ${atMs < firstMs ? 'before' : 'at'} the first forecast (${first}); scoring ignores forecasts made at or after the outcome, so none would be scored — check the date, or pass --force`,
  );
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
  const now = input.now ?? new Date();
  checkNotFuture(at, now, input.at);
  if (input.outcome !== null && !input.force) checkScoredAt(question, at, input.at);
  const recordedAt = now.toISOString();
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
