import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { recordedDesk, recordedSynthesis } from './recordings.js';
import { SYNTHESIS_TARGET, targetOf as deskOrSynthesis, UNKNOWN_TARGET } from './request-target.js';
import { closeServer } from './close-server.js';
import { anthropicStreamEvents as anthropicEventsOf, openAIStreamEvents as openAIEventsOf } from './sse.js';
import { REPLAY_DIR } from './paths.js';

/**
 * A fault-injecting fake model server on 127.0.0.1 for soaks and chaos tests. It speaks OpenAI
 * Chat Completions (`POST /v1/chat/completions`) and Anthropic Messages (`POST /v1/messages`),
 * streamed or not, and answers every request with an object GENERATED FROM THE JSON SCHEMA the
 * request carries (`response_format.json_schema.schema` / `output_config.format.schema`), so it
 * serves desks, the synthesizer, triage and any future schema alike.
 *
 * Faults are injected per request at configurable per-kind rates. The draw is deterministic: it
 * comes from a PRNG seeded with (seed, conversation, attempt number within that conversation),
 * where a conversation is one (api, system prompt, first user message) — i.e. one desk of one
 * event. Concurrent desks arriving in any order therefore get the same faults run after run.
 *
 * Every request is recorded (target, conversation, turn, attempt, fault, outcome) so a test can
 * check that no call was attempted more often than the retry/repair policy allows.
 *
 * Streaming: a request with `stream: true` is answered with Server-Sent Events in the API's own
 * format (OpenAI `chat.completion.chunk`s ending in `data: [DONE]`, with a usage chunk when
 * `stream_options.include_usage` is set; Anthropic `message_start` … `message_stop`), so the SDKs'
 * streaming calls work. HTTP-error faults stay HTTP errors (sent before any stream starts, as the
 * real APIs do); content faults are streamed with their content and finish/stop reason; `empty_body`
 * is a 200 event stream with no events; `hang` sends the headers and the first event and then
 * nothing; `reset` sends the first event and destroys the socket.
 *
 * Rate limiting (option `rateLimit`, or `setRateLimit()`): server-side token buckets like the real
 * APIs, one set per API (OpenAI and Anthropic are limited independently, all models together):
 *
 * - requests: capacity `burst` (default `max(1, floor(rpm / 60))`, one second's worth: OpenAI
 *   enforces RPM at sub-minute granularity), refilled continuously at `rpm / windowMs` per ms;
 * - tokens (only when `tpm` is set): capacity `tpm`, refilled at `tpm / windowMs` per ms. A request
 *   costs `estimateRequestTokens(body)` = ceil(characters of the raw JSON body / 4) + its
 *   `max_completion_tokens` (else `max_tokens`, else 0) — the prompt at ~4 characters a token plus
 *   the output it reserves, which is how OpenAI counts a request against TPM.
 *
 * Buckets start full. The check is made when a request has arrived (its body read), before fault
 * injection and before the seeded delay. A request that finds a bucket short consumes nothing and
 * gets an immediate 429 with `retry-after-ms` (ms until every short bucket holds enough; ceil of the
 * exact time) and `retry-after` (ceil seconds, at least 1) and the API's error body. A request costing
 * more tokens than `tpm` can never pass: it gets the 429 with `x-should-retry: false` (the SDKs obey
 * it) and a "Request too large" message. Unless `headers: false`, every HTTP response of a limited
 * API carries the provider's rate-limit headers describing the buckets right after the check (see
 * `rateLimitHeaders`). The clock is `Date.now` unless the `clock` option replaces it (tests freeze it).
 */

