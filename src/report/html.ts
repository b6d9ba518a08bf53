import type { AgentAssessment } from '../assessment/schema.js';
import { describeCut } from '../event/size-cap.js';
import type { RunResult } from '../pipeline/run-event.js';
import type { MergedScenario, RiskView } from '../synthesis/schema.js';
import { cacheNote, percent, usd } from './format.js';
import { groupInOrder } from './group-in-order.js';
import { thousands } from '../format/thousands.js';
import type { DeskUpdate } from '../assessment/update.js';
import { escapeHtml, html, SafeHtml, type Html } from './escape-html.js';
import { BACKGROUND, citation, evidenceMark, groundingText, movementText, reasonText, updateHeading } from './desk-update.js';
import { renderSinceLastHtml } from './since-last-html.js';
import { renderReviewsHtml, REVIEWS_STYLE } from './reviews-html.js';
import { threadLine } from './thread-line.js';
import { trackRecordText, type RunReportOptions, type TrackRecord } from './markdown.js';

/**
 * The run as one self-contained HTML page: the same content as the Markdown report, readable in a
 * browser and printable. No external assets and no JavaScript: inline <style> only, <details> for
 * the collapsible desk sections.
 *
 * Every string in a run is untrusted (it came from news and models). Markup is built only with
 * the `html` tag (escape-html.ts), which passes every interpolated value through `escapeHtml` unless
 * it is markup the tag built itself; data never becomes markup.
 */

// One `html` tag and one SafeHtml class for every report fragment (escape-html.ts), so fragments
// rendered elsewhere (the since-last section) are markup here too, not text to escape again.
export { escapeHtml };

/** Fragment ids from data: only [A-Za-z0-9_-] survive; `:` (item ids) becomes `_`, which ids never contain. */
const anchor = (prefix: string, id: string): string => `${prefix}-${id.replace(/:/g, '_').replace(/[^A-Za-z0-9_-]/g, '-')}`;
export const deskAnchor = (agentId: string) => anchor('desk', agentId);
const itemAnchor = (itemId: string) => anchor('item', itemId);

/** Blank lines start paragraphs, single line breaks stay line breaks. */
function paragraphs(text: string, className?: string): SafeHtml {
  const blocks = text
    .split(/\r?\n\s*\r?\n/)
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  return html`${blocks.map((b) => html`<p${className ? html` class="${className}"` : ''}>${lines(b)}</p>`)}`;
}

function lines(text: string): SafeHtml {
  return html`${text.split(/\r?\n/).map((l, i) => html`${i > 0 ? html`<br>` : ''}${l}`)}`;
}

/** Class names come from fixed tables, never from data; unknown values get the neutral style. */
const SEVERITY_CLASS: Record<string, string> = { low: 'sev-low', medium: 'sev-medium', high: 'sev-high', critical: 'sev-critical' };
export const LEVEL_CLASS: Record<string, string> = {
  low: 'sev-low',
  moderate: 'sev-medium',
  elevated: 'sev-high',
  high: 'lvl-high',
  severe: 'sev-critical',
};
export const STATUS_CLASS: Record<string, string> = { ok: 'sev-low', degraded: 'sev-medium', failed: 'sev-critical' };
export const STANCE_CLASS: Record<string, string> = {
  supportive: 'st-pos',
  'cautiously-supportive': 'st-pos',
  neutral: 'st-neutral',
  mixed: 'st-neutral',
  skeptical: 'st-warn',
  alarmed: 'st-neg',
  opposed: 'st-neg',
};

const badge = (table: Record<string, string>, value: string, text: Html = value): SafeHtml =>
  html`<span class="badge ${table[value] ?? 'neutral'}">${text}</span>`;

/** A 0–1 share as a bar; the width is a number computed here, clamped, never text from the run. */
function bar(p: number, className = 'bar'): SafeHtml {
  const width = Math.max(0, Math.min(100, Number.isFinite(p) ? p * 100 : 0)).toFixed(1);
  return html`<span class="${className}" aria-hidden="true"><span style="width:${width}%"></span></span>`;
}

