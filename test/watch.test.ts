import { existsSync } from 'node:fs';
import { join } from 'node:path';
import DatabaseConstructor from 'better-sqlite3';
import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openArchive } from '../src/archive/open-archive.js';
import type { WatchConfig } from '../src/feeds/types.js';
import type { WatchEvent } from '../src/feeds/watcher.js';
import type { CapturedRun } from './support/cli-io.js';
import { SYNTHESIS, reply, type FakeLlm, type FakeLlmOptions } from './support/fake-apis.js';
import { FEED_CONTENT_TYPES, jsonFeed, rssFeed, type FixtureItem } from './support/feed-fixtures.js';
import type { FeedRow } from '../src/feeds/watch-store.js';
import {
  FEEDS,
  WATCH_STORIES,
  feedBody as body,
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
  watcherHttp,
  writeFeedsFile,
} from './support/watch-harness.js';

/**
 * `assess watch` end to end: feeds served by msw at https://feeds.test/, desks and synthesizer
 * answered by the fake OpenAI endpoint (recorded outputs), runs archived in a throwaway SQLite
 * file that the tests then read directly. Most tests go through the CLI (`watch --once`,
 * `feeds status`); shutdown, timeouts and the scheduler drive the Watcher class, which the CLI
 * only wraps. The shared set-up is in support/watch-harness.ts.
 */

const OPENAI_KEY = 'sk-test-1234567890';

const server = useMswServer();

// ---------------------------------------------------------------------------------------------
// Stories. Routing (agents: auto) checked against the shipped desks with routeItem.

const STORY = {
  ...WATCH_STORIES,
  /** → CN-01 */
  rareEarths: {
    title: 'China tightens rare earths export control',
    summary: 'Beijing adds licensing requirements for processing technology.',
    link: 'https://asia.test/china/rare-earths',
    publishedAt: '2025-10-01T05:00:00Z',
  },
  /** → KR-01, US-01 */
  shipbuilding: {
    title: 'Seoul and Washington discuss shipbuilding cooperation',
    summary: 'Korean yards offer capacity to the U.S. Navy.',
    link: 'https://asia.test/korea/shipbuilding',
    publishedAt: '2025-10-01T04:00:00Z',
  },
  /** → no desk */
  football: {
    title: 'Local football club wins cup final',
    summary: 'Fans celebrate in the city centre.',
    link: 'https://news.test/2025/10/cup-final',
    publishedAt: '2025-10-01T08:00:00Z',
  },
  /** → JP-01, US-01 by keywords, but "sports" is a typical exclude word. */
  skiTariff: {
    title: 'Japan sports ministry announces tariff on ski equipment',
    summary: 'A levy on imported skis.',
    link: 'https://news.test/2025/10/ski-tariff',
    publishedAt: '2025-10-01T09:00:00Z',
  },
} satisfies Record<string, FixtureItem>;

// ---------------------------------------------------------------------------------------------
// Per-test workspace: a folder with the feeds file and the archive.

const work = useWatchWorkspace('watch');
afterEach(() => {
  vi.useRealTimers();
});

const writeConfig = (yaml: string, name?: string): string => writeFeedsFile(work, yaml, name);
/** The feeds files most tests use: the economy RSS feed, alone or with the Asia Atom feed. */
const ECONOMY_ONLY = `feeds:\n  - name: economy\n    url: ${FEEDS}/economy.rss\n`;
const ECONOMY_AND_ASIA = `${ECONOMY_ONLY}  - name: asia\n    url: ${FEEDS}/asia.atom\n`;
const { run: cli, watchOnce, feedsStatus } = watchCli(OPENAI_KEY, work);

// ---------------------------------------------------------------------------------------------
// Fake feeds and the fake LLM.

const { hits, hitsFor, serveFeed, serveRss, serveAtom } = useFeedServer(server);
const llm = (options: FakeLlmOptions = {}): FakeLlm => serveFakeLlm(server, options);

/** Requests per target (desk id or `synthesis`). */
function callCounts(fake: FakeLlm): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of fake.requests) counts[r.target] = (counts[r.target] ?? 0) + 1;
  return counts;
}

