/**
 * /threads and /threads/:id (issue 15 §2): the same read models as `assess threads list` and
 * `assess threads show`, the scenario chart with pooled and desk lines, and 404 for an unknown id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ThreadPageData, ThreadsPageData } from '../../src/web/pages/threads-page.js';
import { assess } from '../support/forecast-archive.js';
import { webFixture, type WebFixture } from './support.js';

describe('threads pages', () => {
  let fx: WebFixture;
  beforeAll(() => {
    fx = webFixture();
  }, 120_000);
  afterAll(() => fx?.close());

  it('/threads lists what `assess threads list` lists, each linking to its thread', async () => {
    const data = (await (await fx.request('/threads.json')).json()) as ThreadsPageData;
    const cli = JSON.parse(assess(['threads', 'list', '--format', 'json', '--db', fx.db]).stdout) as unknown;
    expect(data.threads).toEqual(cli);
    expect(data.threads.map((t) => t.id)).toEqual([fx.threadId]);
    expect(data.threads[0]).toMatchObject({ events: 2, runs: 2 });
    const page = await (await fx.request('/threads')).text();
    expect(page).toContain(`href="/threads/${fx.threadId}"`);
    expect(page.match(/<tr data-nav-item>/g)).toHaveLength(1);
  });

  it('/threads/:id carries `threads show` data, a timeline linking the runs, the charts, stances and questions', async () => {
    const r = await fx.request(`/threads/${fx.threadId}.json`);
    expect(r.status).toBe(200);
    const data = (await r.json()) as ThreadPageData;
    const cli = JSON.parse(assess(['threads', 'show', fx.threadId, '--format', 'json', '--db', fx.db]).stdout) as Record<string, unknown>;
    // The page's twin carries more: each question's options (the CLI prints only ids) and the scenario forecasts.
    const { scenarioForecasts, questions, ...rest } = data;
    const { questions: cliQuestions, ...cliRest } = cli;
    expect(rest).toEqual(cliRest);
    expect(questions.map(({ options: _options, ...q }) => q)).toEqual(cliQuestions);
    expect(questions[0]!.options.map((o) => o.id)).toEqual(expect.arrayContaining(['S1', 'none']));
    expect(scenarioForecasts.length).toBeGreaterThan(0);

    const page = await (await fx.request(`/threads/${fx.threadId}`)).text();
    for (const run of fx.runs) expect(page).toContain(`href="/runs/${run}"`);
    const charts = page.match(/<svg class="chart probability-lines"[^>]*role="img"/g) ?? [];
    expect(charts).toHaveLength(data.scenarios.length);
    expect(data.scenarios.length).toBeGreaterThan(0);
    const first = data.scenarios[0]!;
    expect(page).toContain(`<title id="pl-title-0">${first.lineageId} ${first.name}: probability over time</title>`);
    // The pooled line and the 8 desks' lines, named in the text legend.
    const legend = page.slice(page.indexOf('<ul class="legend">'), page.indexOf('</ul>', page.indexOf('<ul class="legend">')));
    expect(legend).toContain(`Pooled (pooled): ${Math.round(first.history.at(-1)!.probability * 100)}% latest`);
    expect(legend.match(/<li class="desk s\d">/g)).toHaveLength(8);
    expect(page.match(/<g class="series [^"]+"><polyline/g)!.length).toBe(9 * data.scenarios.length);
    // Stance history: a row per desk.
    expect(page.match(/<tr><th scope="row">[A-Z]{2}-\d{2}<\/th>/g)).toHaveLength(8);
    for (const q of data.questions) expect(page).toContain(q.id);
  });

  it('an unknown thread answers 404', async () => {
    expect((await fx.request('/threads/th-000000000')).status).toBe(404);
    expect((await fx.request('/threads/nonsense.json')).status).toBe(404);
  });
});
