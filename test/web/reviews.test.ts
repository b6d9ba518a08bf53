/**
 * Reviews through the workspace (issue 15 §3), in-process via Hono's harness: the POST that saves
 * one (CSRF, 303 back to the panel, the author cookie), refusals (403 without the token, 400 with
 * the archive's one line and nothing written), notes rendered inert in the panel and the HTML
 * export, and the reviews in `assess runs show` / `runs export` (built CLI: `npm run build`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRun } from '../../src/archive/load-run.js';
import { loadRunReviews, reviewsOf } from '../../src/archive/reviews.js';
import { renderRunHtml } from '../../src/report/html.js';
import { reviewPanel } from '../../src/web/components/review-panel.js';
import { safeReturnPath } from '../../src/web/pages/reviews.js';
import { assess } from '../support/forecast-archive.js';
import { webFixture, type WebFixture } from './support.js';

const HOSTILE = 'Careful: <script>alert(1)</script> and [x](javascript:alert(1)) and <img src=x onerror=alert(2)>';

/** No live markup from the hostile note: the script and img are text, no javascript: link. */
function expectInert(markup: string): void {
  expect(markup).not.toContain('<script>alert(1)');
  expect(markup).not.toMatch(/<img[^>]*onerror/i);
  expect(markup).not.toMatch(/href\s*=\s*["']?\s*javascript:/i);
  expect(markup).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
}

describe('reviews in the workspace', () => {
  let fx: WebFixture;
  let runId = '';
  const rows = () => loadRunReviews(fx.deps.read, runId);

  beforeAll(async () => {
    fx = webFixture();
    runId = fx.runs[0]!;
    await fx.request('/'); // any page issues the CSRF cookie
  });
  afterAll(() => fx.close());

  const post = (fields: Record<string, string>, options: { csrf?: boolean } = {}) =>
    fx.request(`/runs/${runId}/reviews`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...(options.csrf === false ? {} : { _csrf: fx.csrf() }), ...fields }).toString(),
    });

  it('saves a desk rating with a note: 303 to the panel, one row, the author remembered', async () => {
    const before = rows().length;
    const r = await post({ kind: 'desk', ref: 'JP-01', author: 'Aiko', rating: '4', note: 'Facts hold up; *RR1* is overstated.', return: `/runs/${runId}/desks/JP-01` });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe(`/runs/${runId}/desks/JP-01#review-desk-JP-01`);
    expect(r.headers.get('set-cookie')).toMatch(/assess_author=Aiko;.*HttpOnly.*SameSite=Strict/i);
    const all = rows();
    expect(all).toHaveLength(before + 1);
    expect(all.at(-1)).toMatchObject({ kind: 'desk', ref: 'JP-01', author: 'Aiko', rating: 4, flag: null, note: 'Facts hold up; *RR1* is overstated.' });
  });

  it('a flag on a merged risk and a note on the run go back to the run page at their panel', async () => {
    const risk = await post({ kind: 'risk', ref: 'RR1', author: 'Ben', flag: 'missed-angle', return: 'https://evil.example/runs/x' });
    expect(risk.status).toBe(303);
    expect(risk.headers.get('location')).toBe(`/runs/${runId}#review-risk-RR1`);
    const run = await post({ kind: 'run', ref: '', author: 'Ben', note: 'Read with the follow-up.' });
    expect(run.headers.get('location')).toBe(`/runs/${runId}#review-run`);
    expect(rows().slice(-2).map((r) => [r.kind, r.ref, r.flag, r.note])).toEqual([
      ['risk', 'RR1', 'missed-angle', null],
      ['run', null, null, 'Read with the follow-up.'],
    ]);
  });

  it('only same-site /runs/ paths are returned to', () => {
    expect(safeReturnPath('/runs/abc/desks/JP-01?x=1', 'abc')).toBe('/runs/abc/desks/JP-01?x=1');
    for (const bad of ['//evil.example/runs/', 'https://evil.example/runs/abc', '/compare', '/runs/\\evil', '/runs/../../x', 'javascript:alert(1)', '']) {
      expect(safeReturnPath(bad, 'abc'), bad).toBe('/runs/abc');
    }
  });

  it('without the CSRF token: 403 and no row', async () => {
    const before = rows().length;
    const r = await post({ kind: 'desk', ref: 'JP-01', author: 'Mallory', rating: '1' }, { csrf: false });
    expect(r.status).toBe(403);
    expect(rows()).toHaveLength(before);
  });

  it.each([
    ['rating 7', { kind: 'desk', ref: 'JP-01', author: 'Aiko', rating: '7' }, 'rating must be a whole number from 1 to 5 (got &quot;7&quot;)'],
    ['rating x', { kind: 'desk', ref: 'JP-01', author: 'Aiko', rating: 'x' }, 'rating must be a whole number from 1 to 5'],
    ['unknown desk', { kind: 'desk', ref: 'ZZ-01', author: 'Aiko', rating: '3' }, 'has no desk &quot;ZZ-01&quot;'],
    ['no author', { kind: 'desk', ref: 'JP-01', author: '', rating: '3' }, 'author must be 1 to 80 characters'],
    ['empty review', { kind: 'run', ref: '', author: 'Aiko' }, 'a review needs a rating, a flag or a note'],
    ['rating a risk', { kind: 'risk', ref: 'RR1', author: 'Aiko', rating: '3' }, 'only a desk&#39;s assessment can be rated'],
  ])('%s: 400 with the one line, nothing written', async (_name, fields, line) => {
    const before = rows().length;
    const r = await post(fields);
    expect(r.status).toBe(400);
    const page = await r.text();
    expect(page).toContain('Review not saved');
    expect(page).toContain(line);
    expect(rows()).toHaveLength(before);
  });

  it('an unknown run is a 400, not a crash', async () => {
    const r = await fx.request('/runs/ffffffff/reviews', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: fx.csrf(), kind: 'run', author: 'a', note: 'n' }).toString(),
    });
    expect(r.status).toBe(400);
    expect(await r.text()).toContain('unknown run ffffffff');
  });

  it('a hostile note renders inert in the panel and in the HTML export; a safe link stays a link', async () => {
    const r = await post({ kind: 'desk', ref: 'US-01', author: 'Eve <b>', rating: '2', flag: 'invented-source', note: `${HOSTILE}\n\nSee [the memo](https://example.org/memo).` });
    expect(r.status).toBe(303);
    const reviews = rows();
    const panel = String(reviewPanel({ runId, kind: 'desk', ref: 'US-01', reviews: reviewsOf(reviews, 'desk', 'US-01'), csrf: 'tok', rating: true, author: 'Eve <b>' }));
    expectInert(panel);
    expect(panel).toContain('Eve &lt;b&gt;');
    expect(panel).not.toContain('Eve <b>');
    expect(panel).toContain('<a href="https://example.org/memo" rel="noopener noreferrer nofollow">the memo</a>');
    // The panel itself: the rating form keys 1–5 submit, with the CSRF field and the target.
    expect(panel).toMatch(/<form class="review-form"[^>]*action="\/runs\/[0-9a-f-]+\/reviews"[^>]*data-rate>/);
    expect(panel.match(/<input type="radio" name="rating" value="[1-5]">/g)).toHaveLength(5);
    expect(panel).toContain('<input type="hidden" name="_csrf" value="tok">');
    expect(panel).toContain('<input type="hidden" name="ref" value="US-01">');
    expect(panel).toContain('value="Eve &lt;b&gt;"');
    expect(panel).toContain('2/5');
    expect(panel).toContain('Invented source');

    // Where pages show it: the run page and the desk page (their panels), and the run page's JSON twin carries it as data.
    for (const path of [`/runs/${runId}`, `/runs/${runId}/desks/US-01`]) {
      const shown = await fx.request(path);
      expect(shown.status, path).toBe(200);
      const markup = await shown.text();
      expectInert(markup);
      expect(markup, path).toContain('Eve &lt;b&gt;');
    }
    const twin = (await (await fx.request(`/runs/${runId}.json`)).json()) as { reviews: { note: string | null }[] };
    expect(twin.reviews).toEqual(JSON.parse(JSON.stringify(reviews)));

    const exported = renderRunHtml(loadRun(fx.deps.read, runId).result, { reviews });
    expectInert(exported);
    expect(exported).toContain('<section id="reviews"');
  });

  it('assess runs show lists the reviews in Markdown and JSON; runs export carries them in md, json and html', async () => {
    const saved = await post({ kind: 'desk', ref: 'KR-01', author: 'Grace', rating: '5', flag: 'wrong-stance', note: 'Stance reads **too calm**.' });
    expect(saved.status).toBe(303);
    const all = rows();

    const md = assess(['runs', 'show', runId, '--db', fx.db]);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toContain('## Reviews');
    expect(md.stdout).toMatch(/### Desk KR-01 — .+\n\n_Current rating: 5\/5 \(Grace\)_/);
    expect(md.stdout).toMatch(/- \*\*Grace\*\* · \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC · rated 5\/5 · ⚑ Wrong stance\n\n  > Stance reads \*\*too calm\*\*\./);
    expect(md.stdout).toContain('### Risk RR1 — ');

    const json = assess(['runs', 'show', runId, '--db', fx.db, '--format', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const shown = JSON.parse(json.stdout) as { runId: string; reviews: unknown[] };
    expect(shown.reviews).toEqual(all);
    expect(shown.reviews.at(-1)).toMatchObject({ kind: 'desk', ref: 'KR-01', author: 'Grace', rating: 5, flag: 'wrong-stance' });

    // A run with no reviews: JSON says so with an empty list; Markdown has no section.
    const other = fx.runs[1]!;
    expect((JSON.parse(assess(['runs', 'show', other, '--db', fx.db, '--format', 'json']).stdout) as { reviews: unknown[] }).reviews).toEqual([]);
    expect(assess(['runs', 'show', other, '--db', fx.db]).stdout).not.toContain('## Reviews');

    const exportedJson = assess(['runs', 'export', runId, '--db', fx.db, '--format', 'json']);
    expect((JSON.parse(exportedJson.stdout) as { reviews: unknown[] }).reviews).toEqual(all);
    const exportedMd = assess(['runs', 'export', runId, '--db', fx.db, '--format', 'md']);
    expect(exportedMd.stdout).toContain('rated 5/5 · ⚑ Wrong stance');
    const exportedHtml = assess(['runs', 'export', runId, '--db', fx.db, '--format', 'html']);
    expect(exportedHtml.code, exportedHtml.stderr).toBe(0);
    expect(exportedHtml.stdout).toContain('<section class="review-group" id="review-desk-KR-01">');
    expect(exportedHtml.stdout).toContain('<p>Stance reads <strong>too calm</strong>.</p>');
    expect(exportedHtml.stdout).toContain('Grace');
    expectInert(exportedHtml.stdout);
  });

  it('a panel for a risk has no rating form, and an empty panel says so', () => {
    const panel = String(reviewPanel({ runId, kind: 'risk', ref: 'JP-01:R2', reviews: [], csrf: 'tok', rating: false }));
    expect(panel).not.toContain('data-rate');
    expect(panel).not.toContain('name="rating"');
    expect(panel).toContain('id="review-risk-JP-01_R2"');
    expect(panel).toContain('No reviews yet.');
    expect(panel).toContain(`<input type="hidden" name="return" value="/runs/${runId}">`);
  });
});