/** An item id as code, linked to where the desk wrote it when that item is on the page. */
function itemRef(id: string, known: ReadonlySet<string>): SafeHtml {
  return known.has(id) ? html`<a class="ref" href="#${itemAnchor(id)}"><code>${id}</code></a>` : html`<code>${id}</code>`;
}

function refList(ids: string[], known: ReadonlySet<string>): SafeHtml {
  return html`${ids.map((id, i) => html`${i > 0 ? ' ' : ''}${itemRef(id, known)}`)}`;
}

function deskChips(agentIds: string[]): SafeHtml {
  return html`<span class="chips">${agentIds.map((id) => html`<span class="chip">${id}</span>`)}</span>`;
}

function table(head: string[], rows: SafeHtml[], className = ''): SafeHtml {
  return html`<div class="table-wrap"><table${className ? html` class="${className}"` : ''}>
<thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>
${rows}</tbody>
</table></div>
`;
}

/** Whether an item rests on supplied events (`[E1]`) or on background knowledge; nothing for items archived before grounding. */
function groundingMark(evidence: readonly string[] | undefined): SafeHtml | '' {
  const mark = evidenceMark(evidence);
  if (mark === null) return '';
  return mark === BACKGROUND ? html`<span class="ground bg">${mark}</span>` : html`<span class="ground ev">${mark}</span>`;
}

const CHANGE_CLASS: Record<string, string> = { changed: 'changed', unchanged: 'unchanged', added: 'added', retired: 'retired' };

/** "What changed since <date> (run xxxxxxxx)", as the Markdown report words it. */
function renderDeskUpdate(u: DeskUpdate): SafeHtml {
  const changes = u.changes.map((c) => {
    const reason = reasonText(c);
    return html`<li class="change ${CHANGE_CLASS[c.status] ?? ''}"><strong>${c.name}</strong> <code>${c.trajectoryId}</code>: <span class="move">${movementText(c)}</span>${
      reason ? html` — ${reason}` : ''
    }${c.flags.length > 0 ? html` <span class="flag">⚠ ${c.flags.join('; ')}</span>` : ''}</li>
`;
  });
  return html`<div class="update" role="note">
<h3>${updateHeading(u)}</h3>
${u.headline ? paragraphs(u.headline) : ''}
${changes.length > 0 ? html`<ul class="changes">
${changes}</ul>
` : ''}${u.needsReview ? html`<p><span class="flag">Flagged for review</span> a change above is uncited, unexplained or a large jump.</p>
` : ''}${
    u.indicators.length > 0
      ? html`<p class="label">Indicators whose status changed:</p>
<ul>${u.indicators.map((i) => html`<li><strong>${i.indicator}</strong> <code>${i.indicatorId}</code>: ${i.status} — ${i.note}${citation(i.evidence)}</li>
`)}</ul>
`
      : ''
  }</div>
`;
}

/**
 * Pieces a host page may swap. The workspace (`assess serve`) forbids inline style by its CSP,
 * which `bar` uses, so it passes a bar of its own; the exported report keeps `bar`.
 */
export interface AssessmentPieces {
  bar?: (p: number, className?: string) => SafeHtml;
}

