import { beforeAll, describe, expect, it } from 'vitest';
import { loadAgents } from '../src/agents/index.js';
import { readEvent, nodeEventReaders } from '../src/event/index.js';
import { ReplayModel } from '../src/llm/replay-model.js';
import { runEvent, type RunResult } from '../src/pipeline/index.js';
import { loadPrompts } from '../src/prompts/index.js';
import { escapeHtml } from '../src/report/html.js';
import { percent, renderRunHtml, renderRunMarkdown } from '../src/report/index.js';
import { ROOT, SEED_EVENT } from './support/paths.js';

const DESKS = ['CN-01', 'EU-01', 'GB-01', 'IN-01', 'JP-01', 'KR-01', 'TW-01', 'US-01'];
const XSS = '<img src=x onerror=alert(1)>';

/** The offline demo run: the real pipeline on the seed event with the replay provider. */
async function demoRun(): Promise<RunResult> {
  const replay = await ReplayModel.open(`${ROOT}fixtures/replay`);
  return runEvent({
    runId: 'html-test',
    event: await readEvent({ path: SEED_EVENT }, nodeEventReaders()),
    agents: await loadAgents(`${ROOT}agents`),
    modelFor: () => replay,
    synthesisModel: replay,
    prompts: await loadPrompts(`${ROOT}prompts`),
    options: {
      concurrency: 8,
      timeoutMs: 60_000,
      maxRepairs: 2,
      maxOutputTokens: 8192,
      retry: { maxRetries: 0, baseDelayMs: 100, maxDelayMs: 1000 },
    },
    signal: new AbortController().signal,
  });
}

/** Every string anywhere in the value, transformed; numbers, booleans and nulls untouched. */
function mapStrings<T>(value: T, f: (s: string) => string): T {
  if (typeof value === 'string') return f(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => mapStrings(v, f)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)])) as T;
  }
  return value;
}

const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;

/** The element with this id, from its opening tag to the first closing tag of the same name. */
function elementById(page: string, tag: string, id: string): string {
  const match = new RegExp(`<${tag}\\s[^>]*\\bid="${id}"`).exec(page);
  expect(match, `<${tag} id="${id}"> present`).not.toBeNull();
  const start = match!.index;
  return page.slice(start, page.indexOf(`</${tag}>`, start));
}

