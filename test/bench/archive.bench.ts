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
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
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
const DIR = process.env['BENCH_DIR'] ?? '/tmp/assess-bench';
const DB = join(DIR, `archive-${RUNS}.db`);
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

async function main(): Promise<void> {
  mkdirSync(DIR, { recursive: true });
  const base = await readEvent({ path: SEED_EVENT }, nodeEventReaders());
  const agents = await loadAgents(`${ROOT}agents`);
  const prompts = await loadPrompts(`${ROOT}prompts`);
  const replay = await ReplayModel.open(`${ROOT}fixtures/replay`);
  const desks = agents.map((a) => ({ agentId: a.id, provider: 'replay', model: 'replay', definition: a }));

  const runOnce = async (onEvent?: (e: LifecycleEvent) => void) =>
    runEvent({
      runId: randomUUID(),
      event: base,
      agents,
      modelFor: () => replay,
      synthesisModel: replay,
      prompts,
      options,
      signal: new AbortController().signal,
      ...(onEvent ? { onEvent } : {}),
    });

  // One real run's lifecycle, replayed into the archive for every seeded run.
  const events: LifecycleEvent[] = [];
  const run = await runOnce((e) => events.push(e));

  let db = openArchive(DB);
  const have = (db.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number }).n;
  if (have < RUNS) {
    const started = performance.now();
    const t0 = Date.parse('2025-01-01T00:00:00Z');
    const batch = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        archiveLikeLive(db, { run, events }, variantEvent(base, i), desks, new Date(t0 + i * 3_600_000).toISOString());
      }
    });
    for (let i = have; i < RUNS; i += 200) {
      batch(i, Math.min(RUNS, i + 200));
      if ((i / 200) % 10 === 0) process.stderr.write(`seeded ${Math.min(RUNS, i + 200)}/${RUNS} runs\r`);
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.exec('ANALYZE');
    process.stderr.write(`\nseeded ${RUNS - have} runs in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
    db.close();
    db = openArchive(DB);
  }
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
    await runOnce();
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
    const result = await runOnce((e) => timed(() => recorder.listener(e)));
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

await main();
