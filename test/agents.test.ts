import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadAgents, MIN_BRIEF_WORDS, type AgentDefinition } from '../src/agents/index.js';
import { runCliCaptured } from './support/cli-io.js';
import { REPLAY_DIR, ROOT, SEED_EVENT } from './support/paths.js';

const SHIPPED = join(ROOT, 'agents');
const SHIPPED_IDS = ['JP-01', 'US-01', 'CN-01', 'KR-01', 'EU-01', 'TW-01', 'IN-01', 'GB-01'];

const words = (s: string): number => s.split(/\s+/).filter(Boolean).length;

/** A brief long enough to pass validation, with no YAML-special characters. */
const LONG_BRIEF = Array.from({ length: MIN_BRIEF_WORDS + 10 }, (_, i) => `word${i}`).join(' ');

const deskYaml = (id: string, extra = ''): string =>
  `id: ${id}\nname: ${id} Desk\ncountry: Zedland\nkeywords: [Zedland, zed]\nbrief: ${LONG_BRIEF}\n${extra}`;

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'assess-agents-'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A fresh folder under this file's temp root. */
function freshDir(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  return dir;
}

/** A temp copy of the shipped agents/ folder. */
function copyOfShipped(name: string): string {
  const dir = join(root, name);
  cpSync(SHIPPED, dir, { recursive: true });
  return dir;
}

/** A folder with one valid desk plus `file` holding `content`; returns the broken file's path. */
function folderWithBroken(name: string, file: string, content: string): { dir: string; path: string } {
  const dir = freshDir(name);
  writeFileSync(join(dir, 'aa-01.yaml'), deskYaml('AA-01'));
  const path = join(dir, file);
  writeFileSync(path, content);
  return { dir, path };
}

/** One non-empty stderr line, no stack trace. */
function expectOneLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toContain('    at ');
  return lines[0] ?? '';
}

describe('the shipped agents/ folder', () => {
  it('loads the 8 desks, sorted by id', async () => {
    const agents = await loadAgents(SHIPPED);
    expect(agents.map((a) => a.id)).toEqual([...SHIPPED_IDS].sort());
    for (const a of agents) {
      expect(a.name.length).toBeGreaterThan(0);
      expect(a.country.length).toBeGreaterThan(0);
      expect(a.keywords.length).toBeGreaterThan(0);
    }
  });

  it('gives every desk a brief of at least 150 words', async () => {
    for (const agent of await loadAgents(SHIPPED)) {
      expect(words(agent.brief), `${agent.id} brief word count`).toBeGreaterThanOrEqual(150);
    }
  });

  it('`assess agents list` shows all 8 desks', async () => {
    const r = await runCliCaptured(['agents', 'list'], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+COUNTRY\s+MODEL\s+KEYWORDS$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual([...SHIPPED_IDS].sort());
  });

  it('`assess agents list --format json` parses and matches the files', async () => {
    const r = await runCliCaptured(['agents', 'list', '--format', 'json'], { cwd: root });
    expect(r.code).toBe(0);
    const listed = JSON.parse(r.stdout) as AgentDefinition[];
    expect(listed).toHaveLength(8);
    expect(new Set(listed.map((a) => a.id))).toEqual(new Set(SHIPPED_IDS));
    expect(listed).toEqual(await loadAgents(SHIPPED));
  });
});

describe('adding a desk is adding a file', () => {
  it('a new desk file in a copy of the folder adds a ninth desk', async () => {
    const dir = copyOfShipped('added');
    writeFileSync(join(dir, 'zz-01.yaml'), deskYaml('ZZ-01'));
    const agents = await loadAgents(dir);
    expect(agents.map((a) => a.id)).toEqual([...SHIPPED_IDS, 'ZZ-01'].sort());
    expect(agents.find((a) => a.id === 'ZZ-01')).toMatchObject({ name: 'ZZ-01 Desk', country: 'Zedland', keywords: ['Zedland', 'zed'] });
  });

  it('`assess agents list --agents-dir <tmp>` shows it, and `agents show` finds it', async () => {
    const dir = copyOfShipped('listed');
    writeFileSync(join(dir, 'zz-01.yaml'), deskYaml('ZZ-01'));
    const list = await runCliCaptured(['agents', 'list', '--agents-dir', dir], { cwd: root });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ZZ-01\s+ZZ-01 Desk\s+Zedland\s+default\s+Zedland, zed$/m);
    expect(list.stdout.trimEnd().split('\n')).toHaveLength(1 + 9);

    const show = await runCliCaptured(['agents', 'show', 'ZZ-01', '--agents-dir', dir], { cwd: root });
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(LONG_BRIEF);
  });

  it('a relative --agents-dir is resolved against the working directory', async () => {
    const dir = copyOfShipped('relative');
    writeFileSync(join(dir, 'zz-01.yaml'), deskYaml('ZZ-01'));
    const r = await runCliCaptured(['agents', 'list', '--agents-dir', 'relative', '--format', 'json'], { cwd: root });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as AgentDefinition[]).map((a) => a.id)).toContain('ZZ-01');
  });

  it('a .json desk file works too, and non-desk files in the folder are ignored', async () => {
    const dir = copyOfShipped('json-desk');
    writeFileSync(
      join(dir, 'yy-01.json'),
      JSON.stringify({ id: 'YY-01', name: 'Y Desk', country: 'Ylland', keywords: ['y'], brief: LONG_BRIEF, provider: 'replay' }),
    );
    writeFileSync(join(dir, 'README.md'), '# not a desk\n');
    writeFileSync(join(dir, 'notes.txt'), 'id: nope\n');
    const agents = await loadAgents(dir);
    expect(agents.map((a) => a.id)).toContain('YY-01');
    expect(agents).toHaveLength(9);
  });

  it('`assess run --agents-dir <tmp>` runs the new desk alongside the shipped ones', async () => {
    const dir = copyOfShipped('run');
    writeFileSync(join(dir, 'zz-01.yaml'), deskYaml('ZZ-01'));
    // Recordings for the seed event plus one for the new desk, so the run stays offline.
    const replay = join(root, 'replay-run');
    cpSync(REPLAY_DIR, join(replay, 'seed'), { recursive: true });
    copyFileSync(join(REPLAY_DIR, 'desk-JP-01.json'), join(replay, 'seed', 'desk-ZZ-01.json'));
    const r = await runCliCaptured(
      ['run', SEED_EVENT, '--provider', 'replay', '--agents-dir', dir, '--replay-dir', replay, '--format', 'json', '--no-progress'],
      { cwd: root },
    );
    const report = JSON.parse(r.stdout) as { desks: { agentId: string }[]; assessments: { agentId: string }[]; failures: unknown[] };
    expect(report.desks.map((d) => d.agentId)).toContain('ZZ-01');
    expect(report.assessments.map((a) => a.agentId)).toContain('ZZ-01');
    expect(report.failures).toEqual([]);
    expect(r.stderr).toMatch(/\(9\/9 desks\)/);
  });
});