describe('HTML report of the demo run', () => {
  let run: RunResult;
  let page: string;

  beforeAll(async () => {
    run = await demoRun();
    page = renderRunHtml(run);
  });

  it('is one complete UTF-8 document', () => {
    expect(run.status).toBe('ok');
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(count(page, '<html')).toBe(1);
    expect(count(page, '</html>')).toBe(1);
    expect(page.trimEnd().endsWith('</html>')).toBe(true);
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('<meta charset="utf-8">');
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(count(page, '<body>')).toBe(1);
    expect(count(page, '</body>')).toBe(1);
  });

  it('loads nothing from outside and runs no script', () => {
    const lower = page.toLowerCase();
    for (const needle of ['<script', '<link', 'src="http', "src='http", 'url(http', 'url(', '@import', '<iframe', '<img', '<object', '<embed']) {
      expect(lower.includes(needle), needle).toBe(false);
    }
    // No event-handler attributes inside any tag.
    expect(lower).not.toMatch(/<[^>]*\son[a-z]+\s*=/);
  });

  it('has the header: title, event id, published date, run id and status', () => {
    const header = page.slice(page.indexOf('<header'), page.indexOf('</header>'));
    expect(header).toContain(escapeHtml(run.event.event.title));
    expect(header).toContain(run.event.id);
    expect(header).toContain('2025-09-26');
    expect(header).toContain('html-test');
    expect(header).toMatch(/Status<\/dt><dd><span class="badge [a-z-]+">ok<\/span>/);
  });

  it('links every desk and the consolidated view from the table of contents', () => {
    const toc = page.slice(page.indexOf('<nav class="toc"'), page.indexOf('</nav>'));
    for (const id of DESKS) {
      expect(toc).toContain(`href="#desk-${id}"`);
      expect(page).toContain(`<section class="desk" id="desk-${id}"`);
    }
    expect(toc).toContain('href="#consolidated"');
    expect(page).toContain('<section id="consolidated"');
  });

  it('shows each risk\'s and trajectory\'s horizon and resolution criterion (issue 14), escaped', () => {
    for (const a of run.assessments) {
      const desk = elementById(page, 'section', `desk-${a.agentId}`);
      expect(desk).toContain('<th scope="col">Resolves by</th>');
      for (const r of a.risks) {
        expect(desk).toContain(`likelihood ${percent(r.likelihood)} by ${r.resolveBy}</span>`);
        expect(desk).toContain(`<div class="criterion small"><span class="muted">Resolves if:</span> ${escapeHtml(r.resolution!)}</div>`);
      }
      for (const t of a.trajectories) {
        expect(desk).toContain(`<td class="resolves"><strong class="nowrap">${t.resolveBy}</strong><div class="criterion small">${escapeHtml(t.resolution!)}</div></td>`);
      }
    }
  });

  it('renders assessments archived before horizons without them: the old columns, no criteria', () => {
    const old: RunResult = {
      ...run,
      assessments: run.assessments.map((a) => ({
        ...a,
        risks: a.risks.map(({ resolveBy: _b, resolution: _r, ...r }) => r),
        trajectories: a.trajectories.map(({ resolveBy: _b, resolution: _r, ...t }) => t),
      })),
    };
    const oldPage = renderRunHtml(old);
    expect(oldPage).not.toContain('Resolves by');
    expect(oldPage).not.toContain('Resolves if');
    expect(oldPage).not.toContain('class="resolves"');
    const jp = elementById(oldPage, 'section', 'desk-JP-01');
    expect(jp).toContain('<span class="muted">likelihood 45%</span>');
    expect(jp).toContain('<th scope="col">Trajectory</th><th scope="col">Likelihood</th><th scope="col">Key dynamics</th>');
  });

  it('lays out all eight desks: heading, stance, sections, every item id and the sign-off', () => {
    expect(run.assessments.map((a) => a.agentId).sort()).toEqual(DESKS);
    for (const a of run.assessments) {
      const desk = elementById(page, 'section', `desk-${a.agentId}`);
      expect(desk).toContain(`>${escapeHtml(`${a.agentId} — ${a.agentName}`)}</h2>`);
      expect(desk).toContain(`<strong>Stance: ${a.stance.label}</strong> — ${escapeHtml(a.stance.reason)}`);
      expect(desk).toContain('<strong>Bottom line.</strong>');
      for (const heading of [
        'What we know so far: mechanics, structure, and commitments',
        'Key challenges, risks, and constraints',
        'Assessment: feasibility and likely trajectories',
        'Indicators to watch',
      ]) {
        expect(desk).toContain(`<h3>${heading}</h3>`);
      }
      for (const f of a.keyFacts) expect(desk).toContain(escapeHtml(f.feature));
      for (const r of a.risks) {
        expect(desk).toContain(`<code>${r.id}</code>`);
        expect(desk).toContain(escapeHtml(r.title));
        expect(desk).toContain(`severity ${r.severity}`);
        expect(desk).toContain(`likelihood ${percent(r.likelihood)}`);
      }
      for (const t of a.trajectories) {
        expect(desk).toContain(`<code>${t.id}</code>`);
        expect(desk).toContain(percent(t.probability));
      }
      for (const i of a.indicators) expect(desk).toContain(`<code>${i.id}</code>`);
      expect(desk).toContain(`Confidence: <strong>${percent(a.confidence)}</strong>`);
      expect(desk).toContain(`<p class="signoff">— ${escapeHtml(a.signOff)}</p>`);
    }
    expect(page).toContain('— JP-01, Japan Desk');
    // Risk axes are numbered in the order the desk first used them, as in the Markdown report.
    const jp = run.assessments.find((a) => a.agentId === 'JP-01')!;
    const firstAxis = jp.risks[0]!.axis;
    expect(elementById(page, 'section', 'desk-JP-01')).toContain(`<h4>1. ${escapeHtml(firstAxis)}</h4>`);
  });

  it('shows the consolidated view: level, register, scenarios with pooled percentages, watchlist', () => {
    const view = run.synthesis!;
    const consolidated = page.slice(page.indexOf('<section id="consolidated"'));
    expect(consolidated).toContain('>Consolidated risk view</h2>');
    expect(consolidated).toContain(`Overall risk: ${view.overallRisk.level}`);
    expect(consolidated).toContain(`Coverage:</strong> 8 desk(s)`);
    for (const r of view.riskRegister) {
      const row = elementById(page, 'tr', `register-${r.id}`);
      expect(row).toContain(escapeHtml(r.title));
      for (const id of r.sourceIds) expect(row).toContain(`<code>${id}</code>`);
    }
    expect(view.scenarios).toHaveLength(3);
    for (const s of view.scenarios) {
      const row = elementById(page, 'tr', `scenario-${s.id}`);
      expect(row).toContain(`<strong>${escapeHtml(s.name)}</strong>`);
      expect(row).toContain(`<strong>${percent(s.pooledProbability)}</strong>`);
      expect(row).toMatch(/<span class="bar" aria-hidden="true"><span style="width:\d+(\.\d)?%"><\/span><\/span>/);
      for (const p of s.perAgent) expect(row).toContain(`<span class="desk-id">${p.agentId}</span> <span class="num">${percent(p.probability)}</span>`);
    }
    // No desk disagreement in the demo (every spread is under the threshold), so no flag.
    expect(view.scenarios.some((s) => s.disagreement)).toBe(false);
    expect(page).not.toContain('desks disagree');
    for (const w of view.watchlist) expect(consolidated).toContain(escapeHtml(w.indicator));
    expect(page).toMatch(/<footer[^>]*>\s*<p>Usage: 9 call\(s\)/);
  });

  it('flags scenarios where desks disagree', () => {
    const copy = structuredClone(run);
    copy.synthesis!.scenarios[1]!.disagreement = true;
    const flagged = renderRunHtml(copy);
    expect(count(flagged, '⚠ desks disagree')).toBe(1);
    expect(elementById(flagged, 'tr', `scenario-${copy.synthesis!.scenarios[1]!.id}`)).toContain('⚠ desks disagree');
  });

  it('lists failed desks and says when there is no synthesis', () => {
    const copy = structuredClone(run);
    copy.status = 'failed';
    copy.assessments = copy.assessments.filter((a) => a.agentId !== 'KR-01');
    copy.failures = [{ agentId: 'KR-01', kind: 'refusal', reason: 'the model refused <b>politely</b>' }];
    copy.synthesis = null;
    copy.synthesisError = 'synthesizer timed out';
    const failed = renderRunHtml(copy);
    expect(failed).toContain('<section id="failures"');
    expect(failed).toContain('href="#failures"');
    expect(failed).toContain('the model refused &lt;b&gt;politely&lt;/b&gt;');
    expect(failed).not.toContain('<b>politely');
    expect(failed).toContain('No synthesis: synthesizer timed out.');
    expect(failed).not.toContain('id="desk-KR-01"');
  });
});

