import { SEVERITIES, type Severity } from '../assessment/schema.js';
import type { RiskLevel } from './schema.js';

/** low = 1 … critical = 4, so severities can be averaged and compared. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity) + 1;
}

export function severityFromRank(rank: number): Severity {
  const index = Math.min(SEVERITIES.length, Math.max(1, Math.round(rank))) - 1;
  return SEVERITIES[index] ?? 'low';
}

/**
 * Overall level from expected impact (severity rank × likelihood, 0…4) of the top risks.
 * Thresholds: a likely high risk (3 × 0.6 = 1.8) reads "high"; a critical one reads "severe"
 * from likelihood 0.625 (4 × 0.625 = 2.5), "high" below it. Pinned by test/synthesis-boundaries.test.ts.
 */
export function riskLevelFromScore(score: number): RiskLevel {
  if (score >= 2.5) return 'severe';
  if (score >= 1.75) return 'high';
  if (score >= 1.25) return 'elevated';
  if (score >= 0.75) return 'moderate';
  return 'low';
}
