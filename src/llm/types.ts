/** The one interface every provider adapter implements. It knows nothing about desks or events. */
import type { PriceTable } from './pricing.js';
import type { RateLimiter } from './rate-limiter.js';
import type { RateLimitSnapshot } from './rate-limit-headers.js';

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface StructuredRequest {
  /** Opaque tag for logs and replay lookup, e.g. `desk/JP-01` or `synthesis`. */
  purpose: string;
  /** Opaque scope the request belongs to (the event id); replay uses it to find recordings. */
  scope: string;
  system: string;
  messages: ChatMessage[];
  /** Name for the output format, letters, digits, `_` and `-` only (OpenAI requires it). */
  schemaName: string;
  /** Provider-ready JSON Schema (see toProviderJsonSchema). */
  jsonSchema: Record<string, unknown>;
  maxOutputTokens: number;
  signal: AbortSignal;
  /**
   * How many leading characters of the first message are shared with other calls of this run
   * (the event block every desk gets). Providers with explicit prompt caching (Anthropic) mark the
   * cache breakpoint there; others cache identical prefixes on their own or not at all.
   */
  sharedPrefixChars?: number;
  /** Told how much answer text has arrived so far, when the adapter streams. */
  onText?: (receivedChars: number) => void;
}

export type FinishReason = 'stop' | 'length' | 'refusal' | 'content_filter' | 'other';

export interface TokenUsage {
  /** Every input token of the call, cached or not. */
  inputTokens: number;
  outputTokens: number;
  /** Of inputTokens, how many were read from the provider's prompt cache (billed at a discount). */
  cacheReadTokens?: number;
  /** Of inputTokens, how many were written to the prompt cache (Anthropic bills a surcharge). */
  cacheWriteTokens?: number;
}

export interface ModelResponse {
  text: string;
  finishReason: FinishReason;
  /** The provider's raw finish/stop reason, kept for the call log. */
  rawFinishReason: string;
  refusal?: string;
  usage: TokenUsage;
  /** Model name as the provider reported it. */
  model: string;
  /** The provider's rate-limit headers on this response, when it sent any. */
  rateLimit?: RateLimitSnapshot;
}

export interface StructuredModel {
  readonly provider: string;
  readonly model: string;
  /** Paces calls to this provider+model; shared by every user of the model in the process. */
  readonly limiter?: RateLimiter;
  /** Prices its calls are costed at (the built-in table when absent). */
  readonly prices?: PriceTable;
  complete(request: StructuredRequest): Promise<ModelResponse>;
}
