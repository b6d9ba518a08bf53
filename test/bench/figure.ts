/**
 * One measured figure of `npm run bench`, with the target it is held to. Every bench module
 * returns these; the runner prints them as a table and writes them to bench/results.json.
 */
export interface Figure {
  /** Stable key in results.json, e.g. `critical-path.efficiency`. */
  id: string;
  /** What was measured, for the table. */
  name: string;
  /** The measured value: the median of `samples` when there are samples (`met` is decided on it). */
  value: number;
  unit: 'ms' | 's' | 'ratio' | 'MiB' | '%' | 'rpm' | 'count' | 'KiB';
  /** The target, e.g. `<= 1.05`; absent for figures reported without one (diagnostics). */
  target?: { op: '<=' | '>='; value: number };
  /** How it was measured: the command, repetitions, anything a reader needs. */
  detail: string;
  /** Raw samples behind a median, kept in results.json. */
  samples?: number[];
  /** Smallest and largest sample, when the value is a median of samples. */
  min?: number;
  max?: number;
}

/** Fewest repetitions behind a figure that varies between runs: its median is what is judged. */
export const MIN_REPS = 5;

export const median = (values: readonly number[]): number => {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const rounded = (n: number, digits: number): number => Number(n.toFixed(digits));

/**
 * The value, spread and samples of a figure that varies between runs: the median of the samples,
 * their min and max, all rounded to `digits`. Refuses fewer than MIN_REPS samples, so no figure
 * with a target is decided on one lucky (or unlucky) run.
 */
export function ofSamples(samples: readonly number[], digits = 1): Pick<Figure, 'value' | 'min' | 'max' | 'samples'> {
  if (samples.length < MIN_REPS) throw new Error(`a varying figure needs at least ${MIN_REPS} samples, got ${samples.length}`);
  if (samples.some((s) => !Number.isFinite(s))) throw new Error(`a sample is not a number: ${samples.join(', ')}`);
  return {
    value: rounded(median(samples), digits),
    min: rounded(Math.min(...samples), digits),
    max: rounded(Math.max(...samples), digits),
    samples: samples.map((s) => rounded(s, digits)),
  };
}

export function meets(figure: Figure): boolean | null {
  if (!figure.target) return null;
  return figure.target.op === '<=' ? figure.value <= figure.target.value : figure.value >= figure.target.value;
}
