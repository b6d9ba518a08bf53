/**
 * `/feeds` (issue 15 §2), in-process: over an archive `assess watch --once` filled (feeds served
 * by msw, the fake LLM), the page and its JSON twin show each feed's health and counters and the
 * queue as `feeds status` does; `/feeds/events` sends the status fields first and ends when the
 * client goes away.
 */
import Database from 'better-sqlite3';
import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { openArchive } from '../../src/archive/open-archive.js';
import { recordPollFailure } from '../../src/feeds/watch-store.js';
import { parseWatchConfig } from '../../src/feeds/config.js';
import type { WatchStatus } from '../../src/feeds/watch-status.js';
import { DEFAULT_ASSETS_DIR } from '../../src/web/assets.js';
import { createWebApp } from '../../src/web/app.js';
import type { WebDeps } from '../../src/web/deps.js';
import { FEEDS, WATCH_STORIES, serveFakeLlm, useFeedServer, useMswServer, useWatchWorkspace, watchCli, writeFeedsFile } from '../support/watch-harness.js';

const server = useMswServer();
const work = useWatchWorkspace('web-feeds');
const { watchOnce, feedsStatus } = watchCli('sk-test-feeds-page-1234567890', work);
const { serveRss, serveFeed } = useFeedServer(server);

/** One healthy feed with two stories, one that answers 500. */
async function watchedArchive(): Promise<void> {
  serveRss('/economy.rss', [WATCH_STORIES.boj, WATCH_STORIES.jpUs]);
  serveFeed('/broken.rss', () => new HttpResponse('down for maintenance', { status: 500 }));
  serveFakeLlm(server);
  const config = writeFeedsFile(work, `feeds:\n  - name: economy\n    url: ${FEEDS}/economy.rss\n  - name: broken\n    url: ${FEEDS}/broken.rss\n`);
  await watchOnce(config);
}

function workspace(): { deps: WebDeps; app: ReturnType<typeof createWebApp>; close: () => void } {
  const write = openArchive(work.dbPath);
  const read = new Database(work.dbPath, { readonly: true, fileMustExist: true });
  const deps: WebDeps = { dbPath: work.dbPath, read, write, token: null, now: () => new Date(), assetsDir: DEFAULT_ASSETS_DIR };
  return {
    deps,
    app: createWebApp(deps),
    close: () => {
      read.close();
      write.close();
    },
  };
}

