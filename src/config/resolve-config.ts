import * as z from 'zod';
import { resolveDbPath } from './db-path.js';
import { InputError } from '../errors/index.js';
import type { ConfigFile } from './config-file.js';
import { DEFAULT_MAX_EVENT_CHARS } from '../event/size-cap.js';
import { ONE_SHOT_PARSE } from '../validation/one-shot-parse.js';

export const PROVIDERS = ['openai', 'anthropic', 'langchain', 'replay'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** Sensible defaults per provider; any model name the provider accepts works via --model. */
export const DEFAULT_MODELS: Record<ProviderName, string> = {
  openai: 'gpt-4.1',
  // claude-sonnet-4-5 reaches end-of-life on 2026-11-30 (the SDK warns on every call).
  anthropic: 'claude-sonnet-4-6',
  replay: 'replay',
  // LangChain models are named integration:model; any initChatModel accepts works via --model.
  langchain: 'openai:gpt-4.1-mini',
};

/** Which variable holds each provider's key: named in the error when it is missing. */
export const KEY_VARIABLES = { openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY' } as const;

/** Flags as the CLI parsed them; all optional, all strings, validated here. */
export interface ConfigFlags {
  provider?: string;
  model?: string;
  synthModel?: string;
  concurrency?: string;
  /** Whole run, seconds. */
  timeout?: string;
  /** Per model call, seconds. */
  callTimeout?: string;
  repairs?: string;
  /** Token budget of the run. */
  maxTokens?: string;
  maxOutputTokens?: string;
  rpm?: string;
  tpm?: string;
  /** A YAML/JSON file of model prices on top of the built-in ones. */
  prices?: string;
  maxEventChars?: string;
  /** `--config-file`: an assess.config.yaml other than the working directory's. */
  configFile?: string;
  /** Comma-separated provider:model list tried after the primary fails. */
  fallbacks?: string;
  retries?: string;
  logLevel?: string;
  agentsDir?: string;
  promptsDir?: string;
  replayDir?: string;
  db?: string;
  maxCost?: string;
  maxRunTokens?: string;
  /** `--no-stream`: commander sets false; true (its default) means "not given". */
  stream?: boolean;
  /** `--no-prompt-cache`, likewise. */
  promptCache?: boolean;
}

const positiveInt = (name: string, max: number) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(1, `${name} must be at least 1`)
    .max(max, `${name} must be at most ${max}`);

/** `provider:model` → { provider, model }; the model may itself contain colons (Ollama tags). */
const ModelRef = z.string().transform((text, ctx) => {
  const at = text.indexOf(':');
  const provider = text.slice(0, at).trim();
  const model = text.slice(at + 1).trim();
  if (at < 0 || !(PROVIDERS as readonly string[]).includes(provider) || model === '') {
    ctx.issues.push({ code: 'custom', message: `fallback ${JSON.stringify(text)} must be provider:model with provider ${PROVIDERS.join(', ')}, e.g. openai:gpt-4.1-mini`, input: text });
    return z.NEVER;
  }
  return { provider: provider as ProviderName, model };
});

/** A yes/no setting from a flag, a variable or the file: true/false, 1/0, yes/no, on/off. */
const onOff = (name: string) =>
  z
    .string()
    .transform((v) => v.trim().toLowerCase())
    .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { error: `${name} must be true or false` }))
    .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const ConfigSchema = z.object({
  provider: z.enum(PROVIDERS, { error: (i) => `unknown provider ${String(i.input)}; use one of ${PROVIDERS.join(', ')}` }),
  model: z.string().min(1).optional(),
  /** The synthesizer's provider, when it differs from the desks' (config file `synthesizer:`). */
  synthProvider: z.enum(PROVIDERS, { error: (i) => `unknown provider ${String(i.input)} for the synthesizer; use one of ${PROVIDERS.join(', ')}` }).optional(),
  synthModel: z.string().min(1).optional(),
  concurrency: positiveInt('--concurrency', 64),
  /** Per model call. */
  timeoutMs: positiveInt('--call-timeout', 3_600_000),
  /** The whole run: desks, repairs, retries, rate-limit waits and the synthesis. */
  runTimeoutMs: positiveInt('--timeout', 7 * 86_400_000),
  maxRepairs: z.coerce.number({ error: '--repairs must be a number' }).int().min(0, '--repairs must be 0 or more').max(5, '--repairs must be at most 5'),
  maxOutputTokens: positiveInt('--max-output-tokens', 200_000),
  maxRetries: z.coerce.number({ error: '--retries must be a number' }).int().min(0).max(10, '--retries must be at most 10'),
  maxCostUsd: z.coerce.number({ error: '--max-cost must be a number of US dollars' }).positive('--max-cost must be more than 0').optional(),
  maxRunTokens: positiveInt('--max-tokens', 1_000_000_000).optional(),
  rpm: positiveInt('--rpm', 10_000_000).optional(),
  tpm: positiveInt('--tpm', 10_000_000_000).optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    error: (i) => `unknown log level ${String(i.input)}`,
  }),
  agentsDir: z.string().min(1),
  promptsDir: z.string().min(1),
  replayDir: z.string().min(1),
  dbPath: z.string().min(1),
  pricesFile: z.string().min(1).optional(),
  /** Prices written in the configuration file, on top of the price file's and the built-in ones. */
  prices: z.record(z.string(), z.object({ input: z.number(), output: z.number(), cacheRead: z.number().optional(), cacheWrite: z.number().optional() })),
  /** Per-desk provider/model from the configuration file; they win over the desk files' own. */
  deskOverrides: z.record(z.string(), z.object({ provider: z.enum(PROVIDERS).optional(), model: z.string().optional(), fallbacks: z.array(ModelRef).optional() })),
  /** Tried in order after a model fails its retries (`--fallbacks`, config `fallbacks:`). */
  fallbacks: z.array(ModelRef),
  /** Rate limits for one `provider:model`, from the configuration file. */
  modelRateLimits: z.record(z.string(), z.object({ rpm: z.number().optional(), tpm: z.number().optional() })),
  synthFallbacks: z.array(ModelRef).optional(),
  /** The configuration file read, if any. */
  configFile: z.string().optional(),
  /** Event bodies longer than this are cut, head and tail kept, the cut recorded. */
  maxEventChars: positiveInt('--max-event-chars', 10_000_000),
  /** Stream model answers so progress shows text arriving (ASSESS_STREAM, config `stream:`). */
  stream: onOff('ASSESS_STREAM'),
  /** Mark the prompt prefix every desk shares for the provider's cache (Anthropic `cache_control`). */
  promptCache: onOff('ASSESS_PROMPT_CACHE'),
  openai: z.object({ apiKey: z.string().optional(), baseURL: z.string().optional() }),
  anthropic: z.object({ apiKey: z.string().optional(), baseURL: z.string().optional() }),
  /** Where LangChain's `ollama:` models find the server (OLLAMA_BASE_URL; LangChain's default is 127.0.0.1:11434). */
  ollama: z.object({ baseURL: z.string().optional() }),
});

