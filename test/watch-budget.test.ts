import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WatcherSpend, utcDay } from '../src/feeds/daily-budget.js';
import type { WatchConfig } from '../src/feeds/types.js';
import type { WatchEvent } from '../src/feeds/watcher.js';
import type { RunOptions } from '../src/pipeline/run-event.js';
import { withRaw } from './support/archive-fixtures.js';
import { DEFAULT_USAGE, SYNTHESIS, reply, type FakeLlm, type FakeLlmOptions } from './support/fake-apis.js';
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
 * The watcher's daily budget (`budget:` in the feeds file): feeds served by msw at
 * https://feeds.test/, desks and synthesizer answered by the fake OpenAI endpoint at fixed usage
 * (priced as gpt-4.1), runs archived in a throwaway SQLite file read back directly. The clock is
 * injected into the Watcher to cross a UTC day; calls are stamped with the real time, so "today"
 * is the real today.
 */

const OPENAI_KEY = 'sk-test-budget-watch-1234';

/** One desk call at the fake's default usage, as gpt-4.1 ($2 in, $8 out per million): $0.0192. */
const DESK_COST = (DEFAULT_USAGE.desk.input * 2 + DEFAULT_USAGE.desk.output * 8) / 1e6;
const DESK_TOKENS = DEFAULT_USAGE.desk.input + DEFAULT_USAGE.desk.output;
const DAY_MS = 86_400_000;

const server = useMswServer();
const feeds = useFeedServer(server);
const work = useWatchWorkspace('watch-budget');
const cli = watchCli(OPENAI_KEY, work);
// One desk at a time within a run, so a run's desks are asked in order. `onceWith` runs `once()`
// on a fresh connection to the archive (a new process, as far as the watcher knows).
const { once: onceWith } = useWatchers({ openaiKey: OPENAI_KEY, work, runOptions: watchRunOptions(1), concurrency: 1 });

const STORY = WATCH_STORIES;

/** Both stories in the one feed every test polls: `jpUs` (older) is assessed first. */
const serveEconomy = (items: FixtureItem[] = [STORY.boj, STORY.jpUs]) => feeds.serveRss('/economy.rss', items);
const llm = (options: FakeLlmOptions = {}): FakeLlm => serveFakeLlm(server, options);

/** A feeds file with the economy feed and the given `budget:` section (YAML, newline-terminated). */
const writeBudgetConfig = (budget: string): string =>
  writeFeedsFile(
    work,
    `feeds:
  - name: economy
    url: ${FEEDS}/economy.rss
${budget}`,
  );

const watchOnce = (config: string, extra: string[] = []) => cli.watchOnce(config, ['--runs', '1', '--concurrency', '1', ...extra]);
const statusJson = async <T>(config: string): Promise<T> => JSON.parse((await cli.feedsStatus(config, 'json')).stdout) as T;

interface ItemRow {
  title: string;
  status: string;
  run_id: string | null;
  skip_reason: string | null;
}
const query = <T>(sql: string, ...params: unknown[]): T[] => queryArchive<T>(work, sql, ...params);
const items = () => query<ItemRow>('SELECT title, status, run_id, skip_reason FROM feed_items ORDER BY id');
const item = (title: string): ItemRow => rowTitled(items(), title);
const runStatus = (id: string | null) => query<{ status: string }>('SELECT status FROM runs WHERE id = ?', id)[0]?.status;
const deskResults = (runId: string | null) =>
  query<{ agent_id: string; status: string; failure_kind: string | null; failure_reason: string | null }>(
    'SELECT agent_id, status, failure_kind, failure_reason FROM desk_results WHERE run_id = ? ORDER BY agent_id',
    runId,
  );
