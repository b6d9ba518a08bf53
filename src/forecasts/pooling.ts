import { DEFAULT_TRIM_FRACTION, poolDistributions } from '../synthesis/pool.js';
import { fromVector, renormalise, toVector, uniformVector } from './distribution.js';
import { LOG_SCORE_EPSILON } from './scores.js';
import { UNIFORM_BASELINE, type Forecast, type OptionId, type Question } from './types.js';

/**
 * Pooling the desks' forecasts for one question, under each method the scores compare, plus the
 * uniform baseline. Every method works per option on the desks' distributions and renormalises, so
 * a pooled forecast is again a distribution over the question's options.
 *
 * - trimmed-mean: the synthesis pool itself (synthesis/pool.ts `poolDistributions`): 20% trimmed
 *   mean per option (plain mean below five desks), renormalised. Reused, not re-implemented, so
 *   `pool:trimmed-mean` is exactly the figure the run's report shows.
 * - median: the median per option (mean of the two middle values for an even count), renormalised.
 * - log-odds-mean: each probability clamped to [ε, 1 − ε] (ε = LOG_SCORE_EPSILON, so a desk's 0 is
 *   a finite −6.9 log-odds), the mean log-odds per option, back through the logistic function,
 *   renormalised. It pools towards the confident desks, which is what makes it differ from the
 *   arithmetic pools on the same inputs (0.9 and 0.5 pool to 0.75, not 0.7).
 */

export const POOL_METHODS = ['trimmed-mean', 'median', 'log-odds-mean'] as const;
export type PoolMethod = (typeof POOL_METHODS)[number];

/** The forecaster id a pooled forecast is stored under: `pool:<method>`. */
export function poolForecaster(method: PoolMethod): string {
  return `pool:${method}`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const logit = (p: number): number => Math.log(p / (1 - p));
const logistic = (x: number): number => 1 / (1 + Math.exp(-x));

/** Pools desks × options rows (each a distribution in option order) into one distribution. */
export function poolVectors(method: PoolMethod, rows: readonly (readonly number[])[]): number[] {
  const first = rows[0];
  if (!first) throw new RangeError('pooling needs at least one forecast');
  if (rows.some((r) => r.length !== first.length)) throw new RangeError('pooled forecasts must cover the same options');
  const column = (j: number) => rows.map((r) => r[j] ?? 0);
  switch (method) {
    case 'trimmed-mean':
      return poolDistributions(rows, DEFAULT_TRIM_FRACTION);
    case 'median':
      return renormalise(first.map((_, j) => median(column(j))));
    case 'log-odds-mean':
      return renormalise(
        first.map((_, j) => {
          const logOdds = column(j).map((p) => logit(Math.min(1 - LOG_SCORE_EPSILON, Math.max(LOG_SCORE_EPSILON, p))));
          return logistic(logOdds.reduce((s, x) => s + x, 0) / logOdds.length);
        }),
      );
  }
}

/**
 * The desks' forecasts for one question pooled under `method`, keyed by option. Expects one
 * forecast per desk (the desks' forecasts of one run); a RangeError for forecasts of another
 * question, a desk twice, or a pool or baseline among the inputs.
 */
export function poolProbabilities(question: Question, deskForecasts: readonly Forecast[], method: PoolMethod): Record<OptionId, number> {
  const seen = new Set<string>();
  for (const f of deskForecasts) {
    if (f.questionId !== question.id) throw new RangeError(`cannot pool a forecast for ${f.questionId} into ${question.id}`);
    if (f.forecaster.startsWith('pool:') || f.forecaster.startsWith('baseline:')) {
      throw new RangeError(`only desk forecasts are pooled, not ${f.forecaster}`);
    }
    if (seen.has(f.forecaster)) throw new RangeError(`question ${question.id}: ${f.forecaster} appears twice in one pool`);
    seen.add(f.forecaster);
  }
  return fromVector(question, poolVectors(method, deskForecasts.map((f) => toVector(question, f.probabilities))));
}

/** The uniform baseline's probabilities: 1/k per option. */
export function uniformProbabilities(question: Question): Record<OptionId, number> {
  return fromVector(question, uniformVector(question));
}

/**
 * The forecasts a run adds beside its desks' for one question: one per pooling method (none when
 * no desk forecast it) and the uniform baseline, all stamped with the run and time given.
 */
export function pooledForecasts(
  question: Question,
  deskForecasts: readonly Forecast[],
  stamp: { runId: string; madeAt: string },
): Forecast[] {
  const pools =
    deskForecasts.length === 0
      ? []
      : POOL_METHODS.map((method) => ({
          forecaster: poolForecaster(method),
          questionId: question.id,
          ...stamp,
          probabilities: poolProbabilities(question, deskForecasts, method),
        }));
  return [...pools, { forecaster: UNIFORM_BASELINE, questionId: question.id, ...stamp, probabilities: uniformProbabilities(question) }];
}
