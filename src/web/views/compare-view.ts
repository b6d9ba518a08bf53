import type { RunSummary } from '../../archive/list-runs.js';
import type { AssessmentDiff, ConsolidatedDiff, RunDiff } from '../../compare/diff-runs.js';
import { html, type SafeHtml } from '../../report/escape-html.js';
import { signedPoints } from '../../report/diff-markdown.js';
import { percent } from '../../report/format.js';
import { layout } from '../layout.js';

/**
 * `/compare` side by side: two runs (`a`, `b`) or two desks of one run (`run`, `a`, `b`), from the
 * diff `assess runs diff` computes. Every row says whether it changed; with `only=diff` the
 * unchanged rows are left out (and counted), so the page stays bookmarkable either way.
 */
export type CompareData =
  | { mode: 'runs'; diff: RunDiff }
  | { mode: 'desks'; runId: string; diff: AssessmentDiff };

export interface ComparePageModel {
  query: { a: string; b: string; run: string; only: boolean };
  /** The result, or null when the form has not been filled in yet. */
  data: CompareData | null;
  labels: { a: string; b: string };
  /** Recent runs for the pickers; the run's desks when comparing desks. */
  recentRuns: readonly RunSummary[];
  desks: readonly string[];
  /** Shown instead of a result (missing or unknown ids). */
  error: string | null;
}

interface Row {
  label: SafeHtml | string;
  a: SafeHtml | string;
  b: SafeHtml | string;
  delta: SafeHtml | string;
  changed: boolean;
}

const NONE = html`<span class="muted">—</span>`;

function rowsTable(caption: string, rows: Row[], only: boolean): SafeHtml {
  const shown = only ? rows.filter((r) => r.changed) : rows;
  const hidden = rows.length - shown.length;
  if (rows.length === 0) return html``;
  return html`<div class="table-wrap"><table class="compare-table">
<caption class="visually-hidden">${caption}</caption>
<thead><tr><th scope="col">Item</th><th scope="col">A</th><th scope="col">B</th><th scope="col">Change</th></tr></thead>
<tbody>
${shown.map(
  (r) => html`<tr class="${r.changed ? 'changed' : 'same diff-same'}"><th scope="row">${r.label}</th><td class="a">${r.a}</td><td class="b">${r.b}</td><td class="delta">${r.delta}</td></tr>
`,
)}</tbody></table></div>
${hidden > 0 ? html`<p class="muted small hidden-count">${hidden} unchanged row(s) hidden.</p>` : ''}`;
}

const shiftText = (shift: number): SafeHtml =>
  shift === 0 ? html`<span class="muted">±0 pts</span>` : html`<span class="${shift > 0 ? 'up' : 'down'}">${signedPoints(shift)}</span>`;

function assessmentRows(d: AssessmentDiff): Row[] {
  const rows: Row[] = [
    { label: 'Stance', a: d.stance.labelA, b: d.stance.labelB, delta: d.stance.changed ? 'changed' : NONE, changed: d.stance.changed },
    {
      label: 'Confidence',
      a: percent(d.confidence.a),
      b: percent(d.confidence.b),
      delta: shiftText(d.confidence.shift),
      changed: d.confidence.shift !== 0,
    },
    { label: 'Bottom line', a: d.bottomLine.a, b: d.bottomLine.b, delta: d.bottomLine.changed ? 'reworded' : NONE, changed: d.bottomLine.changed },
  ];
  for (const t of d.trajectories.matched) {
    const changed = t.shift !== 0 || t.labelA !== t.labelB || t.nameA !== t.nameB;
    rows.push({
      label: html`Trajectory <code>${t.idA}</code>${t.idB !== t.idA ? html` / <code>${t.idB}</code>` : ''}`,
      a: html`${t.nameA} <strong>${percent(t.probabilityA)}</strong> <span class="muted small">${t.labelA}</span>`,
      b: html`${t.nameB} <strong>${percent(t.probabilityB)}</strong> <span class="muted small">${t.labelB}</span>`,
      delta: shiftText(t.shift),
      changed,
    });
  }
  for (const t of d.trajectories.removed) {
    rows.push({ label: html`Trajectory <code>${t.id}</code>`, a: html`${t.name} <strong>${percent(t.probability)}</strong>`, b: NONE, delta: 'only in A', changed: true });
  }
  for (const t of d.trajectories.added) {
    rows.push({ label: html`Trajectory <code>${t.id}</code>`, a: NONE, b: html`${t.name} <strong>${percent(t.probability)}</strong>`, delta: 'only in B', changed: true });
  }
  for (const r of d.risks.rerated) {
    rows.push({
      label: html`Risk <code>${r.idA}</code>${r.idB !== r.idA ? html` / <code>${r.idB}</code>` : ''}`,
      a: html`${r.titleA} <span class="muted small">${r.severityA}, ${percent(r.likelihoodA)}</span>`,
      b: html`${r.titleB} <span class="muted small">${r.severityB}, ${percent(r.likelihoodB)}</span>`,
      delta: html`re-rated: ${r.severityChanged ? html`${r.severityA} → ${r.severityB}, ` : ''}${shiftText(r.likelihoodShift)}`,
      changed: true,
    });
  }
  for (const r of d.risks.removed) {
    rows.push({ label: html`Risk <code>${r.id}</code>`, a: html`${r.title} <span class="muted small">${r.severity}, ${percent(r.likelihood)}</span>`, b: NONE, delta: 'only in A', changed: true });
  }
  for (const r of d.risks.added) {
    rows.push({ label: html`Risk <code>${r.id}</code>`, a: NONE, b: html`${r.title} <span class="muted small">${r.severity}, ${percent(r.likelihood)}</span>`, delta: 'only in B', changed: true });
  }
  if (d.risks.unchanged > 0) {
    rows.push({ label: 'Risks rated alike', a: `${d.risks.unchanged} matched`, b: `${d.risks.unchanged} matched`, delta: NONE, changed: false });
  }
  for (const i of d.indicators.removed) rows.push({ label: html`Indicator <code>${i.id}</code>`, a: i.indicator, b: NONE, delta: 'only in A', changed: true });
  for (const i of d.indicators.added) rows.push({ label: html`Indicator <code>${i.id}</code>`, a: NONE, b: i.indicator, delta: 'only in B', changed: true });
  return rows;
}