/** One desk's assessment, laid out like the Markdown report. */
export function renderAssessment(a: AgentAssessment, trackRecord?: TrackRecord, pieces: AssessmentPieces = {}): SafeHtml {
  const drawBar = pieces.bar ?? bar;
  const place = a.agentName.replace(/ Desk$/, '');
  const headingId = `${deskAnchor(a.agentId)}-title`;
  // Assessments archived before grounding have no evidence to show: their table keeps three columns.
  const grounded = a.grounding !== undefined;
  const keyFacts = a.keyFacts.map(
    (f) => html`<tr><th scope="row">${f.feature}</th><td>${lines(f.detail)}</td><td class="sources">${f.sources.join(', ') || '—'}</td>${
      grounded ? html`<td>${groundingMark(f.evidence)}</td>` : ''
    }</tr>
`,
  );
  const risks = groupInOrder(a.risks, (r) => r.axis).map(
    ([axis, list], i) => html`<h4>${i + 1}. ${axis}</h4>
<ul class="risks">
${list.map(
  (r) => html`<li id="${itemAnchor(r.id)}"><div class="item-head"><strong>${r.title}</strong> <code>${r.id}</code> ${badge(SEVERITY_CLASS, r.severity, html`severity ${r.severity}`)} <span class="muted">likelihood ${percent(r.likelihood)}${r.resolveBy ? html` by ${r.resolveBy}` : ''}</span> ${groundingMark(r.evidence)}</div>
<div>${lines(r.description)}${r.sources.length > 0 ? html` <span class="sources">Sources: ${r.sources.join(', ')}.</span>` : ''}</div>${
    r.resolution ? html`<div class="criterion small"><span class="muted">Resolves if:</span> ${r.resolution}</div>` : ''
  }</li>
`,
)}</ul>
`,
  );
  // Horizons (issue 14): a "Resolves by" column with the criterion under the date; assessments
  // archived before then have neither and keep the old columns.
  const resolvable = a.trajectories.some((t) => t.resolveBy || t.resolution);
  const trajectories = a.trajectories.map(
    (t) => html`<tr id="${itemAnchor(t.id)}"><th scope="row">${t.name} <code>${t.id}</code></th><td class="nowrap">${t.label}<br><strong>${percent(t.probability)}</strong> ${drawBar(t.probability, 'bar small')}</td>${
      resolvable
        ? html`<td class="resolves"><strong class="nowrap">${t.resolveBy ?? '—'}</strong>${t.resolution ? html`<div class="criterion small">${t.resolution}</div>` : ''}</td>`
        : ''
    }<td>${lines(t.keyDynamics)}</td><td>${lines(t.implications)}</td></tr>
`,
  );
  const trajectoryHead = resolvable
    ? ['Trajectory', 'Likelihood', 'Resolves by', 'Key dynamics', 'Implications']
    : ['Trajectory', 'Likelihood', 'Key dynamics', 'Implications'];

  return html`<section class="desk" id="${deskAnchor(a.agentId)}" aria-labelledby="${headingId}">
<details open>
<summary><h2 id="${headingId}">${a.agentId} — ${a.agentName}</h2> ${badge(STANCE_CLASS, a.stance.label)}${
    a.update?.needsReview ? html` <span class="flag">⚠ review</span>` : ''
  }</summary>
<div class="desk-body">
${trackRecord ? html`<p class="track-record muted small">Track record: ${trackRecordText(a.agentId, trackRecord)}.</p>
` : ''}${a.update ? renderDeskUpdate(a.update) : ''}<p class="stance"><strong>Stance: ${a.stance.label}</strong> — ${a.stance.reason}</p>
${a.opening ? paragraphs(a.opening, 'opening') : ''}
<div class="callout"><strong>Bottom line.</strong> ${lines(a.bottomLine)}</div>
${a.grounding ? html`<p class="grounding muted small">Grounding: ${groundingText(a.grounding)}.</p>
` : ''}
<h3>What we know so far: mechanics, structure, and commitments</h3>
${table(grounded ? ['Feature', 'Details', 'Sources', 'Evidence'] : ['Feature', 'Details', 'Sources'], keyFacts, 'facts')}
${
  a.openQuestions.length > 0
    ? html`<p class="label">Open questions and ambiguities:</p>
<ul>${a.openQuestions.map((q) => html`<li>${q}</li>`)}</ul>
`
    : ''
}
${
  a.upside.length > 0
    ? html`<h3>Strategic rationale &amp; upside</h3>
<ol class="upside">${a.upside.map((u) => html`<li><strong>${u.title}</strong><br>${lines(u.explanation)}</li>
`)}</ol>
`
    : ''
}
<h3>Key challenges, risks, and constraints</h3>
${risks}
<h3>Assessment: feasibility and likely trajectories</h3>
${a.feasibility ? paragraphs(a.feasibility) : ''}
${table(trajectoryHead, trajectories, 'trajectories')}
${a.lean ? paragraphs(a.lean) : ''}
${
  a.caveats.length > 0
    ? html`<p class="label">A few additional caveats:</p>
<ul>${a.caveats.map((c) => html`<li>${c}</li>`)}</ul>
`
    : ''
}
<h3>Strategic significance for ${place} going forward</h3>
${a.strategicSignificance.intro ? paragraphs(a.strategicSignificance.intro) : ''}
<ul>${a.strategicSignificance.points.map((p) => html`<li>${p}</li>`)}</ul>

<h3>Indicators to watch</h3>
<ul class="indicators">${a.indicators.map(
    (i) => html`<li id="${itemAnchor(i.id)}"><strong>${i.indicator}</strong> <code>${i.id}</code> — ${i.why}</li>
`,
  )}</ul>
${
  a.warnings && a.warnings.length > 0
    ? html`<div class="notes" role="note"><p class="label">Notes on this desk's output:</p>
<ul>${a.warnings.map((w) => html`<li>${w}</li>`)}</ul></div>
`
    : ''
}
<p class="provenance">Confidence: <strong>${percent(a.confidence)}</strong> ${drawBar(a.confidence, 'bar small')} · ${a.provenance.provider}/${a.provenance.model} · prompt <code>${a.provenance.promptHash}</code></p>
<p class="signoff">— ${a.signOff}</p>
</div>
</details>
</section>
`;
}