describe('broken desk files', () => {
  /** Loads the folder (must fail) and checks the CLI reports the same as one line, exit 2. */
  async function expectBroken(dir: string, pattern: RegExp): Promise<string> {
    let message = '';
    await loadAgents(dir).then(
      () => expect.fail('loadAgents should have rejected'),
      (error: unknown) => {
        message = (error as Error).message;
      },
    );
    expect(message).toMatch(pattern);
    const r = await runCliCaptured(['agents', 'list', '--agents-dir', dir], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(expectOneLine(r.stderr)).toBe(`assess: ${message}`);
    return message;
  }

  const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  it('a missing brief names the file and the field', async () => {
    const { dir, path } = folderWithBroken('no-brief', 'zz-01.yaml', 'id: ZZ-01\nname: Z\ncountry: Zedland\nkeywords: [z]\n');
    await expectBroken(dir, new RegExp(`^${esc(path)}: field brief: `));
  });

  it('a too-short brief names the file and the field', async () => {
    const { dir, path } = folderWithBroken('short-brief', 'zz-01.yaml', 'id: ZZ-01\nname: Z\ncountry: Zedland\nkeywords: [z]\nbrief: Too thin.\n');
    await expectBroken(dir, new RegExp(`^${esc(path)}: field brief: must be a substantive brief of at least ${MIN_BRIEF_WORDS} words$`));
  });

  it('a bad id names the file and the field', async () => {
    const { dir, path } = folderWithBroken('bad-id', 'zz-01.yaml', deskYaml('zz_1'));
    await expectBroken(dir, new RegExp(`^${esc(path)}: field id: must look like JP-01$`));
  });

  it('an unknown key names the file and the key', async () => {
    const { dir, path } = folderWithBroken('unknown-key', 'zz-01.yaml', deskYaml('ZZ-01', 'colour: red\n'));
    await expectBroken(dir, new RegExp(`^${esc(path)}: field colour: .*colour`));
  });

  it('an unknown provider override names the file and the field', async () => {
    const { dir, path } = folderWithBroken('bad-provider', 'zz-01.yaml', deskYaml('ZZ-01', 'provider: foo\n'));
    await expectBroken(dir, new RegExp(`^${esc(path)}: field provider: `));
  });

  it('malformed YAML names the file, the line and the column', async () => {
    // Line 5 is the brief, with a second `: ` that YAML refuses in a plain scalar.
    const bad = 'id: ZZ-01\nname: Z\ncountry: Zedland\nkeywords: [z]\nbrief: a: b: c\n';
    const { dir, path } = folderWithBroken('malformed', 'zz-01.yaml', bad);
    await expectBroken(dir, new RegExp(`^${esc(path)}: malformed YAML at line 5, column \\d+`));
  });

  it('a duplicated key is malformed YAML at its line', async () => {
    const { dir, path } = folderWithBroken('dup-key', 'zz-01.yaml', `id: ZZ-01\nname: Z\nname: Y\ncountry: Zedland\n`);
    await expectBroken(dir, new RegExp(`^${esc(path)}: malformed YAML at line 3, column 1`));
  });

  it('an empty desk file names the file and the first missing field', async () => {
    const { dir, path } = folderWithBroken('empty', 'zz-01.yaml', '');
    await expectBroken(dir, new RegExp(`^${esc(path)}: field id: `));
  });

  it('a desk file that is not a mapping is refused', async () => {
    const { dir, path } = folderWithBroken('list', 'zz-01.yaml', '- a\n- b\n');
    await expectBroken(dir, new RegExp(`^${esc(path)}: field \\(root\\): `));
  });

  it('duplicate ids are rejected, naming both files and the id', async () => {
    const dir = freshDir('duplicate');
    writeFileSync(join(dir, 'a.yaml'), deskYaml('ZZ-01'));
    writeFileSync(join(dir, 'b.yaml'), deskYaml('ZZ-01'));
    await expectBroken(dir, new RegExp(`^${esc(join(dir, 'b.yaml'))}: desk id ZZ-01 is already defined in ${esc(join(dir, 'a.yaml'))}$`));
  });

  it('a copy of the shipped folder with one desk duplicated is rejected', async () => {
    const dir = copyOfShipped('dup-shipped');
    copyFileSync(join(dir, 'jp-01.yaml'), join(dir, 'zz-japan-copy.yaml'));
    await expectBroken(dir, /zz-japan-copy\.yaml: desk id JP-01 is already defined in .*\/jp-01\.yaml$/);
  });

  it('an empty folder and a missing folder are input errors', async () => {
    const empty = freshDir('empty-folder');
    await expectBroken(empty, /no desk files/);
    await expectBroken(join(root, 'does-not-exist'), /cannot read the desks folder/);
  });

  it('a broken desk stops `assess run` before any model is called (exit 2)', async () => {
    const { dir, path } = folderWithBroken('run-broken', 'zz-01.yaml', deskYaml('bad'));
    const r = await runCliCaptured(['run', SEED_EVENT, '--provider', 'replay', '--agents-dir', dir, '--no-progress'], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(expectOneLine(r.stderr)).toBe(`assess: ${path}: field id: must look like JP-01`);
  });
});

describe('assess agents show', () => {
  it('`agents show JP-01` prints the header and the whole brief', async () => {
    const file = parseYaml(readFileSync(join(SHIPPED, 'jp-01.yaml'), 'utf8')) as { brief: string; name: string; country: string };
    const r = await runCliCaptured(['agents', 'show', 'JP-01'], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toBe(`JP-01 — ${file.name} (${file.country})`);
    expect(r.stdout).toContain(file.brief.trim());
    expect(words(r.stdout)).toBeGreaterThanOrEqual(150);
  });

  it('accepts a lower-case id', async () => {
    const r = await runCliCaptured(['agents', 'show', 'jp-01'], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('JP-01 — ')).toBe(true);
  });

  it('`agents show XX-99` exits 2 with a one-line message naming the id', async () => {
    const r = await runCliCaptured(['agents', 'show', 'XX-99'], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const line = expectOneLine(r.stderr);
    expect(line).toMatch(/^assess: unknown desk XX-99/);
    expect(line).toContain('JP-01'); // lists the known desks
  });

  it('`agents show JP-01 --format json` parses to the desk definition', async () => {
    const r = await runCliCaptured(['agents', 'show', 'JP-01', '--format', 'json'], { cwd: root });
    expect(r.code).toBe(0);
    const shown = JSON.parse(r.stdout) as AgentDefinition;
    const file = parseYaml(readFileSync(join(SHIPPED, 'jp-01.yaml'), 'utf8')) as AgentDefinition;
    expect(shown).toEqual({ ...file, brief: file.brief.trim() });
    expect(words(shown.brief)).toBeGreaterThanOrEqual(150);
  });

  it('every shipped desk can be shown', async () => {
    for (const id of SHIPPED_IDS) {
      const r = await runCliCaptured(['agents', 'show', id, '--format', 'json'], { cwd: root });
      expect(r.code, id).toBe(0);
      expect((JSON.parse(r.stdout) as AgentDefinition).id).toBe(id);
    }
  });

  it('an unknown --format is a usage error', async () => {
    const r = await runCliCaptured(['agents', 'show', 'JP-01', '--format', 'xml'], { cwd: root });
    expect(r.code).toBe(2);
    expect(expectOneLine(r.stderr)).toMatch(/^error: option '--format <format>' argument 'xml' is invalid/);
  });

  it('ASSESS_AGENTS_DIR in the environment picks the folder', async () => {
    const dir = copyOfShipped('env-dir');
    writeFileSync(join(dir, 'zz-01.yaml'), deskYaml('ZZ-01'));
    const r = await runCliCaptured(['agents', 'show', 'ZZ-01'], { cwd: root, env: { ASSESS_AGENTS_DIR: dir } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(LONG_BRIEF);
  });
});
