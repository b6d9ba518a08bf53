import type { ReliabilityBin } from '../../forecasts/reliability.js';
import { html, type SafeHtml } from '../../report/escape-html.js';

/**
 * A reliability diagram as server-side SVG: for each non-empty bin, the mean forecast (x) against
 * the observed frequency (y), with the Wilson 95% interval as a whisker and n written beside it;
 * the diagonal is perfect calibration. The bins come from the scores report (reliabilityTable):
 * this only draws them. `key` makes the title and description ids unique on the page.
 */
const SIZE = 220;
const PAD = { left: 44, right: 12, top: 12, bottom: 40 };
const W = PAD.left + SIZE + PAD.right;
const H = PAD.top + SIZE + PAD.bottom;

const x = (p: number): number => PAD.left + p * SIZE;
const y = (p: number): number => PAD.top + (1 - p) * SIZE;
const pct = (p: number): string => `${Math.round(p * 100)}%`;

export function reliabilityDiagram(forecaster: string, bins: readonly ReliabilityBin[], key: string): SafeHtml {
  const filled = bins.filter((b) => b.n > 0 && b.meanForecast !== null && b.observedFrequency !== null);
  const titleId = `rel-title-${key}`;
  const descId = `rel-desc-${key}`;
  const description =
    filled.length === 0
      ? 'No resolved forecasts yet.'
      : filled
          .map((b) => `forecasts ${b.lower.toFixed(1)}–${b.upper.toFixed(1)}: n ${b.n}, mean forecast ${pct(b.meanForecast!)}, observed ${pct(b.observedFrequency!)}${b.wilson ? ` (95% ${pct(b.wilson.lower)}–${pct(b.wilson.upper)})` : ''}`)
          .join('; ');
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return html`<svg class="chart reliability" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-labelledby="${titleId} ${descId}">
<title id="${titleId}">Reliability: ${forecaster}</title>
<desc id="${descId}">${description}</desc>
${ticks.map(
  (t) => html`<line class="grid" x1="${x(0)}" x2="${x(1)}" y1="${y(t)}" y2="${y(t)}"></line>
<text x="${x(0) - 6}" y="${y(t) + 4}" text-anchor="end">${pct(t)}</text>
<text x="${x(t)}" y="${y(0) + 16}" text-anchor="middle">${pct(t)}</text>`,
)}
<line class="axis" x1="${x(0)}" x2="${x(0)}" y1="${y(0)}" y2="${y(1)}"></line>
<line class="axis" x1="${x(0)}" x2="${x(1)}" y1="${y(0)}" y2="${y(0)}"></line>
<line class="diagonal" x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}"></line>
${filled.map((b) => {
  const cx = x(b.meanForecast!);
  const cy = y(b.observedFrequency!);
  return html`<g class="bin">
${b.wilson ? html`<line class="whisker" x1="${cx}" x2="${cx}" y1="${y(b.wilson.lower)}" y2="${y(b.wilson.upper)}"></line>
<line class="whisker" x1="${cx - 4}" x2="${cx + 4}" y1="${y(b.wilson.lower)}" y2="${y(b.wilson.lower)}"></line>
<line class="whisker" x1="${cx - 4}" x2="${cx + 4}" y1="${y(b.wilson.upper)}" y2="${y(b.wilson.upper)}"></line>` : ''}
<circle class="point" cx="${cx}" cy="${cy}" r="4"></circle>
<text class="n" x="${cx + 6}" y="${cy - 6}">n ${b.n}</text>
</g>`;
})}
<text x="${x(0.5)}" y="${H - 6}" text-anchor="middle">mean forecast</text>
<text x="12" y="${y(0.5)}" text-anchor="middle" transform="rotate(-90 12 ${y(0.5)})">observed frequency</text>
</svg>`;
}
