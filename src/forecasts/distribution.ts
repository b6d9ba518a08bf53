import { PROBABILITY_SUM_TOLERANCE } from '../assessment/schema.js';
import { BINARY_NO, BINARY_YES, type OptionId, type Probabilities, type Question } from './types.js';

/**
 * A forecast as a distribution over a question's options, in the question's option order. Every
 * score and pool works on these vectors, so the checks live here once: a probability outside
 * [0, 1] or an option the question does not have is a bug upstream and throws a RangeError; a sum
 * off 1 by no more than the desks' own tolerance (PROBABILITY_SUM_TOLERANCE, rounding in model
 * output) is renormalised, anything further throws.
 */

const DAY_MS = 86_400_000;

/** Milliseconds since the epoch for an ISO date; a RangeError naming `what` for one we cannot read. */
export function parseDate(value: string, what: string): number {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new RangeError(`${what}: unreadable date ${JSON.stringify(value)}`);
  return ms;
}

/** Days from `from` to `to` (fractional, negative when `to` is earlier). */
export function daysFrom(from: number, to: number): number {
  return (to - from) / DAY_MS;
}

/** Throws unless the question has at least two distinct options, and a binary one exactly yes/no. */
export function checkQuestion(question: Question): void {
  const ids = question.options.map((o) => o.id);
  if (ids.length < 2) throw new RangeError(`question ${question.id}: needs at least two options`);
  if (new Set(ids).size !== ids.length) throw new RangeError(`question ${question.id}: duplicate option ids`);
  if (question.type === 'binary' && !(ids.length === 2 && ids.includes(BINARY_YES) && ids.includes(BINARY_NO))) {
    throw new RangeError(`question ${question.id}: a binary question has exactly the options "yes" and "no"`);
  }
}

/** The position of `outcome` among the question's options; a RangeError naming the valid ones. */
export function outcomeIndex(question: Question, outcome: OptionId): number {
  const index = question.options.findIndex((o) => o.id === outcome);
  if (index < 0) {
    throw new RangeError(
      `question ${question.id}: outcome ${JSON.stringify(outcome)} is not an option (${question.options.map((o) => o.id).join(', ')})`,
    );
  }
  return index;
}

/**
 * The forecast as a vector in option order, summing to 1. A missing option counts 0; a binary
 * forecast may give `yes` alone (then `no` is 1 − yes).
 */
export function toVector(question: Question, probabilities: Probabilities): number[] {
  checkQuestion(question);
  const known = new Set(question.options.map((o) => o.id));
  for (const [id, p] of Object.entries(probabilities)) {
    if (!known.has(id)) throw new RangeError(`question ${question.id}: forecast names unknown option ${JSON.stringify(id)}`);
    if (!(Number.isFinite(p) && p >= 0 && p <= 1)) {
      throw new RangeError(`question ${question.id}: probability for ${id} must be in [0, 1], got ${p}`);
    }
  }
  const onlyYes = question.type === 'binary' && probabilities[BINARY_NO] === undefined && probabilities[BINARY_YES] !== undefined;
  const raw = question.options.map((o) =>
    onlyYes && o.id === BINARY_NO ? 1 - (probabilities[BINARY_YES] ?? 0) : (probabilities[o.id] ?? 0),
  );
  const sum = raw.reduce((s, p) => s + p, 0);
  if (Math.abs(sum - 1) > PROBABILITY_SUM_TOLERANCE) {
    throw new RangeError(`question ${question.id}: probabilities must sum to 1 ± ${PROBABILITY_SUM_TOLERANCE}, they sum to ${sum.toFixed(3)}`);
  }
  return raw.map((p) => p / sum);
}

/** A vector in option order back to probabilities keyed by option id. */
export function fromVector(question: Question, vector: readonly number[]): Record<OptionId, number> {
  if (vector.length !== question.options.length) {
    throw new RangeError(`question ${question.id}: ${vector.length} probabilities for ${question.options.length} options`);
  }
  return Object.fromEntries(question.options.map((o, i) => [o.id, vector[i] ?? 0]));
}

/** The uniform forecast: 1/k on each of the k options (0.5/0.5 for a binary question). */
export function uniformVector(question: Question): number[] {
  checkQuestion(question);
  const k = question.options.length;
  return question.options.map(() => 1 / k);
}

/** Divides by the sum; the uniform vector when everything is 0 (nothing to go on). */
export function renormalise(values: readonly number[]): number[] {
  const total = values.reduce((s, v) => s + v, 0);
  return total > 0 ? values.map((v) => v / total) : values.map(() => 1 / values.length);
}
