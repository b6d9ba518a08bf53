import { html, type SafeHtml } from '../../report/escape-html.js';

/**
 * One scenario's probability over a thread's runs as server-side SVG: the pooled line thick, each
 * desk's line thin, runs along x in time order (labelled by date), probability on y. Colours come
 * from classes (a fixed table by series position), the legend is text, and <desc> lists every
 * value so the chart reads without sight.
 */
export interface ProbabilitySeries {
  name: string;
  /** true: the pooled (consolidated) line. */
  pooled: boolean;
  points: { runId: string; probability: number }[];
}

export interface ProbabilityChart {
  title: string;
  /** The runs in time order: the x axis. */
  runs: { runId: string; at: string }[];
  series: ProbabilitySeries[];
}

const W = 560;
const H = 240;
const PAD = { left: 44, right: 16, top: 12, bottom: 36 };
const PLOT_W = W - PAD.left - PAD.right;
const PLOT_H = H - PAD.top - PAD.bottom;
const SERIES_CLASSES = ['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7'] as const;
const pct = (p: number): string => `${Math.round(p * 100)}%`;

export function probabilityLines(chart: ProbabilityChart, key: string): SafeHtml {
  const n = chart.runs.length;
  const index = new Map(chart.runs.map((r, i) => [r.runId, i]));
  const x = (i: number): number => PAD.left + (n <= 1 ? PLOT_W / 2 : (i / (n - 1)) * PLOT_W);
  const y = (p: number): number => PAD.top + (1 - p) * PLOT_H;
  const titleId = `pl-title-${key}`;
  const descId = `pl-desc-${key}`;
  const desks = chart.series.filter((s) => !s.pooled);
  const classOf = (s: ProbabilitySeries): string => (s.pooled ? 'pooled' : `desk ${SERIES_CLASSES[desks.indexOf(s) % SERIES_CLASSES.length]}`);
  const description = chart.series
    .map((s) => `${s.name}: ${s.points.map((p) => `${pct(p.probability)} (run ${p.runId.slice(0, 8)})`).join(', ')}`)
    .join('; ');
  const placed = (s: ProbabilitySeries) => s.points.filter((p) => index.has(p.runId)).map((p) => ({ cx: x(index.get(p.runId)!), cy: y(p.probability) }));
  return html`<figure class="prob-lines">
<svg class="chart probability-lines" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-labelledby="${titleId} ${descId}">
<title id="${titleId}">${chart.title}</title>
<desc id="${descId}">${description}</desc>
${[0, 0.25, 0.5, 0.75, 1].map(
  (t) => html`<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(t)}" y2="${y(t)}"></line><text x="${PAD.left - 6}" y="${y(t) + 4}" text-anchor="end">${pct(t)}</text>`,
)}
${chart.runs.map((r, i) => html`<text x="${x(i)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${r.at.slice(0, 10)}</text>`)}
<text x="${PAD.left + PLOT_W / 2}" y="${H - 4}" text-anchor="middle">runs, oldest to newest</text>
<text x="12" y="${PAD.top + PLOT_H / 2}" text-anchor="middle" transform="rotate(-90 12 ${PAD.top + PLOT_H / 2})">probability</text>
${[...desks, ...chart.series.filter((s) => s.pooled)].map((s) => {
  const pts = placed(s);
  return html`<g class="series ${classOf(s)}"><polyline fill="none" points="${pts.map((p) => `${p.cx},${p.cy}`).join(' ')}"></polyline>${pts.map((p) => html`<circle cx="${p.cx}" cy="${p.cy}" r="${s.pooled ? 4 : 2.5}"></circle>`)}</g>`;
})}
</svg>
<figcaption><ul class="legend">${chart.series.map((s) => html`<li class="${classOf(s)}"><span class="swatch" aria-hidden="true"></span>${s.name}${s.pooled ? ' (pooled)' : ''}: ${s.points.length > 0 ? pct(s.points[s.points.length - 1]!.probability) : '—'} latest</li>`)}</ul></figcaption>
</figure>`;
}
