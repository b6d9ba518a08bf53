import type { AgentAssessment, Stance } from '../../src/assessment/schema.js';
import type { IndicatorUpdate } from '../../src/assessment/update.js';
import type { MergedRisk, MergedScenario, RiskView } from '../../src/synthesis/schema.js';
import type { PreviousSynthesis } from '../../src/threads/context.js';
import { deskWith, synthProvenance } from './synthesis-fixtures.js';

/**
 * Hand-built consolidated views for the since-last tests: only the fields since-last reads carry
 * meaning (scenario names, members, pooled probabilities, lineage; merged risk titles and axes);
 * the rest is filled with plausible constants.
 */

export const PREVIOUS_RUN_ID = '7f3c2a19-5b7e-4c1d-9a0e-2f6b8d4c1e55';
export const PREVIOUS_AT = '2025-03-01T09:30:00.000Z';

export function scenario(id: string, name: string, memberIds: string[], pooledProbability: number, lineageId?: string): MergedScenario {
  return {
    id,
    name,
    summary: `${name}, in short`,
    memberIds,
    perAgent: [],
    pooledProbability,
    spread: 0,
    disagreement: false,
    unclustered: false,
    ...(lineageId === undefined ? {} : { lineageId }),
  };
}

export function mergedRisk(id: string, title: string, axis = 'Execution & deliverability'): MergedRisk {
  return {
    id,
    title,
    axis,
    summary: `${title}, in short`,
    sourceIds: [],
    agentIds: [],
    maxSeverity: 'medium',
    meanSeverity: 2,
    meanLikelihood: 0.4,
    score: 0.8,
  };
}

export function riskView(parts: { scenarios?: MergedScenario[]; risks?: MergedRisk[]; sinceLast?: RiskView['sinceLast'] }): RiskView {
  return {
    bottomLine: 'b',
    overallRisk: { level: 'moderate', score: 0.8, drivers: [] },
    consensus: [],
    divergences: [],
    riskRegister: parts.risks ?? [],
    scenarios: parts.scenarios ?? [],
    watchlist: [],
    coverage: { included: [], missing: [] },
    method: { pooling: 'trimmed mean (20% each end), renormalised', disagreementThreshold: 0.3 },
    warnings: [],
    provenance: synthProvenance,
    ...(parts.sinceLast === undefined ? {} : { sinceLast: parts.sinceLast }),
  };
}

export function previousSynthesis(view: RiskView, stances: Record<string, Stance> = {}): PreviousSynthesis {
  return { runId: PREVIOUS_RUN_ID, eventId: 'evt-earlier', at: PREVIOUS_AT, view, stances };
}

/** A desk with the given stance and, when given, the indicator statuses its update reports. */
export function deskWithStance(agentId: string, stance: Stance, indicators?: IndicatorUpdate[]): AgentAssessment {
  const a = deskWith(agentId, [0.6, 0.4], [{ severity: 'medium', likelihood: 0.3 }]);
  a.stance = { label: stance, reason: `${agentId} reason` };
  if (indicators) {
    a.update = {
      previousRunId: PREVIOUS_RUN_ID,
      previousAt: PREVIOUS_AT,
      headline: `${agentId} headline`,
      changes: [],
      indicators,
      needsReview: false,
    };
  }
  return a;
}
