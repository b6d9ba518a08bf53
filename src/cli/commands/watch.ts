import { isAbsolute, resolve } from 'node:path';
import { loadAgents } from '../../agents/load-agents.js';
import { ArchiveUnavailableError } from '../../archive/errors.js';
import { openArchive } from '../../archive/open-archive.js';
import { buildModels } from '../../config/build-models.js';
import { withAbsolutePaths } from '../../config/resolve-config.js';
import { resolveConfig, type ConfigFlags } from '../../config/resolve-config.js';
import { loadConfigFile } from '../../config/config-file.js';
import { InputError } from '../../errors/index.js';
import { loadWatchConfig, parseDuration, singleFeedConfig } from '../../feeds/config.js';
import { formatUsd } from '../../feeds/daily-budget.js';
import { modelsWithoutPrice } from '../../llm/pricing.js';
import { pricedModelName } from '../../llm/langchain-spec.js';
import { retryPolicyFrom, runOptionsFrom } from '../../config/run-options.js';
import { modelTriage } from '../../feeds/triage.js';
import { Watcher, type WatchEvent } from '../../feeds/watcher.js';
import type { AssessOutcome } from '../../feeds/assess-item.js';
import { MAX_ITEM_ATTEMPTS } from '../../feeds/item-attempts.js';
import type { WatchConfig } from '../../feeds/types.js';
import { loadPrompts } from '../../prompts/load-prompts.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { interruptExitCode } from '../interrupt.js';
import type { CliIo } from '../io.js';
import { environmentWithDotenv } from '../load-env.js';
import { rememberRateLimits } from '../throttling.js';
import { DEFAULT_PATHS } from '../paths.js';
import { thousands } from '../../format/thousands.js';
import { feedThreadOverrides } from '../feed-threads.js';

export interface WatchOptions extends ConfigFlags {
  config?: string;
  feed?: string;
  every?: string;
  once?: boolean;
  grace?: string;
  triage?: boolean;
  runs?: string;
}

export const DEFAULT_FEEDS_FILE = 'assess.feeds.yaml';
/** Time runs in flight get to finish after the first SIGINT/SIGTERM (`--grace`). */
export const DEFAULT_GRACE_MS = 30_000;
const USER_AGENT = 'assess-watch/0.1 (news assessment feed reader)';

/** `2025-10-01 10:45` (UTC) */
const when = (iso: string | null | undefined): string => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'later');

/** What became of an item whose run ended, as the log says it. */
function describeOutcome(title: string, outcome: AssessOutcome): string {
  const run = `run ${outcome.runId.slice(0, 8)} (${outcome.status}${outcome.continued ? ', continued' : ''})`;
  switch (outcome.outcome) {
    case 'done':
      return `done: "${title}" → ${run}`;
    case 'requeued':
      return `interrupted, requeued: "${title}" → ${run}`;
    case 'deferred':
      return `deferred: "${title}" → ${run}: ${outcome.reason}`;
    case 'retrying':
      return `not assessed (attempt ${outcome.attempts} of ${MAX_ITEM_ATTEMPTS}), retry at ${when(outcome.nextAttemptAt)}: "${title}" → ${run}: ${outcome.reason}`;
    case 'failed':
      return `failed after ${outcome.attempts} attempt(s): "${title}" → ${run}: ${outcome.reason} (assess feeds retry ${outcome.itemId})`;
  }
}

