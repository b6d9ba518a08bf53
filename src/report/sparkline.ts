/**
 * A probability history as a text sparkline (`▃▅▇`), one bar per value on a fixed 0–1 scale, so
 * two scenarios' lines compare at a glance. Written here rather than taken from a library: the
 * candidates (sparkly 6 pulls in chalk 4 and its five dependencies for colours this never uses;
 * sparkline 0.2 is an unmaintained CLI) would add more than these lines, and they stretch each
 * line to its own minimum and maximum unless told otherwise.
 */
const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

export function sparkline(probabilities: readonly number[]): string {
  return probabilities
    .map((p) => {
      const clamped = Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : 0;
      return BARS[Math.min(BARS.length - 1, Math.floor(clamped * BARS.length))]!;
    })
    .join('');
}
