import { http, HttpResponse, type HttpHandler } from 'msw';
import { z } from 'zod';
import { recordedDesk, recordedSynthesis } from './recordings.js';
import { messageText, SYNTHESIS_TARGET, targetOf, UNKNOWN_TARGET } from './request-target.js';
import { anthropicStream, openAIStream, SSE_HEADERS } from './sse.js';

/**
 * Fake OpenAI Chat Completions and Anthropic Messages endpoints for msw. The real SDKs talk to
 * them over (intercepted) HTTP, so every request is built, sent and parsed exactly as in
 * production. One fake serves a whole run: it tells the desks and the synthesizer apart by their
 * prompts ("You are JP-01, …" / "You are the synthesizer …"), answers each from a script
 * (default: the recorded, schema-valid outputs of the seed event) and records what it was sent.
 * A request with `stream: true` is answered with the API's Server-Sent Events.
 */

export const OPENAI_CHAT_URL = 'https://api.openai.com/v1/chat/completions';
export const ANTHROPIC_MESSAGES_URL = 'https://api.anthropic.com/v1/messages';

export type FakeProvider = 'openai' | 'anthropic';

/** Target name of the synthesizer's requests; desks are named by their id (`JP-01`). */
export const SYNTHESIS = SYNTHESIS_TARGET;
/** Target of a request whose prompts name neither a desk nor the synthesizer. */
export { UNKNOWN_TARGET };

export interface FakeUsage {
  /** Every input token, cached or not. */
  input: number;
  output: number;
  /** Of `input`, read from the prompt cache. */
  cacheRead?: number;
  /** Of `input`, written to the prompt cache (Anthropic). */
  cacheWrite?: number;
}

/** Token counts the fake reports unless told otherwise: fixed, so tests can add them up. */
export const DEFAULT_USAGE: Readonly<Record<'desk' | 'synthesis', FakeUsage>> = {
  desk: { input: 2_400, output: 1_800 },
  synthesis: { input: 6_000, output: 4_000 },
};

/** What the fake answers to one request. */
export type FakeReply =
  /** A normal, complete answer whose text is `JSON.stringify(value)`. */
  | { kind: 'object'; value: unknown }
  /** A normal, complete answer with this exact text (invalid JSON, fenced JSON, prose…). */
  | { kind: 'text'; text: string }
  /** OpenAI: `message.refusal` set, content null. Anthropic: `stop_reason: "refusal"`. */
  | { kind: 'refusal'; message: string }
  /** Output cut at the token limit: OpenAI `finish_reason: "length"`, Anthropic `stop_reason: "max_tokens"`. */
  | { kind: 'truncated'; text: string }
  /** An HTTP error with the provider's error body (and e.g. `retry-after` headers). */
  | { kind: 'http-error'; status: number; message: string; errorType?: string; code?: string; headers?: Record<string, string> }
  /** Waits `ms` (stopping early when the client aborts), then answers `then` (default: the usual answer). */
  | { kind: 'slow'; ms: number; then?: FakeReply };

export const reply = {
  object: (value: unknown): FakeReply => ({ kind: 'object', value }),
  text: (text: string): FakeReply => ({ kind: 'text', text }),
  refusal: (message: string): FakeReply => ({ kind: 'refusal', message }),
  truncated: (text: string): FakeReply => ({ kind: 'truncated', text }),
  httpError: (
    status: number,
    message: string,
    extra: { errorType?: string; code?: string; headers?: Record<string, string> } = {},
  ): FakeReply => ({ kind: 'http-error', status, message, ...extra }),
  slow: (ms: number, then?: FakeReply): FakeReply => (then ? { kind: 'slow', ms, then } : { kind: 'slow', ms }),
};

