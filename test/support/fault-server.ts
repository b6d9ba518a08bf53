import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { recordedDesk, recordedSynthesis } from './recordings.js';
import { closeServer } from './close-server.js';

/**
 * A fault-injecting fake model server on 127.0.0.1 for soaks and chaos tests. It speaks OpenAI
 * Chat Completions (`POST /v1/chat/completions`) and Anthropic Messages (`POST /v1/messages`),
 * non-streaming, and answers every request with an object GENERATED FROM THE JSON SCHEMA the
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
export const SYNTHESIZER = 'synthesis';
export const TRIAGE = 'triage';
/** A request whose system prompt names no desk, the synthesizer or triage. */
export const UNKNOWN = 'unknown';

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
  /** 1-based count of requests of this conversation so far (across phases). */
  attempt: number;
  /** The fault injected, or null for a clean answer. */
  fault: FaultKind | null;
  /** HTTP status sent; null while pending, for resets and for hangs. */
  status: number | null;
  /** True when the client went away before an answer was sent (hang cut by its timeout, kill). */
  aborted: boolean;
}

/**
 * Overrides the seeded draw for one request: a kind to inject, null for a clean answer, undefined
 * to fall back to the rates. Sees the request as recorded so far (target, attempt, kind, …).
 */
export type FaultPlan = (request: Readonly<Omit<FaultRequest, 'fault' | 'status' | 'aborted'>>) => FaultKind | null | undefined;

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
        let text = `${label} ${key || 'text'}`;
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

const DESK_PROMPT = /You are ([A-Z0-9]{2,3}-[0-9]{2})\b/;
const SYNTHESIS_PROMPT = /You are the synthesizer\b/;
const TRIAGE_PROMPT = /You route news items\b/;

function targetOf(system: string): string {
  if (SYNTHESIS_PROMPT.test(system)) return SYNTHESIZER;
  if (TRIAGE_PROMPT.test(system)) return TRIAGE;
  return DESK_PROMPT.exec(system)?.[1] ?? UNKNOWN;
}

interface ParsedRequest {
  model: string;
  system: string;
  messages: { role: string; content: string }[];
  schema: JsonSchema | undefined;
  stream: boolean;
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
  return { model: typeof body['model'] === 'string' ? body['model'] : '', system, messages, schema, stream: body['stream'] === true };
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

  constructor(options: FaultServerOptions = {}) {
    this.seed = options.seed ?? 1;
    this.rates = { ...(options.faults ?? {}) };
    this.delay = options.delayMs ?? [0, 0];
    this.retryAfterMs = options.retryAfterMs ?? 150;
    this.answers = options.answers ?? 'generated';
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
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => undefined);
    req.on('end', () => {
      const api: Api | null =
        req.method === 'POST' && req.url?.split('?')[0] === '/v1/chat/completions'
          ? 'openai'
          : req.method === 'POST' && req.url?.split('?')[0] === '/v1/messages'
            ? 'anthropic'
            : null;
      let body: JsonSchema = {};
      try {
        const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
        if (isObject(parsed)) body = parsed;
      } catch {
        // Answered as a bad request below.
      }
      if (api === null) return this.sendError(res, 'openai', 404, `fault server: no route ${req.method} ${req.url}`);
      const request = parseRequest(api, body);
      if (request.messages.length === 0) return this.sendError(res, api, 400, 'fault server: no messages');
      if (request.stream) return this.sendError(res, api, 400, 'fault server: streaming is not supported');

      const target = targetOf(request.system);
      const firstUser = request.messages.find((m) => m.role === 'user')?.content ?? '';
      const conversation = sha(`${api}\u0000${request.system}\u0000${firstUser}`);
      const attempt = (this.attempts.get(conversation) ?? 0) + 1;
      this.attempts.set(conversation, attempt);
      const random = seededRandom(hash32(`${this.seed}|${conversation}|${attempt}`));
      const drawn = this.pickFault(random());
      const [lo, hi] = this.delay;
      const delayMs = lo + Math.floor(random() * Math.max(0, hi - lo + 1));

      const seen = {
        serial: this.requests.length + 1,
        at: Date.now() - this.started,
        api,
        target,
        model: request.model,
        phase: this.phaseName,
        conversation,
        turn: sha(JSON.stringify(request.messages)),
        kind: request.messages.length > 1 ? ('repair' as const) : ('initial' as const),
        attempt,
      };
      const planned = this.plan?.(seen);
      const fault = planned === undefined ? drawn : planned;
      const record: FaultRequest = { ...seen, fault, status: null, aborted: false };
      this.requests.push(record);
      res.on('close', () => {
        if (!res.writableFinished && record.fault !== 'reset') record.aborted = true;
      });

      const act = () => {
        if (res.destroyed) return;
        this.respond(req, res, api, request, record);
      };
      if (delayMs > 0 && fault !== 'hang') {
        const timer = setTimeout(act, delayMs);
        res.on('close', () => clearTimeout(timer));
      } else act();
    });
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
      if (DESK_PROMPT.test(request.system) && target !== UNKNOWN) return recordedDesk(target);
    }
    if (!request.schema) return { answer: `${target} (no schema given)` };
    return generateFromSchema(request.schema, { label: target });
  }

  private respond(req: IncomingMessage, res: ServerResponse, api: Api, request: ParsedRequest, record: FaultRequest): void {
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
      return this.sendError(res, api, status, `fault server: injected ${fault} (${nonce})`, headers);
    }
    switch (fault) {
      case 'reset':
        req.socket.destroy();
        return;
      case 'hang':
        return; // left open; the client's abort (or close()) ends it and marks it aborted
      case 'empty_body':
        record.status = 200;
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '0' });
        res.end();
        return;
      default:
        break;
    }

    const valid = this.validAnswer(request, target);
    const json = JSON.stringify(valid);
    let text = json;
    let finish: 'stop' | 'length' | 'refusal' = 'stop';
    switch (fault) {
      case 'invalid_json':
        text = `${json.slice(0, Math.max(1, Math.floor(json.length / 3)))} … sorry, I lost my train of thought ${nonce}`;
        break;
      case 'fenced_json':
        text = `Here is the assessment you asked for:\n\n\`\`\`json\n${JSON.stringify(valid, null, 2)}\n\`\`\`\n`;
        break;
      case 'schema_violation':
        text = JSON.stringify(violateSchema(valid, nonce));
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
    const payload =
      api === 'openai'
        ? finish === 'refusal'
          ? openAICompletion(model, null, 'stop', text, serial)
          : openAICompletion(model, text, finish, null, serial)
        : anthropicMessage(model, text, finish === 'length' ? 'max_tokens' : finish === 'refusal' ? 'refusal' : 'end_turn', serial);
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(api === 'openai' ? { 'x-request-id': `req_fault${serial}` } : { 'request-id': `req_fault${serial}` }),
    });
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

/** A plan: the next requests for `target` get `kinds` in order (null: clean), then clean answers. */
export function scriptFor(target: string, kinds: readonly (FaultKind | null)[]): FaultPlan {
  let next = 0;
  return (request) => (request.target === target ? (kinds[next++] ?? null) : null);
}

/** Starts a fault server (closing it is the caller's job: `await server.close()`). */
export function startFaultServer(options: FaultServerOptions = {}): Promise<FaultServer> {
  return new FaultServer(options).start();
}
