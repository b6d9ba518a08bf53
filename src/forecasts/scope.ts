import { parseDate } from './distribution.js';
import { scoredOutcome } from './resolution.js';
import type { Forecast, Question } from './types.js';

/** Which questions a report covers. */
export interface ScoreScope {
  /** Only questions whose resolution time is on or after this date (`--since`). */
  since?: string;
}

/**
 * The questions that are scored: resolved, not void, and resolved on or after `since` when given.
 * Unresolved and void questions are never scored.
 */
export function scoredQuestions(questions: readonly Question[], scope: ScoreScope = {}): Question[] {
  const since = scope.since === undefined ? -Infinity : parseDate(scope.since, 'since');
  return questions.filter((q) => {
    const resolved = scoredOutcome(q);
    return resolved !== null && resolved.at >= since;
  });
}

/**
 * Forecasts grouped by forecaster, then by question, keeping only forecasts for `questions`
 * (forecasts on other questions are outside the report, not an error). Map order is first
 * appearance, so output built from it is stable.
 */
export function forecastsByForecaster(questions: readonly Question[], forecasts: readonly Forecast[]): Map<string, Map<string, Forecast[]>> {
  const ids = new Set(questions.map((q) => q.id));
  const grouped = new Map<string, Map<string, Forecast[]>>();
  for (const forecast of forecasts) {
    if (!ids.has(forecast.questionId)) continue;
    let byQuestion = grouped.get(forecast.forecaster);
    if (!byQuestion) grouped.set(forecast.forecaster, (byQuestion = new Map()));
    const list = byQuestion.get(forecast.questionId);
    if (list) list.push(forecast);
    else byQuestion.set(forecast.questionId, [forecast]);
  }
  return grouped;
}
