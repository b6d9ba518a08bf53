/** What both official SDK clients are built with. */
export interface SdkClientSettings {
  apiKey: string;
  baseURL?: string;
  /** Injected in tests; defaults to the global fetch (which msw intercepts). */
  fetch?: typeof fetch;
}

/**
 * Options shared by the openai and anthropic clients. Retries are off because `withRetry` is the
 * one retry layer (the SDKs would otherwise retry 2× and honour retry-after without a cap), and
 * the SDK timeout is only a backstop: every call carries its own AbortSignal with the real limit.
 */
export function sdkClientOptions(settings: SdkClientSettings) {
  return {
    apiKey: settings.apiKey,
    ...(settings.baseURL ? { baseURL: settings.baseURL } : {}),
    ...(settings.fetch ? { fetch: settings.fetch } : {}),
    maxRetries: 0,
    timeout: 60 * 60 * 1000,
  };
}

/**
 * The key sent to local OpenAI-compatible servers (Ollama, vLLM): they ignore it, but the openai
 * SDK and ChatOpenAI insist on one.
 */
export const LOCAL_SERVER_KEY = 'not-needed-for-local-server';