describe('HTML report escaping', () => {
  let run: RunResult;

  beforeAll(async () => {
    run = await demoRun();
  });

  it('escapes an injected event title and never emits it raw', () => {
    const copy = structuredClone(run);
    copy.event.event.title = XSS;
    const page = renderRunHtml(copy);
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('<title>&lt;img src=x onerror=alert(1)&gt;');
    expect(page).not.toContain(XSS);
    expect(page.toLowerCase()).not.toContain('<img');
  });

  it('escapes every string of the run, wherever it lands (text, attributes, ids)', () => {
    const payload = `${XSS}"' onmouseover="alert(2)<script>alert(3)</script>&amp;`;
    const page = renderRunHtml(mapStrings(run, (s) => `${s}${payload}`));
    const lower = page.toLowerCase();
    expect(lower).not.toContain('<img');
    expect(lower).not.toContain('<script');
    expect(page).not.toContain('" onmouseover');
    expect(page).not.toContain("' onmouseover");
    expect(lower).not.toMatch(/<[^>]*\son[a-z]+\s*=/);
    expect(page).toContain('&lt;script&gt;alert(3)&lt;/script&gt;');
    expect(page).toContain('&amp;amp;');
    expect(page).toContain('&quot;&#39; onmouseover=&quot;alert(2)');
    // Still one document, and every id attribute is a plain fragment id.
    expect(count(page, '<html')).toBe(1);
    expect(count(page, '</html>')).toBe(1);
    for (const [, id] of page.matchAll(/\sid="([^"]*)"/g)) expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    for (const [, href] of page.matchAll(/\shref="([^"]*)"/g)) expect(href).toMatch(/^#[A-Za-z0-9_-]+$/);
  });

  it('keeps only http(s) source links', () => {
    const copy = structuredClone(run);
    copy.event.event.source = { name: 'Nikkei', url: 'javascript:alert(1)' };
    expect(renderRunHtml(copy)).not.toContain('javascript:');
    copy.event.event.source = { name: 'Nikkei', url: 'https://example.com/a?b=1&c="2"' };
    expect(renderRunHtml(copy)).toContain('<a href="https://example.com/a?b=1&amp;c=&quot;2&quot;" rel="noopener noreferrer">Nikkei</a>');
  });

  it('keeps Japanese text intact', () => {
    const copy = structuredClone(run);
    copy.event.event.title = '日本、対米5500億ドル投資の新枠組みを発表';
    copy.event.event.summary = '財務省は国際協力銀行（JBIC）に新たな投資枠を設けると発表した。\n\n投資は2029年1月までに完了する予定。';
    copy.assessments[0]!.risks[0]!.title = '「投資」の定義の曖昧さ';
    const page = renderRunHtml(copy);
    expect(page).toContain('<h1>日本、対米5500億ドル投資の新枠組みを発表</h1>');
    expect(page).toContain('<p>財務省は国際協力銀行（JBIC）に新たな投資枠を設けると発表した。</p>');
    expect(page).toContain('<p>投資は2029年1月までに完了する予定。</p>');
    expect(page).toContain('<strong>「投資」の定義の曖昧さ</strong>');
    expect(Buffer.from(page, 'utf8').toString('utf8')).toBe(page);
  });

  it('escapeHtml covers the five characters and nothing else', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
    expect(escapeHtml('JP-01 — 日本 · 55%')).toBe('JP-01 — 日本 · 55%');
  });
});