export type AssessConfig = z.infer<typeof ConfigSchema>;

export interface ConfigDefaults {
  agentsDir: string;
  promptsDir: string;
  replayDir: string;
}

/** A whole run may take this long unless --timeout says otherwise: generous for real models, but never forever. */
export const DEFAULT_RUN_TIMEOUT_SECONDS = 1800;

/**
 * Variables an earlier version read with another meaning. Refused rather than ignored: silently
 * turning an output cap into a run budget (or a call timeout into a run timeout) would change
 * what a run does without a word.
 */
const RENAMED_VARIABLES: Record<string, string> = {
  ASSESS_TIMEOUT_MS: 'use ASSESS_CALL_TIMEOUT (seconds per model call) or ASSESS_TIMEOUT (seconds per run)',
  ASSESS_MAX_TOKENS: 'use ASSESS_MAX_OUTPUT_TOKENS (output tokens per call) or ASSESS_MAX_RUN_TOKENS (token budget per run)',
};

/** Seconds for people, milliseconds inside; anything that is not a number is left for the schema to reject. */
const secondsToMs = (seconds: string): string | number => (Number.isFinite(Number(seconds)) ? Math.round(Number(seconds) * 1000) : seconds);

const splitList = (value: string | undefined): string[] => (value === undefined ? [] : value.split(',').map((s) => s.trim()).filter(Boolean));

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v.trim());

/** Where a setting's value came from, for `assess config show`. */
export type ConfigSource = 'flag' | 'environment' | 'config file' | 'default';

export interface ResolvedConfig {
  config: AssessConfig;
  /** Per setting that has a value; settings left unset are absent. */
  sources: Partial<Record<keyof AssessConfig, ConfigSource>>;
}

