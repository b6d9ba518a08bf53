import { ACTIVE_THREAD_DAYS } from './context.js';
import type { Entities } from './entities.js';

/**
 * How similar a new event is to a thread, offline: a weighted sum of the TF-IDF cosine between the
 * event and the thread's best-matching event and the overlap of the actors they name, times a
 * time decay on the gap since the thread's latest event. Pure functions over what the archive
 * hands in (src/archive/thread-features.ts fetches the candidates).
 *
 *   score = decay(gap) × (COSINE_WEIGHT × cosine + ENTITY_WEIGHT × entities)
 *   score = decay(gap) × cosine                                  (when either event names no entity)
 */

/**
 * Share of the score carried by the TF-IDF cosine. Words carry what makes two reports one story
 * (the facility, the $550 billion, the first loan). Shared actors mostly do not: on the labelled
 * pairs (test/threads-link-table.test.ts) two different stories about one company (Toyota's sales
 * and Toyota's recall, JBIC's U.S. facility and its Indonesian loan) share as many actors as two
 * reports of one story, so entity overlap gets a small share: it tips close calls between
 * reports that name the same people and bodies, and cannot link on its own.
 */
export const COSINE_WEIGHT = 0.9;
/** Share of the score carried by the overlap of named countries, organisations and people. */
export const ENTITY_WEIGHT = 0.1;

/**
 * Days over which the recent part of the decay halves. Gentle on purpose: a story's pieces come
 * weeks apart (the JBIC facility on 26 September, its first projects on 28 October), and a decay
 * that halves in two weeks pushed such a follow-up below the join threshold.
 */
export const DECAY_HALF_LIFE_DAYS = 90;
/**
 * The decay never goes below this inside the active window. A developing story's next piece often
 * comes weeks later (a facility set up, the first projects named a month on); a pure exponential
 * would cut such a thread to a quarter of its similarity before it stops being active. The floor
 * still ranks a fresh thread above a stale one with the same words.
 */
export const DECAY_FLOOR = 0.5;

/**
 * How much each kind of entity counts. A country is weak evidence (most stories in a Japan desk's
 * archive name Japan); an organisation or a person's name is stronger.
 */
export const ENTITY_KIND_WEIGHTS: Readonly<Record<keyof Entities, number>> = {
  countries: 0.5,
  organisations: 1,
  names: 1,
};
/**
 * The overlap's denominator is at least this much entity weight, so that two events sharing the
 * only thing they name — one country, one company — do not count as a full match: sharing Japan
 * alone gives 0.25, sharing Toyota alone 0.5.
 */
export const ENTITY_SATURATION = 2;

const DAY_MS = 86_400_000;

/** A sparse TF-IDF vector: term → weight. */
export type TermVector = ReadonlyMap<string, number>;

/** Inverse document frequency, smoothed so a term no archived event has still gets a finite weight. */
export function idf(documentFrequency: number, documents: number): number {
  return Math.log((documents + 1) / (documentFrequency + 1)) + 1;
}

/**
 * Term frequencies weighted by IDF (`dfOf` returns 0 for a term the archive has never seen). The
 * frequency counts sublinearly (1 + ln tf): a summary that says "rate" four times is not four times
 * about rates, and raw counts let one repeated common word outweigh the rare words that name a story.
 */
export function tfidfVector(terms: ReadonlyMap<string, number>, dfOf: (term: string) => number, documents: number): Map<string, number> {
  const vector = new Map<string, number>();
  for (const [term, tf] of terms) if (tf > 0) vector.set(term, (1 + Math.log(tf)) * idf(dfOf(term), documents));
  return vector;
}

export function norm(vector: TermVector): number {
  let sum = 0;
  for (const w of vector.values()) sum += w * w;
  return Math.sqrt(sum);
}

/** Cosine similarity of two sparse vectors, 0 when either is empty. */
export function cosine(a: TermVector, b: TermVector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [term, w] of small) {
    const other = large.get(term);
    if (other !== undefined) dot += w * other;
  }
  const denominator = norm(a) * norm(b);
  return denominator === 0 ? 0 : dot / denominator;
}

/** Whether name `a` and name `b` are one name: one's words all occur in the other ("ueda" and "kazuo ueda"). */
function sameName(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  const words = new Set(long.split(' '));
  return short.split(' ').every((w) => words.has(w));
}

/**
 * Overlap of two events' entities in [0, 1], or null when either names none (no evidence either
 * way: the score is then the cosine alone). Weighted Jaccard: what both name over what either
 * names, so two stories that share a company but differ in every other actor score lower than two
 * reports that name the same set; the denominator is at least ENTITY_SATURATION.
 */
export function entityOverlap(a: Entities, b: Entities): number | null {
  let shared = 0;
  let totalA = 0;
  let totalB = 0;
  for (const kind of Object.keys(ENTITY_KIND_WEIGHTS) as (keyof Entities)[]) {
    const weight = ENTITY_KIND_WEIGHTS[kind];
    totalA += a[kind].length * weight;
    totalB += b[kind].length * weight;
    if (kind === 'names') {
      // Each of a's names matches at most one of b's, and each of b's at most once.
      const unused = [...b.names];
      for (const name of a.names) {
        const at = unused.findIndex((other) => sameName(name, other));
        if (at !== -1) {
          unused.splice(at, 1);
          shared += weight;
        }
      }
    } else {
      const inB = new Set(b[kind]);
      for (const key of a[kind]) if (inB.has(key)) shared += weight;
    }
  }
  if (totalA === 0 || totalB === 0) return null;
  return shared / Math.max(ENTITY_SATURATION, totalA + totalB - shared);
}

/** Days from `from` to `to` (ISO strings); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return (Date.parse(to) - Date.parse(from)) / DAY_MS;
}

/**
 * The time decay for a gap in days between a new event and its thread's latest event: 1 at no
 * gap, falling with DECAY_HALF_LIFE_DAYS towards DECAY_FLOOR, and 0 beyond ACTIVE_THREAD_DAYS (an
 * inactive thread never gets new events by similarity). A new event dated before the thread's
 * latest event (a late report of an earlier development) has no gap.
 */
export function timeDecay(gapDays: number): number {
  if (!Number.isFinite(gapDays)) return 0;
  const gap = Math.max(0, gapDays);
  if (gap > ACTIVE_THREAD_DAYS) return 0;
  return DECAY_FLOOR + (1 - DECAY_FLOOR) * 0.5 ** (gap / DECAY_HALF_LIFE_DAYS);
}

/** The parts of a score, kept with each decision so `threads show` can say why. */
export interface ScoreParts {
  cosine: number;
  /** Null when either event names no entity: the cosine then carries the whole score. */
  entities: number | null;
  decay: number;
}

/** The combined score in [0, 1]. */
export function combinedScore(parts: ScoreParts): number {
  const similarity = parts.entities === null ? parts.cosine : COSINE_WEIGHT * parts.cosine + ENTITY_WEIGHT * parts.entities;
  return parts.decay * similarity;
}
