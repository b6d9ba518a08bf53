import type { ArchivedCall } from '../../archive/load-run.js';
import type { Review } from '../../archive/reviews.js';
import type { RunResult } from '../../pipeline/run-event.js';
import { html, SafeHtml } from '../../report/escape-html.js';
import { percent, usd } from '../../report/format.js';
import { deskAnchor, LEVEL_CLASS, STANCE_CLASS, STATUS_CLASS } from '../../report/html.js';
import { renderSinceLastHtml } from '../../report/since-last-html.js';
import { thousands } from '../../format/thousands.js';
import type { RiskView } from '../../synthesis/schema.js';
import { callTimelineSvg, timeCalls } from '../charts/call-timeline.js';
import { riskMatrixSvg } from '../charts/risk-matrix.js';
import { scenarioBarsSvg } from '../charts/scenario-bars.js';
import { reviewPanel } from '../components/review-panel.js';
import { layout } from '../layout.js';
import { deskSection, type DeskSectionContext } from './desk-section.js';

/**
 * The run page: the consolidated view first (bottom line, overall risk, since the last view, risk
 * matrix, scenario bars, watchlist), then the desks (a grid of cards, then each assessment in
 * full), then the calls (a table and a timeline). Everything shown comes from the archive's read
 * models; nothing is scored or diffed here.
 */
export interface RunPageModel {
  run: RunResult;
  calls: readonly ArchivedCall[];
  reviews: readonly Review[];
  context: DeskSectionContext;
}

/** Class names from fixed tables, never from data: the report's, plus a run still going. */
const RUN_STATUS_CLASS: Record<string, string> = { ...STATUS_CLASS, running: 'neutral' };

/** Desks in the order they were asked for, then any assessed desk not listed. */
export function deskOrder(run: RunResult): string[] {
  return [...run.desks.map((d) => d.agentId), ...run.assessments.map((a) => a.agentId)].filter((id, i, all) => all.indexOf(id) === i);
}

/** Sum of the known call costs; null when no call's price is known. */
function costOf(calls: readonly ArchivedCall[]): number | null {
  const priced = calls.filter((c) => c.costUsd !== null);
  return priced.length === 0 ? null : priced.reduce((sum, c) => sum + (c.costUsd ?? 0), 0);
}

const costText = (cost: number | null): string => (cost === null ? 'unpriced' : usd(cost));

function consolidated(model: RunPageModel): SafeHtml {
  const { run } = model;
  const runReviews = model.reviews.filter((r) => r.kind === 'run');
  const common = { runId: run.runId, csrf: model.context.csrf, author: model.context.author, rating: false };
  const panel = reviewPanel({ ...common, kind: 'run', ref: null, reviews: runReviews });
  // Merged risks and scenarios are reviewed by their ids in this run (RR1, S1), one panel each kind.
  const riskPanel = (view: RiskView) =>
    reviewPanel({ ...common, kind: 'risk', ref: null, reviews: model.reviews.filter((r) => r.kind === 'risk'), choices: view.riskRegister.map((r) => ({ ref: r.id, label: r.title })) });
  const scenarioPanel = (view: RiskView) =>
    reviewPanel({ ...common, kind: 'trajectory', ref: null, reviews: model.reviews.filter((r) => r.kind === 'trajectory'), choices: view.scenarios.map((t) => ({ ref: t.id, label: t.name })) });
  const view: RiskView | null = run.synthesis;
  if (!view) {
    return html`<section id="consolidated" class="consolidated" aria-labelledby="consolidated-title">
<h2 id="consolidated-title">Consolidated view</h2>
<p class="notes"><em>No synthesis: ${(run.synthesisError ?? 'unknown reason').replace(/^no synthesis:\s*/i, '')}.</em></p>
${panel}
</section>`;
  }
  return html`<section id="consolidated" class="consolidated" aria-labelledby="consolidated-title">
<h2 id="consolidated-title">Consolidated view</h2>
<div class="overall-line"><span class="badge big ${LEVEL_CLASS[view.overallRisk.level] ?? 'neutral'}">Overall risk: ${view.overallRisk.level}</span>
<span class="muted">expected-impact score <strong>${view.overallRisk.score.toFixed(2)}</strong> of 4 · ${view.coverage.included.length} desk(s) included${
    view.coverage.missing.length > 0 ? html` · missing: ${view.coverage.missing.map((m) => `${m.agentId} (${m.reason})`).join('; ')}` : ''
  }</span></div>
<div class="callout bottom-line"><strong>Bottom line.</strong> ${view.bottomLine}</div>
${view.sinceLast ? new SafeHtml(renderSinceLastHtml(view.sinceLast)) : ''}
<div class="charts">
<section class="chart-block" aria-labelledby="matrix-title"><h3 id="matrix-title">Risk matrix</h3>
${riskMatrixSvg(view.riskRegister)}
<ul class="risk-key">${view.riskRegister.map(
    (r) => html`<li><code>${r.id}</code> <strong>${r.title}</strong> <span class="muted small">${r.axis} · ${r.maxSeverity} · ${percent(r.meanLikelihood)} · score ${r.score.toFixed(2)} · ${r.agentIds.length} desk(s)</span></li>`,
  )}</ul>
${riskPanel(view)}
</section>
<section class="chart-block" aria-labelledby="scenarios-title"><h3 id="scenarios-title">Scenarios</h3>
${scenarioBarsSvg(view.scenarios)}
<p class="muted small">Pooling: ${view.method.pooling}; disagreement flagged at a spread of ${percent(view.method.disagreementThreshold)} or more.</p>
${scenarioPanel(view)}
</section>
</div>
<section class="watchlist-block" aria-labelledby="watchlist-title"><h3 id="watchlist-title">Watchlist</h3>
${
  view.watchlist.length > 0
    ? html`<ol class="watchlist">${view.watchlist.map(
        (w) => html`<li><strong>${w.indicator}</strong> — ${w.why} <span class="chips">${w.agentIds.map((id) => html`<span class="chip">${id}</span>`)}</span></li>`,
      )}</ol>`
    : html`<p class="muted">Nothing on the watchlist.</p>`
}
</section>
${panel}
</section>`;
}

