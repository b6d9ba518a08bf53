import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FaultServer,
  UNKNOWN,
  estimateRequestTokens,
  formatOpenAIDuration,
  generateFromSchema,
  type FaultKind,
  type FaultServerOptions,
} from './support/fault-server.js';

/**
 * The fault server's own behaviour: its server-side rate limiter (token buckets, 429s with
 * retry-after, the providers' rate-limit headers) and its streamed answers, driven through the real
 * OpenAI and Anthropic SDKs (no retries) against 127.0.0.1 only. Most rate-limit tests freeze the
 * server's clock so every number is exact; the one on the wall clock derives its expectations from
 * the arrival times the server reports.
 */

const SCHEMA = {
  type: 'object',
  properties: {
    city: { type: 'string' },
    score: { type: 'integer', minimum: 1, maximum: 5 },
  },
  required: ['city', 'score'],
  additionalProperties: false,
} as const;

/** What the server answers for SCHEMA (no desk named in the prompt: the target is `unknown`). */
const ANSWER = { city: `${UNKNOWN} city`, score: 3 };
const ANSWER_JSON = JSON.stringify(ANSWER);

const SYSTEM = 'Answer with JSON.';
const MAX_OUTPUT = 100;

let server: FaultServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** A started server whose limiter clock is `clock.now` (frozen unless a test moves it). */
async function start(options: FaultServerOptions = {}): Promise<FaultServer> {
  server = await new FaultServer(options).start();
  return server;
}

const frozenClock = () => {
  const clock = { now: Date.UTC(2030, 0, 1, 12, 0, 0) };
  return { clock, fn: () => clock.now };
};

const openai = (s: FaultServer) => new OpenAI({ apiKey: 'sk-fault-test', baseURL: s.openaiUrl, maxRetries: 0 });
const anthropic = (s: FaultServer) => new Anthropic({ apiKey: 'sk-ant-fault-test', baseURL: s.anthropicUrl, maxRetries: 0 });

const openaiParams = (user = 'Where?', maxTokens = MAX_OUTPUT) => ({
  model: 'gpt-4.1-mini',
  messages: [
    { role: 'system' as const, content: SYSTEM },
    { role: 'user' as const, content: user },
  ],
  response_format: { type: 'json_schema' as const, json_schema: { name: 'probe', strict: true, schema: { ...SCHEMA } } },
  max_completion_tokens: maxTokens,
});

const anthropicParams = (user = 'Where?') => ({
  model: 'claude-sonnet-4-6',
  max_tokens: MAX_OUTPUT,
  system: SYSTEM,
  messages: [{ role: 'user' as const, content: user }],
  output_config: { format: { type: 'json_schema' as const, schema: { ...SCHEMA } } },
});

/** One OpenAI call: status, headers and body (the error body for HTTP errors). */
async function callOpenAI(s: FaultServer, params = openaiParams()) {
  try {
    const { data, response } = await openai(s).chat.completions.create(params).withResponse();
    return { status: response.status, headers: response.headers, body: data as unknown };
  } catch (error) {
    if (error instanceof OpenAI.APIError && error.status !== undefined) return { status: error.status, headers: error.headers!, body: error.error };
    throw error;
  }
}

/** One Anthropic call: status, headers and body (the error body for HTTP errors). */
async function callAnthropic(s: FaultServer, params = anthropicParams()) {
  try {
    const { data, response } = await anthropic(s).messages.create(params).withResponse();
    return { status: response.status, headers: response.headers, body: data as unknown };
  } catch (error) {
    if (error instanceof Anthropic.APIError && error.status !== undefined) return { status: error.status, headers: error.headers!, body: error.error };
    throw error;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const rateLimitHeaderNames = (headers: Headers) => [...headers.keys()].filter((k) => /ratelimit/.test(k)).sort();

describe('formatOpenAIDuration and estimateRequestTokens', () => {
  it('formats resets the way OpenAI does', () => {
    expect([0, 120, 999.2, 1000, 1500, 17_280, 60_000, 360_000, 3_723_000].map(formatOpenAIDuration)).toEqual([
      '0s',
      '120ms',
      '1000ms',
      '1s',
      '1.5s',
      '17.28s',
      '1m0s',
      '6m0s',
      '1h2m3s',
    ]);
  });

  it('estimates a request as a quarter of its body plus the output it reserves', () => {
    const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }], max_completion_tokens: 50 });
    expect(estimateRequestTokens(body)).toBe(Math.ceil(body.length / 4) + 50);
    const anthropicBody = JSON.stringify({ model: 'm', max_tokens: 7, messages: [] });
    expect(estimateRequestTokens(anthropicBody)).toBe(Math.ceil(anthropicBody.length / 4) + 7);
    expect(estimateRequestTokens('not json')).toBe(2);
  });
});

