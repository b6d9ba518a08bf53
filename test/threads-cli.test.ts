import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeEventReaders, readEvent } from '../src/event/read-event.js';
import { spawnCli } from './bench/spawn-cli.js';
import { linesOf, tempDir, withRaw } from './support/archive-fixtures.js';
import { runCliCaptured, type CapturedRun } from './support/cli-io.js';
import { SEED_EVENT } from './support/paths.js';
import { replayRootFor } from './support/replay-events.js';

/**
 * Threads through the CLI: `run` links each archived event into a thread and names it in the
 * report, `--thread` / `--new-thread` override the linking, `threads list|show|merge|move` read and
 * regroup the archive without rewriting a run, and `resume` gives unfinished desks the memory the
 * run started with. Runs use the replay provider on the seed event and a follow-up event.
 */

const SEED_ID = 'a650d00f1aebde57';
const SEED_TITLE = 'Japan Unveils $550B U.S. Investment';
const FOLLOW_UP = `---
publishedAt: 2025-10-15
language: en
---
# JBIC signs first loan of the Tokyo-Washington facility

The Japan Bank for International Cooperation signed the first loan of its new facility, financing a
liquefied natural gas terminal in Louisiana. Officials in Tokyo said further projects would follow.
`;

let work: { dir: string; cleanup: () => void };
let followUpPath: string;
let followUpId: string;
let replay: string;

beforeAll(async () => {
  work = tempDir('threads-cli');
  followUpPath = join(work.dir, 'follow-up.md');
  writeFileSync(followUpPath, FOLLOW_UP);
  followUpId = (await readEvent({ path: followUpPath }, nodeEventReaders())).id;
  replay = replayRootFor(work.dir, [SEED_ID, followUpId]);
});
afterAll(() => work.cleanup());

const assess = (db: string, args: string[]): Promise<CapturedRun> => runCliCaptured([...args, '--db', db], { cwd: work.dir });
const run = (db: string, event: string, ...args: string[]): Promise<CapturedRun> =>
  assess(db, ['run', event, '--provider', 'replay', '--replay-dir', replay, '--no-progress', '--format', 'json', ...args]);

interface ThreadJson {
  id: string;
  title: string;
  events: number;
  link: { method: string; score: number | null; runnerUp: unknown; threadId: string };
}
interface ReportJson {
  runId: string;
  status: string;
  thread: ThreadJson | null;
}
const report = (r: CapturedRun): ReportJson => JSON.parse(r.stdout) as ReportJson;

/** The stored thread context of a run, parsed. */
function storedContext(db: string, runId: string) {
  return withRaw(db, (raw) => {
    const row = raw.prepare('SELECT thread_id, thread_context_json FROM runs WHERE id = ?').get(runId) as { thread_id: string | null; thread_context_json: string | null };
    return {
      threadId: row.thread_id,
      context: row.thread_context_json === null ? null : (JSON.parse(row.thread_context_json) as {
        thread: ThreadJson;
        evidence: { id: string; eventId: string; title: string; summary: string }[];
        memory: Record<string, unknown>;
        previousSynthesis: { runId: string } | null;
        warnings: string[];
      }),
    };
  });
}

/** One line on stderr, `assess: …`, exit 2: bad input, reported without a stack trace. */
function expectBadInput(r: { code: number | null; stderr: string; stdout: string }, message: string | RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(linesOf(r.stderr)).toHaveLength(1);
  if (typeof message === 'string') expect(r.stderr).toBe(`assess: ${message}\n`);
  else expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stdout).toBe('');
}

