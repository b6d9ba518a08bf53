/**
 * Pairs up two lists of named items (trajectories, risks, indicators, scenarios) by how similar
 * their names are, one-to-one, best pair first. Models reword names between runs ("Modest,
 * selective success" → "Modest and selective success"), so exact equality is too strict; token
 * overlap (Jaccard) on normalised names is strict enough not to pair unrelated items and simple
 * enough to explain.
 */

/** Pairs whose names share at least this Jaccard similarity may be matched. */
export const DEFAULT_NAME_THRESHOLD = 0.5;

/**
 * Function words carry no meaning in a name and only dilute the overlap ("Modest and selective
 * success" vs "Modest, selective success"). Dropped unless a name consists only of them.
 */
const STOP_WORDS = new Set(['a', 'an', 'and', 'or', 'the', 'of', 'to', 'in', 'on', 'for', 'with', 'by', 'at', 'as', 'its', 'vs']);

/**
 * The tokens a name is compared on: lower case, accents folded, dots and apostrophes inside words
 * removed ("U.S." → "us", "Japan's" → "japans"), every other punctuation mark a separator,
 * function words dropped.
 */
export function nameTokens(name: string): string[] {
  const words = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[.'’‘`]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
  const content = words.filter((w) => !STOP_WORDS.has(w));
  return content.length > 0 ? content : words;
}

/** Jaccard similarity of the two names' token sets, 0…1; 1 for names equal after normalising. */
export function nameSimilarity(a: string, b: string): number {
  const ta = new Set(nameTokens(a));
  const tb = new Set(nameTokens(b));
  if (ta.size === 0 && tb.size === 0) return 1;
  let shared = 0;
  for (const t of ta) if (tb.has(t)) shared++;
  return shared / (ta.size + tb.size - shared);
}

export interface NameMatch<T> {
  a: T;
  b: T;
  indexA: number;
  indexB: number;
  /** Name similarity, 0…1 (a linked pair may score below the threshold). */
  similarity: number;
  /** True when the pair was accepted because `link` said so. */
  linked: boolean;
}

export interface NameMatching<T> {
  /** Matched pairs, in the order of list A. */
  matched: NameMatch<T>[];
  /** Items of A left without a partner, in A's order. */
  onlyA: T[];
  /** Items of B left without a partner, in B's order. */
  onlyB: T[];
}

export interface MatchOptions<T> {
  /** @default DEFAULT_NAME_THRESHOLD */
  threshold?: number;
  /**
   * Added to the similarity when ranking candidate pairs (never when applying the threshold), so
   * that among comparable names a preferred pair wins, e.g. 0.1 for risks on the same axis.
   */
  bonus?: (a: T, b: T) => number;
  /**
   * Pairs known to belong together whatever their names (e.g. the synthesizer put both in one
   * cluster). Linked pairs are candidates even below the threshold and are matched first.
   */
  link?: (a: T, b: T) => boolean;
}

/**
 * Greedy one-to-one matching: every candidate pair (similarity ≥ threshold, or linked) is ranked
 * linked first, then by similarity + bonus, then by position in A and B (so ties keep the lists'
 * order); pairs are taken in that order while both items are still free.
 */
export function matchByName<T>(
  listA: readonly T[],
  listB: readonly T[],
  nameOf: (item: T) => string,
  options: MatchOptions<T> = {},
): NameMatching<T> {
  const threshold = options.threshold ?? DEFAULT_NAME_THRESHOLD;
  const candidates: (NameMatch<T> & { rank: number })[] = [];
  listA.forEach((a, indexA) => {
    listB.forEach((b, indexB) => {
      const similarity = nameSimilarity(nameOf(a), nameOf(b));
      const linked = options.link?.(a, b) ?? false;
      if (!linked && similarity < threshold) return;
      candidates.push({ a, b, indexA, indexB, similarity, linked, rank: similarity + (options.bonus?.(a, b) ?? 0) });
    });
  });
  candidates.sort(
    (x, y) => Number(y.linked) - Number(x.linked) || y.rank - x.rank || x.indexA - y.indexA || x.indexB - y.indexB,
  );

  const takenA = new Set<number>();
  const takenB = new Set<number>();
  const matched: NameMatch<T>[] = [];
  for (const { rank: _rank, ...c } of candidates) {
    if (takenA.has(c.indexA) || takenB.has(c.indexB)) continue;
    takenA.add(c.indexA);
    takenB.add(c.indexB);
    matched.push(c);
  }
  matched.sort((x, y) => x.indexA - y.indexA);
  return {
    matched,
    onlyA: listA.filter((_, i) => !takenA.has(i)),
    onlyB: listB.filter((_, i) => !takenB.has(i)),
  };
}
