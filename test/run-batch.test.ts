import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_SEVERITY, reportFolderName, worstExitCode } from '../src/cli/batch-index.js';
import { EXIT } from '../src/cli/exit-codes.js';
import { nodeEventReaders, readEvent } from '../src/event/index.js';
import { withRaw } from './support/archive-fixtures.js';
import { runCliCaptured, type CapturedRun } from './support/cli-io.js';
import { behave, useFakeOpenAIServer } from './support/fake-openai-server.js';
import { html, usePageServer } from './support/page-server.js';
import { SEED_EVENT } from './support/paths.js';
import { replayRootFor } from './support/replay-events.js';

/**
 * `assess run a.md b.yaml c.json`, a folder, `-` with JSON Lines: many events in one command.
 * In-process through runCliCaptured with the replay provider (recordings filed under each event's
 * id), or the fake OpenAI server where runs must take time (Ctrl-C) or cost money (budgets).
 */

const DESKS = ['CN-01', 'EU-01', 'GB-01', 'IN-01', 'JP-01', 'KR-01', 'TW-01', 'US-01'];
const fake = useFakeOpenAIServer();
const pages = usePageServer();
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'assess-run-batch-'));
  pages.route('/world/manila-tokyo', html('en-newsarticle.html'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
/** A fresh folder for one test. */
function workdir(): string {
  const path = join(dir, `t${++counter}`);
  mkdirSync(path);
  return path;
}

const EVENTS = {
  seed: { file: 'a.md' },
  swap: { file: 'b.json', content: JSON.stringify({ title: 'Korea and Japan agree on a currency swap', summary: 'Seoul and Tokyo signed a ten billion dollar swap line on Monday.' }) },
  chips: { file: 'c.yaml', content: 'title: Netherlands tightens chip tool exports\nsummary: The Dutch government widened licence requirements for lithography servicing.\n' },
  tariffs: { file: 'd.md', content: '# U.S. raises tariffs on Chinese EVs\n\nThe administration raised duties on electric vehicles to 100 percent.\n' },
} as const;

/** Writes the named events into `folder`; returns their paths and event ids, in the order given. */
async function writeEvents(folder: string, names: (keyof typeof EVENTS)[]): Promise<{ paths: string[]; ids: string[] }> {
  const paths: string[] = [];
  const ids: string[] = [];
  for (const name of names) {
    const spec = EVENTS[name];
    const path = join(folder, spec.file);
    if ('content' in spec) writeFileSync(path, spec.content);
    else copyFileSync(SEED_EVENT, path);
    paths.push(path);
    ids.push((await readEvent({ path }, nodeEventReaders())).id);
  }
  return { paths, ids };
}

interface JsonRun {
  runId: string;
  status: string;
  event: { id: string; title: string };
  assessments: unknown[];
  failures: { agentId: string }[];
  usage: { total: { calls: number; inputTokens: number; outputTokens: number } };
  budget: { exceeded: string | null } | null;
  thread: { id: string; title: string; events: number; link: { threadId: string; decidedAt: string; method: string } } | null;
}

const jsonLines = (stdout: string): JsonRun[] =>
  stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as JsonRun);

const runRows = (db: string) =>
  withRaw(db, (d) => d.prepare('SELECT id, event_id AS eventId, status, started_at AS startedAt, finished_at AS finishedAt FROM runs ORDER BY started_at').all(), {
    readonly: true,
  }) as { id: string; eventId: string; status: string; startedAt: string; finishedAt: string }[];

async function replayBatch(cwd: string, args: string[], replay: string, options: { stdin?: string } = {}): Promise<CapturedRun & { db: string }> {
  const db = join(cwd, 'archive.db');
  const r = await runCliCaptured(['run', ...args, '--provider', 'replay', '--replay-dir', replay, '--db', db], { cwd, ...options });
  return { ...r, db };
}

const errorLines = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('assess:'));