/** Resolves after `ms`, or as soon as `signal` aborts. */
function waitOrAbort(signal: AbortSignal, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Reading the archive.

interface RunRow {
  id: string;
  event_title: string;
  status: string;
  pid: number | null;
  finished_at: string | null;
}
interface ItemRow {
  id: number;
  feed: string;
  title: string;
  status: string;
  skip_reason: string | null;
  run_id: string | null;
  route_json: string | null;
  sources_json: string;
}
type FeedRowData = FeedRow;

const query = <T>(sql: string, ...params: unknown[]): T[] => queryArchive<T>(work, sql, ...params);
const runs = () => query<RunRow>('SELECT id, event_title, status, pid, finished_at FROM runs ORDER BY started_at');
const items = () => query<ItemRow>('SELECT * FROM feed_items ORDER BY id');
function feedRow(name: string): FeedRowData {
  const row = query<FeedRowData>('SELECT * FROM feeds WHERE name = ?', name)[0];
  if (!row) throw new Error(`no feeds row for ${name}`);
  return row;
}
const item = (title: string): ItemRow => rowTitled(items(), title);
const minutesBetween = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 60_000;

// ---------------------------------------------------------------------------------------------
// Driving the Watcher directly (as watch.ts builds it): all of a run's desks at once, two stories at once.

const { make: makeWatcher, once: onceWith } = useWatchers({ openaiKey: OPENAI_KEY, work, runOptions: watchRunOptions(8), concurrency: 2 });

// =============================================================================================

describe('watch --once', () => {
  it('assesses every new item of an RSS and an Atom feed into one archived run each', async () => {
    serveRss('/economy.rss', [STORY.boj, STORY.jpUs]);
    serveAtom('/asia.atom', [STORY.shipbuilding, STORY.rareEarths]);
    const fake = llm();
    const config = writeConfig(`feeds:
  - name: economy
    url: ${FEEDS}/economy.rss
    every: 15m
  - name: asia
    url: ${FEEDS}/asia.atom
    cron: "*/30 * * * *"
`);

    const result = await watchOnce(config);

    expect(result.stderr).toContain('feed economy: 2 queued, 0 skipped, 0 already seen');
    expect(result.stderr).toContain('feed asia: 2 queued, 0 skipped, 0 already seen');
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);

    // One run per queued item, each archived complete and linked from its item.
    const archived = runs();
    expect(archived).toHaveLength(4);
    expect(archived.map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(archived.every((r) => r.finished_at !== null)).toBe(true);
    const stored = items();
    expect(stored).toHaveLength(4);
    for (const i of stored) {
      expect(i.status, i.title).toBe('done');
      expect(archived.find((r) => r.id === i.run_id)?.event_title, i.title).toBe(i.title);
    }
    expect(new Set(stored.map((i) => i.run_id)).size).toBe(4);
    // Oldest first within a feed (feeds list newest first).
    expect(stored.filter((i) => i.feed === 'economy').map((i) => i.title)).toEqual([STORY.jpUs.title, STORY.boj.title]);

    // Keyword routing picked the desks; each desk was asked once per item it was routed to.
    expect(JSON.parse(item(STORY.jpUs.title).route_json ?? 'null')).toMatchObject({ agents: ['JP-01', 'US-01'], method: 'auto' });
    expect(callCounts(fake)).toEqual({ 'JP-01': 2, 'US-01': 2, 'CN-01': 1, 'KR-01': 1, [SYNTHESIS]: 4 });

    for (const name of ['economy', 'asia']) {
      expect(feedRow(name)).toMatchObject({
        last_status: 200,
        last_error: null,
        consecutive_failures: 0,
        items_seen: 2,
        items_assessed: 2,
        items_skipped: 0,
      });
    }
    const economy = feedRow('economy');
    expect(minutesBetween(economy.last_poll_at!, economy.next_poll_at!)).toBe(15);
    // Cron schedules are read in UTC: the next :00 or :30.
    expect(feedRow('asia').next_poll_at).toMatch(/T\d\d:(00|30):00\.000Z$/);
    expect(hitsFor('/economy.rss')[0]?.userAgent).toMatch(/^assess-watch\//);
  });

  it('a JSON Feed works the same way', async () => {
    serveFeed('/wire.json', () => body(jsonFeed([STORY.rareEarths]), FEED_CONTENT_TYPES.json));
    const fake = llm();
    const config = writeConfig(`feeds:\n  - name: wire\n    url: ${FEEDS}/wire.json\n`);

    const result = await watchOnce(config);

    expect(result.code).toBe(0);
    expect(runs()).toHaveLength(1);
    expect(item(STORY.rareEarths.title).status).toBe('done');
    expect(callCounts(fake)).toEqual({ 'CN-01': 1, [SYNTHESIS]: 1 });
  });

  it('assesses a story seen in two feeds once, listing both feeds as its sources', async () => {
    // Same link (one with a tracking parameter), different guids and wording.
    const linkTwin = { ...STORY.jpUs, guid: 'econ-4711', link: `${STORY.jpUs.link}?utm_source=rss&utm_medium=feed` };
    const linkTwin2 = { ...STORY.jpUs, guid: 'urn:asia:99', title: 'Tokyo and Washington seal $550B investment deal' };
    // Same headline but for capitalisation and punctuation, different links.
    const titleTwin = { ...STORY.rareEarths, guid: 'econ-4712', link: 'https://news.test/2025/10/rare-earths' };
    const titleTwin2 = { ...STORY.rareEarths, guid: 'urn:asia:100', title: 'China Tightens Rare Earths Export Control!' };
    serveRss('/economy.rss', [linkTwin, titleTwin]);
    serveAtom('/asia.atom', [linkTwin2, titleTwin2]);
    const fake = llm();
    const config = writeConfig(ECONOMY_AND_ASIA);

    const result = await watchOnce(config);

    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/feed (economy|asia): 0 queued, 0 skipped, 2 already seen/);
    expect(runs()).toHaveLength(2);
    const stored = items();
    expect(stored).toHaveLength(2);
    for (const i of stored) {
      expect(i.status).toBe('done');
      const sources = JSON.parse(i.sources_json) as { feed: string; link: string | null }[];
      expect(sources.map((s) => s.feed).sort(), i.title).toEqual(['asia', 'economy']);
    }
    const jpUs = stored.find((i) => i.title === linkTwin.title || i.title === linkTwin2.title)!;
    const links = (JSON.parse(jpUs.sources_json) as { link: string | null }[]).map((s) => s.link).sort();
    expect(links).toEqual([STORY.jpUs.link, linkTwin.link]);
    expect(callCounts(fake)).toEqual({ 'JP-01': 1, 'US-01': 1, 'CN-01': 1, [SYNTHESIS]: 2 });
    expect(feedRow('economy').items_seen + feedRow('asia').items_seen).toBe(2);
  });

  it('a second run reprocesses nothing: unchanged feeds are deduplicated, ETag feeds answer 304', async () => {
    const ETAG = '"economy-v1"';
    serveFeed('/economy.rss', (request) =>
      request.headers.get('if-none-match') === ETAG
        ? new HttpResponse(null, { status: 304, headers: { ETag: ETAG } })
        : body(rssFeed([STORY.jpUs]), FEED_CONTENT_TYPES.rss, { ETag: ETAG }),
    );
    // No validators: served in full every time.
    serveAtom('/asia.atom', [STORY.rareEarths]);
    const fake = llm();
    const config = writeConfig(ECONOMY_AND_ASIA);

    const first = await watchOnce(config);
    expect(first.code).toBe(0);
    expect(runs()).toHaveLength(2);
    expect(feedRow('economy').etag).toBe(ETAG);
    const callsAfterFirst = fake.requests.length;

    const second = await watchOnce(config);

    expect(second.code).toBe(0);
    expect(second.stderr).toContain('feed economy: not modified');
    expect(second.stderr).toContain('feed asia: 0 queued, 0 skipped, 1 already seen');
    expect(runs()).toHaveLength(2);
    expect(fake.requests.length).toBe(callsAfterFirst);
    expect(hitsFor('/economy.rss').map((h) => h.ifNoneMatch)).toEqual([null, ETAG]);
    expect(hitsFor('/asia.atom').map((h) => h.ifNoneMatch)).toEqual([null, null]);
    expect(feedRow('economy')).toMatchObject({ last_status: 304, etag: ETAG, items_seen: 1, items_assessed: 1 });
    expect(feedRow('asia')).toMatchObject({ last_status: 200, items_seen: 1, items_assessed: 1 });
    expect(items().map((i) => i.status)).toEqual(['done', 'done']);
  });

  it('feed text is cleaned and capped like any event: bidi and zero-width characters removed, a long body cut and recorded', async () => {
    const long = `${'Tokyo and Washington agreed the JBIC terms. '.repeat(1200)}END`;
    serveRss('/economy.rss', [{ ...STORY.jpUs, title: `\u202eJapan\u200b and U.S. agree JBIC terms`, summary: long }]);
    llm();
    const config = writeConfig(ECONOMY_ONLY);
    expect((await watchOnce(config)).code).toBe(0);
    const stored = items()[0]!;
    expect(stored.title).toBe('Japan and U.S. agree JBIC terms');
    const event = JSON.parse(query<{ event_json: string }>('SELECT event_json FROM feed_items')[0]!.event_json) as {
      summary: string;
      cut?: { originalChars: number; keptChars: number };
    };
    expect(event.cut).toEqual({ originalChars: long.length, keptChars: 20_000 });
    expect(event.summary.endsWith('END')).toBe(true);
    expect(event.summary).toContain('characters cut by assess');
  });

  it('--max-event-chars caps feed stories too', async () => {
    const long = `${'Tokyo and Washington agreed the JBIC terms. '.repeat(100)}END`;
    serveRss('/economy.rss', [{ ...STORY.jpUs, summary: long }]);
    llm();
    const config = writeConfig(ECONOMY_ONLY);
    expect((await watchOnce(config, ['--max-event-chars', '1000'])).code).toBe(0);
    const event = JSON.parse(query<{ event_json: string }>('SELECT event_json FROM feed_items')[0]!.event_json) as { cut?: unknown; summary: string };
    expect(event.cut).toEqual({ originalChars: long.length, keptChars: 1_000 });
    expect(event.summary.endsWith('END')).toBe(true);
  });

  it('include/exclude filters: filtered items are recorded as skipped with the reason and never run', async () => {
    serveRss('/economy.rss', [STORY.skiTariff, STORY.boj, STORY.jpUs]);
    const fake = llm();
    const config = writeConfig(`feeds:
  - name: economy
    url: ${FEEDS}/economy.rss
    include: [tariff, investment]
    exclude: [sports]
`);

    const result = await watchOnce(config);

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('feed economy: 1 queued, 2 skipped, 0 already seen');
    expect(runs().map((r) => r.event_title)).toEqual([STORY.jpUs.title]);
    expect(item(STORY.jpUs.title)).toMatchObject({ status: 'done' });
    // Mentions "tariff" (included) but also "sports" (excluded): exclude wins.
    expect(item(STORY.skiTariff.title)).toMatchObject({
      status: 'skipped',
      skip_reason: 'excluded by filter "sports"',
      run_id: null,
      route_json: null,
    });
    expect(item(STORY.boj.title)).toMatchObject({
      status: 'skipped',
      skip_reason: 'matches none of include [tariff, investment]',
      run_id: null,
    });
    expect(feedRow('economy')).toMatchObject({ items_seen: 3, items_assessed: 1, items_skipped: 2 });
    expect(callCounts(fake)).toEqual({ 'JP-01': 1, 'US-01': 1, [SYNTHESIS]: 1 });
    const sent = fake.requests.flatMap((r) => r.messages.map((m) => m.content)).join('\n');
    expect(sent).not.toContain('ski equipment');
    expect(sent).not.toContain('Bank of Japan holds');
  });

  // Regression: the seen-check and the insert had an article fetch between them, so two feeds polled
  // at once could both pass the check; the watcher now runs that step exclusively.
  it('with fetchArticle, the same story arriving in two feeds at once is still assessed once', async () => {
    const paragraph =
      'Japan will channel $550 billion into U.S. projects through a new facility at the Japan Bank for International ' +
      'Cooperation, the finance ministry said, as part of the tariff agreement reached with Washington in July.';
    server.use(
      http.get(STORY.jpUs.link, async () => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        return body(`<html><body><article><h1>${STORY.jpUs.title}</h1><p>${paragraph}</p><p>${paragraph}</p></article></body></html>`, 'text/html');
      }),
    );
    serveRss('/economy.rss', [{ ...STORY.jpUs, guid: 'econ-1' }]);
    serveAtom('/asia.atom', [{ ...STORY.jpUs, guid: 'urn:asia:1' }]);
    const fake = llm();
    const config = writeConfig(`defaults:
  fetchArticle: true
feeds:
  - name: economy
    url: ${FEEDS}/economy.rss
  - name: asia
    url: ${FEEDS}/asia.atom
`);

    expect((await watchOnce(config)).code).toBe(0);
    expect(items()).toHaveLength(1);
    expect(runs()).toHaveLength(1);
    expect(callCounts(fake)).toEqual({ 'JP-01': 1, 'US-01': 1, [SYNTHESIS]: 1 });
    // The event carries the article's text, and says so.
    const stored = new DatabaseConstructor(work.dbPath, { readonly: true });
    try {
      const row = stored.prepare('SELECT text_source, event_json FROM feed_items').get() as { text_source: string; event_json: string };
      expect(row.text_source).toBe('article');
      const event = JSON.parse(row.event_json) as { summary: string; tags: string[] };
      expect(event.summary).toContain('through a new facility at the Japan Bank for International Cooperation');
      expect(event.tags).toContain('text:article');
    } finally {
      stored.close();
    }
  });

  // Regression: the duplicate check ran before the feed's own filters, so one feed's exclude applied to all.
  it('a story one feed filters out is still assessed when another feed accepts it', async () => {
    serveRss('/economy.rss', [STORY.skiTariff]);
    serveAtom('/asia.atom', [{ ...STORY.skiTariff, guid: 'urn:asia:ski' }]);
    const fake = llm();
    const economyOnly = writeConfig(`feeds:
  - name: economy
    url: ${FEEDS}/economy.rss
    exclude: [sports]
`);
    expect((await watchOnce(economyOnly)).code).toBe(0);
    expect(item(STORY.skiTariff.title).status).toBe('skipped');

    const both = writeConfig(
      `feeds:
  - name: economy
    url: ${FEEDS}/economy.rss
    exclude: [sports]
  - name: asia
    url: ${FEEDS}/asia.atom
`,
      'both.yaml',
    );
    expect((await watchOnce(both)).code).toBe(0);
    expect(runs().map((r) => r.event_title)).toEqual([STORY.skiTariff.title]);
    expect(callCounts(fake)).toEqual({ 'JP-01': 1, 'US-01': 1, [SYNTHESIS]: 1 });
  });
});

