import type { RunResult } from '../pipeline/run-event.js';

/**
 * What a finished run means for the feed item it assessed. Only a run that produced the
 * consolidated view is an assessment; every other outcome keeps the story, in one of four ways.
 */
export type ItemVerdict =
  /** The run ended ok, or degraded with a synthesis: the item is done and counted as assessed. */
  | { kind: 'done' }
  /** Cut short by shutdown: back in the queue, not an attempt; the next start continues the run. */
  | { kind: 'requeue' }
  /** The watcher's daily budget stopped it before the synthesis: queued, not an attempt; continued once the UTC day rolls over. */
  | { kind: 'defer'; reason: string }
  /** No synthesis for any other reason (provider outage, timeout, invalid output…): one attempt, retried with backoff. */
  | { kind: 'attempt-failed'; reason: string }
  /**
   * The run's own budget (`--max-cost`/`--max-tokens` per run) stopped it before the synthesis.
   * Retrying would spend that budget again on the same story, so the item fails at once; `assess
   * feeds retry` continues the run with a fresh run budget when a person decides to.
   */
  | { kind: 'give-up'; reason: string };

/** Longest reason kept for an item (status lines stay readable; the run itself has every detail). */
const MAX_REASON_CHARS = 400;

function bounded(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_REASON_CHARS ? `${line.slice(0, MAX_REASON_CHARS - 1)}…` : line;
}

/** `JP-01, US-01: HTTP 500 …; CN-01: refused` — desks with the same reason listed together. */
function deskReasons(failures: RunResult['failures']): string {
  const byReason = new Map<string, string[]>();
  for (const f of failures) byReason.set(f.reason, [...(byReason.get(f.reason) ?? []), f.agentId]);
  return [...byReason].map(([reason, desks]) => `${desks.join(', ')}: ${reason}`).join('; ');
}

/** One line saying why a run did not produce an assessment. */
export function whyNoAssessment(run: Pick<RunResult, 'status' | 'synthesisError' | 'failures'>): string {
  const why = run.synthesisError ?? 'no synthesis';
  const desks = run.failures.length > 0 ? ` (${deskReasons(run.failures)})` : '';
  return bounded(`run ${run.status}: ${why}${desks}`);
}

/**
 * The verdict on a finished run. `dailyBudgetReached` is whether the watcher's daily budget is
 * used up now: a run stopped by a budget while it is, was stopped by the day's limit.
 */
export function judgeRun(
  run: Pick<RunResult, 'status' | 'synthesis' | 'synthesisError' | 'failures' | 'budget'>,
  context: { dailyBudgetReached: boolean },
): ItemVerdict {
  if (run.status === 'ok' || (run.status === 'degraded' && run.synthesis !== null)) return { kind: 'done' };
  if (run.status === 'cancelled') return { kind: 'requeue' };
  const budgetStopped = (run.budget?.exceeded ?? null) !== null || run.failures.some((f) => f.kind === 'budget');
  if (budgetStopped && context.dailyBudgetReached) {
    return { kind: 'defer', reason: bounded('the daily budget stopped it before the synthesis; continued after 00:00 UTC') };
  }
  if (budgetStopped) {
    const spent = run.budget?.exceeded ? ` (${run.budget.exceeded})` : '';
    return { kind: 'give-up', reason: bounded(`the run's budget stopped it before the synthesis${spent}; \`assess feeds retry\` continues it with a fresh run budget`) };
  }
  return { kind: 'attempt-failed', reason: whyNoAssessment(run) };
}