/** A request as the fake saw it, normalised across providers, with the raw body for specifics. */
export interface SeenRequest {
  provider: FakeProvider;
  url: string;
  /** `JP-01`, `synthesis`, or `unknown`. */
  target: string;
  /** 1-based count of HTTP requests for this target, retries and repairs included. */
  attempt: number;
  model: string;
  system: string;
  /** The conversation after the system prompt (content blocks joined into one string). */
  messages: { role: string; content: string }[];
  /** The request asked for a streamed answer. */
  stream: boolean;
  /** `max_completion_tokens` (OpenAI) or `max_tokens` (Anthropic). */
  maxTokens: number | undefined;
  /** The JSON Schema sent as the structured-output format, if any. */
  outputSchema: Record<string, unknown> | undefined;
  /** The request body exactly as parsed from the wire. */
  body: Record<string, unknown>;
  headers: Record<string, string>;
  /** Milliseconds since the fake was created, when the request arrived. */
  receivedAt: number;
  /** Which kind of reply was chosen. */
  reply: FakeReply['kind'] | 'bad-request';
  /** Usage reported in the response; null when no completion was returned. */
  usage: FakeUsage | null;
  /** True when the client aborted while the fake was still working on it. */
  aborted: boolean;
}

export interface ReplyContext {
  provider: FakeProvider;
  target: string;
  attempt: number;
  request: SeenRequest;
}

/**
 * How a target is answered: one reply for every request, a list (request n gets item n; requests
 * past the end get the default answer), or a function (returning undefined means the default).
 */
export type Script = FakeReply | FakeReply[] | ((ctx: ReplyContext) => FakeReply | undefined);

export interface FakeLlmOptions {
  /** Scripts by target (`JP-01`, `synthesis`); targets without one get their recorded output. */
  scripts?: Record<string, Script>;
  /** Script for every target that has none of its own in `scripts`. */
  defaultScript?: Script;
  /** Usage reported for a completed answer. */
  usage?: (target: string, attempt: number) => FakeUsage;
  /** Model name the provider reports back, from the one requested (default: datedSnapshot). */
  respondModel?: (requested: string) => string;
  /** Endpoint of an OpenAI-compatible server instead of api.openai.com. */
  openaiUrl?: string;
  anthropicUrl?: string;
}

export interface FakeLlm {
  handlers: HttpHandler[];
  /** Every request, in arrival order. */
  requests: SeenRequest[];
  requestsFor(target: string): SeenRequest[];
  /** Sum of the usage reported in all responses. */
  reportedUsage(): FakeUsage;
}

/** OpenAI answers an alias with the dated snapshot it resolved to; pricing must still know the family. */
export function datedSnapshot(requested: string): string {
  if (requested === 'gpt-4.1') return 'gpt-4.1-2025-04-14';
  return requested;
}

function defaultReply(target: string): FakeReply {
  if (target === SYNTHESIS) return reply.object(recordedSynthesis());
  if (target === UNKNOWN_TARGET) return reply.httpError(400, 'fake server: system prompt names neither a desk nor the synthesizer');
  return reply.object(recordedDesk(target));
}

function pick(script: Script | undefined, ctx: ReplyContext): FakeReply {
  let chosen: FakeReply | undefined;
  if (typeof script === 'function') chosen = script(ctx);
  else if (Array.isArray(script)) chosen = script[ctx.attempt - 1];
  else chosen = script;
  return chosen ?? defaultReply(ctx.target);
}

/** Resolves false after `ms`, or true as soon as `signal` aborts (the timer is then cleared). */
function waitUnlessAborted(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(false);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

// What the SDKs must send. Loose: fields we do not check pass through, as on the real APIs.
const TextBlock = z.looseObject({ type: z.literal('text'), text: z.string() });
const TextMessage = z.object({ role: z.string(), content: z.union([z.string(), z.array(TextBlock).min(1)]) });
const JsonObject = z.record(z.string(), z.unknown());

const OpenAIChatRequest = z.looseObject({
  model: z.string().min(1),
  messages: z.array(TextMessage).min(1),
  response_format: z
    .looseObject({
      type: z.string(),
      json_schema: z.looseObject({ name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), strict: z.boolean().optional(), schema: JsonObject }).optional(),
    })
    .optional(),
  max_completion_tokens: z.number().int().positive().optional(),
});

const AnthropicMessagesRequest = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  system: z.union([z.string(), z.array(TextBlock)]).optional(),
  messages: z.array(TextMessage.extend({ role: z.enum(['user', 'assistant']) })).min(1),
  output_config: z.looseObject({ format: z.looseObject({ type: z.string(), schema: JsonObject.optional() }).optional() }).optional(),
});

