/** When a feed is polled next: on its schedule, or later with backoff while it keeps failing. */
import { Cron } from 'croner';
import type { PollSchedule } from './types.js';

/**
 * Cron expressions are read in UTC, whatever the machine's zone, so a schedule means the same on
 * a laptop and on a server (`PollSchedule` has no zone field): `0 9 * * 1-5` is 09:00 UTC.
 */
export const CRON_TIMEZONE = 'UTC';

/** Backoff never waits longer than this: a feed that comes back is noticed within hours. */
export const MAX_BACKOFF_MS = 6 * 3_600_000;
/** Nor shorter than this. */
export const MIN_BACKOFF_MS = 60_000;
/** ±10%: feeds that failed together (one outage) do not retry in lockstep. */
export const BACKOFF_JITTER = 0.1;

const jobs = new Map<string, Cron>();

/**
 * A paused croner job for `expression` (no callback, so no timer). Five fields only: polling has
 * minute precision, and a seconds field would allow polling every second. Throws croner's error
 * on a bad pattern; the config validates with this same function.
 */
export function makeCron(expression: string): Cron {
  const cached = jobs.get(expression);
  if (cached) return cached;
  const job = new Cron(expression, { paused: true, timezone: CRON_TIMEZONE, mode: '5-part' });
  if (jobs.size > 256) jobs.clear();
  jobs.set(expression, job);
  return job;
}

/** The first poll strictly after `after`. A cron that never fires again is a programming error here (the config refuses it). */
export function nextPollAt(schedule: PollSchedule, after: Date): Date {
  if ('everyMs' in schedule) return new Date(after.getTime() + schedule.everyMs);
  const next = makeCron(schedule.cron).nextRun(after);
  if (!next) throw new Error(`cron "${schedule.cron}" has no run after ${after.toISOString()}`);
  return next;
}

/** A fixed reference so the nominal interval of a cron schedule does not depend on the clock. */
const REFERENCE = new Date(Date.UTC(2024, 0, 1));
const SAMPLE_RUNS = 8;

/**
 * The usual gap between polls: `everyMs`, or for cron the smallest gap among its first runs after
 * a fixed date (`*\/15 * * * *` → 15 min, `0 9 * * 1-5` → 24 h).
 */
export function nominalIntervalMs(schedule: PollSchedule): number {
  if ('everyMs' in schedule) return schedule.everyMs;
  const runs = makeCron(schedule.cron).nextRuns(SAMPLE_RUNS, REFERENCE);
  let smallest = Number.POSITIVE_INFINITY;
  for (let i = 1; i < runs.length; i++) {
    const gap = (runs[i]?.getTime() ?? 0) - (runs[i - 1]?.getTime() ?? 0);
    if (gap > 0 && gap < smallest) smallest = gap;
  }
  return Number.isFinite(smallest) ? smallest : MAX_BACKOFF_MS;
}

/**
 * How long to wait after the `consecutiveFailures`-th failure in a row (1 = the first):
 * min(interval × 2^(n−1), 6 h), then ±10% jitter, and the result kept within [1 min, 6 h].
 * `random` returns [0, 1) like Math.random; inject a constant in tests (0.5 = no jitter).
 */
export function backoffDelay(
  consecutiveFailures: number,
  schedule: PollSchedule,
  random: () => number = Math.random,
): number {
  const n = Math.max(1, Math.floor(consecutiveFailures));
  const base = Math.min(nominalIntervalMs(schedule) * 2 ** (n - 1), MAX_BACKOFF_MS);
  const jittered = base * (1 + (2 * random() - 1) * BACKOFF_JITTER);
  return Math.round(Math.min(MAX_BACKOFF_MS, Math.max(MIN_BACKOFF_MS, jittered)));
}
