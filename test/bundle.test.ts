/**
 * The shipped CLI is an esbuild bundle (dist/cli/main.js and its chunks, `npm run build`, which
 * `npm ci` runs), while every other test runs src/ through tsx. These tests run the bundle itself,
 * as a user does, from a folder outside the package: the demo, one run per provider against a
 * local fake server (each provider's code is a chunk loaded on demand), LangChain's integrations
 * loaded from node_modules, the review commands, and bad input. They test the dist/ that exists:
 * CI builds it fresh (`npm ci`); locally, run `npm run build` after changing src/.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../src/errors/index.js';
import { toProviderError } from '../src/llm/provider-errors.js';
import { CLI, spawnCli, type CliProcess } from './bench/spawn-cli.js';
import { FaultServer } from './support/fault-server.js';
import { ROOT, SEED_EVENT } from './support/paths.js';

const DESKS = ['JP-01', 'US-01', 'CN-01', 'KR-01', 'EU-01', 'TW-01', 'IN-01', 'GB-01'];
const META = join(ROOT, 'dist', 'meta.json');
const KEY = 'sk-bundle-test-000000000000';

interface ReportJson {
  status: string;
  assessments: { agentId: string; provenance: { provider: string } }[];
  usage: { calls: { purpose: string; attempt: number; error: string | null }[] };
}

let dir: string;
/** The built CLI from a folder outside the package, as an installed `assess` runs. */
const assess = (args: string[], env: Record<string, string> = {}): Promise<CliProcess> => spawnCli(args, env, { usage: false, cwd: dir, killAfterMs: 60_000 });
const report = (proc: CliProcess): ReportJson => JSON.parse(proc.stdout) as ReportJson;