function describe(event: WatchEvent): string {
  switch (event.type) {
    case 'poll': {
      const r = event.result;
      if (!r.ok) return `feed ${r.feed}: error: ${r.error} (next try ${r.nextPollAt.slice(11, 16) || 'later'})`;
      if (r.notModified) return `feed ${r.feed}: not modified`;
      const counts = `feed ${r.feed}: ${r.queued} queued, ${r.skipped} skipped, ${r.duplicates} already seen`;
      return r.warning ? `${counts}; warning: ${r.warning}` : counts;
    }
    case 'item-started':
      return `assessing "${event.title}" with ${event.agents.join(', ')}`;
    case 'item-finished':
      return describeOutcome(event.title, event.outcome);
    case 'item-error': {
      const a = event.attempt;
      const where = !a
        ? 'left queued'
        : a.status === 'failed'
          ? `failed after ${a.attempts} attempt(s) (assess feeds retry ${event.itemId})`
          : `attempt ${a.attempts} of ${MAX_ITEM_ATTEMPTS}, retry at ${when(a.nextAttemptAt)}`;
      return `error on "${event.title}": ${event.error}; ${where}`;
    }
    case 'requeued-after-crash': {
      const failed = event.failed > 0 ? `; ${event.failed} of them had no attempt left and failed` : '';
      return `${event.count} interrupted item(s) back in the queue; their runs will be resumed${failed}`;
    }
    case 'budget-reached':
      return event.message;
  }
}

/**
 * `assess watch`: polls feeds on their schedules, queues new stories in the archive and assesses
 * them. `--once` polls every feed once, assesses what is queued and exits (for cron/systemd
 * timers). The first SIGINT/SIGTERM stops polling and gives runs in flight `--grace` seconds.
 *
 * Exit codes (README "Exit codes"): a signal wins over everything else, 130 for SIGINT and 143 for
 * SIGTERM; then 4 when the archive failed; then, for `--once`, 3 when a feed failed or a run was
 * not ok (degraded, failed, deferred or cut short); else 0. Bad input exits 2 before anything runs.
 */
