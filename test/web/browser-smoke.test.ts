/**
 * The workspace in Debian's Chromium (issue 15 §5): the frame loads with no console error, the
 * script runs under the CSP, and the shortcuts dialog opens from the keyboard.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/web/server.js';
import { launchBrowser, serveFixture, watchedPage } from './browser.js';
import { webFixture, type WebFixture } from './support.js';

describe('workspace in a real browser: the frame', () => {
  let fixture: WebFixture;
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    fixture = webFixture();
    server = await serveFixture(fixture);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    fixture?.close();
  });

  it('the runs page loads with no console error; ? opens the shortcuts, / focuses search', async () => {
    const { page, problems } = await watchedPage(browser);
    const response = await page.goto(server.url);
    expect(response?.status()).toBe(200);
    await expect(page.locator('h1').first().textContent()).resolves.toBe('Runs');
    await page.keyboard.press('?');
    expect(await page.locator('#shortcuts').getAttribute('open')).not.toBeNull();
    await page.keyboard.press('Escape');
    await page.keyboard.press('/');
    // Browser-side code as a string: the tests are typed for Node, not the DOM.
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('q');
    expect(problems).toEqual([]);
  });
});
