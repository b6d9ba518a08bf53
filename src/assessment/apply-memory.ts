import type { DeskMemory } from '../threads/context.js';
import { withIds, type DeskIdentity } from './finalize.js';
import { groundItems, keepSuppliedEvidence } from './grounding.js';
import type { MemoryAssessmentDraft } from './memory-schema.js';
import type { AgentAssessment, AssessmentProvenance, Trajectory } from './schema.js';
import { CITE_CHANGE_AT, REVIEW_JUMP_ABOVE, type DeskUpdate, type IndicatorUpdate, type TrajectoryChange } from './update.js';

/**
 * Finalising a desk that had memory: its trajectories keep the ids of the earlier ones they
 * continue, and code (never the model) works out what changed since the last view.
 *
 * Rules, in order:
 * - A trajectory that continues an earlier id keeps it. One naming an id that is not in the last
 *   view, or one another trajectory already continued, is treated as new, with a warning.
 * - A new trajectory takes the next number above the highest earlier one (`usedTrajectoryIds`
 *   can raise that floor): ids are never reused, so `JP-01:T3` means one path throughout a thread.
 * - An earlier trajectory neither continued nor retired is retired with the reason "dropped
 *   without a reason", a warning and a flag: never a silent renumbering.
 * - previous/current/delta come from the stored earlier view and the new draft; delta is rounded
 *   to 3 decimals, and |delta| < 0.005 is "unchanged".
 * - A move of CITE_CHANGE_AT or more that cites no supplied event is flagged; a move of more than
 *   REVIEW_JUMP_ABOVE is flagged for review. An added trajectory counts as a move from 0, a
 *   retired one as a move to 0.
 * - Indicator updates keep only ids of the earlier view's indicators.
 */

export interface MemoryFinalizeOptions {
  /** The evidence ids the desk was shown (E1 = the event, E2… earlier events). */
  evidenceIds: readonly string[];
  /**
   * Trajectory ids this desk has used anywhere in the thread, retired ones included, when known:
   * new trajectories are numbered above them too. The last view's own ids always count.
   */
  usedTrajectoryIds?: readonly string[];
}

/**
 * Rounds to 3 decimals, the precision deltas are stored and compared at. Symmetric around zero
 * (a fall is flagged exactly like a rise of the same size) and never -0.
 */
export function round3(x: number): number {
  const r = Math.round(Math.abs(x) * 1000) / 1000;
  return x < 0 && r !== 0 ? -r : r;
}

/** Below this (rounded) move a trajectory reads "no change". */
export const UNCHANGED_BELOW = 0.005;

/** `0.1` → "0.10", `0.125` → "0.125": the size of a move in a flag. */
function magnitudeText(m: number): string {
  const s = m.toFixed(3);
  return s.endsWith('0') ? s.slice(0, -1) : s;
}

/**
 * Code's checks on one trajectory's move (`magnitude` ≥ 0, already rounded): an uncited move of
 * CITE_CHANGE_AT or more, and a jump above REVIEW_JUMP_ABOVE.
 */
export function changeFlags(magnitude: number, evidence: readonly string[]): string[] {
  const flags: string[] = [];
  if (magnitude >= CITE_CHANGE_AT && evidence.length === 0) flags.push(`no evidence cited for a change of ${magnitudeText(magnitude)}`);
  if (magnitude > REVIEW_JUMP_ABOVE) flags.push(`jump of ${magnitudeText(magnitude)}: review`);
  return flags;
}

/**
 * An id as the model may write it (`JP-01:T2`, `jp-01:t2`, `T2`) in the desk's canonical form;
 * null when it is not an id of this desk and kind at all.
 */
export function canonicalItemId(raw: string, deskId: string, kind: 'T' | 'I'): string | null {
  const text = raw.trim().replace(/^`|`$/g, '');
  const short = new RegExp(`^${kind}0*([1-9][0-9]*)$`, 'i').exec(text);
  if (short) return `${deskId}:${kind}${short[1]}`;
  const colon = text.lastIndexOf(':');
  if (colon < 0 || text.slice(0, colon).toUpperCase() !== deskId.toUpperCase()) return null;
  const n = new RegExp(`^${kind}0*([1-9][0-9]*)$`, 'i').exec(text.slice(colon + 1));
  return n ? `${deskId}:${kind}${n[1]}` : null;
}

function trajectoryNumber(id: string): number {
  const m = /:T([0-9]+)$/.exec(id);
  return m ? Number(m[1]) : 0;
}

