/**
 * Forecast scoring: pure functions over question, forecast and resolution rows. No I/O, no
 * terminal, no HTTP; the archive supplies the rows, the CLI and the web show the results.
 */
export {
  BINARY_NO,
  BINARY_OPTIONS,
  BINARY_YES,
  UNIFORM_BASELINE,
  type Forecast,
  type OptionId,
  type Probabilities,
  type Question,
  type QuestionOption,
  type QuestionType,
  type Resolution,
  type ResolutionRecord,
} from './types.js';
export { checkQuestion, daysFrom, fromVector, outcomeIndex, parseDate, renormalise, toVector, uniformVector } from './distribution.js';
export { currentResolution, isVoid, scoredOutcome, type ScoredOutcome } from './resolution.js';
export {
  LOG_SCORE_EPSILON,
  brierOfVector,
  brierScore,
  brierSkillScore,
  clampDistribution,
  logOfVector,
  logScore,
  sharpness,
  sharpnessOfVector,
  uniformBrier,
} from './scores.js';
export { forecastsInForce, scoreInForce, timeAveragedScore, type InForce, type TimedScore, type VectorScore } from './time-averaged.js';
export {
  DEFAULT_RELIABILITY_BINS,
  WILSON_Z_95,
  binaryEvents,
  reliabilityEvents,
  reliabilityTable,
  wilsonInterval,
  type BinaryEvent,
  type Interval,
  type ReliabilityBin,
} from './reliability.js';
export { POOL_METHODS, poolForecaster, poolProbabilities, poolVectors, pooledForecasts, uniformProbabilities, type PoolMethod } from './pooling.js';
export { forecastsByForecaster, scoredQuestions, type ScoreScope } from './scope.js';
export { RANKING_MIN_RESOLVED, scoreForecasters, type ForecasterRow, type Leaderboard } from './leaderboard.js';
export { SCORE_GROUPINGS, buildScoresReport, type ScoreGroup, type ScoreGrouping, type ScoreRow, type ScoresReport } from './scores-report.js';