/** A port nothing listens on: bound, read, released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm ci does) before these tests`);
  dir = mkdtempSync(join(tmpdir(), 'assess-bundle-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the built CLI (dist/)', () => {
  it('is a bundle: main.js and its chunks sit directly in dist/cli, next to no compiled src tree', () => {
    const files = readdirSync(join(ROOT, 'dist', 'cli'));
    expect(files).toContain('main.js');
    // paths.ts finds agents/ and prompts/ two levels above each module: no subfolders allowed.
    expect(files.filter((f) => statSync(join(ROOT, 'dist', 'cli', f)).isDirectory())).toEqual([]);
    expect(files.some((f) => /^run-[A-Z0-9]+\.js$/.test(f))).toBe(true);
    expect(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
  });

  it('runs the demo from another folder: 8 desks and the consolidated view, default desks and prompts found', async () => {
    const proc = await assess(['run', SEED_EVENT, '--provider', 'replay', '--no-archive']);
    expect(proc.stderr).toContain(': ok (8/8 desks)');
    expect(proc.code).toBe(0);
    for (const desk of DESKS) expect(proc.stdout).toContain(`\n## ${desk} `);
    expect(proc.stdout).toContain('\n## Consolidated risk view');
  });

  it('--provider openai: the SDK chunk loads and a run completes against a local server', async () => {
    const server = await new FaultServer({ answers: 'recorded' }).start();
    try {
      const proc = await assess(['run', SEED_EVENT, '--provider', 'openai', '--agents', 'JP-01,US-01', '--format', 'json', '--no-archive'], { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: server.openaiUrl });
      expect(proc.code).toBe(0);
      const r = report(proc);
      expect(r.status).toBe('ok');
      expect(r.assessments.map((a) => [a.agentId, a.provenance.provider])).toEqual([['JP-01', 'openai'], ['US-01', 'openai']]);
      expect(server.requests.map((q) => q.api)).toEqual(['openai', 'openai', 'openai']);
    } finally {
      await server.close();
    }
  });

  it('--provider anthropic: the SDK chunk loads and a run completes against a local server', async () => {
    const server = await new FaultServer({ answers: 'recorded' }).start();
    try {
      const proc = await assess(['run', SEED_EVENT, '--provider', 'anthropic', '--agents', 'JP-01', '--format', 'json', '--no-archive'], { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: server.anthropicUrl });
      expect(proc.code).toBe(0);
      const r = report(proc);
      expect(r.status).toBe('ok');
      expect(r.assessments.map((a) => a.provenance.provider)).toEqual(['anthropic']);
      expect(server.requests.map((q) => q.api)).toEqual(['anthropic', 'anthropic']);
    } finally {
      await server.close();
    }
  });

  it('--provider langchain: LangChain and @langchain/openai load from node_modules and a run completes', async () => {
    const server = await new FaultServer({ answers: 'recorded' }).start();
    try {
      const proc = await assess(['run', SEED_EVENT, '--provider', 'langchain', '--model', 'openai:gpt-4.1-mini', '--agents', 'JP-01', '--format', 'json', '--no-archive'], { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: server.openaiUrl });
      expect(proc.code).toBe(0);
      const r = report(proc);
      expect(r.status).toBe('ok');
      expect(r.assessments.map((a) => a.provenance.provider)).toEqual(['langchain']);
      expect(server.requests).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  // The SDK errors LangChain's integrations throw come from node_modules; the bundle must still
  // recognise them (one copy of each SDK in the process), or a refused connection would not be retried.
  it.each([
    ['openai', []],
    ['langchain', ['--model', 'openai:gpt-4.1-mini']],
  ])('--provider %s: a refused connection is a connection error, and retried', async (provider, extra) => {
    const port = await closedPort();
    const proc = await assess(['run', SEED_EVENT, '--provider', provider, ...extra, '--agents', 'JP-01', '--retries', '1', '--format', 'json', '--no-archive'], { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` });
    expect(proc.code).toBe(1);
    const calls = report(proc).usage.calls;
    expect(calls.map((c) => [c.purpose, c.attempt])).toEqual([['desk/JP-01', 1], ['desk/JP-01', 2]]);
    for (const c of calls) expect(c.error).toMatch(new RegExp(`^${provider} connection failed`));
    // pino, loaded from its own chunk only when a line is due, writes the warning.
    expect(proc.stderr).toMatch(/\{"level":40,.*"agentId":"JP-01".*"msg":"desk failed"\}/);
  });

  it('--dry-run loads the tokenizer chunk and counts exact tokens', async () => {
    const proc = await assess(['run', SEED_EVENT, '--dry-run', '--agents', 'JP-01']);
    expect(proc.code).toBe(0);
    expect(proc.stdout).toContain('tokenizer: o200k_base (exact BPE via js-tiktoken)');
  });

  it('the review commands load on demand and read what a bundled run archived', async () => {
    const db = join(dir, 'review.db');
    expect((await assess(['run', SEED_EVENT, '--provider', 'replay', '--db', db, '--no-progress'])).code).toBe(0);
    const list = await assess(['runs', 'list', '--db', db, '--format', 'json']);
    expect(list.code).toBe(0);
    const runs = JSON.parse(list.stdout) as { status: string }[];
    expect(runs.map((r) => r.status)).toEqual(['ok']);
    const search = await assess(['search', 'JBIC', '--db', db]);
    expect(search.code).toBe(0);
    expect(search.stdout).toContain('JP-01');
  });

  it('bad input: one line on stderr, exit 2, no stack trace', async () => {
    const proc = await assess(['run', join(dir, 'no-such-event.md'), '--provider', 'replay']);
    expect(proc.code).toBe(2);
    expect(proc.stderr.trim().split('\n')).toHaveLength(1);
    expect(proc.stderr).toMatch(/^assess: /);
    expect(proc.stderr).not.toMatch(/\n\s+at /);
  });

  it('malformed YAML is explained by the yaml library, required from node_modules on that path only', async () => {
    const path = join(dir, 'tabbed.yaml');
    writeFileSync(path, 'title: A story\n\tsummary: indented with a tab\n');
    const proc = await assess(['run', path, '--provider', 'replay']);
    expect(proc.code).toBe(2);
    expect(proc.stderr.trim()).toBe(`assess: ${path}: malformed YAML at line 2, column 1 (Tabs are not allowed as indentation)`);
  });
});

describe('SDK errors from another copy of the SDK', () => {
  // Stand-ins for the classes of a second copy of the openai SDK (the one in node_modules that
  // @langchain/openai uses, while the bundle carries its own): same names, different classes.
  class APIError extends Error {}
  class APIConnectionError extends APIError {}
  class APIConnectionTimeoutError extends APIConnectionError {}
  const context = { provider: 'langchain', timedOut: false, cancelled: false, timeoutMs: 1000 };

  it('a connection error is recognised by its class name and retried', () => {
    const mapped = toProviderError(new APIConnectionError('Connection error.'), context);
    expect(mapped).toBeInstanceOf(ProviderError);
    expect(mapped.message).toBe('langchain connection failed: Connection error.');
    expect((mapped as ProviderError).retryable).toBe(true);
  });

  it('a connection timeout is recognised by its class name and retried', () => {
    const mapped = toProviderError(new APIConnectionTimeoutError('Request timed out.'), context);
    expect(mapped.message).toBe('langchain connection timed out');
    expect((mapped as ProviderError).retryable).toBe(true);
  });

  it('any other error of the same shape stays a non-retryable call failure', () => {
    const mapped = toProviderError(new APIError('something else'), context);
    expect(mapped.message).toBe('langchain call failed: something else');
    expect((mapped as ProviderError).retryable).toBe(false);
  });
});

/** esbuild's metafile (written by `npm run build` next to dist/cli): which inputs each output holds. */
interface Metafile {
  outputs: Record<string, { imports: { path: string; kind: string; external?: boolean }[]; inputs: Record<string, { bytesInOutput: number }>; entryPoint?: string }>;
}

