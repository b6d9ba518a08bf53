import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import DatabaseConstructor, { type Database } from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { APPLICATION_ID, LATEST_VERSION, openArchive, type RunSummary, type SearchHit } from '../src/archive/index.js';
import { runCliCaptured, type CapturedRun } from './support/cli-io.js';
import { behave, SYNTHESIZER, useFakeOpenAIServer } from './support/fake-openai-server.js';
import { ROOT } from './support/paths.js';
import { recordedDesk } from './support/recordings.js';

/**
 * The archive across processes: a run killed with SIGKILL mid-flight and resumed, resumes after a
 * failed desk or changed prompts, readers running while another process writes, two writers at
 * once, and two processes creating the same fresh archive.
 *
 * Model calls go to a real OpenAI-compatible server on 127.0.0.1 (child processes cannot be
 * intercepted in-process); children get only PATH, a fake key, that server's URL and a throwaway
 * ASSESS_DB. Every child is killed and the server closed after each test / the file, pass or fail.
 */

const fake = useFakeOpenAIServer();
const API_KEY = 'sk-test-archive-processes-000000';
const EVENT = 'fixtures/events/jbic-550b.md';
const FOUR_DESKS = 'JP-01,US-01,CN-01,KR-01';

let dir: string;
let dbSerial = 0;
/** A fresh archive path in the scratch folder (the file itself does not exist yet). */
const freshDb = (name: string): string => join(dir, `${name}-${++dbSerial}.db`);

// ---------------------------------------------------------------------------------------------
// Child processes: every one is tracked and killed (SIGKILL) after each test and the file.

