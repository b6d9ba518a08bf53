/**
 * `npm run bench:archive`: the archive at scale, measured, not asserted.
 *
 * Seeds an archive with BENCH_RUNS (default 10,000) runs of 8 desks — real recorded assessments,
 * every model call, prompts, syntheses and search documents, written through ArchiveRecorder as
 * a live run writes them — then measures (medians, one process, one run):
 *  - `runs list --limit 50`, plain and filtered, in-process and as a whole `node` process;
 *  - `search`, English and Japanese, in-process and as a whole process;
 *  - what archiving adds to a run, per desk: the same replay run with and without the recorder.
 * The seeded archive is kept in BENCH_DIR (default /tmp/assess-bench) and reused when it already
 * holds enough runs, since seeding takes minutes.
 *
 * `seedArchive(runs)` is exported for the other benches (process-figures.ts seeds a 1,000-run
 * archive the same way); the measurements run only when this file is run directly.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from 'better-sqlite3';
import { loadAgents } from '../../src/agents/index.js';
import { ArchiveRecorder, listRuns, openArchive, parseFilters, searchArchive } from '../../src/archive/index.js';
import { readEvent, nodeEventReaders } from '../../src/event/index.js';
import { eventId } from '../../src/event/event-id.js';
import type { IdentifiedEvent } from '../../src/event/schema.js';
import { ReplayModel } from '../../src/llm/replay-model.js';
import { runEvent, type LifecycleEvent, type RunOptions, type RunResult } from '../../src/pipeline/index.js';
import { loadPrompts } from '../../src/prompts/index.js';
import { ROOT, SEED_EVENT } from '../support/paths.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 10_000);
/** Where seeded archives are cached between bench runs. */
export const BENCH_DIR = process.env['BENCH_DIR'] ?? '/tmp/assess-bench';
/** The cached archive of `runs` seeded runs. */
export const archivePath = (runs: number): string => join(BENCH_DIR, `archive-${runs}.db`);
const DB = archivePath(RUNS);
const REPS = 21;

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

function time(fn: () => unknown, reps = REPS): number {
  fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  return median(samples);
}

const options: RunOptions = {
  concurrency: 8,
  timeoutMs: 60_000,
  maxRepairs: 2,
  maxOutputTokens: 8192,
  retry: { maxRetries: 0, baseDelayMs: 100, maxDelayMs: 1000 },
};

/** Varied events so the archive is not one story 10,000 times; every 20th is Japanese. */
const SUBJECTS = ['JBIC facility', 'semiconductor tariff', 'rare earth export control', 'shipbuilding pact', 'LNG contract', 'yen intervention', 'chip subsidy', 'port fees', 'pharma tariff', 'steel quota'];
const PLACES = ['Tokyo', 'Washington', 'Beijing', 'Seoul', 'Brussels', 'Taipei', 'New Delhi', 'London'];
function variantEvent(base: IdentifiedEvent, i: number): IdentifiedEvent {
  const japanese = i % 20 === 0;
  const title = japanese
    ? `日本、国際協力銀行に新たな対米投資枠 第${i}報`
    : `${PLACES[i % PLACES.length]} ${SUBJECTS[i % SUBJECTS.length]} update #${i}`;
  const summary = japanese ? `財務省は関税合意に基づく投資の枠組みを発表した。案件番号 ${i}。${base.event.summary}` : `${base.event.summary} (item ${i})`;
  const event = { ...base.event, title, summary };
  return { id: eventId(event), event };
}

/** Replays one recorded run's lifecycle through a recorder, as a live run would write it. */
function archiveLikeLive(db: Database, template: { run: RunResult; events: LifecycleEvent[] }, event: IdentifiedEvent, desks: Parameters<typeof ArchiveRecorder.start>[1]['desks'], startedAt: string): void {
  const runId = randomUUID();
  const recorder = ArchiveRecorder.start(db, {
    runId,
    event,
    desks,
    synthesisModel: { provider: 'replay', model: 'replay' },
    promptHashes: template.run.promptHashes,
    options,
    startedAt,
  });
  for (const e of template.events) recorder.listener(e);
  recorder.finish(template.run.status, startedAt);
  if (recorder.failure) throw recorder.failure;
}

/** The seed event, desks, prompts and replay model every seeded run is made from. */
async function fixtures() {
  const base = await readEvent({ path: SEED_EVENT }, nodeEventReaders());
  const agents = await loadAgents(`${ROOT}agents`);
  const prompts = await loadPrompts(`${ROOT}prompts`);
  const replay = await ReplayModel.open(`${ROOT}fixtures/replay`);
  const desks = agents.map((a) => ({ agentId: a.id, provider: 'replay', model: 'replay', definition: a }));
  return { base, agents, prompts, replay, desks };
}

type Fixtures = Awaited<ReturnType<typeof fixtures>>;

/** One replay run of the seed event through the real pipeline, instantly answered. */
const runOnce = (f: Fixtures, onEvent?: (e: LifecycleEvent) => void) =>
  runEvent({
    runId: randomUUID(),
    event: f.base,
    agents: f.agents,
    modelFor: () => f.replay,
    synthesisModel: f.replay,
    prompts: f.prompts,
    options,
    signal: new AbortController().signal,
    ...(onEvent ? { onEvent } : {}),
  });

/**
 * Tops the archive at `path` up to `runs` runs (one real run's lifecycle, replayed through the
 * recorder for varied events, an hour apart from 2025-01-01), checkpoints and analyzes it.
 * Returns how many runs it added and how long that took; adds none to an archive already that big.
 */
