import type { AgentAssessment, Indicator, Risk, Trajectory } from '../assessment/schema.js';
import { DEFAULT_TRIM_FRACTION, poolDistributions, spread } from './pool.js';
import type { Coverage, MergedRisk, MergedScenario, RiskView, SynthesisDraft, WatchItem } from './schema.js';
import { riskLevelFromScore, severityFromRank, severityRank } from './severity.js';

export interface RiskViewOptions {
  /** Spread between desks at or above which a scenario is flagged as sharply disputed. @default 0.3 */
  disagreementThreshold?: number;
  /** @default 0.2 */
  trimFraction?: number;
}

export const DEFAULT_DISAGREEMENT_THRESHOLD = 0.3;
/** How many of the highest-scoring merged risks set the overall level. */
const OVERALL_DRIVERS = 3;

const round = (v: number, digits = 3): number => Math.round(v * 10 ** digits) / 10 ** digits;
const mean = (values: number[]): number => values.reduce((s, v) => s + v, 0) / values.length;

interface Owned<T> {
  item: T;
  agentId: string;
}

/**
 * Keeps only ids of the right kind that exist and were not used by an earlier cluster; everything
 * else is dropped with a warning. The model clusters; it never gets to invent or double-count.
 */
function claimIds<T>(
  memberIds: string[],
  known: Map<string, Owned<T>>,
  claimed: Set<string>,
  where: string,
  warnings: string[],
): string[] {
  const kept: string[] = [];
  for (const id of memberIds) {
    if (!known.has(id)) {
      warnings.push(`dropped unknown id ${id} from ${where}`);
    } else if (claimed.has(id)) {
      warnings.push(`dropped ${id} from ${where}: already placed in an earlier cluster`);
    } else {
      claimed.add(id);
      kept.push(id);
    }
  }
  return kept;
}

function indexItems<T extends { id: string }>(
  assessments: AgentAssessment[],
  pick: (a: AgentAssessment) => T[],
): Map<string, Owned<T>> {
  const map = new Map<string, Owned<T>>();
  for (const a of assessments) for (const item of pick(a)) map.set(item.id, { item, agentId: a.agentId });
  return map;
}

const uniqueAgents = (ids: string[], known: Map<string, Owned<unknown>>): string[] => [
  ...new Set(ids.map((id) => known.get(id)?.agentId).filter((a): a is string => a !== undefined)),
];

function mergeRisk(id: string, title: string, axis: string, summary: string, sourceIds: string[], risks: Map<string, Owned<Risk>>): MergedRisk {
  const members = sourceIds.map((s) => risks.get(s)!.item);
  const ranks = members.map((r) => severityRank(r.severity));
  const meanSeverity = mean(ranks);
  const meanLikelihood = mean(members.map((r) => r.likelihood));
  return {
    id,
    title,
    axis,
    summary,
    sourceIds,
    agentIds: uniqueAgents(sourceIds, risks),
    maxSeverity: severityFromRank(Math.max(...ranks)),
    meanSeverity: round(meanSeverity, 2),
    meanLikelihood: round(meanLikelihood),
    score: round(meanSeverity * meanLikelihood),
  };
}

function buildRiskRegister(draft: SynthesisDraft, risks: Map<string, Owned<Risk>>, warnings: string[]): MergedRisk[] {
  const claimed = new Set<string>();
  const clusters: Omit<MergedRisk, 'id'>[] = [];
  for (const cluster of draft.riskClusters) {
    const kept = claimIds(cluster.memberIds, risks, claimed, `risk cluster "${cluster.title}"`, warnings);
    if (kept.length === 0) {
      warnings.push(`dropped risk cluster "${cluster.title}": none of its ids are desk risks`);
      continue;
    }
    clusters.push(mergeRisk('', cluster.title, cluster.axis, cluster.summary, kept, risks));
  }
  // A desk risk the model forgot is still a risk: it stands alone rather than vanishing.
  for (const [id, { item }] of risks) {
    if (!claimed.has(id)) clusters.push(mergeRisk('', item.title, item.axis, item.description, [id], risks));
  }
  return clusters
    .sort((a, b) => b.score - a.score || b.agentIds.length - a.agentIds.length)
    .map((r, i) => ({ ...r, id: `RR${i + 1}` }));
}

