import type { Review } from '../../archive/reviews.js';
import type { RunResult } from '../../pipeline/run-event.js';
import { html, type SafeHtml } from '../../report/escape-html.js';
import { layout } from '../layout.js';
import { deskSection, type DeskSectionContext } from './desk-section.js';
import { deskOrder } from './run-view.js';

/**
 * One desk of a run on a page of its own: its assessment (or failure) as on the run page, its
 * review panel, and the previous / next desk of the run as `rel` links (the p / n keys).
 */
export interface DeskPageModel {
  run: RunResult;
  agentId: string;
  reviews: readonly Review[];
  context: DeskSectionContext;
}

export function renderDeskPage(model: DeskPageModel): SafeHtml {
  const { run, agentId } = model;
  const order = deskOrder(run);
  const at = order.indexOf(agentId);
  const prev = at > 0 ? order[at - 1] : undefined;
  const next = at >= 0 && at < order.length - 1 ? order[at + 1] : undefined;
  const base = `/runs/${run.runId}`;
  const body = html`<article class="desk-page">
<nav class="desk-nav" aria-label="Desks of this run">
<a href="${base}">← ${run.event.event.title}</a>
${prev ? html`<a rel="prev" href="${base}/desks/${prev}">‹ ${prev} <kbd>p</kbd></a>` : html`<span class="muted">first desk</span>`}
<span>Desk ${at + 1} of ${order.length}</span>
${next ? html`<a rel="next" href="${base}/desks/${next}">${next} › <kbd>n</kbd></a>` : html`<span class="muted">last desk</span>`}
<a href="/compare?run=${run.runId}&amp;a=${agentId}${next ? html`&amp;b=${next}` : ''}">compare with another desk</a>
</nav>
${deskSection(run, agentId, model.reviews, model.context)}
</article>`;
  return layout({ title: `${agentId} · ${run.event.event.title}`, section: 'runs', page: 'desk', body });
}