export function finalizeWithMemory(
  draft: MemoryAssessmentDraft,
  desk: DeskIdentity,
  provenance: AssessmentProvenance,
  memory: DeskMemory,
  options: MemoryFinalizeOptions,
): AgentAssessment {
  const warnings: string[] = [];
  const supplied = new Set(options.evidenceIds);
  // The assessment keeps the ordinary shape (and field order); what ties it to the last view
  // moves into `update`.
  const { retiredTrajectories, update, ...rest } = draft;
  const grounded = groundItems(rest.keyFacts, rest.risks, options.evidenceIds, warnings);

  const earlier = memory.lastView.trajectories;
  const earlierById = new Map(earlier.map((t) => [t.id, t]));
  let highest = Math.max(0, ...earlier.map((t) => trajectoryNumber(t.id)), ...(options.usedTrajectoryIds ?? []).map(trajectoryNumber));
  const continuedBy = new Map<string, string>();

  const trajectories: Trajectory[] = [];
  const changes: TrajectoryChange[] = [];
  for (const t of rest.trajectories) {
    const { continues, driver, changeReason, evidence: cited, ...kept } = t;
    const evidence = keepSuppliedEvidence(cited, supplied, `trajectory "${t.name}"`, warnings);
    let id: string | null = null;
    if (!/^new$/i.test(continues.trim())) {
      const named = canonicalItemId(continues, desk.id, 'T');
      const shown = named ?? continues.trim();
      if (named && earlierById.has(named) && !continuedBy.has(named)) {
        id = named;
      } else if (named && continuedBy.has(named)) {
        warnings.push(`trajectory "${t.name}" continues ${shown}, already continued by "${continuedBy.get(named)}": treated as new`);
      } else {
        warnings.push(`trajectory "${t.name}" continues ${shown}, which is not in the last view: treated as new`);
      }
    }
    if (id === null) {
      highest += 1;
      const newId = `${desk.id}:T${highest}`;
      trajectories.push({ id: newId, ...kept });
      const magnitude = round3(t.probability);
      changes.push({
        trajectoryId: newId,
        name: t.name,
        status: 'added',
        previous: null,
        current: t.probability,
        delta: null,
        driver,
        reason: changeReason,
        evidence,
        flags: changeFlags(magnitude, evidence),
      });
      continue;
    }
    continuedBy.set(id, t.name);
    trajectories.push({ id, ...kept });
    const previous = earlierById.get(id)!.probability;
    const delta = round3(t.probability - previous);
    const moved = Math.abs(delta) >= UNCHANGED_BELOW;
    changes.push({
      trajectoryId: id,
      name: t.name,
      status: moved ? 'changed' : 'unchanged',
      previous,
      current: t.probability,
      delta,
      driver,
      reason: changeReason,
      evidence,
      flags: changeFlags(Math.abs(delta), evidence),
    });
  }

  // Retirements the model declared, then earlier trajectories it passed over in silence.
  const retired = new Map<string, { reason: string; evidence: string[]; flags: string[] }>();
  for (const r of retiredTrajectories) {
    const id = canonicalItemId(r.trajectoryId, desk.id, 'T');
    const shown = id ?? r.trajectoryId.trim();
    if (id === null || !earlierById.has(id)) {
      warnings.push(`ignored the retirement of ${shown}: not in the last view`);
    } else if (continuedBy.has(id)) {
      warnings.push(`ignored the retirement of ${id}: trajectory "${continuedBy.get(id)}" continues it`);
    } else if (retired.has(id)) {
      warnings.push(`ignored a second retirement of ${id}`);
    } else {
      const evidence = keepSuppliedEvidence(r.evidence, supplied, `the retirement of ${id}`, warnings);
      retired.set(id, { reason: r.reason, evidence, flags: [] });
    }
  }
  for (const t of earlier) {
    if (continuedBy.has(t.id) || retired.has(t.id)) continue;
    warnings.push(`trajectory ${t.id} "${t.name}" from the last view was neither continued nor retired: retired as dropped without a reason`);
    retired.set(t.id, { reason: 'dropped without a reason', evidence: [], flags: ['dropped without a reason'] });
  }
  for (const t of earlier) {
    const r = retired.get(t.id);
    if (!r) continue;
    changes.push({
      trajectoryId: t.id,
      name: t.name,
      status: 'retired',
      previous: t.probability,
      current: null,
      delta: null,
      driver: null,
      reason: r.reason,
      evidence: r.evidence,
      flags: [...r.flags, ...changeFlags(round3(t.probability), r.evidence)],
    });
  }

  const earlierIndicators = new Map(memory.lastView.indicators.map((i) => [i.id, i.indicator]));
  const indicators: IndicatorUpdate[] = [];
  for (const u of update.indicators) {
    const id = canonicalItemId(u.indicatorId, desk.id, 'I');
    const indicator = id === null ? undefined : earlierIndicators.get(id);
    if (id === null || indicator === undefined) {
      warnings.push(`dropped the status update for indicator ${id ?? u.indicatorId.trim()}: not in the last view`);
      continue;
    }
    if (indicators.some((i) => i.indicatorId === id)) {
      warnings.push(`dropped a second status update for indicator ${id}`);
      continue;
    }
    const evidence = keepSuppliedEvidence(u.evidence, supplied, `the status of indicator ${id}`, warnings);
    indicators.push({ indicatorId: id, indicator, status: u.status, note: u.note, evidence });
  }

  const deskUpdate: DeskUpdate = {
    previousRunId: memory.lastView.runId,
    previousAt: memory.lastView.at,
    previousEvent: {
      eventId: memory.lastView.eventId,
      title: memory.lastView.eventTitle,
      ...(memory.lastView.eventAt ? { at: memory.lastView.eventAt } : {}),
    },
    headline: update.headline,
    changes,
    indicators,
    needsReview: changes.some((c) => c.flags.length > 0),
  };

  return {
    agentId: desk.id,
    agentName: desk.name,
    signOff: `${desk.id}, ${desk.name}`,
    ...rest,
    keyFacts: grounded.keyFacts,
    risks: withIds(desk.id, grounded.risks, 'R'),
    trajectories,
    indicators: withIds(desk.id, rest.indicators, 'I'),
    provenance,
    update: deskUpdate,
    grounding: grounded.grounding,
    warnings,
  };
}
