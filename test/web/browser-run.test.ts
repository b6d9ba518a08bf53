/**
 * The run, desk and compare pages in Debian's Chromium (issue 15 §5): they load under the CSP with
 * no console error, the run page shows the consolidated view, all 8 desks and the three charts,
 * j/k moves between desk cards, n follows to the next desk, and "only differences" hides the
 * unchanged rows. Saves docs/screenshots/run.png and compare.png.
 */
import type { Browser } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/web/server.js';
import { browserWorkspace, screenshotPath, watchedPage } from './browser.js';
import type { WebFixture } from './support.js';

describe('run, desk and compare pages in a real browser', () => {
  const workspace = browserWorkspace({}, (f) => {
    [seed, followUp] = f.runs as [string, string];
  });
  let fixture: WebFixture;
  let server: RunningServer;
  let browser: Browser;
  let seed: string;
  let followUp: string;

  beforeAll(() => {
    ({ fixture, server, browser } = workspace());
  });

  it('the run page shows the consolidated view, 8 desks and 3 charts; j/k move between desk cards', async () => {
    const { page, problems } = await watchedPage(browser);
    await page.setViewportSize({ width: 1280, height: 900 });
    const response = await page.goto(`${server.url}runs/${followUp}`);
    expect(response?.status()).toBe(200);
    await expect(page.locator('#consolidated').isVisible()).resolves.toBe(true);
    await expect(page.locator('#consolidated .bottom-line').textContent()).resolves.toMatch(/^Bottom line\. \S/);
    expect(await page.locator('.desk-card').count()).toBe(8);
    expect(await page.locator('section.desk').count()).toBe(8);
    for (const chart of ['risk-matrix', 'scenario-bars', 'call-timeline']) {
      const svg = page.locator(`svg.chart.${chart}`);
      expect(await svg.count()).toBe(1);
      const box = await svg.boundingBox();
      expect(box?.width ?? 0).toBeGreaterThan(200);
      expect(box?.height ?? 0).toBeGreaterThan(50);
      expect(await svg.getAttribute('role')).toBe('img');
    }
    // Colours come from the stylesheet: a pooled bar is filled, not the SVG default black.
    expect(await page.evaluate("getComputedStyle(document.querySelector('.scenario-bars .pooled')).fill")).not.toBe('rgb(0, 0, 0)');
    const selectedDesk = "(document.querySelector('.desk-card.selected') || {}).getAttribute ? document.querySelector('.desk-card.selected').getAttribute('data-desk') : null";
    const cards = await page.locator('.desk-card').evaluateAll((els) => els.map((e) => e.getAttribute('data-desk')));
    await page.keyboard.press('j');
    expect(await page.evaluate(selectedDesk)).toBe(cards[0]);
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    expect(await page.evaluate(selectedDesk)).toBe(cards[2]);
    await page.keyboard.press('k');
    expect(await page.evaluate(selectedDesk)).toBe(cards[1]);
    expect(await page.locator('.desk-card.selected').count()).toBe(1);
    // The top of the page (header, consolidated view and its charts); the whole page is 8 desks long.
    await page.screenshot({ path: screenshotPath('run.png'), fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 2600 } });
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('on a desk page, n goes to the next desk and p back', async () => {
    const { page, problems } = await watchedPage(browser);
    const order = ((await (await fixture.request(`/runs/${seed}.json`)).json()) as { desks: { agentId: string }[] }).desks.map((d) => d.agentId);
    await page.goto(`${server.url}runs/${seed}/desks/${order[0]}`);
    await expect(page.locator('section.desk h2').first().textContent()).resolves.toContain(order[0]);
    await Promise.all([page.waitForURL(`**/desks/${order[1]}`), page.keyboard.press('n')]);
    await expect(page.locator('section.desk h2').first().textContent()).resolves.toContain(order[1]);
    await Promise.all([page.waitForURL(`**/desks/${order[0]}`), page.keyboard.press('p')]);
    expect(page.url()).toBe(`${server.url}runs/${seed}/desks/${order[0]}`);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('the compare page loads cleanly; "only differences" hides the unchanged rows', async () => {
    const { page, problems } = await watchedPage(browser);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${server.url}compare?a=${seed}&b=${followUp}`);
    await expect(page.locator('h1').first().textContent()).resolves.toBe('Compare two runs');
    const changed = await page.locator('tr.changed').count();
    const same = await page.locator('tr.same').count();
    expect(changed).toBeGreaterThan(0);
    await page.screenshot({ path: screenshotPath('compare.png'), fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 1800 } });
    // Desks of one run compared with themselves: every row is unchanged, then all hidden.
    await page.goto(`${server.url}compare?run=${seed}&a=JP-01&b=JP-01`);
    expect(await page.locator('tr.same').count()).toBeGreaterThan(3);
    await page.locator('input[name="only"]').check();
    await Promise.all([page.waitForURL(/only=diff/), page.locator('form.compare-form button[type="submit"]').click()]);
    expect(await page.locator('tr.same').count()).toBe(0);
    await expect(page.locator('.hidden-count').first().textContent()).resolves.toMatch(/unchanged row\(s\) hidden/);
    // Back on the runs comparison, the filter link drops the unchanged rows and keeps the changed.
    await page.goto(`${server.url}compare?a=${seed}&b=${followUp}`);
    if (same > 0) {
      await Promise.all([page.waitForURL(/only=diff/), page.locator('#only-diff').click()]);
      expect(await page.locator('tr.same').count()).toBe(0);
      expect(await page.locator('tr.changed').count()).toBe(changed);
    }
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
