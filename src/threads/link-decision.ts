import type { LinkDecision } from './context.js';
import type { ScoreParts } from './similarity.js';

/**
 * Which thread a new event joins, decided from the ranked active threads: the best one when its
 * score reaches the join threshold, otherwise a new thread. Pure; the archive ranks
 * (src/archive/thread-features.ts rankThreads) and the caller records the decision.
 */

/** A thread as ranked for a new event. */
export interface ThreadCandidate {
  threadId: string;
  /** The combined score (src/threads/similarity.ts combinedScore). */
  score: number;
  parts: ScoreParts;
  /** The thread's event that matched best: the cosine and entity overlap are against it. */
  eventId: string;
}

export interface LinkThresholds {
  /** A thread scoring at or above this is joined. */
  join: number;
  /**
   * Scores in [low, high) are too close to the join threshold to be sure either way: the band a
   * small model may settle (opt-in, not built yet). Without the model the join threshold decides,
   * and the decision's detail says `ambiguous: true`.
   */
  ambiguous: { low: number; high: number };
}

/**
 * The join threshold, set on the labelled pairs in test/threads-link-table.test.ts: different
 * stories there score up to 0.250 (China's rare-earth curbs vs a rare-earth plant in Texas, both
 * dated a day apart), reports of one story from about 0.27 up when they are within a few weeks of
 * each other. The gap is narrow and the set is small, so the threshold errs high: a missed link
 * costs a split thread (`assess threads merge` joins it), a false one feeds a desk another story's
 * memory.
 */
export const JOIN_THRESHOLD = 0.26;
/** The ambiguous band around the join threshold: where the labelled pairs of both kinds mingle. */
export const AMBIGUOUS_BAND: Readonly<{ low: number; high: number }> = Object.freeze({ low: 0.2, high: 0.3 });

export const DEFAULT_LINK_THRESHOLDS: Readonly<LinkThresholds> = Object.freeze({ join: JOIN_THRESHOLD, ambiguous: AMBIGUOUS_BAND });

/** A link decision before the caller has a thread id for a new thread (`threadId: null`). */
export type LinkOutcome = Omit<LinkDecision, 'threadId' | 'method'> & {
  /** The thread joined, or null: start a new thread. */
  threadId: string | null;
  method: Extract<LinkDecision['method'], 'similarity' | 'new'>;
};

function checkThresholds(t: LinkThresholds): void {
  const inUnit = (n: number): boolean => Number.isFinite(n) && n >= 0 && n <= 1;
  if (!inUnit(t.join)) throw new TypeError(`join threshold must be a number from 0 to 1, got ${t.join}`);
  if (!inUnit(t.ambiguous.low) || !inUnit(t.ambiguous.high) || t.ambiguous.low > t.join || t.ambiguous.high < t.join) {
    throw new TypeError(
      `the ambiguous band must lie within 0..1 and contain the join threshold ${t.join}, got [${t.ambiguous.low}, ${t.ambiguous.high})`,
    );
  }
}

const round = (n: number): number => Number(n.toFixed(4));

/**
 * Decides from ranked candidates (any order; ties go to the smaller thread id, so the decision is
 * the same on every machine). `runnerUp` is what the decision beat: the second-best thread when
 * one was joined, the best one when a new thread was started.
 */
export function decideLink(
  ranked: readonly ThreadCandidate[],
  thresholds: LinkThresholds = DEFAULT_LINK_THRESHOLDS,
  now: Date = new Date(),
): LinkOutcome {
  checkThresholds(thresholds);
  const sorted = [...ranked].sort((a, b) => b.score - a.score || (a.threadId < b.threadId ? -1 : a.threadId > b.threadId ? 1 : 0));
  const best = sorted[0];
  const band = [thresholds.ambiguous.low, thresholds.ambiguous.high];
  const decidedAt = now.toISOString();
  if (best === undefined) {
    return { threadId: null, method: 'new', score: null, runnerUp: null, detail: { join: thresholds.join, ambiguousBand: band, ambiguous: false, candidates: 0 }, decidedAt };
  }
  const detail = {
    cosine: round(best.parts.cosine),
    entities: best.parts.entities === null ? null : round(best.parts.entities),
    decay: round(best.parts.decay),
    matchedEventId: best.eventId,
    join: thresholds.join,
    ambiguousBand: band,
    ambiguous: best.score >= thresholds.ambiguous.low && best.score < thresholds.ambiguous.high,
    candidates: sorted.length,
  };
  if (best.score >= thresholds.join) {
    const second = sorted[1];
    return {
      threadId: best.threadId,
      method: 'similarity',
      score: round(best.score),
      runnerUp: second ? { threadId: second.threadId, score: round(second.score) } : null,
      detail,
      decidedAt,
    };
  }
  return { threadId: null, method: 'new', score: null, runnerUp: { threadId: best.threadId, score: round(best.score) }, detail, decidedAt };
}
