import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_PRICES, PriceTable } from '../src/llm/pricing.js';
import type { toRunJson } from '../src/report/json.js';
import { runCliCaptured } from './support/cli-io.js';
import { DEFAULT_USAGE, OPENAI_CHAT_URL, SYNTHESIS, fakeLlm, reply, type FakeLlmOptions } from './support/fake-apis.js';
import { SEED_EVENT } from './support/paths.js';
import { SSE_HEADERS } from './support/sse.js';

/**
 * Streaming and prompt caching through the CLI and the real SDKs (msw answers): streamed answers
 * still carry usage, progress shows answers arriving, the prefix every desk shares is marked for
 * Anthropic's cache and the desks wait for it to exist, and cached tokens are priced apart.
 */

type RunReport = ReturnType<typeof toRunJson>;
const OPENAI_ENV = { OPENAI_API_KEY: 'sk-test-stream-0123456789' };
const ANTHROPIC_ENV = { ANTHROPIC_API_KEY: 'sk-ant-api03-test-stream-abcdef' };

const server = setupServer();
let cwd = '';
beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
  cwd = mkdtempSync(join(tmpdir(), 'assess-stream-'));
});
afterEach(() => server.resetHandlers());
afterAll(() => {
  server.close();
  rmSync(cwd, { recursive: true, force: true });
});

async function run(args: string[], env: Record<string, string>, fake: FakeLlmOptions = {}) {
  const llm = fakeLlm(fake);
  server.use(...llm.handlers);
  const result = await runCliCaptured(['run', SEED_EVENT, '--format', 'json', '--call-timeout', '10', '--retries', '1', ...args], { env, cwd });
  let report: RunReport;
  try {
    report = JSON.parse(result.stdout) as RunReport;
  } catch {
    throw new Error(`stdout is not a JSON report (exit ${result.code})\nstderr: ${result.stderr}`);
  }
  return { ...result, report, llm };
}

describe('streaming', () => {
  it('OpenAI: streamed with include_usage; usage and the answers arrive whole; progress says when each answer starts', async () => {
    const { code, report, llm, stderr } = await run(['--provider', 'openai', '--agents', 'JP-01,US-01'], OPENAI_ENV);
    expect(code, stderr).toBe(0);
    expect(report.status).toBe('ok');
    expect(llm.requests).toHaveLength(3);
    for (const r of llm.requests) {
      expect(r.stream).toBe(true);
      expect(r.body['stream_options']).toEqual({ include_usage: true });
    }
    expect(report.usage.total).toMatchObject({
      inputTokens: 2 * DEFAULT_USAGE.desk.input + DEFAULT_USAGE.synthesis.input,
      outputTokens: 2 * DEFAULT_USAGE.desk.output + DEFAULT_USAGE.synthesis.output,
    });
    // Plain progress (stderr is not a terminal here): one line per answer starting, not per piece.
    expect(stderr.match(/JP-01 receiving its answer/g)).toHaveLength(1);
    expect(stderr.match(/US-01 receiving its answer/g)).toHaveLength(1);
    expect(stderr).toMatch(/synthesis receiving its answer/);
  });

  it('--no-stream sends plain requests and gets the same report', async () => {
    const { code, report, llm } = await run(['--provider', 'openai', '--agents', 'JP-01', '--no-stream', '--no-progress'], OPENAI_ENV);
    expect(code).toBe(0);
    expect(report.status).toBe('ok');
    expect(llm.requests.map((r) => r.stream)).toEqual([false, false]);
    expect(llm.requests[0]!.body).not.toHaveProperty('stream_options');
  });

  it('a 200 event stream with no events is retried like an empty body', async () => {
    let served = 0;
    server.use(...fakeLlm().handlers);
    // Put in front: the first request gets an empty event stream; later ones fall through to the fake.
    server.use(http.post(OPENAI_CHAT_URL, () => (served++ === 0 ? new HttpResponse('', { headers: SSE_HEADERS }) : undefined)));
    const result = await runCliCaptured(
      ['run', SEED_EVENT, '--provider', 'openai', '--agents', 'JP-01', '--format', 'json', '--no-progress', '--retries', '1', '--concurrency', '1'],
      { env: OPENAI_ENV, cwd },
    );
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as RunReport;
    const desk = report.usage.calls.filter((c) => c.purpose === 'desk/JP-01');
    expect(desk.map((c) => c.error)).toEqual(['openai returned an empty stream', null]);
  });
});

