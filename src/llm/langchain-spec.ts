/**
 * What a LangChain model spec (`openai:gpt-4o-mini`, `ollama:llama3.1:8b`) means to us, without
 * loading LangChain: configuration, key checks, pricing and dry runs all need to read a spec, and
 * none of them should pay LangChain's start-up cost.
 */

/** Integrations whose key and endpoint come from our own settings (OPENAI_*, ANTHROPIC_*). */
export type KeyedIntegration = 'openai' | 'anthropic';

export interface LangChainSpec {
  /** The integration prefix, as initChatModel names it (`openai`, `anthropic`, `ollama`, `groq`…). */
  integration: string;
  /** The model name the integration is given; may contain colons (Ollama tags). */
  model: string;
}

/** `ollama:llama3.1:8b` → `{ integration: 'ollama', model: 'llama3.1:8b' }`; null unless both parts are there. */
export function parseLangChainSpec(spec: string): LangChainSpec | null {
  const at = spec.indexOf(':');
  if (at <= 0) return null;
  const integration = spec.slice(0, at).trim();
  const model = spec.slice(at + 1).trim();
  return integration && model ? { integration, model } : null;
}

/** Which of our providers' key a spec needs (and whose base URL it uses), if any. */
export function keyedIntegration(spec: string): KeyedIntegration | undefined {
  const integration = parseLangChainSpec(spec)?.integration;
  return integration === 'openai' || integration === 'anthropic' ? integration : undefined;
}

/**
 * The name prices and tokenizers know a LangChain model by: the part after the integration
 * prefix (`openai:gpt-4o-mini` is priced as `gpt-4o-mini`). Other providers' names pass unchanged.
 */
export function pricedModelName(provider: string, model: string): string {
  if (provider !== 'langchain') return model;
  return parseLangChainSpec(model)?.model ?? model;
}
