/**
 * The run page (issue 15 §2), in-process: the consolidated view first, then the desks, then the
 * calls; the charts as accessible SVG; the JSON twin equal to `assess runs show --format json`;
 * prefixes, unknown ids, the seed page's weight, and news/model text rendered as text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCalls } from '../../src/archive/load-run.js';
import { assess } from '../support/forecast-archive.js';
import { webFixture, type WebFixture } from './support.js';

const DESKS = ['JP-01', 'US-01', 'CN-01', 'KR-01', 'EU-01', 'TW-01', 'IN-01', 'GB-01'];
const HOSTILE_TITLE = '<img src=x onerror=alert(1)> <script>alert(2)</script>';

describe('run page', () => {
  let fx: WebFixture;
  let seed: string;
  let followUp: string;
  let hostile: string;

  beforeAll(() => {
    fx = webFixture();
    [seed, followUp] = fx.runs as [string, string];
    // Replay has no recording for this event: every desk fails, but the run is archived with its title.
    const r = assess(['run', '--title', HOSTILE_TITLE, '--text', 'Text with <b onmouseover=alert(3)>markup</b>.', '--provider', 'replay', '--db', fx.db, '--format', 'json', '--no-progress']);
    hostile = (JSON.parse(r.stdout) as { runId: string }).runId;
  }, 120_000);
  afterAll(() => fx?.close());

  it('shows the consolidated view, then the 8 desks, then the calls, in that order', async () => {
    const r = await fx.request(`/runs/${seed}`);
    expect(r.status).toBe(200);
    const page = await r.text();
    const order = ['id="consolidated"', 'Overall risk:', 'Bottom line.', 'class="chart risk-matrix"', 'class="chart scenario-bars"', 'id="watchlist-title"', 'id="desks"', 'class="desk-grid"', 'id="calls"', 'class="chart call-timeline"'].map((s) =>
      page.indexOf(s),
    );
    for (const at of order) expect(at).toBeGreaterThan(0);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(page).toContain('Japan Unveils $550B U.S. Investment');
    // Eight cards, each a keyboard item linking to the desk's page, and eight full assessments.
    const cards = [...page.matchAll(/<article class="desk-card" data-nav-item data-desk="([A-Z]{2}-\d\d)">/g)].map((m) => m[1]);
    expect([...cards].sort()).toEqual([...DESKS].sort());
    for (const desk of DESKS) {
      expect(page).toContain(`href="/runs/${seed}/desks/${desk}"`);
      expect(page).toContain(`<section class="desk" id="desk-${desk}"`);
    }
    // No inline style: the CSP would block it.
    expect(page).not.toMatch(/\sstyle="/);
  });

  it('draws three charts as SVG with a title, a description and text labels', async () => {
    const page = await (await fx.request(`/runs/${seed}`)).text();
    for (const chart of ['risk-matrix', 'scenario-bars', 'call-timeline']) {
      const svg = page.match(new RegExp(`<svg class="chart ${chart}" role="img"[^>]*>([\\s\\S]*?)</svg>`));
      expect(svg, chart).not.toBeNull();
      expect(svg![1]).toMatch(new RegExp(`<title id="${chart}-title">[^<]+</title>`));
      expect(svg![1]).toMatch(new RegExp(`<desc id="${chart}-desc">[^<]+</desc>`));
      expect(svg![1]).toMatch(/<text /);
    }
    // Every merged risk is placed on the matrix by id; each desk is a labelled dot on the scenarios.
    const json = (await (await fx.request(`/runs/${seed}.json`)).json()) as { synthesis: { riskRegister: { id: string }[]; scenarios: unknown[] } };
    const matrix = page.match(/<svg class="chart risk-matrix"[\s\S]*?<\/svg>/)![0];
    for (const risk of json.synthesis.riskRegister) expect(matrix).toContain(`<title>${risk.id}: `);
    const bars = page.match(/<svg class="chart scenario-bars"[\s\S]*?<\/svg>/)![0];
    expect(bars.match(/class="desk-label"/g)).toHaveLength(json.synthesis.scenarios.length * 8);
    const timeline = page.match(/<svg class="chart call-timeline"[\s\S]*?<\/svg>/)![0];
    expect(timeline).toMatch(/<g class="call critical">/);
  });

  it('lists every archived call in the calls table', async () => {
    const page = await (await fx.request(`/runs/${seed}`)).text();
    const rows = page.match(/<tr class="call-row/g) ?? [];
    expect(rows.length).toBe(loadCalls(fx.deps.read, seed).length);
    expect(rows.length).toBe(9);
    expect(page.match(/<g class="call( critical)?( failed)?">/g)).toHaveLength(9);
  });

  it('the JSON twin is the run as `assess runs show --format json` gives it', async () => {
    for (const run of [seed, followUp, hostile]) {
      const r = await fx.request(`/runs/${run}.json`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toContain('application/json');
      const cli = assess(['runs', 'show', run, '--db', fx.db, '--format', 'json']);
      expect(cli.code).toBe(0);
      expect(await r.json()).toEqual(JSON.parse(cli.stdout));
    }
  });

  it('takes a unique prefix of the id; an unknown id is a 404 with one line (and { error } as JSON)', async () => {
    const r = await fx.request(`/runs/${seed.slice(0, 8)}`);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain(`/runs/${seed}/desks/JP-01`);
    const unknown = await fx.request('/runs/ffffffff');
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('unknown run ffffffff');
    const twin = await fx.request('/runs/ffffffff.json');
    expect(twin.status).toBe(404);
    expect(await twin.json()).toEqual({ error: 'unknown run ffffffff' });
    expect((await fx.request('/runs/not-a-run')).status).toBe(404);
  });

  it('the seed run page weighs at most 300 KB', async () => {
    const r = await fx.request(`/runs/${seed}`);
    const bytes = Buffer.byteLength(await r.text(), 'utf8');
    expect(bytes).toBeLessThanOrEqual(300 * 1024);
    expect(bytes).toBeGreaterThan(50 * 1024);
  });

  it('a run after the first of its thread shows "since the last view"', async () => {
    const page = await (await fx.request(`/runs/${followUp}`)).text();
    expect(page).toContain('id="since-last"');
    expect(page.indexOf('id="since-last"')).toBeLessThan(page.indexOf('class="chart risk-matrix"'));
    const first = await (await fx.request(`/runs/${seed}`)).text();
    expect(first).not.toContain('id="since-last"');
  });

  it('renders a hostile title and failed desks as text', async () => {
    const r = await fx.request(`/runs/${hostile}`);
    expect(r.status).toBe(200);
    const page = await r.text();
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('<script>alert');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt; &lt;script&gt;alert(2)&lt;/script&gt;');
    // Every desk failed: each shows its failure, and there is no synthesis.
    expect(page.match(/class="desk failed"/g)).toHaveLength(8);
    expect(page).toContain('replay: no recordings for event');
    expect(page).toContain('No synthesis');
  });

  it('a desk page shows one assessment with prev / next desk links and a link back to the run', async () => {
    const run = (await (await fx.request(`/runs/${seed}.json`)).json()) as { desks: { agentId: string }[] };
    const order = run.desks.map((d) => d.agentId);
    const second = order[1]!;
    const r = await fx.request(`/runs/${seed.slice(0, 8)}/desks/${second.toLowerCase()}`);
    expect(r.status).toBe(200);
    const page = await r.text();
    expect(page.match(/<section class="desk" id="desk-/g)).toHaveLength(1);
    expect(page).toContain(`<section class="desk" id="desk-${second}"`);
    expect(page).toContain(`<a rel="prev" href="/runs/${seed}/desks/${order[0]}">`);
    expect(page).toContain(`<a rel="next" href="/runs/${seed}/desks/${order[2]}">`);
    expect(page).toContain(`<a href="/runs/${seed}">`);
    const first = await (await fx.request(`/runs/${seed}/desks/${order[0]}`)).text();
    expect(first).not.toContain('rel="prev"');
    const last = await (await fx.request(`/runs/${seed}/desks/${order[order.length - 1]}`)).text();
    expect(last).not.toContain('rel="next"');
  });

  it("a desk page's JSON twin is `runs show --agent <desk> --format json`, for an assessment and a failure", async () => {
    for (const [run, desk] of [[seed, 'JP-01'], [hostile, 'CN-01']] as const) {
      const r = await fx.request(`/runs/${run}/desks/${desk}.json`);
      expect(r.status).toBe(200);
      const cli = assess(['runs', 'show', run, '--agent', desk, '--db', fx.db, '--format', 'json']);
      expect(cli.code).toBe(0);
      expect(await r.json()).toEqual(JSON.parse(cli.stdout));
    }
    const failed = await (await fx.request(`/runs/${hostile}/desks/CN-01`)).text();
    expect(failed).toContain('class="desk failed"');
    expect(failed).not.toContain('<img src=x');
  });

  it('an unknown desk is a 404 naming the run\'s desks', async () => {
    const r = await fx.request(`/runs/${seed}/desks/XX-99`);
    expect(r.status).toBe(404);
    const text = await r.text();
    expect(text).toContain('has no desk XX-99');
    for (const desk of DESKS) expect(text).toContain(desk);
    const twin = await fx.request(`/runs/${seed}/desks/XX-99.json`);
    expect(twin.status).toBe(404);
    expect(((await twin.json()) as { error: string }).error).toMatch(/has no desk XX-99; its desks: /);
    expect((await fx.request(`/runs/ffffffff/desks/JP-01`)).status).toBe(404);
  });
});
