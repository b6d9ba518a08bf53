import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startWebServer, type RunningServer } from '../../src/web/server.js';
import { webFixture, type WebFixture } from './support.js';

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

/** What a browser test block works with: its archive fixture, the server over it, Chromium. */
export interface BrowserWorkspace {
  fixture: WebFixture;
  server: RunningServer;
  browser: Browser;
}

/**
 * The set-up every browser test block shares, registered as its beforeAll/afterAll: a fixture
 * archive (`prepare` may add to it before the server starts), the workspace on 127.0.0.1 and
 * Chromium. Returns a getter, since the values exist only once beforeAll has run.
 */
export function browserWorkspace(options: Parameters<typeof webFixture>[0] = {}, prepare?: (fixture: WebFixture) => void): () => BrowserWorkspace {
  let workspace: Partial<BrowserWorkspace> = {};
  beforeAll(async () => {
    const fixture = webFixture(options);
    prepare?.(fixture);
    workspace = { fixture };
    workspace.server = await serveFixture(fixture);
    workspace.browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await workspace.browser?.close();
    await workspace.server?.close();
    workspace.fixture?.close();
  });
  return () => workspace as BrowserWorkspace;
}
