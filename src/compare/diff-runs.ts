import type { AgentAssessment, Indicator, Risk, Severity, Stance, Trajectory } from '../assessment/schema.js';
import { InputError } from '../errors/index.js';
import type { DeskFailure, RunResult, RunStatus } from '../pipeline/run-event.js';
import type { MergedRisk, MergedScenario, RiskLevel, RiskView } from '../synthesis/schema.js';
import { DEFAULT_NAME_THRESHOLD, matchByName, nameSimilarity } from './match-by-name.js';

/**
 * Comparisons of runs and of desks: what changed between two runs of an event (`diffRuns`), or
 * where two desks of one run diverge (`diffDesksWithinRun`). Pure: no I/O, no model calls; items
 * are paired by name similarity (see match-by-name.ts), never by id, because ids are positions
 * (`JP-01:R3`) and shift whenever a desk adds or drops an item.
 *
 * "A" is the first argument and "B" the second: `added` means only in B, `removed` only in A,
 * and every shift is B − A.
 */

/** A likelihood moving by at least this much (5 points) makes a matched risk "re-rated". */
export const LIKELIHOOD_RERATE_THRESHOLD = 0.05;
/** Ranking bonus for two risks on the same axis, so that among similar titles the same axis wins. */
const SAME_AXIS_BONUS = 0.1;
/** Absorbs float noise in threshold comparisons (0.45 − 0.4 = 0.04999…). */
const EPSILON = 1e-9;

const round3 = (v: number): number => Math.round(v * 1000) / 1000;
const shiftOf = (a: number, b: number): number => round3(b - a);
const sameText = (a: string, b: string): boolean => a.replace(/\s+/g, ' ').trim() === b.replace(/\s+/g, ' ').trim();

// ── Types ────────────────────────────────────────────────────────────────────────────────────

export interface StanceDiff {
  labelA: Stance;
  labelB: Stance;
  reasonA: string;
  reasonB: string;
  /** The label differs (a reworded reason alone is not a stance change). */
  changed: boolean;
}

export interface ValueShift {
  a: number;
  b: number;
  /** b − a, rounded to 3 decimals. */
  shift: number;
}

export interface TrajectoryShift {
  idA: string;
  idB: string;
  nameA: string;
  nameB: string;
  probabilityA: number;
  probabilityB: number;
  /** probabilityB − probabilityA, rounded to 3 decimals. */
  shift: number;
  labelA: string;
  labelB: string;
  /** Name similarity, 0…1. */
  similarity: number;
  /** Paired because the run's synthesizer put both in one scenario (desks of one run only). */
  linked: boolean;
}

export interface TrajectoryRef {
  id: string;
  name: string;
  probability: number;
  label: string;
}

export interface TrajectoriesDiff {
  /** Every matched pair, changed or not, in A's order. */
  matched: TrajectoryShift[];
  /** Only in B. */
  added: TrajectoryRef[];
  /** Only in A. */
  removed: TrajectoryRef[];
}

export interface RiskRef {
  id: string;
  title: string;
  axis: string;
  severity: Severity;
  likelihood: number;
}

export interface RiskRerating {
  idA: string;
  idB: string;
  titleA: string;
  titleB: string;
  axisA: string;
  axisB: string;
  severityA: Severity;
  severityB: Severity;
  likelihoodA: number;
  likelihoodB: number;
  /** likelihoodB − likelihoodA, rounded to 3 decimals. */
  likelihoodShift: number;
  severityChanged: boolean;
}

export interface RisksDiff {
  /** Only in B, in B's order. */
  added: RiskRef[];
  /** Only in A, in A's order. */
  removed: RiskRef[];
  /** Matched pairs whose severity changed or whose likelihood moved by ≥ 5 points, in A's order. */
  rerated: RiskRerating[];
  /** Matched pairs rated the same (or within 5 points). */
  unchanged: number;
}

export interface IndicatorRef {
  id: string;
  indicator: string;
}

export interface IndicatorsDiff {
  /** Only in B: new indicators to watch. */
  added: IndicatorRef[];
  /** Only in A: dropped indicators. */
  removed: IndicatorRef[];
}

