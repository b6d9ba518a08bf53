import { STATUSES } from '../../archive/filters.js';
import { thousands } from '../../format/thousands.js';
import type { FacetName, FacetValue } from '../../archive/run-facets.js';
import { html, type SafeHtml } from '../../report/escape-html.js';
import { usd } from '../../report/format.js';
import { LEVEL_CLASS } from '../../report/html.js';
import { RISK_LEVELS } from '../../synthesis/schema.js';
import type { RunsPageData, SearchPageData } from '../pages/runs-page.js';
import { listUrl, type ListQuery } from './list-query.js';

/** The runs page and the search page: markup only, from the data their handlers built. */

const when = (iso: string): string => iso.slice(0, 16).replace('T', ' ');


function riskBadge(risk: string | null): SafeHtml {
  if (risk === null) return html`<span class="muted">—</span>`;
  // The class comes from the reports' fixed table (as on the run page), never from the stored text.
  return html`<span class="badge ${LEVEL_CLASS[risk] ?? 'neutral'}">${risk}</span>`;
}

const FACET_LABELS: [FacetName, keyof ListQuery, string][] = [
  ['status', 'status', 'Status'],
  ['desk', 'desk', 'Desk'],
  ['model', 'model', 'Model'],
  ['risk', 'risk', 'Overall risk'],
  ['feed', 'feed', 'Feed'],
];

/** The values a facet offers: those counted, plus the chosen one and the fixed vocabularies at 0. */
function facetOptions(facet: FacetName, counted: readonly FacetValue[] | undefined, chosen: string | undefined): FacetValue[] {
  const values = new Map((counted ?? []).map((v) => [v.value, v.count]));
  const fixed: readonly string[] = facet === 'status' ? STATUSES : facet === 'risk' ? RISK_LEVELS : [];
  for (const v of fixed) if (!values.has(v)) values.set(v, 0);
  if (chosen !== undefined && !values.has(chosen)) values.set(chosen, 0);
  return [...values].map(([value, count]) => ({ value, count }));
}

export function filterForm(action: string, query: ListQuery, facets: Record<FacetName, FacetValue[]> | null): SafeHtml {
  return html`<form class="facets" method="get" action="${action}" aria-label="Filters">
${action === '/search' ? html`<input type="hidden" name="q" value="${query.q ?? ''}">` : ''}
${FACET_LABELS.map(([facet, field, label]) => {
  const chosen = query[field];
  return html`<label>${label}<select name="${field}">
<option value="">any</option>
${facetOptions(facet, facets?.[facet], chosen).map(
  (v) => html`<option value="${v.value}"${v.value === chosen ? html` selected` : ''}>${v.value}${facets ? html` (${v.count})` : ''}</option>`,
)}
</select></label>`;
})}
<label>From<input type="date" name="from" value="${query.from ?? ''}"></label>
<label>To<input type="date" name="to" value="${query.to ?? ''}"></label>
<button type="submit">Filter</button>
<a href="${action === '/search' ? listUrl('/search', { q: query.q }) : '/'}">Clear</a>
</form>`;
}

function pager(page: RunsPageData['page']): SafeHtml {
  return html`<nav class="pager" aria-label="Pages">
${page.prev ? html`<a rel="prev" href="${page.prev}">← Newer</a>` : html`<span class="muted">← Newer</span>`}
${page.next ? html`<a rel="next" href="${page.next}">Older →</a>` : html`<span class="muted">Older →</span>`}
<a href="${page.csv}" download>CSV</a>
</nav>`;
}

export function runsView(d: RunsPageData): SafeHtml {
  const rows = d.runs;
  return html`<h1>Runs</h1>
${filterForm('/', d.query, d.facets)}
<p class="muted facet-note">Counts cover at most the newest ${thousands(d.facets.window)} matching runs.</p>
${pager(d.page)}
<table class="runs">
<caption class="visually-hidden">Runs, newest first</caption>
<thead><tr><th scope="col">Started</th><th scope="col">Event</th><th scope="col">Status</th><th scope="col" class="num">Desks ok/failed</th><th scope="col">Overall risk</th><th scope="col" class="num">Cost</th><th scope="col"><span class="visually-hidden">Compare</span></th></tr></thead>
<tbody>
${rows.map((r, i) => {
  const older = rows[i + 1];
  return html`<tr data-nav-item>
<td><time datetime="${r.startedAt}">${when(r.startedAt)}</time></td>
<td><a href="/runs/${r.runId}">${r.eventTitle}</a> <span class="muted run-id">${r.runId.slice(0, 8)}</span></td>
<td>${r.status}</td>
<td class="num">${r.desksOk}/${r.desksFailed} <span class="muted">of ${r.desksRequested}</span></td>
<td>${riskBadge(r.overallRisk)}</td>
<td class="num">${r.costUsd === null ? '—' : usd(r.costUsd)}</td>
<td>${older ? html`<a class="compare" href="/compare?a=${older.runId}&b=${r.runId}" title="Compare with the run below">compare ↓</a>` : ''}</td>
</tr>`;
})}
</tbody></table>
${rows.length === 0 ? html`<p class="message">No runs match these filters.</p>` : ''}
${pager(d.page)}`;
}

/** A snippet's **highlighted** words as <mark>, the rest as text. */
function snippetHtml(snippet: string): SafeHtml {
  return html`${snippet.split('**').map((part, i) => (i % 2 === 1 ? html`<mark>${part}</mark>` : part))}`;
}

export function searchView(d: SearchPageData): SafeHtml {
  return html`<h1>Search</h1>
${filterForm('/search', d.query, null)}
${d.query.q === undefined
  ? html`<p class="message">Type some words in the search box: English or Japanese.</p>`
  : html`<p class="muted">${d.hits.length === 0 ? html`No matches for “${d.query.q}”.` : html`${d.hits.length}${d.hits.length >= d.limit ? '+' : ''} match${d.hits.length === 1 ? '' : 'es'} for “${d.query.q}”, newest first.`}</p>
<ol class="hits">
${d.hits.map(
  (h) => html`<li data-nav-item>
<a href="${h.agentId ? `/runs/${h.runId}/desks/${h.agentId}` : `/runs/${h.runId}`}">${h.eventTitle}</a>
<span class="muted">${h.agentId ?? 'event'} · ${when(h.startedAt)} · ${h.status}</span>
<p class="snippet">${snippetHtml(h.snippet)}</p>
</li>`,
)}
</ol>
${
  // Search has no cursor (FTS ranks then sorts by date): more hits are a larger limit, up to the filters' cap.
  d.hits.length >= d.limit && d.limit < MAX_SEARCH_LIMIT
    ? html`<p class="pager"><a rel="next" href="${listUrl('/search', d.query, { limit: String(Math.min(d.limit + 50, MAX_SEARCH_LIMIT)) })}">Show more matches</a></p>`
    : ''
}`}`;
}

/** The most hits one search page lists. */
export const MAX_SEARCH_LIMIT = 500;
