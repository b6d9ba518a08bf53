import { html, type SafeHtml } from '../../report/escape-html.js';
import { percent } from '../../report/format.js';
import type { MergedScenario } from '../../synthesis/schema.js';
import { clip, n } from './svg-text.js';

/**
 * Each pooled scenario as a bar (its pooled probability), each desk's probability for it as a dot
 * on the same 0–100% scale, labelled with the desk id, and the synthesis' disagreement flag where
 * it raised one. Desk labels that would overlap go to further lanes under the bar, so every dot
 * keeps a readable label.
 */
const LEFT = 12;
const SCALE_W = 560;
const RIGHT_W = 170;
const LABEL_W = 38;
const LANE_H = 13;

interface Placed {
  agentId: string;
  probability: number;
  x: number;
  lane: number;
}

/** Greedy lanes: a label goes in the first lane whose last label ends before it starts. */
function placeLabels(perAgent: MergedScenario['perAgent'], x0: number): Placed[] {
  const sorted = [...perAgent]
    .map((p) => ({ agentId: p.agentId, probability: p.probability, x: x0 + clamp01(p.probability) * SCALE_W }))
    .sort((a, b) => a.x - b.x);
  const laneEnds: number[] = [];
  return sorted.map((p) => {
    let lane = laneEnds.findIndex((end) => end <= p.x - LABEL_W / 2);
    if (lane < 0) lane = laneEnds.length;
    laneEnds[lane] = p.x + LABEL_W / 2 + 2;
    return { ...p, lane };
  });
}

const clamp01 = (p: number): number => (Number.isFinite(p) ? Math.max(0, Math.min(1, p)) : 0);

export function scenarioBarsSvg(scenarios: readonly MergedScenario[]): SafeHtml {
  let y = 8;
  const rows = scenarios.map((s) => {
    const placed = placeLabels(s.perAgent, LEFT);
    const lanes = Math.max(1, ...placed.map((p) => p.lane + 1));
    const top = y;
    const barY = top + 18;
    const labelY = barY + 14 + 10;
    y = labelY + (lanes - 1) * LANE_H + 14;
    const rowClass = s.disagreement ? 'scenario disagree' : 'scenario';
    return html`<g class="${rowClass}">
<text class="scenario-name" x="${n(LEFT)}" y="${n(top + 12)}"><title>${s.id}: ${s.name}</title>${s.id} · ${clip(s.name, 80)}</text>
<rect class="track" x="${n(LEFT)}" y="${n(barY)}" width="${n(SCALE_W)}" height="12"/>
<rect class="pooled" x="${n(LEFT)}" y="${n(barY)}" width="${n(clamp01(s.pooledProbability) * SCALE_W)}" height="12"><title>pooled ${percent(s.pooledProbability)}</title></rect>
${placed.map(
  (p) => html`<circle class="desk-dot" cx="${n(p.x)}" cy="${n(barY + 6)}" r="4"><title>${p.agentId}: ${percent(p.probability)}</title></circle>
<text class="desk-label" x="${n(p.x)}" y="${n(labelY + p.lane * LANE_H)}" text-anchor="middle">${p.agentId}</text>`,
)}
<text class="pooled-value" x="${n(LEFT + SCALE_W + 10)}" y="${n(barY + 10)}">${percent(s.pooledProbability)} pooled</text>
${s.disagreement ? html`<text class="disagree-flag" x="${n(LEFT + SCALE_W + 10)}" y="${n(barY + 26)}">⚠ desks disagree (spread ${percent(s.spread)})</text>` : ''}
</g>`;
  });
  const height = y + 22;
  const width = LEFT + SCALE_W + RIGHT_W;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map(
    (t) => html`<line class="grid" x1="${n(LEFT + t * SCALE_W)}" x2="${n(LEFT + t * SCALE_W)}" y1="4" y2="${n(y)}"/>
<text class="axis-label" x="${n(LEFT + t * SCALE_W)}" y="${n(y + 14)}" text-anchor="middle">${percent(t)}</text>`,
  );
  const desc =
    scenarios.length === 0
      ? 'No scenarios.'
      : scenarios
          .map(
            (s) =>
              `${s.id} ${s.name}: pooled ${percent(s.pooledProbability)}; ${s.perAgent.map((p) => `${p.agentId} ${percent(p.probability)}`).join(', ')}${s.disagreement ? '; desks disagree' : ''}`,
          )
          .join('. ');
  return html`<figure class="chart-figure">
<svg class="chart scenario-bars" role="img" aria-labelledby="scenario-bars-title scenario-bars-desc" viewBox="0 0 ${n(width)} ${n(height)}" width="${n(width)}" height="${n(height)}">
<title id="scenario-bars-title">Scenarios: pooled probability as bars, each desk's probability as a dot</title>
<desc id="scenario-bars-desc">${desc}</desc>
${ticks}
${rows}
</svg>
<figcaption class="muted small">Bar: the pooled probability; dots: each desk's own probability for the scenario; ⚠ where the desks' spread reached the disagreement threshold.</figcaption>
</figure>`;
}
