/**
 * One measured figure of `npm run bench`, with the target it is held to. Every bench module
 * returns these; the runner prints them as a table and writes them to bench/results.json.
 */
export interface Figure {
  /** Stable key in results.json, e.g. `critical-path.efficiency`. */
  id: string;
  /** What was measured, for the table. */
  name: string;
  /** The measured value (a median unless `detail` says otherwise). */
  value: number;
  unit: 'ms' | 's' | 'ratio' | 'MiB' | '%' | 'rpm' | 'count';
  /** The target, e.g. `<= 1.05`; absent for figures reported without one. */
  target?: { op: '<=' | '>='; value: number };
  /** How it was measured: repetitions, the raw samples' spread, anything a reader needs. */
  detail: string;
  /** Raw samples behind a median, kept in results.json. */
  samples?: number[];
}

export const median = (values: readonly number[]): number => {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export function meets(figure: Figure): boolean | null {
  if (!figure.target) return null;
  return figure.target.op === '<=' ? figure.value <= figure.target.value : figure.value >= figure.target.value;
}
