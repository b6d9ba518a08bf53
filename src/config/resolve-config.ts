import { z } from 'zod';
import { resolveDbPath } from './db-path.js';
import { InputError } from '../errors/index.js';
import { DEFAULT_MAX_EVENT_CHARS } from '../event/size-cap.js';

export const PROVIDERS = ['openai', 'anthropic', 'replay'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** Sensible defaults per provider; any model name the provider accepts works via --model. */
export const DEFAULT_MODELS: Record<ProviderName, string> = {
  openai: 'gpt-4.1',
  // claude-sonnet-4-5 reaches end-of-life on 2026-11-30 (the SDK warns on every call).
  anthropic: 'claude-sonnet-4-6',
  replay: 'replay',
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
  retries?: string;
  logLevel?: string;
  agentsDir?: string;
  promptsDir?: string;
  replayDir?: string;
  db?: string;
  maxCost?: string;
  maxRunTokens?: string;
}

const positiveInt = (name: string, max: number) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(1, `${name} must be at least 1`)
    .max(max, `${name} must be at most ${max}`);

const ConfigSchema = z.object({
  provider: z.enum(PROVIDERS, { error: (i) => `unknown provider ${String(i.input)}; use one of ${PROVIDERS.join(', ')}` }),
  model: z.string().min(1).optional(),
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
  /** Event bodies longer than this are cut, head and tail kept, the cut recorded. */
  maxEventChars: positiveInt('--max-event-chars', 10_000_000),
  openai: z.object({ apiKey: z.string().optional(), baseURL: z.string().optional() }),
  anthropic: z.object({ apiKey: z.string().optional(), baseURL: z.string().optional() }),
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

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v.trim());

/**
 * Resolves configuration once, flags over environment (which already includes .env) over
 * defaults, and validates it. Nothing below the CLI reads process.env.
 */
export function resolveConfig(flags: ConfigFlags, env: Record<string, string | undefined>, defaults: ConfigDefaults): AssessConfig {
  for (const [old, use] of Object.entries(RENAMED_VARIABLES)) {
    if (nonEmpty(env[old]) !== undefined) throw new InputError(`${old} is no longer read: ${use}`);
  }
  const raw = {
    provider: nonEmpty(flags.provider) ?? nonEmpty(env['ASSESS_PROVIDER']) ?? 'openai',
    model: nonEmpty(flags.model) ?? nonEmpty(env['ASSESS_MODEL']),
    synthModel: nonEmpty(flags.synthModel) ?? nonEmpty(env['ASSESS_SYNTH_MODEL']),
    concurrency: nonEmpty(flags.concurrency) ?? nonEmpty(env['ASSESS_CONCURRENCY']) ?? '8',
    timeoutMs: secondsToMs(nonEmpty(flags.callTimeout) ?? nonEmpty(env['ASSESS_CALL_TIMEOUT']) ?? '180'),
    runTimeoutMs: secondsToMs(nonEmpty(flags.timeout) ?? nonEmpty(env['ASSESS_TIMEOUT']) ?? String(DEFAULT_RUN_TIMEOUT_SECONDS)),
    maxRepairs: nonEmpty(flags.repairs) ?? nonEmpty(env['ASSESS_MAX_REPAIRS']) ?? '2',
    maxOutputTokens: nonEmpty(flags.maxOutputTokens) ?? nonEmpty(env['ASSESS_MAX_OUTPUT_TOKENS']) ?? '8192',
    maxRetries: nonEmpty(flags.retries) ?? nonEmpty(env['ASSESS_MAX_RETRIES']) ?? '3',
    maxCostUsd: nonEmpty(flags.maxCost) ?? nonEmpty(env['ASSESS_MAX_COST']),
    maxRunTokens: nonEmpty(flags.maxTokens) ?? nonEmpty(flags.maxRunTokens) ?? nonEmpty(env['ASSESS_MAX_RUN_TOKENS']),
    rpm: nonEmpty(flags.rpm) ?? nonEmpty(env['ASSESS_RPM']),
    tpm: nonEmpty(flags.tpm) ?? nonEmpty(env['ASSESS_TPM']),
    logLevel: nonEmpty(flags.logLevel) ?? nonEmpty(env['LOG_LEVEL']) ?? 'warn',
    agentsDir: nonEmpty(flags.agentsDir) ?? nonEmpty(env['ASSESS_AGENTS_DIR']) ?? defaults.agentsDir,
    promptsDir: nonEmpty(flags.promptsDir) ?? nonEmpty(env['ASSESS_PROMPTS_DIR']) ?? defaults.promptsDir,
    replayDir: nonEmpty(flags.replayDir) ?? nonEmpty(env['ASSESS_REPLAY_DIR']) ?? defaults.replayDir,
    dbPath: resolveDbPath(flags, env),
    pricesFile: nonEmpty(flags.prices) ?? nonEmpty(env['ASSESS_PRICES']),
    maxEventChars: nonEmpty(flags.maxEventChars) ?? nonEmpty(env['ASSESS_MAX_EVENT_CHARS']) ?? String(DEFAULT_MAX_EVENT_CHARS),
    openai: { apiKey: nonEmpty(env['OPENAI_API_KEY']), baseURL: nonEmpty(env['OPENAI_BASE_URL']) },
    anthropic: { apiKey: nonEmpty(env['ANTHROPIC_API_KEY']), baseURL: nonEmpty(env['ANTHROPIC_BASE_URL']) },
  };
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new InputError(issue?.message ?? 'invalid configuration');
  }
  return result.data;
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