function consolidatedRows(c: ConsolidatedDiff): Row[] {
  const o = c.overallRisk;
  const rows: Row[] = [
    {
      label: 'Overall risk',
      a: html`${o.levelA} <span class="muted small">${o.scoreA.toFixed(2)}</span>`,
      b: html`${o.levelB} <span class="muted small">${o.scoreB.toFixed(2)}</span>`,
      delta: o.levelChanged || o.shift !== 0 ? html`${o.levelChanged ? html`${o.levelA} → ${o.levelB}, ` : ''}${o.shift > 0 ? '+' : ''}${o.shift.toFixed(2)}` : NONE,
      changed: o.levelChanged || o.shift !== 0,
    },
  ];
  for (const s of c.scenarios.matched) {
    rows.push({
      label: html`Scenario <code>${s.idA}</code>${s.idB !== s.idA ? html` / <code>${s.idB}</code>` : ''}`,
      a: html`${s.nameA} <strong>${percent(s.pooledA)}</strong>`,
      b: html`${s.nameB} <strong>${percent(s.pooledB)}</strong>`,
      delta: shiftText(s.shift),
      changed: s.shift !== 0 || s.nameA !== s.nameB,
    });
  }
  for (const s of c.scenarios.removed) rows.push({ label: html`Scenario <code>${s.id}</code>`, a: html`${s.name} <strong>${percent(s.pooledProbability)}</strong>`, b: NONE, delta: 'only in A', changed: true });
  for (const s of c.scenarios.added) rows.push({ label: html`Scenario <code>${s.id}</code>`, a: NONE, b: html`${s.name} <strong>${percent(s.pooledProbability)}</strong>`, delta: 'only in B', changed: true });
  for (const r of c.risks.removed) rows.push({ label: html`Merged risk <code>${r.id}</code>`, a: html`${r.title} <span class="muted small">${r.maxSeverity}</span>`, b: NONE, delta: 'only in A', changed: true });
  for (const r of c.risks.added) rows.push({ label: html`Merged risk <code>${r.id}</code>`, a: NONE, b: html`${r.title} <span class="muted small">${r.maxSeverity}</span>`, delta: 'only in B', changed: true });
  return rows;
}

