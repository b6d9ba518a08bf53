import { keyedIntegration, type KeyedIntegration } from '../llm/langchain-spec.js';
import type { AssessConfig, ProviderName } from './resolve-config.js';

/**
 * Whose key (and base URL) a provider/model uses: the openai and anthropic providers their own,
 * a LangChain model the one its integration prefix names (`langchain` `openai:gpt-4o-mini` needs
 * OPENAI_API_KEY; `ollama:llama3.1` needs none), replay none.
 */
export function keyedProviderOf(provider: ProviderName, model: string): KeyedIntegration | undefined {
  if (provider === 'openai' || provider === 'anthropic') return provider;
  if (provider === 'langchain') return keyedIntegration(model);
  return undefined;
}

/**
 * The key is there, or none is needed: a local OpenAI-compatible server (OPENAI_BASE_URL) takes
 * none. One rule for the openai provider and LangChain's `openai:` models alike.
 */
export function keyAvailable(config: Pick<AssessConfig, 'openai' | 'anthropic'>, keyed: KeyedIntegration): boolean {
  return config[keyed].apiKey !== undefined || (keyed === 'openai' && config.openai.baseURL !== undefined);
}
