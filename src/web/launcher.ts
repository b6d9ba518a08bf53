import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Database } from 'better-sqlite3';
import type { AgentDefinition } from '../agents/definition.js';
import { selectAgents } from '../agents/load-agents.js';
import { buildModels, type Models } from '../config/build-models.js';
import type { AssessConfig } from '../config/resolve-config.js';
import { runOptionsFrom } from '../config/run-options.js';
import { InputError, redactSecrets } from '../errors/index.js';
import { isPageUrl } from '../event/page-url.js';
import { nodeEventReaders, readEvent, type EventSpec } from '../event/read-event.js';
import { PAGE_MAX_BYTES } from '../event/read-page-event.js';
import type { IdentifiedEvent } from '../event/schema.js';
import type { LifecycleEvent } from '../pipeline/lifecycle.js';
import type { PromptSet } from '../prompts/load-prompts.js';
import { executeRun } from '../cli/execute-run.js';
import { createLogger, type RunLogger } from '../cli/logger.js';
import type { OutStream } from '../cli/io.js';
import { checkCostBudgetPrices } from '../cli/run-setup.js';
import { rememberRateLimits } from '../cli/throttling.js';
import type { AssessmentLauncher, JobStatus, LaunchInput } from './deps.js';

/**
 * The launcher behind `/new`: the same pipeline `assess run` runs (executeRun: archive recorder,
 * thread linking, forecasts), with one models object built once by buildModels, so every run
 * started from the browser shares the rate limiters, and the run options (budget, timeouts) from
 * the same configuration. Jobs live in memory: the last MAX_JOBS are kept, and runs go one at a
 * time (a queue), so two browser tabs cannot double the spend rate. `close()` aborts the run in
 * flight: it is archived as cancelled and `assess resume` finishes it, as after Ctrl-C.
 */

/** Jobs remembered for their progress pages; older finished ones are forgotten. */
export const MAX_JOBS = 50;

/** An uploaded event file larger than a fetched page may be is refused (the CLI's page cap). */
export const MAX_UPLOAD_BYTES = PAGE_MAX_BYTES;

export interface LauncherSetup {
  /** Resolved as `assess run` resolves it, paths absolute. */
  config: AssessConfig;
  agents: AgentDefinition[];
  prompts: PromptSet;
  /** The archive's read-write connection runs are recorded in. */
  db: Database;
  /** Where the run log goes (stderr of `assess serve`). */
  stderr: OutStream;
  /** Tests inject one; the SDKs and page fetches use the global fetch otherwise. */
  fetch?: typeof fetch;
}

interface Job {
  status: JobStatus;
  listeners: Set<(status: JobStatus) => void>;
}

const snapshot = (status: JobStatus): JobStatus => ({ ...status, desks: status.desks.map((d) => ({ ...d })) });

const DESK_STATE: Partial<Record<LifecycleEvent['type'], JobStatus['desks'][number]['state']>> = {
  'desk-queued': 'queued',
  'desk-started': 'running',
  'desk-done': 'ok',
  'desk-failed': 'failed',
};

class PipelineLauncher implements AssessmentLauncher {
  private readonly jobs = new Map<string, Job>();
  private readonly stopping = new AbortController();
  /** Runs go one after the other: each job waits for the one before. */
  private tail: Promise<void> = Promise.resolve();
  /** Jobs started and not finished, the one running included. */
  private waiting = 0;
  private readonly logger: RunLogger;

  constructor(
    private readonly setup: LauncherSetup,
    private readonly models: Models | null,
    private readonly why: string | null,
  ) {
    this.logger = createLogger(setup.config.logLevel, setup.stderr, models?.secrets ?? []);
  }

  desks(): { id: string; name: string }[] {
    return this.setup.agents.map((a) => ({ id: a.id, name: a.name }));
  }

  unavailable(): string | null {
    return this.why;
  }

  async start(input: LaunchInput): Promise<{ jobId: string }> {
    const models = this.models;
    if (!models) throw new InputError(this.why ?? 'no model provider is configured');
    if (this.stopping.signal.aborted) throw new InputError('the server is stopping; no new runs start');
    if (input.desks.length === 0) throw new InputError('choose at least one desk');
    const agents = selectAgents(this.setup.agents, input.desks);
    const event = await this.readInput(input);
    const jobId = randomUUID().slice(0, 12);
    const runId = randomUUID();
    const job: Job = {
      status: {
        jobId,
        title: event.event.title,
        state: 'starting',
        // Known now, so the progress page can link the run page it will navigate to.
        runId,
        desks: agents.map((a) => ({ id: a.id, state: 'queued' })),
        message: this.waiting > 0 ? 'waiting for the run before it to finish' : null,
      },
      listeners: new Set(),
    };
    this.remember(job);
    this.waiting += 1;
    this.tail = this.tail.then(() => this.run(job, models, agents, event, runId)).finally(() => {
      this.waiting -= 1;
    });
    return { jobId };
  }

  status(jobId: string): JobStatus | null {
    const job = this.jobs.get(jobId);
    return job ? snapshot(job.status) : null;
  }

  subscribe(jobId: string, listener: (status: JobStatus) => void): () => void {
    const job = this.jobs.get(jobId);
    if (!job) return () => undefined;
    job.listeners.add(listener);
    return () => job.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.stopping.abort();
    await this.tail;
    await this.logger.flush();
  }

