import { describe, expect, it, vi } from 'vitest';
import { openArchive } from '../src/archive/open-archive.js';
import { FIRST_RETRY_DELAY_MS, MAX_ITEM_ATTEMPTS, retryDelayMs } from '../src/feeds/item-attempts.js';
import { judgeRun, whyNoAssessment } from '../src/feeds/item-verdict.js';
import type { WatchConfig } from '../src/feeds/types.js';
import type { WatchEvent } from '../src/feeds/watcher.js';
import { SYNTHESIS, reply, type FakeLlm, type FakeLlmOptions } from './support/fake-apis.js';
import type { FixtureItem } from './support/feed-fixtures.js';
import {
  FEEDS,
  WATCH_STORIES,
  feedConfig,
  queryArchive,
  rowTitled,
  serveFakeLlm,
  useFeedServer,
  useMswServer,
  useWatchWorkspace,
  useWatchers,
  watchCli,
  watchRunOptions,
  writeFeedsFile,
} from './support/watch-harness.js';

/**
 * The watcher never loses a story: an item is done only when its archived run is an assessment
 * (ok, or degraded with a synthesis). A run that failed keeps the item queued and retries it with
 * backoff, continuing the same run; after MAX_ITEM_ATTEMPTS the item is `failed`, shown by `feeds
 * status` with the reason, until `assess feeds retry` puts it back. Feeds and the fake LLM are
 * served by msw; runs are archived in a throwaway SQLite file read back directly.
 */

const OPENAI_KEY = 'sk-test-watch-retry-5678';

const server = useMswServer();
const feeds = useFeedServer(server);
const work = useWatchWorkspace('watch-retry');
const cli = watchCli(OPENAI_KEY, work);
const { make: makeWatcher } = useWatchers({ openaiKey: OPENAI_KEY, work, runOptions: watchRunOptions(8), concurrency: 2 });

const STORY = {
  ...WATCH_STORIES,
  /** → no desk: skipped. */
  football: {
    title: 'Local football club wins cup final',
    summary: 'Fans celebrate in the city centre.',
    link: 'https://news.test/2025/10/cup-final',
    publishedAt: '2025-10-01T08:00:00Z',
  },
} satisfies Record<string, FixtureItem>;

const serveEconomy = (items: FixtureItem[] = [STORY.boj, STORY.jpUs]) => feeds.serveRss('/economy.rss', items);
const llm = (options: FakeLlmOptions = {}): FakeLlm => serveFakeLlm(server, options);
/** A provider outage: every model call answers 500. */
const outage = (): FakeLlm => llm({ defaultScript: reply.httpError(500, 'The server had an error while processing your request.') });
/** The outage is over: the feed and a healthy model again. */
const heal = (items?: FixtureItem[]): FakeLlm => {
  server.resetHandlers();
  serveEconomy(items);
  return llm();
};
const configFile = () => writeFeedsFile(work, `feeds:\n  - name: economy\n    url: ${FEEDS}/economy.rss\n`);

interface ItemRow {
  id: number;
  title: string;
  status: string;
  run_id: string | null;
  attempts: number;
  last_error: string | null;
  last_attempt_at: string | null;
  next_attempt_at: string | null;
  skip_reason: string | null;
}
const query = <T>(sql: string, ...params: unknown[]): T[] => queryArchive<T>(work, sql, ...params);
const items = () => query<ItemRow>('SELECT id, title, status, run_id, attempts, last_error, last_attempt_at, next_attempt_at, skip_reason FROM feed_items ORDER BY id');
const item = (title: string) => rowTitled(items(), title);
const runs = () => query<{ id: string; status: string }>('SELECT id, status FROM runs ORDER BY started_at');
/** Writes to the workspace's archive directly (what a test needs that no command does). */
const withDb = (use: (db: ReturnType<typeof openArchive>) => void): void => {
  const db = openArchive(work.dbPath);
  try {
    use(db);
  } finally {
    db.close();
  }
};
const assessed = () => query<{ n: number }>('SELECT items_assessed AS n FROM feeds')[0]?.n;
const counts = (fake: FakeLlm, from = 0): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const r of fake.requests.slice(from)) out[r.target] = (out[r.target] ?? 0) + 1;
  return out;
};