describe('a broken feed never stops the others', () => {
  it('HTTP 500: the good feed is assessed, the broken one backs off; exit 3; status shows its error only', async () => {
    serveFeed('/economy.rss', () => new HttpResponse('upstream exploded', { status: 500 }));
    serveAtom('/asia.atom', [STORY.rareEarths]);
    llm();
    const config = writeConfig(`feeds:
  - name: economy
    url: ${FEEDS}/economy.rss
    every: 15m
  - name: asia
    url: ${FEEDS}/asia.atom
    every: 15m
`);

    const result = await watchOnce(config);

    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/feed economy: error: HTTP 500 Internal Server Error \(next try \d\d:\d\d\)/);
    expect(runs()).toHaveLength(1);
    expect(item(STORY.rareEarths.title).status).toBe('done');
    expect(feedRow('asia')).toMatchObject({ last_status: 200, last_error: null, consecutive_failures: 0, items_assessed: 1 });
    const broken = feedRow('economy');
    expect(broken).toMatchObject({ last_status: 500, last_error: 'HTTP 500 Internal Server Error', consecutive_failures: 1, items_seen: 0 });
    // First failure: one interval (15m) ±10% jitter.
    expect(minutesBetween(broken.last_poll_at!, broken.next_poll_at!)).toBeGreaterThanOrEqual(13.5);
    expect(minutesBetween(broken.last_poll_at!, broken.next_poll_at!)).toBeLessThanOrEqual(16.5);

    // Failing again doubles the wait.
    const again = await watchOnce(config);
    expect(again.code).toBe(3);
    const twice = feedRow('economy');
    expect(twice.consecutive_failures).toBe(2);
    expect(minutesBetween(twice.last_poll_at!, twice.next_poll_at!)).toBeGreaterThanOrEqual(27);
    expect(minutesBetween(twice.last_poll_at!, twice.next_poll_at!)).toBeLessThanOrEqual(33);
    expect(runs()).toHaveLength(1);

    const status = await feedsStatus(config, 'json');
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout) as {
      feeds: { name: string; lastError: string | null; lastStatus: number | null; consecutiveFailures: number }[];
    };
    expect(parsed.feeds.find((f) => f.name === 'economy')).toMatchObject({
      lastError: 'HTTP 500 Internal Server Error',
      lastStatus: 500,
      consecutiveFailures: 2,
    });
    expect(parsed.feeds.find((f) => f.name === 'asia')).toMatchObject({ lastError: null, lastStatus: 200, consecutiveFailures: 0 });
  });

  it('a feed that times out: recorded as a retryable failure while the other feed is assessed', async () => {
    serveFeed('/slow.rss', async (request) => {
      await waitOrAbort(request.signal, 5_000);
      return body(rssFeed([STORY.boj]), FEED_CONTENT_TYPES.rss);
    });
    serveAtom('/asia.atom', [STORY.rareEarths]);
    const fake = llm();
    const db = openArchive(work.dbPath);
    const events: WatchEvent[] = [];
    try {
      const watcher = makeWatcher(
        db,
        { feeds: [feedConfig('slow', '/slow.rss'), feedConfig('asia', '/asia.atom')] },
        {
          http: watcherHttp(300),
          onEvent: (e) => events.push(e),
        },
      );
      const started = Date.now();
      await watcher.once();
      expect(Date.now() - started).toBeLessThan(4_000);
    } finally {
      db.close();
    }

    const polls = events.flatMap((e) => (e.type === 'poll' ? [e.result] : []));
    expect(polls.find((p) => p.feed === 'slow')).toMatchObject({ ok: false, error: 'timed out after 300ms' });
    const slow = feedRow('slow');
    expect(slow).toMatchObject({ last_status: null, last_error: 'timed out after 300ms', consecutive_failures: 1, items_seen: 0 });
    expect(minutesBetween(slow.last_poll_at!, slow.next_poll_at!)).toBeGreaterThanOrEqual(13.5);
    expect(item(STORY.rareEarths.title).status).toBe('done');
    expect(runs()).toHaveLength(1);
    expect(callCounts(fake)).toEqual({ 'CN-01': 1, [SYNTHESIS]: 1 });
  });

  it('malformed XML and an HTML page: a clear one-line error each, the good feed unaffected', async () => {
    serveFeed('/broken.rss', () =>
      body('<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Broken</title>\n<item><title>Half an item</title></chan', FEED_CONTENT_TYPES.rss),
    );
    serveFeed('/moved.rss', () =>
      body('<!DOCTYPE html>\n<html><head><title>Page moved</title></head>\n<body><p>We have a new website!</p></body></html>', 'text/html'),
    );
    serveAtom('/asia.atom', [STORY.shipbuilding]);
    llm();
    const config = writeConfig(`feeds:
  - name: broken
    url: ${FEEDS}/broken.rss
  - name: moved
    url: ${FEEDS}/moved.rss
  - name: asia
    url: ${FEEDS}/asia.atom
`);

    const result = await watchOnce(config);

    expect(result.code).toBe(3);
    expect(item(STORY.shipbuilding.title).status).toBe('done');
    expect(runs()).toHaveLength(1);
    expect(feedRow('asia')).toMatchObject({ last_error: null, items_assessed: 1 });

    const status = JSON.parse((await feedsStatus(config, 'json')).stdout) as {
      feeds: { name: string; lastError: string | null; lastStatus: number | null }[];
    };
    const errorOf = (name: string) => status.feeds.find((f) => f.name === name)?.lastError ?? '';
    expect(errorOf('broken')).toMatch(/^malformed feed: \S/);
    expect(errorOf('moved')).toBe('not a feed: looks like an HTML page');
    for (const name of ['broken', 'moved']) {
      expect(errorOf(name)).not.toContain('\n');
      expect(errorOf(name).length).toBeLessThan(200);
    }
    expect(errorOf('asia')).toBe('');

    const text = await feedsStatus(config, 'text');
    expect(text.stdout).toContain('  error: not a feed: looks like an HTML page\n');
    expect(text.stdout).toMatch(/\n {2}error: malformed feed: [^\n]+\n/);
  });
});

