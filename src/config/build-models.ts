import { dirname, join } from 'node:path';
import type { AgentDefinition } from '../agents/definition.js';
import { InputError } from '../errors/index.js';
import { withCacheWarmup } from '../llm/cache-warmup.js';
import { loadPriceTable } from '../llm/load-price-table.js';
import type { PriceTable } from '../llm/pricing.js';
import { RateLimitMemory } from '../llm/rate-limit-memory.js';
import { RateLimiters } from '../llm/rate-limiters.js';
import { ReplayModel } from '../llm/replay-model.js';
import { LOCAL_SERVER_KEY } from '../llm/sdk-client-options.js';
import type { StructuredModel } from '../llm/types.js';
import { keyAvailable, keyedProviderOf } from './provider-keys.js';
import { KEY_VARIABLES, modelChoiceFor, type AssessConfig, type ProviderName } from './resolve-config.js';

export interface Models {
  forAgent: (agent: AgentDefinition) => StructuredModel;
  synthesis: StructuredModel;
  /** The models tried after a desk's own fails its retries (config `fallbacks:`), in order. */
  fallbacksFor?: (agent: AgentDefinition | null) => StructuredModel[];
  /** Key values in use, so anything echoing them can be redacted. */
  secrets: string[];
  /** The rate limiters the models share (one per provider+model), for reporting. */
  limiters?: RateLimiters;
  /**
   * Saves the limits the providers advertised during this process, for the next run to start
   * from; resolves to the error when the file could not be written (never throws).
   */
  rememberRateLimits?: () => Promise<Error | null>;
  /** Built-in prices plus the price file's, as every model's calls are costed. */
  prices?: PriceTable;
}

/** The prices calls are costed at: built-in, then the price file's, then the configuration file's own. */
export async function pricesFor(config: Pick<AssessConfig, 'pricesFile' | 'prices'>): Promise<PriceTable> {
  return (await loadPriceTable(config.pricesFile)).with(config.prices);
}

/**
 * The LangChain models a run uses, built before anything is called: initChatModel imports each
 * integration package now, so a missing one stops the run with its name (an InputError) instead
 * of failing desk by desk. LangChain itself is loaded only when a LangChain model is in use.
 */
async function buildLangChainModels(
  config: AssessConfig,
  choices: { provider: ProviderName; model: string }[],
  fetchImpl: typeof fetch | undefined,
): Promise<Map<string, StructuredModel>> {
  const specs = new Set(choices.filter((c) => c.provider === 'langchain').map((c) => c.model));
  const built = new Map<string, StructuredModel>();
  if (specs.size === 0) return built;
  const { createLangChainModel } = await import('../llm/init-langchain-model.js');
  for (const spec of specs) {
    built.set(
      spec,
      await createLangChainModel(spec, {
        openai: config.openai,
        anthropic: config.anthropic,
        ollama: config.ollama,
        maxOutputTokens: config.maxOutputTokens,
        ...(fetchImpl ? { fetch: fetchImpl } : {}),
      }),
    );
  }
  return built;
}

/**
 * Builds one model client per (provider, model) the run needs, checking up front that every
 * provider in use has its key, so a run never half-starts and then fails on a missing variable.
 */