function runDiffBody(diff: RunDiff, labels: { a: string; b: string }, only: boolean): SafeHtml {
  const e = diff.event;
  const desks = diff.desks.filter((d) => !only || d.changed);
  const unchanged = diff.desks.filter((d) => !d.changed).map((d) => d.agentIdB);
  return html`<p>A: <a href="/runs/${diff.runIdA}"><code>${labels.a}</code></a> ${e.titleA} · B: <a href="/runs/${diff.runIdB}"><code>${labels.b}</code></a> ${e.titleB} · status ${diff.status.a} / ${diff.status.b}</p>
${e.same ? '' : html`<p class="notes" role="note">⚠ Different events: the desks are compared anyway.</p>`}
${diff.changed ? '' : html`<p><strong>No changes.</strong></p>`}
<section aria-labelledby="cmp-consolidated"><h2 id="cmp-consolidated">Consolidated view</h2>
${
  diff.consolidated
    ? rowsTable('Consolidated view, A against B', consolidatedRows(diff.consolidated), only)
    : html`<p class="muted">Not compared: ${[diff.synthesisMissing.a !== null ? `A has no synthesis (${diff.synthesisMissing.a})` : '', diff.synthesisMissing.b !== null ? `B has no synthesis (${diff.synthesisMissing.b})` : ''].filter(Boolean).join('; ')}.</p>`
}
</section>
<section aria-labelledby="cmp-desks"><h2 id="cmp-desks">Desks</h2>
${diff.onlyInA.length > 0 ? html`<p><strong>Only in A:</strong> ${diff.onlyInA.join(', ')}</p>` : ''}
${diff.onlyInB.length > 0 ? html`<p><strong>Only in B:</strong> ${diff.onlyInB.join(', ')}</p>` : ''}
${
  diff.failures.length > 0
    ? html`<ul class="failures">${diff.failures.map((f) => html`<li><strong>${f.agentId}</strong>: ${f.a ? `failed (${f.a.kind})` : 'ok'} → ${f.b ? `failed (${f.b.kind})` : 'ok'}</li>`)}</ul>`
    : ''
}
${desks.map(
  (d) => html`<section class="desk-diff${d.changed ? ' changed' : ' same diff-same'}" data-nav-item><h3><a href="/runs/${diff.runIdB}/desks/${d.agentIdB}">${d.agentIdB}</a> <span class="muted small">${d.agentNameB}${d.changed ? '' : ' · no changes'}</span></h3>
${rowsTable(`${d.agentIdB}, A against B`, assessmentRows(d), only)}</section>`,
)}
${only && unchanged.length > 0 ? html`<p class="muted hidden-count">No changes (hidden): ${unchanged.join(', ')}</p>` : ''}
</section>`;
}

function form(model: ComparePageModel): SafeHtml {
  const q = model.query;
  const runOptions = (selected: string) =>
    model.recentRuns.map(
      (r) => html`<option value="${r.runId}"${r.runId === selected || (selected.length >= 4 && r.runId.startsWith(selected)) ? html` selected` : ''}>${r.runId.slice(0, 8)} · ${r.startedAt.slice(0, 16).replace('T', ' ')} · ${r.eventTitle.slice(0, 60)}</option>`,
    );
  const deskOptions = (selected: string) => model.desks.map((d) => html`<option${d === selected.toUpperCase() ? html` selected` : ''}>${d}</option>`);
  const onlyBox = html`<label class="inline"><input type="checkbox" name="only" value="diff"${q.only ? html` checked` : ''}> only differences</label>`;
  if (q.run) {
    return html`<form class="compare-form" method="get" action="/compare">
<input type="hidden" name="run" value="${q.run}">
<label>Desk A <select name="a">${deskOptions(q.a)}</select></label>
<label>Desk B <select name="b">${deskOptions(q.b)}</select></label>
${onlyBox}
<button type="submit">Compare desks</button>
<a href="/compare">compare two runs instead</a>
</form>`;
  }
  return html`<form class="compare-form" method="get" action="/compare">
<label>Run A <select name="a"><option value="">choose…</option>${runOptions(q.a)}</select></label>
<label>Run B <select name="b"><option value="">choose…</option>${runOptions(q.b)}</select></label>
${onlyBox}
<button type="submit">Compare runs</button>
</form>`;
}

export function renderComparePage(model: ComparePageModel): SafeHtml {
  const { data } = model;
  const only = model.query.only;
  const toggle = (on: boolean): string => {
    const params = new URLSearchParams();
    if (model.query.run) params.set('run', model.query.run);
    params.set('a', model.query.a);
    params.set('b', model.query.b);
    if (on) params.set('only', 'diff');
    return `/compare?${params.toString()}`;
  };
  const result =
    data === null
      ? ''
      : html`<p class="only-toggle">${only ? html`Showing only differences · <a href="${toggle(false)}" id="show-all">show everything</a>` : html`Showing everything · <a href="${toggle(true)}" id="only-diff">only differences</a>`}</p>
${
  data.mode === 'runs'
    ? runDiffBody(data.diff, model.labels, only)
    : html`<p>Run <a href="/runs/${data.runId}"><code>${data.runId.slice(0, 8)}</code></a>: desk A <a href="/runs/${data.runId}/desks/${data.diff.agentIdA}">${data.diff.agentIdA}</a> (${data.diff.agentNameA}) against desk B <a href="/runs/${data.runId}/desks/${data.diff.agentIdB}">${data.diff.agentIdB}</a> (${data.diff.agentNameB})</p>
${data.diff.changed ? '' : html`<p><strong>No differences.</strong></p>`}
${rowsTable(`${data.diff.agentIdA} against ${data.diff.agentIdB}`, assessmentRows(data.diff), only)}`
}`;
  const body = html`<article class="compare">
<h1>Compare ${model.query.run ? 'two desks of a run' : 'two runs'}</h1>
${form(model)}
${model.error ? html`<p class="message error">${model.error}</p>` : ''}
${result}
</article>`;
  return layout({ title: 'Compare', section: 'compare', page: 'compare', body });
}
