/**
 * `/compare` (issue 15 §2): two runs, or two desks of one run, side by side from the diff
 * `assess runs diff` computes; `only=diff` leaves out the unchanged rows; bad ids get one line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assess } from '../support/forecast-archive.js';
import { webFixture, type WebFixture } from './support.js';

describe('compare page', () => {
  let fx: WebFixture;
  let seed: string;
  let followUp: string;

  beforeAll(() => {
    fx = webFixture();
    [seed, followUp] = fx.runs as [string, string];
  }, 120_000);
  afterAll(() => fx?.close());

  it('two runs: the JSON twin is the diff `assess runs diff A B --format json` computes', async () => {
    const r = await fx.request(`/compare.json?a=${seed.slice(0, 8)}&b=${followUp}`);
    expect(r.status).toBe(200);
    const cli = assess(['runs', 'diff', seed, followUp, '--db', fx.db, '--format', 'json']);
    expect(cli.code).toBe(0);
    expect(await r.json()).toEqual(JSON.parse(cli.stdout));
  });

  it('two desks of a run: the JSON twin is `runs diff RUN --agents A,B --format json`', async () => {
    const r = await fx.request(`/compare.json?run=${seed}&a=jp-01&b=CN-01`);
    expect(r.status).toBe(200);
    const cli = assess(['runs', 'diff', seed, '--agents', 'JP-01,CN-01', '--db', fx.db, '--format', 'json']);
    expect(cli.code).toBe(0);
    expect(await r.json()).toEqual(JSON.parse(cli.stdout));
  });

  it('shows the runs side by side: stance, trajectories with their shifts, re-rated risks, added and removed items', async () => {
    const diff = (await (await fx.request(`/compare.json?a=${seed}&b=${followUp}`)).json()) as {
      desks: { agentIdB: string; changed: boolean; trajectories: { matched: unknown[]; added: unknown[]; removed: unknown[] }; risks: { rerated: unknown[] } }[];
      consolidated: { scenarios: { matched: unknown[] } };
    };
    const page = await (await fx.request(`/compare?a=${seed}&b=${followUp}`)).text();
    expect(page).toContain('<h2 id="cmp-consolidated">Consolidated view</h2>');
    expect(page).toMatch(/<th scope="row">Overall risk<\/th>/);
    expect(page.match(/<th scope="row">Scenario /g)?.length ?? 0).toBeGreaterThanOrEqual(diff.consolidated.scenarios.matched.length);
    for (const d of diff.desks) expect(page).toContain(`<a href="/runs/${followUp}/desks/${d.agentIdB}">${d.agentIdB}</a>`);
    expect(page.match(/<th scope="row">Stance<\/th>/g)).toHaveLength(diff.desks.length);
    const trajectoryRows = diff.desks.reduce((n, d) => n + d.trajectories.matched.length + d.trajectories.added.length + d.trajectories.removed.length, 0);
    expect(page.match(/<th scope="row">Trajectory /g)).toHaveLength(trajectoryRows);
    const rerated = diff.desks.reduce((n, d) => n + d.risks.rerated.length, 0);
    expect(page.match(/re-rated: /g)?.length ?? 0).toBe(rerated);
    expect(page).toMatch(/(\+|\u2212)\d+(\.\d)? pts/);
    // The form to pick two runs, prefilled with these.
    expect(page).toMatch(new RegExp(`<option value="${seed}" selected>`));
    expect(page).toMatch(new RegExp(`<option value="${followUp}" selected>`));
  });

  it('only=diff leaves out the unchanged rows and says how many', async () => {
    const all = await (await fx.request(`/compare?run=${seed}&a=JP-01&b=JP-01`)).text();
    const same = all.match(/<tr class="same diff-same">/g)?.length ?? 0;
    expect(same).toBeGreaterThan(3);
    expect(all.match(/<tr class="changed">/g)).toBeNull();
    const only = await (await fx.request(`/compare?run=${seed}&a=JP-01&b=JP-01&only=diff`)).text();
    expect(only.match(/<tr class="same diff-same">/g)).toBeNull();
    expect(only).toContain(`${same} unchanged row(s) hidden.`);
    expect(only).toContain('<input type="checkbox" name="only" value="diff" checked>');
    // Two desks that differ keep their changed rows.
    const pair = await (await fx.request(`/compare?run=${seed}&a=JP-01&b=CN-01&only=diff`)).text();
    expect(pair.match(/<tr class="changed">/g)?.length ?? 0).toBeGreaterThan(0);
    expect(pair).not.toContain('<tr class="same diff-same">');
  });

  it('the form alone without ids; missing and unknown ids answer 400 / 404 with one line', async () => {
    const form = await fx.request('/compare');
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('<form class="compare-form" method="get" action="/compare">');
    const missing = await fx.request(`/compare.json?a=${seed}`);
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: string }).error).toMatch(/needs two runs/);
    const unknown = await fx.request(`/compare?a=${seed}&b=ffffffff`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('unknown run ffffffff');
    const desk = await fx.request(`/compare.json?run=${seed}&a=JP-01&b=XX-01`);
    expect(desk.status).toBe(404);
    expect(((await desk.json()) as { error: string }).error).toMatch(/has no desk XX-01/);
    expect((await fx.request(`/compare?run=${seed}&a=JP-01`)).status).toBe(400);
    expect((await fx.request('/compare.json')).status).toBe(400);
  });
});