interface Spawned {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves once the process has exited and been reaped (its pid is then gone). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const live = new Set<Spawned>();

function spawnTracked(args: string[], env: Record<string, string>, stdin: 'ignore' | 'pipe' = 'ignore'): Spawned {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env, stdio: [stdin, 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const spawned: Spawned = {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited: new Promise((resolve) => {
      child.on('error', (error) => {
        stderr += `spawn error: ${error.message}\n`;
        resolve({ code: null, signal: null });
      });
      // 'close': exited, reaped, and stdout/stderr fully read.
      child.on('close', (code, signal) => resolve({ code, signal }));
    }),
  };
  live.add(spawned);
  void spawned.exited.then(() => live.delete(spawned));
  return spawned;
}

async function stopChildren(): Promise<void> {
  const running = [...live];
  for (const s of running) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  await Promise.all(running.map((s) => s.exited));
}

const childEnv = (db: string): Record<string, string> => ({
  PATH: process.env['PATH'] ?? '/usr/bin:/bin',
  OPENAI_API_KEY: API_KEY,
  OPENAI_BASE_URL: fake.url,
  ASSESS_DB: db,
});

/** The real entry point as a child: `node --import tsx src/cli/main.ts …`, cwd = the checkout. */
const spawnCli = (args: string[], db: string): Spawned => spawnTracked(['src/cli/main.ts', ...args], childEnv(db));

/** The CLI in this process (global fetch, which reaches the fake on 127.0.0.1 like a child would). */
const cli = (argv: string[], db: string): Promise<CapturedRun> =>
  runCliCaptured(argv, { env: { OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: fake.url, ASSESS_DB: db }, cwd: ROOT });

const openaiRun = (desks: string, ...extra: string[]): string[] => [
  'run',
  EVENT,
  '--provider',
  'openai',
  '--model',
  'gpt-4.1',
  '--agents',
  desks,
  '--no-progress',
  ...extra,
];

// ---------------------------------------------------------------------------------------------
// Reading the archive directly, read-only, as a third party would.

function readDb<T>(path: string, use: (db: Database) => T): T {
  const db = new DatabaseConstructor(path, { readonly: true, fileMustExist: true });
  try {
    return use(db);
  } finally {
    db.close();
  }
}

/** As readDb, but undefined while the file or its tables do not exist yet (for polling). */
function tryReadDb<T>(path: string, use: (db: Database) => T): T | undefined {
  try {
    return readDb(path, use);
  } catch {
    return undefined;
  }
}

const countRows = (db: Database, table: string): number => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

interface RunRow {
  id: string;
  status: string;
  pid: number | null;
  finished_at: string | null;
}
interface DeskRow {
  agent_id: string;
  round: number;
  status: string;
  assessment_json: string | null;
  failure_kind: string | null;
  failure_reason: string | null;
}
interface SynthesisRow {
  version: number;
  risk_view_json: string | null;
  error: string | null;
}

/** A run's rows as stored: the runs row, desk results by round, synthesis versions, calls by round. */
function archived(path: string, runId: string) {
  return readDb(path, (db) => ({
    run: db.prepare('SELECT id, status, pid, finished_at FROM runs WHERE id = ?').get(runId) as RunRow,
    desks: db
      .prepare('SELECT agent_id, round, status, assessment_json, failure_kind, failure_reason FROM desk_results WHERE run_id = ? ORDER BY round, agent_id')
      .all(runId) as DeskRow[],
    syntheses: db.prepare('SELECT version, risk_view_json, error FROM syntheses WHERE run_id = ? ORDER BY version').all(runId) as SynthesisRow[],
    calls: (
      db.prepare('SELECT agent_id, round, purpose FROM calls WHERE run_id = ? ORDER BY round, purpose').all(runId) as {
        agent_id: string | null;
        round: number;
        purpose: string;
      }[]
    ).map((c) => [c.agent_id, c.round, c.purpose]),
  }));
}

/** The call log as `runs show --calls --format json` gives it (the archive's public view of calls). */
interface CallJson {
  agentId: string | null;
  round: number;
  purpose: string;
  parsed: unknown;
  error: string | null;
  system: string;
}

async function callsOf(db: string, runId: string): Promise<CallJson[]> {
  const r = await cli(['runs', 'show', runId, '--calls', '--format', 'json'], db);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as CallJson[];
}

/** [desk, round, purpose, accepted, error] per call, by purpose. */
const callSummary = (calls: CallJson[]) =>
  [...calls].sort((a, b) => a.purpose.localeCompare(b.purpose)).map((c) => [c.agentId, c.round, c.purpose, c.parsed !== null, c.error]);

/** Row counts of every table plus the runs rows: equal snapshots mean nothing was written. */
function snapshot(path: string) {
  return readDb(path, (db) => ({
    counts: Object.fromEntries(['runs', 'texts', 'calls', 'desk_results', 'syntheses', 'search_docs'].map((t) => [t, countRows(db, t)])),
    runs: db.prepare('SELECT id, status, pid, finished_at FROM runs ORDER BY id').all(),
  }));
}

/** The parts of `--format json` reports (run, resume, runs show) these tests look at. */
interface ReportJson {
  runId: string;
  status: string;
  assessments: { agentId: string }[];
  failures: { agentId: string; kind: string; reason: string }[];
  synthesis: { coverage: { included: string[]; missing: { agentId: string }[] }; overallRisk: { level: string } } | null;
}

interface RiskViewJson {
  coverage: { included: string[]; missing: { agentId: string }[] };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, probe: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** Exactly the non-empty lines of a stream. */
const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');

// ---------------------------------------------------------------------------------------------
// A helper process that writes runs with ArchiveRecorder directly, as fast as the archive allows.
// Written to the scratch folder at startup (this suite adds no files to the repository besides
// itself). It records the lifecycle events of one replay run of two desks (JP-01, US-01) once,
// then plays them into a new ArchiveRecorder per run, opening and closing the archive for each
// run as `assess run` does. It prints "ready", waits for "go <epoch ms>" on stdin (a barrier, so
// two helpers start together), then:
//   write <db> <n>                  writes n runs into <db>: one line "run <id>" each
//   open <gapMs> <offsetMs> <db>... at go + offsetMs + i*gapMs opens the i-th (fresh) archive and
//                                   writes one run into it: "ok <i> <id>" or "error <i> <code> <message>"
// Any archive error, including one the recorder only kept in `failure`, is an "error" line.
// One more mode, without the barrier or the src imports:
//   hold <db> <ms>                  opens <db> with plain better-sqlite3, takes the write lock
//                                   (BEGIN IMMEDIATE), prints "holding", commits after <ms>
//                                   and prints "released <epoch ms>".

const srcUrl = (path: string): string => JSON.stringify(pathToFileURL(join(ROOT, path)).href);
const HELPER_SOURCE = `
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

const ROOT = ${JSON.stringify(ROOT)};
const [mode, ...args] = process.argv.slice(2);
const out = (line) => process.stdout.write(line + '\\n');

if (mode === 'hold') {
  const Database = createRequire(ROOT + 'package.json')('better-sqlite3');
  const [path, ms] = args;
  const db = new Database(path);
  db.exec('BEGIN IMMEDIATE');
  out('holding');
  await new Promise((r) => setTimeout(r, Number(ms)));
  db.exec('COMMIT');
  db.close();
  out('released ' + Date.now());
  process.exit(0);
}

const { ArchiveRecorder, openArchive } = await import(${srcUrl('src/archive/index.ts')});
const { loadAgents, selectAgents } = await import(${srcUrl('src/agents/index.ts')});
const { nodeEventReaders, readEvent } = await import(${srcUrl('src/event/index.ts')});
const { ReplayModel } = await import(${srcUrl('src/llm/replay-model.ts')});
const { runEvent } = await import(${srcUrl('src/pipeline/index.ts')});
const { loadPrompts } = await import(${srcUrl('src/prompts/index.ts')});

const event = await readEvent({ path: ROOT + ${JSON.stringify(EVENT)} }, nodeEventReaders());
const agents = selectAgents(await loadAgents(ROOT + 'agents'), ['JP-01', 'US-01']);
const prompts = await loadPrompts(ROOT + 'prompts');
const model = await ReplayModel.open(ROOT + 'fixtures/replay');
const options = { concurrency: 8, timeoutMs: 60000, maxRepairs: 2, maxOutputTokens: 8192, retry: { maxRetries: 0, baseDelayMs: 100, maxDelayMs: 1000 } };
const events = [];
const template = await runEvent({ runId: 'template', event, agents, modelFor: () => model, synthesisModel: model, prompts, options,
  signal: new AbortController().signal, onEvent: (e) => events.push(e) });
if (template.status !== 'ok') throw new Error('template run ' + template.status);

function writeRun(path) {
  const db = openArchive(path);
  try {
    const runId = randomUUID();
    const recorder = ArchiveRecorder.start(db, {
      runId, event, options, startedAt: new Date().toISOString(),
      desks: agents.map((a) => ({ agentId: a.id, provider: 'replay', model: 'replay', definition: a })),
      synthesisModel: { provider: 'replay', model: 'replay' },
      promptHashes: { desk: prompts.deskHash, synthesis: prompts.synthesisHash },
    });
    for (const e of events) recorder.listener(e);
    recorder.finish('ok', new Date().toISOString());
    if (recorder.failure) throw recorder.failure;
    return runId;
  } finally {
    db.close();
  }
}

const describe = (e) => ((e && e.code) || (e && e.cause && e.cause.code) || 'ERROR') + ' ' + String((e && e.message) || e).split('\\n')[0];

async function at(t) {
  const ahead = t - Date.now();
  if (ahead > 5) await new Promise((r) => setTimeout(r, ahead - 5));
  while (Date.now() < t) { /* spin for a precise start */ }
}

out('ready');
const go = await new Promise((resolve) => {
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    if (line.startsWith('go ')) { rl.close(); process.stdin.destroy(); resolve(Number(line.slice(3))); }
  });
});

if (mode === 'write') {
  const [path, n] = args;
  await at(go);
  for (let i = 0; i < Number(n); i++) {
    try { out('run ' + writeRun(path)); } catch (e) { out('error ' + describe(e)); process.exitCode = 1; break; }
  }
} else if (mode === 'open') {
  const [gap, offset, ...paths] = args;
  for (const [i, path] of paths.entries()) {
    await at(go + Number(offset) + i * Number(gap));
    try { out('ok ' + i + ' ' + writeRun(path)); } catch (e) { out('error ' + i + ' ' + describe(e)); process.exitCode = 1; }
  }
} else {
  throw new Error('unknown mode ' + mode);
}
`;

let helperPath: string;

/** Starts helpers, waits until all are ready, then releases them together `leadMs` from now. */
async function startHelpers(argsList: string[][], leadMs = 100): Promise<Spawned[]> {
  const helpers = argsList.map((args) => spawnTracked([helperPath, ...args], { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, 'pipe'));
  await until(
    'the helper processes to be ready',
    () => {
      for (const h of helpers) {
        if (h.child.exitCode !== null || h.child.signalCode !== null) throw new Error(`helper exited before ready: ${h.stderr()}`);
      }
      return helpers.every((h) => h.stdout().startsWith('ready\n'));
    },
    30_000,
  );
  const go = Date.now() + leadMs;
  for (const h of helpers) h.child.stdin?.write(`go ${go}\n`);
  return helpers;
}

const runIdsOf = (helper: Spawned): string[] =>
  lines(helper.stdout())
    .filter((l) => l.startsWith('run '))
    .map((l) => l.slice(4));

// ---------------------------------------------------------------------------------------------

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'assess-archive-processes-'));
  helperPath = join(dir, 'archive-helper.mts');
  writeFileSync(helperPath, HELPER_SOURCE);
});