let serial = 0;
const nextId = (prefix: string) => `${prefix}${(++serial).toString(36).padStart(8, '0')}${Date.now().toString(36)}`;

/** A Chat Completions response body as api.openai.com sends it. */
export function openAIChatCompletion(options: {
  model: string;
  content: string | null;
  refusal?: string | null;
  finishReason: 'stop' | 'length' | 'content_filter';
  usage: FakeUsage;
}) {
  return {
    id: nextId('chatcmpl-'),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: options.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: options.content, refusal: options.refusal ?? null, annotations: [] },
        logprobs: null,
        finish_reason: options.finishReason,
      },
    ],
    usage: {
      prompt_tokens: options.usage.input,
      completion_tokens: options.usage.output,
      total_tokens: options.usage.input + options.usage.output,
      prompt_tokens_details: { cached_tokens: options.usage.cacheRead ?? 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
    service_tier: 'default',
    system_fingerprint: 'fp_fake0001',
  };
}

/** A Messages response body as api.anthropic.com sends it. */
export function anthropicMessage(options: {
  model: string;
  text: string;
  stopReason: 'end_turn' | 'max_tokens' | 'refusal';
  usage: FakeUsage;
}) {
  return {
    id: nextId('msg_01'),
    type: 'message',
    role: 'assistant',
    model: options.model,
    content: options.text === '' ? [] : [{ type: 'text', text: options.text, citations: null }],
    stop_reason: options.stopReason,
    stop_sequence: null,
    usage: {
      // Anthropic's input_tokens leaves out what was read from or written to the cache.
      input_tokens: options.usage.input - (options.usage.cacheRead ?? 0) - (options.usage.cacheWrite ?? 0),
      output_tokens: options.usage.output,
      cache_creation_input_tokens: options.usage.cacheWrite ?? 0,
      cache_read_input_tokens: options.usage.cacheRead ?? 0,
      service_tier: 'standard',
    },
  };
}

const OPENAI_ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'invalid_request_error',
  429: 'requests',
  500: 'server_error',
  503: 'server_error',
};
const ANTHROPIC_ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

function errorResponse(provider: FakeProvider, r: Extract<FakeReply, { kind: 'http-error' }>): Response {
  const headers = { 'content-type': 'application/json', ...(r.headers ?? {}) };
  if (provider === 'openai') {
    const body = {
      error: { message: r.message, type: r.errorType ?? OPENAI_ERROR_TYPES[r.status] ?? 'api_error', param: null, code: r.code ?? null },
    };
    return HttpResponse.json(body, { status: r.status, headers: { ...headers, 'x-request-id': nextId('req_') } });
  }
  const body = {
    type: 'error',
    error: { type: r.errorType ?? ANTHROPIC_ERROR_TYPES[r.status] ?? 'api_error', message: r.message },
    request_id: nextId('req_011'),
  };
  return HttpResponse.json(body, { status: r.status, headers: { ...headers, 'request-id': body.request_id } });
}

