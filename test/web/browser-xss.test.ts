/**
 * Untrusted text stays inert in the browser (issue 15 §1, §5): an event whose title and body hold
 * `<script>` and `onerror=` markup is archived (through the built CLI; replay has no recording for
 * it, so the run fails, but the event and its thread are archived all the same), and every page
 * that shows it renders the markup as text: no script of its runs, no element it names exists.
 */
import { spawnSync } from 'node:child_process';
import type { Browser } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/web/server.js';
import { CLI } from '../bench/spawn-cli.js';
import { ROOT } from '../support/paths.js';
import { browserWorkspace, watchedPage } from './browser.js';

const TITLE = `Tariff talks <script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> resume`;
const TEXT = `Officials met. <svg onload="window.__pwned = 3"></svg><a href="javascript:window.__pwned=4">details</a>`;

describe('untrusted text in the browser', () => {
  const workspace = browserWorkspace({ build: false }, (f) => {
    const r = spawnSync(process.execPath, [CLI, 'run', '--title', TITLE, '--text', TEXT, '--provider', 'replay', '--db', f.db, '--format', 'json', '--no-progress'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '' },
    });
    const report = JSON.parse(r.stdout) as { runId: string; thread: { id: string } };
    runId = report.runId;
    threadId = report.thread.id;
  });
  let server: RunningServer;
  let browser: Browser;
  let runId: string;
  let threadId: string;

  beforeAll(() => {
    ({ server, browser } = workspace());
  });

  for (const [name, path] of [
    ['runs page', () => '/'],
    ['search', () => '/search?q=Tariff'],
    ['run page', () => `/runs/${runId}`],
    ['threads', () => '/threads'],
    ['thread page', () => `/threads/${threadId}`],
  ] as [string, () => string][]) {
    it(`${name}: the markup shows as text and nothing runs`, async () => {
      const { page, problems } = await watchedPage(browser);
      const response = await page.goto(`${server.url.replace(/\/$/, '')}${path()}`);
      expect(response?.status(), path()).toBe(200);
      await page.waitForTimeout(300);
      expect(await page.evaluate('window.__pwned === undefined')).toBe(true);
      // The only script is the workspace's own; no element named in the text exists.
      expect(await page.evaluate('Array.from(document.scripts).map((s) => s.getAttribute("src"))')).toEqual(['/assets/app.js']);
      expect(await page.locator('main img[src="x"], main svg[onload], main a[href^="javascript:"]').count()).toBe(0);
      const text = (await page.locator('main').textContent()) ?? '';
      expect(text).toContain('<script>window.__pwned = 1</script>');
      // A blocked inline script would be reported as a CSP error: there must be nothing to block.
      expect(problems).toEqual([]);
    });
  }
});
