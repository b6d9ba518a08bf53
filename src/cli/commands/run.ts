import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { mkdir, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { loadAgents, selectAgents } from '../../agents/index.js';
import { ArchiveRecorder, ArchiveUnavailableError, openArchive } from '../../archive/index.js';
import { buildModels, resolveConfig, type ConfigFlags } from '../../config/index.js';
import { InputError, redactSecrets } from '../../errors/index.js';
import { nodeEventReaders, readEvent, type EventSpec } from '../../event/index.js';
import { runEvent, type RunResult } from '../../pipeline/index.js';
import { loadPrompts } from '../../prompts/index.js';
import { renderRunJson, renderRunMarkdown } from '../../report/index.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { environmentWithDotenv } from '../load-env.js';
import { createLogger } from '../logger.js';
import { DEFAULT_PATHS } from '../paths.js';
import { createProgress } from '../progress.js';

export interface RunCommandOptions extends ConfigFlags {
  title?: string;
  text?: string;
  url?: string;
  published?: string;
  tags?: string;
  language?: string;
  agents?: string;
  format: string;
  out?: string;
  progress: boolean;
  /** false with --no-archive. */
  archive: boolean;
}

const FORMATS = ['md', 'json'] as const;

export function exitCodeFor(run: RunResult): ExitCode {
  if (run.status === 'ok') return EXIT.ok;
  if (run.status === 'degraded') return EXIT.degraded;
  if (run.status === 'cancelled') return EXIT.cancelled;
  return EXIT.failed;
}

/**
 * Opens the archive for writing. Not an assess database, or a newer one: InputError (exit 2,
 * nothing run). Unusable (read-only, disk full): the run goes on unarchived and the caller
 * reports the failure after the report.
 */
function openForWriting(path: string): { db: Database | null; failure: ArchiveUnavailableError | null } {
  try {
    return { db: openArchive(path), failure: null };
  } catch (error) {
    if (error instanceof ArchiveUnavailableError) return { db: null, failure: error };
    throw error;
  }
}

const splitList = (value: string | undefined): string[] | undefined =>
  value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter(Boolean);

/** `assess run <event>`: parse → plan (validate everything) → run → report. */
export async function runCommand(eventPath: string | undefined, options: RunCommandOptions, io: CliIo): Promise<ExitCode> {
  // Plan: everything that can be wrong with the input is found before any model is called.
  if (!(FORMATS as readonly string[]).includes(options.format)) {
    throw new InputError(`unknown format ${options.format}; use md or json`);
  }
  const env = environmentWithDotenv(io.env, io.cwd);
  const config = resolveConfig(options, env, DEFAULT_PATHS);
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(io.cwd, p));

  const spec: EventSpec = {
    ...(eventPath !== undefined ? { path: eventPath === '-' ? '-' : abs(eventPath) } : {}),
    ...(options.title !== undefined ? { title: options.title } : {}),
    ...(options.text !== undefined ? { text: options.text } : {}),
    ...(options.url !== undefined ? { url: options.url } : {}),
    ...(options.published !== undefined ? { published: options.published } : {}),
    ...(options.tags !== undefined ? { tags: splitList(options.tags) ?? [] } : {}),
    ...(options.language !== undefined ? { language: options.language } : {}),
  };
  const event = await readEvent(spec, nodeEventReaders(io.stdin)).catch((error: unknown) => {
    // Name the path as the user typed it, not the absolute one.
    if (error instanceof InputError && eventPath && eventPath !== '-') {
      throw new InputError(error.message.replace(abs(eventPath), eventPath));
    }
    throw error;
  });
  const agents = selectAgents(await loadAgents(abs(config.agentsDir)), splitList(options.agents));
  const prompts = await loadPrompts(abs(config.promptsDir));
  const models = await buildModels({ ...config, replayDir: abs(config.replayDir) }, agents, io.fetch);
  const logger = createLogger(config.logLevel, io.stderr, models.secrets);
  const runOptions = {
    concurrency: config.concurrency,
    timeoutMs: config.timeoutMs,
    maxRepairs: config.maxRepairs,
    maxOutputTokens: config.maxOutputTokens,
    retry: { maxRetries: config.maxRetries, baseDelayMs: 1000, maxDelayMs: 30_000 },
  };

  const dbPath = abs(config.dbPath);
  const archive = options.archive ? openForWriting(dbPath) : { db: null, failure: null };

  const outDir = options.out !== undefined ? abs(options.out) : undefined;
  if (outDir) {
    await mkdir(outDir, { recursive: true }).catch((error: unknown) => {
      throw new InputError(`${options.out}: cannot create output folder (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    });
  }

  // Apply.
  const runId = randomUUID();
  const startedAt = new Date().toISOString();
  const recorder = archive.db
    ? ArchiveRecorder.start(archive.db, {
        runId,
        event,
        desks: agents.map((agent) => {
          const model = models.forAgent(agent);
          return { agentId: agent.id, provider: model.provider, model: model.model, definition: agent };
        }),
        synthesisModel: { provider: models.synthesis.provider, model: models.synthesis.model },
        promptHashes: { desk: prompts.deskHash, synthesis: prompts.synthesisHash },
        options: runOptions,
        startedAt,
      })
    : undefined;
  const synthLabel = `${models.synthesis.provider}/${models.synthesis.model}`;
  const progress = options.progress
    ? createProgress(io.stderr, `assess · ${event.event.title} · ${agents.length} desk(s) · synthesis ${synthLabel}`, agents.map((a) => a.id))
    : undefined;
  logger.info({ runId, eventId: event.id, desks: agents.map((a) => a.id) }, 'run started');

  let run: RunResult;
  try {
    run = await runEvent({
      runId,
      startedAt,
      event,
      agents,
      modelFor: models.forAgent,
      synthesisModel: models.synthesis,
      prompts,
      options: runOptions,
      signal: io.signal,
      onEvent: (e) => {
        recorder?.listener(e);
        progress?.onEvent(e);
        if (e.type === 'call') {
          const { record } = e;
          logger.debug(
            { purpose: record.purpose, attempt: record.attempt, finishReason: record.finishReason, usage: record.usage, latencyMs: record.latencyMs, issues: record.issues.length, error: record.error },
            'model call',
          );
        } else if (e.type === 'desk-failed') logger.warn({ agentId: e.agentId, reason: e.reason }, 'desk failed');
      },
    });
  } finally {
    progress?.stop();
  }
  recorder?.finish(run.status, run.finishedAt);
  archive.db?.close();
  logger.info({ runId, status: run.status, usage: run.usage.total }, 'run finished');

  const markdown = redactSecrets(renderRunMarkdown(run), models.secrets);
  const json = redactSecrets(renderRunJson(run), models.secrets);
  if (outDir) {
    await writeFile(join(outDir, 'report.md'), markdown);
    await writeFile(join(outDir, 'report.json'), json);
    io.stderr.write(`wrote ${join(options.out ?? '', 'report.md')} and report.json\n`);
  } else {
    io.stdout.write(options.format === 'json' ? json : markdown);
  }
  io.stderr.write(`run ${run.runId}: ${run.status} (${run.assessments.length}/${agents.length} desks${run.failures.length ? `; failed: ${run.failures.map((f) => f.agentId).join(', ')}` : ''})\n`);
  const archiveFailure = archive.failure ?? recorder?.failure ?? null;
  if (archiveFailure) {
    io.stderr.write(`assess: ${archiveFailure.message}; the report above was not archived\n`);
    return EXIT.archive;
  }
  if (options.archive) {
    io.stderr.write(`archived in ${dbPath} (assess runs show ${run.runId.slice(0, 8)})\n`);
    if (run.status === 'cancelled') io.stderr.write(`cancelled; finish it with: assess resume ${run.runId.slice(0, 8)}\n`);
  }
  return exitCodeFor(run);
}
