export * from './schema.js';
export { buildRiskView, DEFAULT_DISAGREEMENT_THRESHOLD, type RiskViewOptions } from './build-risk-view.js';
export { trimmedMean, poolDistributions, spread, DEFAULT_TRIM_FRACTION } from './pool.js';
export { severityRank, severityFromRank, riskLevelFromScore } from './severity.js';