function scenarioFlags(s: MergedScenario): SafeHtml {
  return html`${s.disagreement ? html`<span class="flag" title="The desks' probabilities spread by ${percent(s.spread)}">⚠ desks disagree</span>` : ''}${
    s.unclustered ? html` <span class="badge neutral">unclustered</span>` : ''
  }`;
}

/** The consolidated view: numbers computed in code, narrative from the synthesizer. */
function renderRiskView(view: RiskView, known: ReadonlySet<string>): SafeHtml {
  const registerIds = new Set(view.riskRegister.map((r) => r.id));
  const drivers = view.overallRisk.drivers.map(
    (id, i) => html`${i > 0 ? ', ' : ''}${registerIds.has(id) ? html`<a href="#${anchor('register', id)}">${id}</a>` : id}`,
  );
  const register = view.riskRegister.map(
    (r) => html`<tr id="${anchor('register', r.id)}"><td class="nowrap"><strong>${r.id}</strong></td><td><strong>${r.title}</strong> — ${r.summary}</td><td>${r.axis}</td><td class="num">${r.agentIds.length}</td><td>${badge(SEVERITY_CLASS, r.maxSeverity)}</td><td class="num">${r.meanSeverity.toFixed(2)}</td><td class="num">${percent(r.meanLikelihood)}</td><td class="num"><strong>${r.score.toFixed(2)}</strong></td><td class="refs">${refList(r.sourceIds, known)}</td></tr>
`,
  );
  const scenarios = view.scenarios.map(
    (s) => html`<tr id="${anchor('scenario', s.id)}"${s.disagreement ? html` class="disagree"` : ''}><td class="nowrap"><strong>${s.id}</strong></td><td><strong>${s.name}</strong> — ${s.summary}</td><td class="pooled"><strong>${percent(s.pooledProbability)}</strong>${bar(s.pooledProbability)}</td><td class="num">${percent(s.spread)}</td><td><ul class="per-desk">${s.perAgent.map(
      (p) => html`<li><span class="desk-id">${p.agentId}</span> <span class="num">${percent(p.probability)}</span></li>`,
    )}</ul></td><td class="flags">${s.disagreement || s.unclustered ? scenarioFlags(s) : html`<span class="muted">—</span>`}</td></tr>
`,
  );
  const missing = view.coverage.missing.map((m) => `${m.agentId} (${m.reason})`).join('; ');

  return html`<div class="overall">
<p>${badge(LEVEL_CLASS, view.overallRisk.level, html`Overall risk: ${view.overallRisk.level}`)}</p>
<p>Expected-impact score <strong>${view.overallRisk.score.toFixed(2)}</strong> of 4, driven by ${drivers.length > 0 ? drivers : 'no risks'}.</p>
</div>
<div class="callout">${paragraphs(view.bottomLine)}</div>
<p class="coverage"><strong>Coverage:</strong> ${view.coverage.included.length} desk(s) — ${view.coverage.included.join(', ')}${
    missing ? html`. <span class="missing">Missing: ${missing}</span>` : ''
  }.</p>
${
  view.consensus.length > 0
    ? html`<h3>Consensus</h3>
<ul class="consensus">${view.consensus.map((c) => html`<li>${c.point} ${deskChips(c.agentIds)}</li>
`)}</ul>
`
    : ''
}${
    view.divergences.length > 0
      ? html`<h3>Divergences</h3>
${view.divergences.map(
  (d) => html`<div class="divergence"><h4>${d.topic}</h4>
<dl>${d.positions.map((p) => html`<dt>${p.agentId}</dt><dd>${p.position}</dd>`)}</dl></div>
`,
)}`
      : ''
  }
<h3>Merged risk register</h3>
${table(['#', 'Risk', 'Axis', 'Desks', 'Max severity', 'Mean severity', 'Mean likelihood', 'Score', 'From'], register, 'register')}
<h3>Scenarios (pooled across desks)</h3>
${table(['#', 'Scenario', 'Pooled', 'Spread', 'Per desk', 'Flags'], scenarios, 'scenarios')}
<p class="muted small">Pooling: ${view.method.pooling}; disagreement flagged at a spread of ${percent(view.method.disagreementThreshold)} or more.</p>
${
  view.watchlist.length > 0
    ? html`<h3>Watchlist</h3>
<ol class="watchlist">${view.watchlist.map(
  (w) => html`<li><strong>${w.indicator}</strong> — ${w.why}${w.sourceIds.length > 0 ? html` <span class="refs">${refList(w.sourceIds, known)}</span>` : ''}</li>
`,
)}</ol>
`
    : ''
}${
    view.warnings.length > 0
      ? html`<div class="notes" role="note"><h3>Synthesis notes</h3>
<ul>${view.warnings.map((w) => html`<li>${w}</li>`)}</ul></div>
`
      : ''
  }
<p class="provenance">Synthesis: ${view.provenance.provider}/${view.provenance.model} · prompt <code>${view.provenance.promptHash}</code> · ${view.provenance.attempts} attempt(s)</p>
`;
}

