import Anthropic from '@anthropic-ai/sdk';
import { ProviderError } from '../errors/index.js';
import { maskKey, maskKeyInError } from './mask-key.js';
import { readRateLimitHeaders } from './rate-limit-headers.js';
import { sdkClientOptions, type SdkClientSettings } from './sdk-client-options.js';
import type { ChatMessage, FinishReason, ModelResponse, StructuredModel, StructuredRequest, TokenUsage } from './types.js';

export interface AnthropicModelOptions extends SdkClientSettings {
  model: string;
  /** Stream answers (progress sees text arriving); the default. */
  stream?: boolean;
  /** Mark the shared prefix with `cache_control` (the default); off sends plain prompts. */
  promptCache?: boolean;
}

function mapStop(reason: string | null): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'refusal':
      return 'refusal';
    default:
      return 'other';
  }
}

interface AnthropicUsage {
  input_tokens: number | null;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/**
 * Anthropic's `input_tokens` counts only what was neither read from nor written to the cache;
 * ours counts every input token, with the cached parts broken out, as OpenAI reports it.
 */
export function usageFromAnthropic(usage: AnthropicUsage): TokenUsage {
  const read = usage.cache_read_input_tokens ?? 0;
  const written = usage.cache_creation_input_tokens ?? 0;
  return {
    inputTokens: (usage.input_tokens ?? 0) + read + written,
    outputTokens: usage.output_tokens,
    ...(read > 0 ? { cacheReadTokens: read } : {}),
    ...(written > 0 ? { cacheWriteTokens: written } : {}),
  };
}

type ContentBlock = { type: 'text'; text: string; cache_control?: { type: 'ephemeral' } };

/**
 * The messages with a cache breakpoint after the shared prefix of the first one. Everything before
 * the breakpoint (system prompt, output schema, the event) is then cached by the first desk's call
 * and read at a tenth of the price by the others.
 */
function withCacheBreakpoint(messages: ChatMessage[], sharedChars: number | undefined): { role: 'user' | 'assistant'; content: string | ContentBlock[] }[] {
  const [first, ...rest] = messages;
  if (!first || !sharedChars || sharedChars >= first.content.length) return messages;
  const content: ContentBlock[] = [
    { type: 'text', text: first.content.slice(0, sharedChars), cache_control: { type: 'ephemeral' } },
    { type: 'text', text: first.content.slice(sharedChars) },
  ];
  return [{ role: first.role, content }, ...rest];
}

/**
 * Messages API with structured output (`output_config.format` json_schema). `.create()` and our
 * own validation, for the same reason as the OpenAI adapter: usage survives truncation/refusal.
 * Streamed by default, so a long answer shows progress; the result is the same either way.
 */
export class AnthropicModel implements StructuredModel {
  readonly provider = 'anthropic';
  readonly model: string;
  private readonly client: Anthropic;
  /** Kept only to mask it: whatever the provider echoes (errors, answers) leaves this adapter without it. */
  private readonly apiKey: string;
  private readonly stream: boolean;
  private readonly promptCache: boolean;

  constructor(options: AnthropicModelOptions) {
    this.model = options.model;
    this.apiKey = options.apiKey;
    this.stream = options.stream ?? true;
    this.promptCache = options.promptCache ?? true;
    this.client = new Anthropic(sdkClientOptions(options));
  }

  async complete(request: StructuredRequest): Promise<ModelResponse> {
    try {
      return maskKey(await (this.stream ? this.callStreaming(request) : this.call(request)), this.apiKey);
    } catch (error) {
      throw maskKeyInError(error, this.apiKey);
    }
  }

  private params(request: StructuredRequest) {
    return {
      model: this.model,
      max_tokens: request.maxOutputTokens,
      system: request.system,
      messages: this.promptCache ? withCacheBreakpoint(request.messages, request.sharedPrefixChars) : request.messages,
      output_config: { format: { type: 'json_schema' as const, schema: request.jsonSchema } },
    };
  }

  private async call(request: StructuredRequest): Promise<ModelResponse> {
    const { data: message, response } = await this.client.messages
      .create(this.params(request), { signal: request.signal })
      .withResponse();
    const rateLimit = readRateLimitHeaders(response.headers);
    if (!message || !Array.isArray(message.content)) {
      throw new ProviderError('anthropic returned an empty response', { retryable: true });
    }
    const text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
    return this.result(text, message.stop_reason, usageFromAnthropic(message.usage), message.model, rateLimit);
  }

  private async callStreaming(request: StructuredRequest): Promise<ModelResponse> {
    const { data: stream, response } = await this.client.messages
      .create({ ...this.params(request), stream: true }, { signal: request.signal })
      .withResponse();
    const rateLimit = readRateLimitHeaders(response.headers);
    let started = false;
    let text = '';
    let stopReason: string | null = null;
    let model = '';
    let usage: AnthropicUsage = { input_tokens: 0, output_tokens: 0 };
    for await (const event of stream) {
      switch (event.type) {
        case 'message_start':
          started = true;
          model = event.message.model;
          usage = event.message.usage;
          break;
        case 'content_block_delta':
          if (event.delta.type === 'text_delta') {
            text += event.delta.text;
            request.onText?.(text.length);
          }
          break;
        case 'message_delta': {
          stopReason = event.delta.stop_reason;
          // The final counts; null means "unchanged since message_start".
          const u = event.usage;
          usage = {
            input_tokens: u.input_tokens ?? usage.input_tokens,
            output_tokens: u.output_tokens,
            cache_creation_input_tokens: u.cache_creation_input_tokens ?? usage.cache_creation_input_tokens ?? null,
            cache_read_input_tokens: u.cache_read_input_tokens ?? usage.cache_read_input_tokens ?? null,
          };
          break;
        }
        default:
          break;
      }
    }
    // A 200 event stream that ended before the message began is the server's fault, like an empty body.
    if (!started) throw new ProviderError('anthropic returned an empty stream', { retryable: true });
    if (stopReason === null) throw new ProviderError('anthropic stream ended before the message did', { retryable: true });
    return this.result(text, stopReason, usageFromAnthropic(usage), model, rateLimit);
  }

  private result(
    text: string,
    stopReason: string | null,
    usage: TokenUsage,
    model: string,
    rateLimit: ReturnType<typeof readRateLimitHeaders>,
  ): ModelResponse {
    const finishReason = mapStop(stopReason);
    return {
      text,
      finishReason,
      rawFinishReason: stopReason ?? 'none',
      ...(finishReason === 'refusal' ? { refusal: text.trim() || 'stop_reason refusal' } : {}),
      usage,
      model: model || this.model,
      ...(rateLimit ? { rateLimit } : {}),
    };
  }
}
