import { scoredOutcome } from './resolution.js';
import { forecastsByForecaster, scoredQuestions, type ScoreScope } from './scope.js';
import { forecastsInForce } from './time-averaged.js';
import type { Forecast, Question } from './types.js';

/**
 * Reliability (calibration) tables: of the events forecast at about p, did about p of them happen?
 *
 * The table is over binary events. A binary question gives one event (p = the "yes" probability).
 * A multiple-choice question gives one event per option (p = that option's probability, happened =
 * it was the outcome), the usual one-vs-rest reading. Those k events are not independent (their
 * probabilities sum to 1 and exactly one happens), so the Wilson intervals, which assume
 * independent trials, are somewhat too narrow for tables built mostly from multiple-choice
 * questions.
 */

export const DEFAULT_RELIABILITY_BINS = 10;
/** z for a two-sided 95% interval. */
export const WILSON_Z_95 = 1.96;

export interface BinaryEvent {
  p: number;
  happened: boolean;
}

export interface Interval {
  lower: number;
  upper: number;
}

export interface ReliabilityBin {
  /** The bin covers [lower, upper); the last bin includes 1. */
  lower: number;
  upper: number;
  n: number;
  /** Null for an empty bin. */
  meanForecast: number | null;
  observedFrequency: number | null;
  /** Wilson score interval for the observed frequency; null for an empty bin. */
  wilson: Interval | null;
}

/**
 * Wilson score interval for k successes in n trials (Wilson 1927): centre
 * (p̂ + z²/2n) / (1 + z²/n), half-width z/(1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²). Unlike p̂ ± z·se it
 * stays inside [0, 1] and is not zero-width at k = 0 or k = n, which matters for small bins.
 * n = 10, k = 7 at 95% gives 0.3968–0.8922.
 */
export function wilsonInterval(k: number, n: number, z = WILSON_Z_95): Interval {
  if (!(Number.isInteger(n) && n > 0)) throw new RangeError(`Wilson interval needs n ≥ 1 trials, got ${n}`);
  if (!(Number.isInteger(k) && k >= 0 && k <= n)) throw new RangeError(`Wilson interval needs 0 ≤ k ≤ n, got k = ${k}, n = ${n}`);
  const phat = k / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (phat + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((phat * (1 - phat)) / n + z2 / (4 * n * n));
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/** Bins of equal width over [0, 1] with n, mean forecast, observed frequency and Wilson interval. */
export function reliabilityTable(events: readonly BinaryEvent[], bins = DEFAULT_RELIABILITY_BINS, z = WILSON_Z_95): ReliabilityBin[] {
  if (!(Number.isInteger(bins) && bins > 0)) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  const sums = Array.from({ length: bins }, () => ({ n: 0, p: 0, k: 0 }));
  for (const event of events) {
    if (!(Number.isFinite(event.p) && event.p >= 0 && event.p <= 1)) throw new RangeError(`event probability must be in [0, 1], got ${event.p}`);
    // The 1e-9 keeps 0.3 in [0.3, 0.4) when p × bins lands a hair under an integer.
    const bin = sums[Math.min(bins - 1, Math.floor(event.p * bins + 1e-9))];
    if (!bin) continue;
    bin.n += 1;
    bin.p += event.p;
    if (event.happened) bin.k += 1;
  }
  return sums.map((s, i) => ({
    lower: i / bins,
    upper: (i + 1) / bins,
    n: s.n,
    meanForecast: s.n > 0 ? s.p / s.n : null,
    observedFrequency: s.n > 0 ? s.k / s.n : null,
    wilson: s.n > 0 ? wilsonInterval(s.k, s.n, z) : null,
  }));
}

/**
 * The binary events of one forecast vector (option order) on a resolved question: one for a binary
 * question ("yes"), one per option for a multiple-choice question. Empty when unresolved or void.
 */
export function binaryEvents(question: Question, vector: readonly number[]): BinaryEvent[] {
  const resolved = scoredOutcome(question);
  if (resolved === null) return [];
  const events = question.options.map((o, i) => ({ p: vector[i] ?? 0, happened: i === resolved.index }));
  return question.type === 'binary' ? events.filter((_, i) => question.options[i]?.id === 'yes') : events;
}

/**
 * The events a reliability table is built from: for each scored question (see scoredQuestions) and
 * each forecaster (or only `forecaster`), the last forecast made before resolution. One forecast
 * per question, so a question updated at many runs does not weigh more than one forecast once.
 */
export function reliabilityEvents(
  questions: readonly Question[],
  forecasts: readonly Forecast[],
  options: ScoreScope & { forecaster?: string } = {},
): BinaryEvent[] {
  const scored = scoredQuestions(questions, options);
  const events: BinaryEvent[] = [];
  for (const [forecaster, byQuestion] of forecastsByForecaster(scored, forecasts)) {
    if (options.forecaster !== undefined && forecaster !== options.forecaster) continue;
    for (const question of scored) {
      const inForce = forecastsInForce(question, byQuestion.get(question.id) ?? []);
      const last = inForce[inForce.length - 1];
      if (last) events.push(...binaryEvents(question, last.vector));
    }
  }
  return events;
}
