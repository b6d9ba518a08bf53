/**
 * Part of `npm run bench`: the figures of issue 7 that are about the process rather than the
 * models — what the orchestrator itself costs per event, how fast the shipped CLI starts, how
 * fast the archive answers at 10,000 runs, and whether the watcher's memory stays flat.
 *
 *  - orchestratorOverhead (diagnostics, no targets): `assess run … --provider replay` in this
 *    process through runCli, the real command path (config, event, desks, prompts, 8 desks +
 *    synthesis, validation, archive writes to a SQLite file, report), and its steps one by one: where
 *    a warm process spends its CPU. The per-event target is held on whole processes
 *    (replay-run.ts, watcher-cpu.ts).
 *  - cliStartup: the shipped CLI (`node dist/cli/main.js`) as a whole process: `--help`, and
 *    `runs list` on a 1,000-run archive; bare `node -e 0` beside them for reference.
 *  - archiveQueries: `runs list --limit 50` and `search` on the 10,000-run archive as whole
 *    processes (the targets), and in-process (the command's own work, diagnostics).
 *  - watcherMemory: watch.bench.ts in a child process of its own, its JSON parsed.
 *
 * Run it directly to print the figures as JSON: `npx tsx test/bench/process-figures.ts`
 * (optionally naming a subset: overhead, startup, archive, watcher). Needs `npm run build` first:
 * the whole-process figures run dist/.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import DatabaseConstructor from 'better-sqlite3';
import { ArchiveRecorder, listRuns, openArchive, parseFilters, searchArchive } from '../../src/archive/index.js';
import { LATEST_VERSION } from '../../src/archive/migrations.js';
import type { CliIo } from '../../src/cli/io.js';
import { planRun } from '../../src/cli/plan-run.js';
import { buildModels, runOptionsFrom, withAbsolutePaths } from '../../src/config/index.js';
import { redactSecrets } from '../../src/errors/index.js';
import { runEvent } from '../../src/pipeline/index.js';
import { renderRunJson } from '../../src/report/index.js';
import { ROOT, SEED_EVENT } from '../support/paths.js';
import { archivePath, seedArchive } from './archive.bench.js';
import { median, ofSamples, type Figure } from './figure.js';
import { requireDist, spawnCli, type CliProcess } from './spawn-cli.js';
import { runCliCaptured } from '../support/cli-io.js';
import { runHeaderFor } from '../../src/cli/run-header.js';
import type { WatchBenchResult } from './watch.bench.js';

const log = (line: string): void => {
  process.stderr.write(`[process-figures] ${line}\n`);
};

const round = (n: number, digits = 1): number => Number(n.toFixed(digits));
const spread = (samples: readonly number[], digits = 1): string =>
  samples.length === 0 ? 'no samples' : `min ${Math.min(...samples).toFixed(digits)}, max ${Math.max(...samples).toFixed(digits)}`;

/** runCli in this process with captured output, an empty environment and a scratch working directory. */
const runCliInProcess = (argv: string[], cwd: string) => runCliCaptured(argv, { env: { HOME: cwd }, cwd });

function captureIo(cwd: string): CliIo {
  return { stdout: { write: () => true }, stderr: { write: () => true }, stdin: Readable.from([]), env: { HOME: cwd }, cwd, signal: new AbortController().signal };
}

function expectOk(what: string, r: { code: number | null; stderr: string }): void {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
}

/** A whole-process query that exited 0 and printed what it should: 50 runs for the list, hits for a search. */
function expectRows(q: { args: string[]; expectLines: number }, r: CliProcess): void {
  expectOk(q.args.join(' '), r);
  const lines = r.stdout.split('\n').filter((l) => l.trim() !== '').length;
  if (lines < q.expectLines) throw new Error(`${q.args.join(' ')} printed ${lines} lines, expected at least ${q.expectLines}: ${r.stdout.slice(0, 200)}`);
}