  /** The event as `assess run` reads it: a file by its name's format, a page URL, or title and text. */
  private async readInput(input: LaunchInput): Promise<IdentifiedEvent> {
    const given = [input.file !== undefined, input.url !== undefined, input.text !== undefined || input.title !== undefined].filter(Boolean).length;
    if (given === 0) throw new InputError('give the event: paste a title and text, a URL, or a file');
    if (given > 1) throw new InputError('give the event one way: pasted text, a URL, or a file');
    if (input.url !== undefined && !isPageUrl(input.url)) throw new InputError(`${input.url}: not an http(s) URL`);
    if (input.file && input.file.bytes.byteLength > MAX_UPLOAD_BYTES) {
      throw new InputError(`${input.file.name}: larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MiB`);
    }
    if (input.file === undefined && input.url === undefined) {
      // Pasted: both are needed, as `assess run --title … --text …`.
      if ((input.title ?? '').trim() === '') throw new InputError('the title is empty');
      if ((input.text ?? '').trim() === '') throw new InputError('the text is empty');
    }
    const file = input.file;
    const pages = nodeEventReaders(Readable.from([]), { ...(this.setup.fetch ? { fetch: this.setup.fetch } : {}), signal: this.stopping.signal });
    const spec: EventSpec = file
      ? { path: file.name }
      : input.url !== undefined
        ? { pageUrl: input.url }
        : { title: input.title ?? '', text: input.text ?? '' };
    return readEvent(
      spec,
      {
        // The upload is the file: its name gives the format (.md, .txt, .json, .yaml), as on the command line.
        readFile: async () => file?.bytes ?? new Uint8Array(),
        readStdin: async () => new Uint8Array(),
        readPage: pages.readPage,
      },
      { maxChars: this.setup.config.maxEventChars },
    );
  }

  private async run(job: Job, models: Models, agents: AgentDefinition[], event: IdentifiedEvent, runId: string): Promise<void> {
    const secrets = models.secrets;
    if (this.stopping.signal.aborted) {
      this.update(job, { state: 'failed', message: 'the server stopped before this run started' });
      return;
    }
    this.update(job, { state: 'running', message: `${agents.length} desk(s) assessing` });
    try {
      // Prices were checked for every desk when the launcher was built; a run's desks are a subset.
      const executed = await executeRun(
        { agents, models, prompts: this.setup.prompts, db: this.setup.db, logger: this.logger, signal: this.stopping.signal },
        event,
        runOptionsFrom(this.setup.config),
        (e) => this.onLifecycle(job, e),
        runId,
      );
      // As `assess run` does: a failure to save costs only the next run's head start, said on stderr.
      await rememberRateLimits(models, this.setup);
      const { run } = executed;
      const failure = executed.archiveFailure ? `; not archived: ${executed.archiveFailure.message}` : '';
      const counts = `${run.assessments.length}/${agents.length} desks`;
      if (run.status === 'cancelled') {
        this.update(job, { state: 'failed', message: `interrupted (${counts}); finish it with: assess resume ${runId.slice(0, 8)}${failure}` });
      } else if (run.status === 'failed') {
        this.update(job, { state: 'failed', message: redactSecrets(`run failed (${counts})${failure}`, secrets) });
      } else {
        this.update(job, { state: 'done', message: `run ${run.status} (${counts})${failure}` });
      }
    } catch (error) {
      const why = (error as Error).message.split('\n')[0] ?? 'error';
      this.update(job, { state: 'failed', message: redactSecrets(why, secrets) });
    }
  }

  private onLifecycle(job: Job, event: LifecycleEvent): void {
    const state = DESK_STATE[event.type];
    if (state && 'agentId' in event) {
      const desks = job.status.desks.map((d) => (d.id === event.agentId ? { ...d, state } : d));
      this.update(job, { desks });
    } else if (event.type === 'synthesis-started') this.update(job, { message: 'synthesizing the desks\u2019 views' });
  }

  private update(job: Job, change: Partial<JobStatus>): void {
    job.status = { ...job.status, ...change };
    for (const listener of [...job.listeners]) listener(snapshot(job.status));
  }

  /** Keeps the job, forgetting the oldest finished ones beyond MAX_JOBS. */
  private remember(job: Job): void {
    this.jobs.set(job.status.jobId, job);
    for (const [id, old] of this.jobs) {
      if (this.jobs.size <= MAX_JOBS) break;
      if (old.status.state === 'done' || old.status.state === 'failed') this.jobs.delete(id);
    }
  }
}

/**
 * Builds the models once. A provider that cannot be used (no API key, an unknown price under a
 * cost budget) does not stop the workspace: the launcher says why in one line and starts nothing.
 */
export async function createLauncher(setup: LauncherSetup): Promise<AssessmentLauncher> {
  try {
    const models = await buildModels(setup.config, setup.agents, setup.fetch);
    checkCostBudgetPrices(setup.config, setup.agents, models);
    return new PipelineLauncher(setup, models, null);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const secrets = [setup.config.openai.apiKey, setup.config.anthropic.apiKey].filter((k): k is string => typeof k === 'string' && k !== '');
    return new PipelineLauncher(setup, null, `New assessments are unavailable: ${redactSecrets(error.message, secrets)}`);
  }
}
