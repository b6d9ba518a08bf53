import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { RunLogger } from './logger.js';
import type { AgentDefinition } from '../agents/definition.js';
import { ArchiveRecorder } from '../archive/recorder.js';
import { ArchiveUnavailableError } from '../archive/errors.js';
import { recordRunForecasts } from '../archive/forecasts.js';
import { prepareThread } from '../archive/prepare-thread.js';
import type { ThreadOverride } from '../archive/thread-store.js';
import { InputError } from '../errors/index.js';
import type { Models } from '../config/build-models.js';
import type { IdentifiedEvent } from '../event/schema.js';
import type { LifecycleListener } from '../pipeline/lifecycle.js';
import { runEvent, type RunOptions, type RunResult } from '../pipeline/run-event.js';
import type { PromptSet } from '../prompts/load-prompts.js';
import type { ThreadContext } from '../threads/context.js';
import { runHeaderFor } from './run-header.js';

/** What every run of one `assess run` command shares: one models object (so one rate limiter per provider+model), one archive. */
export interface RunContext {
  agents: AgentDefinition[];
  models: Models;
  prompts: PromptSet;
  /** null with --no-archive, or when the archive could not be opened (the caller reports that). */
  db: Database | null;
  logger: RunLogger;
  signal: AbortSignal;
  /** `--thread ID` (resolved) or `--new-thread`: applies to every event of the command. */
  threadOverride?: ThreadOverride | undefined;
}

export interface ExecutedRun {
  run: RunResult;
  /** The first archive write error of this run, if any. */
  archiveFailure: ArchiveUnavailableError | null;
  /** Lines for stderr about the run's thread: an override that did not apply, earlier views skipped. */
  notes: string[];
}

/**
 * The event's thread and memory, when there is an archive. Trouble with the archive here does not
 * stop the run (as with every archive write): it goes on with no thread, and the failure is
 * reported like a write error.
 */
function threadFor(
  context: RunContext,
  event: IdentifiedEvent,
  startedAt: string,
): { thread: ThreadContext | undefined; notes: string[]; failure: ArchiveUnavailableError | null } {
  if (!context.db) return { thread: undefined, notes: [], failure: null };
  try {
    const prepared = prepareThread(context.db, event, context.agents.map((a) => a.id), startedAt, context.threadOverride);
    return { thread: prepared.context, notes: prepared.notes, failure: null };
  } catch (error) {
    if (error instanceof InputError) throw error;
    const why = (error as Error).message.split('\n')[0];
    return { thread: undefined, notes: [], failure: new ArchiveUnavailableError(`archive write failed: ${why} (linking the event to a thread)`, { cause: error }) };
  }
}

/**
 * One event through the pipeline, archived as it happens: the run row before any model call
 * (ArchiveRecorder), every lifecycle event to the archive, to `onEvent` (progress) and to the
 * log, the final status at the end.
 */
export async function executeRun(
  context: RunContext,
  event: IdentifiedEvent,
  options: RunOptions,
  onEvent?: LifecycleListener,
  runId: string = randomUUID(),
): Promise<ExecutedRun> {
  const { agents, models, prompts, logger } = context;
  const startedAt = new Date().toISOString();
  const { thread, notes, failure } = threadFor(context, event, startedAt);
  // The commands print the notes as plain lines; the log keeps them at debug for the record.
  for (const note of notes) logger.debug({ runId, eventId: event.id }, note);
  const recorder = context.db
    ? ArchiveRecorder.start(context.db, runHeaderFor({ runId, event, agents, models, prompts, options, startedAt, ...(thread ? { thread } : {}) }), models.secrets)
    : undefined;
  logger.info({ runId, eventId: event.id, desks: agents.map((a) => a.id) }, 'run started');
  const run = await runEvent({
    runId,
    startedAt,
    event,
    agents,
    modelFor: models.forAgent,
    synthesisModel: models.synthesis,
    ...(models.fallbacksFor ? { fallbacksFor: models.fallbacksFor } : {}),
    prompts,
    options,
    ...(thread ? { thread } : {}),
    signal: context.signal,
    onEvent: (e) => {
      recorder?.listener(e);
      onEvent?.(e);
      if (e.type === 'call') {
        const { record } = e;
        logger.debug(
          { purpose: record.purpose, attempt: record.attempt, finishReason: record.finishReason, usage: record.usage, latencyMs: record.latencyMs, issues: record.issues.length, error: record.error },
          'model call',
        );
      } else if (e.type === 'desk-failed') logger.warn({ agentId: e.agentId, reason: e.reason }, 'desk failed');
    },
  });
  recorder?.finish(run.status, run.finishedAt);
  // The run's forecast questions (issue 14), after the synthesis and only for runs in a thread.
  const forecastFailure = context.db && recorder && !recorder.failure && thread ? recordRunForecasts(context.db, run) : null;
  logger.info({ runId, status: run.status, usage: run.usage.total }, 'run finished');
  return { run, archiveFailure: failure ?? recorder?.failure ?? forecastFailure, notes };
}
