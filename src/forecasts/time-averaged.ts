import { daysFrom, parseDate, toVector } from './distribution.js';
import { scoredOutcome } from './resolution.js';
import { brierOfVector } from './scores.js';
import type { Forecast, Question } from './types.js';

/**
 * Scoring a forecaster's sequence of forecasts on one question. A forecaster (desk, pool or
 * baseline) forecasts a question at every run of its thread; each forecast is in force from its
 * `madeAt` until the next one, and the last until the resolution time. Forecasts made at or after
 * the resolution time are ignored: they could have seen the outcome.
 *
 * - time-averaged: each forecast's score weighted by the days it was in force (Good Judgment's
 *   daily-averaged Brier). Being right early counts for more than being right at the end.
 * - last: the score of the last forecast before resolution (one forecast per question, as in
 *   ForecastBench).
 *
 * The time before a forecaster's first forecast does not count (nothing was in force). So a
 * forecaster who starts late is averaged over a shorter, usually easier, stretch; compare
 * forecasters over the same questions and similar coverage.
 */

/** One forecast and how long it was in force before the question resolved. */
export interface InForce {
  forecast: Forecast;
  /** The forecast as a distribution in option order (see toVector). */
  vector: number[];
  /** Days from its `madeAt` to the next forecast's, or to the resolution; 0 when superseded at once. */
  days: number;
}

/** A score of a forecast vector for the outcome at `index` (brierOfVector, logOfVector…). */
export type VectorScore = (question: Question, vector: readonly number[], index: number) => number;

export interface TimedScore {
  timeAveraged: number;
  last: number;
}

/**
 * The forecasts of one forecaster on one question that count, in the order they were made, each
 * with the days it was in force. Empty when the question is unresolved or void, or when nothing was
 * forecast before the resolution. Forecasts with the same `madeAt` keep their list order (the later
 * supersedes the earlier after 0 days). Throws a RangeError when the forecasts are not all for this
 * question and one forecaster, or when a date is unreadable.
 */
export function forecastsInForce(question: Question, forecasts: readonly Forecast[]): InForce[] {
  const resolved = scoredOutcome(question);
  if (resolved === null) return [];
  const forecaster = forecasts[0]?.forecaster;
  const dated = forecasts.map((forecast, i) => {
    if (forecast.questionId !== question.id) {
      throw new RangeError(`forecast ${i} is for question ${forecast.questionId}, not ${question.id}`);
    }
    if (forecast.forecaster !== forecaster) {
      throw new RangeError(`question ${question.id}: forecasts of ${forecaster} and ${forecast.forecaster} scored together`);
    }
    return { forecast, ms: parseDate(forecast.madeAt, `forecast by ${forecast.forecaster} on ${question.id}`) };
  });
  const before = dated.filter((d) => d.ms < resolved.at).sort((a, b) => a.ms - b.ms);
  return before.map((d, i) => ({
    forecast: d.forecast,
    vector: toVector(question, d.forecast.probabilities),
    days: daysFrom(d.ms, before[i + 1]?.ms ?? resolved.at),
  }));
}

/**
 * Time-averaged and last-forecast scores of one forecaster on one question, under `score`
 * (Brier by default). Null when nothing counts (see forecastsInForce).
 */
export function timeAveragedScore(
  question: Question,
  forecasts: readonly Forecast[],
  score: VectorScore = brierOfVector,
): TimedScore | null {
  return scoreInForce(question, forecastsInForce(question, forecasts), score);
}

/** The same over forecasts already put in force (so several scores can share one pass). */
export function scoreInForce(question: Question, inForce: readonly InForce[], score: VectorScore): TimedScore | null {
  const resolved = scoredOutcome(question);
  const last = inForce[inForce.length - 1];
  if (resolved === null || last === undefined) return null;
  let weighted = 0;
  let days = 0;
  for (const entry of inForce) {
    weighted += entry.days * score(question, entry.vector, resolved.index);
    days += entry.days;
  }
  const lastScore = score(question, last.vector, resolved.index);
  // The last forecast was made strictly before the resolution, so days > 0.
  return { timeAveraged: days > 0 ? weighted / days : lastScore, last: lastScore };
}