function renderToc(run: RunResult): SafeHtml {
  const byId = new Map(run.assessments.map((a) => [a.agentId, a]));
  const failed = new Set(run.failures.map((f) => f.agentId));
  // Desks in the order they were asked for; anything assessed but not listed still gets an entry.
  const order = [...run.desks.map((d) => d.agentId), ...run.assessments.map((a) => a.agentId)].filter((id, i, all) => all.indexOf(id) === i);
  const items = order.map((id) => {
    const a = byId.get(id);
    if (a) {
      return html`<li><a href="#${deskAnchor(id)}">${id} — ${a.agentName}</a> ${badge(STANCE_CLASS, a.stance.label)}</li>
`;
    }
    if (failed.has(id)) return html`<li><a href="#failures">${id}</a> <span class="badge sev-critical">failed</span></li>
`;
    return '';
  });
  return html`<nav class="toc" aria-label="Contents">
<h2>Contents</h2>
<ol class="toc-desks">
${items}</ol>
<p class="toc-more">${run.failures.length > 0 ? html`<a href="#failures">Desks that failed (${run.failures.length})</a> · ` : ''}<a href="#consolidated"><strong>Consolidated risk view</strong></a>${
    run.synthesis ? html` ${badge(LEVEL_CLASS, run.synthesis.overallRisk.level)}` : ''
  }</p>
</nav>
`;
}