/**
 * Resolves configuration once — flags over environment (which already includes .env) over the
 * configuration file over defaults — and validates it. Nothing below the CLI reads process.env.
 */
export function resolveConfig(flags: ConfigFlags, env: Record<string, string | undefined>, defaults: ConfigDefaults, file?: ConfigFile): AssessConfig {
  return resolveConfigWithSources(flags, env, defaults, file).config;
}

export function resolveConfigWithSources(
  flags: ConfigFlags,
  env: Record<string, string | undefined>,
  defaults: ConfigDefaults,
  file?: ConfigFile,
): ResolvedConfig {
  for (const [old, use] of Object.entries(RENAMED_VARIABLES)) {
    if (nonEmpty(env[old]) !== undefined) throw new InputError(`${old} is no longer read: ${use}`);
  }
  const f = file?.values ?? {};
  const sources: ResolvedConfig['sources'] = {};
  /** The first of flag, environment variable, file value and default that is set, noting which. */
  const pick = (
    key: keyof AssessConfig,
    flag: string | undefined,
    variable: string | undefined,
    fromFile: string | number | boolean | undefined,
    fallback?: string,
  ): string | undefined => {
    const candidates: [ConfigSource, string | undefined][] = [
      ['flag', nonEmpty(flag)],
      ['environment', variable ? nonEmpty(env[variable]) : undefined],
      ['config file', fromFile === undefined ? undefined : String(fromFile)],
      ['default', fallback],
    ];
    const found = candidates.find(([, value]) => value !== undefined);
    if (found) sources[key] = found[0];
    return found?.[1];
  };
  const inSeconds = (value: string | undefined): string | number | undefined => (value === undefined ? undefined : secondsToMs(value));
  const dbSource: ConfigSource =
    nonEmpty(flags.db) !== undefined ? 'flag' : nonEmpty(env['ASSESS_DB']) !== undefined ? 'environment' : f.db !== undefined ? 'config file' : 'default';
  const raw = {
    provider: pick('provider', flags.provider, 'ASSESS_PROVIDER', f.provider, 'openai'),
    model: pick('model', flags.model, 'ASSESS_MODEL', f.model),
    synthProvider: pick('synthProvider', undefined, 'ASSESS_SYNTH_PROVIDER', f.synthesizer?.provider),
    synthModel: pick('synthModel', flags.synthModel, 'ASSESS_SYNTH_MODEL', f.synthesizer?.model),
    concurrency: pick('concurrency', flags.concurrency, 'ASSESS_CONCURRENCY', f.concurrency, '8'),
    timeoutMs: inSeconds(pick('timeoutMs', flags.callTimeout, 'ASSESS_CALL_TIMEOUT', f.callTimeout, '180')),
    runTimeoutMs: inSeconds(pick('runTimeoutMs', flags.timeout, 'ASSESS_TIMEOUT', f.timeout, String(DEFAULT_RUN_TIMEOUT_SECONDS))),
    maxRepairs: pick('maxRepairs', flags.repairs, 'ASSESS_MAX_REPAIRS', f.repairs, '2'),
    maxOutputTokens: pick('maxOutputTokens', flags.maxOutputTokens, 'ASSESS_MAX_OUTPUT_TOKENS', f.maxOutputTokens, '8192'),
    maxRetries: pick('maxRetries', flags.retries, 'ASSESS_MAX_RETRIES', f.retries, '3'),
    maxCostUsd: pick('maxCostUsd', flags.maxCost, 'ASSESS_MAX_COST', f.budget?.maxCost),
    maxRunTokens: pick('maxRunTokens', flags.maxTokens ?? flags.maxRunTokens, 'ASSESS_MAX_RUN_TOKENS', f.budget?.maxTokens),
    rpm: pick('rpm', flags.rpm, 'ASSESS_RPM', f.rateLimits?.rpm),
    tpm: pick('tpm', flags.tpm, 'ASSESS_TPM', f.rateLimits?.tpm),
    logLevel: pick('logLevel', flags.logLevel, 'LOG_LEVEL', f.logLevel, 'warn'),
    agentsDir: pick('agentsDir', flags.agentsDir, 'ASSESS_AGENTS_DIR', f.agentsDir, defaults.agentsDir),
    promptsDir: pick('promptsDir', flags.promptsDir, 'ASSESS_PROMPTS_DIR', f.promptsDir, defaults.promptsDir),
    replayDir: pick('replayDir', flags.replayDir, 'ASSESS_REPLAY_DIR', undefined, defaults.replayDir),
    // The data directory's default needs the environment (XDG_DATA_HOME, HOME): resolveDbPath has it.
    dbPath: dbSource === 'config file' ? f.db : resolveDbPath(flags, env),
    pricesFile: pick('pricesFile', flags.prices, 'ASSESS_PRICES', f.pricesFile),
    prices: f.prices ?? {},
    deskOverrides: f.desks ?? {},
    fallbacks: splitList(pick('fallbacks', flags.fallbacks, 'ASSESS_FALLBACKS', f.fallbacks?.join(','))),
    synthFallbacks: f.synthesizer?.fallbacks,
    modelRateLimits: f.rateLimits?.models ?? {},
    maxEventChars: pick('maxEventChars', flags.maxEventChars, 'ASSESS_MAX_EVENT_CHARS', f.maxEventChars, String(DEFAULT_MAX_EVENT_CHARS)),
    stream: pick('stream', flags.stream === false ? 'false' : undefined, 'ASSESS_STREAM', f.stream, 'true'),
    promptCache: pick('promptCache', flags.promptCache === false ? 'false' : undefined, 'ASSESS_PROMPT_CACHE', f.promptCache, 'true'),
    configFile: file?.path,
    openai: { apiKey: nonEmpty(env['OPENAI_API_KEY']), baseURL: nonEmpty(env['OPENAI_BASE_URL']) },
    anthropic: { apiKey: nonEmpty(env['ANTHROPIC_API_KEY']), baseURL: nonEmpty(env['ANTHROPIC_BASE_URL']) },
    ollama: { baseURL: nonEmpty(env['OLLAMA_BASE_URL']) },
  };
  sources.dbPath = dbSource;
  if (f.prices) sources.prices = 'config file';
  if (f.desks) sources.deskOverrides = 'config file';
  if (f.rateLimits?.models) sources.modelRateLimits = 'config file';
  const result = ConfigSchema.safeParse(raw, ONE_SHOT_PARSE);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new InputError(issue?.message ?? 'invalid configuration');
  }
  return { config: result.data, sources };
}