describe('shutdown and restart', () => {
  it('stop() cuts a run in flight short and requeues its item; the next start resumes that run', async () => {
    serveRss('/economy.rss', [STORY.jpUs]);
    const slow = llm({ scripts: { 'CN-01': reply.slow(30_000) } });
    const config: WatchConfig = { feeds: [feedConfig('economy', '/economy.rss', { agents: ['JP-01', 'US-01', 'CN-01'] })] };

    const db = openArchive(work.dbPath);
    let runId: string;
    try {
      const watcher = makeWatcher(db, config);
      const running = watcher.run();
      // Wait until the two fast desks are archived and the slow one is being asked.
      await vi.waitFor(
        () => {
          const done = db.prepare("SELECT agent_id FROM desk_results WHERE status = 'ok' ORDER BY agent_id").pluck().all();
          expect(done).toEqual(['JP-01', 'US-01']);
          expect(slow.requestsFor('CN-01')).toHaveLength(1);
        },
        { timeout: 10_000, interval: 20 },
      );
      expect(db.prepare('SELECT status FROM feed_items').pluck().get()).toBe('running');
      expect(watcher.runsInFlight).toBe(1);

      const stopping = Date.now();
      await watcher.stop(200);
      await running;
      expect(Date.now() - stopping).toBeLessThan(3_000);
      expect(watcher.runsInFlight).toBe(0);

      const stored = db.prepare('SELECT status, run_id FROM feed_items').get() as { status: string; run_id: string | null };
      expect(stored.status).toBe('queued');
      expect(stored.run_id).not.toBeNull();
      runId = stored.run_id!;
      const run = db.prepare('SELECT status, pid, finished_at FROM runs WHERE id = ?').get(runId) as RunRow;
      // Archived as cancelled (resumable); the next start continues it.
      expect(run).toMatchObject({ status: 'cancelled', pid: null });
      expect(run.finished_at).not.toBeNull();
      expect(slow.requestsFor('CN-01')[0]?.aborted).toBe(true);
      expect(slow.requestsFor(SYNTHESIS)).toHaveLength(0);
    } finally {
      db.close();
    }

    // Restart with fast answers: the interrupted run is continued, not repeated.
    server.resetHandlers();
    serveRss('/economy.rss', [STORY.jpUs]);
    const fast = llm();
    await onceWith(config);
    expect(callCounts(fast)).toEqual({ 'CN-01': 1, [SYNTHESIS]: 1 });
    expect(runs()).toHaveLength(1);
    expect(runs()[0]).toMatchObject({ id: runId, status: 'ok' });
    expect(items()[0]).toMatchObject({ status: 'done', run_id: runId });
    expect(feedRow('economy')).toMatchObject({ items_seen: 1, items_assessed: 1 });
    const okDesks = query<{ agent_id: string }>("SELECT DISTINCT agent_id FROM desk_results WHERE run_id = ? AND status = 'ok' ORDER BY agent_id", runId);
    expect(okDesks.map((d) => d.agent_id)).toEqual(['CN-01', 'JP-01', 'US-01']);
  });
  it('after a crash (run left `running` by a dead process) the next start requeues and resumes it', async () => {
    serveRss('/economy.rss', [STORY.jpUs]);
    llm({ scripts: { 'US-01': reply.slow(30_000) } });
    const config: WatchConfig = { feeds: [feedConfig('economy', '/economy.rss', { agents: ['JP-01', 'US-01'] })] };
    const db = openArchive(work.dbPath);
    try {
      const watcher = makeWatcher(db, config);
      const running = watcher.run();
      await vi.waitFor(
        () => expect(db.prepare("SELECT agent_id FROM desk_results WHERE status = 'ok'").pluck().all()).toEqual(['JP-01']),
        { timeout: 10_000, interval: 20 },
      );
      await watcher.stop(0);
      await running;
      // What a killed process leaves behind: the item still `running`, the run owned by a dead pid.
      db.prepare("UPDATE feed_items SET status = 'running'").run();
      db.prepare('UPDATE runs SET pid = ?').run(2 ** 22 + 12345);
    } finally {
      db.close();
    }

    server.resetHandlers();
    serveRss('/economy.rss', [STORY.jpUs]);
    const fast = llm();
    const events = await onceWith(config);
    expect(events).toContainEqual({ type: 'requeued-after-crash', count: 1, failed: 0 });
    expect(callCounts(fast)).toEqual({ 'US-01': 1, [SYNTHESIS]: 1 });
    expect(runs()).toHaveLength(1);
    expect(runs()[0]?.status).toBe('ok');
    expect(items()[0]?.status).toBe('done');
  });

  // Shutting down is not the feed's fault: no failure, no backoff, the exit code unaffected.
  it('stop() while a feed is being fetched is not counted as a failure of that feed', async () => {
    serveFeed('/economy.rss', async (request) => {
      await waitOrAbort(request.signal, 5_000);
      return body(rssFeed([STORY.jpUs]), FEED_CONTENT_TYPES.rss);
    });
    const events: WatchEvent[] = [];
    const db = openArchive(work.dbPath);
    try {
      const watcher = makeWatcher(db, { feeds: [feedConfig('economy', '/economy.rss')] }, { onEvent: (e) => events.push(e) });
      const running = watcher.run();
      await vi.waitFor(() => expect(hitsFor('/economy.rss')).toHaveLength(1), { timeout: 5_000, interval: 10 });
      await watcher.stop(200);
      await running;
    } finally {
      db.close();
    }
    expect(events.filter((e) => e.type === 'poll' && !e.result.ok)).toEqual([]);
    // Due again at the next start, as if the interrupted poll had never begun.
    expect(feedRow('economy')).toMatchObject({ last_error: null, consecutive_failures: 0, next_poll_at: null });
  });

  // Regression: a poll stopped part-way saved the ETag, so the next start got 304 and lost the rest.
  it('stop() during article fetches does not lose the rest of that poll’s items', async () => {
    const ETAG = '"economy-v1"';
    serveFeed('/economy.rss', (request) =>
      request.headers.get('if-none-match') === ETAG
        ? new HttpResponse(null, { status: 304, headers: { ETag: ETAG } })
        : body(rssFeed([STORY.boj, STORY.jpUs]), FEED_CONTENT_TYPES.rss, { ETag: ETAG }),
    );
    let articleRequests = 0;
    // The older item is handled first; its article page hangs until the shutdown aborts it.
    server.use(
      http.get(STORY.jpUs.link, async ({ request }) => {
        articleRequests++;
        await waitOrAbort(request.signal, 5_000);
        return body('<html><body><p>too late</p></body></html>', 'text/html');
      }),
      http.get(STORY.boj.link, () => body('<html><body><p>Short page.</p></body></html>', 'text/html')),
    );
    const config: WatchConfig = { feeds: [feedConfig('economy', '/economy.rss', { fetchArticle: true })] };
    const db = openArchive(work.dbPath);
    try {
      const watcher = makeWatcher(db, config);
      const running = watcher.run();
      await vi.waitFor(() => expect(articleRequests).toBe(1), { timeout: 5_000, interval: 10 });
      await watcher.stop(200);
      await running;
    } finally {
      db.close();
    }

    llm();
    await onceWith(config);
    expect(items().map((i) => i.title).sort()).toEqual([STORY.boj.title, STORY.jpUs.title].sort());
  });

  // Regression: an item whose run could not be archived was requeued and claimed again forever.
  it('watch --once gives up on an item whose run cannot be archived instead of retrying forever', async () => {
    serveRss('/economy.rss', [STORY.boj]);
    const fake = llm();
    const errors: string[] = [];
    const db = openArchive(work.dbPath);
    db.exec("CREATE TRIGGER broken_disk BEFORE INSERT ON syntheses BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;");
    try {
      const watcher = makeWatcher(
        db,
        { feeds: [feedConfig('economy', '/economy.rss')] },
        {
          onEvent: (e) => {
            if (e.type !== 'item-error') return;
            errors.push(e.error);
            // Safety valve should the retry loop come back: with msw in-process it never yields to timers.
            if (errors.length >= 3) watcher.abortNow();
          },
        },
      );
      await watcher.once();
      expect(errors[0]).toMatch(/disk I\/O error/);
      expect(errors).toHaveLength(1);
      expect(fake.requestsFor(SYNTHESIS)).toHaveLength(1);
      expect(db.prepare('SELECT status FROM feed_items').pluck().get()).toBe('queued');
    } finally {
      db.close();
    }
  });
});

