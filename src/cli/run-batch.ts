import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildModels, runOptionsFrom, withAbsolutePaths } from '../config/index.js';
import { InputError, redactSecrets } from '../errors/index.js';
import { toRunJson } from '../report/json.js';
import { renderRunMarkdown } from '../report/markdown.js';
import type { RunResult } from '../pipeline/run-event.js';
import { BatchBudget } from './batch-budget.js';
import {
  buildIndex,
  describeCounts,
  reportFolderName,
  renderIndexJson,
  renderIndexMarkdown,
  worstExitCode,
  type BatchOutcome,
} from './batch-index.js';
import { createBatchProgress } from './batch-progress.js';
import type { RunCommandOptions } from './commands/run.js';
import { readBatchInputs, type BatchInput } from './event-inputs.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { executeRun, type RunContext } from './execute-run.js';
import type { CliIo } from './io.js';
import { createLogger } from './logger.js';
import { loadDesksAndPrompts, resolveRunConfig } from './plan-run.js';
import { checkCostBudgetPrices, parseRuns } from './run-setup.js';
import { describeThrottling, rememberRateLimits } from './throttling.js';
import { openArchiveForThreads } from './thread-override.js';
import { trackRecordsOf } from '../archive/track-records.js';

/**
 * `assess run a.md b.yaml https://… folder/ -`: many events in one command. Everything that does
 * not depend on the event is checked once, before any input is read (configuration, desks,
 * prompts, keys, prices, the output folder); then every input is read, and the bad ones are
 * reported (one line each) and skipped. The events run `--runs` at a time, each with its own run
 * id and archive row, sharing one models object (one rate limiter per provider+model), one budget
 * (batch-budget.ts) and one archive connection. Ctrl-C cancels every run in flight and starts no
 * other; each cancelled run is resumable.
 *
 * Output: `--out DIR` gets DIR/<n>-<slug>/report.md and report.json per run and DIR/index.md and
 * DIR/index.json; otherwise stdout gets, in input order as runs finish, one JSON document per line
 * (`--format json`: the document `run --format json` prints, on one line) or the Markdown reports,
 * each after an `<!-- assess: event n of N, run … -->` comment, separated by a `---` rule. The
 * exit code is the worst over the inputs (batch-index.ts, EXIT_SEVERITY).
 */

const runLine = (run: RunResult, deskCount: number): string =>
  `run ${run.runId}: ${run.status} (${run.assessments.length}/${deskCount} desks${run.failures.length ? `; failed: ${run.failures.map((f) => f.agentId).join(', ')}` : ''})`;