export const FAULT_KINDS = [
  /** 429 with `retry-after` (seconds) and `retry-after-ms`. */
  'rate_limit',
  /** 500 internal error. */
  'server_error',
  /** 503 unavailable. */
  'unavailable',
  /** 529 overloaded (Anthropic's status; sent to both APIs). */
  'overloaded',
  /** The socket is destroyed without any response (ECONNRESET on the client). */
  'reset',
  /** Never answers; the request stays open until the client aborts (or the server closes). */
  'hang',
  /** 200, but the model text is not JSON (cut-off object followed by prose). */
  'invalid_json',
  /** 200, a valid object wrapped in a ```json fence after a sentence of prose (must be accepted). */
  'fenced_json',
  /** 200, well-formed JSON that violates the schema (desk: trajectories summing to 1.4). */
  'schema_violation',
  /** 200, output cut off: `finish_reason: "length"` / `stop_reason: "max_tokens"`. */
  'truncated',
  /** 200, a refusal: OpenAI `message.refusal`, Anthropic `stop_reason: "refusal"`. */
  'refusal',
  /** 200 with `content-type: application/json` and a zero-length body. */
  'empty_body',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Probability of each fault kind per request; kinds left out are never injected. */
export type FaultRates = Partial<Record<FaultKind, number>>;

/** `total` spread evenly over `kinds` (default: every kind). */
export function spreadFaults(total: number, kinds: readonly FaultKind[] = FAULT_KINDS): FaultRates {
  if (total <= 0 || kinds.length === 0) return {};
  return Object.fromEntries(kinds.map((k) => [k, total / kinds.length]));
}

export type Api = 'openai' | 'anthropic';

/** Target of the synthesizer's requests; desks are named by their id (`JP-01`). */
export const SYNTHESIZER = SYNTHESIS_TARGET;
export const TRIAGE = 'triage';
/** A request whose system prompt names no desk, the synthesizer or triage. */
export const UNKNOWN = UNKNOWN_TARGET;

export interface FaultRequest {
  /** 1-based arrival order. */
  serial: number;
  /** ms since the server started. */
  at: number;
  api: Api;
  target: string;
  model: string;
  /** Label set with setPhase() when the request arrived (e.g. `run`, `resume`). */
  phase: string;
  /** Hash of (api, system prompt, first user message): one desk (or synthesizer) of one event. */
  conversation: string;
  /** Hash of the whole message list: retries of one turn send the same turn, repairs a new one. */
  turn: string;
  kind: 'initial' | 'repair';
  /**
   * 1-based count of requests of this conversation so far (across phases), counting only requests
   * the rate limiter let through. A request refused by the limiter is not counted: it carries the
   * attempt number the next admitted request of the conversation will take, so the seeded fault
   * draws (and plans) do not depend on limiter timing.
   */
  attempt: number;
  /** ms on the server's clock (`Date.now` unless the `clock` option is set) when the request arrived. */
  arrivedAt: number;
  /** `estimateRequestTokens` of the request: what it costs against `tpm`. */
  tokens: number;
  /** The request asked for a streamed answer (`stream: true`). */
  stream: boolean;
  /**
   * True when the server's rate limiter refused the request (429, no fault drawn, `fault` null, plan
   * not consulted). Such a request is a retry of the same turn, so it counts in `conversations()`
   * (requests, maxPerTurn); filter with `(r) => !r.rateLimited` to see admitted requests only.
   */
  rateLimited: boolean;
  /** The fault injected, or null for a clean answer. */
  fault: FaultKind | null;
  /**
   * HTTP status sent; null while pending, for resets and for hangs. A streamed `hang`/`reset` has
   * sent its 200 headers before stalling or dying, so it records 200.
   */
  status: number | null;
  /** True when the client went away before an answer was sent (hang cut by its timeout, kill). */
  aborted: boolean;
  /**
   * ms on the server's clock when the response was completely written (the last byte of a stream
   * handed to the socket); null while pending, and for hangs, resets and aborted requests.
   */
  answeredAt: number | null;
}

/**
 * Overrides the seeded draw for one request: a kind to inject, null for a clean answer, undefined
 * to fall back to the rates. Sees the request as recorded so far (target, attempt, kind, …).
 */
export type FaultPlan = (request: Readonly<Omit<FaultRequest, 'fault' | 'status' | 'aborted' | 'rateLimited' | 'answeredAt'>>) => FaultKind | null | undefined;

/** Server-side rate limit, enforced per API with token buckets (see the module comment). */
export interface RateLimit {
  /** Requests per window (per minute by default). Must be > 0. */
  rpm: number;
  /** Tokens per window, counted with `estimateRequestTokens`. @default no token limit */
  tpm?: number;
  /** Capacity of the request bucket. @default Math.max(1, Math.floor(rpm / 60)) */
  burst?: number;
  /** Length of the window rpm/tpm are stated for, so tests can compress time. @default 60000 */
  windowMs?: number;
  /** Send the provider's rate-limit headers on every response of the API. @default true */
  headers?: boolean;
}

/** A rate limit with its defaults resolved. */
export interface ResolvedRateLimit {
  rpm: number;
  tpm: number | null;
  burst: number;
  windowMs: number;
  headers: boolean;
}

/** One bucket as the server sees it now. */
export interface BucketState {
  /** Capacity (`burst` for requests, `tpm` for tokens). */
  capacity: number;
  /** Current content (fractional: buckets refill continuously). */
  level: number;
  /** ms until the bucket is full again. */
  resetMs: number;
}

export interface FaultServerOptions {
  /** PRNG seed. @default 1 */
  seed?: number;
  /** Rates per kind. @default no faults */
  faults?: FaultRates;
  /** Every answer (and fault) is sent after a seeded delay in this range, ms. @default [0, 0] */
  delayMs?: readonly [number, number];
  /** `retry-after-ms` sent with 429s (retry-after says ceil of it in seconds). @default 150 */
  retryAfterMs?: number;
  /**
   * How valid answers are made: generated from the request's schema (default), or the recorded
   * outputs of the seed event for desks and synthesizer (the generator still serves other schemas).
   */
  answers?: 'generated' | 'recorded';
  /**
   * With `answers: 'recorded'`: desks without a recording of their own (copies of a shipped desk
   * such as XA-01) are answered with this desk's recording, e.g. `JP-01`. Without it such desks
   * get a generated answer. @default none
   */
  recordedFallback?: string;
  /** Server-side rate limit (see the module comment). @default none */
  rateLimit?: RateLimit;
  /** The clock of the rate limiter, its headers and `arrivedAt`, in epoch ms. @default Date.now */
  clock?: () => number;
}

// ---------------------------------------------------------------------------------------------
// Seeded randomness.

/** FNV-1a, 32 bits. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a small, fast, seedable PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sha = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);

/**
 * `FaultRequest.conversation`: one desk (or synthesizer) of one event. Exported so a caller holding
 * the same prompts (the archive stores them) can name the conversation a request belongs to.
 */
export const conversationKey = (api: Api, system: string, firstUser: string): string => sha(`${api}\u0000${system}\u0000${firstUser}`);

/** `FaultRequest.turn`: the whole message list after the system prompt, as `{ role, content }` objects. */
export const turnKey = (messages: readonly { role: string; content: string }[]): string =>
  sha(JSON.stringify(messages.map((m) => ({ role: m.role, content: m.content }))));

// ---------------------------------------------------------------------------------------------
// A valid instance from a JSON Schema (the common strict subset assess sends).

type JsonSchema = Record<string, unknown>;

const isObject = (v: unknown): v is JsonSchema => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A number stated in the description, e.g. "(at least 2 items, at most 4 items)". */
function described(schema: JsonSchema, pattern: RegExp): number | undefined {
  const description = typeof schema['description'] === 'string' ? schema['description'] : '';
  const match = pattern.exec(description);
  return match?.[1] !== undefined ? Number(match[1]) : undefined;
}

function bound(schema: JsonSchema, keyword: string, pattern: RegExp): number | undefined {
  const value = schema[keyword];
  if (typeof value === 'number') return value;
  return described(schema, pattern);
}

const NUMBER = '(-?\\d+(?:\\.\\d+)?)';
const BOUNDS = {
  minItems: (s: JsonSchema) => bound(s, 'minItems', /at least (\d+) items?/),
  maxItems: (s: JsonSchema) => bound(s, 'maxItems', /at most (\d+) items?/),
  minLength: (s: JsonSchema) => bound(s, 'minLength', /at least (\d+) characters/) ?? (/\bnon-empty\b/.test(String(s['description'] ?? '')) ? 1 : undefined),
  maxLength: (s: JsonSchema) => bound(s, 'maxLength', /at most (\d+) characters/),
  minimum: (s: JsonSchema) => bound(s, 'minimum', new RegExp(`minimum ${NUMBER}`)),
  maximum: (s: JsonSchema) => bound(s, 'maximum', new RegExp(`maximum ${NUMBER}`)),
  exclusiveMinimum: (s: JsonSchema) => bound(s, 'exclusiveMinimum', new RegExp(`greater than ${NUMBER}`)),
  exclusiveMaximum: (s: JsonSchema) => bound(s, 'exclusiveMaximum', new RegExp(`less than ${NUMBER}`)),
};

/** The date generated for date fields and put into resolution criteria. */
const GENERATED_DATE = '2029-01-20';

export interface GenerateOptions {
  /** Words put into every generated string (e.g. the target), so outputs are recognisable. */
  label?: string;
}

/** Weights of a probability distribution over `n` items: 0.5/0.3/0.2 for three, else equal. */
function distribution(n: number): number[] {
  if (n === 3) return [0.5, 0.3, 0.2];
  const share = Math.floor(10_000 / n) / 10_000;
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? Number((1 - share * (n - 1)).toFixed(4)) : share));
}