describe('scheduler', () => {
  it('polls an every: 15m feed at start and again only once 15 minutes have passed (fake timers)', async () => {
    serveRss('/economy.rss', []);
    llm();
    const start = new Date('2025-10-01T09:00:00.000Z');
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], shouldAdvanceTime: false, now: start });
    const db = openArchive(work.dbPath);
    // setImmediate is real: lets msw, fetch and the watcher's promise chains finish.
    const settle = async (until: () => boolean) => {
      for (let i = 0; i < 500 && !until(); i++) await new Promise((resolve) => setImmediate(resolve));
    };
    try {
      const watcher = makeWatcher(db, { feeds: [feedConfig('economy', '/economy.rss', { schedule: { everyMs: 15 * 60_000 } })] });
      const running = watcher.run();
      const lastPoll = () => db.prepare('SELECT last_poll_at FROM feeds').pluck().get() as string | null;
      await settle(() => lastPoll() !== null);
      await settle(() => false); // let the loop reach its sleep
      expect(hitsFor('/economy.rss')).toHaveLength(1);
      expect(lastPoll()).toBe('2025-10-01T09:00:00.000Z');

      await vi.advanceTimersByTimeAsync(14 * 60_000);
      await settle(() => hitsFor('/economy.rss').length > 1);
      expect(hitsFor('/economy.rss')).toHaveLength(1);

      await vi.advanceTimersByTimeAsync(60_000);
      await settle(() => lastPoll() === '2025-10-01T09:15:00.000Z');
      expect(hitsFor('/economy.rss')).toHaveLength(2);
      expect(lastPoll()).toBe('2025-10-01T09:15:00.000Z');
      expect(db.prepare('SELECT next_poll_at FROM feeds').pluck().get()).toBe('2025-10-01T09:30:00.000Z');

      await watcher.stop(200);
      await running;
    } finally {
      db.close();
    }
  });
});