export interface TextChange {
  a: string;
  b: string;
  /** Differs beyond whitespace. */
  changed: boolean;
}

/** One desk against itself in another run, or two desks of one run against each other. */
export interface AssessmentDiff {
  agentIdA: string;
  agentIdB: string;
  agentNameA: string;
  agentNameB: string;
  /** Anything below differs: stance label, confidence, a trajectory, a risk, an indicator, the bottom line. */
  changed: boolean;
  stance: StanceDiff;
  confidence: ValueShift;
  trajectories: TrajectoriesDiff;
  risks: RisksDiff;
  indicators: IndicatorsDiff;
  bottomLine: TextChange;
}

export interface DiffOptions {
  /**
   * Item ids (`JP-01:T1`, `CN-01:R4`, …) known to describe the same thing whatever their wording,
   * e.g. because a synthesizer clustered them. Linked pairs are matched before name similarity,
   * and an unmatched item linked to any item on the other side is not reported as added/removed.
   */
  linked?: (idA: string, idB: string) => boolean;
}

export interface EventDiff {
  idA: string;
  idB: string;
  titleA: string;
  titleB: string;
  /** Same event id. Diffing two different events is allowed, but the report flags it. */
  same: boolean;
}

export interface FailureChange {
  agentId: string;
  /** The desk's failure in A, or null when it did not fail there. */
  a: DeskFailure | null;
  b: DeskFailure | null;
}

export interface ScenarioShift {
  idA: string;
  idB: string;
  nameA: string;
  nameB: string;
  pooledA: number;
  pooledB: number;
  /** pooledB − pooledA, rounded to 3 decimals. */
  shift: number;
  similarity: number;
}

export interface ScenarioRef {
  id: string;
  name: string;
  pooledProbability: number;
}

export interface MergedRiskRef {
  id: string;
  title: string;
  axis: string;
  maxSeverity: Severity;
  score: number;
}

export interface OverallRiskChange {
  levelA: RiskLevel;
  levelB: RiskLevel;
  scoreA: number;
  scoreB: number;
  shift: number;
  levelChanged: boolean;
}

export interface ConsolidatedDiff {
  changed: boolean;
  overallRisk: OverallRiskChange;
  scenarios: { matched: ScenarioShift[]; added: ScenarioRef[]; removed: ScenarioRef[] };
  risks: { added: MergedRiskRef[]; removed: MergedRiskRef[] };
}

export interface RunDiff {
  runIdA: string;
  runIdB: string;
  event: EventDiff;
  status: { a: RunStatus; b: RunStatus };
  /** Anything differs: event, status, a desk, desks present, failures, the consolidated view. */
  changed: boolean;
  /** Desks with an assessment in both runs, in B's order (unchanged desks included, `changed: false`). */
  desks: AssessmentDiff[];
  /** Desks with an assessment only in A / only in B (see `failures` for why). */
  onlyInA: string[];
  onlyInB: string[];
  /** Desks whose failure appeared, disappeared or changed kind or reason. */
  failures: FailureChange[];
  /** Null unless both runs have a synthesis. */
  consolidated: ConsolidatedDiff | null;
  /** Why a run has no synthesis; null when it has one. */
  synthesisMissing: { a: string | null; b: string | null };
}

// ── Desk against desk ────────────────────────────────────────────────────────────────────────

const trajectoryRef = (t: Trajectory): TrajectoryRef => ({ id: t.id, name: t.name, probability: t.probability, label: t.label });
const riskRef = (r: Risk): RiskRef => ({ id: r.id, title: r.title, axis: r.axis, severity: r.severity, likelihood: r.likelihood });
const indicatorRef = (i: Indicator): IndicatorRef => ({ id: i.id, indicator: i.indicator });

/**
 * Unmatched items, minus those linked to something on the other side: the synthesizer says the
 * other side covers them, only not one-to-one.
 */