function deskCards(model: RunPageModel): SafeHtml {
  const { run } = model;
  const cards = deskOrder(run).map((id) => {
    const a = run.assessments.find((x) => x.agentId === id);
    const failure = run.failures.find((f) => f.agentId === id);
    const cost = costOf(model.calls.filter((c) => c.agentId === id));
    return html`<article class="desk-card" data-nav-item data-desk="${id}">
<h3><a href="/runs/${run.runId}/desks/${id}">${id}</a>${a ? html` <span class="muted small">${a.agentName}</span>` : ''}</h3>
${
  a
    ? html`<p><span class="badge ${STANCE_CLASS[a.stance.label] ?? 'neutral'}">${a.stance.label}</span></p>
<p class="small">Confidence <strong>${percent(a.confidence)}</strong> · cost ${costText(cost)}</p>`
    : html`<p><span class="badge sev-critical">failed</span> <span class="small">${failure?.kind ?? 'unfinished'}</span></p>
<p class="small">Cost ${costText(cost)}</p>`
}
<p class="small"><a href="#${deskAnchor(id)}">Read here ↓</a></p>
</article>`;
  });
  return html`<div class="desk-grid" role="list">${cards}</div>`;
}

function callsSection(model: RunPageModel): SafeHtml {
  const { run, calls } = model;
  const rows = calls.map((c) => {
    return html`<tr class="call-row${c.error ? ' failed' : ''}">
<th scope="row">${c.purpose}${c.round > 0 ? html` <span class="muted small">round ${c.round}</span>` : ''}</th>
<td>${c.provider}/${c.model}</td>
<td class="num">${c.usage ? thousands(c.usage.inputTokens) : '—'}</td>
<td class="num">${c.usage ? thousands(c.usage.outputTokens) : '—'}</td>
<td class="num">${c.usage ? html`${thousands(c.usage.cacheReadTokens ?? 0)} read${c.usage.cacheWriteTokens ? html`, ${thousands(c.usage.cacheWriteTokens)} written` : ''}` : '—'}</td>
<td class="num">${c.costUsd === null ? '—' : usd(c.costUsd)}</td>
<td class="num">${thousands(c.latencyMs)} ms</td>
<td>${c.kind === 'initial' && c.attempt > 1 ? html`retry (attempt ${c.attempt})` : ''}${c.error ? html` <span class="muted small">error: ${c.error}</span>` : ''}</td>
<td>${c.kind === 'repair' ? html`repair (attempt ${c.attempt})` : ''}${c.issues.length > 0 ? html` <span class="muted small">${c.issues.length} issue(s)</span>` : ''}</td>
</tr>`;
  });
  const t = run.usage.total;
  return html`<section id="calls" class="calls" aria-labelledby="calls-title">
<h2 id="calls-title">Calls</h2>
<p class="muted">${t.calls} call(s), ${thousands(t.inputTokens)} tokens in (${thousands(t.cacheReadTokens)} from the prompt cache), ${thousands(t.outputTokens)} out; cost ${
    t.costUsd === null ? 'unknown for these models' : html`${usd(t.costUsd)}${t.costComplete ? '' : ' (some models unpriced)'}`
  }.</p>
<div class="table-wrap"><table class="calls-table">
<thead><tr><th scope="col">Desk / purpose</th><th scope="col">Model</th><th scope="col">Tokens in</th><th scope="col">Tokens out</th><th scope="col">Cached</th><th scope="col">Cost</th><th scope="col">Latency</th><th scope="col">Retry</th><th scope="col">Repair</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>
<h3>Call timeline</h3>
${calls.length > 0 ? callTimelineSvg(timeCalls(calls, run.startedAt)) : html`<p class="muted">No calls were recorded for this run.</p>`}
</section>`;
}

export function renderRunPage(model: RunPageModel): SafeHtml {
  const { run } = model;
  const { event } = run.event;
  const published = event.publishedAt ? event.publishedAt.slice(0, 10) : null;
  const body = html`<article class="run-page">
<header class="run-head">
<p class="eyebrow">Run <code>${run.runId.slice(0, 8)}</code> · <span class="badge ${RUN_STATUS_CLASS[run.status] ?? 'neutral'}">${run.status}</span> · ${run.assessments.length} of ${run.desks.length} desk(s) · started ${run.startedAt.slice(0, 19).replace('T', ' ')} UTC</p>
<h1>${event.title}</h1>
<p class="muted">${published ? html`Published <time datetime="${published}">${published}</time> · ` : ''}event <code>${run.event.id}</code>${
    run.thread ? html` · thread <a href="/threads/${run.thread.id}">${run.thread.title}</a>` : ''
  } · <a href="/runs/${run.runId}.json">JSON</a> · <a href="/compare?run=${run.runId}">compare desks</a></p>
</header>
${consolidated(model)}
<section id="desks" class="desks" aria-labelledby="desks-title">
<h2 id="desks-title">Desks</h2>
${deskCards(model)}
${deskOrder(run).map((id) => deskSection(run, id, model.reviews, model.context))}
</section>
${callsSection(model)}
</article>`;
  return layout({ title: event.title, section: 'runs', page: 'run', body });
}
