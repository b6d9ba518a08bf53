import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { toRunJson } from '../src/report/json.js';
import { runCliCaptured } from './support/cli-io.js';
import { DEFAULT_USAGE, fakeLlm, SYNTHESIS } from './support/fake-apis.js';
import { SEED_EVENT } from './support/paths.js';

type RunReport = ReturnType<typeof toRunJson>;

const server = setupServer();
const dir = mkdtempSync(join(tmpdir(), 'assess-budget-'));
const env = { OPENAI_API_KEY: 'sk-test-budget-123456', ASSESS_PROVIDER: 'openai', ASSESS_DB: join(dir, 'a.db') };
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One desk call at the fake's default usage, priced as gpt-4.1 ($2 in, $8 out per million). */
const DESK_COST = (DEFAULT_USAGE.desk.input * 2 + DEFAULT_USAGE.desk.output * 8) / 1e6;
const DESK_TOKENS = DEFAULT_USAGE.desk.input + DEFAULT_USAGE.desk.output;
const FOUR_DESKS = ['--agents', 'JP-01,US-01,CN-01,KR-01', '--concurrency', '1', '--no-progress'];

async function run(args: string[]) {
  const llm = fakeLlm();
  server.use(...llm.handlers);
  const result = await runCliCaptured(['run', SEED_EVENT, ...FOUR_DESKS, ...args], { env });
  return { ...result, llm };
}

describe('run budgets', () => {
  it('--max-cost: once reached, no desk, repair or synthesis starts; the run ends degraded with the reason', async () => {
    // Two desk calls cross the limit: 1 × DESK_COST is under it, 2 × is over.
    const limit = DESK_COST * 1.5;
    const { code, stdout, llm } = await run(['--max-cost', String(limit), '--format', 'json']);
    expect(code).toBe(3);
    const report = JSON.parse(stdout) as RunReport;
    expect(report.status).toBe('degraded');
    expect(report.assessments.map((a) => a.agentId)).toEqual(['JP-01', 'US-01']);
    expect(report.failures.map((f) => [f.agentId, f.kind])).toEqual([
      ['CN-01', 'budget'],
      ['KR-01', 'budget'],
    ]);
    expect(report.failures[0]!.reason).toMatch(/^budget reached: \$0\.0384 spent of \$0\.0288 allowed$/);
    expect(report.synthesis).toBeNull();
    expect(report.synthesisError).toMatch(/^no synthesis: budget reached/);
    // Nothing was sent after the limit: two desk calls, no synthesis.
    expect(llm.requests.map((r) => r.target)).toEqual(['JP-01', 'US-01']);
    expect(llm.requestsFor(SYNTHESIS)).toHaveLength(0);
    expect(report.budget).toMatchObject({ maxCostUsd: limit, spentUsd: Number((2 * DESK_COST).toFixed(6)), spentTokens: 2 * DESK_TOKENS });
    expect(report.budget?.exceeded).toMatch(/^budget reached/);
  });

  it('--max-tokens works the same way on tokens, and the Markdown report says what was spent', async () => {
    const { code, stdout, llm } = await run(['--max-tokens', String(DESK_TOKENS + 1)]);
    expect(code).toBe(3);
    expect(llm.requests.map((r) => r.target)).toEqual(['JP-01', 'US-01']);
    expect(stdout).toContain(`_Budget: ${(2 * DESK_TOKENS).toLocaleString('en-US')} of ${(DESK_TOKENS + 1).toLocaleString('en-US')} tokens spent — **budget reached`);
    expect(stdout).toContain('- **CN-01** (budget): budget reached');
  });

  it('--max-run-tokens, the earlier name of the token budget, still works', async () => {
    const { code, llm } = await run(['--max-run-tokens', String(DESK_TOKENS + 1)]);
    expect(code).toBe(3);
    expect(llm.requests.map((r) => r.target)).toEqual(['JP-01', 'US-01']);
  });

  it('a --prices file prices a model the built-in table does not know, so --max-cost can be kept on it', async () => {
    const prices = join(dir, 'prices.yaml');
    // A local model behind a paid gateway, and gpt-4.1 at a negotiated rate of half the list price.
    writeFileSync(prices, '# USD per million tokens\nllama3.1: { input: 2, output: 8 }\ngpt-4.1: { input: 1, output: 4 }\n');
    const { code, stdout, stderr, llm } = await run(['--model', 'llama3.1:8b', '--max-cost', String(DESK_COST * 1.5), '--prices', prices, '--format', 'json']);
    expect(code, stderr).toBe(3);
    const report = JSON.parse(stdout) as RunReport;
    expect(report.usage.calls.map((c) => c.costUsd)).toEqual([DESK_COST, DESK_COST].map((c) => expect.closeTo(c, 9)));
    expect(llm.requests.map((r) => r.target)).toEqual(['JP-01', 'US-01']);
    expect(report.failures.map((f) => f.kind)).toEqual(['budget', 'budget']);

    // The override wins for gpt-4.1 (half price) but not for gpt-4.1-mini (its own, longer, built-in entry).
    const cheap = await run(['--prices', prices, '--format', 'json', '--agents', 'JP-01']);
    const cheapReport = JSON.parse(cheap.stdout) as RunReport;
    expect(cheapReport.usage.calls[0]!.costUsd).toBeCloseTo(DESK_COST / 2, 9);
  });

  it('a bad price file is one line and exit 2, before any call', async () => {
    const bad = join(dir, 'bad-prices.yaml');
    for (const [text, message] of [
      ['gpt-4.1: { input: -1, output: 4 }\n', `assess: ${bad}: gpt-4.1.input: input must be 0 or more`],
      ['gpt-4.1: { input: 1 }\n', `assess: ${bad}: gpt-4.1.output: output must be a number of US dollars per million tokens`],
      ['gpt-4.1: { input: 1, output: 2, cached: 0.5 }\n', `assess: ${bad}: gpt-4.1: Unrecognized key: "cached"`],
      ['gpt-4.1: [1, 2\n', `assess: ${bad}: malformed YAML at line 2, column 1 (Flow sequence in block collection must be sufficiently indented and end with a ])`],
    ] as const) {
      writeFileSync(bad, text);
      const { code, stderr, llm } = await run(['--prices', bad]);
      expect(code, stderr).toBe(2);
      expect(stderr.trim()).toBe(message);
      expect(llm.requests).toHaveLength(0);
    }
    const missing = await run(['--prices', join(dir, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(`assess: ${join(dir, 'nope.yaml')}: cannot read the price file (ENOENT)`);
  });

  it('a budget that is not reached changes nothing', async () => {
    const { code, stdout, llm } = await run(['--max-cost', '5', '--format', 'json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as RunReport;
    expect(report.status).toBe('ok');
    expect(report.budget).toMatchObject({ maxCostUsd: 5, exceeded: null });
    expect(llm.requests).toHaveLength(5);
  });

  it('--max-cost on a model without a known price is refused up front; bad values exit 2', async () => {
    for (const [args, message] of [
      [['--model', 'llama3.1:8b', '--max-cost', '1'], /^assess: --max-cost needs known prices; no price for llama3\.1:8b/],
      [['--max-cost', '-1'], /^assess: --max-cost must be more than 0/],
      [['--max-cost', 'lots'], /^assess: --max-cost must be a number of US dollars/],
      [['--max-tokens', '0'], /^assess: --max-tokens must be at least 1/],
    ] as const) {
      const { code, stderr, llm } = await run([...args]);
      expect(code, stderr).toBe(2);
      expect(stderr.trim()).toMatch(message);
      expect(llm.requests).toHaveLength(0);
    }
  });
});
