import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startWebServer, type RunningServer } from '../../src/web/server.js';
import type { WebFixture } from './support.js';

/**
 * A real browser for the workspace tests: Debian's Chromium driven by playwright-core (never a
 * browser download). Missing Chromium is a failure, not a skip: `.ci/run` installs it
 * (`apt-get install -y chromium`); elsewhere install it the same way.
 */
export const CHROMIUM = process.env['ASSESS_CHROMIUM'] ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium) — browser tests never skip`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-dev-shm-usage'],
  });
}

/** The fixture's workspace on a real socket, 127.0.0.1 and a free port; close() stops it. */
export async function serveFixture(fixture: WebFixture): Promise<RunningServer> {
  return startWebServer(fixture.deps, '127.0.0.1', 0);
}

/**
 * A page that records console errors, page errors and CSP violations, so a test can assert a page
 * loaded cleanly (`problems` empty).
 */
export async function watchedPage(browser: Browser): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ colorScheme: 'light' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return { page, problems };
}

/**
 * Where the browser tests save their screenshots: a temporary folder, so a test run never changes
 * tracked files; `npm run screenshots` points it at docs/screenshots (ASSESS_SCREENSHOTS_DIR) to
 * refresh the pictures the README shows.
 */
export function screenshotPath(name: string): string {
  const dir = process.env['ASSESS_SCREENSHOTS_DIR'] ?? join(tmpdir(), 'assess-screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}
