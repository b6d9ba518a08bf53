/**
 * The workspace in Debian's Chromium (issue 15 §5): the frame loads with no console error, the
 * script runs under the CSP, and the shortcuts dialog opens from the keyboard.
 */
import type { Browser } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/web/server.js';
import { browserWorkspace, watchedPage } from './browser.js';
import type { WebFixture } from './support.js';

describe('workspace in a real browser: the frame', () => {
  const workspace = browserWorkspace();
  let fixture: WebFixture;
  let server: RunningServer;
  let browser: Browser;

  beforeAll(() => {
    ({ fixture, server, browser } = workspace());
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

  it('a POST without the CSRF token is refused with 403, sent from the page itself', async () => {
    const { page } = await watchedPage(browser);
    await page.goto(server.url);
    // Same origin, the page's own cookies: only the token is missing.
    const status = await page.evaluate(`fetch('/new', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'text=x' }).then((r) => r.status)`);
    expect(status).toBe(403);
    const body = await page.evaluate(`fetch('/runs/${fixture.runs[0]}/reviews', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'kind=run&author=x&note=y' }).then((r) => r.text())`);
    expect(body).toContain('CSRF');
  });
});

describe('workspace in a real browser: a server that requires a token', () => {
  const TOKEN = 'browser-test-token-0123456789abcdef';
  const workspace = browserWorkspace({ build: false, token: TOKEN });
  let server: RunningServer;
  let browser: Browser;

  beforeAll(() => {
    ({ server, browser } = workspace());
  });

  it('refuses a browser without the token (401), lets it in through the printed ?token= URL, then by cookie', async () => {
    const { page } = await watchedPage(browser);
    const refused = await page.goto(server.url);
    expect(refused?.status()).toBe(401);
    expect(await page.locator('body').textContent()).toContain('access token is required');
    const admitted = await page.goto(`${server.url}?token=${TOKEN}`);
    expect(admitted?.status()).toBe(200);
    // The token left the address bar; the cookie carries it from here on.
    expect(page.url()).toBe(server.url);
    expect((await page.goto(`${server.url}threads`))?.status()).toBe(200);
  });
});
