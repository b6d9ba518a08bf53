import { EventSourceParserStream } from 'eventsource-parser/stream';
import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { ProviderError } from '../errors/index.js';
import { maskKey, maskKeyInError } from './mask-key.js';
import { readRateLimitHeaders } from './rate-limit-headers.js';
import { sdkClientOptions, type SdkClientSettings } from './sdk-client-options.js';
import type { FinishReason, ModelResponse, StructuredModel, StructuredRequest, TokenUsage } from './types.js';

export interface OpenAIModelOptions extends SdkClientSettings {
  model: string;
  /** Stream answers (progress sees text arriving); the default. */
  stream?: boolean;
}

interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
}

/** OpenAI counts cached tokens inside prompt_tokens; they are broken out so they price at the discount. */
function usageFromOpenAI(usage: OpenAIUsage | null | undefined): TokenUsage {
  const cached = usage?.prompt_tokens_details?.cached_tokens ?? 0;
  return {
    inputTokens: usage?.prompt_tokens ?? 0,
    outputTokens: usage?.completion_tokens ?? 0,
    ...(cached > 0 ? { cacheReadTokens: cached } : {}),
  };
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
 * Streamed by default (with `stream_options.include_usage`, so usage still arrives); OpenAI caches
 * identical prompt prefixes by itself, so the prompt layout is all caching needs here.
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
  private readonly stream: boolean;

  constructor(options: OpenAIModelOptions) {
    this.model = options.model;
    this.stream = options.stream ?? true;
    this.tokenLimitParam = options.baseURL && !/^https:\/\/api\.openai\.com\//.test(options.baseURL) ? 'max_tokens' : 'max_completion_tokens';
    this.apiKey = options.apiKey;
    this.client = new OpenAI(sdkClientOptions(options));
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
      messages: [{ role: 'system' as const, content: request.system }, ...request.messages],
      response_format: {
        type: 'json_schema' as const,
        json_schema: { name: request.schemaName, schema: request.jsonSchema, strict: true },
      },
      [this.tokenLimitParam]: request.maxOutputTokens,
    };
  }

  private async call(request: StructuredRequest): Promise<ModelResponse> {
    const { data: completion, response } = await this.client.chat.completions
      .create(this.params(request), { signal: request.signal })
      .withResponse();
    const rateLimit = readRateLimitHeaders(response.headers);
    // Some servers answer 200 with an empty body; that is the server's fault and worth a retry.
    if (!completion || !Array.isArray(completion.choices)) {
      throw new ProviderError('openai returned an empty response', { retryable: true });
    }
    const choice = completion.choices[0];
    return this.result(
      choice?.message.content ?? '',
      choice?.finish_reason,
      choice?.message.refusal ?? undefined,
      usageFromOpenAI(completion.usage),
      completion.model,
      rateLimit,
    );
  }

  /**
   * Streams through our own SSE reading of the raw response rather than the SDK's stream: its
   * parser copies its whole byte buffer for every event, which for a desk answer of ~500 events
   * costs tens of milliseconds of CPU, and answers arriving together queue behind each other on
   * the one event loop (measured in `npm run bench`, issue 7). Error statuses are still thrown by
   * the SDK before the body is read, so retries and error mapping are unchanged.
   */
  private async callStreaming(request: StructuredRequest): Promise<ModelResponse> {
    const response = await this.client.chat.completions
      .create({ ...this.params(request), stream: true, stream_options: { include_usage: true } }, { signal: request.signal })
      .asResponse();
    const rateLimit = readRateLimitHeaders(response.headers);
    if (!response.body) throw new ProviderError('openai returned an empty stream', { retryable: true });
    let chunks = 0;
    let text = '';
    let refusal = '';
    let finish: string | null | undefined;
    let model = '';
    let usage: OpenAIUsage | null | undefined;
    const events = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
    for await (const event of events) {
      if (event.data === '[DONE]') break;
      const chunk = parseChunk(event.data);
      chunks++;
      model ||= chunk.model ?? '';
      // The usage chunk comes last, with no choices; servers that ignore include_usage never send it.
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices?.[0];
      if (!choice) continue;
      if (choice.delta?.content) {
        text += choice.delta.content;
        request.onText?.(text.length);
      }
      if (choice.delta?.refusal) refusal += choice.delta.refusal;
      if (choice.finish_reason) finish = choice.finish_reason;
    }
    // A 200 event stream without a single chunk is the server's fault, like an empty body.
    if (chunks === 0) throw new ProviderError('openai returned an empty stream', { retryable: true });
    if (!finish) throw new ProviderError('openai stream ended before the answer did', { retryable: true });
    return this.result(text, finish, refusal || undefined, usageFromOpenAI(usage), model, rateLimit);
  }

  private result(
    text: string,
    finish: string | null | undefined,
    refusal: string | undefined,
    usage: TokenUsage,
    model: string,
    rateLimit: ReturnType<typeof readRateLimitHeaders>,
  ): ModelResponse {
    return {
      text,
      finishReason: mapFinish(finish, refusal),
      rawFinishReason: finish ?? 'none',
      ...(refusal ? { refusal } : {}),
      usage,
      model: model || this.model,
      ...(rateLimit ? { rateLimit } : {}),
    };
  }
}

type StreamChunk = Partial<Pick<ChatCompletionChunk, 'model' | 'choices'>> & { usage?: OpenAIUsage | null; error?: { message?: string } };

/** One `data:` line of the stream; an error object mid-stream is the server failing, worth a retry. */
function parseChunk(data: string): StreamChunk {
  let chunk: StreamChunk;
  try {
    chunk = JSON.parse(data) as StreamChunk;
  } catch {
    throw new ProviderError('openai stream sent an event that is not JSON', { retryable: true });
  }
  if (chunk.error) throw new ProviderError(`openai stream failed: ${chunk.error.message ?? 'unknown error'}`, { retryable: true });
  return chunk;
}
