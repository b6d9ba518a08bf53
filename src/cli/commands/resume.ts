import { isAbsolute, resolve } from 'node:path';
import type { AgentDefinition } from '../../agents/definition.js';
import { ArchiveRecorder, loadRun, resolveRunId } from '../../archive/index.js';
import { recordRunForecasts } from '../../archive/forecasts.js';
import { buildModels, loadConfigFile, resolveConfig, withAbsolutePaths, type ConfigFlags, type ProviderName } from '../../config/index.js';
import { InputError } from '../../errors/index.js';
import { runEvent } from '../../pipeline/index.js';
import { loadPrompts } from '../../prompts/index.js';
// The renderers themselves, not the report barrel: it would load the HTML and diff renderers into every run.
import { renderRunJson } from '../../report/json.js';
import { renderRunMarkdown } from '../../report/markdown.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { withArchive } from '../archive-access.js';
import { environmentWithDotenv } from '../load-env.js';
import { DEFAULT_PATHS } from '../paths.js';
import { createProgress, openLiveTable } from '../progress.js';
import { rememberRateLimits } from '../throttling.js';
import { exitCodeFor } from './run.js';

export interface ResumeOptions extends ConfigFlags {
  allowChangedPrompts?: boolean;
  format: string;
  progress: boolean;
}

/**
 * `assess resume <runId>`: reruns only the desks that failed or never finished, with the run's
 * own desk definitions, models and prompt versions, then records a new synthesis version.
 * Everything archived before is kept.
 */
export async function resumeCommand(id: string, options: ResumeOptions, io: CliIo): Promise<ExitCode> {
  if (options.format !== 'md' && options.format !== 'json') throw new InputError(`unknown format ${options.format}; use md or json`);
  const env = environmentWithDotenv(io.env, io.cwd);
  const config = resolveConfig(options, env, DEFAULT_PATHS, loadConfigFile(options.configFile, env, io.cwd));
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(io.cwd, p));

  return withArchive(options, io, async (db) => {
    const runId = resolveRunId(db, id);
    const archived = loadRun(db, runId);
    const { result } = archived;
    if (result.status === 'running') throw new InputError(`run ${runId.slice(0, 8)} is still running in another process`);
    const done = new Set(result.assessments.map((a) => a.agentId));
    const missing = archived.desks.filter((d) => !done.has(d.agentId));
    if (missing.length === 0 && result.synthesis !== null) {
      io.stderr.write(`run ${runId.slice(0, 8)} is complete (${result.status}); nothing to resume\n`);
      return EXIT.ok;
    }

    const prompts = await loadPrompts(abs(config.promptsDir));
    const changed = [
      prompts.deskHash !== result.promptHashes.desk ? `desk ${result.promptHashes.desk} → ${prompts.deskHash}` : '',
      prompts.synthesisHash !== result.promptHashes.synthesis ? `synthesis ${result.promptHashes.synthesis} → ${prompts.synthesisHash}` : '',
    ].filter(Boolean);
    if (changed.length > 0 && !options.allowChangedPrompts) {
      throw new InputError(`the prompts changed since run ${runId.slice(0, 8)} (${changed.join('; ')}); pass --allow-changed-prompts to resume anyway`);
    }

    // The run's own desks and models: definitions as archived, pinned to the provider/model used.
    const agents: AgentDefinition[] = archived.desks.map((d) => ({
      ...d.definition,
      provider: d.provider as ProviderName,
      model: d.model,
    }));
    const models = await buildModels(
      {
        ...withAbsolutePaths(config, abs),
        provider: archived.synthesisModel.provider as ProviderName,
        synthModel: archived.synthesisModel.model,
      },
      agents,
      io.fetch,
    );

    const recorder = ArchiveRecorder.resume(db, runId, models.secrets);
    const progress = options.progress
      ? createProgress(io.stderr, `assess resume ${runId.slice(0, 8)} · ${missing.length} desk(s) to finish`, missing.map((d) => d.agentId), Date.now, await openLiveTable(io.stderr))
      : undefined;
    let run;
    try {
      run = await runEvent({
        runId,
        startedAt: result.startedAt,
        event: result.event,
        agents,
        modelFor: models.forAgent,
        synthesisModel: models.synthesis,
        ...(models.fallbacksFor ? { fallbacksFor: models.fallbacksFor } : {}),
        prompts,
        // The run's own settings, but a fresh deadline: this invocation's --timeout.
        options: { ...archived.options, runTimeoutMs: config.runTimeoutMs },
        signal: io.signal,
        existing: result.assessments,
        // The memory and evidence stored when the run started: the desks still to answer see what
        // the others saw, not the thread as it is now.
        ...(archived.threadContext ? { thread: archived.threadContext } : {}),
        onEvent: (e) => {
          recorder.listener(e);
          progress?.onEvent(e);
        },
      });
    } finally {
      progress?.stop();
    }
    recorder.finish(run.status, run.finishedAt);
    // A new synthesis version records its forecasts as new rows; the earlier ones stay as they are.
    const forecastFailure = recorder.failure ? null : recordRunForecasts(db, run);
    await rememberRateLimits(models, io);

    // The report covers the whole run as archived now: earlier rounds and this one.
    const full = recorder.failure ? { ...run, ...(result.thread && !run.thread ? { thread: result.thread } : {}) } : loadRun(db, runId).result;
    io.stdout.write(options.format === 'json' ? renderRunJson(full) : renderRunMarkdown(full));
    io.stderr.write(
      `run ${runId}: ${run.status} after resume (${run.assessments.length}/${agents.length} desks; reran ${missing.map((d) => d.agentId).join(', ') || 'the synthesis only'})\n`,
    );
    if (recorder.failure) {
      io.stderr.write(`assess: ${recorder.failure.message}; this resume was not fully archived\n`);
      return EXIT.archive;
    }
    if (forecastFailure) {
      io.stderr.write(`assess: ${forecastFailure.message}; this resume was not fully archived\n`);
      return EXIT.archive;
    }
    return exitCodeFor(run);
  });
}