describe('fault server rate limiting', () => {
  it('rejects a request that finds the bucket empty, with retry-after and OpenAI headers (frozen clock)', async () => {
    const { clock, fn } = frozenClock();
    const s = await start({ rateLimit: { rpm: 60, windowMs: 2000 }, clock: fn });
    expect(s.rateLimit).toEqual({ rpm: 60, tpm: null, burst: 1, windowMs: 2000, headers: true });

    // 60 per 2 s = 0.03 per ms; burst 1; an empty bucket holds one request again after ceil(1 / 0.03) = 34 ms.
    const results = await Promise.all(Array.from({ length: 10 }, () => callOpenAI(s)));
    const ok = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    expect(ok).toHaveLength(1);
    expect(limited).toHaveLength(9);
    expect(s.rateLimitedCount).toBe(9);

    expect(ok[0]!.headers.get('x-ratelimit-limit-requests')).toBe('60');
    expect(ok[0]!.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(ok[0]!.headers.get('x-ratelimit-reset-requests')).toBe('34ms');
    expect(ok[0]!.headers.get('x-ratelimit-limit-tokens')).toBeNull();
    expect((ok[0]!.body as OpenAI.ChatCompletion).choices[0]!.message.content).toBe(ANSWER_JSON);
    for (const r of limited) {
      expect(r.headers.get('retry-after-ms')).toBe('34');
      expect(r.headers.get('retry-after')).toBe('1');
      expect(r.headers.get('x-ratelimit-limit-requests')).toBe('60');
      expect(r.headers.get('x-ratelimit-remaining-requests')).toBe('0');
      expect(r.headers.get('x-ratelimit-reset-requests')).toBe('34ms');
      expect(r.body).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
      expect((r.body as { message: string }).message).toMatch(/^Rate limit reached for gpt-4\.1-mini .* Limit 60, Used 1, Requested 1\. Please try again in 34ms\.$/);
    }

    // 33 ms later the bucket holds 0.99 of a request: still refused, for 1 more ms.
    clock.now += 33;
    const early = await callOpenAI(s);
    expect(early.status).toBe(429);
    expect(early.headers.get('retry-after-ms')).toBe('1');
    clock.now += 1;
    const onTime = await callOpenAI(s);
    expect(onTime.status).toBe(200);
    expect(s.rateLimitedCount).toBe(10);

    // Refused requests are recorded as such and take no attempt number; they count as retries of the turn.
    expect(s.requests).toHaveLength(12);
    expect(s.requests.filter((r) => r.rateLimited).map((r) => [r.status, r.fault, r.attempt])).toEqual(Array.from({ length: 10 }, () => [429, null, 2]));
    expect(s.requests.filter((r) => !r.rateLimited).map((r) => [r.status, r.attempt])).toEqual([
      [200, 1],
      [200, 2],
    ]);
    expect(s.conversations().map((c) => [c.requests, c.turns, c.maxPerTurn])).toEqual([[12, 1, 12]]);
    expect(s.conversations((r) => !r.rateLimited).map((c) => [c.requests, c.maxPerTurn])).toEqual([[2, 2]]);
    const start0 = Date.UTC(2030, 0, 1, 12, 0, 0);
    expect(s.acceptedArrivals()).toEqual([start0, start0 + 34]);
  });

  it('limits each API on its own and sends Anthropic headers with an RFC 3339 reset (frozen clock)', async () => {
    const { clock, fn } = frozenClock();
    const s = await start({ rateLimit: { rpm: 60, windowMs: 2000 }, clock: fn });
    const openaiFirst = await callOpenAI(s);
    expect(openaiFirst.status).toBe(200);

    const results = await Promise.all(Array.from({ length: 10 }, () => callAnthropic(s)));
    const ok = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    expect([ok.length, limited.length, s.rateLimitedCount]).toEqual([1, 9, 9]);

    const resetAt = new Date(clock.now + 34).toISOString();
    for (const r of [...ok, ...limited]) {
      expect(r.headers.get('anthropic-ratelimit-requests-limit')).toBe('60');
      expect(r.headers.get('anthropic-ratelimit-requests-remaining')).toBe('0');
      const reset = r.headers.get('anthropic-ratelimit-requests-reset')!;
      expect(reset).toBe(resetAt);
      expect(reset).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
      expect(Date.parse(reset) - clock.now).toBe(34);
      expect(r.headers.get('anthropic-ratelimit-tokens-limit')).toBeNull();
      expect(r.headers.get('x-ratelimit-limit-requests')).toBeNull();
    }
    expect((ok[0]!.body as Anthropic.Message).content[0]).toMatchObject({ type: 'text', text: ANSWER_JSON });
    for (const r of limited) {
      expect(r.headers.get('retry-after-ms')).toBe('34');
      expect(r.headers.get('retry-after')).toBe('1');
      expect(r.body).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    }

    clock.now += 34;
    expect((await callAnthropic(s)).status).toBe(200);
    expect(s.acceptedArrivals().length).toBe(3);
  });

  it('admits what the bucket allows on the wall clock, and a request after retry-after-ms', async () => {
    const s = await start({ rateLimit: { rpm: 60, windowMs: 2000 } });
    const results = await Promise.all(Array.from({ length: 10 }, () => callOpenAI(s)));

    // The expected admissions, replayed from the arrival times the server reports: a bucket of 1
    // refilled at 60 / 2000 per ms. On an idle machine the ten arrive within 34 ms and one passes.
    let level = 1;
    let last = s.requests[0]!.arrivedAt;
    const expected = s.requests.map((r) => {
      level = Math.min(1, level + (r.arrivedAt - last) * (60 / 2000));
      last = r.arrivedAt;
      if (level + 1e-9 < 1) return 429;
      level -= 1;
      return 200;
    });
    expect(s.requests.map((r) => r.status)).toEqual(expected);
    const admitted = expected.filter((st) => st === 200).length;
    expect(admitted).toBeGreaterThanOrEqual(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(admitted);
    expect(results.filter((r) => r.status === 429)).toHaveLength(10 - admitted);
    expect(s.rateLimitedCount).toBe(10 - admitted);
    expect(s.acceptedArrivals()).toHaveLength(admitted);

    for (const r of results) {
      expect(r.headers.get('x-ratelimit-limit-requests')).toBe('60');
      expect(r.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    }
    const waits = results.filter((r) => r.status === 429).map((r) => Number(r.headers.get('retry-after-ms')));
    for (const wait of waits) {
      expect(wait).toBeGreaterThanOrEqual(1);
      expect(wait).toBeLessThanOrEqual(34);
    }
    // Wait out the longest retry-after-ms (or, when the last arrival was admitted, the time the
    // server says its bucket needs to refill), plus 2 ms for timers that fire a little early.
    await sleep(Math.max(...waits, s.rateLimitState('openai')!.requests.resetMs) + 2);
    const after = await callOpenAI(s);
    expect(after.status).toBe(200);
    expect(s.rateLimitedCount).toBe(10 - admitted);
  });

  it('sends no rate-limit headers with headers: false, but still 429s with retry-after', async () => {
    const { fn } = frozenClock();
    const s = await start({ rateLimit: { rpm: 60, windowMs: 2000, headers: false }, clock: fn });
    const [first, second] = [await callOpenAI(s), await callOpenAI(s)];
    const [third, fourth] = [await callAnthropic(s), await callAnthropic(s)];
    expect([first.status, second.status, third.status, fourth.status]).toEqual([200, 429, 200, 429]);
    for (const r of [first, second, third, fourth]) expect(rateLimitHeaderNames(r.headers)).toEqual([]);
    expect([second.headers.get('retry-after-ms'), fourth.headers.get('retry-after-ms')]).toEqual(['34', '34']);
  });

  it('puts the headers on injected faults too, and a limiter refusal does not use up a planned fault', async () => {
    const { clock, fn } = frozenClock();
    const s = await start({ rateLimit: { rpm: 60, windowMs: 2000 }, clock: fn });
    const plan: FaultKind[] = ['server_error', 'rate_limit'];
    let next = 0;
    s.setPlan(() => plan[next++] ?? null);
    const injected = await callOpenAI(s);
    expect(injected.status).toBe(500);
    expect(injected.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(injected.headers.get('x-ratelimit-reset-requests')).toBe('34ms');
    const refused = await callOpenAI(s);
    expect(refused.status).toBe(429);
    expect(next).toBe(1);
    clock.now += 34;
    const injected429 = await callOpenAI(s);
    expect(injected429.status).toBe(429);
    // The injected rate_limit fault keeps its own retry-after-ms (150 by default) and error type.
    expect(injected429.headers.get('retry-after-ms')).toBe('150');
    expect(injected429.headers.get('x-ratelimit-limit-requests')).toBe('60');
    expect(s.requests.map((r) => [r.fault, r.status, r.rateLimited])).toEqual([
      ['server_error', 500, false],
      [null, 429, true],
      ['rate_limit', 429, false],
    ]);
    expect(s.rateLimitedCount).toBe(1);
  });

  it('limits tokens per window: a request costing more than what remains gets 429, one over tpm never passes', async () => {
    const { clock, fn } = frozenClock();
    const s = await start({ clock: fn });
    const params = openaiParams();
    expect((await callOpenAI(s, params)).status).toBe(200);
    const cost = s.requests[0]!.tokens;
    // The SDK sends the params as they are, so the estimate can be recomputed here.
    expect(cost).toBe(Math.ceil(JSON.stringify(params).length / 4) + MAX_OUTPUT);

    const tpm = Math.floor(cost * 1.5);
    s.setRateLimit({ rpm: 6000, tpm });
    expect(s.rateLimit).toEqual({ rpm: 6000, tpm, burst: 100, windowMs: 60_000, headers: true });
    const first = await callOpenAI(s, params);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBe(String(tpm));
    expect(first.headers.get('x-ratelimit-remaining-tokens')).toBe(String(tpm - cost));
    expect(first.headers.get('x-ratelimit-remaining-requests')).toBe('99');
    expect(first.headers.get('x-ratelimit-reset-tokens')).toBe(formatOpenAIDuration(Math.ceil(cost / (tpm / 60_000))));

    const second = await callOpenAI(s, params);
    expect(second.status).toBe(429);
    const wait = Math.ceil((cost - (tpm - cost)) / (tpm / 60_000));
    expect(second.headers.get('retry-after-ms')).toBe(String(wait));
    expect(second.body).toMatchObject({ type: 'tokens', code: 'rate_limit_exceeded' });
    // A refused request consumes nothing.
    expect(second.headers.get('x-ratelimit-remaining-requests')).toBe('99');
    expect(second.headers.get('x-ratelimit-remaining-tokens')).toBe(String(tpm - cost));
    expect(s.rateLimitState('openai')!.tokens!.level).toBe(tpm - cost);

    clock.now += wait;
    expect((await callOpenAI(s, params)).status).toBe(200);

    const huge = await callOpenAI(s, openaiParams('Where?', tpm));
    expect(huge.status).toBe(429);
    expect(huge.headers.get('x-should-retry')).toBe('false');
    expect((huge.body as { message: string }).message).toMatch(/^Request too large/);

    // Anthropic has its own buckets and its own header names.
    const a = await callAnthropic(s);
    expect(a.status).toBe(200);
    const aCost = s.requests.at(-1)!.tokens;
    expect(a.headers.get('anthropic-ratelimit-tokens-limit')).toBe(String(tpm));
    expect(a.headers.get('anthropic-ratelimit-tokens-remaining')).toBe(String(tpm - aCost));
    expect(a.headers.get('anthropic-ratelimit-requests-remaining')).toBe('99');
    expect(Date.parse(a.headers.get('anthropic-ratelimit-tokens-reset')!) - clock.now).toBe(Math.ceil(aCost / (tpm / 60_000)));
    expect(s.rateLimitedCount).toBe(2);
  });
});

describe('fault server streaming', () => {
  it('streams an OpenAI chat completion the SDK reads, with usage', async () => {
    const s = await start({ rateLimit: { rpm: 6000 }, clock: frozenClock().fn });
    const { data: stream, response } = await openai(s)
      .chat.completions.create({ ...openaiParams(), stream: true, stream_options: { include_usage: true } })
      .withResponse();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('99');
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    const pieces = chunks.flatMap((c) => c.choices.map((ch) => ch.delta.content ?? ''));
    expect(pieces.filter((p) => p !== '').length).toBeGreaterThanOrEqual(3);
    expect(JSON.parse(pieces.join(''))).toEqual(ANSWER);
    expect(generateFromSchema({ ...SCHEMA }, { label: UNKNOWN })).toEqual(ANSWER);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    const finishes = chunks.flatMap((c) => c.choices.map((ch) => ch.finish_reason)).filter((f) => f !== null);
    expect(finishes).toEqual(['stop']);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    const completionTokens = Math.ceil(ANSWER_JSON.length / 4);
    expect(last.usage).toEqual({ prompt_tokens: 2000, completion_tokens: completionTokens, total_tokens: 2000 + completionTokens });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(new Set(chunks.map((c) => c.object))).toEqual(new Set(['chat.completion.chunk']));
    expect(s.requests.map((r) => [r.stream, r.status, r.aborted])).toEqual([[true, 200, false]]);
  });

  it('streams without a usage chunk unless asked, and works with the SDK stream helper', async () => {
    const s = await start();
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of await openai(s).chat.completions.create({ ...openaiParams(), stream: true })) chunks.push(chunk);
    expect(chunks.every((c) => c.choices.length === 1 && c.usage === undefined)).toBe(true);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop');

    const final = await openai(s).chat.completions.stream(openaiParams()).finalChatCompletion();
    expect(final.choices[0]!.message.content).toBe(ANSWER_JSON);
    expect(final.choices[0]!.finish_reason).toBe('stop');
  });

  it('streams an Anthropic message the SDK reads, with usage', async () => {
    const s = await start({ rateLimit: { rpm: 6000 }, clock: frozenClock().fn });
    const stream = anthropic(s).messages.stream(anthropicParams());
    const texts: string[] = [];
    const events: string[] = [];
    stream.on('text', (t) => texts.push(t));
    stream.on('streamEvent', (e) => events.push(e.type));
    const message = await stream.finalMessage();
    expect(texts.length).toBeGreaterThanOrEqual(3);
    expect(JSON.parse(texts.join(''))).toEqual(ANSWER);
    expect(message.content).toHaveLength(1);
    expect(message.content[0]).toMatchObject({ type: 'text', text: ANSWER_JSON });
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: 2000, output_tokens: Math.ceil(ANSWER_JSON.length / 4) });
    expect(events[0]).toBe('message_start');
    expect(events.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(events.filter((e) => e === 'content_block_delta')).toHaveLength(texts.length);

    const raw = await anthropic(s).messages.create({ ...anthropicParams(), stream: true }).withResponse();
    expect(raw.response.headers.get('anthropic-ratelimit-requests-remaining')).toBe('98');
    let text = '';
    let stop: string | null = null;
    for await (const event of raw.data) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
      if (event.type === 'message_delta') stop = event.delta.stop_reason;
    }
    expect([text, stop]).toEqual([ANSWER_JSON, 'end_turn']);
  });

  it('streams content faults with their finish and stop reasons', async () => {
    const s = await start();
    const half = ANSWER_JSON.slice(0, Math.floor(ANSWER_JSON.length / 2));
    s.setPlan(() => 'truncated');
    let content = '';
    let finish: string | null = null;
    for await (const chunk of await openai(s).chat.completions.create({ ...openaiParams(), stream: true })) {
      content += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect([content, finish]).toEqual([half, 'length']);
    const truncated = await anthropic(s).messages.stream(anthropicParams()).finalMessage();
    expect(truncated.stop_reason).toBe('max_tokens');
    expect(truncated.content[0]).toMatchObject({ type: 'text', text: half });

    s.setPlan(() => 'refusal');
    let refusal = '';
    content = '';
    for await (const chunk of await openai(s).chat.completions.create({ ...openaiParams(), stream: true })) {
      refusal += chunk.choices[0]?.delta.refusal ?? '';
      content += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(refusal).toMatch(/^I'm sorry, but I can't help with that request\. #[0-9a-f]{8}\.2$/);
    expect([content, finish]).toEqual(['', 'stop']);
    const refused = await anthropic(s).messages.stream(anthropicParams()).finalMessage();
    expect(refused.stop_reason).toBe('refusal');

    s.setPlan(() => 'fenced_json');
    const fenced = await anthropic(s).messages.stream(anthropicParams('Fenced?')).finalMessage();
    expect(fenced.content[0]).toMatchObject({ type: 'text', text: `Here is the assessment you asked for:\n\n\`\`\`json\n${JSON.stringify(ANSWER, null, 2)}\n\`\`\`\n` });
    expect(s.requests.map((r) => r.fault)).toEqual(['truncated', 'truncated', 'refusal', 'refusal', 'fenced_json']);
  });

  it('keeps HTTP-error faults as HTTP errors and sends empty, reset and hanging streams', async () => {
    const s = await start();
    s.setPlan(() => 'server_error');
    await expect(openai(s).chat.completions.create({ ...openaiParams(), stream: true })).rejects.toMatchObject({ status: 500 });
    await expect(anthropic(s).messages.stream(anthropicParams()).finalMessage()).rejects.toMatchObject({ status: 500 });

    s.setPlan(() => 'empty_body');
    const chunks: unknown[] = [];
    for await (const chunk of await openai(s).chat.completions.create({ ...openaiParams(), stream: true })) chunks.push(chunk);
    expect(chunks).toEqual([]);
    await expect(anthropic(s).messages.stream(anthropicParams()).finalMessage()).rejects.toThrow(/without sending any chunks/);

    s.setPlan(() => 'reset');
    const resetChunks: OpenAI.ChatCompletionChunk[] = [];
    await expect(
      (async () => {
        for await (const chunk of await openai(s).chat.completions.create({ ...openaiParams(), stream: true })) resetChunks.push(chunk);
      })(),
    ).rejects.toThrow();
    expect(resetChunks.length).toBeLessThanOrEqual(1);

    s.setPlan(() => 'hang');
    const controller = new AbortController();
    const hangChunks: OpenAI.ChatCompletionChunk[] = [];
    const stream = await openai(s).chat.completions.create({ ...openaiParams(), stream: true }, { signal: controller.signal });
    const reading = (async () => {
      for await (const chunk of stream) {
        hangChunks.push(chunk);
        setTimeout(() => controller.abort(), 50);
      }
    })();
    await reading.catch(() => undefined);
    expect(hangChunks).toHaveLength(1);
    expect(hangChunks[0]!.choices[0]!.delta.role).toBe('assistant');
    await vi.waitFor(() => expect(s.requests.at(-1)!.aborted).toBe(true));

    expect(s.requests.map((r) => [r.fault, r.status])).toEqual([
      ['server_error', 500],
      ['server_error', 500],
      ['empty_body', 200],
      ['empty_body', 200],
      ['reset', 200],
      ['hang', 200],
    ]);
  });
});