describe('feeds status', () => {
  it('names each feed with last poll, HTTP status, next poll, counters, the queue, and recent routing', async () => {
    serveRss('/economy.rss', [STORY.skiTariff, STORY.football, STORY.jpUs]);
    serveFeed('/asia.atom', () => new HttpResponse(null, { status: 503 }));
    llm();
    const config = writeConfig(`feeds:
  - name: economy
    url: ${FEEDS}/economy.rss
    exclude: [sports]
  - name: asia
    url: ${FEEDS}/asia.atom
`);
    expect((await watchOnce(config)).code).toBe(3);

    const result = await feedsStatus(config, 'text');

    expect(result.code).toBe(0);
    const out = result.stdout;
    const stamp = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d`;
    expect(out).toMatch(new RegExp(String.raw`^economy  ${FEEDS}/economy\.rss$`, 'm'));
    expect(out).toMatch(
      new RegExp(String.raw`^  last poll ${stamp}  HTTP 200  next ${stamp}  seen 3 · assessed 1 · skipped 2$`, 'm'),
    );
    expect(out).toMatch(new RegExp(String.raw`^asia  ${FEEDS}/asia\.atom$`, 'm'));
    expect(out).toMatch(new RegExp(String.raw`^  last poll ${stamp}  HTTP 503  next ${stamp}  seen 0 · assessed 0 · skipped 0$`, 'm'));
    expect(out).toContain('\n  error: HTTP 503 Service Unavailable\n');
    expect(out.match(/^ {2}error:/gm)).toHaveLength(1);
    expect(out).toContain('\nqueue: 0 waiting · 0 waiting to retry · 0 running · 1 done · 2 skipped · 0 failed\n');
    expect(out).toContain('\nrecent items:\n');
    expect(out).toContain(`  [done] ${STORY.jpUs.title} — JP-01, US-01 (auto: JP-01: Japan, Tokyo; US-01: U.S., tariff)\n`);
    expect(out).toContain(`  [skipped] ${STORY.football.title} — skipped: no desk to assess it: no desk keyword or country matched\n`);
    expect(out).toContain(`  [skipped] ${STORY.skiTariff.title} — skipped: excluded by filter "sports"\n`);
    // Newest decision first.
    expect(out.indexOf(STORY.skiTariff.title)).toBeLessThan(out.indexOf(STORY.jpUs.title));
  });
});

describe('bad configuration exits 2 with one line, before anything is fetched', () => {
  const oneLine = (run: CapturedRun): string => {
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    return run.stderr.trim();
  };

  it('a missing --config file', async () => {
    const result = await cli(['watch', '--once', '--config', 'missing.yaml']);
    expect(result.code).toBe(2);
    expect(oneLine(result)).toBe(`assess: ${join(work.dir, 'missing.yaml')}: no such file (create it, or use --feed URL)`);
    expect(existsSync(work.dbPath)).toBe(false);
  });

  it('an unknown desk id, named with file and line', async () => {
    const config = writeConfig(`feeds:
  - name: economy
    url: ${FEEDS}/economy.rss
    agents: [JP-01, XX-99]
`);
    const result = await watchOnce(config);
    expect(result.code).toBe(2);
    expect(oneLine(result)).toMatch(new RegExp(`^assess: ${config.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4: feeds\\[0\\]\\.agents\\[1\\]: unknown desk XX-99; known desks: CN-01, `));
    expect(hits).toHaveLength(0);
    expect(existsSync(work.dbPath)).toBe(false);
  });

  it('--feed together with --config', async () => {
    const config = writeConfig(`feeds:\n  - name: economy\n    url: ${FEEDS}/economy.rss\n`);
    const result = await cli(['watch', '--once', '--config', config, '--feed', `${FEEDS}/other.rss`]);
    expect(result.code).toBe(2);
    expect(oneLine(result)).toBe('assess: give either --config or --feed, not both');
    expect(hits).toHaveLength(0);
  });
});
