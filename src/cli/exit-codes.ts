/** The documented exit codes (README "Exit codes"). */
export const EXIT = {
  /** Every desk succeeded and the synthesis was produced. */
  ok: 0,
  /** The run failed: no synthesis (every desk failed, or the synthesizer did). */
  failed: 1,
  /** Bad input or usage: nothing was run. */
  usage: 2,
  /** Completed, but some desks failed; the synthesis covers the rest. */
  degraded: 3,
  /** The report was produced but could not be archived (read-only path, disk full). */
  archive: 4,
  /** Interrupted by SIGINT (`run`: by SIGTERM too): what finished is archived; `assess resume` completes the run. */
  cancelled: 130,
  /** `watch` stopped by SIGTERM (128 + 15): runs in flight were given their grace, the rest stays queued. */
  terminated: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
