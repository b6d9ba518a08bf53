/**
 * The runs page (issue 15 §2), in-process: newest first, facets that narrow with counts, keyset
 * paging, the CSV twin, full-text search in English and Japanese, and bad filters refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/archive/list-runs.js';
import type { SearchHit } from '../../src/archive/search.js';
import type { RunsPageData } from '../../src/web/pages/runs-page.js';
import { addJapaneseRun, JA_QUERY } from './lists-support.js';
import { webFixture, type WebFixture } from './support.js';

/** A minimal RFC 4180 reader: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') record.push(field), (field = '');
    else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field), records.push(record), (field = ''), (record = []), i++;
    } else field += ch;
  }
  return records;
}

describe('runs page: /, /search, /runs.csv', () => {
  let fx: WebFixture;
  let jaRun: string;
  const json = async <T>(path: string): Promise<T> => {
    const r = await fx.request(path);
    expect(r.status, `${path}: ${await r.clone().text()}`).toBe(200);
    return (await r.json()) as T;
  };

  beforeAll(() => {
    fx = webFixture();
    jaRun = addJapaneseRun(fx.dir, fx.db);
    // The seed run came from a feed: watch records the run on its feed item.
    fx.deps.write
      .prepare(
        `INSERT INTO feed_items (feed, title_fingerprint, title, first_seen_at, sources_json, event_json, event_id, text_source, status, run_id, updated_at)
         VALUES ('nikkei-asia', 'fp', 't', '2025-10-01T00:00:00Z', '[]', '{}', 'e', 'feed', 'done', ?, '2025-10-01T00:00:00Z')`,
      )
      .run(fx.runs[0]);
  }, 120_000);
  afterAll(() => fx?.close());

  it('lists every run newest first, each row a nav item linking to its run', async () => {
    const data = await json<RunsPageData>('/index.json');
    expect(data.runs.map((r) => r.runId)).toEqual([jaRun, fx.runs[1], fx.runs[0]]);
    const started = data.runs.map((r) => r.startedAt);
    expect([...started].sort().reverse()).toEqual(started);
    const page = await (await fx.request('/')).text();
    expect(page.match(/<tr data-nav-item>/g)).toHaveLength(3);
    for (const id of [jaRun, ...fx.runs]) expect(page).toContain(`href="/runs/${id}"`);
    expect(page).toContain(`href="/compare?a=${fx.runs[0]}&b=${fx.runs[1]}"`);
  });

  it('each facet narrows the list, and its counts say by how much', async () => {
    const all = await json<RunsPageData>('/index.json');
    const count = (facet: Exclude<keyof RunsPageData['facets'], 'window'>, value: string) => all.facets[facet].find((v) => v.value === value)?.count;
    expect(count('status', 'ok')).toBe(3);
    expect(count('desk', 'JP-01')).toBe(3);
    expect(count('desk', 'US-01')).toBe(2);
    expect(count('model', 'replay/replay')).toBe(3);
    expect(count('feed', 'nikkei-asia')).toBe(1);
    const risks = all.runs.map((r) => r.overallRisk);

    const us = await json<RunsPageData>('/index.json?desk=US-01');
    expect(us.runs.map((r) => r.runId).sort()).toEqual([...fx.runs].sort());
    // The other facets are counted under the desk filter; the desk facet itself is not narrowed by it.
    expect(us.facets.model).toEqual([{ value: 'replay/replay', count: 2 }]);
    expect(us.facets.desk.find((v) => v.value === 'JP-01')?.count).toBe(3);

    for (const risk of new Set(risks)) {
      if (risk === null) continue;
      const narrowed = await json<RunsPageData>(`/index.json?risk=${risk}`);
      expect(narrowed.runs).toHaveLength(count('risk', risk)!);
      expect(narrowed.runs.every((r) => r.overallRisk === risk)).toBe(true);
    }
    const feed = await json<RunsPageData>('/index.json?feed=nikkei-asia');
    expect(feed.runs.map((r) => r.runId)).toEqual([fx.runs[0]]);
    expect((await json<RunsPageData>('/index.json?model=replay/replay')).runs).toHaveLength(3);
    expect((await json<RunsPageData>('/index.json?model=openai/gpt-5')).runs).toHaveLength(0);
    expect((await json<RunsPageData>('/index.json?status=failed')).runs).toHaveLength(0);
    expect((await json<RunsPageData>('/index.json?from=2000-01-01&to=2000-01-02')).runs).toHaveLength(0);
    const today = all.runs[0]!.startedAt.slice(0, 10);
    expect((await json<RunsPageData>(`/index.json?from=${today}&to=${today}`)).runs.length).toBeGreaterThanOrEqual(1);
    // The form shows the chosen value and the counts.
    const html = await (await fx.request('/?desk=US-01')).text();
    expect(html).toContain('<option value="US-01" selected>US-01 (2)</option>');
  });

  it('pages are disjoint, linked next and previous by a keyset cursor', async () => {
    const first = await json<RunsPageData>('/index.json?limit=1');
    expect(first.runs).toHaveLength(1);
    expect(first.page.prev).toBeNull();
    expect(first.page.next).toMatch(/^\/\?before=.*&limit=1$/);
    const second = await json<RunsPageData>(first.page.next!.replace('/?', '/index.json?'));
    const third = await json<RunsPageData>(second.page.next!.replace('/?', '/index.json?'));
    expect(third.page.next).toBeNull();
    const ids = [first, second, third].map((p) => p.runs[0]!.runId);
    expect(ids).toEqual([jaRun, fx.runs[1], fx.runs[0]]);
    const back = await json<RunsPageData>(third.page.prev!.replace('/?', '/index.json?'));
    expect(back.runs.map((r) => r.runId)).toEqual([fx.runs[1]]);
    const html = await (await fx.request(first.page.next!)).text();
    expect(html).toContain('rel="next"');
    expect(html).toContain('rel="prev"');
  });

  it('/runs.csv holds the same rows as the JSON, RFC 4180 quoted', async () => {
    const r = await fx.request('/runs.csv');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(r.headers.get('content-disposition')).toMatch(/^attachment/);
    const text = await r.text();
    const [header, ...records] = parseCsv(text);
    expect(header).toEqual(['runId', 'startedAt', 'finishedAt', 'eventId', 'eventTitle', 'status', 'desksRequested', 'desksOk', 'desksFailed', 'overallRisk', 'costUsd']);
    const runs = (await json<RunsPageData>('/index.json')).runs;
    expect(records).toEqual(runs.map((run: RunSummary) => header!.map((col) => { const v = run[col as keyof RunSummary]; return v === null ? '' : String(v); })));
    // The Japanese title holds a comma and quotes: quoted, quotes doubled.
    expect(text).toContain('"日本、JBIC ""5500億ドル"", 対米投資の新枠組み"');
    const narrowed = parseCsv(await (await fx.request('/runs.csv?desk=US-01')).text());
    expect(narrowed).toHaveLength(3);
  });

  it('search finds the seed run by English words and the Japanese run by Japanese, with snippets', async () => {
    const en = await json<{ hits: SearchHit[] }>('/search.json?q=boomerang%20clause');
    const seedHit = en.hits.find((h) => h.runId === fx.runs[0]);
    expect(seedHit?.snippet).toMatch(/\*\*boomerang\*\*/);
    const ja = await json<{ hits: SearchHit[] }>(`/search.json?q=${encodeURIComponent(JA_QUERY)}`);
    expect(ja.hits.map((h) => h.runId)).toContain(jaRun);
    expect(ja.hits.find((h) => h.runId === jaRun)!.snippet).toContain(`**${JA_QUERY}**`);
    const page = await (await fx.request(`/search?q=${encodeURIComponent(JA_QUERY)}`)).text();
    expect(page).toContain(`<mark>${JA_QUERY}</mark>`);
    expect(page).toContain(`value="${JA_QUERY}"`);
    expect(page).toContain(`href="/runs/${jaRun}`);
    // Search takes the facets too.
    const none = await json<{ hits: SearchHit[] }>(`/search.json?q=${encodeURIComponent(JA_QUERY)}&desk=CN-01`);
    expect(none.hits).toEqual([]);
  });

  it('search with more hits than its limit offers a larger limit, and that page holds the first one', async () => {
    const small = await json<{ hits: SearchHit[]; limit: number }>('/search.json?q=JBIC&limit=1');
    expect(small.hits).toHaveLength(1);
    const page = await (await fx.request('/search?q=JBIC&limit=1')).text();
    const more = /<a rel="next" href="([^"]+)">Show more matches<\/a>/.exec(page)?.[1]?.replace(/&amp;/g, '&');
    expect(more).toBe('/search?q=JBIC&limit=51');
    const bigger = await json<{ hits: SearchHit[] }>(more!.replace('/search?', '/search.json?'));
    expect(bigger.hits.length).toBeGreaterThan(1);
    expect(bigger.hits[0]).toEqual(small.hits[0]);
    // All of them on the page: no link.
    expect(await (await fx.request('/search?q=JBIC&limit=500')).text()).not.toContain('Show more matches');
  });

  it('a bad filter value answers 400 with one line, HTML or JSON', async () => {
    const r = await fx.request('/?status=bogus');
    expect(r.status).toBe(400);
    expect(await r.text()).toContain('status bogus: expected one of ok, degraded, failed, cancelled, running, incomplete');
    const j = await fx.request('/index.json?risk=extreme');
    expect(j.status).toBe(400);
    expect(((await j.json()) as { error: string }).error).toBe('risk extreme: expected one of low, moderate, elevated, high, severe');
    expect((await fx.request('/?desk=nope')).status).toBe(400);
    expect((await fx.request('/?before=garbage')).status).toBe(400);
    expect((await fx.request('/runs.csv?from=yesterday-ish')).status).toBe(400);
    expect((await fx.request('/search?q=%21%21%21')).status).toBe(400);
  });
});