function unlinked<T extends { id: string }>(items: T[], others: readonly T[], linked: DiffOptions['linked'], side: 'a' | 'b'): T[] {
  if (!linked) return items;
  return items.filter((x) => !others.some((o) => (side === 'a' ? linked(x.id, o.id) : linked(o.id, x.id))));
}

function linkById<T extends { id: string }>(linked: DiffOptions['linked']): ((a: T, b: T) => boolean) | undefined {
  return linked ? (a, b) => linked(a.id, b.id) : undefined;
}

function diffTrajectories(a: Trajectory[], b: Trajectory[], options: DiffOptions): TrajectoriesDiff {
  const link = linkById<Trajectory>(options.linked);
  const m = matchByName(a, b, (t) => t.name, link ? { link } : {});
  return {
    matched: m.matched.map(({ a: ta, b: tb, similarity, linked }) => ({
      idA: ta.id,
      idB: tb.id,
      nameA: ta.name,
      nameB: tb.name,
      probabilityA: ta.probability,
      probabilityB: tb.probability,
      shift: shiftOf(ta.probability, tb.probability),
      labelA: ta.label,
      labelB: tb.label,
      similarity: round3(similarity),
      linked,
    })),
    added: unlinked(m.onlyB, a, options.linked, 'b').map(trajectoryRef),
    removed: unlinked(m.onlyA, b, options.linked, 'a').map(trajectoryRef),
  };
}

function diffRisks(a: Risk[], b: Risk[], options: DiffOptions): RisksDiff {
  const link = linkById<Risk>(options.linked);
  const m = matchByName(a, b, (r) => r.title, {
    bonus: (x, y) => (sameAxis(x.axis, y.axis) ? SAME_AXIS_BONUS : 0),
    ...(link ? { link } : {}),
  });
  const rerated: RiskRerating[] = [];
  let unchanged = 0;
  for (const { a: ra, b: rb } of m.matched) {
    const likelihoodShift = shiftOf(ra.likelihood, rb.likelihood);
    const severityChanged = ra.severity !== rb.severity;
    if (!severityChanged && Math.abs(likelihoodShift) < LIKELIHOOD_RERATE_THRESHOLD - EPSILON) {
      unchanged++;
      continue;
    }
    rerated.push({
      idA: ra.id,
      idB: rb.id,
      titleA: ra.title,
      titleB: rb.title,
      axisA: ra.axis,
      axisB: rb.axis,
      severityA: ra.severity,
      severityB: rb.severity,
      likelihoodA: ra.likelihood,
      likelihoodB: rb.likelihood,
      likelihoodShift,
      severityChanged,
    });
  }
  return {
    added: unlinked(m.onlyB, a, options.linked, 'b').map(riskRef),
    removed: unlinked(m.onlyA, b, options.linked, 'a').map(riskRef),
    rerated,
    unchanged,
  };
}

function diffIndicators(a: Indicator[], b: Indicator[], options: DiffOptions): IndicatorsDiff {
  const link = linkById<Indicator>(options.linked);
  const m = matchByName(a, b, (i) => i.indicator, link ? { link } : {});
  return {
    added: unlinked(m.onlyB, a, options.linked, 'b').map(indicatorRef),
    removed: unlinked(m.onlyA, b, options.linked, 'a').map(indicatorRef),
  };
}

/** Axes are reworded too ("Domestic political backlash & oversight" / "Domestic backlash and oversight"). */
function sameAxis(a: string, b: string): boolean {
  return nameSimilarity(a, b) >= DEFAULT_NAME_THRESHOLD;
}

