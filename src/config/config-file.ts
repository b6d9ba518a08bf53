import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import * as z from 'zod';
import { AGENT_ID_PATTERN } from '../agents/agent-id.js';
import { InputError } from '../errors/index.js';
import { configFilePath, DEFAULT_CONFIG_FILE } from './config-file-path.js';
import { fieldName, readYamlDocument } from '../yaml/yaml-document.js';
import { ONE_SHOT_PARSE } from '../validation/one-shot-parse.js';

export { DEFAULT_CONFIG_FILE } from './config-file-path.js';

const PROVIDER_NAMES = ['openai', 'anthropic', 'langchain', 'replay'] as const;

const provider = z.enum(PROVIDER_NAMES, { error: (i) => `unknown provider ${JSON.stringify(i.input)}; use one of ${PROVIDER_NAMES.join(', ')}` });
const model = z.string({ error: 'must be a model name' }).trim().min(1, 'must be a model name');
const whole = (what: string, max: number) =>
  z.number({ error: `must be a whole number of ${what}` }).int(`must be a whole number of ${what}`).min(1, 'must be at least 1').max(max, `must be at most ${max}`);
const seconds = z.number({ error: 'must be a number of seconds' }).positive('must be more than 0');
const path = z.string({ error: 'must be a file path' }).trim().min(1, 'must be a file path');
const usdPerMillion = z.number({ error: 'must be US dollars per million tokens' }).min(0, 'must be 0 or more');

/**
 * `openai:gpt-4.1-mini`, `anthropic:claude-haiku-4-5`; the model part may contain colons
 * (`openai:llama3.1:8b`, and LangChain's own `langchain:ollama:llama3.1`).
 */
const fallback = z
  .string({ error: 'must be provider:model, e.g. openai:gpt-4.1-mini' })
  .regex(/^(openai|anthropic|langchain|replay):.+$/, 'must be provider:model with provider openai, anthropic, langchain or replay, e.g. openai:gpt-4.1-mini');
const fallbacks = z.array(fallback, { error: 'must be a list of provider:model' });

const ModelChoice = z.strictObject({ provider: provider.optional(), model: model.optional(), fallbacks: fallbacks.optional() });

const ConfigFileSchema = z.strictObject({
  provider: provider.optional(),
  model: model.optional(),
  /** Tried in order when a desk's (or the synthesizer's) model fails after its retries. */
  fallbacks: fallbacks.optional(),
  synthesizer: ModelChoice.optional(),
  desks: z
    .record(z.string().regex(AGENT_ID_PATTERN, 'desk ids look like JP-01'), ModelChoice)
    .optional(),
  concurrency: whole('desks', 64).optional(),
  timeout: seconds.optional(),
  callTimeout: seconds.optional(),
  retries: z.number({ error: 'must be a whole number' }).int('must be a whole number').min(0).max(10, 'must be at most 10').optional(),
  repairs: z.number({ error: 'must be a whole number' }).int('must be a whole number').min(0).max(5, 'must be at most 5').optional(),
  maxOutputTokens: whole('tokens', 200_000).optional(),
  maxEventChars: whole('characters', 10_000_000).optional(),
  /** Stream answers (progress shows text arriving); false for servers that stream badly. */
  stream: z.boolean({ error: 'must be true or false' }).optional(),
  /** Mark the prefix every desk shares for the provider's prompt cache. */
  promptCache: z.boolean({ error: 'must be true or false' }).optional(),
  budget: z
    .strictObject({
      maxCost: z.number({ error: 'must be US dollars' }).positive('must be more than 0').optional(),
      maxTokens: whole('tokens', 1_000_000_000).optional(),
    })
    .optional(),
  rateLimits: z
    .strictObject({
      rpm: whole('requests', 10_000_000).optional(),
      tpm: whole('tokens', 10_000_000_000).optional(),
      /** Limits for one provider:model, replacing the ones above for it. */
      models: z
        .record(
          z.string().regex(/^(openai|anthropic|langchain|replay):.+$/, 'keys are provider:model, e.g. anthropic:claude-sonnet-4-6'),
          z.strictObject({ rpm: whole('requests', 10_000_000).optional(), tpm: whole('tokens', 10_000_000_000).optional() }),
        )
        .optional(),
    })
    .optional(),
  prices: z.record(z.string().trim().min(1), z.strictObject({ input: usdPerMillion, output: usdPerMillion, cacheRead: usdPerMillion.optional(), cacheWrite: usdPerMillion.optional() })).optional(),
  pricesFile: path.optional(),
  db: path.optional(),
  agentsDir: path.optional(),
  promptsDir: path.optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be fatal, error, warn, info, debug, trace or silent' }).optional(),
});

export type ConfigFileValues = z.infer<typeof ConfigFileSchema>;

export interface ConfigFile {
  /** Absolute path of the file read. */
  path: string;
  /** Validated values; paths in it are absolute (relative ones are taken from the file's folder). */
  values: ConfigFileValues;
}

const KNOWN = Object.keys(ConfigFileSchema.shape);

/** Fields people will copy from the issue's example before they exist here: say so plainly. */
const NOT_YET: Record<string, string> = {};

/**
 * Parses and validates an `assess.config.yaml`. Errors are one line: `file:line: field: problem`,
 * with the dot path of the field (`desks.CN-01.provider`).
 */
export function parseConfigFile(text: string, file: string): ConfigFileValues {
  const doc = readYamlDocument(text, file);
  if (doc.raw === null || doc.raw === undefined) return {};
  if (typeof doc.raw !== 'object' || Array.isArray(doc.raw)) throw new InputError(`${file}:1: expected a mapping of settings`);
  const result = ConfigFileSchema.safeParse(doc.raw, ONE_SHOT_PARSE);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const why = issue.path.length === 0 ? (NOT_YET[key] ?? `unknown setting; known: ${KNOWN.join(', ')}`) : 'unknown field';
    throw new InputError(`${file}:${doc.keyLine(issue.path, key)}: ${fieldName([...issue.path, key])}: ${why}`);
  }
  // Zod reports a bad record key as a wrapper issue; the reason is inside it.
  const message =
    issue.code === 'invalid_key'
      ? (issue.issues[0]?.message ?? issue.message)
      : issue.code === 'invalid_type' && valueAt(doc.raw, issue.path) === undefined
        ? 'is required'
        : issue.message;
  throw new InputError(`${file}:${doc.lineAt(issue.path)}: ${fieldName(issue.path) || '(file)'}: ${message}`);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const part of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}

const PATH_FIELDS = ['pricesFile', 'db', 'agentsDir', 'promptsDir'] as const;

/**
 * The configuration file in use, if any: `--config-file`, else `ASSESS_CONFIG`, else
 * `assess.config.yaml` in the working directory when it exists. A named file that is missing is
 * an error; the default one is optional.
 */
export function loadConfigFile(named: string | undefined, env: Record<string, string | undefined>, cwd: string): ConfigFile | undefined {
  const { path: file, named: given } = configFilePath(named, env, cwd);
  if (given === undefined && !existsSync(file)) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(`${given ?? file}: cannot read the configuration file (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
  }
  const values = parseConfigFile(text, given ?? DEFAULT_CONFIG_FILE);
  const base = dirname(file);
  for (const field of PATH_FIELDS) {
    const value = values[field];
    if (value !== undefined && !isAbsolute(value)) values[field] = resolve(base, value);
  }
  return { path: file, values };
}
