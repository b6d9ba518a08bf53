/**
 * A review saved in Debian's Chromium (issue 15 §5): on a desk's page, fill the author and note,
 * press a digit key to rate and submit (app.js submits `form[data-rate]`), land back at the panel,
 * reload: the review is still there, and `assess runs show` lists it. No console errors.
 */
import type { Browser } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRunReviews } from '../../src/archive/reviews.js';
import type { RunningServer } from '../../src/web/server.js';
import { assess } from '../support/forecast-archive.js';
import { browserWorkspace, screenshotPath, watchedPage } from './browser.js';
import type { WebFixture } from './support.js';

describe('reviews in a real browser', () => {
  const workspace = browserWorkspace();
  let fixture: WebFixture;
  let server: RunningServer;
  let browser: Browser;

  beforeAll(() => {
    ({ fixture, server, browser } = workspace());
  });

  it('fill a note, press 4: the rating and note are saved, survive a reload, and runs show lists them', async () => {
    const runId = fixture.runs[0]!;
    const { page, problems } = await watchedPage(browser);
    const form = '#review-desk-JP-01-form';
    const desk = await page.goto(`${server.url.replace(/\/$/, '')}/runs/${runId}/desks/JP-01`);
    expect(desk?.status()).toBe(200);
    await expect(page.locator(form).count()).resolves.toBe(1);
    expect(await page.locator(`${form} input[name="rating"]`).count()).toBe(5);

    await page.fill(`${form} input[name="author"]`, 'Aiko Browser');
    await page.fill(`${form} textarea[name="note"]`, 'Checked in **Chromium**: <script>alert(1)</script>');
    // Escape leaves the textarea (app.js), so the digit is a shortcut, not typed text.
    await page.keyboard.press('Escape');
    await Promise.all([page.waitForURL(/#review-desk-JP-01$/), page.keyboard.press('4')]);
    // The panel's return path: the desk page passes none, so the run page (its default), at JP-01's panel.
    expect(new URL(page.url()).pathname).toMatch(new RegExp(`^/runs/${runId}(/desks/JP-01)?$`));

    await page.reload();
    const panel = page.locator('#review-desk-JP-01');
    const text = (await panel.textContent()) ?? '';
    expect(text).toContain('Aiko Browser');
    expect(text).toContain('4/5');
    expect(text).toContain('Current rating: 4/5 (Aiko Browser)');
    // The note's Markdown is rendered; its markup is text.
    await expect(panel.locator('.review-note strong').first().textContent()).resolves.toBe('Chromium');
    expect(await panel.locator('.review-note').first().textContent()).toContain('<script>alert(1)</script>');
    expect(await page.evaluate('document.querySelectorAll(".review-note script").length')).toBe(0);

    const rows = loadRunReviews(fixture.deps.read, runId);
    expect(rows.map((r) => [r.kind, r.ref, r.author, r.rating])).toEqual([['desk', 'JP-01', 'Aiko Browser', 4]]);
    const shown = assess(['runs', 'show', runId, '--db', fixture.db]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/- \*\*Aiko Browser\*\* · .* UTC · rated 4\/5\n\n {2}> Checked in \*\*Chromium\*\*/);

    // The saved review on the desk page too; the screenshot is the panel itself (a whole page with
    // an assessment runs to tens of thousands of pixels).
    await page.goto(`${server.url.replace(/\/$/, '')}/runs/${runId}/desks/JP-01`);
    await expect(page.locator('#review-desk-JP-01 .review-author').first().textContent()).resolves.toBe('Aiko Browser');
    await page.locator('#review-desk-JP-01').screenshot({ path: screenshotPath('review.png') });
    expect(problems).toEqual([]);
  }, 60_000);
});
