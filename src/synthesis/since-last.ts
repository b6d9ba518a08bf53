import type { AgentAssessment } from '../assessment/schema.js';
import { DEFAULT_NAME_THRESHOLD, matchByName, nameSimilarity, type NameMatching } from '../compare/match-by-name.js';
import type { PreviousSynthesis } from '../threads/context.js';
import type { MergedRisk, MergedScenario, RiskView, SinceLast } from './schema.js';

/**
 * "Since the last consolidated view": what moved between the thread's previous synthesis and this
 * one. Pure: both views come in, every number is computed here from the stored values (the model
 * never writes a delta), nothing is read or written.
 *
 * Scenarios are matched so that each keeps an id across the thread's views (its lineage, `S1`,
 * `S2`…), independent of its position in this view's table (`id`, which is by pooled probability
 * and so shifts as scenarios overtake each other):
 *  1. by shared desk trajectories — desks with memory keep their trajectory ids across the thread,
 *     so a scenario built from the same `JP-01:T2`, `CN-01:T1`… is the same scenario whatever the
 *     synthesizer calls it this time;
 *  2. for what is left, by name, with a stricter threshold than `runs diff`: a wrong match shows a
 *     misleading delta, while a missed one only shows as "new" plus "retired", which is honest.
 */

/**
 * Two scenarios sharing at least this share of their combined trajectories (Jaccard) may be
 * matched. A third keeps a scenario whose desks partly re-mapped (two of four desks moved to
 * another trajectory: 2/6) while refusing a lone trajectory the synthesizer left unclustered
 * from inheriting the id of the five-desk scenario it used to belong to (1/5).
 */
export const TRAJECTORY_MATCH_THRESHOLD = 1 / 3;
/** Name similarity (token Jaccard, see match-by-name.ts) at or above which leftover scenarios match. */
export const SCENARIO_NAME_THRESHOLD = 0.6;
/** Same ranking bonus `runs diff` gives two merged risks on the same axis, so the two agree. */
const SAME_AXIS_BONUS = 0.1;
/** Absorbs float noise in threshold comparisons (2/6 computed is 0.33333…). */
const EPSILON = 1e-9;

const LINEAGE_PATTERN = /^S([1-9][0-9]*)$/;

/** 0.55 − 0.45 is 0.10000000000000009 in floating point; deltas are stored as shown. -0 becomes 0. */
const round3 = (v: number): number => Math.round(v * 1000) / 1000 || 0;

function lineageNumber(id: string | undefined): number | null {
  const m = id === undefined ? null : LINEAGE_PATTERN.exec(id);
  return m ? Number(m[1]) : null;
}

/** For a view with no predecessor in its thread: the scenarios in order become S1, S2, … */
export function assignLineage(scenarios: MergedScenario[]): MergedScenario[] {
  return scenarios.map((s, i) => ({ ...s, lineageId: `S${i + 1}` }));
}

/**
 * Each earlier scenario's lineage: its own, or — for a view archived before lineage existed — its
 * position (S1…), which is what `assignLineage` would have given it. A missing one that would
 * collide with an explicit id (only in a damaged view) takes a number above all of them instead.
 */
function earlierLineages(view: RiskView): string[] {
  const taken = new Set(view.scenarios.map((s) => s.lineageId).filter((id): id is string => id !== undefined));
  let next = Math.max(view.scenarios.length, ...[...taken].map((id) => lineageNumber(id) ?? 0)) + 1;
  return view.scenarios.map((s, i) => {
    if (s.lineageId !== undefined) return s.lineageId;
    let id = `S${i + 1}`;
    if (taken.has(id)) id = `S${next++}`;
    taken.add(id);
    return id;
  });
}

interface ScenarioPair {
  previous: number;
  current: number;
  by: 'trajectories' | 'name';
}

/** One-to-one, best pair first: highest Jaccard, then most shared trajectories, then closest names, then order. */
function matchByTrajectories(previous: MergedScenario[], current: MergedScenario[]): ScenarioPair[] {
  const candidates: { previous: number; current: number; jaccard: number; shared: number; names: number }[] = [];
  previous.forEach((p, i) => {
    const members = new Set(p.memberIds);
    current.forEach((c, j) => {
      const mine = new Set(c.memberIds);
      let shared = 0;
      for (const id of mine) if (members.has(id)) shared++;
      if (shared === 0) return;
      const jaccard = shared / (members.size + mine.size - shared);
      if (jaccard + EPSILON < TRAJECTORY_MATCH_THRESHOLD) return;
      candidates.push({ previous: i, current: j, jaccard, shared, names: nameSimilarity(p.name, c.name) });
    });
  });
  candidates.sort(
    (x, y) => y.jaccard - x.jaccard || y.shared - x.shared || y.names - x.names || x.previous - y.previous || x.current - y.current,
  );
  const takenPrevious = new Set<number>();
  const takenCurrent = new Set<number>();
  const pairs: ScenarioPair[] = [];
  for (const c of candidates) {
    if (takenPrevious.has(c.previous) || takenCurrent.has(c.current)) continue;
    takenPrevious.add(c.previous);
    takenCurrent.add(c.current);
    pairs.push({ previous: c.previous, current: c.current, by: 'trajectories' });
  }
  return pairs;
}

function matchScenarios(previous: MergedScenario[], current: MergedScenario[]): ScenarioPair[] {
  const pairs = matchByTrajectories(previous, current);
  const leftPrevious = previous.map((_, i) => i).filter((i) => !pairs.some((p) => p.previous === i));
  const leftCurrent = current.map((_, j) => j).filter((j) => !pairs.some((p) => p.current === j));
  const named = matchByName(
    leftPrevious.map((i) => previous[i]!),
    leftCurrent.map((j) => current[j]!),
    (s) => s.name,
    { threshold: SCENARIO_NAME_THRESHOLD },
  );
  for (const m of named.matched) {
    pairs.push({ previous: leftPrevious[m.indexA]!, current: leftCurrent[m.indexB]!, by: 'name' });
  }
  return pairs;
}

