import type { BaseLanguageModelInput } from '@langchain/core/language_models/base';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from '@langchain/core/messages';
import type { Runnable } from '@langchain/core/runnables';
import { ProviderError } from '../errors/index.js';
import { parseLangChainSpec } from './langchain-spec.js';
import { maskKey, maskKeyInError } from './mask-key.js';
import type { FinishReason, ModelResponse, StructuredModel, StructuredRequest, TokenUsage } from './types.js';

/** How `withStructuredOutput` is asked for JSON; each integration supports its own methods. */
export interface StructuredOutputChoice {
  /** Omitted: the integration's own default. */
  method?: 'jsonSchema' | 'functionCalling';
  /** Only OpenAI accepts `strict`; the base implementation throws on it. */
  strict?: boolean;
}

export interface LangChainModelOptions {
  /** As the user wrote it (`openai:gpt-4o-mini`): the model's name in logs, archive and rate limits. */
  spec: string;
  /** Any LangChain chat model: initChatModel's in production, a fake in tests. */
  chat: BaseChatModel;
  structuredOutput?: StructuredOutputChoice;
  /**
   * A configurable field of `chat` (initChatModel's `configurableFields`) that caps output tokens,
   * so each request's `maxOutputTokens` is honoured; without it the cap is whatever `chat` was built with.
   */
  outputCapField?: string;
  /** Masked wherever the integration echoes it (errors, answers). */
  apiKey?: string;
}

type StructuredRunnable = Runnable<BaseLanguageModelInput, { raw: BaseMessage; parsed: unknown }>;

/** The parts of an AIMessage we read; integrations fill them unevenly, so every field is optional. */
interface RawMessage {
  content?: unknown;
  tool_calls?: { args?: unknown }[];
  invalid_tool_calls?: { args?: unknown }[];
  additional_kwargs?: { __raw_response?: { choices?: { message?: { refusal?: unknown } }[] } };
  response_metadata?: Record<string, unknown>;
  /** LangChain's input_tokens already include cached tokens; the details break them out. */
  usage_metadata?: { input_tokens?: number; output_tokens?: number; input_token_details?: { cache_read?: number; cache_creation?: number } };
}

const STOP = new Set(['stop', 'end_turn', 'stop_sequence', 'tool_use', 'tool_calls', 'function_call', 'eos', 'finish_reason_stop']);
const LENGTH = new Set(['length', 'max_tokens', 'model_length', 'max_output_tokens']);
const FILTERED = new Set(['content_filter', 'content_filtered', 'safety', 'recitation', 'blocklist', 'prohibited_content', 'spii', 'guardrail_intervened']);

/** OpenAI `finish_reason`, Anthropic `stop_reason`, Ollama `done_reason`, Google `finishReason`, Bedrock `stopReason`. */
function finishOf(metadata: Record<string, unknown>): { finishReason: FinishReason; raw: string } {
  const value = [metadata['finish_reason'], metadata['stop_reason'], metadata['done_reason'], metadata['finishReason'], metadata['stopReason']].find(
    (v): v is string => typeof v === 'string' && v !== '',
  );
  if (value === undefined) return { finishReason: 'other', raw: 'none' };
  const key = value.toLowerCase();
  if (STOP.has(key)) return { finishReason: 'stop', raw: value };
  if (LENGTH.has(key)) return { finishReason: 'length', raw: value };
  if (key === 'refusal') return { finishReason: 'refusal', raw: value };
  if (FILTERED.has(key)) return { finishReason: 'content_filter', raw: value };
  return { finishReason: 'other', raw: value };
}

/** Text of a message's content: a string, or the text blocks of a block list (thinking and tool blocks left out). */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block: unknown) => (typeof block === 'object' && block !== null && (block as { type?: unknown }).type === 'text' ? String((block as { text?: unknown }).text ?? '') : ''))
    .join('');
}

/**
 * The JSON the model wrote, before anyone parsed it: a tool call's arguments (tool calling), else
 * the content (json_schema). Arguments LangChain could not parse are kept as the raw string, so
 * generateObject sees exactly what came back and can ask for a repair.
 */
function rawTextOf(message: RawMessage): string {
  const invalid = message.invalid_tool_calls?.[0];
  if (invalid && typeof invalid.args === 'string') return invalid.args;
  const call = message.tool_calls?.[0];
  if (call) return JSON.stringify(call.args ?? {});
  return contentText(message.content);
}

/** OpenAI refusals: LangChain drops `message.refusal`, but keeps the raw completion when asked to. */
function refusalOf(message: RawMessage): string | undefined {
  const refusal = message.additional_kwargs?.__raw_response?.choices?.[0]?.message?.refusal;
  return typeof refusal === 'string' && refusal !== '' ? refusal : undefined;
}

/** The openai SDK's `.parse()` (which @langchain/openai uses for json_schema) throws these instead of answering. */
function finishFromParseError(error: unknown): FinishReason | undefined {
  const name = (error as { constructor?: { name?: string } } | null)?.constructor?.name;
  if (name === 'LengthFinishReasonError') return 'length';
  if (name === 'ContentFilterFinishReasonError') return 'content_filter';
  return undefined;
}

/**
 * Reshapes what LangChain integrations throw so `toProviderError` (structural on `status`) sees
 * the HTTP status: SDK errors pass through with theirs; Ollama's client calls it `status_code`;
 * wrappers keep the SDK error as `cause`. LangChain renames the SDK's own timeout to a plain
 * `TimeoutError`, which is a connection timeout (ours arrives as an abort), so retryable.
 */