describe('a run in a thread, in both reports', () => {
  let threaded: RunResult;
  beforeAll(async () => {
    const run = await demoRun();
    const synthesis = run.synthesis!;
    const first = synthesis.scenarios[0]!;
    threaded = {
      ...run,
      thread: {
        id: 'th-0123456789',
        title: `JBIC facility ${XSS}`,
        events: 2,
        link: { threadId: 'th-0123456789', method: 'similarity', score: 0.41, runnerUp: { threadId: 'th-aaaaaaaaaa', score: 0.12 }, detail: {}, decidedAt: '2025-10-28T00:00:00.000Z' },
      },
      synthesis: {
        ...synthesis,
        sinceLast: {
          previousRunId: '7f3c2a19-5b7e-4c1d-9a0e-2f6b8d4c1e55',
          previousAt: '2025-09-26T10:00:00.000Z',
          scenarios: [{ scenarioId: first.id, lineageId: 'S1', name: first.name, previous: 0.45, current: 0.55, delta: 0.1, matchedTo: { scenarioId: 'S1', name: first.name, by: 'trajectories' } }],
          retiredScenarios: [],
          stanceChanges: [{ agentId: 'KR-01', previous: 'neutral', current: 'skeptical' }],
          newRisks: [],
          retiredRisks: [],
          triggeredIndicators: [],
        },
      },
    };
  });

  it('Markdown: the thread under the title, and "since the last consolidated view" before the first desk', () => {
    const md = renderRunMarkdown(threaded);
    expect(md).toContain('_Thread th-0123456789 "JBIC facility');
    expect(md).toContain('joined by similarity 0.41; beat th-aaaaaaaaaa (0.12)');
    const since = md.indexOf('## Since the last consolidated view');
    expect(since).toBeGreaterThan(0);
    expect(since).toBeLessThan(md.indexOf('\n## CN-01 '));
    expect(md.slice(since)).toMatch(/\+10 pts/);
    expect(md).toMatch(/KR-01.*neutral.*skeptical/);
  });

  it('HTML: the thread in the header, escaped, and the since-last section first in <main>', () => {
    const page = renderRunHtml(threaded);
    expect(page).toContain(`Thread th-0123456789 &quot;JBIC facility ${escapeHtml(XSS)}`);
    expect(page).not.toContain(XSS);
    const main = page.slice(page.indexOf('<main>'));
    const since = main.indexOf('Since the last consolidated view');
    expect(since).toBeGreaterThan(0);
    expect(since).toBeLessThan(main.indexOf('CN-01'));
  });
});