/** Axes are reworded too; the same test `runs diff` applies. */
const sameAxis = (a: string, b: string): boolean => nameSimilarity(a, b) >= DEFAULT_NAME_THRESHOLD;

/**
 * Merged risks are renumbered every run (RR1 is simply the highest score), and their desk risk ids
 * are positions too, so only titles (with the axis as a tie-break) can pair them — exactly as
 * `runs diff` does, so that the two never disagree about what is new. Forecast questions
 * (forecasts/questions-from-view.ts) pair a thread's merged risks with its earlier risk questions
 * through this same function.
 */
export function matchMergedRisks<A extends RiskTitle, B extends RiskTitle>(previous: A[], current: B[]): NameMatching<A | B> {
  return matchByName<A | B>(previous, current, (r) => r.title, {
    bonus: (a, b) => (sameAxis(a.axis, b.axis) ? SAME_AXIS_BONUS : 0),
  });
}

/** What merged-risk matching compares: a title, and the axis as a tie-break. */
export interface RiskTitle {
  title: string;
  axis: string;
}

function matchRisks(previous: MergedRisk[], current: MergedRisk[]): { added: MergedRisk[]; retired: MergedRisk[] } {
  const m = matchMergedRisks(previous, current);
  return { added: m.onlyB, retired: m.onlyA };
}

export interface SinceLastResult {
  sinceLast: SinceLast;
  /** The current view's scenarios, in their order, each with its `lineageId` set. */
  scenarios: MergedScenario[];
}

/**
 * What changed between the thread's previous consolidated view and the current one: scenario
 * deltas (matched as described above), retired scenarios, desks whose stance label changed, new
 * and retired merged risks, and the indicators desks report as triggered.
 */
export function sinceLastView(current: RiskView, currentAssessments: AgentAssessment[], previous: PreviousSynthesis): SinceLastResult {
  const before = previous.view.scenarios;
  const beforeLineage = earlierLineages(previous.view);
  const pairs = matchScenarios(before, current.scenarios);
  const pairOf = new Map(pairs.map((p) => [p.current, p]));

  // Never reuse: new ids start above every number the thread has issued, retired ones included.
  let high = Math.max(previous.view.sinceLast?.lineageHigh ?? 0, ...beforeLineage.map((id) => lineageNumber(id) ?? 0));
  const scenarios = current.scenarios.map((s, j) => {
    const pair = pairOf.get(j);
    return { ...s, lineageId: pair ? beforeLineage[pair.previous]! : `S${++high}` };
  });

  const matchedBefore = new Set(pairs.map((p) => p.previous));
  const risks = matchRisks(previous.view.riskRegister, current.riskRegister);

  const sinceLast: SinceLast = {
    previousRunId: previous.runId,
    previousAt: previous.at,
    previousEvent: {
      eventId: previous.eventId,
      ...(previous.eventTitle ? { title: previous.eventTitle } : {}),
      ...(previous.eventAt ? { at: previous.eventAt } : {}),
    },
    scenarios: scenarios.map((s, j) => {
      const pair = pairOf.get(j);
      const earlier = pair ? before[pair.previous]! : null;
      return {
        scenarioId: s.id,
        lineageId: s.lineageId,
        name: s.name,
        previous: earlier ? earlier.pooledProbability : null,
        current: s.pooledProbability,
        delta: earlier ? round3(s.pooledProbability - earlier.pooledProbability) : null,
        matchedTo: earlier && pair ? { scenarioId: earlier.id, name: earlier.name, by: pair.by } : null,
      };
    }),
    retiredScenarios: before.flatMap((s, i) =>
      matchedBefore.has(i) ? [] : [{ scenarioId: s.id, lineageId: beforeLineage[i] ?? null, name: s.name, previous: s.pooledProbability }],
    ),
    stanceChanges: currentAssessments.flatMap((a) => {
      // hasOwn: the stances come from an archived JSON object; only the desks it names count.
      const earlier = Object.hasOwn(previous.stances, a.agentId) ? previous.stances[a.agentId] : undefined;
      return earlier !== undefined && earlier !== a.stance.label ? [{ agentId: a.agentId, previous: earlier, current: a.stance.label }] : [];
    }),
    newRisks: risks.added.map((r) => ({ id: r.id, title: r.title })),
    retiredRisks: risks.retired.map((r) => ({ id: r.id, title: r.title })),
    triggeredIndicators: currentAssessments.flatMap((a) =>
      (a.update?.indicators ?? [])
        .filter((i) => i.status === 'triggered')
        .map((i) => ({ agentId: a.agentId, indicatorId: i.indicatorId, indicator: i.indicator, note: i.note })),
    ),
    lineageHigh: high,
  };
  return { sinceLast, scenarios };
}

/**
 * The since-last step in one call: with an earlier view, the view gains `sinceLast` and lineage
 * matched to it; without one (the thread's first synthesis), lineage S1, S2… in order and no
 * `sinceLast`.
 */
export function withSinceLast(view: RiskView, assessments: AgentAssessment[], previous: PreviousSynthesis | null): RiskView {
  if (!previous) return { ...view, scenarios: assignLineage(view.scenarios) };
  const { sinceLast, scenarios } = sinceLastView(view, assessments, previous);
  return { ...view, scenarios, sinceLast };
}
