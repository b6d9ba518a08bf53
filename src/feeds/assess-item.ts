import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { AgentDefinition } from '../agents/definition.js';
import type { AgentAssessment } from '../assessment/schema.js';
import { loadRun } from '../archive/load-run.js';
import { recordRunForecasts } from '../archive/forecasts.js';
import { ArchiveRecorder } from '../archive/recorder.js';
import { prepareThread } from '../archive/prepare-thread.js';
import type { ThreadOverride } from '../archive/thread-store.js';
import type { ThreadContext } from '../threads/context.js';
import type { Models } from '../config/build-models.js';
import type { LifecycleListener } from '../pipeline/lifecycle.js';
import { runEvent, type RunOptions, type RunStatus } from '../pipeline/run-event.js';
import type { PromptSet } from '../prompts/load-prompts.js';
import { judgeRun, type ItemVerdict } from './item-verdict.js';
import { failItem, finishItem, recordFailedAttempt, requeueItem, setItemRun, type QueuedItem } from './watch-store.js';

export interface AssessDeps {
  db: Database;
  desks: AgentDefinition[];
  models: Models;
  prompts: PromptSet;
  runOptions: RunOptions;
  /** Aborted when the shutdown grace period is over: runs in flight are cut short and requeued. */
  signal: AbortSignal;
  now: () => Date;
  onEvent?: LifecycleListener | undefined;
  /** Whether the watcher's daily budget is used up now (tells a day's limit from the run's own). */
  dailyBudgetReached?: (() => boolean) | undefined;
  /** A feed's `thread:` setting as an override (thread id resolved); undefined: link by similarity. */
  threadFor?: ((feed: string) => ThreadOverride | undefined) | undefined;
  /** Lines about an item's thread (earlier views that could not be read), for the watcher's log. */
  onThreadNote?: ((note: string) => void) | undefined;
}

export interface AssessOutcome {
  itemId: number;
  runId: string;
  /**
   * `done`: archived as an assessment and marked done. `requeued`: cut short by shutdown, continued
   * at the next start. `deferred`: stopped by the daily budget, continued after 00:00 UTC.
   * `retrying`: an attempt that failed; tried again at `nextAttemptAt`. `failed`: given up on, with
   * `reason`, until `assess feeds retry`.
   */
  outcome: 'done' | 'requeued' | 'deferred' | 'retrying' | 'failed';
  status: RunStatus;
  /** Why the run is not an assessment (every outcome but done and requeued). */
  reason?: string;
  /** Failed attempts of the item so far. */
  attempts: number;
  nextAttemptAt?: string | null;
  /** The run continued an earlier, unfinished one instead of starting afresh. */
  continued: boolean;
}

/** Records the verdict on the item; returns the outcome to report. */
function applyVerdict(
  deps: AssessDeps,
  item: QueuedItem,
  run: { runId: string; status: RunStatus; continued: boolean },
  verdict: ItemVerdict,
): AssessOutcome {
  const { db } = deps;
  const at = deps.now();
  const base = { itemId: item.id, runId: run.runId, status: run.status, continued: run.continued };
  switch (verdict.kind) {
    case 'done':
      finishItem(db, item.id, at.toISOString());
      return { ...base, outcome: 'done', attempts: item.attempts };
    case 'requeue':
      requeueItem(db, item.id, at.toISOString());
      return { ...base, outcome: 'requeued', attempts: item.attempts };
    case 'defer':
      requeueItem(db, item.id, at.toISOString());
      return { ...base, outcome: 'deferred', reason: verdict.reason, attempts: item.attempts };
    case 'attempt-failed':
    case 'give-up': {
      // Desk and synthesis failure reasons arrive already masked (the pipeline redacts provider
      // errors with the run's keys), so they are archived as they are.
      const reason = verdict.reason;
      const result = verdict.kind === 'give-up' ? failItem(db, item.id, { at, reason }) : recordFailedAttempt(db, item.id, { at, reason });
      return {
        ...base,
        outcome: result.status === 'failed' ? 'failed' : 'retrying',
        reason,
        attempts: result.attempts,
        nextAttemptAt: result.nextAttemptAt,
      };
    }
  }
}

