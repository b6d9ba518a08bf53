import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { RunLogger } from './logger.js';
import type { AgentDefinition } from '../agents/definition.js';
import { ArchiveRecorder } from '../archive/recorder.js';
import type { ArchiveUnavailableError } from '../archive/errors.js';
import type { Models } from '../config/build-models.js';
import type { IdentifiedEvent } from '../event/schema.js';
import type { LifecycleListener } from '../pipeline/lifecycle.js';
import { runEvent, type RunOptions, type RunResult } from '../pipeline/run-event.js';
import type { PromptSet } from '../prompts/load-prompts.js';
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
}

export interface ExecutedRun {
  run: RunResult;
  /** The first archive write error of this run, if any. */
  archiveFailure: ArchiveUnavailableError | null;
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
  const recorder = context.db
    ? ArchiveRecorder.start(context.db, runHeaderFor({ runId, event, agents, models, prompts, options, startedAt }), models.secrets)
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
  logger.info({ runId, status: run.status, usage: run.usage.total }, 'run finished');
  return { run, archiveFailure: recorder?.failure ?? null };
}
