/**
 * Pooling desk probabilities. A naive mean lets one outlier desk drag the consensus; a trimmed
 * mean drops the most extreme views on each side before averaging, which is the robust pool the
 * forecasting literature recommends for small panels of correlated forecasters.
 */

/** Share of desks dropped from each end before averaging. */
export const DEFAULT_TRIM_FRACTION = 0.2;

/** Trimmed mean: drops floor(n × fraction) values from each end (none when n < 5 at 0.2). */
export function trimmedMean(values: readonly number[], fraction = DEFAULT_TRIM_FRACTION): number {
  if (values.length === 0) throw new RangeError('trimmedMean needs at least one value');
  if (!(fraction >= 0 && fraction < 0.5)) throw new RangeError(`trim fraction must be in [0, 0.5), got ${fraction}`);
  const sorted = [...values].sort((a, b) => a - b);
  const drop = Math.floor(sorted.length * fraction);
  const kept = sorted.slice(drop, sorted.length - drop);
  return kept.reduce((sum, v) => sum + v, 0) / kept.length;
}

/**
 * Pools a desks × scenarios matrix of probabilities (each row one desk's distribution over the
 * shared scenarios) into one distribution: trimmed mean per scenario, then renormalised so the
 * pooled scenarios sum to 1 again (trimming each column separately can break the sum).
 */
export function poolDistributions(rows: readonly (readonly number[])[], fraction = DEFAULT_TRIM_FRACTION): number[] {
  const first = rows[0];
  if (!first) return [];
  const width = first.length;
  const pooled = Array.from({ length: width }, (_, j) => trimmedMean(rows.map((r) => r[j] ?? 0), fraction));
  const total = pooled.reduce((s, v) => s + v, 0);
  return total > 0 ? pooled.map((v) => v / total) : pooled.map(() => 1 / width);
}

/** Max minus min: how far apart the desks are on one scenario. */
export function spread(values: readonly number[]): number {
  if (values.length === 0) return 0;
  return Math.max(...values) - Math.min(...values);
}