describe('stream errors', () => {
  it.each([
    ['an error object mid-stream', 'data: {"id":"c1","object":"chat.completion.chunk","created":0,"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":"{"},"finish_reason":null}]}\n\ndata: {"error":{"message":"The server had an error while processing your request."}}\n\n', 'openai stream failed: The server had an error while processing your request.'],
    ['an event that is not JSON', 'data: {"id":"c1","object":"chat.com\n\n', 'openai stream sent an event that is not JSON'],
    ['a stream cut before the finish reason', 'data: {"id":"c1","object":"chat.completion.chunk","created":0,"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":"{"},"finish_reason":null}]}\n\n', 'openai stream ended before the answer did'],
  ])('%s is retried, and the retry answers', async (_name, body, message) => {
    let served = 0;
    server.use(...fakeLlm().handlers);
    server.use(http.post(OPENAI_CHAT_URL, () => (served++ === 0 ? new HttpResponse(body, { headers: SSE_HEADERS }) : undefined)));
    const result = await runCliCaptured(
      ['run', SEED_EVENT, '--provider', 'openai', '--agents', 'JP-01', '--format', 'json', '--no-progress', '--retries', '1', '--concurrency', '1'],
      { env: OPENAI_ENV, cwd },
    );
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as RunReport;
    expect(report.usage.calls.filter((c) => c.purpose === 'desk/JP-01').map((c) => c.error)).toEqual([message, null]);
  });
});

