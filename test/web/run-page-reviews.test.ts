/**
 * Reviews on the pages where they are written (issue 15 §3): the run page offers a panel for its
 * merged risks and one for its scenarios (target picked in the form), a review saved on a desk
 * page returns to that desk page, forms are prefilled with the author last used in this browser,
 * and desks show their track record as `runs show` does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRunReviews } from '../../src/archive/reviews.js';
import { resolveQuestion } from '../../src/archive/resolve-question.js';
import { listQuestions } from '../../src/archive/forecasts.js';
import { webFixture, type WebFixture } from './support.js';

describe('reviews on the run and desk pages', () => {
  let fx: WebFixture;
  let runId: string;
  const post = (path: string, fields: Record<string, string>) =>
    fx.request(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...fields, _csrf: fx.csrf() }).toString() });

  beforeAll(() => {
    fx = webFixture();
    runId = fx.runs[1]!;
  }, 120_000);
  afterAll(() => fx?.close());

  it('the run page has a risk panel and a scenario panel whose forms pick the target', async () => {
    const page = await (await fx.request(`/runs/${runId}`)).text();
    const risks = /<section class="review-panel" id="review-risks"[\s\S]*?<\/section>/.exec(page)?.[0] ?? '';
    expect(risks).toContain('<select name="ref" required>');
    expect(risks).toMatch(/<option value="RR1">RR1: /);
    const scenarios = /<section class="review-panel" id="review-scenarios"[\s\S]*?<\/section>/.exec(page)?.[0] ?? '';
    expect(scenarios).toMatch(/<option value="S1">S1: /);
    expect(scenarios).toContain('name="kind" value="trajectory"');
  });

  it('a risk review saved from that panel is stored with its target and listed there; the author is remembered', async () => {
    const r = await post(`/runs/${runId}/reviews`, { kind: 'risk', ref: 'RR2', author: 'Aiko Tanaka', flag: 'unsupported-fact', note: 'Where is the *source*?', return: `/runs/${runId}` });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe(`/runs/${runId}#review-risk-RR2`);
    expect(loadRunReviews(fx.deps.read, runId).map((x) => [x.kind, x.ref, x.author])).toEqual([['risk', 'RR2', 'Aiko Tanaka']]);
    const page = await (await fx.request(`/runs/${runId}`)).text();
    const risks = /<section class="review-panel" id="review-risks"[\s\S]*?<\/section>/.exec(page)?.[0] ?? '';
    expect(risks).toContain('<code>RR2</code>');
    expect(risks).toContain('<em>source</em>');
    // The anchor the redirect points at exists on the page.
    expect(page).toContain('id="review-risk-RR2"');
    // Every form now offers the author last used.
    expect(page.match(/name="author" value="Aiko Tanaka"/g)!.length).toBeGreaterThanOrEqual(10);
  });

  it('a review saved on a desk page returns to that desk page', async () => {
    const path = `/runs/${runId}/desks/KR-01`;
    const page = await (await fx.request(path)).text();
    expect(page).toContain(`name="return" value="${path}"`);
    const r = await post(`/runs/${runId}/reviews`, { kind: 'desk', ref: 'KR-01', author: 'Ben', rating: '3', return: path });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe(`${path}#review-desk-KR-01`);
  });

  it('desks show their track record once questions have resolved, on the run page and the desk page', async () => {
    const before = await (await fx.request(`/runs/${runId}`)).text();
    expect(before).not.toContain('Track record');
    const question = listQuestions(fx.deps.read, { now: new Date() }).find((q) => q.type === 'binary')!;
    resolveQuestion(fx.deps.write, { questionId: question.id, outcome: 'yes', at: new Date().toISOString() });
    const after = await (await fx.request(`/runs/${runId}`)).text();
    expect(after).toMatch(/Track record: JP-01: Brier \d\.\d\d over 1 question/);
    expect(await (await fx.request(`/runs/${runId}/desks/JP-01`)).text()).toMatch(/Track record: JP-01: Brier \d\.\d\d over 1 question/);
  });
});
