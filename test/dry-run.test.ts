import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getEncoding } from 'js-tiktoken';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadAgents } from '../src/agents/index.js';
import { AssessmentDraftSchema } from '../src/assessment/schema.js';
import { nodeEventReaders, readEvent } from '../src/event/index.js';
import { approximateTokens, tokenCounter, tokenizerForModel } from '../src/llm/estimate-tokens.js';
import { toProviderJsonSchema } from '../src/llm/json-schema.js';
import { loadPrompts, renderDeskPrompt } from '../src/prompts/index.js';
import { runCliCaptured, type CapturedRun } from './support/cli-io.js';
import { ROOT, SEED_EVENT } from './support/paths.js';

const DESKS = ['CN-01', 'EU-01', 'GB-01', 'IN-01', 'JP-01', 'KR-01', 'TW-01', 'US-01'];

interface Estimate {
  provider: string;
  model: string;
  inputTokens: number;
  outputCap: number;
  maxCostUsd: number | null;
  tokenizer: string;
}

interface DryRunJson {
  dryRun: true;
  event: { id: string; title: string };
  desks: (Estimate & { agentId: string })[];
  synthesis: Estimate & { digestAllowanceTokens: number };
  total: { inputTokens: number; outputCap: number; maxCostUsd: number | null; unpricedModels: string[] };
  tokenizer: string;
  notes: string[];
}

let dir: string;
let dbPath: string;
let fetchCalls: string[] = [];

/** Any network request fails the test. */
const noNetwork: typeof fetch = async (input) => {
  const url = input instanceof Request ? input.url : String(input);
  fetchCalls.push(url);
  throw new Error(`network call attempted in a dry run: ${url}`);
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'assess-dry-run-'));
  dbPath = join(dir, 'archive', 'assess.db');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  expect(fetchCalls).toEqual([]);
  expect(existsSync(dbPath)).toBe(false);
  expect(existsSync(join(dir, 'archive'))).toBe(false);
  fetchCalls = [];
});

/** An empty environment (no key anywhere), a working directory with no .env, an archive path that must stay absent. */
function dryRun(args: string[]): Promise<CapturedRun> {
  return runCliCaptured(['run', ...args, '--dry-run'], { env: { ASSESS_DB: dbPath }, cwd: dir, fetch: noNetwork });
}

