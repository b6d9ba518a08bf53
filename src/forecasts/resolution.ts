import { outcomeIndex, parseDate } from './distribution.js';
import type { OptionId, Question, Resolution, ResolutionRecord } from './types.js';

/**
 * Which resolution counts. A question's resolution history is append-only (a correction is a new
 * record, the old one stays for the record); the one in force is the last recorded. "Last" is by
 * `recordedAt`, not by `at`: a correction may well move the outcome's date earlier. Records with the
 * same `recordedAt` keep their list order, so the later one in the list wins.
 */
export function currentResolution(history: readonly ResolutionRecord[]): Resolution | null {
  let latest: ResolutionRecord | null = null;
  let latestMs = -Infinity;
  for (const [i, record] of history.entries()) {
    const ms = parseDate(record.recordedAt, `resolution record ${i}`);
    if (ms >= latestMs) {
      latest = record;
      latestMs = ms;
    }
  }
  return latest === null ? null : { outcome: latest.outcome, at: latest.at };
}

/** A question that counts for scoring: resolved, not void. */
export interface ScoredOutcome {
  outcome: OptionId;
  /** Position of the outcome among the question's options. */
  index: number;
  /** The resolution time in ms since the epoch. */
  at: number;
}

/**
 * The outcome a question is scored against, or null when it is unresolved or void (void questions
 * are never scored). Throws a RangeError for an outcome that is not an option or an unreadable date.
 */
export function scoredOutcome(question: Question): ScoredOutcome | null {
  const resolution = question.resolution;
  if (resolution === null || resolution.outcome === null) return null;
  return {
    outcome: resolution.outcome,
    index: outcomeIndex(question, resolution.outcome),
    at: parseDate(resolution.at, `question ${question.id} resolution`),
  };
}

/** True for a question resolved as void. */
export function isVoid(question: Question): boolean {
  return question.resolution !== null && question.resolution.outcome === null;
}