/** Wall time of a bare `node <args>` child, spawned and timed as spawnCli times the CLI. */
function spawnNode(args: readonly string[], cwd: string): Promise<number> {
  const started = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { cwd, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: cwd }, stdio: 'ignore' });
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? done(performance.now() - started) : fail(new Error(`node ${args.join(' ')} exited ${code}`))));
  });
}

/**
 * 1. CPU time (user + sys, process.cpuUsage deltas) and wall time per 8-desk event, through the
 * real `assess run` command path on the replay provider, after warm-up runs.
 */
export async function orchestratorOverhead({ reps = 30, warmup = 5 }: { reps?: number; warmup?: number } = {}): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'assess-bench-overhead-'));
  try {
    const db = join(dir, 'overhead.db');
    const argv = ['run', SEED_EVENT, '--provider', 'replay', '--format', 'json', '--no-progress', '--db', db];
    const unarchived = ['run', SEED_EVENT, '--provider', 'replay', '--format', 'json', '--no-progress', '--no-archive'];
    let desks = 0;
    const check = (r: { code: number; stdout: string; stderr: string }) => {
      expectOk('assess run --provider replay', r);
      const report = JSON.parse(r.stdout) as { status: string; assessments: unknown[] };
      if (report.status !== 'ok') throw new Error(`replay run ended ${report.status}`);
      desks = report.assessments.length;
    };
    // Warm-up: module loading (the command modules are imported on first use) and JIT.
    for (let i = 0; i < warmup; i++) {
      check(await runCliInProcess(argv, dir));
      check(await runCliInProcess(unarchived, dir));
    }
    const cpu: number[] = [];
    const wall: number[] = [];
    const cpuNoArchive: number[] = [];
    for (let i = 0; i < reps; i++) {
      for (const [args, cpuSamples, wallSamples] of [
        [argv, cpu, wall],
        [unarchived, cpuNoArchive, undefined],
      ] as const) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const r = await runCliInProcess([...args], dir);
        const t = performance.now() - t0;
        const c = process.cpuUsage(c0);
        check(r);
        cpuSamples.push((c.user + c.system) / 1000);
        wallSamples?.push(t);
      }
    }
    const steps = await overheadSteps(dir, reps, warmup);
    const how = `in-process runCli(['run', fixtures/events/jbic-550b.md, '--provider', 'replay', '--format', 'json', '--no-progress', '--db', <temp file>]), ${desks} desks + synthesis, after ${warmup} warm-up runs; median of ${reps}`;
    return [
      {
        id: 'orchestrator.cpu-per-command',
        name: `CPU of a whole \`assess run\` command, ${desks} desks (user+sys)`,
        ...ofSamples(cpu, 2),
        unit: 'ms',
        detail: `${how}; process.cpuUsage() delta over the whole command, per-process work included (config, desk files, opening and closing the archive): config, event, desks, prompts, recordings read, prompt rendering, validation, synthesis, archive writes, JSON + Markdown report; in a warm process, so Node's start and module loading are not in it (cpu-per-event.run has them); diagnostic`,
      },
      {
        id: 'orchestrator.cpu-per-event-unarchived',
        name: `orchestrator CPU per ${desks}-desk event, --no-archive`,
        ...ofSamples(cpuNoArchive, 2),
        unit: 'ms',
        detail: `the same command with --no-archive, interleaved with the archived runs: the difference is what the SQLite archive writes cost; median of ${reps}; diagnostic`,
      },
      {
        id: 'orchestrator.wall-per-event',
        name: `orchestrator wall time per ${desks}-desk event`,
        ...ofSamples(wall, 2),
        unit: 'ms',
        detail: `${how}; wall time of the same runs (replay answers from files, so no model wait); diagnostic`,
      },
      ...steps,
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Where the CPU of one `assess run` goes: the steps of runCommand (src/cli/commands/run.ts) called
 * one by one, as it calls them, with process.cpuUsage() around each. Archive writes happen inside
 * runEvent (the recorder listens to its lifecycle), so they are timed in the listener and taken
 * out of the pipeline's share. No targets: the ≤ 30 ms per event target is checked on whole processes
 * (replay-run.ts, watcher-cpu.ts); this is the map of where a warm process spends it.
 */
async function overheadSteps(dir: string, reps: number, warmup: number): Promise<Figure[]> {
  const dbPath = join(dir, 'steps.db');
  const io = captureIo(dir);
  const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
  const samples = { setup: [] as number[], pipeline: [] as number[], archive: [] as number[], report: [] as number[], event: [] as number[] };
  // Opened once, as a watcher keeps it open; `assess run` opens and closes it per process (below).
  let c0 = process.cpuUsage();
  const db = openArchive(dbPath);
  const openMs = cpuMs(process.cpuUsage(c0));
  const once = async (keep: boolean) => {
    let c = process.cpuUsage();
    const { config, event, agents, prompts, abs } = await planRun(SEED_EVENT, { provider: 'replay', format: 'json' }, io);
    const models = await buildModels(withAbsolutePaths(config, abs), agents, undefined);
    const runOptions = runOptionsFrom(config);
    const setup = cpuMs(process.cpuUsage(c));

    c = process.cpuUsage();
    const runId = randomUUID();
    const startedAt = new Date().toISOString();
    const recorder = ArchiveRecorder.start(db, runHeaderFor({ runId, event, agents, models, prompts, options: runOptions, startedAt }), models.secrets);
    let archive = cpuMs(process.cpuUsage(c));

    c = process.cpuUsage();
    let inListener = 0;
    const run = await runEvent({
      runId,
      startedAt,
      event,
      agents,
      modelFor: models.forAgent,
      synthesisModel: models.synthesis,
      prompts,
      options: runOptions,
      signal: io.signal,
      onEvent: (e) => {
        const l = process.cpuUsage();
        recorder.listener(e);
        inListener += cpuMs(process.cpuUsage(l));
      },
    });
    const pipeline = cpuMs(process.cpuUsage(c)) - inListener;
    if (run.status !== 'ok') throw new Error(`replay run ended ${run.status}`);

    c = process.cpuUsage();
    recorder.finish(run.status, run.finishedAt);
    archive += inListener + cpuMs(process.cpuUsage(c));
    if (recorder.failure) throw recorder.failure;

    // One report, as `assess run --format json` renders only what it prints.
    c = process.cpuUsage();
    redactSecrets(renderRunJson(run), models.secrets);
    const report = cpuMs(process.cpuUsage(c));
    if (keep) {
      samples.setup.push(setup);
      samples.pipeline.push(pipeline);
      samples.archive.push(archive);
      samples.report.push(report);
      samples.event.push(pipeline + archive + report);
    }
  };
  for (let i = 0; i < warmup; i++) await once(false);
  for (let i = 0; i < reps; i++) await once(true);
  c0 = process.cpuUsage();
  db.close();
  const closeMs = cpuMs(process.cpuUsage(c0));
  // Means, not medians: GC pauses land in a different step each time, so per-step medians leave
  // them out and would not add up to the whole; means do.
  const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const step = (key: keyof typeof samples, name: string, what: string): Figure => ({
    id: `orchestrator.step.${key}`,
    name: `  of which ${name}`,
    value: round(mean(samples[key]), 2),
    unit: 'ms',
    detail: `CPU (user+sys) per event in this step, runCommand's steps called one by one in this process, MEAN of ${reps} after ${warmup} warm-up (so the steps add up; median ${median(samples[key]).toFixed(2)}); ${what}; ${spread(samples[key], 2)}`,
    samples: samples[key].map((v) => round(v, 2)),
  });
  return [
    {
      id: 'orchestrator.cpu-per-event',
      name: `orchestrator CPU per ${8}-desk event in a warm process, steps summed (user+sys)`,
      ...ofSamples(samples.event, 2),
      unit: 'ms',
      detail: `diagnostic, no target (the target is held on whole processes: cpu-per-event.*): what issue 7 listed, per event: prompt rendering, validation, synthesis math, archive writes (run row, 9 calls with their prompts, 8 desk results, synthesis, search index), the JSON report; the pipeline's own steps called as runCommand calls them, with the archive open throughout as a watcher keeps it; median of ${reps} after ${warmup} warm-up. Per-process work is apart: setup below, opening the archive ${openMs.toFixed(1)} ms and closing it (WAL checkpoint) ${closeMs.toFixed(1)} ms once per \`assess run\``,
    },
    step('setup', 'setup: config, event, desks, prompts, models', 'planRun (config, reading the event, parsing the 8 desk YAML files and validating them, loading prompt templates) + buildModels (indexing the replay recordings); a long-running watcher pays this once, `assess run` every time'),
    step('pipeline', 'pipeline: prompts, calls, validation, synthesis', 'runEvent minus the archive listener: 8 desk prompts rendered, replay answers read from disk and parsed, JSON extraction, Zod validation, synthesis prompt and risk-view math'),
    step('archive', 'archive writes', 'ArchiveRecorder.start + every lifecycle event written (a transaction each: 9 calls with prompts and raw text, 8 desk results, the synthesis, FTS5 indexing of the event and 8 assessments) + finish, archive already open'),
    step('report', 'report: JSON, redacted', 'renderRunJson through redactSecrets, as runCommand does for --format json'),
  ];
}

/**
 * 2. Whole-process wall time of the shipped CLI: `assess --help` and `assess runs list` on a
 * 1,000-run archive, with bare `node -e 0` for reference; one untimed warm-up spawn each.
 */
export async function cliStartup({ reps = 10 }: { reps?: number } = {}): Promise<Figure[]> {
  requireDist();
  const seeded = await seedArchive(1_000);
  // Opening it once brings it to the current schema, so no spawn below migrates.
  openArchive(seeded.path).close();
  const dir = mkdtempSync(join(tmpdir(), 'assess-bench-startup-'));
  try {
    // Wall series with nothing preloaded (what a user starts); CPU and RSS from interleaved runs
    // with the usage reporter.
    const help = (usage: boolean) => spawnCli(['--help'], {}, { usage });
    const list = (usage: boolean) => spawnCli(['runs', 'list', '--db', seeded.path], {}, { usage });
    const node = () => spawnNode(['-e', '0'], dir);
    // Warm-up: the disk cache (node, dist/, node_modules, the archive's pages).
    await node();
    expectOk('assess --help', await help(false));
    const firstList = await list(false);
    expectOk('assess runs list', firstList);
    const listed = firstList.stdout.trim().split('\n').length - 1;
    if (listed < 20) throw new Error(`assess runs list printed ${listed} runs, expected the default 20`);
    const nodeMs: number[] = [];
    const runs = { help: [] as CliProcess[], helpUsage: [] as CliProcess[], list: [] as CliProcess[], listUsage: [] as CliProcess[] };
    // Interleaved, so a slow spell on a shared machine hits all of them alike.
    for (let i = 0; i < reps; i++) {
      nodeMs.push(await node());
      for (const [key, start, what] of [
        ['help', () => help(false), 'assess --help'],
        ['helpUsage', () => help(true), 'assess --help'],
        ['list', () => list(false), 'assess runs list'],
        ['listUsage', () => list(true), 'assess runs list'],
      ] as const) {
        const r = await start();
        expectOk(what, r);
        runs[key].push(r);
      }
    }
    const wall = (procs: CliProcess[]) => procs.map((r) => r.wallMs);
    const cpu = (procs: CliProcess[]) => median(procs.map((r) => r.cpuMs ?? Number.NaN)).toFixed(0);
    const rss = (procs: CliProcess[]) => median(procs.map((r) => r.peakRssMiB ?? Number.NaN)).toFixed(0);
    const nodeMedian = median(nodeMs);
    const seedNote = seeded.seeded > 0 ? `seeded this time in ${seeded.seconds.toFixed(0)} s` : 'cached';
    return [
      {
        id: 'startup.node',
        name: 'bare `node -e 0` (reference)',
        ...ofSamples(nodeMs),
        unit: 'ms',
        detail: `spawn to exit, median of ${reps} after 1 warm-up, interleaved with the CLI spawns; what Node itself costs before any assess code`,
      },
      {
        id: 'startup.help',
        name: '`assess --help`, whole process',
        ...ofSamples(wall(runs.help)),
        unit: 'ms',
        target: { op: '<=', value: 400 },
        detail: `node dist/cli/main.js --help, spawn to exit, nothing preloaded, median of ${reps} after 1 warm-up; ${(median(wall(runs.help)) - nodeMedian).toFixed(0)} ms above bare node; child CPU ${cpu(runs.helpUsage)} ms, peak RSS ${rss(runs.helpUsage)} MiB (medians of ${reps} interleaved runs with the usage reporter)`,
      },
      {
        id: 'startup.runs-list-1000',
        name: '`assess runs list` on 1,000 runs, whole process',
        ...ofSamples(wall(runs.list)),
        unit: 'ms',
        target: { op: '<=', value: 600 },
        detail: `node dist/cli/main.js runs list --db ${seeded.path} (default limit, ${listed} rows), archive of 1,000 runs × 8 desks seeded through ArchiveRecorder (${seedNote}), schema v${LATEST_VERSION}; spawn to exit, nothing preloaded, median of ${reps} after 1 warm-up; ${(median(wall(runs.list)) - nodeMedian).toFixed(0)} ms above bare node; child CPU ${cpu(runs.listUsage)} ms, peak RSS ${rss(runs.listUsage)} MiB (medians of ${reps} interleaved runs with the usage reporter)`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The schema version of an archive file, read without migrating it. */
function schemaVersion(path: string): number {
  const db = new DatabaseConstructor(path, { readonly: true, fileMustExist: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

/**
 * 3. `runs list --limit 50` and `search` on the 10,000-run archive: in-process through runCli
 * (the command's own work: parse, open, query, format) and as whole processes.
 */
export async function archiveQueries({ reps = 21, processReps = 10 }: { reps?: number; processReps?: number } = {}): Promise<Figure[]> {
  requireDist();
  const path = archivePath(10_000);
  let seedNote = 'cached';
  if (!existsSync(path)) {
    log(`no ${path}: seeding 10,000 runs (takes minutes)`);
    const seeded = await seedArchive(10_000);
    seedNote = `seeded this time in ${seeded.seconds.toFixed(0)} s`;
  }
  // Bring the archive to the current schema once, before any timing (migrations 3 and 4 are a few
  // CREATE TABLEs and two ALTER TABLE ADD COLUMNs: O(1), no row rewritten).
  const before = schemaVersion(path);
  let migration = `already at schema v${before}`;
  if (before < LATEST_VERSION) {
    const t = performance.now();
    openArchive(path).close();
    migration = `migrated in place from schema v${before} to v${schemaVersion(path)} once before timing (${(performance.now() - t).toFixed(0)} ms, untimed)`;
    log(migration);
  }
  const db = openArchive(path, { create: false });
  const runCount = (db.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number }).n;
  const dir = mkdtempSync(join(tmpdir(), 'assess-bench-archive-'));
  const queries = [
    {
      id: 'archive.runs-list-50',
      name: '`runs list --limit 50` on 10,000 runs',
      args: ['runs', 'list', '--limit', '50'],
      // A header and 50 runs.
      expectLines: 51,
      query: () => listRuns(db, parseFilters({ limit: '50' })).length,
    },
    {
      id: 'archive.search-jbic',
      name: '`search JBIC` on 10,000 runs',
      args: ['search', 'JBIC'],
      expectLines: 2,
      query: () => searchArchive(db, 'JBIC', parseFilters({})).length,
    },
    {
      id: 'archive.search-ja',
      name: '`search 国際協力銀行` on 10,000 runs',
      args: ['search', '国際協力銀行'],
      expectLines: 2,
      query: () => searchArchive(db, '国際協力銀行', parseFilters({})).length,
    },
  ];
  const figures: Figure[] = [];
  try {
    for (const q of queries) {
      const argv = [...q.args, '--db', path];
      // In-process: the command as runCli runs it (commander, opening the archive, query, output).
      const warm = await runCliInProcess(argv, dir);
      expectOk(q.args.join(' '), warm);
      const rows = q.query();
      if (rows === 0) throw new Error(`${q.args.join(' ')} found nothing on the seeded archive`);
      const inProcess: number[] = [];
      const queryOnly: number[] = [];
      for (let i = 0; i < reps; i++) {
        const t = performance.now();
        expectOk(q.args.join(' '), await runCliInProcess(argv, dir));
        inProcess.push(performance.now() - t);
        const s = performance.now();
        q.query();
        queryOnly.push(performance.now() - s);
      }
      // Whole process, as a user starts it: node start-up, loading the bundle, CLI parsing, opening
      // the archive, the query, printing. Wall time with nothing preloaded; the CPU and peak RSS come
      // from a second, interleaved series with the usage reporter loaded.
      expectRows(q, await spawnCli(argv, {}, { usage: false }));
      const wholeMs: number[] = [];
      const usage: CliProcess[] = [];
      for (let i = 0; i < processReps; i++) {
        const r = await spawnCli(argv, {}, { usage: false });
        expectRows(q, r);
        wholeMs.push(r.wallMs);
        const u = await spawnCli(argv);
        expectRows(q, u);
        usage.push(u);
      }
      const where = `archive ${path}, ${runCount} runs × 8 desks (${seedNote}; ${migration})`;
      figures.push(
        {
          id: q.id,
          name: `${q.name}, whole process`,
          ...ofSamples(wholeMs),
          unit: 'ms',
          target: { op: '<=', value: 200 },
          detail: `node dist/cli/main.js ${q.args.join(' ')} --db <archive>, spawn to exit, nothing preloaded; median of ${processReps} after 1 warm-up; child CPU ${median(usage.map((r) => r.cpuMs ?? Number.NaN)).toFixed(0)} ms, peak RSS ${median(usage.map((r) => r.peakRssMiB ?? Number.NaN)).toFixed(0)} MiB (medians of ${processReps} interleaved runs with the usage reporter); ${where}`,
        },
        {
          id: `${q.id}.in-process`,
          name: `  of which the command in-process`,
          ...ofSamples(inProcess, 2),
          unit: 'ms',
          detail: `runCli([${argv.slice(0, -2).map((a) => `'${a}'`).join(', ')}, '--db', …]) in this process (commander, opening the archive, the query, formatting), ${rows} rows; median of ${reps} after 1 warm-up; the query alone (${q.id.startsWith('archive.runs') ? 'listRuns' : 'searchArchive'} on an open db) ${median(queryOnly).toFixed(2)} ms; diagnostic`,
        },
      );
    }
    return figures;
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * 4. The watcher's memory after 100 and 1,000 feed items, items lost or assessed twice, and
 * throughput: watch.bench.ts in a child process of its own (--expose-gc), so nothing else this
 * process loaded or allocated counts against it; `reps` runs, medians (losses summed).
 */
export async function watcherMemory({ reps = 5 }: { reps?: number } = {}): Promise<Figure[]> {
  const results: WatchBenchResult[] = [];
  for (let i = 0; i < reps; i++) results.push(await watchBenchOnce());
  const r = results[0]!;
  const run = `node --expose-gc --import tsx test/bench/watch.bench.ts --json, each run in its own process: ${r.items} items in ${r.polls} polls of a feed on 127.0.0.1, 2 desks + synthesis each via the OpenAI SDK (SSE streams) against a fake server answering at once, real queue and archive (the Watcher class in that process, not the \`assess watch\` CLI, whose polls are at least a minute apart)`;
  const total = (key: 'lost' | 'duplicated' | 'assessed' | 'okRuns' | 'modelCalls' | 'expectedModelCalls') => results.reduce((n, x) => n + x[key], 0);
  return [
    {
      id: 'watch.rss-ratio',
      name: `watcher RSS after ${r.items} items ÷ after 100`,
      ...ofSamples(results.map((x) => x.ratio), 3),
      unit: 'ratio',
      target: { op: '<=', value: 1.2 },
      detail: `${run}; per run RSS after ${r.items} items ÷ RSS after 100, ${r.afterGc ? 'each read after a forced GC' : 'no GC forced (--expose-gc missing)'}; median of ${reps} runs`,
    },
    {
      id: 'watch.rss-after-100',
      name: 'watcher RSS after 100 items',
      ...ofSamples(results.map((x) => x.rssAfter100MiB)),
      unit: 'MiB',
      detail: `${run}; after the first poll and a forced GC; median of ${reps}`,
    },
    {
      id: 'watch.rss-after-1000',
      name: `watcher RSS after ${r.items} items`,
      ...ofSamples(results.map((x) => x.rssAfterAllMiB)),
      unit: 'MiB',
      detail: `${run}; after the last poll and a forced GC; median of ${reps}`,
    },
    {
      id: 'watch.items-lost',
      name: `watcher items lost (all ${reps} runs)`,
      value: total('lost'),
      unit: 'count',
      target: { op: '<=', value: 0 },
      detail: `summed over the ${reps} runs, not a median: ${total('assessed')}/${reps * r.items} feed items reached status done; ${total('okRuns')} ok runs; ${total('modelCalls')} model calls (expected ${total('expectedModelCalls')})`,
    },
    {
      id: 'watch.items-duplicated',
      name: `watcher items assessed more than once (all ${reps} runs)`,
      value: total('duplicated'),
      unit: 'count',
      target: { op: '<=', value: 0 },
      detail: `summed over the ${reps} runs: done feed items beyond the distinct runs they point to; ${total('modelCalls')} model calls for ${reps * r.items} items (expected ${total('expectedModelCalls')})`,
    },
    {
      id: 'watch.ms-per-item',
      name: 'watcher time per item (throughput)',
      ...ofSamples(results.map((x) => (x.seconds * 1000) / x.items)),
      unit: 'ms',
      detail: `${r.items} items per run at watcher concurrency 8, model answering at once, so this is the watcher's own cost per item (3 SDK calls, queue, archive); median of ${reps}; diagnostic`,
    },
  ];
}

/** One run of watch.bench.ts in a child process of its own; its JSON result. */
async function watchBenchOnce(): Promise<WatchBenchResult> {
  const entry = join(ROOT, 'test', 'bench', 'watch.bench.ts');
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
    let out = '';
    let err = '';
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', entry, '--json'], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: tmpdir(), ...(process.env['BENCH_PAGES'] ? { BENCH_PAGES: process.env['BENCH_PAGES'] } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.on('error', fail);
    child.on('close', (c) => done({ code: c, stdout: out, stderr: err }));
  });
  if (code !== 0) throw new Error(`watch.bench.ts exited ${code}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`);
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as WatchBenchResult;
}

/** Every figure of this module, in order. `only` picks a subset: overhead, startup, archive, watcher. */
export async function processFigures(only: readonly string[] = []): Promise<Figure[]> {
  const parts: [string, () => Promise<Figure[]>][] = [
    ['overhead', () => orchestratorOverhead()],
    ['startup', () => cliStartup()],
    ['archive', () => archiveQueries()],
    ['watcher', () => watcherMemory()],
  ];
  const figures: Figure[] = [];
  for (const [name, measure] of parts) {
    if (only.length > 0 && !only.includes(name)) continue;
    const t = performance.now();
    log(`${name}…`);
    figures.push(...(await measure()));
    log(`${name} done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  return figures;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const figures = await processFigures(process.argv.slice(2));
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}