/** What differs between two assessments: the same desk in two runs, or two desks of one run. */
export function diffAssessments(a: AgentAssessment, b: AgentAssessment, options: DiffOptions = {}): AssessmentDiff {
  const stance: StanceDiff = {
    labelA: a.stance.label,
    labelB: b.stance.label,
    reasonA: a.stance.reason,
    reasonB: b.stance.reason,
    changed: a.stance.label !== b.stance.label,
  };
  const confidence: ValueShift = { a: a.confidence, b: b.confidence, shift: shiftOf(a.confidence, b.confidence) };
  const trajectories = diffTrajectories(a.trajectories, b.trajectories, options);
  const risks = diffRisks(a.risks, b.risks, options);
  const indicators = diffIndicators(a.indicators, b.indicators, options);
  const bottomLine: TextChange = { a: a.bottomLine, b: b.bottomLine, changed: !sameText(a.bottomLine, b.bottomLine) };

  const changed =
    stance.changed ||
    confidence.shift !== 0 ||
    trajectories.added.length > 0 ||
    trajectories.removed.length > 0 ||
    trajectories.matched.some((t) => t.shift !== 0 || t.nameA !== t.nameB || t.labelA !== t.labelB) ||
    risks.added.length > 0 ||
    risks.removed.length > 0 ||
    risks.rerated.length > 0 ||
    indicators.added.length > 0 ||
    indicators.removed.length > 0 ||
    bottomLine.changed;

  return {
    agentIdA: a.agentId,
    agentIdB: b.agentId,
    agentNameA: a.agentName,
    agentNameB: b.agentName,
    changed,
    stance,
    confidence,
    trajectories,
    risks,
    indicators,
    bottomLine,
  };
}

// ── Run against run ──────────────────────────────────────────────────────────────────────────

const scenarioRef = (s: MergedScenario): ScenarioRef => ({ id: s.id, name: s.name, pooledProbability: s.pooledProbability });
const mergedRiskRef = (r: MergedRisk): MergedRiskRef => ({ id: r.id, title: r.title, axis: r.axis, maxSeverity: r.maxSeverity, score: r.score });

function diffRiskViews(a: RiskView, b: RiskView): ConsolidatedDiff {
  const overallRisk: OverallRiskChange = {
    levelA: a.overallRisk.level,
    levelB: b.overallRisk.level,
    scoreA: a.overallRisk.score,
    scoreB: b.overallRisk.score,
    shift: shiftOf(a.overallRisk.score, b.overallRisk.score),
    levelChanged: a.overallRisk.level !== b.overallRisk.level,
  };
  const s = matchByName(a.scenarios, b.scenarios, (x) => x.name);
  const scenarios = {
    matched: s.matched.map(({ a: sa, b: sb, similarity }) => ({
      idA: sa.id,
      idB: sb.id,
      nameA: sa.name,
      nameB: sb.name,
      pooledA: sa.pooledProbability,
      pooledB: sb.pooledProbability,
      shift: shiftOf(sa.pooledProbability, sb.pooledProbability),
      similarity: round3(similarity),
    })),
    added: s.onlyB.map(scenarioRef),
    removed: s.onlyA.map(scenarioRef),
  };
  const r = matchByName(a.riskRegister, b.riskRegister, (x) => x.title, {
    bonus: (x, y) => (sameAxis(x.axis, y.axis) ? SAME_AXIS_BONUS : 0),
  });
  const risks = { added: r.onlyB.map(mergedRiskRef), removed: r.onlyA.map(mergedRiskRef) };
  const changed =
    overallRisk.levelChanged ||
    overallRisk.shift !== 0 ||
    scenarios.added.length > 0 ||
    scenarios.removed.length > 0 ||
    scenarios.matched.some((x) => x.shift !== 0 || x.nameA !== x.nameB) ||
    risks.added.length > 0 ||
    risks.removed.length > 0;
  return { changed, overallRisk, scenarios, risks };
}

function sameFailure(a: DeskFailure | null, b: DeskFailure | null): boolean {
  if (a === null || b === null) return a === b;
  return a.kind === b.kind && a.reason === b.reason;
}

function diffFailures(a: DeskFailure[], b: DeskFailure[]): FailureChange[] {
  const ids = [...new Set([...b.map((f) => f.agentId), ...a.map((f) => f.agentId)])];
  return ids
    .map((agentId) => ({
      agentId,
      a: a.find((f) => f.agentId === agentId) ?? null,
      b: b.find((f) => f.agentId === agentId) ?? null,
    }))
    .filter((c) => !sameFailure(c.a, c.b));
}

const missingSynthesis = (run: RunResult): string | null =>
  run.synthesis === null ? (run.synthesisError ?? 'no synthesis') : null;

