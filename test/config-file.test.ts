import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigFile, resolveConfigWithSources, loadConfigFile } from '../src/config/index.js';
import type { toRunJson } from '../src/report/json.js';
import { runCliCaptured } from './support/cli-io.js';
import { fakeLlm, reply, SYNTHESIS } from './support/fake-apis.js';
import { ROOT, SEED_EVENT } from './support/paths.js';

type RunReport = ReturnType<typeof toRunJson>;

/**
 * `assess.config.yaml`: validated with file:line: dot.path errors, found by --config-file,
 * ASSESS_CONFIG or in the working directory, below flags and the environment in precedence, and
 * shown with the source of every value by `assess config show`.
 */

const server = setupServer();
const dir = mkdtempSync(join(tmpdir(), 'assess-config-file-'));
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const DEFAULTS = { agentsDir: 'agents', promptsDir: 'prompts', replayDir: 'replay' };
let serial = 0;
/** A fresh working directory holding `assess.config.yaml` with `text`. */
function workdir(text: string): string {
  const cwd = join(dir, `w${++serial}`);
  mkdirSync(cwd);
  writeFileSync(join(cwd, 'assess.config.yaml'), text);
  return cwd;
}

describe('validation: one line, file:line: field: problem', () => {
  it.each([
    ['provider: opnai\n', 'assess.config.yaml:1: provider: unknown provider "opnai"; use one of openai, anthropic, langchain, replay'],
    ['provider: openai\ndesks:\n  CN-01: { provider: anthropik }\n', 'assess.config.yaml:3: desks.CN-01.provider: unknown provider "anthropik"; use one of openai, anthropic, langchain, replay'],
    ['desks:\n  china: { model: gpt-4.1 }\n', 'assess.config.yaml:2: desks.china: desk ids look like JP-01'],
    ['concurrency: 1.5\n', 'assess.config.yaml:1: concurrency: must be a whole number of desks'],
    ['budget:\n  maxCost: -1\n', 'assess.config.yaml:2: budget.maxCost: must be more than 0'],
    ['model: gpt-4.1\nmodle: gpt-4.1\n', 'assess.config.yaml:2: modle: unknown setting; known: provider, model, fallbacks, synthesizer, desks, concurrency, timeout, callTimeout, retries, repairs, maxOutputTokens, maxEventChars, stream, promptCache, budget, rateLimits, prices, pricesFile, db, agentsDir, promptsDir, logLevel'],
    ['synthesizer:\n  provider: openai\n  temperature: 0\n', 'assess.config.yaml:3: synthesizer.temperature: unknown field'],
    ['desks:\n  CN-01: { fallbacks: openai:gpt-4.1 }\n', 'assess.config.yaml:2: desks.CN-01.fallbacks: must be a list of provider:model'],
    ['provider: [openai\n', 'assess.config.yaml:2:1: malformed YAML (Flow sequence in block collection must be sufficiently indented and end with a ])'],
  ])('%j', (text, message) => {
    expect(() => parseConfigFile(text, 'assess.config.yaml')).toThrow(message);
  });

  it('the commented example in examples/ is valid and says what it shows', () => {
    const values = parseConfigFile(readFileSync(join(ROOT, 'examples/assess.config.yaml'), 'utf8'), 'examples/assess.config.yaml');
    expect(values).toMatchObject({
      provider: 'anthropic',
      fallbacks: ['openai:gpt-4.1-mini'],
      synthesizer: { provider: 'openai', model: 'gpt-4.1', fallbacks: ['anthropic:claude-sonnet-4-6'] },
      desks: { 'CN-01': { provider: 'openai', model: 'gpt-4.1', fallbacks: ['anthropic:claude-sonnet-4-6'] }, 'US-01': { model: 'claude-opus-4-1' } },
      budget: { maxCost: 2.5, maxTokens: 1_500_000 },
      rateLimits: { rpm: 500, tpm: 400_000 },
      db: 'data/assess.db',
    });
  });

  it('prices in the file keep their prompt-cache rates all the way into the configuration', async () => {
    const r = await runCliCaptured(['config', 'show', '--format', 'json', '--config-file', join(ROOT, 'examples/assess.config.yaml')], { env: {} });
    expect(r.code, r.stderr).toBe(0);
    const prices = (JSON.parse(r.stdout) as { settings: { setting: string; value: unknown }[] }).settings.find((s) => s.setting === 'prices');
    expect(prices?.value).toMatchObject({ 'claude-sonnet-4-6': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } });
  });

  it('an empty file is no settings', () => {
    expect(parseConfigFile('# nothing yet\n', 'assess.config.yaml')).toEqual({});
  });

  it('through the CLI: exit 2, one line, nothing run', async () => {
    const cwd = workdir('provider: opnai\n');
    const r = await runCliCaptured(['run', SEED_EVENT, '--no-progress'], { env: {}, cwd });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('assess: assess.config.yaml:1: provider: unknown provider "opnai"; use one of openai, anthropic, langchain, replay\n');
  });
});