async function dryRunJson(args: string[]): Promise<DryRunJson> {
  const r = await dryRun([...args, '--format', 'json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as DryRunJson;
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

function expectTotalsAreSums(report: DryRunJson): void {
  const calls = [...report.desks, report.synthesis];
  expect(report.total.inputTokens).toBe(sum(calls.map((c) => c.inputTokens)));
  expect(report.total.outputCap).toBe(sum(calls.map((c) => c.outputCap)));
  if (report.total.maxCostUsd !== null) expect(report.total.maxCostUsd).toBeCloseTo(sum(calls.map((c) => c.maxCostUsd ?? Number.NaN)), 6);
}

describe('assess run --dry-run, OpenAI (gpt-4.1), no key set', () => {
  let report: DryRunJson;
  beforeAll(async () => {
    report = await dryRunJson([SEED_EVENT, '--provider', 'openai', '--model', 'gpt-4.1']);
  });

  it('estimates all eight desks of the seed event, in a sane range', () => {
    expect(report.dryRun).toBe(true);
    expect(report.event).toEqual({ id: 'a650d00f1aebde57', title: 'Japan Unveils $550B U.S. Investment' });
    expect(report.desks.map((d) => d.agentId).sort()).toEqual(DESKS);
    for (const desk of report.desks) {
      expect(desk).toMatchObject({ provider: 'openai', model: 'gpt-4.1', outputCap: 8192, tokenizer: 'o200k_base' });
      expect(desk.inputTokens).toBeGreaterThanOrEqual(1500);
      expect(desk.inputTokens).toBeLessThanOrEqual(8000);
    }
    expect(report.tokenizer).toMatch(/o200k_base/);
    expect(report.tokenizer).not.toMatch(/approximation/);
  });

  it('counts exactly what js-tiktoken counts on the rendered prompt and the schema sent', async () => {
    const prompts = await loadPrompts(join(ROOT, 'prompts'));
    const jp = (await loadAgents(join(ROOT, 'agents'))).find((a) => a.id === 'JP-01');
    if (!jp) throw new Error('no JP-01 desk');
    const event = await readEvent({ path: SEED_EVENT }, nodeEventReaders());
    const { system, user } = renderDeskPrompt(prompts, jp, event);
    const schema = JSON.stringify(toProviderJsonSchema(AssessmentDraftSchema));
    const enc = getEncoding('o200k_base');
    const expected = [system, user, schema].reduce((n, text) => n + enc.encode(text).length, 0);
    expect(report.desks.find((d) => d.agentId === 'JP-01')?.inputTokens).toBe(expected);
  });

  it('prices each desk at gpt-4.1 list price: input at the estimate, output at the cap', () => {
    for (const desk of report.desks) {
      expect(desk.maxCostUsd).toBeCloseTo((desk.inputTokens * 2 + 8192 * 8) / 1e6, 6);
    }
  });

  it('estimates the synthesis from its system prompt, schema and a digest allowance per desk; totals are sums', () => {
    expect(report.synthesis).toMatchObject({ provider: 'openai', model: 'gpt-4.1', outputCap: 8192, tokenizer: 'o200k_base', digestAllowanceTokens: 8 * 1600 });
    expect(report.synthesis.inputTokens).toBeGreaterThan(report.synthesis.digestAllowanceTokens + 300);
    expect(report.synthesis.maxCostUsd).toBeCloseTo((report.synthesis.inputTokens * 2 + 8192 * 8) / 1e6, 6);
    expectTotalsAreSums(report);
    expect(report.total.outputCap).toBe(9 * 8192);
    expect(report.total.unpricedModels).toEqual([]);
  });
});

describe('assess run --dry-run, other cases', () => {
  it('follows --max-output-tokens and --synth-model', async () => {
    const report = await dryRunJson([SEED_EVENT, '--provider', 'openai', '--model', 'gpt-4.1', '--max-output-tokens', '2000', '--synth-model', 'gpt-4.1-mini']);
    for (const desk of report.desks) {
      expect(desk.outputCap).toBe(2000);
      expect(desk.maxCostUsd).toBeCloseTo((desk.inputTokens * 2 + 2000 * 8) / 1e6, 6);
    }
    expect(report.synthesis).toMatchObject({ model: 'gpt-4.1-mini', outputCap: 2000 });
    expect(report.synthesis.maxCostUsd).toBeCloseTo((report.synthesis.inputTokens * 0.4 + 2000 * 1.6) / 1e6, 6);
    expectTotalsAreSums(report);
  });

  it('--provider anthropic, no key: the approximation is named and claude-sonnet-4 prices apply', async () => {
    const report = await dryRunJson([SEED_EVENT, '--provider', 'anthropic']);
    expect(report.tokenizer).toMatch(/approximation: 3\.5 characters per token, 1 token per CJK character/);
    expect(report.desks).toHaveLength(8);
    for (const desk of report.desks) {
      expect(desk).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-4-6', tokenizer: 'approx', outputCap: 8192 });
      expect(desk.inputTokens).toBeGreaterThanOrEqual(1500);
      expect(desk.inputTokens).toBeLessThanOrEqual(8000);
      expect(desk.maxCostUsd).toBeCloseTo((desk.inputTokens * 3 + 8192 * 15) / 1e6, 6);
    }
    expectTotalsAreSums(report);
  });

  it('an unknown model has no price: null in JSON, "unknown" in text, never 0', async () => {
    const report = await dryRunJson([SEED_EVENT, '--provider', 'openai', '--model', 'llama3.1:8b']);
    for (const call of [...report.desks, report.synthesis]) {
      expect(call.maxCostUsd).toBeNull();
      expect(call.tokenizer).toBe('approx');
    }
    expect(report.total.maxCostUsd).toBeNull();
    expect(report.total.unpricedModels).toEqual(['llama3.1:8b']);

    const text = await dryRun([SEED_EVENT, '--provider', 'openai', '--model', 'llama3.1:8b']);
    expect(text.code).toBe(0);
    const rows = text.stdout.split('\n').filter((l) => /^(?:[A-Z]{2}-\d{2}|synthesis|TOTAL) {2}/.test(l));
    expect(rows).toHaveLength(10);
    for (const row of rows) {
      expect(row).toMatch(/\bunknown\b/);
      expect(row).not.toMatch(/\$0\.0000/);
    }
    expect(text.stdout).toContain('cost unknown: no price for llama3.1:8b');
  });

  it('a --prices file (relative to the working directory) prices an unknown model', async () => {
    writeFileSync(join(dir, 'prices.yaml'), 'llama3.1: { input: 0.5, output: 1.5 }\n');
    const report = await dryRunJson([SEED_EVENT, '--provider', 'openai', '--model', 'llama3.1:8b', '--prices', 'prices.yaml']);
    for (const call of [...report.desks, report.synthesis]) {
      // Rounded to a millionth of a dollar, like every dry-run figure.
      expect(call.maxCostUsd).toBe(Math.round(call.inputTokens * 0.5 + 8192 * 1.5) / 1e6);
    }
    expect(report.total.unpricedModels).toEqual([]);
  });

  it('prints a table by default: one row per desk, the synthesis, totals, and how tokens were counted', async () => {
    const r = await dryRun([SEED_EVENT, '--provider', 'openai', '--model', 'gpt-4.1', '--agents', 'JP-01,US-01']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Dry run: Japan Unveils \$550B U\.S\. Investment \(event a650d00f1aebde57\)\n/);
    expect(r.stdout).toContain('no model called, nothing archived');
    expect(r.stdout).toMatch(/^JP-01 +openai +gpt-4\.1 +\d,\d{3} +8,192 +\$0\.07\d{2} +o200k_base$/m);
    expect(r.stdout).toMatch(/^US-01 /m);
    expect(r.stdout).not.toMatch(/^CN-01 /m);
    expect(r.stdout).toMatch(/^synthesis +openai +gpt-4\.1 /m);
    expect(r.stdout).toMatch(/^TOTAL +[\d,]+ +24,576 +\$0\.\d{4}$/m);
    expect(r.stdout).toContain('tokenizer: o200k_base (exact BPE via js-tiktoken)');
  });

  it("a desk's own provider and model override the run's, without needing that provider's key", async () => {
    const agentsDir = join(dir, 'agents-override');
    cpSync(join(ROOT, 'agents'), agentsDir, { recursive: true });
    const file = join(agentsDir, 'jp-01.yaml');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\nprovider: anthropic\nmodel: claude-haiku-4-5\n`);
    const report = await dryRunJson([SEED_EVENT, '--provider', 'openai', '--agents-dir', agentsDir]);
    const jp = report.desks.find((d) => d.agentId === 'JP-01');
    expect(jp).toMatchObject({ provider: 'anthropic', model: 'claude-haiku-4-5', tokenizer: 'approx' });
    expect(jp?.maxCostUsd).toBeCloseTo(((jp?.inputTokens ?? 0) * 1 + 8192 * 5) / 1e6, 6);
    expect(report.desks.find((d) => d.agentId === 'CN-01')).toMatchObject({ provider: 'openai', model: 'gpt-4.1', tokenizer: 'o200k_base' });
    expect(report.tokenizer).toMatch(/o200k_base.*; approximation/);
  });

  it('bad input still exits 2 with one line and nothing on stdout', async () => {
    const missing = await dryRun(['nope/missing.md', '--provider', 'openai']);
    expect(missing).toMatchObject({ code: 2, stdout: '', stderr: 'assess: nope/missing.md: no such file\n' });
    const unknownDesk = await dryRun([SEED_EVENT, '--provider', 'openai', '--agents', 'JP-01,XX-99']);
    expect(unknownDesk.code).toBe(2);
    expect(unknownDesk.stdout).toBe('');
    expect(unknownDesk.stderr).toMatch(/^assess: unknown desk XX-99;/);
    const badTokens = await dryRun([SEED_EVENT, '--provider', 'openai', '--max-output-tokens', 'lots']);
    expect(badTokens).toMatchObject({ code: 2, stdout: '', stderr: 'assess: --max-output-tokens must be a number\n' });
  });
});

describe('estimate-tokens', () => {
  it('picks o200k_base for current OpenAI families, cl100k_base for older ones, the approximation otherwise', () => {
    for (const m of ['gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-2025-04-14', 'gpt-4o', 'gpt-4o-mini', 'chatgpt-4o-latest', 'gpt-5', 'gpt-5-nano', 'o1', 'o3-mini', 'o4-mini', 'gpt-oss-20b', 'openai/gpt-4.1', 'GPT-4.1']) {
      expect(tokenizerForModel(m), m).toBe('o200k_base');
    }
    for (const m of ['gpt-4', 'gpt-4-turbo', 'gpt-4-0613', 'gpt-3.5-turbo', 'text-embedding-3-small']) expect(tokenizerForModel(m), m).toBe('cl100k_base');
    for (const m of ['claude-sonnet-4-6', 'claude-3-5-haiku', 'llama3.1:8b', 'qwen2.5:7b', 'replay', 'o10', 'gpt-40', 'gpt-4.2']) {
      expect(tokenizerForModel(m), m).toBe('approx');
    }
  });

  it('approximates 3.5 characters per token, rounded up, and a token per CJK character', () => {
    expect(approximateTokens('')).toBe(0);
    expect(approximateTokens('abcdefg')).toBe(2);
    expect(approximateTokens('abcdefgh')).toBe(3);
    expect(approximateTokens('日本語')).toBe(3);
    expect(approximateTokens('ひらがなカタカナ한국어')).toBe(11);
    expect(approximateTokens('日本、 abc')).toBe(3 + 2);
    expect(approximateTokens('𠮷')).toBe(1);
  });

  it('the BPE counters agree with js-tiktoken and treat special-token text as plain text', async () => {
    const o200k = await tokenCounter('o200k_base');
    const cl100k = await tokenCounter('cl100k_base');
    const text = 'Japan Unveils $550B U.S. Investment — 日本の国際協力銀行';
    expect(o200k.count(text)).toBe(getEncoding('o200k_base').encode(text).length);
    expect(cl100k.count(text)).toBe(getEncoding('cl100k_base').encode(text).length);
    expect(o200k.count('before <|endoftext|> after')).toBeGreaterThan(3);
    const approx = await tokenCounter('approx');
    expect(approx.count(text)).toBe(approximateTokens(text));
    expect(approx.description).toMatch(/3\.5 characters per token/);
  });

  it('the approximation lands within a factor of 1.6 of o200k_base on an English desk prompt', async () => {
    const prompts = await loadPrompts(join(ROOT, 'prompts'));
    const [desk] = await loadAgents(join(ROOT, 'agents'));
    if (!desk) throw new Error('no desk');
    const event = await readEvent({ path: SEED_EVENT }, nodeEventReaders());
    const { system, user } = renderDeskPrompt(prompts, desk, event);
    const o200k = await tokenCounter('o200k_base');
    const exact = o200k.count(system + user);
    const approx = approximateTokens(system + user);
    expect(approx / exact).toBeGreaterThan(0.8);
    expect(approx / exact).toBeLessThan(1.6);
  });
});