describe('prompt caching (Anthropic)', () => {
  const DESKS = 'JP-01,US-01,CN-01';
  const SHARED = 2_000;

  it('the first desk writes the shared prefix, the others wait for it and read it; cached tokens are priced apart', async () => {
    let requests = 0;
    let deskAnswers = 0;
    const { code, report, llm, stderr } = await run(['--provider', 'anthropic', '--model', 'claude-sonnet-4-6', '--agents', DESKS, '--no-progress'], ANTHROPIC_ENV, {
      // The first desk call takes 400 ms to start answering; the rest must not overtake it.
      defaultScript: () => (++requests === 1 ? reply.slow(400) : undefined),
      // As Anthropic reports it: the first answer wrote the prefix, the later ones read it.
      usage: (target) =>
        target === SYNTHESIS ? DEFAULT_USAGE.synthesis : { ...DEFAULT_USAGE.desk, ...(++deskAnswers === 1 ? { cacheWrite: SHARED } : { cacheRead: SHARED }) },
    });
    expect(code, stderr).toBe(0);
    const desks = llm.requests.filter((r) => r.target !== SYNTHESIS);
    expect(desks).toHaveLength(3);
    const [first, ...rest] = desks;
    for (const r of rest) expect(r.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(380);
    // Every desk request carries the breakpoint after the same shared prefix.
    const sharedBlocks = desks.map((r) => (r.body['messages'] as { content: { text: string; cache_control?: unknown }[] }[])[0]!.content[0]);
    for (const block of sharedBlocks) expect(block).toEqual(sharedBlocks[0]);
    expect(sharedBlocks[0]).toMatchObject({ cache_control: { type: 'ephemeral' } });

    // Usage: one write, two reads, priced at 1.25x and 0.1x of $3 per million.
    expect(report.usage.total).toMatchObject({ cacheWriteTokens: SHARED, cacheReadTokens: 2 * SHARED });
    const input = 3 * DEFAULT_USAGE.desk.input + DEFAULT_USAGE.synthesis.input;
    const output = 3 * DEFAULT_USAGE.desk.output + DEFAULT_USAGE.synthesis.output;
    const uncached = input - 3 * SHARED;
    const expected = (uncached * 3 + SHARED * 3.75 + 2 * SHARED * 0.3 + output * 15) / 1e6;
    expect(report.usage.total.costUsd).toBeCloseTo(expected, 6);
    expect(report.usage.total.costUsd).toBeLessThan((input * 3 + output * 15) / 1e6);
  });

  it('the Markdown report and the call log say how many input tokens came from the cache', async () => {
    const db = join(cwd, 'cache.db');
    const llm = fakeLlm({ usage: (target) => (target === SYNTHESIS ? DEFAULT_USAGE.synthesis : { ...DEFAULT_USAGE.desk, cacheRead: 1_500 }) });
    server.use(...llm.handlers);
    const md = await runCliCaptured(['run', SEED_EVENT, '--provider', 'anthropic', '--agents', 'JP-01', '--no-progress', '--db', db], { env: { ...ANTHROPIC_ENV, ASSESS_DB: '' }, cwd });
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toContain(`${(DEFAULT_USAGE.desk.input + DEFAULT_USAGE.synthesis.input).toLocaleString('en-US')} tokens in (1,500 from the prompt cache)`);
    const runId = /assess runs show ([0-9a-f]+)/.exec(md.stderr)?.[1] ?? '';
    const log = await runCliCaptured(['runs', 'show', runId, '--calls', '--db', db], { env: { ASSESS_DB: '' }, cwd });
    expect(log.code, log.stderr).toBe(0);
    expect(log.stdout).toContain(`${DEFAULT_USAGE.desk.input} in (1,500 from the prompt cache) / ${DEFAULT_USAGE.desk.output} out`);
  });

  it('--no-prompt-cache: no breakpoint, and the desks go out together', async () => {
    let requests = 0;
    const { code, llm } = await run(['--provider', 'anthropic', '--agents', DESKS, '--no-progress', '--no-prompt-cache'], ANTHROPIC_ENV, {
      defaultScript: () => (++requests === 1 ? reply.slow(400) : undefined),
    });
    expect(code).toBe(0);
    const desks = llm.requests.filter((r) => r.target !== SYNTHESIS);
    for (const r of desks) expect(typeof (r.body['messages'] as { content: unknown }[])[0]!.content).toBe('string');
    const spread = Math.max(...desks.map((r) => r.receivedAt)) - Math.min(...desks.map((r) => r.receivedAt));
    expect(spread).toBeLessThan(300);
  });
});

describe('prices of cached tokens', () => {
  it('built-in: Anthropic reads at 0.1x and writes at 1.25x the input price; OpenAI reads discounted, writes free', () => {
    const usage = { inputTokens: 1_000_000, outputTokens: 0, cacheReadTokens: 600_000, cacheWriteTokens: 200_000 };
    expect(BUILT_IN_PRICES.costOf('claude-sonnet-4-6', usage)).toBeCloseTo(0.2 * 3 + 0.6 * 0.3 + 0.2 * 3.75, 9);
    expect(BUILT_IN_PRICES.costOf('gpt-4.1-2025-04-14', { inputTokens: 1_000_000, outputTokens: 0, cacheReadTokens: 750_000 })).toBeCloseTo(
      0.25 * 2 + 0.75 * 0.5,
      9,
    );
    expect(BUILT_IN_PRICES.costOf('gpt-4.1', { inputTokens: 1_000_000, outputTokens: 1_000_000 })).toBeCloseTo(10, 9);
  });

  it('a price without cache rates assumes no discount and no surcharge', () => {
    const table = new PriceTable({ 'my-model': { input: 1, output: 2 } });
    expect(table.costOf('my-model', { inputTokens: 1_000_000, outputTokens: 0, cacheReadTokens: 500_000, cacheWriteTokens: 500_000 })).toBeCloseTo(1, 9);
  });
});