describe('precedence: flags > environment > config file > defaults', () => {
  const text = 'provider: anthropic\nmodel: claude-sonnet-4-5\nconcurrency: 4\ntimeout: 600\nrateLimits: { rpm: 500 }\ndb: data/assess.db\npricesFile: prices.yaml\n';

  it('each value comes from the highest source that sets it, and says so', () => {
    const cwd = workdir(text);
    const file = loadConfigFile(undefined, {}, cwd);
    expect(file?.path).toBe(join(cwd, 'assess.config.yaml'));
    const { config, sources } = resolveConfigWithSources({ concurrency: '2' }, { ASSESS_MODEL: 'claude-opus-4-1', HOME: '/home/x' }, DEFAULTS, file);
    expect([config.provider, sources.provider]).toEqual(['anthropic', 'config file']);
    expect([config.model, sources.model]).toEqual(['claude-opus-4-1', 'environment']);
    expect([config.concurrency, sources.concurrency]).toEqual([2, 'flag']);
    expect([config.runTimeoutMs, sources.runTimeoutMs]).toEqual([600_000, 'config file']);
    expect([config.timeoutMs, sources.timeoutMs]).toEqual([180_000, 'default']);
    expect([config.rpm, sources.rpm]).toEqual([500, 'config file']);
    // Paths in the file are relative to the file's folder, not to wherever assess runs.
    expect([config.dbPath, sources.dbPath]).toEqual([join(cwd, 'data/assess.db'), 'config file']);
    expect(config.pricesFile).toBe(join(cwd, 'prices.yaml'));
    const withDbEnv = resolveConfigWithSources({}, { ASSESS_DB: '/elsewhere.db' }, DEFAULTS, file);
    expect([withDbEnv.config.dbPath, withDbEnv.sources.dbPath]).toEqual(['/elsewhere.db', 'environment']);
  });

  it('--config-file and ASSESS_CONFIG name another file; a named file that is missing is an error', () => {
    const cwd = workdir('provider: replay\n');
    writeFileSync(join(cwd, 'team.yaml'), 'provider: anthropic\n');
    expect(loadConfigFile('team.yaml', {}, cwd)?.values.provider).toBe('anthropic');
    expect(loadConfigFile(undefined, { ASSESS_CONFIG: 'team.yaml' }, cwd)?.values.provider).toBe('anthropic');
    expect(() => loadConfigFile('nope.yaml', {}, cwd)).toThrow('nope.yaml: cannot read the configuration file (ENOENT)');
    expect(loadConfigFile(undefined, {}, join(dir))).toBeUndefined();
  });
});