const STYLE = `
:root{color-scheme:light;--ink:#1b1f24;--muted:#4f5661;--line:#d5dae1;--soft:#f3f5f8;--accent:#1d4f91;--callout:#eef3fa}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:#fff;color:var(--ink);font:16px/1.6 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","Hiragino Sans","Hiragino Kaku Gothic ProN","Noto Sans CJK JP","Yu Gothic",Meiryo,sans-serif;overflow-wrap:break-word}
.page{max-width:74rem;margin:0 auto;padding:2rem 1.5rem 3rem}
a{color:var(--accent)}
a:focus-visible,summary:focus-visible{outline:3px solid #f0a500;outline-offset:2px}
h1,h2,h3,h4{line-height:1.25;margin:1.6em 0 .5em}
h1{font-size:2rem;margin:.2em 0 .4em}
h2{font-size:1.45rem}
h3{font-size:1.15rem;border-bottom:1px solid var(--line);padding-bottom:.25em}
h4{font-size:1rem;color:#2b3440}
p,ul,ol,dl{margin:.6em 0}
li{margin:.3em 0}
code{font:.85em/1.2 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--soft);border:1px solid var(--line);border-radius:4px;padding:.05em .35em;white-space:nowrap}
.muted{color:var(--muted)}
.small{font-size:.9rem}
.criterion{margin-top:.2rem}
.trajectories td.resolves{width:22%}
.nowrap{white-space:nowrap}
.run-header{border-bottom:3px solid var(--accent);padding-bottom:1rem}
.eyebrow{text-transform:uppercase;letter-spacing:.08em;font-size:.8rem;color:var(--muted);margin:0}
.meta{display:flex;flex-wrap:wrap;gap:.4rem 1.6rem;margin:.4rem 0 1rem;font-size:.95rem}
.meta div{display:flex;gap:.4rem;align-items:baseline}
.meta dt{color:var(--muted)}
.meta dd{margin:0;font-weight:600}
.summary{border-left:4px solid var(--line);padding:.1rem 0 .1rem 1rem;color:#2b3440;margin:0}
.source{font-size:.9rem;color:var(--muted)}
.toc{background:var(--soft);border:1px solid var(--line);border-radius:8px;padding:.6rem 1.2rem .8rem;margin:1.5rem 0}
.toc h2{margin:.3em 0;font-size:1.1rem}
.toc-desks{columns:2 18rem;column-gap:2rem;margin:.4em 0;padding-left:1.6rem}
.toc-desks li{break-inside:avoid}
.toc-more{margin:.5em 0 0}
.badge{display:inline-block;font-size:.78rem;font-weight:600;line-height:1.4;padding:.08em .55em;border-radius:999px;border:1px solid transparent;white-space:nowrap;vertical-align:.1em}
.neutral,.st-neutral{background:#eceff3;color:#333b45;border-color:#cdd3db}
.sev-low,.st-pos{background:#e3f3e6;color:#14532d;border-color:#a9d8b3}
.sev-medium{background:#fff3cd;color:#5c4200;border-color:#e8cf7a}
.sev-high,.st-warn{background:#ffe3cc;color:#7a2e00;border-color:#f0b27f}
.lvl-high,.st-neg{background:#fbd9d6;color:#7f1710;border-color:#eda39c}
.sev-critical{background:#a3211a;color:#fff;border-color:#a3211a}
.overall .badge{font-size:1rem;padding:.2em .8em}
.desk{margin-top:2.2rem;border-top:1px solid var(--line)}
.desk summary{display:flex;flex-wrap:wrap;align-items:center;gap:.3rem .8rem;cursor:pointer;list-style:none;padding:.4rem 0}
.desk summary::-webkit-details-marker{display:none}
.desk summary::before{content:"▸";color:var(--muted);font-size:1.1rem;width:1rem}
.desk details[open]>summary::before{content:"▾"}
.desk summary h2{margin:.4em 0}
.desk-body{padding-left:1.8rem}
.stance{font-size:1.02rem}
.opening{font-style:italic;color:#2b3440}
.callout{background:var(--callout);border-left:4px solid var(--accent);border-radius:0 6px 6px 0;padding:.7rem 1rem;margin:1rem 0}
.callout p:first-child{margin-top:0}.callout p:last-child{margin-bottom:0}
.label{font-weight:600;margin-top:1em}
.table-wrap{overflow-x:auto;margin:.8rem 0}
table{border-collapse:collapse;width:100%;font-size:.92rem;line-height:1.45}
th,td{border:1px solid var(--line);padding:.45rem .6rem;text-align:left;vertical-align:top}
thead th{background:#e7ebf1;font-weight:650;white-space:nowrap}
tbody th{font-weight:600;background:#fafbfc}
tbody tr:nth-child(even) td{background:#fafbfc}
td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.sources{color:var(--muted);font-size:.9em}
.facts th[scope=row]{width:18%}
.facts td.sources{width:22%}
.trajectories th[scope=row]{width:20%}
.risks{list-style:none;padding-left:0}
.risks>li{border-left:3px solid var(--line);padding:.15rem 0 .15rem .8rem;margin:.7rem 0}
.item-head{display:flex;flex-wrap:wrap;gap:.25rem .5rem;align-items:baseline}
.indicators li{margin:.45em 0}
.bar{display:block;height:.55rem;background:#e3e7ed;border-radius:3px;overflow:hidden;margin-top:.3rem;min-width:5rem}
.bar>span{display:block;height:100%;background:var(--accent)}
.bar.small{display:inline-block;width:4rem;min-width:0;height:.45rem;margin:0 0 0 .2rem;vertical-align:middle}
td.pooled{min-width:7.5rem}
.per-desk{list-style:none;margin:0;padding:0;display:grid;grid-template-columns:repeat(2,max-content);gap:0 .9rem;font-size:.85rem}
.per-desk li{margin:0;white-space:nowrap}
.desk-id{color:var(--muted)}
tr.disagree td{background:#fff7e6}
.flag{display:inline-block;font-weight:700;color:#7a2e00;background:#ffe3cc;border:1px solid #f0b27f;border-radius:4px;padding:.05em .45em;white-space:nowrap}
.refs code{font-size:.78em;margin:0 .1em .15em 0;display:inline-block}
.register thead th{white-space:normal}
.register td:nth-child(2){min-width:18rem;width:48%}
.register td:nth-child(5){width:1%}
.register td.refs{min-width:10.5rem}
td.num{width:1%}
td.flags{width:1%}
.scenarios td:nth-child(2){min-width:16rem}
a.ref{text-decoration:none}
.chips{display:inline-flex;flex-wrap:wrap;gap:.25rem;vertical-align:.1em}
.chip{font-size:.75rem;background:var(--soft);border:1px solid var(--line);border-radius:4px;padding:0 .35em;color:#333b45}
.divergence{border:1px solid var(--line);border-radius:6px;padding:.2rem 1rem .5rem;margin:.8rem 0}
.divergence h4{margin:.6em 0 .3em}
.divergence dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;margin:.3em 0}
.divergence dt{font-weight:700}
.divergence dd{margin:0}
.notes{background:#fff7e6;border:1px solid #f0c97f;border-radius:6px;padding:.2rem 1rem}
.notes h3{border:0}
.failures li{margin:.4em 0}
.missing{color:#7f1710}
.provenance{color:var(--muted);font-size:.88rem;margin-top:1.2rem}
.signoff{font-weight:600;font-style:italic;margin-top:.2rem}
#consolidated{margin-top:2.5rem;border-top:3px solid var(--accent)}
#consolidated>h2{margin-top:1rem}
.ground{display:inline-block;font-size:.8rem;border-radius:4px;padding:0 .35em;white-space:nowrap}
.ground.ev{background:#e3f3e6;color:#14532d;border:1px solid #a9d8b3}
.ground.bg{background:#eceff3;color:#4f5661;border:1px dashed #b3bac4}
.update{background:#f6f9fd;border:1px solid var(--line);border-left:4px solid var(--accent);border-radius:0 6px 6px 0;padding:.2rem 1rem .5rem;margin:1rem 0}
.update h3{border:0;margin-top:.6em}
.changes li.retired .move{text-decoration:line-through}
.site-footer{margin-top:3rem;padding-top:1rem;border-top:1px solid var(--line);color:var(--muted);font-size:.9rem}
@media (max-width:40rem){
  .page{padding:1rem .9rem 2rem}
  h1{font-size:1.55rem}
  .desk-body{padding-left:0}
  .divergence dl{grid-template-columns:1fr}
  .divergence dd{margin-bottom:.4rem}
}
@media print{
  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
  @page{margin:16mm 14mm}
  body{font-size:10.5pt;line-height:1.45}
  .page{max-width:none;padding:0}
  a{color:inherit;text-decoration:none}
  .toc{break-after:page}
  .desk,#consolidated{break-before:page;border-top:0}
  .desk summary::before{display:none}
  .desk-body{padding-left:0}
  .table-wrap{overflow:visible}
  table{font-size:9pt}
  thead{display:table-header-group}
  tr,li,.callout,.divergence{break-inside:avoid}
  h2,h3,h4{break-after:avoid}
}
`;

