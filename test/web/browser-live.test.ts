/**
 * The live pages in Debian's Chromium (issue 15 §2, §5): `/feeds` loads with no console error and
 * its fields follow the archive over SSE without a reload; `/new` takes the seed event file, the
 * progress page shows the desks progressing, then the browser lands on the run page.
 * Screenshots: docs/screenshots/feeds.png and docs/screenshots/new.png.
 */
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launcherFor } from '../../src/cli/commands/serve.js';
import { PACKAGE_ROOT } from '../../src/cli/paths.js';
import type { FeedConfig } from '../../src/feeds/types.js';
import { ensureFeeds, recordPollFailure, recordPollSuccess } from '../../src/feeds/watch-store.js';
import type { AssessmentLauncher, JobStatus } from '../../src/web/deps.js';
import type { RunningServer } from '../../src/web/server.js';
import { launchBrowser, screenshotPath, serveFixture, watchedPage } from './browser.js';
import { webFixture, type WebFixture } from './support.js';

const SEED = join(PACKAGE_ROOT, 'fixtures', 'events', 'jbic-550b.md');

/**
 * The replay provider finishes a run in well under a second, faster than a page can show it: this
 * wrapper lets the browser see each step, passing the real launcher's statuses on one every
 * `stepMs` (status() answers the status passed on so far, as a slower provider would).
 */
function paced(real: AssessmentLauncher, stepMs: number): AssessmentLauncher {
  const shown = new Map<string, JobStatus>();
  const listeners = new Map<string, Set<(s: JobStatus) => void>>();
  return {
    desks: () => real.desks(),
    unavailable: () => real.unavailable(),
    close: () => real.close(),
    async start(input) {
      const { jobId } = await real.start(input);
      shown.set(jobId, real.status(jobId)!);
      const queue: JobStatus[] = [];
      let timer: NodeJS.Timeout | undefined;
      const step = () => {
        const next = queue.shift();
        if (!next) {
          timer = undefined;
          return;
        }
        shown.set(jobId, next);
        for (const l of listeners.get(jobId) ?? []) l(next);
        timer = setTimeout(step, stepMs);
      };
      real.subscribe(jobId, (s) => {
        queue.push(s);
        if (!timer) timer = setTimeout(step, stepMs);
      });
      return { jobId };
    },
    status: (jobId) => shown.get(jobId) ?? null,
    subscribe(jobId, listener) {
      const set = listeners.get(jobId) ?? new Set();
      listeners.set(jobId, set);
      set.add(listener);
      return () => set.delete(listener);
    },
  };
}

describe('live pages in a real browser', () => {
  let fixture: WebFixture;
  let server: RunningServer;
  let browser: Browser;
  let launcher: AssessmentLauncher;

  beforeAll(async () => {
    fixture = webFixture();
    const io = { stdout: { write: () => true }, stderr: { write: () => true }, stdin: Readable.from([]), env: {}, cwd: fixture.dir, signal: new AbortController().signal };
    launcher = await launcherFor({ provider: 'replay', db: fixture.db }, io, fixture.deps.write);
    fixture.deps.launcher = paced(launcher, 120);
    // Two feeds as a watcher left them: one healthy, one failing. (ensureFeeds reads only name and url.)
    const feeds = [
      { name: 'economy', url: 'http://127.0.0.1:9/economy.rss' },
      { name: 'asia', url: 'http://127.0.0.1:9/asia.atom' },
    ] as FeedConfig[];
    ensureFeeds(fixture.deps.write, feeds);
    const at = new Date().toISOString();
    const next = new Date(Date.now() + 15 * 60_000).toISOString();
    recordPollSuccess(fixture.deps.write, 'economy', { at, httpStatus: 200, nextPollAt: next });
    recordPollFailure(fixture.deps.write, 'asia', { at, httpStatus: 502, error: 'HTTP 502 Bad Gateway', nextPollAt: next });
    server = await serveFixture(fixture);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await launcher?.close();
    await server?.close();
    fixture?.close();
  });

  it('/feeds loads with no console error, and its fields follow the archive over SSE without a reload', async () => {
    const { page, problems } = await watchedPage(browser);
    const response = await page.goto(`${server.url}feeds`);
    expect(response?.status()).toBe(200);
    await expect(page.locator('h1').first().textContent()).resolves.toBe('Feeds');
    const twin = (await (await fetch(`${server.url}feeds.json`)).json()) as { feeds: { name: string }[] };
    const asia = twin.feeds.findIndex((f) => f.name === 'asia');
    const status = page.locator(`[data-field="feed-${asia}-lastStatus"]`);
    await expect(status.textContent()).resolves.toBe('502');
    await page.screenshot({ path: screenshotPath('feeds.png'), fullPage: true });

    // A marker on the window: still there afterwards means the page was updated, not reloaded.
    await page.evaluate('window.assessMarker = 42');
    recordPollFailure(fixture.deps.write, 'asia', { at: new Date().toISOString(), httpStatus: 503, error: 'HTTP 503 Service Unavailable', nextPollAt: new Date(Date.now() + 60_000).toISOString() });
    // Polled from the test (locators), not page.waitForFunction: the CSP forbids the eval that would need.
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toBe('503');
    expect(await page.locator(`[data-field="feed-${asia}-problem"]`).textContent()).toMatch(/HTTP 503 Service Unavailable \(2 failures in a row\)/);
    expect(await page.evaluate('window.assessMarker')).toBe(42);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('/new: upload the seed file, submit; the progress page shows the desks progressing, then the run page', async () => {
    const { page, problems } = await watchedPage(browser);
    const response = await page.goto(`${server.url}new`);
    expect(response?.status()).toBe(200);
    expect(await page.locator('input[name="desk"]:checked').count()).toBe(8);
    await page.setInputFiles('#new-file', SEED);
    await page.screenshot({ path: screenshotPath('new.png'), fullPage: true });

    await Promise.all([page.waitForURL(/\/new\/[0-9a-f-]+$/), page.locator('button[type="submit"]').click()]);
    const jobUrl = page.url();
    // Progress: some desk finished while the run is still going (the page has not moved on yet).
    const desks = page.locator('[data-field^="desk-"]');
    await expect
      .poll(async () => {
        const states = await desks.allTextContents();
        return states.includes('ok') && states.some((x) => x !== 'ok');
      }, { timeout: 20_000, interval: 50 })
      .toBe(true);
    expect(page.url()).toBe(jobUrl);
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/, { timeout: 30_000 });
    const runId = page.url().split('/runs/')[1]!;
    const run = (await (await fetch(`${server.url}runs/${runId}.json`)).json()) as { assessments: unknown[] };
    expect(run.assessments).toHaveLength(8);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 90_000);
});
