/**
 * /questions (issue 15 §2): every question with a resolve form, resolving through the form with
 * the CSRF token (the rules of `assess resolve`), and the scores table from the same report as
 * `assess scores`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuestionDetail } from '../../src/archive/forecasts.js';
import type { QuestionsPageData } from '../../src/web/pages/questions-page.js';
import { assess, tableRows } from '../support/forecast-archive.js';
import { webFixture, type WebFixture } from './support.js';

describe('questions page', () => {
  let fx: WebFixture;
  const form = (fields: Record<string, string>, csrf = true) => {
    const body = new URLSearchParams(fields);
    if (csrf) body.set('_csrf', fx.csrf());
    return { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } };
  };

  beforeAll(() => {
    fx = webFixture();
  }, 120_000);
  afterAll(() => fx?.close());

  it('lists every question with a resolve form carrying the CSRF field, and the scores', async () => {
    const r = await fx.request('/questions.json');
    expect(r.status).toBe(200);
    const data = (await r.json()) as QuestionsPageData;
    const cli = JSON.parse(assess(['questions', 'list', '--format', 'json', '--db', fx.db]).stdout) as { id: string }[];
    expect(data.questions.map((q) => q.id)).toEqual(cli.map((q) => q.id));
    expect(data.questions.length).toBeGreaterThan(0);
    expect(data.scores.resolvedQuestions).toBe(0);
    const page = await (await fx.request('/questions')).text();
    expect(page.match(/<form method="post" action="\/questions\/[^"]+\/resolve"/g)).toHaveLength(data.questions.length + data.due.length);
    expect(page).toContain(`name="_csrf" value="${fx.csrf()}"`);
    expect(page).toContain('no resolved questions yet');
    expect((await fx.request('/questions?by=nonsense')).status).toBe(400);
  });

  it('a bad outcome answers 400 naming the valid options, and writes nothing', async () => {
    await fx.request('/questions');
    const data = (await (await fx.request('/questions.json')).json()) as QuestionsPageData;
    const q = data.questions.find((x) => x.type === 'binary')!;
    const before = tableRows(fx.db, 'resolutions');
    const r = await fx.request(`/questions/${q.id}/resolve`, form({ outcome: 'maybe', at: new Date().toISOString() }));
    expect(r.status).toBe(400);
    expect(await r.text()).toContain(`${q.id}: outcome &quot;maybe&quot; is not an option; valid: yes, no`);
    expect(tableRows(fx.db, 'resolutions')).toEqual(before);
  });

  it('without the CSRF token the POST is refused with 403 and nothing is written', async () => {
    const data = (await (await fx.request('/questions.json')).json()) as QuestionsPageData;
    const q = data.questions.find((x) => x.type === 'binary')!;
    const r = await fx.request(`/questions/${q.id}/resolve`, form({ outcome: 'yes', at: new Date().toISOString() }, false));
    expect(r.status).toBe(403);
    expect(tableRows(fx.db, 'resolutions')).toEqual([]);
  });

  it('resolving through the form records a row `assess questions show` reports, and the scores match `assess scores`', async () => {
    await fx.request('/questions');
    const data = (await (await fx.request('/questions.json')).json()) as QuestionsPageData;
    const q = data.questions.find((x) => x.type === 'binary')!;
    // The replay runs forecast moments ago; an outcome dated now is after them and not in the future.
    const at = new Date().toISOString();
    const r = await fx.request(`/questions/${q.id}/resolve`, form({ outcome: 'yes', at, evidence: 'https://example.org/news', note: 'signed <b>today</b>' }));
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/questions');
    expect(tableRows(fx.db, 'resolutions')).toHaveLength(1);
    const shown = JSON.parse(assess(['questions', 'show', q.id, '--format', 'json', '--db', fx.db]).stdout) as QuestionDetail;
    expect(shown.resolution).toMatchObject({ outcome: 'yes', at, evidence: 'https://example.org/news', note: 'signed <b>today</b>' });

    for (const by of ['desk', 'pool']) {
      const page = (await (await fx.request(`/questions.json?by=${by}`)).json()) as QuestionsPageData;
      const cli = JSON.parse(assess(['scores', '--by', by, '--format', 'json', '--db', fx.db]).stdout) as unknown;
      expect(page.scores).toEqual(cli);
      expect(page.scores.resolvedQuestions).toBe(1);
    }
    const html = await (await fx.request('/questions?by=pool')).text();
    expect(html).toContain('<table class="scores">');
    expect(html.match(/<svg class="chart reliability"[^>]*role="img"/g)!.length).toBeGreaterThanOrEqual(3);
    expect(html).toContain('Reliability: pool:median</title>');
    expect(html).toMatch(/n 1<\/text>/);
    const list = (await (await fx.request('/questions.json')).json()) as QuestionsPageData;
    expect(list.questions.find((x) => x.id === q.id)!.resolution).toMatchObject({ outcome: 'yes' });
  });

  it('a blank date means now, as assess resolve without --at', async () => {
    await fx.request('/questions');
    const data = (await (await fx.request('/questions.json')).json()) as QuestionsPageData;
    const q = data.questions.filter((x) => x.type === 'binary' && x.resolution === null)[0]!;
    const before = Date.now();
    const r = await fx.request(`/questions/${q.id}/resolve`, form({ outcome: 'no', at: '' }));
    expect(r.status).toBe(303);
    const shown = JSON.parse(assess(['questions', 'show', q.id, '--format', 'json', '--db', fx.db]).stdout) as QuestionDetail;
    expect(shown.resolution?.outcome).toBe('no');
    expect(Date.parse(shown.resolution!.at)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(shown.resolution!.at)).toBeLessThanOrEqual(Date.now());
  });
});
