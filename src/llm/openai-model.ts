import OpenAI from 'openai';
import { ProviderError } from '../errors/index.js';
import { maskKey, maskKeyInError } from './mask-key.js';
import { readRateLimitHeaders } from './rate-limit-headers.js';
import { sdkClientOptions, type SdkClientSettings } from './sdk-client-options.js';
import type { FinishReason, ModelResponse, StructuredModel, StructuredRequest } from './types.js';

export interface OpenAIModelOptions extends SdkClientSettings {
  model: string;
}

function mapFinish(reason: string | null | undefined, refusal: string | null | undefined): FinishReason {
  if (refusal) return 'refusal';
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'other';
  }
}

/**
 * Chat Completions with native structured output (`response_format: json_schema`, strict).
 * `.create()` rather than `.parse()`: parse throws on truncation and refusal and loses the usage.
 */
export class OpenAIModel implements StructuredModel {
  readonly provider = 'openai';
  readonly model: string;
  private readonly client: OpenAI;
  /** Kept only to mask it: whatever the provider echoes (errors, answers) leaves this adapter without it. */
  private readonly apiKey: string;
  /**
   * OpenAI's own API wants `max_completion_tokens` (reasoning models reject `max_tokens`); many
   * OpenAI-compatible servers (Ollama, llama.cpp server) only know `max_tokens`.
   */
  private readonly tokenLimitParam: 'max_completion_tokens' | 'max_tokens';

  constructor(options: OpenAIModelOptions) {
    this.model = options.model;
    this.tokenLimitParam = options.baseURL && !/^https:\/\/api\.openai\.com\//.test(options.baseURL) ? 'max_tokens' : 'max_completion_tokens';
    this.apiKey = options.apiKey;
    this.client = new OpenAI(sdkClientOptions(options));
  }

  async complete(request: StructuredRequest): Promise<ModelResponse> {
    try {
      return maskKey(await this.call(request), this.apiKey);
    } catch (error) {
      throw maskKeyInError(error, this.apiKey);
    }
  }

  private async call(request: StructuredRequest): Promise<ModelResponse> {
    const { data: completion, response } = await this.client.chat.completions.create(
      {
        model: this.model,
        messages: [{ role: 'system', content: request.system }, ...request.messages],
        response_format: {
          type: 'json_schema',
          json_schema: { name: request.schemaName, schema: request.jsonSchema, strict: true },
        },
        [this.tokenLimitParam]: request.maxOutputTokens,
      },
      { signal: request.signal },
    ).withResponse();
    const rateLimit = readRateLimitHeaders(response.headers);
    // Some servers answer 200 with an empty body; that is the server's fault and worth a retry.
    if (!completion || !Array.isArray(completion.choices)) {
      throw new ProviderError('openai returned an empty response', { retryable: true });
    }
    const choice = completion.choices[0];
    const refusal = choice?.message.refusal ?? undefined;
    return {
      text: choice?.message.content ?? '',
      finishReason: mapFinish(choice?.finish_reason, refusal),
      rawFinishReason: choice?.finish_reason ?? 'none',
      ...(refusal ? { refusal } : {}),
      usage: {
        inputTokens: completion.usage?.prompt_tokens ?? 0,
        outputTokens: completion.usage?.completion_tokens ?? 0,
      },
      model: completion.model || this.model,
      ...(rateLimit ? { rateLimit } : {}),
    };
  }
}