describe('run and threads', () => {
  const db = () => join(work.dir, 'story.db');
  let first: ReportJson;
  let again: ReportJson;
  let followUp: ReportJson;

  it('puts a new event in a new thread, names it in the report and stores the context with the run', async () => {
    const r = await run(db(), SEED_EVENT, '--agents', 'JP-01,US-01');
    expect(r.code, r.stderr).toBe(0);
    first = report(r);
    expect(first.thread).toMatchObject({ title: SEED_TITLE, events: 1, link: { method: 'new' } });
    expect(first.thread!.id).toMatch(/^th-[0-9a-f]{10}$/);
    expect(r.stderr).toContain(`thread ${first.thread!.id}: ${SEED_TITLE} (1 event(s); new)\n`);
    const stored = storedContext(db(), first.runId);
    expect(stored.threadId).toBe(first.thread!.id);
    expect(stored.context!.evidence.map((e) => [e.id, e.eventId])).toEqual([['E1', SEED_ID]]);
    expect(stored.context!.memory).toEqual({});
    expect(stored.context!.previousSynthesis).toBeNull();
    expect(stored.context!.thread).toEqual(first.thread);
  });

  it('keeps a re-run of the same event in its thread (existing) with no memory from itself; runs show names the thread', async () => {
    const r = await run(db(), SEED_EVENT, '--agents', 'JP-01,US-01');
    expect(r.code, r.stderr).toBe(0);
    again = report(r);
    expect(again.thread).toMatchObject({ id: first.thread!.id, events: 1, link: { method: 'existing' } });
    expect(storedContext(db(), again.runId).context!.memory).toEqual({});
    const shown = await assess(db(), ['runs', 'show', first.runId.slice(0, 8), '--format', 'json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(report(shown).thread).toEqual(first.thread);
  });

  it('--thread puts a follow-up in the thread: it is shown the earlier event (E2) and the last consolidated view', async () => {
    const r = await run(db(), followUpPath, '--agents', 'CN-01', '--thread', first.thread!.id.slice(0, 7));
    expect(r.code, r.stderr).toBe(0);
    followUp = report(r);
    expect(followUp.thread).toMatchObject({ id: first.thread!.id, title: SEED_TITLE, events: 2, link: { method: 'override', score: null } });
    const { context } = storedContext(db(), followUp.runId);
    expect(context!.evidence.map((e) => [e.id, e.eventId, e.title])).toEqual([
      ['E1', followUpId, 'JBIC signs first loan of the Tokyo-Washington facility'],
      ['E2', SEED_ID, SEED_TITLE],
    ]);
    expect(context!.evidence[1]!.summary.length).toBeLessThanOrEqual(600);
    // CN-01 never assessed the seed event: no memory; the consolidated view is the latest of the earlier event.
    expect(context!.memory).toEqual({});
    expect(context!.previousSynthesis!.runId).toBe(again.runId);
  });

  it('threads list: the thread with its events and runs, as JSON and as a table', async () => {
    const json = await assess(db(), ['threads', 'list', '--format', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const threads = JSON.parse(json.stdout) as { id: string; title: string; events: number; runs: number; lastEventAt: string; createdAt: string; active: boolean }[];
    expect(threads).toHaveLength(1);
    expect(threads[0]).toMatchObject({ id: first.thread!.id, title: SEED_TITLE, events: 2, runs: 3, lastEventAt: '2025-10-15T00:00:00.000Z' });
    const table = await assess(db(), ['threads', 'list']);
    expect(table.code).toBe(0);
    expect(linesOf(table.stdout)[0]).toMatch(/^THREAD\s+LAST EVENT\s+EVENTS\s+RUNS\s+RISK\s+TITLE$/);
    expect(table.stdout).toContain(first.thread!.id);
    expect(table.stdout).toContain(SEED_TITLE);
    const limited = await assess(db(), ['threads', 'list', '--limit', '0']);
    expectBadInput(limited, '--limit 0: expected a whole number of 1 or more');
  });

  it('threads show: events oldest first with runs and link decisions, stance histories, scenario histories', async () => {
    const json = await assess(db(), ['threads', 'show', first.thread!.id, '--format', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const view = JSON.parse(json.stdout) as {
      id: string;
      title: string;
      events: { eventId: string; title: string; publishedAt: string | null; runIds: string[]; link: { method: string } }[];
      stances: Record<string, { runId: string; stance: string }[]>;
      scenarios: { lineageId: string | null; name: string; history: { runId: string; probability: number }[] }[];
    };
    expect(view).toMatchObject({ id: first.thread!.id, title: SEED_TITLE });
    expect(view.events.map((e) => [e.eventId, e.publishedAt, e.runIds, e.link.method])).toEqual([
      [SEED_ID, '2025-09-26T00:00:00.000Z', [first.runId, again.runId], 'new'],
      [followUpId, '2025-10-15T00:00:00.000Z', [followUp.runId], 'override'],
    ]);
    expect(Object.keys(view.stances)).toEqual(['CN-01', 'JP-01', 'US-01']);
    expect(view.stances['JP-01']!.map((s) => s.runId)).toEqual([first.runId, again.runId]);
    expect(view.scenarios.length).toBeGreaterThan(0);
    // Every scenario point is a probability from a run of this thread.
    const runIds = new Set([first.runId, again.runId, followUp.runId]);
    for (const s of view.scenarios) for (const h of s.history) expect(runIds.has(h.runId) && h.probability >= 0 && h.probability <= 1).toBe(true);

    const md = await assess(db(), ['threads', 'show', first.thread!.id.slice(3, 9)]);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toContain(`# Thread ${first.thread!.id}: ${SEED_TITLE}`);
    expect(md.stdout).toContain(`1. 2025-09-26 · **${SEED_TITLE}** (\`${SEED_ID.slice(0, 8)}\`)`);
    expect(md.stdout).toContain('started a new thread');
    expect(md.stdout).toContain("put here by --thread or the feed's thread: setting");
    expect(md.stdout).toContain(`run \`${followUp.runId.slice(0, 8)}\``);
    expect(md.stdout).toMatch(/\| JP-01 \| \S+ \(\d{4}-\d{2}-\d{2}, [0-9a-f]{8}\) → \S+ /);
    expect(md.stdout).toMatch(/## Scenarios: pooled probability[\s\S]*\| [▁▂▃▄▅▆▇█]+ \|/);
  });
});

describe('overrides on run: bad input', () => {
  const db = () => join(work.dir, 'overrides.db');
  const runCount = () => withRaw(db(), (raw) => raw.prepare('SELECT COUNT(*) FROM runs').pluck().get());

  it('refuses an unknown thread, both overrides at once, and an override without the archive, before any run', async () => {
    const seeded = await run(db(), SEED_EVENT, '--agents', 'JP-01');
    expect(seeded.code, seeded.stderr).toBe(0);
    expectBadInput(await run(db(), SEED_EVENT, '--thread', 'th-0000000000'), 'unknown thread th-0000000000 (assess threads list shows them)');
    expectBadInput(await run(db(), SEED_EVENT, '--thread', 'zz z'), 'invalid thread id "zz z": expected th- and hex digits, e.g. th-3f2a9c');
    expectBadInput(await run(db(), SEED_EVENT, '--thread', report(seeded).thread!.id, '--new-thread'), 'give --thread ID or --new-thread, not both');
    expectBadInput(await run(db(), SEED_EVENT, '--new-thread', '--no-archive'), '--new-thread needs the archive (threads live there); drop --no-archive');
    expectBadInput(await run(db(), SEED_EVENT, '--thread', 'th-1', '--no-archive'), '--thread needs the archive (threads live there); drop --no-archive');
    // A batch refuses it too, before any of its runs.
    expectBadInput(await run(db(), SEED_EVENT, followUpPath, '--thread', 'th-0000000000'), 'unknown thread th-0000000000 (assess threads list shows them)');
    expect(runCount()).toBe(1);
  });

  it('--no-archive: no thread, and the report says so (thread: null)', async () => {
    const r = await run(db(), SEED_EVENT, '--agents', 'JP-01', '--no-archive');
    expect(r.code, r.stderr).toBe(0);
    expect(report(r).thread).toBeNull();
    expect(runCount()).toBe(1);
  });

  it('an event already in a thread stays there when --new-thread asks otherwise, and says so', async () => {
    const r = await run(db(), SEED_EVENT, '--agents', 'JP-01', '--new-thread');
    expect(r.code, r.stderr).toBe(0);
    expect(report(r).thread!.link.method).toBe('existing');
    expect(r.stderr).toMatch(/note: event a650d00f is already in thread th-[0-9a-f]{10}; not put in a new thread \(assess threads move a650d00f --to … moves it\)\n/);
  });

  it('--new-thread in a batch gives each event its own thread', async () => {
    const batchDb = join(work.dir, 'batch.db');
    const r = await assess(batchDb, ['run', SEED_EVENT, followUpPath, '--provider', 'replay', '--replay-dir', replay, '--no-progress', '--format', 'json', '--agents', 'JP-01', '--new-thread']);
    expect(r.code, r.stderr).toBe(0);
    const reports = linesOf(r.stdout).map((l) => JSON.parse(l) as ReportJson);
    expect(reports.map((x) => x.thread!.link.method)).toEqual(['override-new', 'override-new']);
    expect(new Set(reports.map((x) => x.thread!.id)).size).toBe(2);
    expect(r.stderr).toMatch(/1\/2 .* → run [0-9a-f-]{36}: ok .* · thread th-[0-9a-f]{10} \(override-new\)\n/);
  });
});

describe('threads merge and move', () => {
  const db = () => join(work.dir, 'regroup.db');
  let a: string;
  let b: string;
  let rowsBefore: unknown;
  const archived = () =>
    withRaw(db(), (raw) => ({
      runs: raw.prepare('SELECT id, event_id, thread_id, thread_context_json, status FROM runs ORDER BY id').all(),
      desks: raw.prepare('SELECT run_id, agent_id, round, assessment_json FROM desk_results ORDER BY run_id, agent_id').all(),
      syntheses: raw.prepare('SELECT run_id, version, risk_view_json FROM syntheses ORDER BY run_id').all(),
    }));
  const listed = async () => JSON.parse((await assess(db(), ['threads', 'list', '--format', 'json'])).stdout) as { id: string; events: number }[];

  it('merges B into A: one thread with both events; archived runs, assessments and syntheses unchanged', async () => {
    a = report(await run(db(), SEED_EVENT, '--agents', 'JP-01')).thread!.id;
    b = report(await run(db(), followUpPath, '--agents', 'JP-01', '--new-thread')).thread!.id;
    expect(a).not.toBe(b);
    rowsBefore = archived();
    const merged = await assess(db(), ['threads', 'merge', a, b.slice(0, 8)]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toBe(`merged ${b} into ${a}: 1 event(s) moved\n`);
    expect((await listed()).map((t) => [t.id, t.events])).toEqual([[a, 2]]);
    expect(archived()).toEqual(rowsBefore);
    // B's id still works, and says where it went.
    const shown = await assess(db(), ['threads', 'show', b, '--format', 'json']);
    expect(shown.code).toBe(0);
    expect((JSON.parse(shown.stdout) as { id: string }).id).toBe(a);
    expect(shown.stderr).toBe(`thread ${b} was merged into ${a}; using ${a}\n`);
  });

  it('moves an event to a new thread, recording the move; runs keep the thread they started in', async () => {
    const moved = await assess(db(), ['threads', 'move', followUpId.slice(0, 8), '--to', 'new']);
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout).toMatch(new RegExp(`^moved event ${followUpId} \\("JBIC signs first loan of the Tokyo-Washington facility"\\) from ${a} to a new thread th-[0-9a-f]{10}\\n$`));
    const threads = await listed();
    expect(threads.map((t) => t.events)).toEqual([1, 1]);
    expect(archived()).toEqual(rowsBefore);
    const view = JSON.parse((await assess(db(), ['threads', 'show', threads[0]!.id, '--format', 'json'])).stdout) as {
      events: { links: { method: string; detail: Record<string, unknown> }[] }[];
    };
    expect(view.events[0]!.links.map((l) => l.method)).toEqual(['override-new', 'merge', 'move']);
    expect(view.events[0]!.links[2]!.detail).toEqual({ from: a });
  });

  it('refuses merging a thread into itself, moving an event to its own thread, unknown ids and a move without --to: exit 2, one line', async () => {
    expectBadInput(await assess(db(), ['threads', 'merge', a, a]), `cannot merge thread ${a} into itself`);
    expectBadInput(await assess(db(), ['threads', 'move', SEED_ID, '--to', a]), `event ${SEED_ID} is already in thread ${a}`);
    expectBadInput(await assess(db(), ['threads', 'show', 'th-0000000000']), 'unknown thread th-0000000000 (assess threads list shows them)');
    expectBadInput(await assess(db(), ['threads', 'merge', a, 'th-0000000000']), 'unknown thread th-0000000000 (assess threads list shows them)');
    expectBadInput(await assess(db(), ['threads', 'move', 'ffffffff', '--to', 'new']), "unknown event ffffffff (assess threads show lists a thread's events)");
    expectBadInput(await assess(db(), ['threads', 'move', SEED_ID]), 'where to? give --to THREAD (an id, e.g. th-3f2a9c) or --to new');
    expect(archived()).toEqual(rowsBefore);
  });

  it('review commands on a missing archive say so in one line', async () => {
    expectBadInput(await assess(join(work.dir, 'none.db'), ['threads', 'list']), /^assess: .*none\.db: no archive here yet/);
  });
});

describe('resume', () => {
  it('gives the desks still to answer the memory and evidence stored when the run started, not the thread as it is now', async () => {
    const db = join(work.dir, 'resume.db');
    const seeded = report(await run(db, SEED_EVENT, '--agents', 'JP-01'));
    const partial = replayRootFor(work.dir, [SEED_ID, followUpId], { [followUpId]: ['desk-KR-01'] });
    const r = await assess(db, ['run', followUpPath, '--provider', 'replay', '--replay-dir', partial, '--no-progress', '--format', 'json', '--agents', 'CN-01,KR-01', '--thread', seeded.thread!.id]);
    expect(r.code, r.stderr).toBe(3);
    const runId = report(r).runId;
    const before = storedContext(db, runId);
    expect(before.context!.evidence.map((e) => e.eventId)).toEqual([followUpId, SEED_ID]);

    // Regroup: the seed event leaves the thread, so a fresh context would show no earlier event.
    expect((await assess(db, ['threads', 'move', SEED_ID, '--to', 'new'])).code).toBe(0);
    const resumed = await assess(db, ['resume', runId.slice(0, 8), '--replay-dir', replay, '--no-progress', '--format', 'json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(report(resumed).thread).toEqual(before.context!.thread);
    expect(storedContext(db, runId)).toEqual(before);
    // KR-01's resumed prompt still shows the seed event as E2.
    const messages = withRaw(db, (raw) =>
      raw
        .prepare("SELECT t.body FROM calls c JOIN texts t ON t.hash = c.messages_hash WHERE c.run_id = ? AND c.agent_id = 'KR-01' AND c.round = 1")
        .pluck()
        .all(runId),
    ) as string[];
    expect(messages.length).toBeGreaterThan(0);
    expect(messages[0]).toContain(SEED_TITLE);
  });
});

describe('the built CLI (dist/) on bad thread input', () => {
  it('exits 2 with one line and no stack trace', async () => {
    const db = join(work.dir, 'built.db');
    const seeded = await run(db, SEED_EVENT, '--agents', 'JP-01');
    const id = report(seeded).thread!.id;
    const cases: [string[], string][] = [
      [['threads', 'show', 'th-0000000000'], 'assess: unknown thread th-0000000000 (assess threads list shows them)\n'],
      [['threads', 'merge', id, id], `assess: cannot merge thread ${id} into itself\n`],
      [['threads', 'move', SEED_ID, '--to', id], `assess: event ${SEED_ID} is already in thread ${id}\n`],
    ];
    for (const [args, stderr] of cases) {
      const proc = await spawnCli([...args, '--db', db], {}, { usage: false, cwd: work.dir, killAfterMs: 30_000 });
      expect({ code: proc.code, stderr: proc.stderr, stdout: proc.stdout }).toEqual({ code: 2, stderr, stdout: '' });
    }
  });
});
