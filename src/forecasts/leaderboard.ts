import { scoredOutcome } from './resolution.js';
import { forecastsByForecaster, scoredQuestions, type ScoreScope } from './scope.js';
import { brierOfVector, brierSkillScore, logOfVector, sharpnessOfVector, uniformBrier } from './scores.js';
import { forecastsInForce, scoreInForce } from './time-averaged.js';
import type { Forecast, Question } from './types.js';

/**
 * One row per forecaster (desk, pool or baseline) over the scored questions: resolved, not void,
 * resolved on or after `since`. A forecaster's n is the questions it forecast before they resolved.
 *
 * Per question, every figure is time-averaged (see time-averaged.ts); the row is the mean over the
 * forecaster's questions. `brier` is the headline and equals `timeAveragedBrier` (kept so both
 * Brier variants sit side by side under explicit names); `lastBrier` scores only the last forecast
 * before each resolution. `brierSkill` is 1 − mean brier / mean uniform Brier over the same
 * questions (so the uniform baseline scores 0). Binary (0–1) and multiple-choice (0–2) Brier
 * scores are averaged together as they are; the skill score is the scale-free comparison.
 */

/** Below this many scored questions no forecaster is ranked; the figures are still returned. */
export const RANKING_MIN_RESOLVED = 30;

export interface ForecasterRow {
  forecaster: string;
  n: number;
  brier: number;
  logScore: number;
  brierSkill: number | null;
  sharpness: number;
  timeAveragedBrier: number;
  lastBrier: number;
  /** 1 = lowest Brier; null while rankings are withheld or for a forecaster with n below the minimum. */
  rank: number | null;
}

export interface Leaderboard {
  rows: ForecasterRow[];
  /** Scored questions in scope (resolved, not void, within `since`), forecast or not. */
  resolvedQuestions: number;
  /** True when resolvedQuestions < RANKING_MIN_RESOLVED: show the figures with a note, no ranks. */
  rankingsWithheld: boolean;
}

const mean = (values: readonly number[]): number => values.reduce((s, v) => s + v, 0) / values.length;

/**
 * Scores every forecaster. Rows come ranked first (by Brier, ties by id), then the unranked by
 * forecaster id. Throws a RangeError on malformed rows (an outcome that is not an option, a
 * probability outside [0, 1], an unreadable date).
 */
export function scoreForecasters(questions: readonly Question[], forecasts: readonly Forecast[], scope: ScoreScope = {}): Leaderboard {
  const scored = scoredQuestions(questions, scope);
  const rankingsWithheld = scored.length < RANKING_MIN_RESOLVED;
  const rows: ForecasterRow[] = [];
  for (const [forecaster, byQuestion] of forecastsByForecaster(scored, forecasts)) {
    const brier: number[] = [];
    const last: number[] = [];
    const log: number[] = [];
    const sharp: number[] = [];
    const reference: number[] = [];
    for (const question of scored) {
      const resolved = scoredOutcome(question);
      const inForce = forecastsInForce(question, byQuestion.get(question.id) ?? []);
      const b = scoreInForce(question, inForce, brierOfVector);
      const l = scoreInForce(question, inForce, (_q, v, i) => logOfVector(v, i));
      const s = scoreInForce(question, inForce, (q, v) => sharpnessOfVector(q, v));
      if (resolved === null || b === null || l === null || s === null) continue;
      brier.push(b.timeAveraged);
      last.push(b.last);
      log.push(l.timeAveraged);
      sharp.push(s.timeAveraged);
      reference.push(uniformBrier(question, resolved.outcome));
    }
    if (brier.length === 0) continue;
    const meanBrier = mean(brier);
    rows.push({
      forecaster,
      n: brier.length,
      brier: meanBrier,
      logScore: mean(log),
      brierSkill: brierSkillScore(meanBrier, mean(reference)),
      sharpness: mean(sharp),
      timeAveragedBrier: meanBrier,
      lastBrier: mean(last),
      rank: null,
    });
  }
  if (!rankingsWithheld) {
    rows
      .filter((r) => r.n >= RANKING_MIN_RESOLVED)
      .sort((a, b) => a.brier - b.brier || a.forecaster.localeCompare(b.forecaster))
      .forEach((r, i) => {
        r.rank = i + 1;
      });
  }
  rows.sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.forecaster.localeCompare(b.forecaster));
  return { rows, resolvedQuestions: scored.length, rankingsWithheld };
}
