import type { AgentDefinition } from '../agents/definition.js';
import { InputError } from '../errors/index.js';
import { AnthropicModel } from '../llm/anthropic-model.js';
import { OpenAIModel } from '../llm/openai-model.js';
import { loadPriceTable } from '../llm/load-price-table.js';
import type { PriceTable } from '../llm/pricing.js';
import { RateLimiters } from '../llm/rate-limiters.js';
import { ReplayModel } from '../llm/replay-model.js';
import type { StructuredModel } from '../llm/types.js';
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
  /** Built-in prices plus the price file's, as every model's calls are costed. */
  prices?: PriceTable;
}

/** The prices calls are costed at: built-in, then the price file's, then the configuration file's own. */
export async function pricesFor(config: Pick<AssessConfig, 'pricesFile' | 'prices'>): Promise<PriceTable> {
  return (await loadPriceTable(config.pricesFile)).with(config.prices);
}

/** Local OpenAI-compatible servers (Ollama, vLLM) ignore the key, but the SDK insists on one. */
const LOCAL_SERVER_KEY = 'not-needed-for-local-server';

/**
 * Builds one model client per (provider, model) the run needs, checking up front that every
 * provider in use has its key, so a run never half-starts and then fails on a missing variable.
 */
export async function buildModels(
  config: AssessConfig,
  agents: AgentDefinition[],
  fetchImpl?: typeof fetch,
  limiters: RateLimiters = new RateLimiters({ ...(config.rpm ? { rpm: config.rpm } : {}), ...(config.tpm ? { tpm: config.tpm } : {}) }, config.modelRateLimits),
): Promise<Models> {
  const wanted = (agent: AgentDefinition | null) => modelChoiceFor(config, agent);
  const choices = [...agents.map((a) => wanted(a)), wanted(null)];
  const needed = new Set<ProviderName>(choices.flatMap((c) => [c.provider, ...c.fallbacks.map((f) => f.provider)]));

  const secrets: string[] = [];
  for (const provider of needed) {
    if (provider === 'replay') continue;
    const settings = config[provider];
    if (settings.apiKey) secrets.push(settings.apiKey);
    else if (!(provider === 'openai' && settings.baseURL)) {
      throw new InputError(`missing API key for provider ${provider}: set ${KEY_VARIABLES[provider]} in the environment or .env`);
    }
  }
  const prices = await pricesFor(config);
  const replay = needed.has('replay') ? await ReplayModel.open(config.replayDir) : undefined;

  const cache = new Map<string, StructuredModel>();
  const get = ({ provider, model }: { provider: ProviderName; model: string }): StructuredModel => {
    const key = `${provider}\u0000${model}`;
    let instance = cache.get(key);
    if (!instance) {
      if (provider === 'replay') instance = replay!;
      else if (provider === 'openai') {
        instance = new OpenAIModel({
          apiKey: config.openai.apiKey ?? LOCAL_SERVER_KEY,
          model,
          ...(config.openai.baseURL ? { baseURL: config.openai.baseURL } : {}),
          ...(fetchImpl ? { fetch: fetchImpl } : {}),
        });
      } else {
        instance = new AnthropicModel({
          apiKey: config.anthropic.apiKey!,
          model,
          ...(config.anthropic.baseURL ? { baseURL: config.anthropic.baseURL } : {}),
          ...(fetchImpl ? { fetch: fetchImpl } : {}),
        });
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
  };
}
