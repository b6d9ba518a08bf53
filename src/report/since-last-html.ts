import type { SinceLast } from '../synthesis/schema.js';
import { html, type SafeHtml } from './escape-html.js';
import { percent } from './format.js';
import { formerName, pointsChange, SINCE_LAST_NONE, sinceLastDigest, sinceLastWhen, type SinceLastScenario } from './since-last-format.js';

/**
 * "Since the last consolidated view" as an HTML `<section>`: the same content and words as the
 * Markdown section. Every value from the run goes through the escaping `html` tag; class names
 * are ones html.ts's stylesheet already defines, so the section needs no style of its own.
 */

function scenarioRow(s: SinceLastScenario): SafeHtml {
  const was = formerName(s);
  const name = html`<strong>${s.name}</strong>${was === null ? '' : html`<br><span class="muted small">was “${was}”</span>`}`;
  if (s.previous === null || s.delta === null) {
    return html`<tr><th scope="row">${name}</th><td class="num">—</td><td class="num">${percent(s.current)}</td><td><span class="badge neutral">new</span></td></tr>
`;
  }
  const change = pointsChange(s.delta);
  const shown = change === 'no change' ? html`<span class="muted">no change</span>` : html`<strong>${s.delta > 0 ? '▲' : '▼'} ${change}</strong>`;
  return html`<tr><th scope="row">${name}</th><td class="num">${percent(s.previous)}</td><td class="num">${percent(s.current)}</td><td class="nowrap">${shown}</td></tr>
`;
}

function retiredRow(s: SinceLast['retiredScenarios'][number]): SafeHtml {
  return html`<tr><th scope="row"><strong>${s.name}</strong></th><td class="num">${percent(s.previous)}</td><td class="num">—</td><td><span class="badge neutral">retired</span></td></tr>
`;
}

export function renderSinceLastHtml(s: SinceLast): string {
  const { date, run } = sinceLastWhen(s);
  const rows = [...s.scenarios.map(scenarioRow), ...s.retiredScenarios.map(retiredRow)];
  const scenarios =
    rows.length > 0
      ? html`<div class="table-wrap"><table class="since-last-scenarios">
<thead><tr><th scope="col">Scenario</th><th scope="col">Before</th><th scope="col">Now</th><th scope="col">Change</th></tr></thead>
<tbody>
${rows}</tbody>
</table></div>
`
      : html`<p class="muted">${SINCE_LAST_NONE.scenarios}</p>
`;
  const stances =
    s.stanceChanges.length > 0
      ? html`<ul>${s.stanceChanges.map((c) => html`<li><strong>${c.agentId}</strong>: ${c.previous} → ${c.current}</li>`)}</ul>
`
      : html`<p class="muted">${SINCE_LAST_NONE.stances}</p>
`;
  const risks =
    s.newRisks.length > 0 || s.retiredRisks.length > 0
      ? html`<ul>${s.newRisks.map((r) => html`<li><span class="badge neutral">new</span> <strong>${r.title}</strong> (${r.id})</li>`)}${s.retiredRisks.map(
          (r) => html`<li><span class="badge neutral">retired</span> <strong>${r.title}</strong> (was ${r.id})</li>`,
        )}</ul>
`
      : html`<p class="muted">${SINCE_LAST_NONE.risks}</p>
`;
  const indicators =
    s.triggeredIndicators.length > 0
      ? html`<ul>${s.triggeredIndicators.map(
          (i) => html`<li><strong>${i.agentId}</strong> — ${i.indicator} <code>${i.indicatorId}</code>${i.note.trim() ? html`: ${i.note}` : ''}</li>`,
        )}</ul>
`
      : html`<p class="muted">${SINCE_LAST_NONE.indicators}</p>
`;

  return html`<section id="since-last" class="since-last" aria-labelledby="since-last-title">
<h2 id="since-last-title">Since the last consolidated view (${date}, run <code>${run}</code>)</h2>
<p><em>${sinceLastDigest(s)}.</em></p>
<h3>Scenarios (pooled across desks)</h3>
${scenarios}<h3>Desk stances</h3>
${stances}<h3>Merged risks</h3>
${risks}<h3>Indicators that triggered</h3>
${indicators}</section>
`.value;
}
