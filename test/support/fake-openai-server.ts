import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { recordedDesk, recordedSynthesis } from './recordings.js';
import { closeServer } from './close-server.js';
import { messageText, SYNTHESIS_TARGET, targetOf, UNKNOWN_TARGET } from './request-target.js';
import { openAIStream, SSE_HEADERS } from './sse.js';

/**
 * A real OpenAI-compatible Chat Completions server on 127.0.0.1, for tests whose model calls come
 * from child processes (msw only intercepts inside the test process). It tells the desks and the
 * synthesizer apart by their prompts ("You are JP-01, …" / "You are the synthesizer …"),
 * answers each with its recorded, schema-valid output of the seed event, and counts requests per
 * target. How each target is answered can be changed between (and during) runs.
 */

/** Target name of the synthesizer's requests; desks are named by their id (`JP-01`). */
export const SYNTHESIZER = SYNTHESIS_TARGET;
/** A request whose system prompt names neither a desk nor the synthesizer. */
export const UNKNOWN = UNKNOWN_TARGET;

export type Behaviour =
  /** The recorded answer, at once. */
  | { kind: 'answer' }
  /** The recorded answer after `ms` (dropped if the client goes away first). */
  | { kind: 'delay'; ms: number }
  /** Never answers: the request stays open until the client goes away or the server closes. */
  | { kind: 'hang' }
  /** An OpenAI-style HTTP error (400 is not retried by assess; 429/5xx are). */
  | { kind: 'fail'; status: number; message?: string };

export const behave = {
  answer: (): Behaviour => ({ kind: 'answer' }),
  delay: (ms: number): Behaviour => ({ kind: 'delay', ms }),
  hang: (): Behaviour => ({ kind: 'hang' }),
  fail: (status = 400, message = 'fake server: this desk is set to fail'): Behaviour => ({ kind: 'fail', status, message }),
};

export interface SeenRequest {
  target: string;
  model: string;
  behaviour: Behaviour['kind'];
  /** ms since the server started. */
  at: number;
}


function completion(model: string, content: string, serial: number) {
  return {
    id: `chatcmpl-fake${serial.toString(36).padStart(6, '0')}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    // As api.openai.com: an alias is answered with the dated snapshot it resolved to.
    model: model === 'gpt-4.1' ? 'gpt-4.1-2025-04-14' : model,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 2_400, completion_tokens: 1_800, total_tokens: 4_200 },
    system_fingerprint: 'fp_fake0001',
  };
}

export class FakeOpenAIServer {
  readonly requests: SeenRequest[] = [];
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly behaviours = new Map<string, Behaviour>();
  private fallback: Behaviour = behave.answer();
  private readonly started = Date.now();
  private portNumber = 0;

  /** `http://127.0.0.1:<port>/v1`, for OPENAI_BASE_URL. */
  get url(): string {
    if (!this.server) throw new Error('fake OpenAI server not started');
    return `http://127.0.0.1:${this.portNumber}/v1`;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => this.handle(req, res));
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('fake OpenAI server: no port');
    this.portNumber = address.port;
    this.server = server;
    return this;
  }

  /** How `target` (`JP-01`, SYNTHESIZER) is answered from now on. */
  set(target: string, behaviour: Behaviour): this {
    this.behaviours.set(target, behaviour);
    return this;
  }

  /** Every target answers at once again; the request log and counts are kept. */
  answerAll(): this {
    this.behaviours.clear();
    this.fallback = behave.answer();
    return this;
  }

  /** Requests received for `target` so far (retries and repairs included). */
  count(target: string): number {
    return this.requests.filter((r) => r.target === target).length;
  }

  /** Requests per target, e.g. `{ 'JP-01': 1, synthesis: 1 }`. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.requests) out[r.target] = (out[r.target] ?? 0) + 1;
    return out;
  }

  /** Requests per target received after the first `mark` requests (take `mark` from `requests.length`). */
  countsSince(mark: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.requests.slice(mark)) out[r.target] = (out[r.target] ?? 0) + 1;
    return out;
  }

  /** Stops listening and drops every open connection (hanging requests included). Idempotent. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await closeServer(server, this.sockets);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: { model?: unknown; stream?: unknown; messages?: { role?: unknown; content?: unknown }[] } = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
      } catch {
        // An unparsable body is answered as an unknown target below.
      }
      const first = body.messages?.[0];
      const system = first?.role === 'system' ? messageText(first.content) : '';
      const user = messageText(body.messages?.find((m) => m.role === 'user')?.content);
      const target = targetOf(system, user);
      const model = typeof body.model === 'string' ? body.model : '';
      const behaviour: Behaviour =
        target === UNKNOWN || req.url !== '/v1/chat/completions'
          ? behave.fail(400, `fake server: unexpected request ${req.method} ${req.url} (${target})`)
          : (this.behaviours.get(target) ?? this.fallback);
      this.requests.push({ target, model, behaviour: behaviour.kind, at: Date.now() - this.started });

      const answer = () => {
        if (res.destroyed) return;
        const output = target === SYNTHESIZER ? recordedSynthesis() : recordedDesk(target);
        const body200 = completion(model, JSON.stringify(output), this.requests.length);
        if (body.stream === true) {
          res.writeHead(200, { ...SSE_HEADERS, 'x-request-id': `req_fake${this.requests.length}` });
          res.end(openAIStream(body200, true));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': `req_fake${this.requests.length}` });
        res.end(JSON.stringify(body200));
      };
      switch (behaviour.kind) {
        case 'answer':
          return answer();
        case 'delay': {
          const timer = setTimeout(answer, behaviour.ms);
          res.on('close', () => clearTimeout(timer));
          return;
        }
        case 'hang':
          return; // left open; close() or the client going away ends it
        case 'fail': {
          const type = behaviour.status === 429 ? 'requests' : behaviour.status >= 500 ? 'server_error' : 'invalid_request_error';
          res.writeHead(behaviour.status, { 'content-type': 'application/json', 'x-request-id': `req_fake${this.requests.length}` });
          res.end(JSON.stringify({ error: { message: behaviour.message ?? 'fake failure', type, param: null, code: null } }));
          return;
        }
      }
    });
  }
}

/**
 * A fake server for the current test file: started in beforeAll, closed in afterAll (even when
 * tests fail). Call at the top level of the file or of a describe block.
 */
export function useFakeOpenAIServer(): FakeOpenAIServer {
  const fake = new FakeOpenAIServer();
  beforeAll(async () => {
    await fake.start();
  });
  afterAll(async () => {
    await fake.close();
  });
  return fake;
}