/** What changed from run A to run B: desk by desk, desks present, failures, the consolidated view. */
export function diffRuns(a: RunResult, b: RunResult): RunDiff {
  const inA = new Map(a.assessments.map((x) => [x.agentId, x]));
  const inB = new Set(b.assessments.map((x) => x.agentId));
  const desks = b.assessments.flatMap((xb) => {
    const xa = inA.get(xb.agentId);
    return xa ? [diffAssessments(xa, xb)] : [];
  });
  const onlyInA = a.assessments.filter((x) => !inB.has(x.agentId)).map((x) => x.agentId);
  const onlyInB = b.assessments.filter((x) => !inA.has(x.agentId)).map((x) => x.agentId);
  const failures = diffFailures(a.failures, b.failures);
  const consolidated = a.synthesis && b.synthesis ? diffRiskViews(a.synthesis, b.synthesis) : null;
  const synthesisMissing = { a: missingSynthesis(a), b: missingSynthesis(b) };
  const event: EventDiff = {
    idA: a.event.id,
    idB: b.event.id,
    titleA: a.event.event.title,
    titleB: b.event.event.title,
    same: a.event.id === b.event.id,
  };
  const status = { a: a.status, b: b.status };
  const changed =
    !event.same ||
    status.a !== status.b ||
    desks.some((d) => d.changed) ||
    onlyInA.length > 0 ||
    onlyInB.length > 0 ||
    failures.length > 0 ||
    (consolidated?.changed ?? false) ||
    (synthesisMissing.a === null) !== (synthesisMissing.b === null);
  return { runIdA: a.runId, runIdB: b.runId, event, status, changed, desks, onlyInA, onlyInB, failures, consolidated, synthesisMissing };
}

// ── Desk against desk within one run ─────────────────────────────────────────────────────────

/**
 * Which synthesizer clusters (merged risk, scenario, watch item) each desk item id was placed in,
 * so that two desks' items in one cluster count as the same thing whatever their wording.
 */
function clusterLinks(view: RiskView | null): DiffOptions['linked'] {
  if (!view) return undefined;
  const clusters = new Map<string, Set<string>>();
  const place = (ids: string[], key: string) => {
    for (const id of ids) {
      const set = clusters.get(id) ?? new Set<string>();
      set.add(key);
      clusters.set(id, set);
    }
  };
  for (const r of view.riskRegister) place(r.sourceIds, `risk:${r.id}`);
  for (const s of view.scenarios) place(s.memberIds, `scenario:${s.id}`);
  view.watchlist.forEach((w, i) => place(w.sourceIds, `watch:${i}`));
  return (idA, idB) => {
    const ka = clusters.get(idA);
    const kb = clusters.get(idB);
    if (!ka || !kb) return false;
    for (const k of ka) if (kb.has(k)) return true;
    return false;
  };
}

function assessmentOf(run: RunResult, agentId: string): AgentAssessment {
  const found = run.assessments.find((a) => a.agentId === agentId);
  if (found) return found;
  const present = run.assessments.map((a) => a.agentId).join(', ') || 'none';
  const failure = run.failures.find((f) => f.agentId === agentId);
  if (failure) {
    throw new InputError(`desk ${agentId} failed in run ${run.runId} (${failure.kind}: ${failure.reason}); desks with an assessment: ${present}`);
  }
  throw new InputError(`unknown desk ${agentId} in run ${run.runId}; desks present: ${present}`);
}

/**
 * Where two desks of one run diverge. Items the run's synthesizer clustered together (same
 * scenario, merged risk or watch item) are paired first, so differently worded trajectories of
 * the same scenario are compared; the rest are paired by name. Throws `InputError` for a desk
 * without an assessment in the run.
 */
export function diffDesksWithinRun(run: RunResult, agentA: string, agentB: string): AssessmentDiff {
  const a = assessmentOf(run, agentA);
  const b = assessmentOf(run, agentB);
  const linked = clusterLinks(run.synthesis);
  return diffAssessments(a, b, linked ? { linked } : {});
}
