/**
 * The list pages in Debian's Chromium (issue 15 §2, §5): /, /search (Japanese), /threads, a thread
 * and /questions load with no console error under the CSP; j/k + Enter on the runs page opens a
 * run; screenshots for the docs.
 */
import type { Browser } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/web/server.js';
import { browserWorkspace, screenshotPath, watchedPage } from './browser.js';
import { addJapaneseRun, JA_QUERY } from './lists-support.js';
import type { WebFixture } from './support.js';

describe('list pages in a real browser', () => {
  const workspace = browserWorkspace({}, (f) => {
    jaRun = addJapaneseRun(f.dir, f.db);
  });
  let fixture: WebFixture;
  let server: RunningServer;
  let browser: Browser;
  let jaRun: string;

  beforeAll(() => {
    ({ fixture, server, browser } = workspace());
  });

  it('each list page loads with no console error', async () => {
    const { page, problems } = await watchedPage(browser);
    const pages: [string, string, string | null][] = [
      ['/', 'Runs', 'runs'],
      [`/search?q=${encodeURIComponent(JA_QUERY)}`, 'Search', null],
      ['/threads', 'Threads', null],
      [`/threads/${fixture.threadId}`, '', 'thread'],
      ['/questions', 'Questions', 'questions'],
    ];
    for (const [path, h1, shot] of pages) {
      const response = await page.goto(`${server.url}${path.slice(1)}`);
      expect(response?.status(), path).toBe(200);
      if (h1) expect(await page.locator('h1').first().textContent()).toBe(h1);
      if (shot) await page.screenshot({ path: screenshotPath(`${shot}.png`), fullPage: true });
    }
    await page.goto(`${server.url}search?q=${encodeURIComponent(JA_QUERY)}`);
    expect(await page.locator('.hits mark').first().textContent()).toBe(JA_QUERY);
    expect(await page.locator(`.hits a[href^="/runs/${jaRun}"]`).count()).toBeGreaterThan(0);
    expect(await page.inputValue('#q')).toBe(JA_QUERY);
    await page.goto(`${server.url}threads/${fixture.threadId}`);
    expect(await page.locator('svg.probability-lines').count()).toBeGreaterThan(0);
    await page.goto(`${server.url}questions`);
    expect(await page.locator('form.resolve-form').count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });

  it('j/k moves between runs and Enter opens the selected one', async () => {
    const { page, problems } = await watchedPage(browser);
    await page.goto(server.url);
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    await page.keyboard.press('j');
    // Browser-side code as a string: the tests are typed for Node, not the DOM.
    const target = (await page.evaluate(
      "(() => { const rows = [...document.querySelectorAll('[data-nav-item]')]; const i = rows.findIndex((r) => r.classList.contains('selected')); return i + ':' + rows[i].querySelector('a').getAttribute('href'); })()",
    )) as string;
    const [index, href] = target.split(':');
    expect(Number(index)).toBe(1);
    // The run page belongs to another part of the workspace: only the runs page's own console is judged here.
    expect(problems).toEqual([]);
    await Promise.all([page.waitForURL(`**${href}`), page.keyboard.press('Enter')]);
    expect(new URL(page.url()).pathname).toBe(href);
    expect(href).toBe(`/runs/${fixture.runs[1]}`);
  });
});