export async function buildModels(
  config: AssessConfig,
  agents: AgentDefinition[],
  fetchImpl?: typeof fetch,
  given?: RateLimiters,
): Promise<Models> {
  // Limits providers advertised in earlier runs, kept next to the archive (see RateLimitMemory).
  const memory = given ? undefined : await RateLimitMemory.load(rateLimitMemoryFile(config));
  const memoryKey = (provider: string, model: string) => RateLimitMemory.key(provider, endpointOf(config, provider), model);
  const limiters =
    given ??
    new RateLimiters({ ...(config.rpm ? { rpm: config.rpm } : {}), ...(config.tpm ? { tpm: config.tpm } : {}) }, config.modelRateLimits, (provider, model) =>
      memory?.recall(memoryKey(provider, model)),
    );
  const wanted = (agent: AgentDefinition | null) => modelChoiceFor(config, agent);
  const choices = [...agents.map((a) => wanted(a)), wanted(null)];
  const all = choices.flatMap((c) => [{ provider: c.provider, model: c.model }, ...c.fallbacks]);
  const needed = new Set<ProviderName>(all.map((c) => c.provider));

  const secrets: string[] = [];
  const keyed = new Set(all.flatMap((c) => keyedProviderOf(c.provider, c.model) ?? []));
  for (const provider of keyed) {
    const apiKey = config[provider].apiKey;
    if (apiKey) secrets.push(apiKey);
    else if (!keyAvailable(config, provider)) {
      // Say which LangChain model wants it when no model of the provider itself does.
      const via = needed.has(provider) ? undefined : all.find((c) => c.provider === 'langchain' && keyedProviderOf(c.provider, c.model) === provider);
      throw new InputError(`missing API key for provider ${provider}${via ? ` (langchain ${via.model})` : ''}: set ${KEY_VARIABLES[provider]} in the environment or .env`);
    }
  }
  const prices = await pricesFor(config);
  const replay = needed.has('replay') ? await ReplayModel.open(config.replayDir) : undefined;
  // Each SDK is loaded only when a model of its provider is in use: they cost start-up time and memory.
  const { OpenAIModel } = needed.has('openai') ? await import('../llm/openai-model.js') : {};
  const { AnthropicModel } = needed.has('anthropic') ? await import('../llm/anthropic-model.js') : {};
  const langchain = await buildLangChainModels(config, all, fetchImpl);

  const cache = new Map<string, StructuredModel>();
  const get = ({ provider, model }: { provider: ProviderName; model: string }): StructuredModel => {
    const key = `${provider}\u0000${model}`;
    let instance = cache.get(key);
    if (!instance) {
      if (provider === 'replay') instance = replay!;
      else if (provider === 'openai') {
        instance = new OpenAIModel!({
          apiKey: config.openai.apiKey ?? LOCAL_SERVER_KEY,
          model,
          stream: config.stream,
          ...(config.openai.baseURL ? { baseURL: config.openai.baseURL } : {}),
          ...(fetchImpl ? { fetch: fetchImpl } : {}),
        });
      } else if (provider === 'langchain') {
        instance = langchain.get(model)!;
      } else {
        const anthropic = new AnthropicModel!({
          apiKey: config.anthropic.apiKey!,
          model,
          stream: config.stream,
          promptCache: config.promptCache,
          ...(config.anthropic.baseURL ? { baseURL: config.anthropic.baseURL } : {}),
          ...(fetchImpl ? { fetch: fetchImpl } : {}),
        });
        // Without the warm-up, desks sent together would all write the cache and none read it.
        instance = config.promptCache ? withCacheWarmup(anthropic) : anthropic;
      }
      instance = { ...limiters.attach(instance), prices };
      cache.set(key, instance);
    }
    return instance;
  };
  return {
    forAgent: (agent) => get(wanted(agent)),
    synthesis: get(wanted(null)),
    fallbacksFor: (agent) => wanted(agent).fallbacks.map(get),
    secrets,
    limiters,
    prices,
    rememberRateLimits: async () => {
      if (!memory) return null;
      for (const { provider, model, limits } of limiters.advertised()) memory.remember(memoryKey(provider, model), limits);
      return memory.save();
    },
  };
}

/** `rate-limits.json` beside the archive: the data directory this setup already writes to. */
export function rateLimitMemoryFile(config: Pick<AssessConfig, 'dbPath'>): string {
  return join(dirname(config.dbPath), 'rate-limits.json');
}

/** The endpoint a provider's calls go to: the same model behind another base URL has other limits. */
function endpointOf(config: AssessConfig, provider: string): string {
  if (provider === 'openai') return config.openai.baseURL ?? 'default';
  if (provider === 'anthropic') return config.anthropic.baseURL ?? 'default';
  return 'default';
}
