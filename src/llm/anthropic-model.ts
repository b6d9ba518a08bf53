import Anthropic from '@anthropic-ai/sdk';
import { ProviderError } from '../errors/index.js';
import { maskKey, maskKeyInError } from './mask-key.js';
import { readRateLimitHeaders } from './rate-limit-headers.js';
import { sdkClientOptions, type SdkClientSettings } from './sdk-client-options.js';
import type { FinishReason, ModelResponse, StructuredModel, StructuredRequest } from './types.js';

export interface AnthropicModelOptions extends SdkClientSettings {
  model: string;
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

/**
 * Messages API with structured output (`output_config.format` json_schema). `.create()` and our
 * own validation, for the same reason as the OpenAI adapter: usage survives truncation/refusal.
 */
export class AnthropicModel implements StructuredModel {
  readonly provider = 'anthropic';
  readonly model: string;
  private readonly client: Anthropic;
  /** Kept only to mask it: whatever the provider echoes (errors, answers) leaves this adapter without it. */
  private readonly apiKey: string;

  constructor(options: AnthropicModelOptions) {
    this.model = options.model;
    this.apiKey = options.apiKey;
    this.client = new Anthropic(sdkClientOptions(options));
  }

  async complete(request: StructuredRequest): Promise<ModelResponse> {
    try {
      return maskKey(await this.call(request), this.apiKey);
    } catch (error) {
      throw maskKeyInError(error, this.apiKey);
    }
  }

  private async call(request: StructuredRequest): Promise<ModelResponse> {
    const { data: message, response } = await this.client.messages.create(
      {
        model: this.model,
        max_tokens: request.maxOutputTokens,
        system: request.system,
        messages: request.messages,
        output_config: { format: { type: 'json_schema', schema: request.jsonSchema } },
      },
      { signal: request.signal },
    ).withResponse();
    const rateLimit = readRateLimitHeaders(response.headers);
    if (!message || !Array.isArray(message.content)) {
      throw new ProviderError('anthropic returned an empty response', { retryable: true });
    }
    const text = message.content
      .map((block) => (block.type === 'text' ? block.text : ''))
      .join('');
    const finishReason = mapStop(message.stop_reason);
    return {
      text,
      finishReason,
      rawFinishReason: message.stop_reason ?? 'none',
      ...(finishReason === 'refusal' ? { refusal: text.trim() || 'stop_reason refusal' } : {}),
      usage: { inputTokens: message.usage.input_tokens, outputTokens: message.usage.output_tokens },
      model: message.model || this.model,
      ...(rateLimit ? { rateLimit } : {}),
    };
  }
}
