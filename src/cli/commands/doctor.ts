import { accessSync, constants, existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import * as z from 'zod';
import { loadAgents, type AgentDefinition } from '../../agents/index.js';
import { openArchive } from '../../archive/open-archive.js';
import { buildModels, KEY_VARIABLES, keyAvailable, keyedProviderOf, loadConfigFile, modelChoiceFor, resolveConfig, withAbsolutePaths, type AssessConfig, type ConfigFlags, type ProviderName } from '../../config/index.js';
import { describeError, InvalidOutputError, ProviderError, redactSecrets } from '../../errors/index.js';
import { generateObject } from '../../llm/generate-object.js';
import { toProviderJsonSchema } from '../../llm/json-schema.js';
import { loadPrompts } from '../../prompts/index.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { environmentWithDotenv } from '../load-env.js';
import { DEFAULT_PATHS } from '../paths.js';

export interface DoctorOptions extends ConfigFlags {
  agents?: string;
}

interface Check {
  ok: boolean;
  name: string;
  detail: string;
}

/**
 * The smallest structured answer worth asking for: proves auth, model, and json_schema support.
 * The prompt never spells out this shape, so only an endpoint that enforces the schema answers
 * with it; one that silently ignores json_schema answers "pong" in some other form, and is caught.
 */
const PingSchema = z.strictObject({ assess_doctor: z.enum(['pong']) });
const PING_SCHEMA = toProviderJsonSchema(PingSchema);

/** Why an endpoint's one tiny call failed, in the words a person needs to fix it. */
function diagnose(error: Error): string {
  const message = error.message;
  if (error instanceof InvalidOutputError) {
    const got = error.rawText.replace(/\s+/g, ' ').trim().slice(0, 60);
    return `answered, but not in the requested JSON schema (got ${JSON.stringify(got)}): the endpoint seems to ignore json_schema; runs still validate and repair its answers, at the cost of extra repair turns`;
  }
  if (error instanceof ProviderError && error.status !== undefined) {
    if (error.status === 401 || error.status === 403) return `API key rejected (HTTP ${error.status})`;
    if (error.status === 404) return `model not found (HTTP 404): ${message}`;
    if (error.status === 400 && /json_schema|response_format|output_config|structured/i.test(message)) {
      return `the endpoint does not accept json_schema structured output (HTTP 400): ${message}`;
    }
    return message;
  }
  if (/connection|fetch failed|ECONNREFUSED|ENOTFOUND|timed out/i.test(message)) return `network: ${message}`;
  return message;
}

/** Whether `path` (an archive file, existing or not) can be written, without creating it. */
function archiveWritable(path: string): string | null {
  if (existsSync(path)) {
    const db = openArchive(path, { create: false });
    try {
      // Takes the write lock and gives it back: proves the file and its folder are writable.
      db.exec('BEGIN IMMEDIATE; ROLLBACK;');
    } finally {
      db.close();
    }
    return null;
  }
  let dir = dirname(path);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  accessSync(dir, constants.W_OK);
  return `${path} will be created`;
}

/**
 * `assess doctor`: is this setup ready to run? One line per check — configuration, desks,
 * prompts, keys, one tiny structured call per provider/model in use, the archive — and exit 0
 * only when all pass. Nothing is archived.
 */
export async function doctorCommand(options: DoctorOptions, io: CliIo): Promise<ExitCode> {
  const checks: Check[] = [];
  const report = (check: Check) => {
    checks.push(check);
    io.stdout.write(`${check.ok ? 'ok  ' : 'FAIL'}  ${check.name}: ${check.detail}\n`);
  };
  const env = environmentWithDotenv(io.env, io.cwd);
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(io.cwd, p));

  let config: AssessConfig;
  try {
    const file = loadConfigFile(options.configFile, env, io.cwd);
    config = withAbsolutePaths(resolveConfig(options, env, DEFAULT_PATHS, file), abs);
    report({ ok: true, name: 'configuration', detail: config.configFile ?? 'no assess.config.yaml; flags, environment and defaults' });
  } catch (error) {
    report({ ok: false, name: 'configuration', detail: describeError(error) });
    return EXIT.failed;
  }

  let agents: AgentDefinition[] = [];
  try {
    agents = await loadAgents(abs(config.agentsDir));
    report({ ok: true, name: 'desks', detail: `${agents.length} valid (${agents.map((a) => a.id).join(', ')})` });
  } catch (error) {
    report({ ok: false, name: 'desks', detail: describeError(error) });
  }
  try {
    const prompts = await loadPrompts(abs(config.promptsDir));
    report({ ok: true, name: 'prompts', detail: `valid (desk ${prompts.deskHash}, synthesis ${prompts.synthesisHash})` });
  } catch (error) {
    report({ ok: false, name: 'prompts', detail: describeError(error) });
  }

  // Every provider/model the configuration would use, desks and synthesizer alike.
  const endpoints = new Map<string, { provider: ProviderName; model: string }>();
  for (const choice of [...agents.map((a) => modelChoiceFor(config, a)), modelChoiceFor(config, null)]) {
    endpoints.set(`${choice.provider}/${choice.model}`, choice);
  }
  const secrets = [config.openai.apiKey, config.anthropic.apiKey].filter((k): k is string => k !== undefined);
  // Whose key an endpoint needs: its provider's, a LangChain model's integration's (openai:, anthropic:), or none.
  const usable = ({ provider, model }: { provider: ProviderName; model: string }): boolean => {
    const keyed = keyedProviderOf(provider, model);
    return keyed === undefined || keyAvailable(config, keyed);
  };
  for (const provider of new Set([...endpoints.values()].flatMap((e) => keyedProviderOf(e.provider, e.model) ?? []))) {
    const hasKey = keyAvailable(config, provider);
    report({
      ok: hasKey,
      name: `${provider} key`,
      detail: hasKey ? (config[provider].apiKey ? `${KEY_VARIABLES[provider]} is set` : `none needed for ${config.openai.baseURL}`) : `${KEY_VARIABLES[provider]} is not set (environment or .env)`,
    });
  }

  for (const endpoint of endpoints.values()) {
    const { provider, model } = endpoint;
    const name = `${provider}/${model}`;
    if (!usable(endpoint)) {
      report({ ok: false, name, detail: 'not called: no key' });
      continue;
    }
    if (provider === 'replay') {
      const ok = existsSync(config.replayDir);
      report({ ok, name, detail: ok ? `offline recordings in ${config.replayDir}` : `no recordings folder ${config.replayDir}` });
      continue;
    }
    // This endpoint alone: fallbacks are not called here, so they must not be built (or key-checked) for it.
    const single: AssessConfig = { ...config, provider, model, synthProvider: undefined, synthModel: undefined, deskOverrides: {}, fallbacks: [], synthFallbacks: undefined };
    let synthesis;
    try {
      ({ synthesis } = await buildModels(single, [], io.fetch));
    } catch (error) {
      // A LangChain integration package that is not installed, an unknown integration.
      report({ ok: false, name, detail: redactSecrets(describeError(error), secrets) });
      continue;
    }
    const started = Date.now();
    const result = await generateObject({
      model: synthesis,
      schema: PingSchema,
      schemaName: 'doctor_ping',
      jsonSchema: PING_SCHEMA,
      purpose: 'doctor',
      scope: 'doctor',
      system: 'You are a health check.',
      user: 'Answer "pong".',
      renderRepair: () => 'Answer "pong".',
      maxRepairs: 0,
      maxOutputTokens: 64,
      timeoutMs: Math.min(config.timeoutMs, 30_000),
      retry: { maxRetries: 0, baseDelayMs: 0, maxDelayMs: 0 },
      signal: io.signal,
    });
    report(
      result.ok
        ? { ok: true, name, detail: `answered a structured call in ${Date.now() - started} ms` }
        : { ok: false, name, detail: redactSecrets(diagnose(result.error), secrets) },
    );
  }

  try {
    const note = archiveWritable(config.dbPath);
    report({ ok: true, name: 'archive', detail: note ?? `${config.dbPath} is writable` });
  } catch (error) {
    report({ ok: false, name: 'archive', detail: describeError(error) });
  }

  const failed = checks.filter((c) => !c.ok).length;
  io.stderr.write(failed === 0 ? `all ${checks.length} checks passed\n` : `${failed} of ${checks.length} checks failed\n`);
  return failed === 0 ? EXIT.ok : EXIT.failed;
}
