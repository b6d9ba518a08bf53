import { spawn, spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MIN_BRIEF_WORDS } from '../src/agents/index.js';
import { runCliCaptured, TEST_DB, type CapturedRun } from './support/cli-io.js';
import { ROOT, SEED_EVENT } from './support/paths.js';

/**
 * Every bad input ends the same way: exit 2 (usage), nothing on stdout, and exactly one line on
 * stderr — `assess: …` from the CLI or commander's `error: …` — with no stack trace. No model is
 * called: the environment is empty (no keys), the working directory has no .env, the provider is
 * `replay` where one is needed, and any fetch fails the test.
 */

let dir: string;
let fetchCalls: string[] = [];

/** Fails loudly if anything tries the network. */
const noNetwork: typeof fetch = async (input) => {
  const url = input instanceof Request ? input.url : String(input);
  fetchCalls.push(url);
  throw new Error(`network call attempted in a bad-input test: ${url}`);
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'assess-bad-input-'));
  writeFileSync(join(dir, 'ok.json'), JSON.stringify({ title: 'A fine event', summary: 'Nothing wrong here.' }));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  expect(fetchCalls).toEqual([]);
  fetchCalls = [];
});

function write(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const OK_EVENT = (): string => join(dir, 'ok.json');

/** Runs in-process with an empty environment, in the temp folder, with the network forbidden. */
function cli(argv: string[], options: { env?: Record<string, string>; stdin?: string } = {}): Promise<CapturedRun> {
  return runCliCaptured(argv, { env: options.env ?? {}, cwd: dir, fetch: noNetwork, ...(options.stdin !== undefined ? { stdin: options.stdin } : {}) });
}

/** Exactly one non-empty stderr line, from the CLI or commander, and no stack trace. Returns it. */
function oneLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, `stderr was: ${JSON.stringify(stderr)}`).toHaveLength(1);
  const line = lines[0] ?? '';
  expect(line).toMatch(/^(assess:|error:) /);
  expect(stderr).not.toContain('    at ');
  return line;
}

/** Exit 2, empty stdout, one line on stderr matching `pattern`. */
async function expectUsage(run: Promise<CapturedRun>, pattern: RegExp | string): Promise<string> {
  const r = await run;
  const line = oneLine(r.stderr);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  if (typeof pattern === 'string') expect(line).toBe(pattern);
  else expect(line).toMatch(pattern);
  return line;
}