afterEach(async () => {
  await stopChildren();
  fake.answerAll();
});

afterAll(async () => {
  await stopChildren();
  rmSync(dir, { recursive: true, force: true });
});

describe('resume across processes', () => {
  it('a run killed with SIGKILL mid-run keeps its finished desks; resume completes only the missing ones', async () => {
    const db = freshDb('killed');
    fake.set('CN-01', behave.hang()).set('KR-01', behave.hang());
    const mark = fake.requests.length;
    const run = spawnCli(openaiRun(FOUR_DESKS, '--call-timeout', '60'), db);

    await until('JP-01 and US-01 archived while CN-01 and KR-01 hang', () => {
      if (run.child.exitCode !== null) throw new Error(`the run ended on its own (exit ${run.child.exitCode}): ${run.stderr()}`);
      const ok = tryReadDb(db, (d) => (d.prepare("SELECT COUNT(*) AS n FROM desk_results WHERE status = 'ok'").get() as { n: number }).n);
      const seen = fake.countsSince(mark);
      return ok === 2 && seen['CN-01'] === 1 && seen['KR-01'] === 1;
    });
    run.child.kill('SIGKILL');
    // Awaited so the child is reaped: a zombie still answers kill(pid, 0) and would look alive.
    expect(await run.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(run.stdout()).toBe('');
    expect(fake.countsSince(mark)).toEqual({ 'JP-01': 1, 'US-01': 1, 'CN-01': 1, 'KR-01': 1 });

    // What the killed process left on disk.
    const ids = readDb(db, (d) => (d.prepare('SELECT id FROM runs').all() as { id: string }[]).map((r) => r.id));
    expect(ids).toHaveLength(1);
    const id = ids[0]!;
    const killed = archived(db, id);
    expect(killed.run).toMatchObject({ status: 'running', pid: run.child.pid, finished_at: null });
    expect(killed.desks.map((d) => [d.agent_id, d.round, d.status])).toEqual([
      ['JP-01', 0, 'ok'],
      ['US-01', 0, 'ok'],
    ]);
    for (const desk of killed.desks) {
      const assessment = JSON.parse(desk.assessment_json ?? 'null') as { agentId: string; bottomLine: string; risks: { id: string }[] };
      expect(assessment.agentId).toBe(desk.agent_id);
      expect(assessment.bottomLine).toBe(recordedDesk(desk.agent_id).bottomLine);
      expect(assessment.risks.length).toBe(recordedDesk(desk.agent_id).risks.length);
      expect(assessment.risks[0]?.id).toBe(`${desk.agent_id}:R1`);
    }
    // Only the calls that completed: the hanging ones never returned anything to record.
    const killedCalls = await callsOf(db, id);
    expect(callSummary(killedCalls)).toEqual([
      ['JP-01', 0, 'desk/JP-01', true, null],
      ['US-01', 0, 'desk/US-01', true, null],
    ]);
    expect(killed.calls).toEqual([
      ['JP-01', 0, 'desk/JP-01'],
      ['US-01', 0, 'desk/US-01'],
    ]);
    expect(killed.syntheses).toEqual([]);

    // The review commands see the dead process: incomplete, not running.
    const list = await cli(['runs', 'list', '--format', 'json'], db);
    expect(list.code, list.stderr).toBe(0);
    const summary = (JSON.parse(list.stdout) as RunSummary[]).find((r) => r.runId === id);
    expect(summary).toMatchObject({ status: 'incomplete', desksRequested: 4, desksOk: 2, desksFailed: 0, overallRisk: null, finishedAt: null });
    const incomplete = await cli(['runs', 'list', '--status', 'incomplete', '--format', 'json'], db);
    expect((JSON.parse(incomplete.stdout) as RunSummary[]).map((r) => r.runId)).toEqual([id]);
    const running = await cli(['runs', 'list', '--status', 'running', '--format', 'json'], db);
    expect(JSON.parse(running.stdout)).toEqual([]);

    // Resume with every desk answering: only CN-01, KR-01 and the synthesizer are called.
    fake.answerAll();
    const before = fake.requests.length;
    const resumed = await cli(['resume', id.slice(0, 8), '--format', 'json', '--no-progress'], db);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(fake.countsSince(before)).toEqual({ 'CN-01': 1, 'KR-01': 1, [SYNTHESIZER]: 1 });
    expect(resumed.stderr).toContain('reran CN-01, KR-01');
    const report = JSON.parse(resumed.stdout) as ReportJson;
    expect(report.runId).toBe(id);
    expect(report.status).toBe('ok');
    expect(report.assessments.map((a) => a.agentId).sort()).toEqual(['CN-01', 'JP-01', 'KR-01', 'US-01']);
    expect(report.failures).toEqual([]);
    expect(report.synthesis?.coverage.included.slice().sort()).toEqual(['CN-01', 'JP-01', 'KR-01', 'US-01']);

    const done = archived(db, id);
    expect(done.run).toMatchObject({ status: 'ok', pid: null });
    expect(done.run.finished_at).not.toBeNull();
    expect(done.desks.map((d) => [d.agent_id, d.round, d.status])).toEqual([
      ['JP-01', 0, 'ok'],
      ['US-01', 0, 'ok'],
      ['CN-01', 1, 'ok'],
      ['KR-01', 1, 'ok'],
    ]);
    // The round-0 rows are untouched.
    expect(done.desks.slice(0, 2)).toEqual(killed.desks);
    expect(done.syntheses.map((s) => [s.version, s.risk_view_json !== null, s.error])).toEqual([[1, true, null]]);
    expect(done.calls).toEqual([
      ['JP-01', 0, 'desk/JP-01'],
      ['US-01', 0, 'desk/US-01'],
      ['CN-01', 1, 'desk/CN-01'],
      ['KR-01', 1, 'desk/KR-01'],
      [null, 1, 'synthesis'],
    ]);
    const doneCalls = await callsOf(db, id);
    // The round-0 calls are still there, as they were; the resume's calls are round 1.
    expect(doneCalls.filter((c) => c.round === 0)).toEqual(killedCalls);
    expect(callSummary(doneCalls.filter((c) => c.round === 1))).toEqual([
      ['CN-01', 1, 'desk/CN-01', true, null],
      ['KR-01', 1, 'desk/KR-01', true, null],
      [null, 1, 'synthesis', true, null],
    ]);
  });

  it('resume after a failed desk reruns only that desk and keeps both synthesis versions', async () => {
    const db = freshDb('failed-desk');
    fake.set('CN-01', behave.fail(400, 'fake server: CN-01 is set to fail'));
    const mark = fake.requests.length;
    const first = await cli(openaiRun(FOUR_DESKS, '--retries', '0', '--format', 'json'), db);
    expect(first.code, first.stderr).toBe(3);
    expect(fake.countsSince(mark)).toEqual({ 'JP-01': 1, 'US-01': 1, 'CN-01': 1, 'KR-01': 1, [SYNTHESIZER]: 1 });
    const degraded = JSON.parse(first.stdout) as ReportJson;
    expect(degraded.status).toBe('degraded');
    const id = degraded.runId;

    const before = archived(db, id);
    expect(before.run).toMatchObject({ status: 'degraded', pid: null });
    const cn = before.desks.find((d) => d.agent_id === 'CN-01');
    expect(cn).toMatchObject({ round: 0, status: 'failed', assessment_json: null, failure_kind: 'provider' });
    expect(cn?.failure_reason).toContain('HTTP 400');
    expect(before.syntheses.map((s) => s.version)).toEqual([1]);

    // Resume through the real entry point, in another process.
    fake.answerAll();
    const mark2 = fake.requests.length;
    const resume = spawnCli(['resume', id.slice(0, 8), '--format', 'json', '--no-progress'], db);
    const end = await resume.exited;
    expect(end.code, resume.stderr()).toBe(0);
    expect(fake.countsSince(mark2)).toEqual({ 'CN-01': 1, [SYNTHESIZER]: 1 });
    expect((JSON.parse(resume.stdout()) as ReportJson).status).toBe('ok');

    const after = archived(db, id);
    expect(after.run).toMatchObject({ status: 'ok', pid: null });
    expect(after.desks.filter((d) => d.agent_id === 'CN-01').map((d) => [d.round, d.status])).toEqual([
      [0, 'failed'],
      [1, 'ok'],
    ]);
    // Both syntheses kept: v1 without CN-01, v2 with it.
    expect(after.syntheses.map((s) => [s.version, s.error])).toEqual([
      [1, null],
      [2, null],
    ]);
    const [v1, v2] = after.syntheses.map((s) => JSON.parse(s.risk_view_json ?? 'null') as RiskViewJson);
    expect(v1?.coverage.included.slice().sort()).toEqual(['JP-01', 'KR-01', 'US-01']);
    expect(v1?.coverage.missing.map((m) => m.agentId)).toEqual(['CN-01']);
    expect(v2?.coverage.included.slice().sort()).toEqual(['CN-01', 'JP-01', 'KR-01', 'US-01']);
    expect(v2?.coverage.missing).toEqual([]);

    // `runs show` is the consolidated, latest view.
    const show = await cli(['runs', 'show', id.slice(0, 8), '--format', 'json'], db);
    expect(show.code, show.stderr).toBe(0);
    const shown = JSON.parse(show.stdout) as ReportJson;
    expect(shown.status).toBe('ok');
    expect(shown.failures).toEqual([]);
    expect(shown.assessments).toHaveLength(4);
    expect(shown.synthesis).toEqual(v2);
    const list = JSON.parse((await cli(['runs', 'list', '--format', 'json'], db)).stdout) as RunSummary[];
    expect(list.find((r) => r.runId === id)).toMatchObject({ status: 'ok', desksOk: 4, desksFailed: 0 });
  });

  it('resume refuses changed prompts without --allow-changed-prompts, and proceeds with it', async () => {
    const db = freshDb('changed-prompts');
    const prompts = join(dir, 'prompts-copy');
    cpSync(join(ROOT, 'prompts'), prompts, { recursive: true });
    fake.set('CN-01', behave.fail(400));
    const first = await cli(openaiRun(FOUR_DESKS, '--retries', '0', '--format', 'json', '--prompts-dir', prompts), db);
    expect(first.code, first.stderr).toBe(3);
    const id = (JSON.parse(first.stdout) as ReportJson).runId;

    appendFileSync(join(prompts, 'desk.system.md'), '\nKeep every sentence short: senior analysts skim.\n');
    fake.answerAll();
    const unchanged = snapshot(db);
    const mark = fake.requests.length;
    const refused = await cli(['resume', id.slice(0, 8), '--prompts-dir', prompts, '--no-progress'], db);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(lines(refused.stderr)).toHaveLength(1);
    expect(refused.stderr).toMatch(/^assess: the prompts changed since run [0-9a-f]{8} .*pass --allow-changed-prompts/);
    expect(fake.countsSince(mark)).toEqual({});
    expect(snapshot(db)).toEqual(unchanged);

    const allowed = await cli(['resume', id.slice(0, 8), '--prompts-dir', prompts, '--allow-changed-prompts', '--no-progress', '--format', 'json'], db);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(fake.countsSince(mark)).toEqual({ 'CN-01': 1, [SYNTHESIZER]: 1 });
    expect((JSON.parse(allowed.stdout) as ReportJson).status).toBe('ok');
    const after = archived(db, id);
    expect(after.run.status).toBe('ok');
    // The resumed desk was asked with the edited template.
    const calls = await callsOf(db, id);
    expect(calls.find((c) => c.round === 1 && c.agentId === 'CN-01')?.system).toContain('senior analysts skim');
    expect(calls.find((c) => c.round === 0 && c.agentId === 'JP-01')?.system).not.toContain('senior analysts skim');
  });

  it('resume of a complete run does nothing: exit 0, "nothing to resume", no model call, no write', async () => {
    const db = freshDb('complete');
    const first = await cli(openaiRun('JP-01,US-01', '--format', 'json'), db);
    expect(first.code, first.stderr).toBe(0);
    const id = (JSON.parse(first.stdout) as ReportJson).runId;
    const unchanged = snapshot(db);
    const mark = fake.requests.length;
    const r = await cli(['resume', id.slice(0, 8), '--no-progress'], db);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toEqual([`run ${id.slice(0, 8)} is complete (ok); nothing to resume`]);
    expect(fake.countsSince(mark)).toEqual({});
    expect(snapshot(db)).toEqual(unchanged);
  });
});

describe('concurrent processes on one archive', () => {
  /**
   * Reads with `runs list`, `search` and `runs show` in this process every 20 ms until `writing`
   * settles; collects every problem instead of stopping at the first, and the counts seen.
   */
  async function readWhile(db: string, writing: Promise<unknown>) {
    let finished = false;
    void writing.finally(() => (finished = true));
    const problems: string[] = [];
    const listed: number[] = [];
    let reads = 0;
    const check = (what: string, r: CapturedRun): boolean => {
      reads++;
      if (r.code !== 0 || /locked|busy/i.test(r.stderr)) problems.push(`${what}: exit ${r.code}: ${r.stderr.trim()}`);
      return r.code === 0;
    };
    while (!finished) {
      const list = await cli(['runs', 'list', '--format', 'json', '--limit', '100000'], db);
      if (check('runs list', list)) {
        const runs = JSON.parse(list.stdout) as RunSummary[];
        listed.push(runs.length);
        const newest = runs[0];
        if (newest) check('runs show', await cli(['runs', 'show', newest.runId, '--format', 'json'], db));
      }
      const search = await cli(['search', 'JBIC', '--format', 'json'], db);
      if (check('search', search) && listed.at(-1)) {
        // Every run's event mentions JBIC: once a run is listed, the search finds something.
        if ((JSON.parse(search.stdout) as SearchHit[]).length === 0) problems.push('search: no hits although runs are listed');
      }
      await sleep(20);
    }
    return { problems, listed, reads };
  }

  const nonDecreasing = (values: number[]): boolean => values.every((v, i) => i === 0 || v >= values[i - 1]!);
  const writerTrouble = (w: Spawned): string => `${w.stderr()}\n${lines(w.stdout()).filter((l) => l.startsWith('error')).join('\n')}`;

  it('one process writes 200 runs while this one reads: never locked, counts only grow, nothing lost', async () => {
    const db = freshDb('reader-writer');
    openArchive(db).close(); // created up front, so the readers never meet a missing archive
    const [writer] = await startHelpers([['write', db, '200']]);
    const reading = await readWhile(db, writer!.exited);
    expect((await writer!.exited).code, writerTrouble(writer!)).toBe(0);

    expect(reading.problems).toEqual([]);
    expect(reading.reads).toBeGreaterThan(10);
    expect(nonDecreasing(reading.listed), reading.listed.join(',')).toBe(true);
    // The reads overlapped the writes: some saw a partly written archive.
    expect(reading.listed.some((n) => n > 0 && n < 200), reading.listed.join(',')).toBe(true);

    const written = runIdsOf(writer!);
    expect(written).toHaveLength(200);
    const final = JSON.parse((await cli(['runs', 'list', '--format', 'json', '--limit', '100000'], db)).stdout) as RunSummary[];
    expect(final).toHaveLength(200);
    expect(new Set(final.map((r) => r.runId))).toEqual(new Set(written));
    expect(final.filter((r) => r.status !== 'ok' || r.desksOk !== 2 || r.overallRisk === null)).toEqual([]);
  });

  it('two processes write at once (and this one reads): every run of both is there', async () => {
    const db = freshDb('two-writers');
    openArchive(db).close();
    const writers = await startHelpers([
      ['write', db, '75'],
      ['write', db, '75'],
    ]);
    const reading = await readWhile(db, Promise.all(writers.map((w) => w.exited)));
    for (const w of writers) expect((await w.exited).code, writerTrouble(w)).toBe(0);
    expect(reading.problems).toEqual([]);
    expect(nonDecreasing(reading.listed), reading.listed.join(',')).toBe(true);

    const written = writers.map(runIdsOf);
    expect(written.map((ids) => ids.length)).toEqual([75, 75]);
    const stored = readDb(db, (d) => ({
      ids: (d.prepare('SELECT id FROM runs').all() as { id: string }[]).map((r) => r.id),
      desks: countRows(d, 'desk_results'),
      syntheses: countRows(d, 'syntheses'),
      notOk: (d.prepare("SELECT COUNT(*) AS n FROM runs WHERE status <> 'ok'").get() as { n: number }).n,
    }));
    expect(stored.ids).toHaveLength(150);
    expect(new Set(stored.ids)).toEqual(new Set(written.flat()));
    expect(stored).toMatchObject({ desks: 150 * 2, syntheses: 150, notOk: 0 });
  });
});

describe('a fresh archive opened by two processes', () => {
  // Regressions, found by this suite: two processes opening one fresh archive at once used to fail
  // about one pair in five, either because the switch to WAL (a lock upgrade SQLite does not run
  // the busy handler for) threw SQLITE_BUSY at once, or because identify() read the application id
  // and the table count in separate snapshots and saw the other process's migration half-way.

  /** Both helpers open each of `count` fresh archives at the same moment; returns their output. */
  async function openTogether(count: number, gapMs: number) {
    const paths = Array.from({ length: count }, (_, i) => freshDb(`fresh-${i}`));
    const helpers = await startHelpers([
      ['open', String(gapMs), '0', ...paths],
      ['open', String(gapMs), '0', ...paths],
    ]);
    await Promise.all(helpers.map((h) => h.exited));
    const perHelper = await Promise.all(
      helpers.map(async (h) => ({ code: (await h.exited).code, errors: lines(h.stdout()).filter((l) => l.startsWith('error')).length })),
    );
    const outcomes = helpers.flatMap((h) => lines(h.stdout()).filter((l) => l !== 'ready'));
    return { paths, perHelper, outcomes, stderr: helpers.map((h) => h.stderr()).join('') };
  }

  // Every archive must end up migrated exactly once and consistent whoever wins, with no error.
  it('at the same moment: migrated once (user_version, application_id, schema), never left half-made', async () => {
    const { paths, perHelper, outcomes, stderr } = await openTogether(30, 30);
    expect(stderr).toBe('');
    expect(outcomes).toHaveLength(2 * paths.length);
    expect(outcomes.filter((l) => l.startsWith('error'))).toEqual([]);
    // A helper exits 1 exactly when one of its opens failed (crashes would show up here).
    expect(perHelper.map((h) => h.code)).toEqual(perHelper.map((h) => (h.errors > 0 ? 1 : 0)));

    for (const [i, path] of paths.entries()) {
      const opened = outcomes.filter((l) => l.startsWith(`ok ${i} `)).length;
      expect(opened, `${path}: at least one of the two processes opened it`).toBeGreaterThanOrEqual(1);
      const state = readDb(path, (d) => ({
        version: d.pragma('user_version', { simple: true }) as number,
        appId: d.pragma('application_id', { simple: true }) as number,
        journal: d.pragma('journal_mode', { simple: true }) as string,
        tables: (
          d
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('runs', 'calls', 'texts', 'desk_results', 'syntheses', 'search_index') ORDER BY name")
            .all() as { name: string }[]
        ).map((t) => t.name),
        runs: countRows(d, 'runs'),
        integrity: d.pragma('quick_check', { simple: true }) as string,
      }));
      expect(state, path).toEqual({
        version: LATEST_VERSION,
        appId: APPLICATION_ID,
        journal: 'wal',
        tables: ['calls', 'desk_results', 'runs', 'search_index', 'syntheses', 'texts'],
        runs: opened,
        integrity: 'ok',
      });
    }
  });

  it('an existing archive: a writer waits out another process\'s write lock (the busy timeout works)', async () => {
    const path = freshDb('held-existing');
    openArchive(path).close();
    const holder = spawnTracked([helperPath, 'hold', path, '800'], { PATH: process.env['PATH'] ?? '/usr/bin:/bin' });
    await until('the write lock to be held', () => {
      if (holder.child.exitCode !== null) throw new Error(`holder exited: ${holder.stderr()}`);
      return holder.stdout().includes('holding');
    });
    const started = Date.now();
    const r = await cli(['run', EVENT, '--provider', 'replay', '--agents', 'JP-01', '--no-progress', '--format', 'json'], path);
    expect((await holder.exited).code).toBe(0);
    const released = Number(/released (\d+)/.exec(holder.stdout())?.[1]);
    // The run started while the lock was held, and still archived everything: it waited.
    expect(started).toBeLessThan(released);
    expect(r.code, r.stderr).toBe(0);
    const id = (JSON.parse(r.stdout) as ReportJson).runId;
    expect(archived(path, id).run).toMatchObject({ status: 'ok', pid: null });
  });

  // The WAL-switch case above, made deterministic: while another process holds the write lock on a
  // fresh (not yet WAL) archive, openArchive waits (up to its busy timeout) and then migrates it.
  it('waits for another process holding the write lock on a fresh archive, then opens and migrates it', async () => {
    const path = freshDb('held');
    const holder = spawnTracked([helperPath, 'hold', path, '500'], { PATH: process.env['PATH'] ?? '/usr/bin:/bin' });
    await until('the write lock to be held', () => {
      if (holder.child.exitCode !== null) throw new Error(`holder exited: ${holder.stderr()}`);
      return holder.stdout().includes('holding');
    });
    let error: unknown;
    let version: unknown;
    try {
      const db = openArchive(path);
      version = db.pragma('user_version', { simple: true });
      db.close();
    } catch (e) {
      error = e;
    }
    expect((await holder.exited).code).toBe(0);
    expect(error === undefined ? undefined : String(error)).toBeUndefined();
    expect(version).toBe(LATEST_VERSION);
  });
});