function normaliseError(error: unknown, provider: string): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const e = error as { status?: unknown; status_code?: unknown; statusCode?: unknown; cause?: unknown; name?: unknown; message?: unknown };
  if (typeof e.status === 'number') return error;
  const status = typeof e.status_code === 'number' ? e.status_code : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (status !== undefined) return Object.assign(error, { status });
  const cause = e.cause as { status?: unknown } | undefined;
  if (typeof cause === 'object' && cause !== null && typeof cause.status === 'number') return cause;
  if (e.name === 'TimeoutError') return new ProviderError(`${provider} connection timed out`, { retryable: true, cause: error });
  if (error instanceof SyntaxError) {
    // @langchain/openai parses json_schema answers itself and throws on text that is not JSON,
    // dropping the text, so there is nothing to repair.
    return new ProviderError(`${provider} answered text that is not JSON, and LangChain discarded it; the openai provider can repair such answers`, {
      retryable: false,
      cause: error,
    });
  }
  return error;
}

/**
 * Any LangChain.js chat model as a StructuredModel. Structured output goes through
 * `withStructuredOutput(jsonSchema, { includeRaw: true })`, but only the raw message is used:
 * its text, finish reason and usage go back to generateObject, which parses, validates with Zod
 * and sends repair turns exactly as for the other providers. LangChain's own parse result is
 * ignored (a failed parse there is `parsed: null`, not an error).
 *
 * No streaming: answers arrive whole (`onText` is never called). Retries are LangChain's only if
 * the chat model was built with them; createLangChainModel builds it with `maxRetries: 0`, since
 * withRetry is the one retry layer.
 */
export class LangChainModel implements StructuredModel {
  readonly provider = 'langchain';
  readonly model: string;
  private readonly chat: BaseChatModel;
  private readonly structuredOutput: StructuredOutputChoice;
  private readonly outputCapField: string | undefined;
  private readonly apiKey: string;
  /** The model name prices know, reported when the integration does not name the model itself. */
  private readonly underlying: string;
  /** One structured runnable per schema: desks share theirs, and building one is not free. */
  private readonly runnables = new Map<string, StructuredRunnable>();

  constructor(options: LangChainModelOptions) {
    this.model = options.spec;
    this.chat = options.chat;
    this.structuredOutput = options.structuredOutput ?? {};
    this.outputCapField = options.outputCapField;
    this.apiKey = options.apiKey ?? '';
    this.underlying = parseLangChainSpec(options.spec)?.model ?? options.spec;
  }

  async complete(request: StructuredRequest): Promise<ModelResponse> {
    try {
      return maskKey(await this.call(request), this.apiKey);
    } catch (error) {
      const finish = finishFromParseError(error);
      if (finish) {
        // The SDK threw away the text and the usage with it; the finish reason is what matters here.
        return { text: '', finishReason: finish, rawFinishReason: finish, usage: { inputTokens: 0, outputTokens: 0 }, model: this.underlying };
      }
      throw maskKeyInError(normaliseError(error, this.provider), this.apiKey);
    }
  }

  private structuredFor(request: StructuredRequest): StructuredRunnable {
    const key = `${request.schemaName}\u0000${JSON.stringify(request.jsonSchema)}`;
    let runnable = this.runnables.get(key);
    if (!runnable) {
      runnable = this.chat.withStructuredOutput(request.jsonSchema, {
        name: request.schemaName,
        includeRaw: true,
        ...(this.structuredOutput.method ? { method: this.structuredOutput.method } : {}),
        ...(this.structuredOutput.strict !== undefined ? { strict: this.structuredOutput.strict } : {}),
      }) as StructuredRunnable;
      this.runnables.set(key, runnable);
    }
    return runnable;
  }

  private async call(request: StructuredRequest): Promise<ModelResponse> {
    const messages: BaseMessage[] = [
      new SystemMessage(request.system),
      ...request.messages.map((m) => (m.role === 'user' ? new HumanMessage(m.content) : new AIMessage(m.content))),
    ];
    const { raw } = await this.structuredFor(request).invoke(messages, {
      signal: request.signal,
      ...(this.outputCapField ? { configurable: { [this.outputCapField]: request.maxOutputTokens } } : {}),
    });
    const message = raw as RawMessage;
    const metadata = message.response_metadata ?? {};
    const refusal = refusalOf(message);
    const finish = refusal ? { finishReason: 'refusal' as const, raw: 'refusal' } : finishOf(metadata);
    const reported = [metadata['model_name'], metadata['model']].find((v): v is string => typeof v === 'string' && v !== '');
    return {
      text: rawTextOf(message),
      finishReason: finish.finishReason,
      rawFinishReason: finish.raw,
      ...(refusal ? { refusal } : {}),
      usage: usageOf(message.usage_metadata),
      model: reported ?? this.underlying,
    };
  }
}

/** Usage as assess counts it, with prompt-cache reads and writes broken out when the integration reports them. */
function usageOf(usage: RawMessage['usage_metadata']): TokenUsage {
  const read = usage?.input_token_details?.cache_read ?? 0;
  const written = usage?.input_token_details?.cache_creation ?? 0;
  return {
    inputTokens: usage?.input_tokens ?? 0,
    outputTokens: usage?.output_tokens ?? 0,
    ...(read > 0 ? { cacheReadTokens: read } : {}),
    ...(written > 0 ? { cacheWriteTokens: written } : {}),
  };
}