function buildScenarios(
  draft: SynthesisDraft,
  assessments: AgentAssessment[],
  trajectories: Map<string, Owned<Trajectory>>,
  options: Required<RiskViewOptions>,
  warnings: string[],
): MergedScenario[] {
  const claimed = new Set<string>();
  const groups: { name: string; summary: string; memberIds: string[]; unclustered: boolean }[] = [];
  for (const cluster of draft.scenarioClusters) {
    const kept = claimIds(cluster.memberIds, trajectories, claimed, `scenario "${cluster.name}"`, warnings);
    if (kept.length === 0) {
      warnings.push(`dropped scenario "${cluster.name}": none of its ids are desk trajectories`);
      continue;
    }
    groups.push({ name: cluster.name, summary: cluster.summary, memberIds: kept, unclustered: false });
  }
  for (const [id, { item }] of trajectories) {
    if (!claimed.has(id)) {
      warnings.push(`trajectory ${id} was not clustered; it stands as its own scenario`);
      groups.push({ name: item.name, summary: item.keyDynamics, memberIds: [id], unclustered: true });
    }
  }
  if (groups.length === 0) return [];

  // Each desk's trajectories partition into the scenarios, so each row is that desk's distribution.
  const perAgent = groups.map((g) =>
    assessments.map((a) => {
      const mine = g.memberIds.filter((id) => trajectories.get(id)?.agentId === a.agentId);
      const probability = mine.reduce((s, id) => s + trajectories.get(id)!.item.probability, 0);
      return { agentId: a.agentId, probability: round(probability), trajectoryIds: mine };
    }),
  );
  const rows = assessments.map((_, deskIndex) => perAgent.map((views) => views[deskIndex]!.probability));
  const pooled = poolDistributions(rows, options.trimFraction);

  return groups
    .map((g, i) => {
      const views = perAgent[i]!;
      // Rounded like the probabilities it comes from, and compared as shown: 0.7 − 0.4 is
      // 0.29999999999999993 in floating point, and 30 points must be flagged.
      const s = round(spread(views.map((v) => v.probability)));
      return {
        id: '',
        name: g.name,
        summary: g.summary,
        memberIds: g.memberIds,
        perAgent: views,
        pooledProbability: round(pooled[i] ?? 0),
        spread: s,
        disagreement: s >= options.disagreementThreshold,
        unclustered: g.unclustered,
      };
    })
    .sort((a, b) => b.pooledProbability - a.pooledProbability)
    .map((s, i) => ({ ...s, id: `S${i + 1}` }));
}

function buildWatchlist(draft: SynthesisDraft, indicators: Map<string, Owned<Indicator>>, warnings: string[]): WatchItem[] {
  const claimed = new Set<string>();
  return draft.watchlist.map((w) => {
    const sourceIds = claimIds(w.memberIds, indicators, claimed, `watchlist item "${w.indicator}"`, warnings);
    return { indicator: w.indicator, why: w.why, sourceIds, agentIds: uniqueAgents(sourceIds, indicators) };
  });
}

function keepKnownDesks(ids: string[], desks: Set<string>, where: string, warnings: string[]): string[] {
  const kept = [...new Set(ids)].filter((id) => desks.has(id));
  for (const id of ids) if (!desks.has(id)) warnings.push(`dropped unknown desk ${id} from ${where}`);
  return kept;
}

/**
 * Turns the model's clusters and narrative plus the validated desk assessments into the
 * consolidated risk view. All numbers here come from the assessments, never from the model.
 */
export function buildRiskView(
  assessments: AgentAssessment[],
  draft: SynthesisDraft,
  coverage: Coverage,
  provenance: RiskView['provenance'],
  options: RiskViewOptions = {},
): RiskView {
  const opts: Required<RiskViewOptions> = {
    disagreementThreshold: options.disagreementThreshold ?? DEFAULT_DISAGREEMENT_THRESHOLD,
    trimFraction: options.trimFraction ?? DEFAULT_TRIM_FRACTION,
  };
  const warnings: string[] = [];
  const desks = new Set(assessments.map((a) => a.agentId));
  const risks = indexItems(assessments, (a) => a.risks);
  const trajectories = indexItems(assessments, (a) => a.trajectories);
  const indicators = indexItems(assessments, (a) => a.indicators);

  const riskRegister = buildRiskRegister(draft, risks, warnings);
  const scenarios = buildScenarios(draft, assessments, trajectories, opts, warnings);
  const watchlist = buildWatchlist(draft, indicators, warnings);

  const consensus = draft.consensus
    .map((c) => ({ point: c.point, agentIds: keepKnownDesks(c.agentIds, desks, `consensus "${c.point}"`, warnings) }))
    .filter((c) => c.agentIds.length > 0);
  const divergences = draft.divergences
    .map((d) => ({
      topic: d.topic,
      positions: d.positions.filter((p) => {
        if (desks.has(p.agentId)) return true;
        warnings.push(`dropped unknown desk ${p.agentId} from divergence "${d.topic}"`);
        return false;
      }),
    }))
    .filter((d) => {
      if (d.positions.length >= 2) return true;
      warnings.push(`dropped divergence "${d.topic}": fewer than two known desks left`);
      return false;
    });

  const drivers = riskRegister.slice(0, OVERALL_DRIVERS);
  const overallScore = drivers.length > 0 ? round(mean(drivers.map((r) => r.score))) : 0;

  return {
    bottomLine: draft.bottomLine,
    overallRisk: { level: riskLevelFromScore(overallScore), score: overallScore, drivers: drivers.map((r) => r.id) },
    consensus,
    divergences,
    riskRegister,
    scenarios,
    watchlist,
    coverage,
    method: {
      pooling: `trimmed mean (${Math.round(opts.trimFraction * 100)}% each end), renormalised`,
      disagreementThreshold: opts.disagreementThreshold,
    },
    warnings,
    provenance,
  };
}