export function fakeLlm(options: FakeLlmOptions = {}): FakeLlm {
  const started = Date.now();
  const requests: SeenRequest[] = [];
  const counts = new Map<string, number>();
  const usageFor = options.usage ?? ((target: string) => (target === SYNTHESIS ? DEFAULT_USAGE.synthesis : DEFAULT_USAGE.desk));
  const respondModel = options.respondModel ?? datedSnapshot;

  async function handle(provider: FakeProvider, request: Request): Promise<Response> {
    const raw = (await request.json()) as unknown;
    const headers = Object.fromEntries(request.headers.entries());
    const body = JsonObject.safeParse(raw).data ?? {};

    let system = '';
    let messages: { role: string; content: string }[] = [];
    let model = '';
    let maxTokens: number | undefined;
    let outputSchema: Record<string, unknown> | undefined;
    let malformed: string | null = null;
    if (provider === 'openai') {
      const parsed = OpenAIChatRequest.safeParse(raw);
      if (parsed.success) {
        const [head, ...rest] = parsed.data.messages;
        const hasSystem = head?.role === 'system' || head?.role === 'developer';
        system = hasSystem ? messageText(head.content) : '';
        messages = (hasSystem ? rest : parsed.data.messages).map((m) => ({ role: m.role, content: messageText(m.content) }));
        model = parsed.data.model;
        maxTokens = parsed.data.max_completion_tokens;
        outputSchema = parsed.data.response_format?.json_schema?.schema;
      } else malformed = parsed.error.message;
    } else {
      const parsed = AnthropicMessagesRequest.safeParse(raw);
      if (parsed.success) {
        system = messageText(parsed.data.system ?? '');
        messages = parsed.data.messages.map((m) => ({ role: m.role, content: messageText(m.content) }));
        model = parsed.data.model;
        maxTokens = parsed.data.max_tokens;
        outputSchema = parsed.data.output_config?.format?.schema;
      } else malformed = parsed.error.message;
    }

    const target = targetOf(system, messages.find((m) => m.role === 'user')?.content);
    const stream = body['stream'] === true;
    const attempt = (counts.get(target) ?? 0) + 1;
    counts.set(target, attempt);
    const seen: SeenRequest = {
      provider,
      url: request.url,
      target,
      attempt,
      model,
      system,
      messages,
      stream,
      maxTokens,
      outputSchema,
      body,
      headers,
      receivedAt: Date.now() - started,
      reply: 'bad-request',
      usage: null,
      aborted: false,
    };
    requests.push(seen);

    if (malformed !== null) {
      // What the real APIs do with a malformed body; the message says what the SDK got wrong.
      return errorResponse(provider, { kind: 'http-error', status: 400, message: `fake server: malformed request: ${malformed}` });
    }

    let chosen = pick(options.scripts?.[target] ?? options.defaultScript, { provider, target, attempt, request: seen });
    while (chosen.kind === 'slow') {
      seen.reply = 'slow';
      if (await waitUnlessAborted(chosen.ms, request.signal)) {
        // The client gave up; it no longer reads anything we send. Stop here.
        seen.aborted = true;
        return HttpResponse.error();
      }
      chosen = chosen.then ?? defaultReply(target);
    }
    seen.reply = chosen.kind;
    if (chosen.kind === 'http-error') return errorResponse(provider, chosen);

    const usage = usageFor(target, attempt);
    seen.usage = usage;
    const reportedModel = respondModel(model);
    if (provider === 'openai') {
      const completion =
        chosen.kind === 'refusal'
          ? openAIChatCompletion({ model: reportedModel, content: null, refusal: chosen.message, finishReason: 'stop', usage })
          : openAIChatCompletion({
              model: reportedModel,
              content: chosen.kind === 'object' ? JSON.stringify(chosen.value) : chosen.text,
              finishReason: chosen.kind === 'truncated' ? 'length' : 'stop',
              usage,
            });
      if (stream) {
        const includeUsage = (body['stream_options'] as { include_usage?: unknown } | undefined)?.include_usage === true;
        return new HttpResponse(openAIStream(completion, includeUsage), { headers: { ...SSE_HEADERS, 'x-request-id': nextId('req_') } });
      }
      return HttpResponse.json(completion, { headers: { 'x-request-id': nextId('req_') } });
    }
    const message = anthropicMessage({
      model: reportedModel,
      text: chosen.kind === 'object' ? JSON.stringify(chosen.value) : chosen.kind === 'refusal' ? chosen.message : chosen.text,
      stopReason: chosen.kind === 'refusal' ? 'refusal' : chosen.kind === 'truncated' ? 'max_tokens' : 'end_turn',
      usage,
    });
    if (stream) return new HttpResponse(anthropicStream(message), { headers: { ...SSE_HEADERS, 'request-id': nextId('req_011') } });
    return HttpResponse.json(message, { headers: { 'request-id': nextId('req_011') } });
  }

  return {
    handlers: [
      http.post(options.openaiUrl ?? OPENAI_CHAT_URL, ({ request }) => handle('openai', request)),
      http.post(options.anthropicUrl ?? ANTHROPIC_MESSAGES_URL, ({ request }) => handle('anthropic', request)),
    ],
    requests,
    requestsFor: (target) => requests.filter((r) => r.target === target),
    reportedUsage: () =>
      requests.reduce<FakeUsage>(
        (sum, r) => ({ input: sum.input + (r.usage?.input ?? 0), output: sum.output + (r.usage?.output ?? 0) }),
        { input: 0, output: 0 },
      ),
  };
}
