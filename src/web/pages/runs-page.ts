import { listRuns } from '../../archive/list-runs.js';
import { html } from '../../report/escape-html.js';
import type { PageHandler } from '../deps.js';
import { layout } from '../layout.js';
import { respond } from '../respond.js';
import { notBuilt } from './not-built.js';

// A first cut of the runs page (newest 50); facets, search, paging and CSV come next (issue 15 §2).
export const runsPage: PageHandler = (c, deps) => {
  const runs = listRuns(deps.read, { limit: 50 });
  return respond(c, { runs }, (data) =>
    layout({
      title: 'Runs',
      section: 'runs',
      page: 'runs',
      body: html`<h1>Runs</h1>
<table><thead><tr><th>Started</th><th>Event</th><th>Status</th><th>Overall risk</th></tr></thead><tbody>
${data.runs.map((r) => html`<tr data-nav-item><td>${r.startedAt.slice(0, 16).replace('T', ' ')}</td><td><a href="/runs/${r.runId}">${r.eventTitle}</a></td><td>${r.status}</td><td>${r.overallRisk ?? '—'}</td></tr>`)}
</tbody></table>`,
    }),
  );
};
export const runsCsv: PageHandler = (c) => notBuilt(c, 'runsCsv');
