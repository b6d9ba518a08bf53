import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { buildModels, runOptionsFrom, withAbsolutePaths } from '../../config/index.js';
import { CancelledError, InputError, redactSecrets } from '../../errors/index.js';
import { isPageUrl } from '../../event/page-url.js';
// The renderers themselves, not the report barrel: it would load the HTML and diff renderers into every run.
import { renderRunJson } from '../../report/json.js';
import { renderRunMarkdown } from '../../report/markdown.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { executeRun, type ExecutedRun } from '../execute-run.js';
import type { CliIo } from '../io.js';
import { createLogger } from '../logger.js';
import { planRun, type PlanRunOptions } from '../plan-run.js';
import { createProgress, openLiveTable } from '../progress.js';
import { checkCostBudgetPrices, exitCodeFor, parseRuns } from '../run-setup.js';
import { describeThrottling, rememberRateLimits } from '../throttling.js';
import { isJsonLinesPath, readStdinBytes, splitJsonLines } from '../event-inputs.js';
import { openArchiveForThreads, parseThreadFlags } from '../thread-override.js';
import { trackRecordsOf } from '../../archive/track-records.js';

export { exitCodeFor };

export interface RunCommandOptions extends PlanRunOptions {
  out?: string;
  progress: boolean;
  /** false with --no-archive. */
  archive: boolean;
  /** --dry-run: render the prompts and estimate tokens and cost; no model, no key, no archive. */
  dryRun?: boolean;
  /** --runs: events assessed at once when there are several (default 2). */
  runs?: string;
  /** --thread ID: put the event(s) in this thread instead of linking by similarity. */
  thread?: string;
  /** --new-thread: each event starts a thread of its own. */
  newThread?: boolean;
}

/**
 * One event (a file, a URL, stdin holding one event, or flags) runs as it always has; several
 * arguments, a folder, a JSON Lines file, or JSON Lines with two or more events on stdin make a
 * batch (run-batch.ts). Decided before anything else is read, so bad input in a batch is
 * reported per input.
 */
async function isBatch(args: string[], io: CliIo, stdin: Uint8Array | undefined): Promise<boolean> {
  if (args.length > 1) return true;
  const [only] = args;
  if (only === undefined || isPageUrl(only)) return false;
  if (only === '-') return stdin !== undefined && (splitJsonLines(stdin)?.length ?? 0) > 1;
  if (isJsonLinesPath(only)) return true;
  const info = await stat(resolve(io.cwd, only)).catch(() => undefined);
  return info?.isDirectory() ?? false;
}

/** `assess run <event…>`: parse → plan (validate everything) → run → report. */
export async function runCommand(eventArgs: string[] | string | undefined, options: RunCommandOptions, io: CliIo): Promise<ExitCode> {
  const args = eventArgs === undefined ? [] : Array.isArray(eventArgs) ? eventArgs : [eventArgs];
  parseRuns(options.runs);
  parseThreadFlags(options);
  // stdin is read once: whether it holds one event or JSON Lines decides the mode.
  const stdin = args.includes('-') ? await readStdinBytes(io.stdin) : undefined;
  const ioWithStdin: CliIo = stdin !== undefined ? { ...io, stdin: Readable.from([Buffer.from(stdin)]) } : io;
  try {
    if (await isBatch(args, io, stdin)) {
      const { runBatchCommand } = await import('../run-batch.js');
      return await runBatchCommand(args, options, io, stdin);
    }
    if (options.dryRun) {
      const { dryRunCommand } = await import('./dry-run.js');
      return await dryRunCommand(args[0], options, ioWithStdin);
    }
    return await runOne(args[0], options, ioWithStdin);
  } catch (error) {
    // Ctrl-C while a page was being fetched: nothing was run or archived.
    if (error instanceof CancelledError && io.signal.aborted) {
      io.stderr.write('assess: cancelled before any run started\n');
      return EXIT.cancelled;
    }
    throw error;
  }
}

async function runOne(eventPath: string | undefined, options: RunCommandOptions, io: CliIo): Promise<ExitCode> {
  // Plan: everything that can be wrong with the input is found before any model is called.
  const { config, event, agents, prompts, abs } = await planRun(eventPath, options, io);
  const models = await buildModels(withAbsolutePaths(config, abs), agents, io.fetch);
  const logger = createLogger(config.logLevel, io.stderr, models.secrets);
  checkCostBudgetPrices(config, agents, models);
  const runOptions = runOptionsFrom(config);

  const dbPath = abs(config.dbPath);
  // An unknown --thread is bad input: refused here, before any model is called.
  const { archive, thread } = openArchiveForThreads(options.archive ? dbPath : null, options, io);

  const outDir = options.out !== undefined ? abs(options.out) : undefined;
  if (outDir) {
    await mkdir(outDir, { recursive: true }).catch((error: unknown) => {
      throw new InputError(`${options.out}: cannot create output folder (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    });
  }

  // Apply.
  const header = `assess · ${event.event.title} · ${agents.length} desk(s) · synthesis ${models.synthesis.provider}/${models.synthesis.model}`;
  const progress = options.progress ? createProgress(io.stderr, header, agents.map((a) => a.id), Date.now, await openLiveTable(io.stderr)) : undefined;
  let executed: ExecutedRun;
  try {
    executed = await executeRun(
      { agents, models, prompts, db: archive.db, logger, signal: io.signal, threadOverride: thread.override },
      event,
      runOptions,
      progress?.onEvent,
    );
  } finally {
    progress?.stop();
  }
  const { run } = executed;
  // Track records appear only in the Markdown report: a JSON-only run does not read them.
  const trackRecords = outDir !== undefined || options.format !== 'json' ? trackRecordsOf(archive.db) : undefined;
  archive.db?.close();
  await logger.flush();

  // Only the reports that are written get rendered: each costs milliseconds on every run.
  const markdown = () => redactSecrets(renderRunMarkdown(run, { trackRecords }), models.secrets);
  const json = () => redactSecrets(renderRunJson(run), models.secrets);
  if (outDir) {
    await writeFile(join(outDir, 'report.md'), markdown());
    await writeFile(join(outDir, 'report.json'), json());
    io.stderr.write(`wrote ${join(options.out ?? '', 'report.md')} and report.json\n`);
  } else {
    io.stdout.write(options.format === 'json' ? json() : markdown());
  }
  io.stderr.write(`run ${run.runId}: ${run.status} (${run.assessments.length}/${agents.length} desks${run.failures.length ? `; failed: ${run.failures.map((f) => f.agentId).join(', ')}` : ''})\n`);
  if (run.thread) io.stderr.write(`thread ${run.thread.id}: ${run.thread.title} (${run.thread.events} event(s); ${run.thread.link.method})\n`);
  for (const note of executed.notes) io.stderr.write(`${note}\n`);
  for (const line of describeThrottling(models.limiters)) io.stderr.write(`${line}\n`);
  // --no-archive leaves nothing behind, remembered rate limits included.
  if (options.archive) await rememberRateLimits(models, io);
  const archiveFailure = archive.failure ?? executed.archiveFailure;
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
