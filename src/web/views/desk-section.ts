import type { Review } from '../../archive/reviews.js';
import type { RunResult } from '../../pipeline/run-event.js';
import { html, type SafeHtml } from '../../report/escape-html.js';
import { deskAnchor, renderAssessment } from '../../report/html.js';
import type { TrackRecords } from '../../report/markdown.js';
import { reviewPanel } from '../components/review-panel.js';
import { svgBar } from './run-bar.js';

/**
 * One desk of a run as the workspace shows it, on the run page and on the desk page alike: the
 * assessment shaped like the seed report (the report's own renderer), or the desk's failure, then
 * the desk's review panel.
 */
/** What a page passes down for reviews and track records. */
export interface DeskSectionContext {
  csrf: string;
  /** Prefilled in review forms (the last author in this browser). */
  author: string;
  /** Where a saved review returns to (the page it was written on). */
  returnTo?: string;
  /** Each desk's track record on the archive's resolved questions, as `runs show` prints it. */
  trackRecords?: TrackRecords;
}

export function deskSection(run: RunResult, agentId: string, reviews: readonly Review[], context: DeskSectionContext): SafeHtml {
  const assessment = run.assessments.find((a) => a.agentId === agentId);
  const failure = run.failures.find((f) => f.agentId === agentId);
  const panel = reviewPanel({
    runId: run.runId,
    kind: 'desk',
    ref: agentId,
    reviews: reviews.filter((r) => r.kind === 'desk' && r.ref === agentId),
    csrf: context.csrf,
    rating: true,
    author: context.author,
    ...(context.returnTo !== undefined ? { returnTo: context.returnTo } : {}),
  });
  const body = assessment
    ? renderAssessment(assessment, context.trackRecords?.[agentId], { bar: svgBar })
    : html`<section class="desk failed" id="${deskAnchor(agentId)}" aria-labelledby="${deskAnchor(agentId)}-title">
<h2 id="${deskAnchor(agentId)}-title">${agentId}</h2>
<p class="desk-failure"><span class="badge sev-critical">failed${failure ? html` (${failure.kind})` : ''}</span> ${failure?.reason ?? 'no result was recorded for this desk'}</p>
</section>`;
  return html`<div class="desk-block" data-desk="${agentId}">
${body}
${panel}
</div>`;
}