/** The first SSE message of a stream, parsed. */
async function firstMessage(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<{ raw: string; data: Record<string, unknown> }> {
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before a message: ${buffer}`);
    buffer += decoder.decode(value, { stream: true });
    const end = buffer.indexOf('\n\n');
    if (end >= 0) {
      const block = buffer.slice(0, end);
      const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
      return { raw: block, data: JSON.parse(data) as Record<string, unknown> };
    }
  }
}

describe('/feeds over an archive assess watch --once filled', () => {
  it('the page and its JSON twin show each feed (last poll, HTTP status, error, counters) and the queue, as feeds status does', async () => {
    await watchedArchive();
    const cli = JSON.parse((await feedsStatus(writeFeedsFile(work, `feeds:\n  - name: economy\n    url: ${FEEDS}/economy.rss\n  - name: broken\n    url: ${FEEDS}/broken.rss\n`), 'json')).stdout) as {
      feeds: { name: string; lastStatus: number | null; itemsSeen: number; itemsAssessed: number; lastError: string | null }[];
      queue: Record<string, number>;
    };
    const web = workspace();
    try {
      const twin = (await (await web.app.fetch(new Request('http://127.0.0.1/feeds.json'))).json()) as {
        feeds: { name: string; lastStatus: number | null; itemsSeen: number; itemsAssessed: number; itemsSkipped: number; lastError: string | null; lastPollAt: string | null; nextPollAt: string | null }[];
        queue: Record<string, number>;
        runs: unknown[];
        recent: { title: string; status: string }[];
        budget: { calls: number; text: string };
        shape: string;
      };
      const economy = twin.feeds.find((f) => f.name === 'economy')!;
      const broken = twin.feeds.find((f) => f.name === 'broken')!;
      expect(economy.lastStatus).toBe(200);
      expect(economy.itemsSeen).toBe(2);
      expect(economy.itemsAssessed).toBe(2);
      expect(economy.lastError).toBeNull();
      expect(broken.lastStatus).toBe(500);
      expect(broken.lastError).toMatch(/500/);
      expect(broken.nextPollAt).not.toBeNull();
      // Same numbers as the CLI's status.
      for (const f of cli.feeds) {
        const w = twin.feeds.find((x) => x.name === f.name)!;
        expect([w.lastStatus, w.itemsSeen, w.itemsAssessed, w.lastError]).toEqual([f.lastStatus, f.itemsSeen, f.itemsAssessed, f.lastError]);
      }
      expect(twin.queue).toEqual(cli.queue);
      expect(twin.queue['done']).toBe(2);
      expect(twin.runs).toEqual([]);
      expect(twin.recent.map((r) => r.title).sort()).toEqual([WATCH_STORIES.boj.title, WATCH_STORIES.jpUs.title].sort());
      expect(twin.budget.calls).toBeGreaterThan(0);

      const page = await web.app.fetch(new Request('http://127.0.0.1/feeds'));
      expect(page.status).toBe(200);
      const body = await page.text();
      expect(body).toContain(`data-live-src="/feeds/events?shape=${twin.shape}"`);
      expect(body).toContain('data-live-done="/feeds"');
      const economyRow = twin.feeds.indexOf(economy);
      const brokenRow = twin.feeds.indexOf(broken);
      expect(body).toContain(`<span data-field="feed-${economyRow}-lastStatus">200</span>`);
      expect(body).toContain(`<span data-field="feed-${economyRow}-seen">2</span>`);
      expect(body).toContain(`<span data-field="feed-${economyRow}-assessed">2</span>`);
      expect(body).toMatch(new RegExp(`<span data-field="feed-${brokenRow}-problem">error: [^<]*500`));
      expect(body).toContain('<span data-field="queue-done">2</span>');
      expect(body).toContain(WATCH_STORIES.jpUs.title);
    } finally {
      web.close();
    }
  }, 60_000);

  it('/feeds/events: a first message with the status fields and a retry hint; a change is sent; it ends when the client goes away', async () => {
    await watchedArchive();
    const web = workspace();
    try {
      const twin = (await (await web.app.fetch(new Request('http://127.0.0.1/feeds.json'))).json()) as { feeds: { name: string }[]; shape: string };
      const brokenRow = twin.feeds.findIndex((f) => f.name === 'broken');

      // Through the app as served: the client cancels the response stream.
      const response = await web.app.fetch(new Request(`http://127.0.0.1/feeds/events?shape=${twin.shape}`));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      const reader = response.body!.getReader();
      const first = await firstMessage(reader);
      expect(first.raw).toMatch(/^retry: \d+$/m);
      expect(first.data['queue-done']).toBe('2');
      expect(first.data[`feed-${brokenRow}-lastStatus`]).toBe('500');
      expect(first.data['done']).toBe(false);
      // A change the watcher makes shows in the next message (same rows, so no reload).
      recordPollFailure(web.deps.write, 'broken', { at: new Date().toISOString(), httpStatus: 503, error: 'HTTP 503 from the test', nextPollAt: new Date(Date.now() + 60_000).toISOString() });
      const second = await firstMessage(reader);
      expect(second.data[`feed-${brokenRow}-lastStatus`]).toBe('503');
      expect(second.data[`feed-${brokenRow}-problem`]).toMatch(/HTTP 503 from the test \(2 failures in a row\)/);
      await reader.cancel();

      // The unwrapped app sees the request's own signal: aborting it ends the stream.
      const controller = new AbortController();
      const direct = await web.app.app.fetch(new Request('http://127.0.0.1/feeds/events', { signal: controller.signal }));
      const directReader = direct.body!.getReader();
      await firstMessage(directReader);
      const started = Date.now();
      controller.abort();
      const end = await directReader.read();
      expect(end.done).toBe(true);
      expect(Date.now() - started).toBeLessThan(1_000);

      // A page whose rows differ from the archive's now is told to reload.
      const stale = await web.app.fetch(new Request('http://127.0.0.1/feeds/events?shape=0000000000000000'));
      const staleReader = stale.body!.getReader();
      expect((await firstMessage(staleReader)).data['done']).toBe(true);
      expect((await staleReader.read()).done).toBe(true);
    } finally {
      web.close();
    }
  }, 60_000);

  it('without any feed polled, the page says so (what the archive knows, no feeds file needed)', async () => {
    openArchive(work.dbPath).close();
    const web = workspace();
    try {
      const body = await (await web.app.fetch(new Request('http://127.0.0.1/feeds'))).text();
      expect(body).toContain('No feed has been polled yet');
      expect(body).toContain('<span data-field="queue-queued">0</span>');
    } finally {
      web.close();
    }
  });

  it('with the feeds file (assess serve --feeds), configured feeds and the daily limits show as feeds status shows them', async () => {
    openArchive(work.dbPath).close();
    const web = workspace();
    try {
      web.deps.feedsConfig = parseWatchConfig('feeds:\n  - name: nikkei-asia\n    url: https://example.com/rss\nbudget:\n  maxCostPerDay: 5\n', 'assess.feeds.yaml');
      const data = (await (await web.app.fetch(new Request('http://127.0.0.1/feeds.json'))).json()) as WatchStatus;
      expect(data.feeds).toEqual([expect.objectContaining({ name: 'nikkei-asia', url: 'https://example.com/rss', configured: true, lastPollAt: null })]);
      expect(data.budget).toMatchObject({ maxCostPerDay: 5, maxTokensPerDay: null });
      const body = await (await web.app.fetch(new Request('http://127.0.0.1/feeds'))).text();
      expect(body).toContain('nikkei-asia');
    } finally {
      web.close();
    }
  });
});