describe('many events in one command', () => {
  it('several files: one run and archive row each, one JSON document per line on stdout in input order, exit 0', async () => {
    const cwd = workdir();
    const { ids } = await writeEvents(cwd, ['swap', 'seed', 'chips']);
    const r = await replayBatch(cwd, ['b.json', 'a.md', 'c.yaml', '--format', 'json', '--runs', '2', '--no-progress'], replayRootFor(cwd, ids));
    expect(r.code, r.stderr).toBe(0);
    const docs = jsonLines(r.stdout);
    expect(docs.map((d) => d.event.id)).toEqual(ids);
    expect(docs.map((d) => d.status)).toEqual(['ok', 'ok', 'ok']);
    for (const d of docs) expect(d.assessments).toHaveLength(8);
    expect(new Set(docs.map((d) => d.runId)).size).toBe(3);
    // The same document `run --format json` prints, one per line.
    // Archived elsewhere, so the single run is in a thread too (its own: a new archive); thread ids are random.
    const single = await runCliCaptured(
      ['run', 'c.yaml', '--format', 'json', '--no-progress', '--provider', 'replay', '--replay-dir', replayRootFor(cwd, ids), '--db', join(cwd, 'single.db')],
      { cwd },
    );
    const one = JSON.parse(single.stdout) as JsonRun;
    expect(Object.keys(docs[2]!)).toEqual(Object.keys(one));
    const comparable = (d: JsonRun) => ({
      ...d,
      runId: '',
      startedAt: '',
      finishedAt: '',
      usage: null,
      thread: d.thread ? { ...d.thread, id: '', link: { ...d.thread.link, threadId: '', decidedAt: '' } } : null,
    });
    expect(docs[2]!.thread).toMatchObject({ title: 'Netherlands tightens chip tool exports', events: 1, link: { method: 'new' } });
    expect(comparable(docs[2]!)).toEqual(comparable(one));
    const rows = runRows(r.db);
    expect(rows.map((row) => row.id).sort()).toEqual(docs.map((d) => d.runId).sort());
    expect(rows.every((row) => row.status === 'ok')).toBe(true);
    expect(r.stderr).toContain('3 input(s): 3 ok');
  });

  it('a bad file among good ones is reported in one line and skipped; the others run; exit 2', async () => {
    const cwd = workdir();
    const { ids } = await writeEvents(cwd, ['seed', 'swap']);
    writeFileSync(join(cwd, 'bad.json'), '{\n  "title": oops\n}\n');
    const r = await replayBatch(cwd, ['a.md', 'bad.json', 'missing.yaml', 'b.json', '--format', 'json', '--no-progress'], replayRootFor(cwd, ids));
    expect(errorLines(r.stderr)).toEqual([
      'assess: bad.json: malformed JSON at line 2, column 12 (InvalidSymbol); skipped',
      'assess: missing.yaml: no such file; skipped',
    ]);
    expect(r.stderr).not.toContain('    at ');
    expect(jsonLines(r.stdout).map((d) => [d.event.id, d.status])).toEqual([
      [ids[0], 'ok'],
      [ids[1], 'ok'],
    ]);
    expect(runRows(r.db)).toHaveLength(2);
    expect(r.stderr).toContain('4 input(s): 2 ok, 2 skipped');
    expect(r.code).toBe(2);
  });

  it('a folder: its event files in name order, not recursive; --out writes a folder per event and an index', async () => {
    const cwd = workdir();
    const events = join(cwd, 'events');
    mkdirSync(join(events, 'older'), { recursive: true });
    const { ids } = await writeEvents(events, ['tariffs', 'swap', 'seed']);
    writeFileSync(join(events, 'older', 'e.json'), '{"title":"not read: subfolders are not entered"}');
    writeFileSync(join(events, '.draft.json'), '{"title":"not read: dotfiles"}');
    writeFileSync(join(events, 'photo.jpg'), 'not an event');
    writeFileSync(join(events, 'z-ja.json'), JSON.stringify({ title: '日銀、国債買い入れ減額を継続', summary: '日本銀行は国債の買い入れを段階的に減らす計画を維持した。' }));
    const jaId = (await readEvent({ path: join(events, 'z-ja.json') }, nodeEventReaders())).id;
    const r = await replayBatch(cwd, ['events', '--out', 'out', '--no-progress'], replayRootFor(cwd, [...ids, jaId]));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const index = JSON.parse(readFileSync(join(cwd, 'out', 'index.json'), 'utf8')) as {
      exitCode: number;
      counts: Record<string, number>;
      events: { n: number; source: string; status: string; runId: string; eventId: string; desks: { ok: number; failed: number; total: number }; overallRisk: string; costUsd: number | null; folder: string }[];
    };
    // a.md, b.json, d.md, z-ja.json: sorted by name.
    expect(index.events.map((e) => e.source)).toEqual(['events/a.md', 'events/b.json', 'events/d.md', 'events/z-ja.json']);
    expect(index.events.map((e) => e.folder)).toEqual(['01-japan-unveils-550b-u-s-investment', '02-korea-and-japan-agree-on-a-currency-swap', '03-u-s-raises-tariffs-on-chinese-evs', `04-${jaId}`]);
    expect(index.exitCode).toBe(0);
    expect(index.counts).toEqual({ ok: 4, degraded: 0, failed: 0, cancelled: 0, skipped: 0, 'not-started': 0 });
    for (const e of index.events) {
      expect(e).toMatchObject({ status: 'ok', desks: { ok: 8, failed: 0, total: 8 }, overallRisk: 'moderate', costUsd: null });
      const report = JSON.parse(readFileSync(join(cwd, 'out', e.folder, 'report.json'), 'utf8')) as JsonRun;
      expect(report.runId).toBe(e.runId);
      expect(report.event.id).toBe(e.eventId);
      expect(readFileSync(join(cwd, 'out', e.folder, 'report.md'), 'utf8')).toContain(`# ${report.event.title}`);
    }
    expect(readdirSync(join(cwd, 'out')).sort()).toEqual([...index.events.map((e) => e.folder), 'index.json', 'index.md'].sort());
    const md = readFileSync(join(cwd, 'out', 'index.md'), 'utf8');
    expect(md).toContain(`| 2 | events/b.json | ok | ${index.events[1]!.runId.slice(0, 8)} | Korea and Japan agree on a currency swap | 8/8 | moderate | unknown | [02-korea-and-japan-agree-on-a-currency-swap](02-korea-and-japan-agree-on-a-currency-swap/report.md) |`);
    expect(runRows(r.db)).toHaveLength(4);
  });

  it('stdin with JSON Lines: one event per line; a bad line is reported with its line number and skipped', async () => {
    const cwd = workdir();
    const lines = [
      JSON.stringify({ title: 'Korea and Japan agree on a currency swap', summary: 'Seoul and Tokyo signed a ten billion dollar swap line on Monday.' }),
      '',
      '{"title": "Netherlands tightens chip tool exports", "summary": }',
      JSON.stringify({ summary: 'a line without a title' }),
      JSON.stringify({ title: 'Netherlands tightens chip tool exports', summary: 'The Dutch government widened licence requirements for lithography servicing.' }),
    ];
    const { ids } = await writeEvents(cwd, ['swap', 'chips']);
    const r = await replayBatch(cwd, ['-', '--format', 'json', '--no-progress'], replayRootFor(cwd, ids), { stdin: `${lines.join('\n')}\n` });
    expect(errorLines(r.stderr)).toEqual([
      'assess: stdin line 3: malformed JSON at column 64 (ValueExpected); skipped',
      'assess: stdin line 4: title: an event needs a title; skipped',
    ]);
    expect(jsonLines(r.stdout).map((d) => d.event.id)).toEqual(ids);
    expect(r.code).toBe(2);
  });

  it('one event on stdin, one line of JSON or pretty-printed, is still a single run printing one pretty document', async () => {
    const cwd = workdir();
    const { ids } = await writeEvents(cwd, ['swap']);
    for (const stdin of [EVENTS.swap.content, JSON.stringify(JSON.parse(EVENTS.swap.content), null, 2)]) {
      const r = await replayBatch(cwd, ['-', '--format', 'json', '--no-progress'], replayRootFor(cwd, ids), { stdin });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.startsWith('{\n  "runId": ')).toBe(true);
      expect((JSON.parse(r.stdout) as JsonRun).event.id).toBe(ids[0]);
    }
  });

  it('Markdown without --out: the reports in input order, each after a comment naming it, separated by a rule', async () => {
    const cwd = workdir();
    const { ids } = await writeEvents(cwd, ['swap', 'seed']);
    const r = await replayBatch(cwd, ['b.json', 'a.md', '--no-progress', '--runs', '1'], replayRootFor(cwd, ids));
    expect(r.code, r.stderr).toBe(0);
    const parts = r.stdout.split(/\n---\n\n(?=<!-- assess: event )/);
    expect(parts).toHaveLength(2);
    expect(parts[0]).toMatch(/^<!-- assess: event 1 of 2, run [0-9a-f-]{36} -->\n\n# Korea and Japan agree on a currency swap\n/);
    expect(parts[1]).toMatch(/^<!-- assess: event 2 of 2, run [0-9a-f-]{36} -->\n\n# Japan Unveils \$550B U\.S\. Investment\n/);
  });

  it('URLs and files together; a page that fails is skipped with its line', async () => {
    const cwd = workdir();
    const { ids } = await writeEvents(cwd, ['swap']);
    const page = await readEvent({ pageUrl: pages.url('/world/manila-tokyo') }, nodeEventReaders());
    const r = await replayBatch(cwd, [pages.url('/world/manila-tokyo'), pages.url('/gone'), 'b.json', '--format', 'json', '--no-progress'], replayRootFor(cwd, [page.id, ...ids]));
    expect(errorLines(r.stderr)).toEqual([`assess: ${pages.url('/gone')}: HTTP 404 Not Found; skipped`]);
    expect(jsonLines(r.stdout).map((d) => d.event.title)).toEqual(['Manila and Tokyo sign reciprocal access pact', 'Korea and Japan agree on a currency swap']);
    expect(r.code).toBe(2);
  });

  it('--dry-run with several events: an estimate per event, no archive', async () => {
    const cwd = workdir();
    await writeEvents(cwd, ['swap', 'chips']);
    const r = await runCliCaptured(['run', 'b.json', 'c.yaml', '--dry-run', '--provider', 'openai', '--db', join(cwd, 'no.db')], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.match(/^Dry run: .*$/gm)).toEqual([
      expect.stringMatching(/^Dry run: Korea and Japan agree on a currency swap \(event [0-9a-f]{16}\)$/),
      expect.stringMatching(/^Dry run: Netherlands tightens chip tool exports \(event [0-9a-f]{16}\)$/),
    ]);
    expect(existsSync(join(cwd, 'no.db'))).toBe(false);
  });
});

describe('the exit code is the worst status', () => {
  it('the order: cancelled 130 > archive 4 > failed 1 > bad input 2 > degraded 3 > ok 0', () => {
    expect(EXIT_SEVERITY).toEqual([0, 3, 2, 1, 4, 130]);
    expect(worstExitCode([EXIT.ok, EXIT.degraded])).toBe(3);
    expect(worstExitCode([EXIT.degraded, EXIT.usage])).toBe(2);
    expect(worstExitCode([EXIT.usage, EXIT.failed, EXIT.degraded])).toBe(1);
    expect(worstExitCode([EXIT.failed, EXIT.archive])).toBe(4);
    expect(worstExitCode([EXIT.archive, EXIT.cancelled, EXIT.ok])).toBe(130);
    expect(worstExitCode([])).toBe(0);
  });

  it('degraded with ok is 3; with a bad input 2; a failed run among them 1', async () => {
    const cwd = workdir();
    const { ids } = await writeEvents(cwd, ['seed', 'swap', 'chips']);
    writeFileSync(join(cwd, 'bad.json'), '[]');
    // b.json's CN-01 has no recording (degraded); c.yaml has no recordings at all (failed).
    const replay = replayRootFor(cwd, ids.slice(0, 2), { [ids[1]!]: ['desk-CN-01'] });
    const degraded = await replayBatch(cwd, ['a.md', 'b.json', '--format', 'json', '--no-progress'], replay);
    expect(jsonLines(degraded.stdout).map((d) => d.status)).toEqual(['ok', 'degraded']);
    expect(degraded.code).toBe(3);
    const withBad = await replayBatch(cwd, ['a.md', 'b.json', 'bad.json', '--format', 'json', '--no-progress'], replay);
    expect(withBad.code).toBe(2);
    const withFailed = await replayBatch(cwd, ['a.md', 'bad.json', 'c.yaml', 'b.json', '--format', 'json', '--no-progress'], replay);
    expect(jsonLines(withFailed.stdout).map((d) => d.status)).toEqual(['ok', 'failed', 'degraded']);
    expect(withFailed.code).toBe(1);
  });

  it('an archive that cannot be written: every report still printed, one line, exit 4', async () => {
    const cwd = workdir();
    const { ids } = await writeEvents(cwd, ['seed', 'swap']);
    writeFileSync(join(cwd, 'file.txt'), 'not a folder\n');
    const r = await runCliCaptured(['run', 'a.md', 'b.json', '--provider', 'replay', '--replay-dir', replayRootFor(cwd, ids), '--format', 'json', '--no-progress', '--db', join(cwd, 'file.txt', 'a.db')], { cwd });
    expect(jsonLines(r.stdout).map((d) => d.status)).toEqual(['ok', 'ok']);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/^assess: archive .*file\.txt\/a\.db: .+; the reports above were not archived$/)]);
    expect(r.code).toBe(4);
  });
});

