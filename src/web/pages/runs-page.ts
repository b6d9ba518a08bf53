import { listRuns, type RunSummary } from '../../archive/list-runs.js';
import { runFacets, type RunFacets } from '../../archive/run-facets.js';
import { searchArchive, type SearchHit } from '../../archive/search.js';
import { InputError } from '../../errors/index.js';
import { csvLine } from '../../report/csv-field.js';
import type { PageHandler } from '../deps.js';
import { layout } from '../layout.js';
import { refuse, respond } from '../respond.js';
import { listFilters, listUrl, pageLinks, readListQuery, PAGE_SIZE, type ListQuery } from '../views/list-query.js';
import { runsView, searchView } from '../views/list-runs-view.js';

/**
 * `/` and `/search?q=` (issue 15 §2): runs newest first with facets, or full-text hits with
 * snippets, through the same read models as `runs list` and `assess search`. `/runs.csv` is the
 * same list as CSV.
 */
export interface RunsPageData {
  query: ListQuery;
  runs: RunSummary[];
  facets: RunFacets;
  page: { size: number; next: string | null; prev: string | null; csv: string };
}

export interface SearchPageData {
  query: ListQuery;
  hits: SearchHit[];
  /** At most this many hits are shown, newest first. */
  limit: number;
}

/** A bad filter value: 400 with parseFilters' one line, as HTML or JSON. */
function guarded(handler: PageHandler): PageHandler {
  return (c, deps) => {
    try {
      return handler(c, deps);
    } catch (error) {
      if (error instanceof InputError) return refuse(c, 400, error.message, 'runs');
      throw error;
    }
  };
}

export const runsPage: PageHandler = guarded((c, deps) => {
  const query = readListQuery((name) => c.req.query(name));
  const path = c.req.path === '/search' ? '/search' : '/';
  if (path === '/search') {
    const filters = listFilters(query, deps.now());
    const hits = query.q === undefined ? [] : searchArchive(deps.read, query.q, filters);
    const data: SearchPageData = { query, hits, limit: filters.limit };
    return respond(c, data, (d) => layout({ title: d.query.q ? `Search: ${d.query.q}` : 'Search', section: 'runs', page: 'runs', query: d.query.q ?? '', body: searchView(d) }));
  }
  const filters = listFilters(query, deps.now());
  const size = filters.limit;
  // One row beyond the page says whether another page follows.
  const fetched = listRuns(deps.read, { ...filters, limit: size + 1 });
  const { rows, next, prev } = pageLinks('/', query, fetched, size);
  const data: RunsPageData = {
    query,
    runs: rows,
    facets: runFacets(deps.read, filters),
    page: { size, next, prev, csv: listUrl('/runs.csv', query) },
  };
  return respond(c, data, (d) => layout({ title: 'Runs', section: 'runs', page: 'runs', body: runsView(d) }));
});

export const RUNS_CSV_COLUMNS = [
  'runId',
  'startedAt',
  'finishedAt',
  'eventId',
  'eventTitle',
  'status',
  'desksRequested',
  'desksOk',
  'desksFailed',
  'overallRisk',
  'costUsd',
] as const satisfies readonly (keyof RunSummary)[];

/** The CSV of a run list: a header row, then one record per run in the JSON's field order. */
export function renderRunsCsv(runs: readonly RunSummary[]): string {
  return [csvLine(RUNS_CSV_COLUMNS), ...runs.map((r) => csvLine(RUNS_CSV_COLUMNS.map((col) => r[col])))].join('');
}

/** `/runs.csv`: the page's filters and cursor; without `limit`, up to 10,000 runs rather than a page. */
export const runsCsv: PageHandler = guarded((c, deps) => {
  const query = readListQuery((name) => c.req.query(name));
  const runs = listRuns(deps.read, listFilters(query, deps.now(), 10_000));
  return c.body(renderRunsCsv(runs), 200, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': 'attachment; filename="runs.csv"',
  });
});

export { PAGE_SIZE };