describe('routing from the config file: one run, two providers', () => {
  it('desks run on their pinned provider, the synthesizer on its own; the report says which produced what', async () => {
    const cwd = workdir(
      [
        'provider: anthropic',
        'model: claude-sonnet-4-6',
        'synthesizer: { provider: openai, model: gpt-4.1-mini }',
        'desks:',
        '  CN-01: { provider: openai, model: gpt-4.1 }',
        'db: archive.db',
        '',
      ].join('\n'),
    );
    const llm = fakeLlm();
    server.use(...llm.handlers);
    // ASSESS_DB empty: the test harness's default archive must not win over the file's `db:`.
    const env = { OPENAI_API_KEY: 'sk-test-config-openai-1', ANTHROPIC_API_KEY: 'sk-ant-test-config-1', ASSESS_DB: '' };
    const r = await runCliCaptured(['run', SEED_EVENT, '--agents', 'JP-01,CN-01', '--no-progress', '--format', 'json'], { env, cwd });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as RunReport;
    expect(report.desks).toEqual([
      { agentId: 'JP-01', provider: 'anthropic', model: 'claude-sonnet-4-6' },
      { agentId: 'CN-01', provider: 'openai', model: 'gpt-4.1' },
    ]);
    const seen = Object.fromEntries(llm.requests.map((q) => [q.target, `${q.provider}/${q.model}`]));
    expect(seen).toEqual({ 'JP-01': 'anthropic/claude-sonnet-4-6', 'CN-01': 'openai/gpt-4.1', [SYNTHESIS]: 'openai/gpt-4.1-mini' });
    // Each assessment records the model as the provider reported it (OpenAI's fake names its snapshot).
    expect(report.assessments.map((a) => [a.agentId, a.provenance.provider, a.provenance.model])).toEqual([
      ['JP-01', 'anthropic', 'claude-sonnet-4-6'],
      ['CN-01', 'openai', 'gpt-4.1-2025-04-14'],
    ]);

    // The archive is the file's `db:`, and the review commands find it there too.
    expect(r.stderr).toContain(`archived in ${join(cwd, 'archive.db')}`);
    expect(existsSync(join(cwd, 'archive.db'))).toBe(true);
    const list = await runCliCaptured(['runs', 'list', '--format', 'json'], { env: { ASSESS_DB: '' }, cwd });
    expect(list.code, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as { runId: string }[]).map((row) => row.runId)).toEqual([report.runId]);
  });
});

