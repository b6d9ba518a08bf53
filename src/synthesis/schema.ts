import * as z from 'zod';
import { SeveritySchema } from '../assessment/schema.js';

/**
 * What the synthesizer model writes: clusters of desk item ids and narrative. It writes no
 * numbers — pooled probabilities, severities, counts and coverage are computed in code from the
 * validated desk assessments (see build-risk-view.ts).
 */
const text = (description: string) => z.string().trim().min(1).describe(description);
const ids = (description: string) => z.array(z.string()).describe(description);

export const SynthesisDraftSchema = z.object({
  bottomLine: text('Consolidated bottom line across desks, two or three sentences'),
  consensus: z
    .array(
      z.object({
        point: text('A judgement several desks share'),
        agentIds: ids('Desk ids that hold this view, e.g. ["JP-01","US-01"]'),
      }),
    )
    .describe('Points of consensus'),
  divergences: z
    .array(
      z.object({
        topic: text('What the desks disagree about'),
        positions: z
          .array(z.object({ agentId: text('Desk id'), position: text('That desk\'s position in one sentence') }))
          .min(2)
          .describe('At least two differing desk positions'),
      }),
    )
    .describe('Where desks diverge'),
  riskClusters: z
    .array(
      z.object({
        title: text('Name of the merged risk'),
        axis: text('Risk axis, e.g. "Execution & deliverability"'),
        summary: text('The merged risk in one or two sentences'),
        memberIds: ids('Desk risk ids merged here, e.g. ["JP-01:R1","US-01:R4"]'),
      }),
    )
    .describe('Desk risks grouped into merged risks; every desk risk id should appear in exactly one cluster'),
  scenarioClusters: z
    .array(
      z.object({
        name: text('Name of the merged scenario'),
        summary: text('What happens in this scenario'),
        memberIds: ids('Desk trajectory ids that describe this scenario, e.g. ["JP-01:T1","CN-01:T2"]'),
      }),
    )
    .describe('Desk trajectories grouped into shared scenarios; every trajectory id should appear in exactly one'),
  watchlist: z
    .array(
      z.object({
        indicator: text('Indicator to watch'),
        why: text('Why it matters across desks'),
        memberIds: ids('Desk indicator ids it merges, e.g. ["JP-01:I2"]'),
      }),
    )
    .describe('Merged indicators to watch, most important first'),
});
export type SynthesisDraft = z.infer<typeof SynthesisDraftSchema>;

export const RISK_LEVELS = ['low', 'moderate', 'elevated', 'high', 'severe'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export interface MergedRisk {
  id: string;
  title: string;
  axis: string;
  summary: string;
  sourceIds: string[];
  agentIds: string[];
  maxSeverity: z.infer<typeof SeveritySchema>;
  /** Mean of severities on the 1 (low) … 4 (critical) scale. */
  meanSeverity: number;
  meanLikelihood: number;
  /** meanSeverity × meanLikelihood: expected impact, used for ordering and the overall level. */
  score: number;
}

export interface ScenarioDeskView {
  agentId: string;
  /** Sum of this desk's trajectories in the scenario; 0 when the desk did not foresee it. */
  probability: number;
  trajectoryIds: string[];
}

export interface MergedScenario {
  id: string;
  name: string;
  summary: string;
  memberIds: string[];
  perAgent: ScenarioDeskView[];
  pooledProbability: number;
  /** Max minus min of the desks' probabilities. */
  spread: number;
  /** True when desks disagree sharply (spread at or above the threshold). */
  disagreement: boolean;
  /** True when the model left a trajectory unclustered and code made it a scenario of its own. */
  unclustered: boolean;
  /**
   * The scenario's id within its thread (`S1`, `S2`…), kept across the thread's consolidated views:
   * matched to an earlier view's scenario it inherits that id, otherwise it takes the next free one.
   * Absent on runs archived before threads.
   */
  lineageId?: string;
}

export interface WatchItem {
  indicator: string;
  why: string;
  sourceIds: string[];
  agentIds: string[];
}

export interface Coverage {
  included: string[];
  missing: { agentId: string; reason: string }[];
}

export interface RiskView {
  bottomLine: string;
  overallRisk: { level: RiskLevel; score: number; drivers: string[] };
  consensus: { point: string; agentIds: string[] }[];
  divergences: { topic: string; positions: { agentId: string; position: string }[] }[];
  riskRegister: MergedRisk[];
  scenarios: MergedScenario[];
  watchlist: WatchItem[];
  coverage: Coverage;
  method: { pooling: string; disagreementThreshold: number };
  /** Ids the model invented or repeated, dropped; written for people reading the report. */
  warnings: string[];
  provenance: { provider: string; model: string; promptHash: string; attempts: number };
  /** Present when the thread had an earlier consolidated view: what moved since (see since-last.ts). */
  sinceLast?: SinceLast;
}

/** "Since the last consolidated view": every number computed in code from the two stored views. */
export interface SinceLast {
  previousRunId: string;
  previousAt: string;
  /** The event the earlier view was about (absent on views made before this was recorded). */
  previousEvent?: { eventId: string; title?: string; at?: string };
  scenarios: {
    scenarioId: string;
    lineageId: string;
    name: string;
    /** null: new since the last view. */
    previous: number | null;
    current: number;
    delta: number | null;
    /** The earlier view's scenario it was matched to, and how (shared desk trajectories, or the name). */
    matchedTo: { scenarioId: string; name: string; by: 'trajectories' | 'name' } | null;
  }[];
  /** Earlier scenarios with no counterpart now. */
  retiredScenarios: { scenarioId: string; lineageId: string | null; name: string; previous: number }[];
  stanceChanges: { agentId: string; previous: string; current: string }[];
  newRisks: { id: string; title: string }[];
  retiredRisks: { id: string; title: string }[];
  triggeredIndicators: { agentId: string; indicatorId: string; indicator: string; note: string }[];
  /**
   * The highest lineage number (`S<n>`) issued in the thread up to and including this view, retired
   * ones too, so that the next view's new scenarios never reuse an id retired two views ago.
   * Optional only so that views archived before it was added still read; since-last.ts always sets it.
   */
  lineageHigh?: number;
}
