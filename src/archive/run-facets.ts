import type { Database } from 'better-sqlite3';
import { LATEST_RISK_SQL, filterSql, type RunFilters } from './filters.js';

/**
 * The runs page's facets (issue 15 §2), Datasette style: for each facet, how many runs each value
 * has under the current filter with that facet's own choice left out (so the other values of a
 * facet stay visible and countable). One GROUP BY per facet over the filtered runs; no run is
 * loaded. Stored status is counted: a `running` run whose process is gone shows as `incomplete`
 * in the list (liveness is checked in code) but is counted here as running.
 */
export type FacetName = 'status' | 'desk' | 'model' | 'risk' | 'feed';

export interface FacetValue {
  value: string;
  count: number;
}

export type RunFacets = Record<FacetName, FacetValue[]> & {
  /** Counts cover at most this many runs per facet: the newest that match its filter. */
  window: number;
};

/**
 * Counting every run at 10,000 runs costs far more than the page's 100 ms (json_each over every
 * desks_json, a join over every desk result); the newest FACET_WINDOW matching runs bound it.
 */
export const FACET_WINDOW = 1000;

/** The filter each facet is counted under: everything chosen except itself, and no page cursor. */
function without(filters: RunFilters, facet: FacetName): RunFilters {
  const rest: RunFilters = { ...filters };
  delete rest.before;
  delete rest.after;
  if (facet === 'desk') delete rest.agent;
  else delete rest[facet];
  return rest;
}

const QUERIES: Record<FacetName, (where: string) => string> = {
  status: (where) => `SELECT r.status AS value, COUNT(*) AS count FROM runs r ${where} GROUP BY r.status`,
  desk: (where) =>
    `SELECT d.agent_id AS value, COUNT(DISTINCT d.run_id) AS count FROM desk_results d JOIN runs r ON r.id = d.run_id ${where} GROUP BY d.agent_id`,
  model: (where) =>
    `SELECT json_extract(j.value, '$.provider') || '/' || json_extract(j.value, '$.model') AS facet, COUNT(DISTINCT r.id) AS count
     FROM runs r, json_each(r.desks_json) j ${where} GROUP BY facet`,
  risk: (where) => `SELECT (${LATEST_RISK_SQL}) AS value, COUNT(*) AS count FROM runs r ${where} GROUP BY value`,
  feed: (where) =>
    `SELECT fi.feed AS value, COUNT(DISTINCT r.id) AS count FROM feed_items fi JOIN runs r ON r.id = fi.run_id ${where} GROUP BY fi.feed`,
};

export function runFacets(db: Database, filters: RunFilters, window = FACET_WINDOW): RunFacets {
  const out = { window } as RunFacets;
  for (const facet of Object.keys(QUERIES) as FacetName[]) {
    const { where: inner, params } = filterSql(without(filters, facet));
    // The newest runs in the window, by the started_at index; the facet's GROUP BY reads only them.
    // Along the started_at index, stopping at the window's last match (see listRunsSql for why it is forced).
    const where = `WHERE r.rowid IN (SELECT r.rowid FROM runs r INDEXED BY runs_started_at ${inner} ORDER BY r.started_at DESC, r.id DESC LIMIT ${window})`;
    // json_each has its own `value` column, so the model query names its value `facet`.
    const rows = db.prepare(QUERIES[facet](where)).all(params) as { value?: string | null; facet?: string | null; count: number }[];
    out[facet] = rows
      .map((r) => ({ value: r.value ?? r.facet ?? null, count: r.count }))
      .filter((r): r is FacetValue => r.value !== null)
      .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
  }
  return out;
}
