import { loadConfigFile, resolveConfigWithSources, type AssessConfig, type ConfigFlags, type ConfigSource } from '../../config/index.js';
import { InputError } from '../../errors/index.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { environmentWithDotenv } from '../load-env.js';
import { DEFAULT_PATHS } from '../paths.js';

export interface ConfigShowOptions extends ConfigFlags {
  format: string;
}

interface Row {
  setting: string;
  value: unknown;
  source: ConfigSource | 'not set';
}

/** Credentials in a URL (`https://user:secret@host`) are as secret as a key. */
function redactUrl(url: string | undefined): string | null {
  if (url === undefined) return null;
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = parsed.username ? '[redacted]' : '';
      parsed.password = parsed.password ? '[redacted]' : '';
    }
    return parsed.toString();
  } catch {
    return url;
  }
}

const SECONDS = new Set<keyof AssessConfig>(['timeoutMs', 'runTimeoutMs']);
const LABELS: Partial<Record<keyof AssessConfig, string>> = { timeoutMs: 'callTimeout (s)', runTimeoutMs: 'timeout (s)' };

/**
 * `assess config show`: the configuration a run would use, one setting per line with where its
 * value came from (flag, environment or .env, the configuration file, default). API keys are
 * never printed: only whether each is set.
 */
export async function configShowCommand(options: ConfigShowOptions, io: CliIo): Promise<ExitCode> {
  if (options.format !== 'text' && options.format !== 'json') throw new InputError(`unknown format ${options.format}; use text or json`);
  const env = environmentWithDotenv(io.env, io.cwd);
  const file = loadConfigFile(options.configFile, env, io.cwd);
  const { config, sources } = resolveConfigWithSources(options, env, DEFAULT_PATHS, file);

  const rows: Row[] = [];
  for (const [key, value] of Object.entries(config) as [keyof AssessConfig, unknown][]) {
    if (key === 'openai' || key === 'anthropic' || key === 'ollama' || key === 'configFile') continue;
    const source = sources[key];
    const shown = SECONDS.has(key) && typeof value === 'number' ? value / 1000 : value;
    rows.push({ setting: LABELS[key] ?? key, value: shown ?? null, source: source ?? 'not set' });
  }
  for (const provider of ['openai', 'anthropic'] as const) {
    const { apiKey, baseURL } = config[provider];
    rows.push({ setting: `${provider}.apiKey`, value: apiKey ? '[set, redacted]' : null, source: apiKey ? 'environment' : 'not set' });
    rows.push({ setting: `${provider}.baseURL`, value: redactUrl(baseURL), source: baseURL ? 'environment' : 'not set' });
  }
  // LangChain's ollama: models (OLLAMA_BASE_URL); no key.
  rows.push({ setting: 'ollama.baseURL', value: redactUrl(config.ollama.baseURL), source: config.ollama.baseURL ? 'environment' : 'not set' });

  if (options.format === 'json') {
    io.stdout.write(`${JSON.stringify({ configFile: config.configFile ?? null, settings: rows }, null, 2)}\n`);
    return EXIT.ok;
  }
  io.stdout.write(`configuration file: ${config.configFile ?? 'none (assess.config.yaml not found)'}\n`);
  const width = Math.max(...rows.map((r) => r.setting.length));
  for (const row of rows) {
    const value = row.value === null ? '—' : typeof row.value === 'object' ? JSON.stringify(row.value) : String(row.value);
    io.stdout.write(`${row.setting.padEnd(width)}  ${value}  (${row.source})\n`);
  }
  return EXIT.ok;
}