describe('assess config show', () => {
  it('every setting with its source; keys only as set/unset, never their value', async () => {
    const key = 'sk-test-config-show-secret-998877';
    const cwd = workdir('provider: anthropic\nconcurrency: 4\ndesks:\n  CN-01: { provider: openai }\n');
    const r = await runCliCaptured(['config', 'show', '--concurrency', '6'], {
      env: { OPENAI_API_KEY: key, OPENAI_BASE_URL: 'https://user:pa55word@gateway.example/v1', ASSESS_MODEL: 'claude-opus-4-1' },
      cwd,
    });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`configuration file: ${join(cwd, 'assess.config.yaml')}`);
    expect(lines).toContainEqual(expect.stringMatching(/^provider +anthropic {2}\(config file\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^model +claude-opus-4-1 {2}\(environment\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^concurrency +6 {2}\(flag\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^callTimeout \(s\) +180 {2}\(default\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^deskOverrides +\{"CN-01":\{"provider":"openai"\}\} {2}\(config file\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^openai\.apiKey +\[set, redacted\] {2}\(environment\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^openai\.baseURL +https:\/\/%5Bredacted%5D:%5Bredacted%5D@gateway\.example\/v1 {2}\(environment\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^anthropic\.apiKey +— {2}\(not set\)$/));
    expect(r.stdout).not.toContain(key);
    expect(r.stdout).not.toContain('pa55word');

    const json = await runCliCaptured(['config', 'show', '--format', 'json'], { env: { OPENAI_API_KEY: key }, cwd });
    expect(json.code).toBe(0);
    expect(json.stdout).not.toContain(key);
    const parsed = JSON.parse(json.stdout) as { settings: { setting: string; value: unknown; source: string }[] };
    expect(parsed.settings.find((s) => s.setting === 'concurrency')).toEqual({ setting: 'concurrency', value: 4, source: 'config file' });
  });
});

describe('fallback chains', () => {
  const env = { OPENAI_API_KEY: 'sk-test-fallback-openai-1', ANTHROPIC_API_KEY: 'sk-ant-test-fallback-1' };

  it('a desk whose model keeps failing moves to the next model of its chain; every hop is in the call log and progress', async () => {
    const cwd = workdir('provider: openai\nmodel: gpt-4.1\nfallbacks: ["anthropic:claude-sonnet-4-6"]\n');
    // OpenAI answers JP-01 with 503s only; everything else as recorded, on whichever provider asks.
    const llm = fakeLlm({
      scripts: { 'JP-01': (ctx) => (ctx.provider === 'openai' ? reply.httpError(503, 'overloaded, try later') : undefined) },
    });
    server.use(...llm.handlers);
    const r = await runCliCaptured(['run', SEED_EVENT, '--agents', 'JP-01,US-01', '--retries', '1', '--format', 'json'], { env, cwd });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as RunReport;
    expect(report.status).toBe('ok');
    const jp = report.assessments.find((a) => a.agentId === 'JP-01')!;
    expect([jp.provenance.provider, jp.provenance.model]).toEqual(['anthropic', 'claude-sonnet-4-6']);
    expect(report.assessments.find((a) => a.agentId === 'US-01')!.provenance.provider).toBe('openai');
    // Two OpenAI attempts (1 + 1 retry), then Anthropic; attempts are numbered across the hop.
    const calls = report.usage.calls.filter((c) => c.purpose === 'desk/JP-01');
    expect(calls.map((c) => [c.attempt, c.provider])).toEqual([
      [1, 'openai'],
      [2, 'openai'],
      [3, 'anthropic'],
    ]);
    expect(r.stderr).toMatch(/JP-01 falling back from openai\/gpt-4\.1 to anthropic\/claude-sonnet-4-6: openai HTTP 503: overloaded, try later/);
    expect(llm.requests.filter((q) => q.target === 'JP-01').map((q) => q.provider)).toEqual(['openai', 'openai', 'anthropic']);
  });

  it('a refusal is not a reason to switch models; --fallbacks on the command line works like the file', async () => {
    const cwd = workdir('');
    const llm = fakeLlm({ scripts: { 'JP-01': reply.refusal('I cannot help with that.') } });
    server.use(...llm.handlers);
    const r = await runCliCaptured(
      ['run', SEED_EVENT, '--agents', 'JP-01,US-01', '--retries', '0', '--no-progress', '--format', 'json', '--fallbacks', 'anthropic:claude-sonnet-4-6'],
      { env, cwd },
    );
    expect(r.code, r.stderr).toBe(3);
    expect(llm.requests.filter((q) => q.target === 'JP-01').map((q) => q.provider)).toEqual(['openai']);
    expect((JSON.parse(r.stdout) as RunReport).failures.map((f) => [f.agentId, f.kind])).toEqual([['JP-01', 'refusal']]);
  });

  it('a bad fallback is one line, exit 2', async () => {
    const cwd = workdir('');
    const r = await runCliCaptured(['run', SEED_EVENT, '--fallbacks', 'gpt-4.1-mini'], { env, cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('assess: fallback "gpt-4.1-mini" must be provider:model with provider openai, anthropic, langchain, replay, e.g. openai:gpt-4.1-mini\n');
    expect(() => parseConfigFile('fallbacks: [gpt-4.1-mini]\n', 'assess.config.yaml')).toThrow(
      'assess.config.yaml:1: fallbacks[0]: must be provider:model with provider openai, anthropic, langchain or replay, e.g. openai:gpt-4.1-mini',
    );
  });
});

describe('rate limits per model in the config file', () => {
  it('rateLimits.models replaces the general limit for that provider:model', async () => {
    const cwd = workdir('provider: replay\nrateLimits:\n  rpm: 100000\n  models:\n    "replay:replay": { rpm: 240 }\n');
    const r = await runCliCaptured(['run', SEED_EVENT, '--no-progress', '--no-archive', '--format', 'json'], { env: {}, cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^rate limits: replay\/replay: [4-8] of 9 call\(s\) waited \d+\.\ds in total; pacing at 228 requests\/min$/m);
    expect(() => parseConfigFile('rateLimits:\n  models:\n    gpt-4.1: { rpm: 5 }\n', 'assess.config.yaml')).toThrow(
      'assess.config.yaml:3: rateLimits.models.gpt-4.1: keys are provider:model, e.g. anthropic:claude-sonnet-4-6',
    );
  }, 30_000);
});
