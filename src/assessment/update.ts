/**
 * What a desk with memory says changed since its last view, as code records it. The model names
 * each trajectory's driver, reason and evidence; `previous`, `current` and `delta` are computed in
 * code from the stored earlier assessment and the new one — the model never writes a delta.
 */

export const UPDATE_DRIVERS = ['new-evidence', 'reinterpretation', 'time-passing', 'correction'] as const;
export type UpdateDriver = (typeof UPDATE_DRIVERS)[number];

export const INDICATOR_STATUSES = ['triggered', 'trending', 'quiet'] as const;
export type IndicatorStatus = (typeof INDICATOR_STATUSES)[number];

/** A change of at least this much must cite an event (E1, E2…). */
export const CITE_CHANGE_AT = 0.05;
/** A move larger than this is flagged for review. */
export const REVIEW_JUMP_ABOVE = 0.25;

export interface TrajectoryChange {
  /** The stable id (`JP-01:T2`): kept across runs of the thread, never renumbered. */
  trajectoryId: string;
  name: string;
  /** `changed`/`unchanged`: in both views; `added`: new this time; `retired`: dropped, with a reason. */
  status: 'changed' | 'unchanged' | 'added' | 'retired';
  /** null for an added trajectory. */
  previous: number | null;
  /** null for a retired trajectory. */
  current: number | null;
  /** current − previous, rounded to 3 decimals; null when either side is missing. */
  delta: number | null;
  driver: UpdateDriver | null;
  reason: string;
  /** Evidence ids the change cites (invented ids already dropped). */
  evidence: string[];
  /** Code's checks: "no evidence cited for a change of 0.10", "jump of 0.30: review". */
  flags: string[];
}

export interface IndicatorUpdate {
  /** The earlier view's indicator id (`JP-01:I3`). */
  indicatorId: string;
  indicator: string;
  status: IndicatorStatus;
  note: string;
  evidence: string[];
}

export interface DeskUpdate {
  previousRunId: string;
  /** When the earlier view was made. */
  previousAt: string;
  /** The event that earlier view assessed (absent when the memory did not say). */
  previousEvent?: { eventId: string; title: string; at?: string };
  headline: string;
  changes: TrajectoryChange[];
  /** Indicators whose status changed since the earlier view. */
  indicators: IndicatorUpdate[];
  /** True when any change is flagged (uncited, or a jump above REVIEW_JUMP_ABOVE). */
  needsReview: boolean;
}

/** How many key facts and risks rest on supplied events versus unverified background knowledge. */
export interface Grounding {
  supplied: number;
  background: number;
}