interface StatusJson {
  queue: Record<string, number>;
  retrying: { id: number; title: string; attempts: number; lastError: string; nextAttemptAt: string; runId: string }[];
  failed: { id: number; title: string; attempts: number; lastError: string; runId: string }[];
  maxAttempts: number;
}
const statusJson = async (config: string): Promise<StatusJson> => JSON.parse((await cli.feedsStatus(config, 'json')).stdout) as StatusJson;

// =============================================================================================

describe('a provider outage never costs a story', () => {
  it('every model call answers 500: no item is done, each waits to retry with the reason; healed, the next --once assesses every item to ok', async () => {
    serveEconomy();
    const down = outage();
    const config = configFile();

    const failing = await cli.watchOnce(config);

    expect(failing.code).toBe(3);
    // One try per item in one invocation: each desk asked once per item, no synthesis without a desk.
    expect(counts(down)).toEqual({ 'JP-01': 2, 'US-01': 1 });
    for (const row of items()) {
      expect(row.status, row.title).toBe('queued');
      expect(row.attempts, row.title).toBe(1);
      expect(row.run_id, row.title).not.toBeNull();
      expect(row.last_error, row.title).toMatch(/^run failed: no desk produced a valid assessment \(.*500/);
      // The first wait is FIRST_RETRY_DELAY_MS after the attempt.
      expect(Date.parse(row.next_attempt_at!) - Date.parse(row.last_attempt_at!), row.title).toBe(FIRST_RETRY_DELAY_MS);
    }
    expect(item(STORY.jpUs.title).last_error).toMatch(/\(JP-01, US-01: .*500/);
    expect(runs().map((r) => r.status)).toEqual(['failed', 'failed']);
    expect(assessed()).toBe(0);
    expect(failing.stderr).toMatch(/not assessed \(attempt 1 of 6\), retry at \d{4}-\d\d-\d\d \d\d:\d\d UTC: "Bank of Japan holds rates as yen weakens" → run \w{8} \(failed\): run failed: /);
    expect(failing.stderr).not.toMatch(/\bdone: /);

    const text = (await cli.feedsStatus(config)).stdout;
    expect(text).toContain('\nqueue: 0 waiting · 2 waiting to retry · 0 running · 0 done · 0 skipped · 0 failed\n');
    expect(text).toContain(`to retry (each item gets ${MAX_ITEM_ATTEMPTS} attempts, then fails):\n`);
    const jpUs = item(STORY.jpUs.title);
    expect(text).toMatch(new RegExp(String.raw`\n  #${jpUs.id} "${STORY.jpUs.title.replace(/[.$]/g, '\\$&')}" \(economy\) — 1 attempt, next \d{4}-\d\d-\d\d \d\d:\d\d: run failed: `));
    const json = await statusJson(config);
    expect(json.queue).toEqual({ queued: 0, retrying: 2, running: 0, done: 0, skipped: 0, failed: 0 });
    expect(json.retrying.map((r) => [r.title, r.attempts, r.runId])).toEqual(items().map((r) => [r.title, 1, r.run_id]));
    expect(json.failed).toEqual([]);

    // The outage is over. The next --once does not wait for the backoff (the cron schedule is the
    // backoff): it continues both failed runs, and both end ok.
    const failedRuns = runs().map((r) => r.id);
    const healthy = heal();
    const healed = await cli.watchOnce(config);

    expect(healed.code, healed.stderr).toBe(0);
    expect(counts(healthy)).toEqual({ 'JP-01': 2, 'US-01': 1, [SYNTHESIS]: 2 });
    expect(runs()).toEqual(failedRuns.map((id) => ({ id, status: 'ok' })));
    for (const row of items()) {
      expect(row.status, row.title).toBe('done');
      expect(failedRuns, row.title).toContain(row.run_id);
      expect(row.last_error, row.title).toBeNull();
    }
    expect(assessed()).toBe(2);
    expect(healed.stderr).toMatch(/done: "Bank of Japan holds rates as yen weakens" → run \w{8} \(ok, continued\)/);
    expect((await statusJson(config)).queue).toEqual({ queued: 0, retrying: 0, running: 0, done: 2, skipped: 0, failed: 0 });
  });

  it('a retried item continues its run: only what failed (a desk, the synthesis) is asked again', async () => {
    serveEconomy([STORY.jpUs]);
    // JP-01 answers; US-01 and the synthesizer are down.
    const partial = llm({ scripts: { 'US-01': reply.httpError(503, 'overloaded'), [SYNTHESIS]: reply.httpError(500, 'boom') } });
    const config = configFile();

    expect((await cli.watchOnce(config)).code).toBe(3);
    expect(counts(partial)).toEqual({ 'JP-01': 1, 'US-01': 1, [SYNTHESIS]: 1 });
    const first = item(STORY.jpUs.title);
    expect(first).toMatchObject({ status: 'queued', attempts: 1 });
    expect(first.last_error).toMatch(/^run failed: .*\(US-01: .*503/);
    expect(runs()).toEqual([{ id: first.run_id, status: 'failed' }]);

    const healthy = heal([STORY.jpUs]);
    expect((await cli.watchOnce(config)).code).toBe(0);
    // JP-01's assessment is kept; only US-01 and the synthesis are paid for again.
    expect(counts(healthy)).toEqual({ 'US-01': 1, [SYNTHESIS]: 1 });
    expect(runs()).toEqual([{ id: first.run_id, status: 'ok' }]);
    expect(item(STORY.jpUs.title)).toMatchObject({ status: 'done', attempts: 1, run_id: first.run_id });
  });
});

describe('reasons are archived without secrets', () => {
  it('a provider error echoing the key is masked in the item, the log and feeds status', async () => {
    // Not shaped like a key, so only masking the configured key's value catches it.
    const key = 'plain-secret-value-0451';
    const keyed = watchCli(key, work);
    serveEconomy([STORY.boj]);
    llm({ defaultScript: reply.httpError(500, `upstream rejected credential ${key} for this project`) });
    const config = configFile();

    const result = await keyed.watchOnce(config);
    expect(result.code).toBe(3);
    const row = item(STORY.boj.title);
    expect(row.last_error).toContain('upstream rejected credential [redacted] for this project');
    const status = await keyed.feedsStatus(config, 'json');
    for (const text of [row.last_error ?? '', result.stderr, status.stdout]) expect(text).not.toContain(key);
  });
});

describe('after the last attempt an item is failed until a person retries it', () => {
  it(`fails after ${MAX_ITEM_ATTEMPTS} attempts with the reason; feeds status lists it; feeds retry requeues it; then it is assessed`, async () => {
    serveEconomy([STORY.boj, STORY.football]);
    const down = outage();
    const config = configFile();

    for (let attempt = 1; attempt < MAX_ITEM_ATTEMPTS; attempt++) {
      expect((await cli.watchOnce(config)).code).toBe(3);
      expect(item(STORY.boj.title)).toMatchObject({ status: 'queued', attempts: attempt });
    }
    const last = await cli.watchOnce(config);
    expect(last.code).toBe(3);
    const boj = item(STORY.boj.title);
    expect(boj).toMatchObject({ status: 'failed', attempts: MAX_ITEM_ATTEMPTS, next_attempt_at: null });
    expect(boj.last_error).toMatch(/^run failed: no desk produced a valid assessment \(JP-01: .*500/);
    expect(last.stderr).toContain(`failed after ${MAX_ITEM_ATTEMPTS} attempt(s): "${STORY.boj.title}"`);
    expect(last.stderr).toContain(`(assess feeds retry ${boj.id})`);
    // One run, continued at each attempt; the desk was asked once per attempt.
    expect(runs()).toEqual([{ id: boj.run_id, status: 'failed' }]);
    expect(counts(down)).toEqual({ 'JP-01': MAX_ITEM_ATTEMPTS });

    // Failed is terminal: another --once does not touch it.
    expect((await cli.watchOnce(config)).code).toBe(0);
    expect(counts(down)).toEqual({ 'JP-01': MAX_ITEM_ATTEMPTS });

    const text = (await cli.feedsStatus(config)).stdout;
    expect(text).toContain('queue: 0 waiting · 0 waiting to retry · 0 running · 0 done · 1 skipped · 1 failed\n');
    expect(text).toContain('failed (`assess feeds retry <id>` or `assess feeds retry --all-failed` puts them back in the queue):\n');
    expect(text).toContain(`\n  #${boj.id} "${STORY.boj.title}" (economy) — ${MAX_ITEM_ATTEMPTS} attempts: run failed: no desk produced a valid assessment`);
    expect(text).toContain(`\n  [failed] ${STORY.boj.title} — failed after ${MAX_ITEM_ATTEMPTS} attempts: run failed: `);
    const json = await statusJson(config);
    expect(json.failed).toEqual([expect.objectContaining({ id: boj.id, title: STORY.boj.title, attempts: MAX_ITEM_ATTEMPTS, runId: boj.run_id, lastError: boj.last_error })]);

    // Bad requests change nothing: one line each, exit 2.
    const football = item(STORY.football.title);
    const refused = [
      [['feeds', 'retry', '999'], 'assess: no feed item 999 in this archive'],
      [['feeds', 'retry', String(football.id)], `assess: feed item ${football.id} is skipped, not failed; only failed items can be retried`],
      [['feeds', 'retry', 'abc'], 'assess: "abc" is not a feed item id (a number, as `assess feeds status` lists them, e.g. 12)'],
      [['feeds', 'retry'], 'assess: which items? give their ids (`assess feeds status` lists failed items) or --all-failed'],
      [['feeds', 'retry', String(boj.id), '--all-failed'], 'assess: give item ids or --all-failed, not both'],
      // A valid id next to an invalid one: nothing is requeued.
      [['feeds', 'retry', `#${boj.id}`, '999'], 'assess: no feed item 999 in this archive'],
    ] as const;
    for (const [args, line] of refused) {
      const r = await cli.run([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toBe(`${line}\n`);
    }
    expect(item(STORY.boj.title).status).toBe('failed');

    const retried = await cli.run(['feeds', 'retry', `#${boj.id}`]);
    expect(retried.code).toBe(0);
    expect(retried.stdout).toBe(`requeued #${boj.id} "${STORY.boj.title}" (economy); run ${boj.run_id!.slice(0, 8)} will be continued\n`);
    expect(item(STORY.boj.title)).toMatchObject({ status: 'queued', attempts: 0, next_attempt_at: null });
    // Retrying it again is refused: it is no longer failed.
    expect((await cli.run(['feeds', 'retry', String(boj.id)])).stderr).toBe(`assess: feed item ${boj.id} is queued, not failed; only failed items can be retried\n`);

    const healthy = heal([STORY.boj, STORY.football]);
    expect((await cli.watchOnce(config)).code).toBe(0);
    expect(counts(healthy)).toEqual({ 'JP-01': 1, [SYNTHESIS]: 1 });
    expect(runs()).toEqual([{ id: boj.run_id, status: 'ok' }]);
    expect(item(STORY.boj.title).status).toBe('done');
    expect(assessed()).toBe(1);
  });

  it('feeds retry --all-failed requeues every failed item; with none it says so', async () => {
    serveEconomy();
    outage();
    const config = configFile();
    for (let attempt = 0; attempt < MAX_ITEM_ATTEMPTS; attempt++) await cli.watchOnce(config);
    expect(items().map((r) => r.status)).toEqual(['failed', 'failed']);

    const all = await cli.run(['feeds', 'retry', '--all-failed']);
    expect(all.code).toBe(0);
    expect(all.stdout.trim().split('\n')).toHaveLength(2);
    expect(all.stderr).toBe(`2 item(s) back in the queue with ${MAX_ITEM_ATTEMPTS} fresh attempts; the next \`assess watch\` assesses them\n`);
    expect(items().map((r) => [r.status, r.attempts])).toEqual([
      ['queued', 0],
      ['queued', 0],
    ]);

    const none = await cli.run(['feeds', 'retry', '--all-failed']);
    expect(none).toMatchObject({ code: 0, stdout: '', stderr: 'no failed feed items; nothing to retry\n' });
  });
});

describe('the long-running loop respects the backoff', () => {
  it('an item waiting for its next attempt is not claimed early, and the loop wakes up for it when it is due (fake clock)', async () => {
    // boj (JP-01) fails at once; rareEarths (CN-01) answers after 8 s, which wakes the loop then
    // and so shifts its once-a-minute naps off the retry's time: only a wake-up timed for the
    // retry claims it on the dot.
    const rareEarths = { title: 'China tightens rare earths export control', summary: 'Beijing adds licensing rules.', link: 'https://asia.test/re', publishedAt: '2025-10-01T05:00:00Z' };
    serveEconomy([STORY.boj, rareEarths]);
    const first = llm({ scripts: { 'JP-01': reply.httpError(500, 'down'), 'CN-01': reply.slow(8_000) } });
    const start = new Date('2025-10-01T09:00:00.000Z');
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], shouldAdvanceTime: false, now: start });
    const db = openArchive(work.dbPath);
    // setImmediate is real: lets msw, fetch and the watcher's promise chains finish.
    const settle = async (until: () => boolean) => {
      for (let i = 0; i < 500 && !until(); i++) await new Promise((resolve) => setImmediate(resolve));
    };
    const row = (title: string) =>
      db.prepare('SELECT status, attempts, next_attempt_at AS next FROM feed_items WHERE title = ?').get(title) as { status: string; attempts: number; next: string };
    const dueAt = start.getTime() + retryDelayMs(1);
    try {
      const config: WatchConfig = { feeds: [feedConfig('economy', '/economy.rss', { schedule: { everyMs: 60 * 60_000 } })] };
      const watcher = makeWatcher(db, config);
      const running = watcher.run();
      await settle(() => row(STORY.boj.title)?.attempts === 1);
      expect(row(STORY.boj.title)).toEqual({ status: 'queued', attempts: 1, next: new Date(dueAt).toISOString() });

      await vi.advanceTimersByTimeAsync(8_000);
      await settle(() => row(rareEarths.title).status === 'done');
      expect(row(rareEarths.title).status).toBe('done');
      expect(counts(first)).toEqual({ 'JP-01': 1, 'CN-01': 1, [SYNTHESIS]: 1 });

      // Healed; one second before the item is due the loop has woken up several times but left it alone.
      const healthy = heal([STORY.boj, rareEarths]);
      await vi.advanceTimersByTimeAsync(dueAt - 1_000 - Date.now());
      await settle(() => healthy.requests.length > 0);
      expect(healthy.requests).toHaveLength(0);
      expect(row(STORY.boj.title).status).toBe('queued');

      // Due: taken within the next second, not at the loop's next once-a-minute nap.
      await vi.advanceTimersByTimeAsync(2_000);
      await settle(() => row(STORY.boj.title).status === 'done');
      expect(row(STORY.boj.title).status).toBe('done');
      expect(counts(healthy)).toEqual({ 'JP-01': 1, [SYNTHESIS]: 1 });

      await watcher.stop(200);
      await running;
    } finally {
      vi.useRealTimers();
      db.close();
    }
  });
});

describe('an error while assessing counts as an attempt', () => {
  it('an item whose assessment throws is not retried in a loop: one attempt per try, with the error as reason', async () => {
    serveEconomy([STORY.boj]);
    outage();
    const config = configFile();
    expect((await cli.watchOnce(config)).code).toBe(3);
    const boj = item(STORY.boj.title);
    // The archived run cannot be read back any more (as after a bad manual edit): continuing it throws.
    withDb((db) => db.prepare("UPDATE runs SET desks_json = 'not json' WHERE id = ?").run(boj.run_id));
    heal([STORY.boj]);

    const errors: Extract<WatchEvent, { type: 'item-error' }>[] = [];
    const db = openArchive(work.dbPath);
    try {
      const watcher = makeWatcher(
        db,
        { feeds: [feedConfig('economy', '/economy.rss')] },
        {
          onEvent: (e) => {
            if (e.type !== 'item-error') return;
            errors.push(e);
            // Safety valve should the loop come back: with msw in-process it never yields to timers.
            if (errors.length >= 3) watcher.abortNow();
          },
        },
      );
      await watcher.once();
    } finally {
      db.close();
    }

    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ itemId: boj.id, attempt: { status: 'queued', attempts: 2 } });
    expect(errors[0]!.error).toMatch(/JSON/);
    expect(item(STORY.boj.title)).toMatchObject({ status: 'queued', attempts: 2 });
    expect(item(STORY.boj.title).last_error).toMatch(/^error: .*JSON/);
  });
});

describe('a crash counts as an attempt', () => {
  it('items a dead process left running are requeued due at once, one attempt each; on the last attempt they fail', async () => {
    serveEconomy();
    llm();
    const config = configFile();
    expect((await cli.watchOnce(config)).code).toBe(0);
    // What a killed process leaves: items `running`, their runs owned by a dead pid; one of them
    // has used all but one of its attempts.
    const db = openArchive(work.dbPath);
    const events: WatchEvent[] = [];
    try {
      db.prepare("UPDATE feed_items SET status = 'running'").run();
      db.prepare("UPDATE runs SET status = 'running', pid = ?").run(2 ** 22 + 4321);
      db.prepare('UPDATE feed_items SET attempts = ? WHERE title = ?').run(MAX_ITEM_ATTEMPTS - 1, STORY.boj.title);
      makeWatcher(db, { feeds: [] }, { onEvent: (e) => events.push(e) }).recoverInterrupted();
    } finally {
      db.close();
    }
    expect(events).toEqual([{ type: 'requeued-after-crash', count: 2, failed: 1 }]);
    expect(item(STORY.jpUs.title)).toMatchObject({ status: 'queued', attempts: 1 });
    const jpUs = item(STORY.jpUs.title);
    expect(jpUs.next_attempt_at).toBe(jpUs.last_attempt_at);
    expect(item(STORY.boj.title)).toMatchObject({
      status: 'failed',
      attempts: MAX_ITEM_ATTEMPTS,
      last_error: 'interrupted: the watcher process assessing it ended (crash or kill)',
    });
  });
});

describe('the verdict on a run', () => {
  const run = (over: Partial<Parameters<typeof judgeRun>[0]>): Parameters<typeof judgeRun>[0] => ({
    status: 'ok',
    synthesis: null,
    synthesisError: null,
    failures: [],
    ...over,
  });
  // A stand-in: judgeRun only asks whether there is one.
  const view = {} as NonNullable<Parameters<typeof judgeRun>[0]['synthesis']>;
  const budgetStop = { failures: [{ agentId: 'US-01', kind: 'budget' as const, reason: 'budget reached: $0.02 spent of $0.01 allowed' }] };
  const verdict = (over: Partial<Parameters<typeof judgeRun>[0]>, dailyBudgetReached = false) => judgeRun(run(over), { dailyBudgetReached });

  it('done only for ok, or degraded with a synthesis', () => {
    expect(verdict({ status: 'ok', synthesis: view })).toEqual({ kind: 'done' });
    expect(verdict({ status: 'degraded', synthesis: view })).toEqual({ kind: 'done' });
    expect(verdict({ status: 'cancelled' })).toEqual({ kind: 'requeue' });
    expect(verdict({ status: 'failed', synthesisError: 'no desk produced a valid assessment' }).kind).toBe('attempt-failed');
    expect(verdict({ status: 'incomplete' }).kind).toBe('attempt-failed');
  });

  it('a budget stop without a synthesis: deferred while the daily budget is reached, else failed at once', () => {
    expect(verdict({ status: 'degraded', ...budgetStop }, true)).toMatchObject({ kind: 'defer' });
    expect(verdict({ status: 'failed', ...budgetStop }, true)).toMatchObject({ kind: 'defer' });
    expect(verdict({ status: 'degraded', ...budgetStop }, false)).toMatchObject({ kind: 'give-up' });
    // A run without a budget stop is an ordinary failed attempt, daily budget or not.
    expect(verdict({ status: 'failed' }, true)).toMatchObject({ kind: 'attempt-failed' });
  });

  it('the reason names what failed, desks with the same reason together, in one bounded line', () => {
    const reason = whyNoAssessment(
      run({
        status: 'failed',
        synthesisError: 'no desk produced a valid assessment',
        failures: [
          { agentId: 'JP-01', kind: 'provider', reason: 'HTTP 500\nupstream' },
          { agentId: 'US-01', kind: 'provider', reason: 'HTTP 500\nupstream' },
          { agentId: 'CN-01', kind: 'refusal', reason: 'x'.repeat(1_000) },
        ],
      }),
    );
    expect(reason.startsWith('run failed: no desk produced a valid assessment (JP-01, US-01: HTTP 500 upstream; CN-01: xxx')).toBe(true);
    expect(reason).toHaveLength(400);
    expect(reason.endsWith('…')).toBe(true);
  });
});

describe('the backoff', () => {
  it('doubles from 5 minutes and is capped at 6 hours', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n) / 60_000)).toEqual([5, 10, 20, 40, 80]);
    expect(retryDelayMs(8)).toBe(6 * 3_600_000);
    expect(retryDelayMs(1_000)).toBe(6 * 3_600_000);
  });
});
