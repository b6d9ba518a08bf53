import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { AgentDefinition } from '../agents/definition.js';
import type { AgentAssessment } from '../assessment/schema.js';
import { loadRun } from '../archive/load-run.js';
import { ArchiveRecorder } from '../archive/recorder.js';
import type { Models } from '../config/build-models.js';
import type { LifecycleListener } from '../pipeline/lifecycle.js';
import { runEvent, type RunOptions, type RunStatus } from '../pipeline/run-event.js';
import type { PromptSet } from '../prompts/load-prompts.js';
import { finishItem, requeueItem, setItemRun, type QueuedItem } from './watch-store.js';

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
}

export interface AssessOutcome {
  itemId: number;
  runId: string;
  /** `done`: archived and marked done. `requeued`: interrupted, left for the next start to resume. */
  outcome: 'done' | 'requeued';
  status: RunStatus;
}

/**
 * Assesses one queued story and archives the run. An item whose run already exists (a crash or
 * shutdown interrupted it) continues that run — only its missing desks are assessed — instead of
 * starting over. The item is marked done only after the run is archived.
 */
export async function assessItem(deps: AssessDeps, item: QueuedItem): Promise<AssessOutcome> {
  const { db } = deps;
  const byId = new Map(deps.desks.map((d) => [d.id, d]));
  const agents = item.route.agents.map((id) => byId.get(id)).filter((a): a is AgentDefinition => a !== undefined);

  let runId = item.runId;
  let existing: AgentAssessment[] = [];
  let startedAt: string | undefined;
  let recorder: ArchiveRecorder;
  const archived = runId ? db.prepare('SELECT status FROM runs WHERE id = ?').pluck().get(runId) as string | undefined : undefined;

  if (runId && archived !== undefined) {
    const previous = loadRun(db, runId);
    if (!['incomplete', 'running', 'cancelled'].includes(previous.result.status)) {
      // Archived completely; only the "done" mark was lost.
      finishItem(db, item.id, deps.now().toISOString());
      return { itemId: item.id, runId, outcome: 'done', status: previous.result.status };
    }
    existing = previous.result.assessments;
    startedAt = previous.result.startedAt;
    recorder = ArchiveRecorder.resume(db, runId, deps.models.secrets);
  } else {
    runId = randomUUID();
    setItemRun(db, item.id, runId);
    startedAt = deps.now().toISOString();
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
    }, deps.models.secrets);
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
    onEvent: (e) => {
      recorder.listener(e);
      deps.onEvent?.(e);
    },
  });
  if (recorder.failure) throw recorder.failure;

  if (run.status === 'cancelled') {
    // Cut short by shutdown: archived as cancelled, and the item goes back to the queue so the
    // next start resumes the run (only its missing desks).
    recorder.finish(run.status, run.finishedAt);
    requeueItem(db, item.id, deps.now().toISOString());
    return { itemId: item.id, runId, outcome: 'requeued', status: 'cancelled' };
  }
  recorder.finish(run.status, run.finishedAt);
  if (recorder.failure) throw recorder.failure;
  finishItem(db, item.id, deps.now().toISOString());
  return { itemId: item.id, runId, outcome: 'done', status: run.status };
}