async function seed(path: string, runs: number, f: Fixtures): Promise<{ seeded: number; seconds: number }> {
  // One real run's lifecycle, replayed into the archive for every seeded run.
  const events: LifecycleEvent[] = [];
  const run = await runOnce(f, (e) => events.push(e));
  const db = openArchive(path);
  try {
    const have = (db.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number }).n;
    if (have >= runs) return { seeded: 0, seconds: 0 };
    const started = performance.now();
    const t0 = Date.parse('2025-01-01T00:00:00Z');
    const batch = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        archiveLikeLive(db, { run, events }, variantEvent(f.base, i), f.desks, new Date(t0 + i * 3_600_000).toISOString());
      }
    });
    for (let i = have; i < runs; i += 200) {
      batch(i, Math.min(runs, i + 200));
      if ((i / 200) % 10 === 0) process.stderr.write(`seeded ${Math.min(runs, i + 200)}/${runs} runs\r`);
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.exec('ANALYZE');
    const seconds = (performance.now() - started) / 1000;
    process.stderr.write(`\nseeded ${runs - have} runs in ${seconds.toFixed(0)} s (${path})\n`);
    return { seeded: runs - have, seconds };
  } finally {
    db.close();
  }
}

/**
 * The cached archive of `runs` runs of 8 desks in BENCH_DIR, seeded on first use through the real
 * ArchiveRecorder (as archive.bench.ts always has), and migrated to the current schema by opening
 * it. Returns its path and how long seeding took this time (0 when it was already there).
 */
export async function seedArchive(runs: number): Promise<{ path: string; seeded: number; seconds: number }> {
  mkdirSync(BENCH_DIR, { recursive: true });
  const path = archivePath(runs);
  const result = await seed(path, runs, await fixtures());
  return { path, ...result };
}

async function main(): Promise<void> {
  mkdirSync(BENCH_DIR, { recursive: true });
  const f = await fixtures();
  const { base, agents, desks } = f;
  await seed(DB, RUNS, f);
  // The template run's prompt hashes, for the archiving-overhead runs below.
  const run = await runOnce(f);
  const db = openArchive(DB);
  const sizeMb = statSync(DB).size / 2 ** 20;

  const list = time(() => listRuns(db, parseFilters({ limit: '50' })));
  const listAgent = time(() => listRuns(db, parseFilters({ limit: '50', agent: 'JP-01', since: '2025-06-01' })));
  const listEvent = time(() => listRuns(db, parseFilters({ limit: '50', event: 'semiconductor' })));
  const searchRare = time(() => searchArchive(db, '"boomerang clause"', parseFilters({ limit: '20' })));
  const searchCommon = time(() => searchArchive(db, 'JBIC', parseFilters({ limit: '20' })));
  const searchJa = time(() => searchArchive(db, '国際協力銀行', parseFilters({ limit: '20' })));
  const hitsJa = searchArchive(db, '国際協力銀行', parseFilters({ limit: '20' })).length;

  // Whole process: node start-up, CLI parsing, opening the archive, the query, printing.
  const cli = (args: string[]) => () => execFileSync(process.execPath, [`${ROOT}dist/cli/main.js`, ...args, '--db', DB], { stdio: 'ignore' });
  const haveDist = existsSync(`${ROOT}dist/cli/main.js`);
  const procList = haveDist ? time(cli(['runs', 'list', '--limit', '50']), 7) : NaN;
  const procSearch = haveDist ? time(cli(['search', 'boomerang clause', '--limit', '20']), 7) : NaN;

  // Archiving overhead, two ways: the time spent inside the archive writer during a run (start,
  // every lifecycle event, finish), and the same replay run timed with and without it.
  const withoutArchive: number[] = [];
  const withArchive: number[] = [];
  const writerMs: number[] = [];
  for (let i = 0; i < REPS; i++) {
    let t = performance.now();
    await runOnce(f);
    withoutArchive.push(performance.now() - t);
    t = performance.now();
    let inWriter = 0;
    const timed = <T>(fn: () => T): T => {
      const s = performance.now();
      try {
        return fn();
      } finally {
        inWriter += performance.now() - s;
      }
    };
    const runId = randomUUID();
    const recorder = timed(() => ArchiveRecorder.start(db, {
      runId,
      event: base,
      desks,
      synthesisModel: { provider: 'replay', model: 'replay' },
      promptHashes: run.promptHashes,
      options,
      startedAt: new Date().toISOString(),
    }));
    const result = await runOnce(f, (e) => timed(() => recorder.listener(e)));
    timed(() => recorder.finish(result.status, result.finishedAt));
    withArchive.push(performance.now() - t);
    writerMs.push(inWriter);
  }
  db.close();
  const perDesk = (median(withArchive) - median(withoutArchive)) / agents.length;
  const writerPerDesk = median(writerMs) / agents.length;

  const lines = [
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
    `archive: ${RUNS} runs × ${agents.length} desks, ${sizeMb.toFixed(0)} MiB (${DB})`,
    `runs list --limit 50 (in-process, median of ${REPS}): ${list.toFixed(1)} ms; --agent JP-01 --since: ${listAgent.toFixed(1)} ms; --event text: ${listEvent.toFixed(1)} ms`,
    `search (in-process, median of ${REPS}): "boomerang clause" ${searchRare.toFixed(1)} ms; "JBIC" ${searchCommon.toFixed(1)} ms; 国際協力銀行 ${searchJa.toFixed(1)} ms (${hitsJa} hits)`,
    `whole process (node dist/cli/main.js …, median of 7): runs list --limit 50 ${procList.toFixed(0)} ms; search ${procSearch.toFixed(0)} ms`,
    `archiving overhead (median of ${REPS}): ${writerPerDesk.toFixed(2)} ms per desk inside the archive writer; run ${median(withoutArchive).toFixed(1)} ms without vs ${median(withArchive).toFixed(1)} ms with → ${perDesk.toFixed(2)} ms per desk (wall, noisier)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
