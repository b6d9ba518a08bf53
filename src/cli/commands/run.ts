import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ArchiveRecorder, ArchiveUnavailableError, openArchive } from '../../archive/index.js';
import { buildModels, runOptionsFrom, withAbsolutePaths } from '../../config/index.js';
import { modelsWithoutPrice } from '../../llm/pricing.js';
import { pricedModelName } from '../../llm/langchain-spec.js';
import { InputError, redactSecrets } from '../../errors/index.js';
import { runEvent, type RunResult } from '../../pipeline/index.js';
import { renderRunJson, renderRunMarkdown } from '../../report/index.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { createLogger } from '../logger.js';
import { planRun, type PlanRunOptions } from '../plan-run.js';
import { createProgress } from '../progress.js';
import { runHeaderFor } from '../run-header.js';
import { describeThrottling, rememberRateLimits } from '../throttling.js';

export interface RunCommandOptions extends PlanRunOptions {
  out?: string;
  progress: boolean;
  /** false with --no-archive. */
  archive: boolean;
  /** --dry-run: render the prompts and estimate tokens and cost; no model, no key, no archive. */
  dryRun?: boolean;
}

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

/** `assess run <event>`: parse → plan (validate everything) → run → report. */
export async function runCommand(eventPath: string | undefined, options: RunCommandOptions, io: CliIo): Promise<ExitCode> {
  if (options.dryRun) {
    const { dryRunCommand } = await import('./dry-run.js');
    return dryRunCommand(eventPath, options, io);
  }
  // Plan: everything that can be wrong with the input is found before any model is called.
  const { config, event, agents, prompts, abs } = await planRun(eventPath, options, io);
  const models = await buildModels(withAbsolutePaths(config, abs), agents, io.fetch);
  const logger = createLogger(config.logLevel, io.stderr, models.secrets);
  if (config.maxCostUsd !== undefined) {
    // A cost budget cannot be kept on a model whose price is unknown: say so rather than count it as free.
    // LangChain models are priced by the model after their integration prefix (openai:gpt-4.1-mini as gpt-4.1-mini).
    const unpriced = modelsWithoutPrice([...agents.map((a) => models.forAgent(a)), models.synthesis].map((m) => pricedModelName(m.provider, m.model)), models.prices);
    if (unpriced.length > 0) {
      throw new InputError(`--max-cost needs known prices; no price for ${unpriced.join(', ')} (add it to a --prices file, or use --max-tokens instead)`);
    }
  }
  const runOptions = runOptionsFrom(config);

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
    ? ArchiveRecorder.start(archive.db, runHeaderFor({ runId, event, agents, models, prompts, options: runOptions, startedAt }), models.secrets)
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
      ...(models.fallbacksFor ? { fallbacksFor: models.fallbacksFor } : {}),
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

  // Only the reports that are written get rendered: each costs milliseconds on every run.
  const markdown = () => redactSecrets(renderRunMarkdown(run), models.secrets);
  const json = () => redactSecrets(renderRunJson(run), models.secrets);
  if (outDir) {
    await writeFile(join(outDir, 'report.md'), markdown());
    await writeFile(join(outDir, 'report.json'), json());
    io.stderr.write(`wrote ${join(options.out ?? '', 'report.md')} and report.json\n`);
  } else {
    io.stdout.write(options.format === 'json' ? json() : markdown());
  }
  io.stderr.write(`run ${run.runId}: ${run.status} (${run.assessments.length}/${agents.length} desks${run.failures.length ? `; failed: ${run.failures.map((f) => f.agentId).join(', ')}` : ''})\n`);
  for (const line of describeThrottling(models.limiters)) io.stderr.write(`${line}\n`);
  // --no-archive leaves nothing behind, remembered rate limits included.
  if (options.archive) await rememberRateLimits(models, io);
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