describe('one budget, one rate limiter, --runs at a time', () => {
  const env = () => ({ OPENAI_API_KEY: 'sk-test-batch', OPENAI_BASE_URL: fake.url });

  it('--max-tokens is for the whole batch: runs in flight share it, and once reached nothing new starts', async () => {
    const cwd = workdir();
    await writeEvents(cwd, ['seed', 'swap', 'chips']);
    fake.answerAll();
    const db = join(cwd, 'archive.db');
    const before = fake.requests.length;
    // Each desk call reports 2,400 + 1,800 tokens: 10,000 are reached on the third call of the batch.
    const r = await runCliCaptured(
      ['run', 'a.md', 'b.json', 'c.yaml', '--provider', 'openai', '--runs', '2', '--concurrency', '1', '--max-tokens', '10000', '--format', 'json', '--out', 'out', '--no-progress', '--db', db],
      { cwd, env: env() },
    );
    const calls = fake.requests.length - before;
    // A budget per run would allow each of the two runs in flight 3 calls (6); shared, the third
    // call of the batch reaches it, and each run may have had one call in flight then.
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(calls).toBeLessThanOrEqual(4);
    const index = JSON.parse(readFileSync(join(cwd, 'out', 'index.json'), 'utf8')) as {
      budget: { maxTokens: number; spentTokens: number; reached: string };
      events: { status: string; reason: string | null }[];
    };
    expect(index.events.map((e) => e.status)).toEqual(['degraded', 'degraded', 'not-started']);
    expect(index.events[2]!.reason).toMatch(/^not started: budget reached: [\d,]+ tokens spent of 10,000 allowed across the batch$/);
    expect(index.budget).toMatchObject({ maxTokens: 10000, spentTokens: calls * 4200 });
    // Each run's report: its own spend, the batch's limit, and the batch's total as the reason.
    const reports = readdirSync(join(cwd, 'out'))
      .filter((f) => !f.startsWith('index.'))
      .sort()
      .map((f) => JSON.parse(readFileSync(join(cwd, 'out', f, 'report.json'), 'utf8')) as JsonRun & { budget: { maxTokens: number; spentTokens: number; exceeded: string } });
    expect(reports).toHaveLength(2);
    expect(reports.reduce((sum, rep) => sum + rep.budget.spentTokens, 0)).toBe(calls * 4200);
    for (const rep of reports) {
      expect(rep.budget.maxTokens).toBe(10000);
      expect(rep.budget.exceeded).toMatch(/^budget reached: [\d,]+ tokens spent of 10,000 allowed across the batch$/);
      expect(Number(rep.budget.exceeded.match(/reached: ([\d,]+)/)![1]!.replace(/,/g, ''))).toBeGreaterThanOrEqual(10000);
    }
    // The archived options carry the numbers only (a resume keeps the limit as a run budget).
    const options = withRaw(db, (d) => d.prepare('SELECT options_json FROM runs').pluck().all(), { readonly: true }) as string[];
    for (const o of options) expect((JSON.parse(o) as { budget: unknown }).budget).toEqual({ maxTokens: 10000 });
    expect(runRows(db)).toHaveLength(2);
    expect(r.stderr).toContain('3/3 c.yaml: not started: budget reached');
    expect(r.code).toBe(3);
  });

  it('stdout keeps input order when a later event finishes first', async () => {
    const cwd = workdir();
    await writeEvents(cwd, ['swap', 'chips']);
    fake.answerAll();
    // The first event's model calls are held back, so the second run finishes first.
    const slowFirst: typeof fetch = async (input, init) => {
      if (typeof init?.body === 'string' && init.body.includes('Korea and Japan agree')) await new Promise((r) => setTimeout(r, 400));
      return fetch(input, init);
    };
    const r = await runCliCaptured(['run', 'b.json', 'c.yaml', '--provider', 'openai', '--runs', '2', '--format', 'json', '--no-progress', '--no-archive'], {
      cwd,
      env: env(),
      fetch: slowFirst,
    });
    expect(r.code, r.stderr).toBe(0);
    const finished = r.stderr.split('\n').filter((l) => / → run /.test(l));
    expect(finished.map((l) => l.slice(0, 3))).toEqual(['2/2', '1/2']);
    expect(jsonLines(r.stdout).map((d) => d.event.title)).toEqual(['Korea and Japan agree on a currency swap', 'Netherlands tightens chip tool exports']);
  });

  it('--runs N: at most N events run at once (archive start and finish times)', async () => {
    const cwd = workdir();
    await writeEvents(cwd, ['seed', 'swap', 'chips', 'tariffs']);
    const overlap = (rows: { startedAt: string; finishedAt: string }[]) =>
      Math.max(...rows.map((a) => rows.filter((b) => b.startedAt < a.finishedAt && a.startedAt < b.finishedAt && b.startedAt <= a.startedAt).length));
    fake.answerAll();
    for (const desk of DESKS) fake.set(desk, behave.delay(60));
    for (const runs of ['1', '3']) {
      const db = join(cwd, `runs-${runs}.db`);
      const r = await runCliCaptured(['run', 'a.md', 'b.json', 'c.yaml', 'd.md', '--provider', 'openai', '--runs', runs, '--no-progress', '--format', 'json', '--db', db], { cwd, env: env() });
      expect(r.code, r.stderr).toBe(0);
      expect(overlap(runRows(db))).toBe(Number(runs));
    }
    fake.answerAll();
  });

  it('Ctrl-C cancels every run in flight (each resumable), starts no other; exit 130', async () => {
    const cwd = workdir();
    await writeEvents(cwd, ['seed', 'swap', 'chips']);
    fake.answerAll();
    for (const desk of DESKS) fake.set(desk, behave.hang());
    const db = join(cwd, 'archive.db');
    const controller = new AbortController();
    const before = fake.requests.length;
    const pending = runCliCaptured(['run', 'a.md', 'b.json', 'c.yaml', '--provider', 'openai', '--runs', '2', '--out', 'out', '--no-progress', '--db', db], {
      cwd,
      env: env(),
      signal: controller.signal,
    });
    const started = Date.now();
    // Both runs in flight: 8 desks each at concurrency 8.
    while (fake.requests.length - before < 16 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    const r = await pending;
    expect(r.code).toBe(130);
    const rows = runRows(db);
    expect(rows.map((row) => row.status)).toEqual(['cancelled', 'cancelled']);
    const index = JSON.parse(readFileSync(join(cwd, 'out', 'index.json'), 'utf8')) as { exitCode: number; events: { status: string; reason: string | null }[] };
    expect(index.events.map((e) => [e.status, e.reason])).toEqual([
      ['cancelled', null],
      ['cancelled', null],
      ['not-started', 'cancelled before it started'],
    ]);
    expect(index.exitCode).toBe(130);
    expect(r.stderr).toContain(`cancelled; finish with: assess resume ${rows[0]!.id.slice(0, 8)}; assess resume ${rows[1]!.id.slice(0, 8)}`);

    fake.answerAll();
    const resumed = await runCliCaptured(['resume', rows[0]!.id, '--no-progress', '--db', db], { cwd, env: env() });
    expect(resumed.code, resumed.stderr).toBe(0);
  });
});

describe('report folder names', () => {
  it('number padded to sort, the title in ASCII cut at a word, or the event id when the title has no Latin letters', () => {
    expect(reportFolderName(3, 12, 'Japan Unveils $550B U.S. Investment', 'a650d00f1aebde57')).toBe('03-japan-unveils-550b-u-s-investment');
    expect(reportFolderName(7, 150, 'Crédit Agricole: “Sûreté” ça va', 'x')).toBe('007-credit-agricole-surete-ca-va');
    expect(reportFolderName(1, 1, '日銀、国債買い入れ減額を継続', '0123456789abcdef')).toBe('01-0123456789abcdef');
    const long = reportFolderName(1, 2, 'The ministry of finance announced a package of measures aimed at stabilising the currency', 'x');
    expect(long).toBe('01-the-ministry-of-finance-announced-a-package-of');
  });
});