export async function runBatchCommand(args: string[], options: RunCommandOptions, io: CliIo, stdin: Uint8Array | undefined): Promise<ExitCode> {
  if (options.title !== undefined || options.text !== undefined) {
    throw new InputError('give the events as files, folders, URLs or -, or one event with --title/--text, not both');
  }
  const { config, abs } = resolveRunConfig(options, io);
  const concurrency = parseRuns(options.runs);
  const { agents, prompts } = await loadDesksAndPrompts(config, abs, options);
  if (options.dryRun) {
    const { dryRunBatch } = await import('./dry-run-batch.js');
    return dryRunBatch(args, options, io, stdin, { config, agents, prompts, abs });
  }

  const models = await buildModels(withAbsolutePaths(config, abs), agents, io.fetch);
  checkCostBudgetPrices(config, agents, models);
  const outDir = options.out !== undefined ? abs(options.out) : undefined;
  if (outDir) {
    await mkdir(outDir, { recursive: true }).catch((error: unknown) => {
      throw new InputError(`${options.out}: cannot create output folder (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    });
  }

  const inputs = await readBatchInputs(args, { io, abs, maxEventChars: config.maxEventChars, stdin });
  const runnable = inputs.filter((i): i is BatchInput & { ok: true } => i.ok);
  // A bad input among good ones is skipped; when every input is bad, nothing runs at all.
  const skipped = runnable.length > 0 ? '; skipped' : '';
  for (const input of inputs) if (!input.ok) io.stderr.write(`assess: ${input.reason}${skipped}\n`);
  if (runnable.length === 0) return EXIT.usage;

  const logger = createLogger(config.logLevel, io.stderr, models.secrets);
  const baseOptions = runOptionsFrom(config);
  const budget = new BatchBudget(baseOptions.budget);
  const dbPath = abs(config.dbPath);
  // --thread puts every event of the batch in that thread; --new-thread gives each its own. An
  // unknown thread is bad input, refused before any run starts.
  const { archive, thread } = openArchiveForThreads(options.archive ? dbPath : null, options, io);
  const context: RunContext = { agents, models, prompts, db: archive.db, logger, signal: io.signal, threadOverride: thread.override };
  // Track records appear only in the Markdown reports (report.md with --out, stdout unless --format
  // json): a JSON-only batch does not read them. Read once, before the first run: they change only
  // when someone resolves a question, which no run of the batch does (its forecasts are made after
  // every recorded resolution and are not scored), and stdout prints each report as soon as it is
  // done, so the records must be at hand before the first run finishes.
  const trackRecords = outDir !== undefined || options.format !== 'json' ? trackRecordsOf(archive.db) : undefined;
  const total = inputs.length;
  const synthLabel = `${models.synthesis.provider}/${models.synthesis.model}`;
  const progress = options.progress
    ? await createBatchProgress(
        io.stderr,
        `assess · ${runnable.length} event(s), ${Math.min(concurrency, runnable.length)} at a time · ${agents.length} desk(s) each · synthesis ${synthLabel}`,
        inputs.map((i) => ({ n: i.n, label: i.label, state: i.ok ? ('queued' as const) : ('skipped' as const) })),
        agents.map((a) => a.id),
      )
    : undefined;

  const outcomes = new Map<number, BatchOutcome>(
    inputs.filter((i) => !i.ok).map((i) => [i.n, { n: i.n, label: i.label, kind: 'skipped' as const, reason: i.ok ? '' : i.reason }]),
  );
  const secrets = models.secrets;
  // stdout in input order, each report as soon as it and every earlier one is done.
  let printed = 0;
  let nextToPrint = 1;
  const flushStdout = () => {
    for (; nextToPrint <= total && outcomes.has(nextToPrint); nextToPrint++) {
      const outcome = outcomes.get(nextToPrint);
      if (outcome?.kind !== 'run' || outDir) continue;
      const { run } = outcome;
      if (options.format === 'json') io.stdout.write(`${redactSecrets(JSON.stringify(toRunJson(run)), secrets)}\n`);
      else {
        io.stdout.write(`${printed > 0 ? '\n---\n\n' : ''}<!-- assess: event ${outcome.n} of ${total}, run ${run.runId} -->\n\n${redactSecrets(renderRunMarkdown(run, { trackRecords }), secrets)}`);
      }
      printed++;
    }
  };

  const runInput = async (input: BatchInput & { ok: true }): Promise<BatchOutcome> => {
    const { n, label } = input;
    const runId = randomUUID();
    const limits = budget.limitsForRun();
    const runOptions = limits ? { ...baseOptions, budget: limits } : baseOptions;
    const onProgress = progress?.started(n, input.event.event.title);
    const { run, archiveFailure, notes } = await executeRun({ ...context, logger: logger.child({ runId }) }, input.event, runOptions, (e) => {
      if (e.type === 'call') budget.record(e.record);
      onProgress?.(e);
    }, runId);
    let folder: string | undefined;
    if (outDir) {
      folder = reportFolderName(n, total, run.event.event.title, run.event.id);
      await mkdir(join(outDir, folder), { recursive: true });
      await writeFile(join(outDir, folder, 'report.md'), redactSecrets(renderRunMarkdown(run, { trackRecords }), secrets));
      await writeFile(join(outDir, folder, 'report.json'), redactSecrets(`${JSON.stringify(toRunJson(run), null, 2)}\n`, secrets));
    }
    progress?.finished(n, run.status === 'running' || run.status === 'incomplete' ? 'failed' : run.status);
    io.stderr.write(`${n}/${total} ${label} → ${runLine(run, agents.length)}${run.thread ? ` · thread ${run.thread.id} (${run.thread.link.method})` : ''}\n`);
    for (const note of notes) io.stderr.write(`${n}/${total} ${note}\n`);
    return { n, label, kind: 'run', run, deskCount: agents.length, ...(folder ? { folder } : {}), archiveFailure: archiveFailure?.message ?? null };
  };

  // A pool of `concurrency` workers taking inputs in order; none starts a run once the budget is
  // reached or the command is cancelled.
  let next = 0;
  let crashedWorker = false;
  const worker = async () => {
    try {
      await work();
    } catch (error) {
      crashedWorker = true;
      throw error;
    }
  };
  const work = async () => {
    while (next < runnable.length && !crashedWorker) {
      const input = runnable[next++]!;
      const stopped = io.signal.aborted ? { cause: 'cancelled' as const, reason: 'cancelled before it started' } : null;
      const reached = stopped ? null : budget.reached();
      if (stopped || reached) {
        const outcome: BatchOutcome = stopped
          ? { n: input.n, label: input.label, kind: 'not-started', cause: 'cancelled', reason: stopped.reason }
          : { n: input.n, label: input.label, kind: 'not-started', cause: 'budget', reason: `not started: ${reached}` };
        outcomes.set(input.n, outcome);
        progress?.finished(input.n, 'not started');
      } else {
        outcomes.set(input.n, await runInput(input));
      }
      flushStdout();
    }
  };
  // Every worker is waited for, even when one fails (a report that cannot be written): the
  // archive must stay open until no run is left writing to it.
  const settled = await Promise.allSettled(Array.from({ length: Math.min(concurrency, runnable.length) }, worker));
  progress?.stop();
  archive.db?.close();
  await logger.flush();
  const crashed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (crashed) throw crashed.reason;
  flushStdout();

  const ordered = [...outcomes.values()].sort((a, b) => a.n - b.n);
  const spent = budget.spent();
  const limits = baseOptions.budget;
  const index = buildIndex(ordered, limits ? { ...limits, spentUsd: spent.usd, spentTokens: spent.tokens, reached: budget.reached() } : null);
  if (outDir) {
    await writeFile(join(outDir, 'index.md'), redactSecrets(renderIndexMarkdown(index), secrets));
    await writeFile(join(outDir, 'index.json'), redactSecrets(renderIndexJson(index), secrets));
    io.stderr.write(`wrote ${join(options.out ?? '', 'index.md')} and index.json, and ${index.events.filter((e) => e.folder).length} report folder(s)\n`);
  }
  for (const outcome of ordered) {
    if (outcome.kind === 'not-started') io.stderr.write(`${outcome.n}/${total} ${outcome.label}: ${outcome.reason}\n`);
  }
  for (const line of describeThrottling(models.limiters)) io.stderr.write(`${line}\n`);
  if (options.archive) await rememberRateLimits(models, io);
  io.stderr.write(`${total} input(s): ${describeCounts(index.counts)}\n`);

  const unarchived = ordered.filter((o): o is BatchOutcome & { kind: 'run' } => o.kind === 'run' && o.archiveFailure !== null);
  if (archive.failure) {
    io.stderr.write(`assess: ${archive.failure.message}; the reports above were not archived\n`);
  } else if (unarchived.length > 0) {
    const first = unarchived[0]!;
    io.stderr.write(`assess: ${first.archiveFailure}; not (fully) archived: ${unarchived.map((o) => `${o.n}/${total}`).join(', ')}\n`);
  } else if (options.archive) {
    io.stderr.write(`archived in ${dbPath} (assess runs list)\n`);
    const cancelled = ordered.filter((o): o is BatchOutcome & { kind: 'run' } => o.kind === 'run' && o.run.status === 'cancelled');
    if (cancelled.length > 0) io.stderr.write(`cancelled; finish with: ${cancelled.map((o) => `assess resume ${o.run.runId.slice(0, 8)}`).join('; ')}\n`);
  }
  // An archive that could not be opened affects every run, not only those with a write error.
  return archive.failure ? worstExitCode([index.exitCode, EXIT.archive]) : index.exitCode;
}