/**
 * The provider and model a desk (or, for null, the synthesizer) runs on: the configuration file's
 * `desks:` entry, else the desk file's own choice, else the run's; the synthesizer's own settings,
 * else the run's. A desk moved to another provider gets that provider's default model unless a
 * model is named with it.
 */
export interface ModelChoice {
  provider: ProviderName;
  model: string;
  /** Tried in order when this model fails after its retries. */
  fallbacks: { provider: ProviderName; model: string }[];
}

export function modelChoiceFor(config: AssessConfig, agent: { id: string; provider?: ProviderName | undefined; model?: string | undefined } | null): ModelChoice {
  if (agent === null) {
    const provider = config.synthProvider ?? config.provider;
    return { provider, model: modelFor(config, provider, config.synthModel), fallbacks: config.synthFallbacks ?? config.fallbacks };
  }
  const pinned = config.deskOverrides[agent.id];
  const fallbacks = pinned?.fallbacks ?? config.fallbacks;
  if (pinned?.provider !== undefined || pinned?.model !== undefined) {
    const provider = pinned.provider ?? agent.provider ?? config.provider;
    const samePlace = pinned.provider === undefined || pinned.provider === agent.provider;
    return { provider, model: modelFor(config, provider, pinned.model ?? (samePlace ? agent.model : undefined)), fallbacks };
  }
  const provider = agent.provider ?? config.provider;
  return { provider, model: modelFor(config, provider, agent.model), fallbacks };
}

/** The model name a provider uses when no --model was given. */
export function modelFor(config: AssessConfig, provider: ProviderName, override?: string): string {
  if (override) return override;
  // --model applies to the chosen provider; a desk that switches provider gets that provider's default.
  if (provider === config.provider && config.model) return config.model;
  return DEFAULT_MODELS[provider];
}

/** The configuration with every path the user gave resolved against their working directory. */
export function withAbsolutePaths(config: AssessConfig, abs: (path: string) => string): AssessConfig {
  return {
    ...config,
    replayDir: abs(config.replayDir),
    dbPath: abs(config.dbPath),
    ...(config.pricesFile !== undefined ? { pricesFile: abs(config.pricesFile) } : {}),
  };
}
