import type { ArchivedCall } from '../../archive/load-run.js';
import { html, type SafeHtml } from '../../report/escape-html.js';
import { clip, n } from './svg-text.js';

/**
 * The run's model calls along time from its start, one row per call, so desks running side by
 * side show as overlapping bars, and the critical path (the chain that decided the wall time: the
 * desk that finished last, then the synthesis) is marked.
 *
 * What the archive holds: each call's `created_at` is written when the call returns, and its
 * latency is measured around the provider call; a call's start is therefore derived as
 * created_at − latency. Time spent waiting for a rate-limit slot or between retries is not a call
 * and shows as a gap. Runs archived with a clock at second resolution would look coarser.
 */
export interface TimedCall {
  call: ArchivedCall;
  /** Milliseconds from the timeline's origin. */
  startMs: number;
  endMs: number;
  critical: boolean;
}

export interface CallTimeline {
  calls: TimedCall[];
  /** The run's wall time as the calls span it, from the origin. */
  spanMs: number;
  /** The desk on the critical path; null when no desk call was recorded. */
  criticalDesk: string | null;
}

/** Places calls in time and marks the critical path; pure, from the archived calls alone. */
export function timeCalls(calls: readonly ArchivedCall[], runStartedAt: string): CallTimeline {
  const ends = calls.map((c) => Date.parse(c.createdAt));
  const starts = calls.map((c, i) => (ends[i] ?? 0) - Math.max(0, c.latencyMs));
  const runStart = Date.parse(runStartedAt);
  const origin = Math.min(Number.isFinite(runStart) ? runStart : Infinity, ...starts.filter(Number.isFinite));
  // The latest round (a resume adds one) is the one whose chain ended the run.
  const round = Math.max(0, ...calls.map((c) => c.round));
  let criticalDesk: string | null = null;
  let latestEnd = -Infinity;
  calls.forEach((c, i) => {
    if (c.round === round && c.agentId !== null && (ends[i] ?? -Infinity) > latestEnd) {
      latestEnd = ends[i] ?? -Infinity;
      criticalDesk = c.agentId;
    }
  });
  const timed = calls.map((call, i) => ({
    call,
    startMs: Math.max(0, (starts[i] ?? origin) - origin),
    endMs: Math.max(0, (ends[i] ?? origin) - origin),
    critical: call.round === round && (call.agentId === null || call.agentId === criticalDesk),
  }));
  return { calls: timed, spanMs: Math.max(1, ...timed.map((t) => t.endMs)), criticalDesk };
}

const LEFT = 150;
const SCALE_W = 560;
const ROW_H = 16;
const TOP = 8;

function duration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s` : `${Math.round(ms)} ms`;
}

export function callTimelineSvg(timeline: CallTimeline): SafeHtml {
  const scale = SCALE_W / timeline.spanMs;
  const rows = timeline.calls.map((t, i) => {
    const y = TOP + i * ROW_H;
    const label = `${t.call.purpose}${t.call.attempt > 1 ? ` #${t.call.attempt}` : ''}${t.call.kind === 'repair' ? ' (repair)' : ''}`;
    const x = LEFT + t.startMs * scale;
    const w = Math.max(2, (t.endMs - t.startMs) * scale);
    const cls = ['call', t.critical ? 'critical' : '', t.call.error ? 'failed' : ''].filter(Boolean).join(' ');
    return html`<g class="${cls}">
<text class="call-label" x="${n(LEFT - 6)}" y="${n(y + 11)}" text-anchor="end">${clip(label, 24)}</text>
<rect x="${n(x)}" y="${n(y + 2)}" width="${n(w)}" height="${n(ROW_H - 5)}"><title>${label}: ${duration(t.startMs)} → ${duration(t.endMs)} (${duration(t.endMs - t.startMs)})${t.critical ? ', on the critical path' : ''}${t.call.error ? `, failed: ${t.call.error}` : ''}</title></rect>
</g>`;
  });
  const bottom = TOP + timeline.calls.length * ROW_H;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map(
    (f) => html`<line class="grid" x1="${n(LEFT + f * SCALE_W)}" x2="${n(LEFT + f * SCALE_W)}" y1="${n(TOP)}" y2="${n(bottom)}"/>
<text class="axis-label" x="${n(LEFT + f * SCALE_W)}" y="${n(bottom + 14)}" text-anchor="middle">${duration(f * timeline.spanMs)}</text>`,
  );
  const width = LEFT + SCALE_W + 40;
  const height = bottom + 44;
  const critical = timeline.calls.filter((t) => t.critical).map((t) => t.call.purpose);
  const desc = `${timeline.calls.length} call(s) over ${duration(timeline.spanMs)}. Critical path: ${critical.length > 0 ? critical.join(' → ') : 'none'}.`;
  return html`<figure class="chart-figure">
<svg class="chart call-timeline" role="img" aria-labelledby="call-timeline-title call-timeline-desc" viewBox="0 0 ${n(width)} ${n(height)}" width="${n(width)}" height="${n(height)}">
<title id="call-timeline-title">Call timeline: each model call from the run's start</title>
<desc id="call-timeline-desc">${desc}</desc>
${ticks}
${rows}
<rect class="legend critical" x="${n(LEFT)}" y="${n(bottom + 24)}" width="14" height="10"/><text class="axis-label" x="${n(LEFT + 20)}" y="${n(bottom + 33)}">critical path${timeline.criticalDesk ? ` (${timeline.criticalDesk}, then synthesis)` : ''}</text>
<rect class="legend" x="${n(LEFT + 300)}" y="${n(bottom + 24)}" width="14" height="10"/><text class="axis-label" x="${n(LEFT + 320)}" y="${n(bottom + 33)}">other calls</text>
</svg>
<figcaption class="muted small">Time from the run's start. A call's start is its archived end time minus its latency; gaps are waits (rate limits, retry back-off) or work outside model calls.</figcaption>
</figure>`;
}