/** The whole run as one HTML page: header, contents, every desk, failures, the consolidated view, usage. */
export function renderRunHtml(run: RunResult, options: RunReportOptions = {}): string {
  const { event } = run.event;
  const known = new Set(run.assessments.flatMap((a) => [...a.risks, ...a.trajectories, ...a.indicators].map((item) => item.id)));
  const published = event.publishedAt ? event.publishedAt.slice(0, 10) : '';
  const sourceUrl = event.source?.url ?? event.url;
  // Only http(s) links, even though the event schema already insists on it.
  const safeUrl = sourceUrl && /^https?:\/\//i.test(sourceUrl) ? sourceUrl : undefined;
  const sourceName = event.source?.name ?? (safeUrl ? safeUrl : '');

  const t = run.usage.total;
  const cost =
    t.costUsd === null ? 'cost unknown for these models' : `estimated ${usd(t.costUsd)}${t.costComplete ? '' : ' (some models unpriced)'}`;

  const failures =
    run.failures.length > 0
      ? html`<section id="failures" class="failures">
<h2>Desks that failed</h2>
<ul>${run.failures.map((f) => html`<li><strong>${f.agentId}</strong> ${badge(STATUS_CLASS, 'failed', f.kind)} ${f.reason}</li>
`)}</ul>
</section>
`
      : '';

  // What moved since the thread's last consolidated view opens the page, before the desks.
  const sinceLast = run.synthesis?.sinceLast ? new SafeHtml(renderSinceLastHtml(run.synthesis.sinceLast)) : '';

  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="assess">
<title>${event.title} — assess run ${run.runId}</title>
<style>${new SafeHtml(STYLE)}${options.reviews?.length ? new SafeHtml(REVIEWS_STYLE) : ''}</style>
</head>
<body>
<div class="page">
<header class="run-header">
<p class="eyebrow">Risk assessment · ${run.assessments.length} of ${run.desks.length} desk(s)</p>
<h1>${event.title}</h1>
<dl class="meta">
<div><dt>Event</dt><dd><code>${run.event.id}</code></dd></div>
${published ? html`<div><dt>Published</dt><dd><time datetime="${published}">${published}</time></dd></div>` : ''}
<div><dt>Run</dt><dd><code>${run.runId}</code></dd></div>
<div><dt>Status</dt><dd>${badge(STATUS_CLASS, run.status)}</dd></div>
${run.thread ? html`<div><dt>Thread</dt><dd>${threadLine(run.thread)}</dd></div>` : ''}
</dl>
${describeCut(event.cut).map((note) => html`<p class="notes" role="note"><strong>${note}</strong></p>
`)}${event.summary.trim() ? html`<blockquote class="summary">${paragraphs(event.summary)}</blockquote>` : ''}
${
  sourceName
    ? html`<p class="source">Source: ${safeUrl ? html`<a href="${safeUrl}" rel="noopener noreferrer">${sourceName}</a>` : sourceName}</p>`
    : ''
}
</header>
${renderToc(run)}
<main>
${sinceLast}${run.assessments.map((a) => renderAssessment(a, options.trackRecords?.[a.agentId]))}
${failures}
<section id="consolidated" aria-labelledby="consolidated-title">
<h2 id="consolidated-title">Consolidated risk view</h2>
${
  run.synthesis
    ? renderRiskView(run.synthesis, known)
    : html`<p class="notes"><em>No synthesis: ${run.synthesisError ?? 'unknown reason'}.</em></p>`
}
</section>
${options.reviews ? renderReviewsHtml(run, options.reviews) : ''}</main>
<footer class="site-footer">
<p>Usage: ${t.calls} call(s), ${thousands(t.inputTokens)} tokens in${cacheNote(t)}, ${thousands(t.outputTokens)} out; ${cost}.</p>
<p>Run <code>${run.runId}</code> · started ${run.startedAt} · finished ${run.finishedAt} · prompts: desk <code>${run.promptHashes.desk}</code>, synthesis <code>${run.promptHashes.synthesis}</code></p>
</footer>
</div>
</body>
</html>
`;
  return page.value;
}