const targets = (fake: FakeLlm) => fake.requests.map((r) => r.target);
/** A run's desk results when JP-01 answered and the budget stopped US-01 (with `reason`) before it was asked. */
const jpAnsweredUsStopped = (reason: string) => [
  { agent_id: 'JP-01', status: 'ok', failure_kind: null, failure_reason: null },
  { agent_id: 'US-01', status: 'failed', failure_kind: 'budget', failure_reason: reason },
];

const budgetEvents = (events: WatchEvent[]) =>
  events.filter((e): e is Extract<WatchEvent, { type: 'budget-reached' }> => e.type === 'budget-reached');

/**
 * The line the CLI prints once when the cost budget of the first test is reached: both items wait,
 * the one whose run the budget stopped and the one that never started.
 */
const COST_REACHED_LINE = /^\d\d:\d\d:\d\d daily budget reached: \$0\.0192 of \$0\.0150; 2 item\(s\) deferred until 00:00 UTC$/m;

// =============================================================================================

describe('assess watch with a daily budget', () => {
  it('the run that crosses the limit ends degraded and its item waits (queued, not done); the next item too, said once; status shows the spend', async () => {
    serveEconomy();
    // A run outside the watcher, on the same archive and day: not the watcher's spend.
    const other = llm();
    // Another story: the seed event is the watcher's first story told earlier, and would give the
    // watcher's JP-01 its memory (and ask the fake for an update section it does not write).
    const manual = await cli.run(['run', '--title', 'Brazil coffee harvest hit by frost', '--text', 'Frost damaged arabica plantations in Minas Gerais.', '--agents', 'JP-01', '--no-progress', '--format', 'json']);
    expect(manual.code, manual.stderr).toBe(0);
    expect(targets(other)).toEqual(['JP-01', SYNTHESIS]);
    server.resetHandlers();
    serveEconomy();

    const fake = llm();
    const config = writeBudgetConfig(`budget:
  maxCostPerDay: 0.015
`);
    const result = await watchOnce(config);

    // First item (JP-01, US-01): JP-01's call ($0.0192) crosses $0.015, so US-01 and the synthesis
    // never start. Without a synthesis the run is no assessment: the item stays queued with its run,
    // to be continued after 00:00 UTC (not counted as a failed attempt).
    expect(targets(fake)).toEqual(['JP-01']);
    const first = item(STORY.jpUs.title);
    expect(first.status).toBe('queued');
    expect(first.run_id).not.toBeNull();
    expect(query('SELECT attempts, last_error FROM feed_items WHERE run_id = ?', first.run_id)).toEqual([{ attempts: 0, last_error: null }]);
    expect(runStatus(first.run_id)).toBe('degraded');
    expect(result.stderr).toMatch(
      /\d deferred: "Japan and U\.S\. agree on \$550B investment package" → run \w{8} \(degraded\): the daily budget stopped it before the synthesis; continued after 00:00 UTC\n/,
    );
    expect(deskResults(first.run_id)).toEqual(jpAnsweredUsStopped('budget reached: $0.0192 spent of $0.0150 allowed'));
    // The run was given what remained of the day.
    const options = JSON.parse(query<{ options_json: string }>('SELECT options_json FROM runs WHERE id = ?', first.run_id)[0]!.options_json) as RunOptions;
    expect(options.budget).toEqual({ maxCostUsd: 0.015 });

    // Second item: not assessed, not failed, not done: waiting in the queue without a run.
    expect(item(STORY.boj.title)).toEqual({ title: STORY.boj.title, status: 'queued', run_id: null, skip_reason: null });
    expect(result.stderr.match(/daily budget reached/g)).toHaveLength(1);
    expect(result.stderr).toMatch(COST_REACHED_LINE);
    expect(result.code).toBe(3); // the degraded run

    const status = await cli.feedsStatus(config);
    expect(status.code).toBe(0);
    const today = new Date().toISOString().slice(0, 10);
    expect(status.stdout).toContain(
      `\nbudget today (${today} UTC): $0.0192 of $0.0150 · 4,200 tokens — reached; queued items wait until 00:00 UTC\n`,
    );
    expect(status.stdout).toContain('queue: 2 waiting · 0 waiting to retry · 0 running · 0 done · 0 skipped · 0 failed');
    const json = await statusJson<{ budget: unknown }>(config);
    expect(json.budget).toEqual({
      day: today,
      maxCostPerDay: 0.015,
      maxTokensPerDay: null,
      spentUsd: 0.0192,
      spentTokens: DESK_TOKENS,
      calls: 1,
      unpricedCalls: 0,
      reached: '$0.0192 of $0.0150',
    });

    // A second start the same day (a new process on the same archive) still sees the day's spend.
    const again = await watchOnce(config);
    expect(targets(fake)).toEqual(['JP-01']);
    expect(again.stderr).toMatch(COST_REACHED_LINE);
    expect(again.code).toBe(0);
    expect(item(STORY.boj.title).status).toBe('queued');
    expect(item(STORY.jpUs.title).status).toBe('queued');
  });

  it('watch --max-tokens caps each run on its own (no daily budget): both items run, each stops after one desk and fails, not done', async () => {
    serveEconomy();
    const fake = llm();
    const config = writeFeedsFile(work, `feeds:\n  - name: economy\n    url: ${FEEDS}/economy.rss\n`);
    const result = await watchOnce(config, ['--max-tokens', String(DESK_TOKENS)]);
    expect(result.code, result.stderr).toBe(3);
    // Each run: its first desk spends the run's tokens; its second desk and the synthesis never start.
    expect(targets(fake).filter((t) => t === SYNTHESIS)).toHaveLength(0);
    for (const title of [STORY.jpUs.title, STORY.boj.title]) {
      const row = item(title);
      // No synthesis, so no assessment; retrying would spend the run's budget again, so the item
      // fails at once with the reason, for a person to retry (or not).
      expect(row.status).toBe('failed');
      expect(runStatus(row.run_id)).toBe('degraded');
      const results = deskResults(row.run_id);
      expect(results.filter((r) => r.status === 'ok')).toHaveLength(1);
      expect(results.filter((r) => r.failure_kind === 'budget').length).toBe(results.length - 1);
    }
    expect(query('SELECT DISTINCT last_error AS e FROM feed_items')).toEqual([
      {
        e: "the run's budget stopped it before the synthesis (budget reached: 4,200 tokens spent of 4,200 allowed); `assess feeds retry` continues it with a fresh run budget",
      },
    ]);
    expect(query('SELECT SUM(items_assessed) AS n FROM feeds')).toEqual([{ n: 0 }]);
    expect(result.stderr).not.toContain('daily budget reached');
  });

  it('a restarted Watcher still sees the day’s spend; each next UTC day continues the stopped run where it stopped, until it is assessed', async () => {
    serveEconomy();
    const fake = llm();
    const config: WatchConfig = { feeds: [feedConfig('economy', '/economy.rss')], budget: { maxCostUsd: 0.015 } };
    const realNow = () => new Date();
    const dayLater = (days: number) => () => new Date(Date.now() + days * DAY_MS);

    const day1 = await onceWith(config, { now: realNow });
    expect(targets(fake)).toEqual(['JP-01']);
    const first = item(STORY.jpUs.title);
    expect(first).toMatchObject({ status: 'queued' });
    expect(runStatus(first.run_id)).toBe('degraded');
    expect(item(STORY.boj.title)).toMatchObject({ status: 'queued', run_id: null });
    const reached = budgetEvents(day1);
    expect(reached).toHaveLength(1);
    expect(reached[0]).toMatchObject({
      day: utcDay(new Date()).date,
      deferred: 2,
      limits: { maxCostUsd: 0.015 },
      spend: { costUsd: DESK_COST, tokens: DESK_TOKENS, calls: 1, unpricedCalls: 0 },
      message: 'daily budget reached: $0.0192 of $0.0150; 2 item(s) deferred until 00:00 UTC',
    });
    expect(day1.filter((e) => e.type === 'item-started')).toHaveLength(1);

    // Restart, same day: nothing is asked of any model.
    const restart = await onceWith(config, { now: realNow });
    expect(targets(fake)).toEqual(['JP-01']);
    expect(budgetEvents(restart).map((e) => e.message)).toEqual(['daily budget reached: $0.0192 of $0.0150; 2 item(s) deferred until 00:00 UTC']);
    expect(restart.filter((e) => e.type === 'item-started')).toEqual([]);
    expect(item(STORY.boj.title).status).toBe('queued');

    // The next UTC day: the stopped run is continued (oldest item first): only its missing desk,
    // which reaches that day's limit before the synthesis, so it waits another day.
    const day2 = await onceWith(config, { now: dayLater(1) });
    expect(targets(fake)).toEqual(['JP-01', 'US-01']);
    expect(item(STORY.jpUs.title)).toMatchObject({ status: 'queued', run_id: first.run_id });
    expect(day2.flatMap((e) => (e.type === 'item-finished' ? [[e.outcome.outcome, e.outcome.continued]] : []))).toEqual([['deferred', true]]);

    // The day after: only the synthesis is left. It crosses that day's limit too, so the pipeline
    // calls the run degraded, but it has its synthesis: an assessment, and the item is done. The
    // second item waits, as that day's limit is reached again.
    await onceWith(config, { now: dayLater(2) });
    expect(targets(fake)).toEqual(['JP-01', 'US-01', SYNTHESIS]);
    expect(item(STORY.jpUs.title)).toMatchObject({ status: 'done', run_id: first.run_id });
    expect(runStatus(first.run_id)).toBe('degraded');
    expect(query('SELECT COUNT(*) AS n FROM syntheses WHERE run_id = ? AND risk_view_json IS NOT NULL', first.run_id)).toEqual([{ n: 1 }]);
    expect(deskResults(first.run_id).map((d) => [d.agent_id, d.status])).toEqual([
      ['JP-01', 'ok'],
      ['US-01', 'failed'],
      ['US-01', 'ok'],
    ]);
    expect(item(STORY.boj.title)).toMatchObject({ status: 'queued', run_id: null });
    expect(query('SELECT COUNT(*) AS n FROM runs')).toEqual([{ n: 1 }]);
    expect(query('SELECT items_assessed FROM feeds')).toEqual([{ items_assessed: 1 }]);

    // What each day spent, read back from the archive as feeds status does: calls are stamped
    // with the watcher's clock.
    withRaw(work.dbPath, (db) => {
      const spend = new WatcherSpend(db);
      const onDay = (days: number) => spend.on(utcDay(dayLater(days)()));
      expect(onDay(0)).toMatchObject({ costUsd: DESK_COST, tokens: DESK_TOKENS, calls: 1 });
      expect(onDay(1)).toMatchObject({ costUsd: DESK_COST, tokens: DESK_TOKENS, calls: 1 });
      expect(onDay(2)).toMatchObject({ tokens: DEFAULT_USAGE.synthesis.input + DEFAULT_USAGE.synthesis.output, calls: 1 });
      expect(onDay(3)).toMatchObject({ costUsd: 0, tokens: 0, calls: 0 });
    });
  });

  it('with several runs in flight the day’s total stops every run: only calls already sent overshoot', async () => {
    serveEconomy();
    // Both items go to JP-01 then US-01. The first item's JP-01 answer is slow, so the second
    // item's run spends past the limit while that call is in flight.
    const fake = llm({
      defaultScript: ({ target, request }) =>
        target === 'JP-01' && request.messages[0]?.content.includes(STORY.jpUs.title) ? reply.slow(500) : undefined,
    });
    const config: WatchConfig = { feeds: [feedConfig('economy', '/economy.rss', { agents: ['JP-01', 'US-01'] })], budget: { maxCostUsd: 0.03 } };

    const events = await onceWith(config, { concurrency: 2 });

    expect(events.filter((e) => e.type === 'item-started')).toHaveLength(2);
    // Second item: JP-01 ($0.0192) then US-01 (total $0.0384 ≥ $0.03): its synthesis does not start.
    const fast = item(STORY.boj.title);
    expect(runStatus(fast.run_id)).toBe('degraded');
    expect(deskResults(fast.run_id).map((d) => [d.agent_id, d.status])).toEqual([
      ['JP-01', 'ok'],
      ['US-01', 'ok'],
    ]);
    // First item: its JP-01 call was in flight when the limit was crossed and is paid for; its
    // US-01 never starts, although this run alone had spent less than $0.03.
    const slow = item(STORY.jpUs.title);
    expect(runStatus(slow.run_id)).toBe('degraded');
    expect(deskResults(slow.run_id)).toEqual(jpAnsweredUsStopped('budget reached: $0.0192 spent of $0.0000 allowed'));
    // Neither run has a synthesis: both items wait for the next day, their runs kept for it.
    expect([fast.status, slow.status]).toEqual(['queued', 'queued']);
    expect(fake.requestsFor('JP-01')).toHaveLength(2);
    expect(fake.requestsFor('US-01')).toHaveLength(1);
    expect(fake.requestsFor(SYNTHESIS)).toHaveLength(0);
    const spent = query<{ cost: number }>('SELECT SUM(cost_usd) AS cost FROM calls')[0]!.cost;
    expect(spent).toBeCloseTo(3 * DESK_COST, 10);
  });

  it('a token budget works on models without a known price, whose cost is reported as unknown', async () => {
    serveEconomy();
    const fake = llm();
    const config = writeBudgetConfig(`budget: { maxTokensPerDay: ${DESK_TOKENS + 800} }
`);
    const result = await watchOnce(config, ['--model', 'llama3.1:8b']);

    // 4,200 tokens after JP-01 (under 5,000), 8,400 after US-01: the synthesis does not start.
    expect(targets(fake)).toEqual(['JP-01', 'US-01']);
    expect(runStatus(item(STORY.jpUs.title).run_id)).toBe('degraded');
    expect(item(STORY.boj.title).status).toBe('queued');
    expect(result.stderr).toMatch(/ daily budget reached: 8,400 of 5,000 tokens; 2 item\(s\) deferred until 00:00 UTC\n/);
    expect(result.code).toBe(3);

    const status = await cli.feedsStatus(config);
    expect(status.stdout).toMatch(
      /\nbudget today \(\d{4}-\d\d-\d\d UTC\): cost unknown \(2 call\(s\) at unknown prices\) · 8,400 of 5,000 tokens — reached; queued items wait until 00:00 UTC\n/,
    );
    const json = await statusJson<{ budget: Record<string, unknown> }>(config);
    expect(json.budget).toMatchObject({ spentUsd: null, spentTokens: 2 * DESK_TOKENS, calls: 2, unpricedCalls: 2, maxCostPerDay: null, maxTokensPerDay: 5000 });
  });

  it('maxCostPerDay with a model of unknown price: refused with one line, exit 2, nothing fetched or archived', async () => {
    const fake = llm();
    serveEconomy([STORY.jpUs]);
    const config = writeBudgetConfig(`budget:
  maxCostPerDay: 5.00
  maxTokensPerDay: 2000000
`);
    const result = await watchOnce(config, ['--model', 'llama3.1:8b']);

    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      `assess: ${config}: budget.maxCostPerDay needs known prices; no price for llama3.1:8b (use budget.maxTokensPerDay instead)`,
    ]);
    expect(feeds.hits.length).toBe(0);
    expect(fake.requests).toHaveLength(0);
    expect(existsSync(work.dbPath)).toBe(false);
  });
});