/**
 * A valid instance of `schema`: objects with every property, arrays with at least minItems items
 * (read from the keyword or from "at least N items" in the description, where assess moves it),
 * numbers within range, the first enum value, non-empty strings. One special case a generic
 * generator cannot know: an array property `trajectories` of objects with a `probability` gets
 * three items whose probabilities sum to 1 (0.5/0.3/0.2), as the desk schema requires.
 */
export function generateFromSchema(schema: JsonSchema, options: GenerateOptions = {}): unknown {
  const root = schema;
  const label = options.label ?? 'generated';

  const resolve = (node: JsonSchema): JsonSchema => {
    const ref = node['$ref'];
    if (typeof ref !== 'string') return node;
    const path = ref.replace(/^#\/?/, '').split('/').filter(Boolean);
    let target: unknown = root;
    for (const part of path) target = isObject(target) ? target[decodeURIComponent(part.replace(/~1/g, '/').replace(/~0/g, '~'))] : undefined;
    if (!isObject(target)) throw new TypeError(`generateFromSchema: unresolved $ref ${ref}`);
    return resolve(target);
  };

  const gen = (raw: JsonSchema, path: string, key: string, depth: number): unknown => {
    if (depth > 32) throw new TypeError(`generateFromSchema: schema too deep at ${path}`);
    const node = resolve(raw);
    if ('const' in node) return node['const'];
    if (Array.isArray(node['enum']) && node['enum'].length > 0) return node['enum'][0];
    for (const combinator of ['anyOf', 'oneOf'] as const) {
      const branches = node[combinator];
      if (Array.isArray(branches) && branches.length > 0) {
        const branch = branches.filter(isObject).find((b) => resolve(b)['type'] !== 'null') ?? branches.filter(isObject)[0];
        if (branch) return gen({ ...branch, ...(node['description'] && !branch['description'] ? { description: node['description'] } : {}) }, path, key, depth + 1);
      }
    }
    if (Array.isArray(node['allOf']) && isObject(node['allOf'][0])) {
      return gen(Object.assign({}, ...(node['allOf'] as JsonSchema[]).map(resolve), { allOf: undefined }) as JsonSchema, path, key, depth + 1);
    }
    let type = node['type'];
    if (Array.isArray(type)) type = type.find((t) => t !== 'null') ?? 'null';
    if (type === undefined) type = isObject(node['properties']) ? 'object' : node['items'] !== undefined ? 'array' : 'string';

    switch (type) {
      case 'object': {
        const out: Record<string, unknown> = {};
        const properties = isObject(node['properties']) ? node['properties'] : {};
        for (const [name, sub] of Object.entries(properties)) {
          if (!isObject(sub)) continue;
          out[name] = gen(sub, `${path}.${name}`, name, depth + 1);
        }
        return out;
      }
      case 'array': {
        const items = isObject(node['items']) ? node['items'] : {};
        const min = BOUNDS.minItems(node) ?? 0;
        const max = BOUNDS.maxItems(node) ?? Number.POSITIVE_INFINITY;
        const itemNode = resolve(items);
        const isDistribution =
          key === 'trajectories' && isObject(itemNode['properties']) && isObject((itemNode['properties'] as JsonSchema)['probability']);
        const wanted = isDistribution ? 3 : Math.max(min, 1);
        const n = Math.max(min, Math.min(max, wanted));
        const out = Array.from({ length: n }, (_, i) => gen(items, `${path}[${i}]`, key, depth + 1));
        if (isDistribution) {
          const weights = distribution(n);
          out.forEach((item, i) => {
            if (isObject(item)) item['probability'] = weights[i];
          });
        }
        return out;
      }
      case 'string': {
        const min = BOUNDS.minLength(node) ?? 1;
        const max = BOUNDS.maxLength(node) ?? Number.POSITIVE_INFINITY;
        // Dates: a field whose description asks for YYYY-MM-DD gets one; a resolution criterion
        // (issue 14) must name a date, so it ends with one.
        if (/YYYY-MM-DD/.test(String(node['description'] ?? ''))) return GENERATED_DATE;
        let text = `${label} ${key || 'text'}`;
        if (key === 'resolution') text += ` by ${GENERATED_DATE}`;
        while (text.length < min) text += ' …';
        return text.length > max ? text.slice(0, Math.max(max, 0)) : text;
      }
      case 'integer':
      case 'number': {
        let low = BOUNDS.minimum(node);
        let high = BOUNDS.maximum(node);
        const exLow = BOUNDS.exclusiveMinimum(node);
        const exHigh = BOUNDS.exclusiveMaximum(node);
        if (exLow !== undefined) low = Math.max(low ?? -Infinity, exLow + (type === 'integer' ? 1 : 1e-6));
        if (exHigh !== undefined) high = Math.min(high ?? Infinity, exHigh - (type === 'integer' ? 1 : 1e-6));
        let value: number;
        if (low !== undefined && high !== undefined) value = (low + high) / 2;
        else if (low !== undefined) value = low;
        else if (high !== undefined) value = high;
        else value = 1;
        if (type === 'integer') {
          value = Math.round(value);
          if (low !== undefined && value < low) value = Math.ceil(low);
          if (high !== undefined && value > high) value = Math.floor(high);
        }
        return value;
      }
      case 'boolean':
        return true;
      case 'null':
        return null;
      default:
        throw new TypeError(`generateFromSchema: unsupported type ${String(type)} at ${path}`);
    }
  };
  return gen(root, '$', '', 0);
}

/** The same value made invalid against its schema (desk: trajectories summing to 1.4). */
export function violateSchema(valid: unknown, nonce: string): unknown {
  if (!isObject(valid)) return { unexpected: nonce };
  const copy = JSON.parse(JSON.stringify(valid)) as JsonSchema;
  const trajectories = copy['trajectories'];
  if (Array.isArray(trajectories) && trajectories.length >= 2 && trajectories.every(isObject)) {
    const sums = trajectories.length === 3 ? [0.7, 0.4, 0.3] : trajectories.map((_, i) => (i === 0 ? 1.4 - 0.1 * (trajectories.length - 1) : 0.1));
    trajectories.forEach((t, i) => {
      t['probability'] = sums[i];
    });
    if (typeof copy['bottomLine'] === 'string') copy['bottomLine'] = `${copy['bottomLine']} ${nonce}`;
    return copy;
  }
  // Elsewhere: the first non-empty string property emptied (every assess schema trims and requires
  // its text fields) and the nonce kept in a second field so repair turns differ.
  const keys = Object.keys(copy);
  const first = keys.find((k) => typeof copy[k] === 'string');
  if (first !== undefined) copy[first] = '   ';
  else if (keys[0] !== undefined) delete copy[keys[0]];
  copy['_violation'] = nonce;
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Wire formats.

const TRIAGE_PROMPT = /You route news items\b/;

function targetOf(system: string, firstUser: string): string {
  if (TRIAGE_PROMPT.test(system)) return TRIAGE;
  return deskOrSynthesis(system, firstUser);
}

interface ParsedRequest {
  model: string;
  system: string;
  messages: { role: string; content: string }[];
  schema: JsonSchema | undefined;
  stream: boolean;
  /** OpenAI `stream_options.include_usage`. */
  includeUsage: boolean;
}

const textOf = (content: unknown): string => {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((b) => (isObject(b) && typeof b['text'] === 'string' ? b['text'] : '')).join('');
  return '';
};

function parseRequest(api: Api, body: JsonSchema): ParsedRequest {
  const rawMessages = Array.isArray(body['messages']) ? body['messages'].filter(isObject) : [];
  const messages = rawMessages.map((m) => ({ role: String(m['role'] ?? ''), content: textOf(m['content']) }));
  let system = '';
  let schema: JsonSchema | undefined;
  if (api === 'openai') {
    if (messages[0]?.role === 'system' || messages[0]?.role === 'developer') system = messages.shift()?.content ?? '';
    const format = body['response_format'];
    const jsonSchema = isObject(format) ? format['json_schema'] : undefined;
    schema = isObject(jsonSchema) && isObject(jsonSchema['schema']) ? jsonSchema['schema'] : undefined;
  } else {
    system = textOf(body['system']);
    const config = body['output_config'];
    const format = isObject(config) ? config['format'] : undefined;
    schema = isObject(format) && isObject(format['schema']) ? format['schema'] : undefined;
  }
  const streamOptions = body['stream_options'];
  return {
    model: typeof body['model'] === 'string' ? body['model'] : '',
    system,
    messages,
    schema,
    stream: body['stream'] === true,
    includeUsage: isObject(streamOptions) && streamOptions['include_usage'] === true,
  };
}

function openAICompletion(model: string, content: string | null, finishReason: string, refusal: string | null, serial: number) {
  const output = Math.ceil((content ?? refusal ?? '').length / 4);
  return {
    id: `chatcmpl-fault${serial.toString(36).padStart(6, '0')}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal, annotations: [] }, logprobs: null, finish_reason: finishReason }],
    usage: { prompt_tokens: 2_000, completion_tokens: output, total_tokens: 2_000 + output },
    system_fingerprint: 'fp_fault0001',
  };
}

function anthropicMessage(model: string, text: string, stopReason: string, serial: number) {
  return {
    id: `msg_fault${serial.toString(36).padStart(8, '0')}`,
    type: 'message',
    role: 'assistant',
    model,
    content: text === '' ? [] : [{ type: 'text', text, citations: null }],
    stop_reason: stopReason,
    stop_sequence: null,
    usage: { input_tokens: 2_000, output_tokens: Math.ceil(text.length / 4), cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  };
}

const ERROR_STATUS: Partial<Record<FaultKind, number>> = { rate_limit: 429, server_error: 500, unavailable: 503, overloaded: 529 };
const OPENAI_ERROR_TYPE: Record<number, string> = { 400: 'invalid_request_error', 404: 'not_found_error', 429: 'requests', 500: 'server_error', 503: 'server_error', 529: 'server_error' };
const ANTHROPIC_ERROR_TYPE: Record<number, string> = { 400: 'invalid_request_error', 404: 'not_found_error', 429: 'rate_limit_error', 500: 'api_error', 503: 'api_error', 529: 'overloaded_error' };

// ---------------------------------------------------------------------------------------------
// Streaming (Server-Sent Events).

/** `text` cut into at least three pieces (when it has three characters) of at most 32 characters. */
export function streamPieces(text: string): string[] {
  if (text === '') return [];
  const size = Math.max(1, Math.min(32, Math.ceil(text.length / 3)));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** The SSE events of an OpenAI streamed chat completion (`data: [DONE]` last). */
function openAIStreamEvents(
  model: string,
  content: string | null,
  finishReason: string,
  refusal: string | null,
  serial: number,
  includeUsage: boolean,
): string[] {
  return openAIEventsOf(openAICompletion(model, content, finishReason, refusal, serial), includeUsage, streamPieces);
}

/** The SSE events of an Anthropic streamed message (`message_start` … `message_stop`). */
function anthropicStreamEvents(model: string, text: string, stopReason: string, serial: number): string[] {
  return anthropicEventsOf(anthropicMessage(model, text, stopReason, serial), streamPieces);
}

// ---------------------------------------------------------------------------------------------
// Rate limiting.

/**
 * What a request costs against `tpm`: ceil(characters of the raw JSON body / 4) + the output it
 * reserves (`max_completion_tokens`, else `max_tokens`, else 0). Four characters a token is the usual
 * rough rate for English and JSON; counting the reserved output is what OpenAI does.
 */
export function estimateRequestTokens(rawBody: string): number {
  let reserved = 0;
  try {
    const body = JSON.parse(rawBody) as unknown;
    if (isObject(body)) {
      const cap = typeof body['max_completion_tokens'] === 'number' ? body['max_completion_tokens'] : body['max_tokens'];
      if (typeof cap === 'number' && Number.isFinite(cap) && cap > 0) reserved = cap;
    }
  } catch {
    // Not JSON: the body alone.
  }
  return Math.ceil(rawBody.length / 4) + reserved;
}

/** ms in OpenAI's reset format: `0s`, `120ms`, `1s`, `1.5s`, `6m0s`, `1h2m3s`. */
export function formatOpenAIDuration(ms: number): string {
  if (!(ms > 0)) return '0s';
  if (ms < 1000) return `${Math.ceil(ms)}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = Number(((ms % 60_000) / 1000).toFixed(3));
  return `${hours > 0 ? `${hours}h` : ''}${hours > 0 || minutes > 0 ? `${minutes}m` : ''}${seconds}s`;
}

/** Slack for float arithmetic: a bucket within this of the need has enough. */
const EPSILON = 1e-9;

class Bucket {
  private level: number;
  private updated: number;

  constructor(
    readonly capacity: number,
    private readonly perMs: number,
    now: number,
  ) {
    this.level = capacity;
    this.updated = now;
  }

  /** The bucket refilled up to `now` (time never runs backwards for it). */
  state(now: number): BucketState {
    if (now > this.updated) {
      this.level = Math.min(this.capacity, this.level + (now - this.updated) * this.perMs);
      this.updated = now;
    }
    return { capacity: this.capacity, level: this.level, resetMs: Math.max(0, Math.ceil((this.capacity - this.level) / this.perMs - EPSILON)) };
  }

  /** ms until the bucket holds `amount` (0 when it does now; Infinity when it never can). */
  waitFor(amount: number, now: number): number {
    if (amount > this.capacity + EPSILON) return Number.POSITIVE_INFINITY;
    const level = this.state(now).level;
    if (level + EPSILON >= amount) return 0;
    return Math.max(1, Math.ceil((amount - level) / this.perMs - EPSILON));
  }

  take(amount: number): void {
    this.level = Math.max(0, this.level - amount);
  }
}

interface Limiter {
  requests: Bucket;
  tokens: Bucket | null;
}

/** A rate limit with its defaults resolved (throws on nonsense). */
export function resolveRateLimit(limit: RateLimit): ResolvedRateLimit {
  const windowMs = limit.windowMs ?? 60_000;
  const burst = limit.burst ?? Math.max(1, Math.floor(limit.rpm / 60));
  if (!(limit.rpm > 0) || !(windowMs > 0) || !(burst >= 1) || (limit.tpm !== undefined && !(limit.tpm > 0))) {
    throw new RangeError(`fault server: bad rate limit ${JSON.stringify(limit)}`);
  }
  return { rpm: limit.rpm, tpm: limit.tpm ?? null, burst, windowMs, headers: limit.headers !== false };
}

/**
 * The provider's rate-limit headers for bucket states at `now`. OpenAI: `x-ratelimit-limit-requests`
 * (rpm), `x-ratelimit-remaining-requests` (floor of the bucket), `x-ratelimit-reset-requests` (time
 * until the bucket is full, OpenAI duration), and the `-tokens` trio (limit tpm) when tpm is set.
 * Anthropic: `anthropic-ratelimit-requests-{limit,remaining,reset}` and `…-tokens-…` likewise, the
 * reset as an RFC 3339 time (`toISOString`, millisecond precision) when the bucket will be full.
 */
export function rateLimitHeaders(
  api: Api,
  limit: ResolvedRateLimit,
  requests: BucketState,
  tokens: BucketState | null,
  now: number,
): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (kind: 'requests' | 'tokens', stated: number, bucket: BucketState) => {
    const remaining = String(Math.max(0, Math.floor(bucket.level + EPSILON)));
    if (api === 'openai') {
      out[`x-ratelimit-limit-${kind}`] = String(stated);
      out[`x-ratelimit-remaining-${kind}`] = remaining;
      out[`x-ratelimit-reset-${kind}`] = formatOpenAIDuration(bucket.resetMs);
    } else {
      out[`anthropic-ratelimit-${kind}-limit`] = String(stated);
      out[`anthropic-ratelimit-${kind}-remaining`] = remaining;
      out[`anthropic-ratelimit-${kind}-reset`] = new Date(now + bucket.resetMs).toISOString();
    }
  };
  put('requests', limit.rpm, requests);
  if (tokens && limit.tpm !== null) put('tokens', limit.tpm, tokens);
  return out;
}

// ---------------------------------------------------------------------------------------------

export interface ConversationStats {
  conversation: string;
  target: string;
  /** Requests of this conversation (in the selection). */
  requests: number;
  /** Distinct turns (initial + repair turns). */
  turns: number;
  /** Most requests any single turn received (1 + its retries). */
  maxPerTurn: number;
}

export class FaultServer {
  readonly requests: FaultRequest[] = [];
  /**
   * Requests whose body never finished arriving (the client gave up mid-upload): never recorded in
   * `requests`, since nothing about them (target, turn) is known. Counted so a client-side account
   * can tell "never sent" from "cut on the way".
   */
  incompleteRequests = 0;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly started = Date.now();
  private readonly attempts = new Map<string, number>();
  private rates: FaultRates;
  private delay: readonly [number, number];
  private phaseName = 'default';
  private plan: FaultPlan | null = null;
  private portNumber = 0;
  private readonly seed: number;
  private readonly retryAfterMs: number;
  private readonly answers: 'generated' | 'recorded';
  private readonly recordedFallback: string | null;
  private readonly clock: () => number;
  private limit: ResolvedRateLimit | null = null;
  /** Buckets per API, made on the API's first request after each setRateLimit(). */
  private readonly limiters = new Map<Api, Limiter>();

  constructor(options: FaultServerOptions = {}) {
    this.seed = options.seed ?? 1;
    this.rates = { ...(options.faults ?? {}) };
    this.delay = options.delayMs ?? [0, 0];
    this.retryAfterMs = options.retryAfterMs ?? 150;
    this.answers = options.answers ?? 'generated';
    this.recordedFallback = options.recordedFallback ?? null;
    this.clock = options.clock ?? Date.now;
    if (options.rateLimit) this.setRateLimit(options.rateLimit);
  }

  /** `http://127.0.0.1:<port>/v1`, for OPENAI_BASE_URL. */
  get openaiUrl(): string {
    return `${this.origin}/v1`;
  }

  /** `http://127.0.0.1:<port>`, for ANTHROPIC_BASE_URL (the SDK appends /v1/messages). */
  get anthropicUrl(): string {
    return this.origin;
  }

  private get origin(): string {
    if (!this.server) throw new Error('fault server not started');
    return `http://127.0.0.1:${this.portNumber}`;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => this.handle(req, res));
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      // A client killed mid-request resets its sockets; that is expected here, not a server error.
      socket.on('error', () => undefined);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('fault server: no port');
    this.portNumber = address.port;
    this.server = server;
    return this;
  }

  /** Stops listening and destroys every open socket (hanging requests included). Idempotent. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await closeServer(server, this.sockets);
  }

  /** Per-kind rates from now on; `{}` stops faults. */
  setFaults(rates: FaultRates): this {
    this.rates = { ...rates };
    return this;
  }

  /** A total rate spread evenly over every kind (or `kinds`); 0 stops faults. */
  setFaultRate(total: number, kinds: readonly FaultKind[] = FAULT_KINDS): this {
    return this.setFaults(spreadFaults(total, kinds));
  }

  /** A plan deciding faults per request ahead of the rates (null: rates only). */
  setPlan(plan: FaultPlan | null): this {
    this.plan = plan;
    return this;
  }

  /** Seeded delay before every answer, in ms. */
  setDelay(min: number, max = min): this {
    this.delay = [min, max];
    return this;
  }

  /**
   * Server-side rate limit from now on (null: none). Every call starts both APIs' buckets full.
   * Throws a RangeError on a non-positive rpm, tpm or windowMs or a burst below 1.
   */
  setRateLimit(limit: RateLimit | null): this {
    this.limit = limit === null ? null : resolveRateLimit(limit);
    this.limiters.clear();
    return this;
  }

  /** The rate limit in force with its defaults resolved, or null. */
  get rateLimit(): ResolvedRateLimit | null {
    return this.limit === null ? null : { ...this.limit };
  }

  /** The buckets of `api` as they stand now (refilled to the clock), or null without a rate limit. */
  rateLimitState(api: Api): { requests: BucketState; tokens: BucketState | null } | null {
    const limiter = this.limiterFor(api);
    if (!limiter) return null;
    const now = this.clock();
    return { requests: limiter.requests.state(now), tokens: limiter.tokens?.state(now) ?? null };
  }

  /** Requests the rate limiter refused with a 429 (injected `rate_limit` faults not included). */
  get rateLimitedCount(): number {
    return this.requests.reduce((n, r) => n + (r.rateLimited ? 1 : 0), 0);
  }

  /**
   * Arrival times (`arrivedAt`, server clock, ms) of the requests the rate limiter admitted, in
   * arrival order, optionally only after `mark` (a requests.length): the achieved request rate is
   * (n - 1) / (last - first) per ms.
   */
  acceptedArrivals(mark = 0): number[] {
    return this.requests
      .slice(mark)
      .filter((r) => !r.rateLimited)
      .map((r) => r.arrivedAt);
  }

  /** Labels the requests that arrive from now on (e.g. `run`, `resume`). */
  setPhase(name: string): this {
    this.phaseName = name;
    return this;
  }

  /** Requests per target, e.g. `{ 'JP-01': 3, synthesis: 1 }`, optionally only after `mark` (a requests.length). */
  counts(mark = 0): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.requests.slice(mark)) out[r.target] = (out[r.target] ?? 0) + 1;
    return out;
  }

  /** Faults injected per kind (every kind present, zeros included). */
  faultCounts(filter: (r: FaultRequest) => boolean = () => true): Record<FaultKind, number> {
    const out = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
    for (const r of this.requests) if (r.fault !== null && filter(r)) out[r.fault]++;
    return out;
  }

  /** Per conversation (one desk of one event): requests, turns and the most attempts of one turn. */
  conversations(filter: (r: FaultRequest) => boolean = () => true): ConversationStats[] {
    const by = new Map<string, { target: string; requests: number; turns: Map<string, number> }>();
    for (const r of this.requests) {
      if (!filter(r)) continue;
      const entry = by.get(r.conversation) ?? { target: r.target, requests: 0, turns: new Map<string, number>() };
      entry.requests++;
      entry.turns.set(r.turn, (entry.turns.get(r.turn) ?? 0) + 1);
      by.set(r.conversation, entry);
    }
    return [...by].map(([conversation, e]) => ({
      conversation,
      target: e.target,
      requests: e.requests,
      turns: e.turns.size,
      maxPerTurn: Math.max(0, ...e.turns.values()),
    }));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let bodyEnded = false;
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => undefined);
    req.on('close', () => {
      if (!bodyEnded) this.incompleteRequests++;
    });
    req.on('end', () => {
      bodyEnded = true;
      const api: Api | null =
        req.method === 'POST' && req.url?.split('?')[0] === '/v1/chat/completions'
          ? 'openai'
          : req.method === 'POST' && req.url?.split('?')[0] === '/v1/messages'
            ? 'anthropic'
            : null;
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: JsonSchema = {};
      try {
        const parsed = JSON.parse(raw) as unknown;
        if (isObject(parsed)) body = parsed;
      } catch {
        // Answered as a bad request below.
      }
      if (api === null) return this.sendError(res, 'openai', 404, `fault server: no route ${req.method} ${req.url}`);
      const request = parseRequest(api, body);
      if (request.messages.length === 0) return this.sendError(res, api, 400, 'fault server: no messages', this.peekHeaders(api));

      const arrivedAt = this.clock();
      const tokens = estimateRequestTokens(raw);
      const admission = this.admit(api, tokens, arrivedAt);
      const limitHeaders = admission.headers;

      const firstUser = request.messages.find((m) => m.role === 'user')?.content ?? '';
      const target = targetOf(request.system, firstUser);
      const conversation = conversationKey(api, request.system, firstUser);
      // A request the limiter refuses takes no attempt number (see FaultRequest.attempt).
      const attempt = (this.attempts.get(conversation) ?? 0) + 1;
      const seen = {
        serial: this.requests.length + 1,
        at: Date.now() - this.started,
        api,
        target,
        model: request.model,
        phase: this.phaseName,
        conversation,
        turn: turnKey(request.messages),
        kind: request.messages.length > 1 ? ('repair' as const) : ('initial' as const),
        attempt,
        arrivedAt,
        tokens,
        stream: request.stream,
      };

      if (!admission.ok) {
        const record: FaultRequest = { ...seen, fault: null, status: 429, aborted: false, rateLimited: true, answeredAt: null };
        this.requests.push(record);
        res.on('finish', () => (record.answeredAt = this.clock()));
        return this.sendRateLimited(res, api, request.model, admission);
      }

      this.attempts.set(conversation, attempt);
      const random = seededRandom(hash32(`${this.seed}|${conversation}|${attempt}`));
      const drawn = this.pickFault(random());
      const [lo, hi] = this.delay;
      const delayMs = lo + Math.floor(random() * Math.max(0, hi - lo + 1));
      const planned = this.plan?.(seen);
      const fault = planned === undefined ? drawn : planned;
      const record: FaultRequest = { ...seen, fault, status: null, aborted: false, rateLimited: false, answeredAt: null };
      this.requests.push(record);
      res.on('finish', () => {
        if (record.fault !== 'reset' && record.fault !== 'hang') record.answeredAt = this.clock();
      });
      res.on('close', () => {
        if (!res.writableFinished && record.fault !== 'reset') record.aborted = true;
      });

      const act = () => {
        if (res.destroyed) return;
        this.respond(req, res, api, request, record, limitHeaders);
      };
      if (delayMs > 0 && fault !== 'hang') {
        const timer = setTimeout(act, delayMs);
        res.on('close', () => clearTimeout(timer));
      } else act();
    });
  }

  private limiterFor(api: Api): Limiter | null {
    const limit = this.limit;
    if (limit === null) return null;
    let limiter = this.limiters.get(api);
    if (!limiter) {
      const now = this.clock();
      limiter = {
        requests: new Bucket(limit.burst, limit.rpm / limit.windowMs, now),
        tokens: limit.tpm === null ? null : new Bucket(limit.tpm, limit.tpm / limit.windowMs, now),
      };
      this.limiters.set(api, limiter);
    }
    return limiter;
  }

  /** The rate-limit headers of `api` now, consuming nothing ({} without a limit or with headers off). */
  private peekHeaders(api: Api): Record<string, string> {
    const limiter = this.limiterFor(api);
    if (!limiter || !this.limit?.headers) return {};
    const now = this.clock();
    return rateLimitHeaders(api, this.limit, limiter.requests.state(now), limiter.tokens?.state(now) ?? null, now);
  }

  /**
   * The limiter's verdict on a request costing `tokens`, arriving at `now`: admitted (and charged to
   * both buckets) or refused (charged nothing) with the wait until every bucket short has enough.
   */
  private admit(api: Api, tokens: number, now: number): Admission {
    const limiter = this.limiterFor(api);
    const limit = this.limit;
    if (!limiter || !limit) return { ok: true, headers: {} };
    const requestWait = limiter.requests.waitFor(1, now);
    const tokenWait = limiter.tokens?.waitFor(tokens, now) ?? 0;
    const ok = requestWait === 0 && tokenWait === 0;
    if (ok) {
      limiter.requests.take(1);
      limiter.tokens?.take(tokens);
    }
    const requests = limiter.requests.state(now);
    const tokenState = limiter.tokens?.state(now) ?? null;
    const headers = limit.headers ? rateLimitHeaders(api, limit, requests, tokenState, now) : {};
    if (ok) return { ok, headers };
    const tooLarge = tokenWait === Number.POSITIVE_INFINITY;
    // Too large never passes; its retry-after is the time until the token bucket is full (and the
    // 429 says x-should-retry: false).
    const retryAfterMs = Math.max(1, requestWait, tooLarge ? (tokenState?.resetMs ?? 0) : tokenWait);
    const by: 'requests' | 'tokens' = tokenWait > requestWait ? 'tokens' : 'requests';
    return {
      ok,
      headers,
      retryAfterMs,
      by,
      tooLarge,
      limit,
      requested: by === 'tokens' ? tokens : 1,
      used: by === 'tokens' ? Math.ceil((tokenState?.capacity ?? 0) - (tokenState?.level ?? 0)) : Math.ceil(requests.capacity - requests.level),
    };
  }

  private sendRateLimited(res: ServerResponse, api: Api, model: string, refusal: Refusal): void {
    const { limit, by, retryAfterMs, requested, used, tooLarge } = refusal;
    const stated = by === 'tokens' ? (limit.tpm ?? 0) : limit.rpm;
    const unit = by === 'tokens' ? 'tokens per min (TPM)' : 'requests per min (RPM)';
    const wait = formatOpenAIDuration(retryAfterMs);
    const message = tooLarge
      ? `Request too large for ${model || 'the model'} on ${unit}: Limit ${stated}, Requested ${requested}. The input or output tokens must be reduced in order to run successfully.`
      : api === 'openai'
        ? `Rate limit reached for ${model || 'the model'} in organization org-fault on ${unit}: Limit ${stated}, Used ${used}, Requested ${requested}. Please try again in ${wait}.`
        : `This request would exceed your organization's rate limit of ${stated} ${by === 'tokens' ? 'tokens' : 'requests'} per minute. Please try again in ${wait}.`;
    const headers: Record<string, string> = {
      ...refusal.headers,
      'retry-after-ms': String(retryAfterMs),
      'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
      ...(tooLarge ? { 'x-should-retry': 'false' } : {}),
    };
    if (res.destroyed) return;
    const body =
      api === 'openai'
        ? { error: { message, type: by, param: null, code: 'rate_limit_exceeded' } }
        : { type: 'error', error: { type: 'rate_limit_error', message } };
    res.writeHead(429, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  private pickFault(draw: number): FaultKind | null {
    let edge = 0;
    for (const kind of FAULT_KINDS) {
      edge += this.rates[kind] ?? 0;
      if (draw < edge) return kind;
    }
    return null;
  }

  private validAnswer(request: ParsedRequest, target: string): unknown {
    if (this.answers === 'recorded') {
      if (target === SYNTHESIZER) return recordedSynthesis();
      if (target !== UNKNOWN && target !== TRIAGE) {
        if (existsSync(`${REPLAY_DIR}desk-${target}.json`)) return recordedDesk(target);
        if (this.recordedFallback !== null) return recordedDesk(this.recordedFallback);
      }
    }
    if (!request.schema) return { answer: `${target} (no schema given)` };
    return generateFromSchema(request.schema, { label: target });
  }

  private respond(
    req: IncomingMessage,
    res: ServerResponse,
    api: Api,
    request: ParsedRequest,
    record: FaultRequest,
    limitHeaders: Record<string, string>,
  ): void {
    const { fault, serial, target } = record;
    // Makes each bad output distinct (so repair turns differ) without depending on arrival order:
    // the text may reach later prompts (a refusal is quoted in the synthesizer's list of missing
    // desks), and with it the conversation key the seeded draws hang on.
    const nonce = `#${record.conversation.slice(0, 8)}.${record.attempt}`;
    const model = api === 'openai' && request.model === 'gpt-4.1' ? 'gpt-4.1-2025-04-14' : request.model;
    const status = fault ? ERROR_STATUS[fault] : undefined;
    if (status !== undefined) {
      const headers: Record<string, string> =
        fault === 'rate_limit' ? { 'retry-after-ms': String(this.retryAfterMs), 'retry-after': String(Math.max(1, Math.ceil(this.retryAfterMs / 1000))) } : {};
      record.status = status;
      return this.sendError(res, api, status, `fault server: injected ${fault} (${nonce})`, { ...limitHeaders, ...headers });
    }
    const idHeader = api === 'openai' ? { 'x-request-id': `req_fault${serial}` } : { 'request-id': `req_fault${serial}` };
    const streamHeaders = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...idHeader, ...limitHeaders };
    const valid = () => JSON.stringify(this.validAnswer(request, target));
    const events = (text: string, finish: 'stop' | 'length' | 'refusal') =>
      api === 'openai'
        ? finish === 'refusal'
          ? openAIStreamEvents(model, null, 'stop', text, serial, request.includeUsage)
          : openAIStreamEvents(model, text, finish, null, serial, request.includeUsage)
        : anthropicStreamEvents(model, text, finish === 'length' ? 'max_tokens' : finish === 'refusal' ? 'refusal' : 'end_turn', serial);
    switch (fault) {
      case 'reset':
        if (request.stream) {
          record.status = 200;
          res.writeHead(200, streamHeaders);
          res.write(events(valid(), 'stop')[0] ?? '', () => req.socket.destroy());
          return;
        }
        req.socket.destroy();
        return;
      case 'hang':
        if (request.stream) {
          record.status = 200;
          res.writeHead(200, streamHeaders);
          res.write(events(valid(), 'stop')[0] ?? '');
        }
        return; // left open; the client's abort (or close()) ends it and marks it aborted
      case 'empty_body':
        record.status = 200;
        if (request.stream) res.writeHead(200, streamHeaders);
        else res.writeHead(200, { 'content-type': 'application/json', 'content-length': '0', ...limitHeaders });
        res.end();
        return;
      default:
        break;
    }

    const json = valid();
    let text = json;
    let finish: 'stop' | 'length' | 'refusal' = 'stop';
    switch (fault) {
      case 'invalid_json':
        text = `${json.slice(0, Math.max(1, Math.floor(json.length / 3)))} … sorry, I lost my train of thought ${nonce}`;
        break;
      case 'fenced_json':
        text = `Here is the assessment you asked for:\n\n\`\`\`json\n${JSON.stringify(JSON.parse(json) as unknown, null, 2)}\n\`\`\`\n`;
        break;
      case 'schema_violation':
        text = JSON.stringify(violateSchema(JSON.parse(json) as unknown, nonce));
        break;
      case 'truncated':
        text = json.slice(0, Math.max(1, Math.floor(json.length / 2)));
        finish = 'length';
        break;
      case 'refusal':
        text = `I'm sorry, but I can't help with that request. ${nonce}`;
        finish = 'refusal';
        break;
      default:
        break;
    }
    record.status = 200;
    if (request.stream) {
      res.writeHead(200, streamHeaders);
      // One write, not one per event: the client gets the same bytes, and the server's own cost
      // stays small and out of the latency it is told to simulate (benchmarks time the CLI by it).
      res.end(events(text, finish).join(''));
      return;
    }
    const payload =
      api === 'openai'
        ? finish === 'refusal'
          ? openAICompletion(model, null, 'stop', text, serial)
          : openAICompletion(model, text, finish, null, serial)
        : anthropicMessage(model, text, finish === 'length' ? 'max_tokens' : finish === 'refusal' ? 'refusal' : 'end_turn', serial);
    res.writeHead(200, { 'content-type': 'application/json', ...idHeader, ...limitHeaders });
    res.end(JSON.stringify(payload));
  }

  private sendError(res: ServerResponse, api: Api, status: number, message: string, headers: Record<string, string> = {}): void {
    if (res.destroyed) return;
    const body =
      api === 'openai'
        ? { error: { message, type: OPENAI_ERROR_TYPE[status] ?? 'api_error', param: null, code: null } }
        : { type: 'error', error: { type: ANTHROPIC_ERROR_TYPE[status] ?? 'api_error', message } };
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }
}

interface Refusal {
  ok: false;
  headers: Record<string, string>;
  retryAfterMs: number;
  /** The bucket that refused (the one with the longer wait when both are short). */
  by: 'requests' | 'tokens';
  tooLarge: boolean;
  limit: ResolvedRateLimit;
  requested: number;
  used: number;
}

type Admission = { ok: true; headers: Record<string, string> } | Refusal;

/** A plan: the next requests for `target` get `kinds` in order (null: clean), then clean answers. */
export function scriptFor(target: string, kinds: readonly (FaultKind | null)[]): FaultPlan {
  let next = 0;
  return (request) => (request.target === target ? (kinds[next++] ?? null) : null);
}

/** Starts a fault server (closing it is the caller's job: `await server.close()`). */
export function startFaultServer(options: FaultServerOptions = {}): Promise<FaultServer> {
  return new FaultServer(options).start();
}
