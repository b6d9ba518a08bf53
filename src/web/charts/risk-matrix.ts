import { html, type SafeHtml } from '../../report/escape-html.js';
import { percent } from '../../report/format.js';
import type { MergedRisk } from '../../synthesis/schema.js';
import { clip, n } from './svg-text.js';

/**
 * The merged risks on a severity × likelihood grid: rows are the worst severity a desk gave
 * (critical at the top), columns are the desks' mean likelihood in fifths. Each risk is placed by
 * its id in its cell (its title in a <title> tooltip and in the list under the chart), so the
 * chart reads without colour; colour only repeats the severity.
 */
const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
const COLUMNS = 5;
const LEFT = 78;
const TOP = 14;
const CELL_W = 118;
const CELL_H = 62;
const PER_LINE = 3;
const LINES = 3;

export function riskMatrixSvg(risks: readonly MergedRisk[]): SafeHtml {
  const cells = new Map<string, MergedRisk[]>();
  for (const r of risks) {
    const row = SEVERITIES.indexOf(r.maxSeverity as (typeof SEVERITIES)[number]);
    const col = Math.min(COLUMNS - 1, Math.max(0, Math.floor((Number.isFinite(r.meanLikelihood) ? r.meanLikelihood : 0) * COLUMNS)));
    const key = `${row < 0 ? SEVERITIES.length - 1 : row}:${col}`;
    cells.set(key, [...(cells.get(key) ?? []), r]);
  }
  const width = LEFT + COLUMNS * CELL_W + 10;
  const height = TOP + SEVERITIES.length * CELL_H + 40;
  const grid = SEVERITIES.map(
    (sev, row) => html`<text class="axis-label" x="${n(LEFT - 8)}" y="${n(TOP + row * CELL_H + CELL_H / 2 + 4)}" text-anchor="end">${sev}</text>
${Array.from({ length: COLUMNS }, (_, col) => {
  const list = cells.get(`${row}:${col}`) ?? [];
  const x = LEFT + col * CELL_W;
  const y = TOP + row * CELL_H;
  // Ids in lines of PER_LINE; what does not fit is counted ("+3"), and listed under the chart.
  const shown = list.slice(0, PER_LINE * LINES - (list.length > PER_LINE * LINES ? 1 : 0));
  const hidden = list.length - shown.length;
  return html`<rect class="cell sev-${sev}${list.length > 0 ? ' filled' : ''}" x="${n(x)}" y="${n(y)}" width="${n(CELL_W)}" height="${n(CELL_H)}"/>
${shown.map((r, i) => html`<text class="risk-id" x="${n(x + 8 + (i % PER_LINE) * 36)}" y="${n(y + 18 + Math.floor(i / PER_LINE) * 17)}"><title>${r.id}: ${r.title} (severity ${r.maxSeverity}, likelihood ${percent(r.meanLikelihood)})</title>${clip(r.id, 5)}</text>`)}${
    hidden > 0 ? html`<text class="risk-more" x="${n(x + 8 + (shown.length % PER_LINE) * 36)}" y="${n(y + 18 + (LINES - 1) * 17)}">+${hidden}</text>` : ''
  }`;
})}`,
  );
  const columns = Array.from(
    { length: COLUMNS },
    (_, col) => html`<text class="axis-label" x="${n(LEFT + col * CELL_W + CELL_W / 2)}" y="${n(TOP + SEVERITIES.length * CELL_H + 16)}" text-anchor="middle">${col * 20}–${(col + 1) * 20}%</text>`,
  );
  const desc = risks.length === 0 ? 'No merged risks.' : risks.map((r) => `${r.id} ${r.title}: ${r.maxSeverity}, ${percent(r.meanLikelihood)}`).join('; ');
  return html`<figure class="chart-figure">
<svg class="chart risk-matrix" role="img" aria-labelledby="risk-matrix-title risk-matrix-desc" viewBox="0 0 ${n(width)} ${n(height)}" width="${n(width)}" height="${n(height)}">
<title id="risk-matrix-title">Risk matrix: ${risks.length} merged risk(s) by worst severity and mean likelihood</title>
<desc id="risk-matrix-desc">${desc}</desc>
${grid}
${columns}
<text class="axis-title" x="${n(LEFT + (COLUMNS * CELL_W) / 2)}" y="${n(height - 4)}" text-anchor="middle">mean likelihood across desks</text>
</svg>
<figcaption class="muted small">Rows: the worst severity any desk gave; columns: the desks' mean likelihood. Hover an id for its title.</figcaption>
</figure>`;
}