export async function watchCommand(options: WatchOptions, io: CliIo): Promise<ExitCode> {
  const env = environmentWithDotenv(io.env, io.cwd);
  const config = resolveConfig(options, env, DEFAULT_PATHS, loadConfigFile(options.configFile, env, io.cwd));
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(io.cwd, p));

  if (options.feed !== undefined && options.config !== undefined) throw new InputError('give either --config or --feed, not both');
  if (options.feed === undefined && options.every !== undefined) {
    throw new InputError('--every goes with --feed; in a config file set `every:` per feed');
  }
  const desks = await loadAgents(abs(config.agentsDir));
  // Unknown desks in the file are reported at their line.
  const configPath = options.config ?? DEFAULT_FEEDS_FILE;
  const watchConfig: WatchConfig =
    options.feed !== undefined
      ? singleFeedConfig(options.feed, options.every)
      : await loadWatchConfig(abs(configPath), { deskIds: desks.map((d) => d.id) });
  const graceMs = options.grace === undefined ? DEFAULT_GRACE_MS : (parseDuration(/^\d+$/.test(options.grace) ? `${options.grace}s` : options.grace) ?? NaN);
  if (!Number.isFinite(graceMs)) throw new InputError(`--grace ${options.grace}: expected seconds or a duration such as 30s or 2m`);
  const concurrency = options.runs === undefined ? 2 : Number(options.runs);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) throw new InputError(`--runs ${options.runs}: expected a whole number from 1 to 32`);

  const prompts = await loadPrompts(abs(config.promptsDir));
  const models = await buildModels(withAbsolutePaths(config, abs), desks, io.fetch);
  if (watchConfig.budget?.maxCostUsd !== undefined || config.maxCostUsd !== undefined) {
    // A cost budget cannot be kept on a model whose price is unknown: say so rather than count it
    // as free (the rule of `assess run --max-cost`). The desks any feed can route to, and the
    // synthesizer (which also triages).
    const routable = watchConfig.feeds.some((f) => f.agents === 'auto')
      ? desks
      : desks.filter((d) => watchConfig.feeds.some((f) => Array.isArray(f.agents) && f.agents.includes(d.id)));
    const unpriced = modelsWithoutPrice([...routable.map((d) => models.forAgent(d)), models.synthesis].map((m) => pricedModelName(m.provider, m.model)), models.prices);
    if (unpriced.length > 0) {
      throw new InputError(
        watchConfig.budget?.maxCostUsd !== undefined
          ? `${configPath}: budget.maxCostPerDay needs known prices; no price for ${unpriced.join(', ')} (use budget.maxTokensPerDay instead)`
          : `--max-cost needs known prices; no price for ${unpriced.join(', ')} (add it to a --prices file, or use --max-tokens instead)`,
      );
    }
  }
  let db;
  try {
    db = openArchive(abs(config.dbPath));
  } catch (error) {
    if (error instanceof ArchiveUnavailableError) {
      io.stderr.write(`assess: ${error.message}; the watcher needs the archive\n`);
      return EXIT.archive;
    }
    throw error;
  }
  let threads: ReturnType<typeof feedThreadOverrides>;
  try {
    threads = feedThreadOverrides(db, watchConfig, configPath);
  } catch (error) {
    db.close();
    throw error;
  }
  for (const note of threads.notes) io.stderr.write(`note: ${note}\n`);

  let feedErrors = 0;
  let unhealthyRuns = 0;
  const watcher = new Watcher({
    db,
    config: watchConfig,
    desks,
    http: { fetch: io.fetch ?? fetch, timeoutMs: 20_000, maxBytes: 5 * 1024 * 1024, userAgent: USER_AGENT },
    assess: {
      models,
      prompts,
      // Per-run limits (--max-cost, --max-tokens) go in here; the watcher combines them with the daily budget.
      runOptions: runOptionsFrom(config),
      threadFor: (feed) => threads.overrides.get(feed),
      onThreadNote: (note) => io.stderr.write(`${new Date().toISOString().slice(11, 19)} ${note}\n`),
    },
    concurrency,
    maxEventChars: config.maxEventChars,
    // One small model call per new item on `agents: auto` feeds, with the synthesizer's model.
    triage: options.triage
      ? modelTriage({
          model: models.synthesis,
          prompts,
          timeoutMs: Math.min(config.timeoutMs, 60_000),
          retry: retryPolicyFrom(config),
        })
      : undefined,
    onEvent: (event) => {
      if (event.type === 'poll' && !event.result.ok) feedErrors++;
      if (event.type === 'item-finished' && event.outcome.status !== 'ok') unhealthyRuns++;
      if (event.type === 'item-error') unhealthyRuns++;
      io.stderr.write(`${new Date().toISOString().slice(11, 19)} ${describe(event)}\n`);
    },
  });

  const onSignal = () => {
    io.stderr.write(`stopping: no more polls; runs in flight get ${Math.round(graceMs / 1000)}s (signal again to quit now)\n`);
    void watcher.stop(graceMs);
  };
  io.signal.addEventListener('abort', onSignal, { once: true });
  try {
    if (options.once) await watcher.once();
    else {
      const budget = watchConfig.budget;
      const limits = budget
        ? [
            budget.maxCostUsd !== undefined ? `$${formatUsd(budget.maxCostUsd)}` : '',
            budget.maxTokens !== undefined ? `${thousands(budget.maxTokens)} tokens` : '',
          ].filter(Boolean)
        : [];
      const perDay = limits.length > 0 ? `; budget ${limits.join(' and ')} per UTC day` : '';
      io.stderr.write(`watching ${watchConfig.feeds.length} feed(s); archive ${abs(config.dbPath)}${perDay}\n`);
      await watcher.run();
    }
  } finally {
    io.signal.removeEventListener('abort', onSignal);
    db.close();
    await rememberRateLimits(models, io);
  }
  if (watcher.fatal) io.stderr.write(`assess: ${watcher.fatal.message}; stopped (queued items wait for the next start)\n`);
  // Stopped by a signal: its code, whatever happened before, so a supervisor sees why it ended.
  const interrupted = interruptExitCode(io.signal);
  if (interrupted !== undefined) return interrupted;
  if (watcher.fatal) return EXIT.archive;
  // For cron/systemd: nonzero when something needs a look, without having stopped the other feeds.
  return feedErrors > 0 || unhealthyRuns > 0 ? EXIT.degraded : EXIT.ok;
}