/**
 * Assesses one queued story and archives the run. An item whose run already exists (a crash,
 * shutdown, budget or failed attempt left it unfinished) continues that run — only its missing
 * desks and the synthesis are done — instead of starting over. The item is marked done only when
 * the archived run is an assessment (ok, or degraded with a synthesis); see item-verdict.ts for
 * everything else.
 */
export async function assessItem(deps: AssessDeps, item: QueuedItem): Promise<AssessOutcome> {
  const { db } = deps;
  const byId = new Map(deps.desks.map((d) => [d.id, d]));
  const agents = item.route.agents.map((id) => byId.get(id)).filter((a): a is AgentDefinition => a !== undefined);

  let runId = item.runId;
  let existing: AgentAssessment[] = [];
  let startedAt: string | undefined;
  let recorder: ArchiveRecorder;
  let thread: ThreadContext | undefined;
  const archived = runId ? db.prepare('SELECT status FROM runs WHERE id = ?').pluck().get(runId) as string | undefined : undefined;

  const continued = runId !== null && archived !== undefined;
  if (runId && archived !== undefined) {
    const previous = loadRun(db, runId);
    if (judgeRun(previous.result, { dailyBudgetReached: false }).kind === 'done') {
      // Already an assessment; only the "done" mark was lost (a crash between the two writes).
      return applyVerdict(deps, item, { runId, status: previous.result.status, continued }, { kind: 'done' });
    }
    // Failed, cancelled, interrupted or stopped by a budget: continue it.
    existing = previous.result.assessments;
    startedAt = previous.result.startedAt;
    // The memory stored when the run started, so the desks still to answer see what the others saw.
    thread = previous.threadContext ?? undefined;
    recorder = ArchiveRecorder.resume(db, runId, deps.models.secrets, deps.now);
  } else {
    runId = randomUUID();
    setItemRun(db, item.id, runId);
    startedAt = deps.now().toISOString();
    const event = { id: item.eventId, event: item.event };
    const prepared = prepareThread(db, event, agents.map((a) => a.id), startedAt, deps.threadFor?.(item.feed));
    thread = prepared.context;
    for (const note of prepared.notes) deps.onThreadNote?.(note);
    recorder = ArchiveRecorder.start(db, {
      runId,
      event: { id: item.eventId, event: item.event },
      desks: agents.map((agent) => {
        const model = deps.models.forAgent(agent);
        return { agentId: agent.id, provider: model.provider, model: model.model, definition: agent };
      }),
      synthesisModel: { provider: deps.models.synthesis.provider, model: deps.models.synthesis.model },
      promptHashes: { desk: deps.prompts.deskHash, synthesis: deps.prompts.synthesisHash },
      options: deps.runOptions,
      startedAt,
      thread,
    }, deps.models.secrets, deps.now);
  }

  const run = await runEvent({
    runId,
    startedAt,
    event: { id: item.eventId, event: item.event },
    agents,
    modelFor: deps.models.forAgent,
    synthesisModel: deps.models.synthesis,
    ...(deps.models.fallbacksFor ? { fallbacksFor: deps.models.fallbacksFor } : {}),
    prompts: deps.prompts,
    options: deps.runOptions,
    signal: deps.signal,
    existing,
    ...(thread ? { thread } : {}),
    onEvent: (e) => {
      recorder.listener(e);
      deps.onEvent?.(e);
    },
  });
  if (recorder.failure) throw recorder.failure;
  recorder.finish(run.status, run.finishedAt);
  if (recorder.failure) throw recorder.failure;
  // The run's forecast questions (issue 14); a run outside any thread has none.
  const forecastFailure = recordRunForecasts(db, run);
  if (forecastFailure) throw forecastFailure;
  const verdict = judgeRun(run, { dailyBudgetReached: deps.dailyBudgetReached?.() ?? false });
  return applyVerdict(deps, item, { runId, status: run.status, continued }, verdict);
}