/** The input files (node_modules paths, src paths) in `output` and every chunk it imports statically. */
function staticInputs(meta: Metafile, output: string): string[] {
  const seen = new Set<string>();
  const stack = [output];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    for (const i of meta.outputs[next]?.imports ?? []) if (i.kind === 'import-statement' && !i.external) stack.push(i.path);
  }
  return [...seen].flatMap((o) => Object.entries(meta.outputs[o]!.inputs).filter(([, v]) => v.bytesInOutput > 0).map(([input]) => input));
}

/** The output file built from `source` (an entry or a dynamically imported module), e.g. src/cli/commands/run.ts. */
function outputOf(meta: Metafile, source: string): string {
  const found = Object.keys(meta.outputs).filter((o) => meta.outputs[o]!.entryPoint === source);
  if (found.length !== 1) throw new Error(`expected one output built from ${source}, found ${found.join(', ') || 'none'}`);
  return found[0]!;
}

const fromPackage = (inputs: string[], name: string): string[] => inputs.filter((i) => i.startsWith(`node_modules/${name}/`));

describe('what the bundle loads', () => {
  const meta = (): Metafile => JSON.parse(readFileSync(META, 'utf8')) as Metafile;

  it('zod is imported as a namespace everywhere, so the bundle can drop its locales', async () => {
    const files = (await readdir(join(ROOT, 'src'), { recursive: true })).filter((f) => f.endsWith('.ts')).map((f) => join(ROOT, 'src', f));
    const named: string[] = [];
    for (const file of files) {
      if (/^import (?:type )?\{[^}]*\bz\b[^}]*\} from 'zod';$/m.test(await readFile(file, 'utf8'))) named.push(relative(ROOT, file));
    }
    // A named `z` import makes esbuild keep zod's whole namespace, 40 locales included (~560 KB
    // that every `assess run` would parse).
    expect(named).toEqual([]);
    const locales = Object.values(meta().outputs).flatMap((o) => Object.keys(o.inputs)).filter((i) => i.includes('node_modules/zod/v4/locales/'));
    expect(locales.filter((l) => !l.endsWith('/en.js'))).toEqual([]);
  });

  it('`assess --help` loads commander and the program, no zod, YAML, SQLite or SDK', () => {
    const inputs = staticInputs(meta(), outputOf(meta(), 'src/cli/main.ts'));
    const packages = new Set(inputs.filter((i) => i.startsWith('node_modules/')).map((i) => i.split('/')[1]));
    expect([...packages]).toEqual(['commander']);
  });

  it('`assess run` loads no provider SDK, LangChain or tokenizer table until a run needs one', () => {
    const inputs = staticInputs(meta(), outputOf(meta(), 'src/cli/commands/run.ts'));
    expect(inputs.length).toBeGreaterThan(50);
    // Only the SDKs' error modules, for mapping errors (src/llm/provider-errors.ts).
    expect(fromPackage(inputs, 'openai').every((i) => /^node_modules\/openai\/(core\/error|internal\/errors|internal\/tslib)\.mjs$/.test(i))).toBe(true);
    expect(fromPackage(inputs, '@anthropic-ai/sdk').every((i) => /^node_modules\/@anthropic-ai\/sdk\/(core\/error|internal\/errors|internal\/tslib)\.mjs$/.test(i))).toBe(true);
    expect(inputs.filter((i) => /node_modules\/(langchain|@langchain|js-tiktoken\/dist\/ranks|js-tiktoken\/ranks)\//.test(i))).toEqual([]);
    expect(inputs.some((i) => i.startsWith('node_modules/openai/client'))).toBe(false);
  });

  it('`assess run` loads the terminal table (log-update) only on a terminal', () => {
    const inputs = staticInputs(meta(), outputOf(meta(), 'src/cli/commands/run.ts'));
    expect(inputs.some((i) => i.startsWith('src/cli/progress.ts'))).toBe(true);
    expect(inputs.filter((i) => /node_modules\/(log-update|ansi-escapes|cli-cursor|wrap-ansi|string-width|slice-ansi)\//.test(i))).toEqual([]);
  });

  it('`assess run` loads pino only when a line is due, and the error-only parsers (yaml, jsonc-parser) only on error', () => {
    const inputs = staticInputs(meta(), outputOf(meta(), 'src/cli/commands/run.ts'));
    expect(inputs.filter((i) => /node_modules\/(pino|thread-stream|sonic-boom|jsonc-parser|yaml)\//.test(i))).toEqual([]);
    expect(inputs.filter((i) => /src\/report\/(html|diff-markdown)\.ts/.test(i))).toEqual([]);
  });

  it('`assess run` reads YAML with js-yaml; the yaml library is not bundled, only required to explain an error', () => {
    const inputs = staticInputs(meta(), outputOf(meta(), 'src/cli/commands/run.ts'));
    expect(fromPackage(inputs, 'js-yaml').length).toBeGreaterThan(0);
    expect(Object.values(meta().outputs).flatMap((o) => Object.keys(o.inputs)).filter((i) => i.startsWith('node_modules/yaml/'))).toEqual([]);
  });
});
