import type { Stance } from '../assessment/schema.js';
import type { RiskView } from '../synthesis/schema.js';

/**
 * What a run knows about its story's past: the thread it belongs to, the events the desks are
 * shown (with the short evidence ids code assigns), each desk's last view, and the thread's last
 * consolidated view. Built from the archive before the run starts (src/archive/thread-context.ts),
 * archived with the run (so resume shows the desks exactly the same memory), and consumed by the
 * pipeline's desk step (memory, grounding) and its since-last step.
 *
 * Memory only ever comes from runs of *other, earlier* events of the same thread: re-running an
 * event is a fresh reading of the same evidence, not an update.
 */
export interface ThreadContext {
  thread: ThreadRef;
  /**
   * E1 is the event being assessed; E2, E3… the thread's earlier events, newest first, bounded
   * (MAX_EVIDENCE_EVENTS). Every desk sees the same list, so it sits in the prompt prefix all
   * desks share and prompt caching still works.
   */
  evidence: EvidenceEvent[];
  /** Keyed by desk id; a desk without an earlier view in the thread has no entry. */
  memory: Record<string, DeskMemory>;
  /** The thread's latest synthesis from a run of an earlier event; null when there is none. */
  previousSynthesis: PreviousSynthesis | null;
  /** Earlier assessments that could not be read (corrupt JSON, a shape from an older version): skipped. */
  warnings: string[];
}

/** The thread as a run report names it (`thread` at the top of the JSON report). */
export interface ThreadRef {
  id: string;
  title: string;
  /** Events in the thread when the run started, this one included. */
  events: number;
  /** How this event came to be in the thread. */
  link: LinkDecision;
}

export type LinkMethod =
  /** Joined the most similar active thread (score at or above the join threshold). */
  | 'similarity'
  /** Nothing was similar enough: a new thread. */
  | 'new'
  /** The ambiguous middle band, settled by a small model (opt-in). */
  | 'model'
  /** `--thread ID` on run, or a feed's `thread:` setting naming a thread. */
  | 'override'
  /** `--new-thread`, or a feed's `thread: new`. */
  | 'override-new'
  /** The event was already in a thread (an earlier run of the same event). */
  | 'existing'
  /** `assess threads move` / `assess threads merge`. */
  | 'move'
  | 'merge'
  /** Archived before threads existed: one thread per event. */
  | 'backfill';

export interface LinkDecision {
  threadId: string;
  method: LinkMethod;
  /** The combined similarity to the chosen thread (null when no scoring took place). */
  score: number | null;
  /** The best thread it did not join, and its score: what the decision beat. */
  runnerUp: { threadId: string; score: number } | null;
  /** Score parts (cosine, entities, decay), thresholds, the model's answer: shown by `threads show`. */
  detail: Record<string, unknown>;
  decidedAt: string;
}

export interface EvidenceEvent {
  /** `E1`, `E2`, … assigned in code for this run only. */
  id: string;
  eventId: string;
  title: string;
  /** publishedAt, else when it was first assessed (ISO). */
  at: string;
  /** Bounded (MAX_EVIDENCE_SUMMARY_CHARS) for earlier events; E1 is the full event. */
  summary: string;
}

export interface DeskMemory {
  lastView: DeskLastView;
  /** Evidence ids (into ThreadContext.evidence) of the thread's events since that view, oldest first. */
  eventsSince: string[];
  /**
   * Every trajectory id the desk has used in the thread, retired ones included, so that a new
   * trajectory never takes the number of one retired two or more views ago.
   */
  usedTrajectoryIds?: string[];
}

export interface DeskLastView {
  runId: string;
  eventId: string;
  eventTitle: string;
  /** That event's date (publishedAt, else when it joined the thread). */
  eventAt?: string;
  /** When that assessment was made (ISO). */
  at: string;
  bottomLine: string;
  stance: { label: Stance; reason: string };
  /** `resolveBy` and `resolution` (issue 14) are absent on views archived before horizons. */
  trajectories: { id: string; name: string; probability: number; resolveBy?: string; resolution?: string }[];
  indicators: { id: string; indicator: string }[];
}

export interface PreviousSynthesis {
  runId: string;
  eventId: string;
  /** The earlier event's title and date, for "since the last consolidated view (…)". */
  eventTitle?: string;
  eventAt?: string;
  /** When that synthesis was made. */
  at: string;
  view: RiskView;
  /** Each covered desk's stance in that run, for "desks whose stance changed". */
  stances: Record<string, Stance>;
}

/** Earlier events shown to every desk (E2…): the newest few. */
export const MAX_EVIDENCE_EVENTS = 5;
/** An earlier event's summary is cut to this many characters in the prompt. */
export const MAX_EVIDENCE_SUMMARY_CHARS = 600;
/**
 * Threads with no event for this long are not active: new events do not join them by similarity.
 * Ninety days, because the next piece of a developing story often comes a month or more later.
 */
export const ACTIVE_THREAD_DAYS = 90;