/** Runs the real entry point as a child process. */
function spawnMain(
  args: string[],
  options: { uid?: number; gid?: number; closeStdout?: boolean } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: ROOT,
      // Only PATH (and a throwaway archive): no API keys or ASSESS_* settings from the developer's shell leak in.
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ASSESS_DB: TEST_DB },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid ?? options.uid } : {}),
    });
    let stdout = '';
    let stderr = '';
    if (options.closeStdout) child.stdout.destroy();
    else child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('event files', () => {
  it('a missing file: exit 2, names the file', async () => {
    const missing = join(dir, 'missing.json');
    await expectUsage(cli(['run', missing, '--provider', 'replay']), `assess: ${missing}: no such file`);
  });

  it('a missing file given as a relative path is named as typed', async () => {
    await expectUsage(cli(['run', 'nope/missing.md', '--provider', 'replay']), 'assess: nope/missing.md: no such file');
  });

  it('an unreadable file (chmod 000): exit 2, permission denied', async (ctx) => {
    const path = write('unreadable.json', JSON.stringify({ title: 'secret' }));
    chmodSync(path, 0o000);
    let readable = false;
    try {
      accessSync(path, constants.R_OK);
      readable = true;
    } catch {
      readable = false;
    }
    // Root (uid 0, as in many containers) reads a mode-000 file regardless, so the file is not
    // unreadable and there is nothing to assert here; the next test covers it as an unprivileged user.
    ctx.skip(readable, 'running as root: chmod 000 does not stop root from reading the file');
    await expectUsage(cli(['run', path, '--provider', 'replay']), `assess: ${path}: permission denied`);
  });

  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // When running as root, the in-process test above cannot make a file unreadable; the real entry
  // point run as `nobody` (uid 65534) can. Not needed, and not possible, as an ordinary user.
  it.skipIf(!isRoot)('an unreadable file, as an unprivileged user through the real entry point (root only)', async (ctx) => {
    // The checkout itself must be readable by `nobody` (a clone under a 0700 home is not).
    const probe = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(`${ROOT}src/cli/main.ts`)})`], {
      uid: 65534,
      gid: 65534,
    });
    ctx.skip(probe.status !== 0, 'the checkout is not readable by uid 65534 here');
    const open = mkdtempSync(join(tmpdir(), 'assess-unreadable-'));
    try {
      chmodSync(open, 0o755); // nobody must reach the file to be refused by its own mode
      const path = join(open, 'unreadable.json');
      writeFileSync(path, JSON.stringify({ title: 'secret' }));
      chmodSync(path, 0o000);
      const r = await spawnMain(['run', path, '--provider', 'replay'], { uid: 65534, gid: 65534 });
      expect(oneLine(r.stderr)).toBe(`assess: ${path}: permission denied`);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
    } finally {
      rmSync(open, { recursive: true, force: true });
    }
  });

  it('a folder with no event files in it (a folder is a batch of the event files it holds)', async () => {
    const sub = join(dir, 'a-folder.json');
    mkdirSync(join(sub, 'nested'), { recursive: true });
    writeFileSync(join(sub, 'notes.pdf'), '%PDF');
    writeFileSync(join(sub, '.hidden.json'), '{"title":"dotfiles are not events"}');
    writeFileSync(join(sub, 'nested', 'deeper.json'), '{"title":"subfolders are not entered"}');
    await expectUsage(
      cli(['run', sub, '--provider', 'replay']),
      `assess: ${sub}: no event files in the folder (.json, .yaml, .yml, .md, .txt, .jsonl, .ndjson)`,
    );
  });

  it('malformed JSON: names the file, line 2 and the column', async () => {
    const path = write('malformed.json', '{\n  "title": oops\n}\n');
    await expectUsage(cli(['run', path, '--provider', 'replay']), new RegExp(`^assess: ${esc(path)}: malformed JSON at line 2, column 12 \\(`));
  });

  it('malformed JSON: a trailing comma is located too', async () => {
    const path = write('trailing.json', '{\n  "title": "t",\n  "summary": "s",\n}\n');
    await expectUsage(cli(['run', path, '--provider', 'replay']), /malformed JSON at line 4, column 1 /);
  });

  it('malformed YAML: names the file, the line and the column', async () => {
    const path = write('malformed.yaml', 'title: ok\nsummary: "never closed\n');
    await expectUsage(cli(['run', path, '--provider', 'replay']), new RegExp(`^assess: ${esc(path)}: malformed YAML at line 3, column 1 \\(`));
    const path2 = write('malformed2.yml', 'title: ok\nsummary: a: b\n');
    await expectUsage(cli(['run', path2, '--provider', 'replay']), /malformed YAML at line 2, column 10 \(/);
  });

  it('malformed YAML front matter in Markdown', async () => {
    const path = write('bad-front.md', '---\ntags: [a\n---\n# Title\n\nBody\n');
    await expectUsage(cli(['run', path, '--provider', 'replay']), new RegExp(`^assess: ${esc(path)} \\(front matter\\): malformed YAML at line \\d+, column \\d+`));
  });

  it('an empty file, in every format', async () => {
    for (const name of ['empty.json', 'empty.yaml', 'empty.md', 'empty.txt']) {
      const path = write(name, name.endsWith('.md') ? '  \n\n\t\n' : '');
      await expectUsage(cli(['run', path, '--provider', 'replay']), `assess: ${path}: the event is empty`);
    }
  });

  it('empty stdin', async () => {
    await expectUsage(cli(['run', '-', '--provider', 'replay'], { stdin: '' }), 'assess: stdin: the event is empty');
  });

  it('an event without a title: {"summary":"x"}', async () => {
    const path = write('no-title.json', '{"summary":"x"}');
    await expectUsage(cli(['run', path, '--provider', 'replay']), `assess: ${path}: title: an event needs a title`);
  });

  it('an event with a blank title, and Markdown with only front matter', async () => {
    const blank = write('blank-title.json', '{"title":"   ","summary":"x"}');
    await expectUsage(cli(['run', blank, '--provider', 'replay']), `assess: ${blank}: title: an event needs a non-empty title`);
    const onlyFront = write('only-front.md', '---\ntags: [a]\n---\n');
    await expectUsage(cli(['run', onlyFront, '--provider', 'replay']), `assess: ${onlyFront}: title: an event needs a title`);
  });

  it('an event that is not an object', async () => {
    const path = write('array.json', '[{"title":"t"}]');
    await expectUsage(cli(['run', path, '--provider', 'replay']), `assess: ${path}: an event must be an object with at least a title`);
  });

  it('an unknown field, a bad URL, a bad date and a bad language tag name the field', async () => {
    const cases: [string, RegExp][] = [
      ['{"title":"t","colour":"red"}', /: unknown field\(s\) colour$/],
      ['{"title":"t","url":"ftp://example.com/x"}', /: url: must be an http\(s\) URL$/],
      ['{"title":"t","publishedAt":"26/09/2025"}', /: publishedAt: must be an ISO 8601 date/],
      ['{"title":"t","language":"Japanese!"}', /: language: must be a BCP 47 language tag/],
    ];
    for (const [i, [content, pattern]] of cases.entries()) {
      await expectUsage(cli(['run', write(`field-${i}.json`, content), '--provider', 'replay']), pattern);
    }
  });

  it('a file together with --title', async () => {
    await expectUsage(cli(['run', OK_EVENT(), '--title', 'T', '--provider', 'replay']), /^assess: give the event either as a file/);
    await expectUsage(cli(['run', OK_EVENT(), OK_EVENT(), '--title', 'T', '--provider', 'replay']), /^assess: give the events as files, folders, URLs or -, or one event with --title/);
  });

  it('a bad --runs, with one event or several', async () => {
    for (const value of ['0', '33', 'two', '1.5']) {
      await expectUsage(cli(['run', OK_EVENT(), '--provider', 'replay', '--runs', value]), `assess: --runs ${value}: expected a whole number from 1 to 32`);
      await expectUsage(cli(['run', OK_EVENT(), OK_EVENT(), '--provider', 'replay', '--runs', value]), `assess: --runs ${value}: expected a whole number from 1 to 32`);
    }
  });

  it('several events that are all bad: one line each, nothing run, exit 2', async () => {
    const r = await cli(['run', write('bad-a.json', '{'), join(dir, 'nope.md'), '--provider', 'replay']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      `assess: ${join(dir, 'bad-a.json')}: malformed JSON at line 1, column 2 (CloseBraceExpected)`,
      `assess: ${join(dir, 'nope.md')}: no such file`,
    ]);
  });

  it('no event at all', async () => {
    await expectUsage(cli(['run', '--provider', 'replay']), /^assess: no event given/);
  });

  it('a bad --published date with --title', async () => {
    await expectUsage(cli(['run', '--title', 'T', '--published', 'yesterday', '--provider', 'replay']), /^assess: flags: publishedAt: /);
  });
});

describe('desks and providers', () => {
  it('an unknown desk id: --agents JP-01,XX-99 names XX-99', async () => {
    const line = await expectUsage(cli(['run', OK_EVENT(), '--provider', 'replay', '--agents', 'JP-01,XX-99']), /^assess: unknown desk XX-99;/);
    expect(line).toContain('known desks: ');
    expect(line).not.toMatch(/unknown desk JP-01/);
  });

  it('an unknown provider: --provider foo', async () => {
    await expectUsage(cli(['run', OK_EVENT(), '--provider', 'foo']), 'assess: unknown provider foo; use one of openai, anthropic, langchain, replay');
  });

  it('an unknown provider from ASSESS_PROVIDER', async () => {
    await expectUsage(cli(['run', OK_EVENT()], { env: { ASSESS_PROVIDER: 'bar' } }), /^assess: unknown provider bar;/);
  });

  it('a missing API key for openai names OPENAI_API_KEY (openai is the default provider)', async () => {
    await expectUsage(cli(['run', OK_EVENT(), '--provider', 'openai']), /^assess: missing API key for provider openai: set OPENAI_API_KEY /);
    await expectUsage(cli(['run', OK_EVENT()]), /OPENAI_API_KEY/);
  });

  it('a missing API key for anthropic names ANTHROPIC_API_KEY', async () => {
    await expectUsage(cli(['run', OK_EVENT(), '--provider', 'anthropic']), /^assess: missing API key for provider anthropic: set ANTHROPIC_API_KEY /);
  });

  it('an empty API key counts as missing', async () => {
    await expectUsage(cli(['run', OK_EVENT(), '--provider', 'anthropic'], { env: { ANTHROPIC_API_KEY: '   ' } }), /ANTHROPIC_API_KEY/);
  });

  it('a desk that overrides its provider needs that provider key even under --provider replay', async () => {
    const agents = join(dir, 'agents-override');
    cpSync(join(ROOT, 'agents'), agents, { recursive: true });
    const brief = Array.from({ length: MIN_BRIEF_WORDS + 10 }, (_, i) => `w${i}`).join(' ');
    writeFileSync(join(agents, 'zz-01.yaml'), `id: ZZ-01\nname: Z Desk\ncountry: Zedland\nkeywords: [z]\nprovider: anthropic\nbrief: ${brief}\n`);
    await expectUsage(cli(['run', SEED_EVENT, '--provider', 'replay', '--agents-dir', agents]), /ANTHROPIC_API_KEY/);
  });
});

describe('options', () => {
  it('--concurrency 0', async () => {
    await expectUsage(cli(['run', OK_EVENT(), '--provider', 'replay', '--concurrency', '0']), 'assess: --concurrency must be at least 1');
  });

  it('--concurrency abc', async () => {
    await expectUsage(cli(['run', OK_EVENT(), '--provider', 'replay', '--concurrency', 'abc']), 'assess: --concurrency must be a number');
  });

  it('--concurrency 1.5 and 65', async () => {
    await expectUsage(cli(['run', OK_EVENT(), '--provider', 'replay', '--concurrency', '1.5']), 'assess: --concurrency must be a whole number');
    await expectUsage(cli(['run', OK_EVENT(), '--provider', 'replay', '--concurrency', '65']), 'assess: --concurrency must be at most 64');
  });

  it('bad --timeout, --call-timeout, --repairs, --retries, --max-tokens, --max-output-tokens, --rpm, --tpm and --log-level', async () => {
    const cases: [string[], RegExp][] = [
      [['--timeout', 'soon'], /^assess: --timeout must be a number$/],
      [['--timeout', '0'], /^assess: --timeout must be at least 1$/],
      [['--call-timeout', 'later'], /^assess: --call-timeout must be a number$/],
      [['--call-timeout', '0'], /^assess: --call-timeout must be at least 1$/],
      [['--repairs', '9'], /^assess: --repairs must be at most 5$/],
      [['--retries', 'x'], /^assess: --retries must be a number$/],
      [['--max-tokens', '-5'], /^assess: --max-tokens must be at least 1$/],
      [['--max-output-tokens', '-5'], /^assess: --max-output-tokens must be at least 1$/],
      [['--rpm', '0'], /^assess: --rpm must be at least 1$/],
      [['--tpm', 'many'], /^assess: --tpm must be a number$/],
      [['--log-level', 'loud'], /^assess: unknown log level loud$/],
    ];
    for (const [flags, pattern] of cases) {
      await expectUsage(cli(['run', OK_EVENT(), '--provider', 'replay', ...flags]), pattern);
    }
  });

  it('variables whose meaning changed are refused with the new names, not silently reread', async () => {
    await expectUsage(
      cli(['run', OK_EVENT(), '--provider', 'replay'], { env: { ASSESS_MAX_TOKENS: '8192' } }),
      'assess: ASSESS_MAX_TOKENS is no longer read: use ASSESS_MAX_OUTPUT_TOKENS (output tokens per call) or ASSESS_MAX_RUN_TOKENS (token budget per run)',
    );
    await expectUsage(
      cli(['run', OK_EVENT(), '--provider', 'replay'], { env: { ASSESS_TIMEOUT_MS: '60000' } }),
      'assess: ASSESS_TIMEOUT_MS is no longer read: use ASSESS_CALL_TIMEOUT (seconds per model call) or ASSESS_TIMEOUT (seconds per run)',
    );
  });

  it('a bad --format', async () => {
    await expectUsage(
      cli(['run', OK_EVENT(), '--provider', 'replay', '--format', 'xml']),
      "error: option '--format <format>' argument 'xml' is invalid. Allowed choices are md, json.",
    );
  });

  it('an unknown option', async () => {
    await expectUsage(cli(['run', OK_EVENT(), '--provider', 'replay', '--bogus']), /^error: unknown option '--bogus'/);
  });

  it('an option missing its value', async () => {
    await expectUsage(cli(['run', OK_EVENT(), '--provider']), /^error: option '--provider <name>' argument missing/);
  });

  it('an unknown command', async () => {
    await expectUsage(cli(['frobnicate']), /^error: unknown command 'frobnicate'/);
  });

  it('`agents show` without an id', async () => {
    await expectUsage(cli(['agents', 'show']), /^error: missing required argument 'id'/);
  });

  it('--out pointing at an existing file', async () => {
    const file = write('not-a-folder', 'x');
    await expectUsage(cli(['run', OK_EVENT(), '--provider', 'replay', '--out', file, '--no-progress']), /^assess: .*not-a-folder: cannot create output folder/);
  });
});

describe('the real entry point', () => {
  it('`node --import tsx src/cli/main.ts run /nonexistent.json` exits 2 with one stderr line (main.ts sets the exit code)', async () => {
    const r = await spawnMain(['run', '/nonexistent.json']);
    expect(oneLine(r.stderr)).toBe('assess: /nonexistent.json: no such file');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });

  it('a commander usage error exits 2 through main.ts too', async () => {
    const r = await spawnMain(['run', '--bogus']);
    expect(oneLine(r.stderr)).toMatch(/^error: unknown option '--bogus'/);
    expect(r.code).toBe(2);
  });

  // Regression: `assess run … | head` (a reader that goes away) used to crash with "write EPIPE"
  // and a stack trace; main.ts now ends quietly.
  it('a closed stdout (assess run … | head) ends without a stack trace', async () => {
    const r = await spawnMain(['run', 'fixtures/events/jbic-550b.md', '--provider', 'replay', '--no-progress'], { closeStdout: true });
    expect(r.stderr).not.toContain('    at ');
    expect(r.stderr).not.toContain('EPIPE');
  });
});

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
