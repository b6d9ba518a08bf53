import type { Database } from 'better-sqlite3';
import { displayStatus } from './liveness.js';
import { LATEST_RISK_SQL, filterSql, overFetch, type RunFilters } from './filters.js';

export interface RunSummary {
  runId: string;
  startedAt: string;
  finishedAt: string | null;
  eventId: string;
  eventTitle: string;
  status: string;
  desksRequested: number;
  desksOk: number;
  desksFailed: number;
  overallRisk: string | null;
  costUsd: number | null;
}

interface Row {
  id: string;
  started_at: string;
  finished_at: string | null;
  event_id: string;
  event_title: string;
  status: string;
  pid: number | null;
  host: string | null;
  requested: number;
  ok: number;
  seen: number;
  overall_risk: string | null;
  cost: number | null;
}

/**
 * The query behind `runs list`, for a WHERE clause from filterSql. The page of runs is chosen
 * first, by the filter alone, and only its rows get the per-run counts and cost (read from
 * covering indexes, migration 6): when SQLite cannot walk the started_at index (two filters, say a
 * status and a desk) it sorts every match, and computing those columns for every match before the
 * sort cost 0.4 s at 10,000 runs. The page is read along the started_at index (INDEXED BY): with a
 * filter on an unindexed column (status) SQLite's planner otherwise scans and sorts every run, 40 ms
 * at 10,000, where walking the index stops at the page's last match.
 */
export function listRunsSql(where: string, order: 'DESC' | 'ASC' = 'DESC'): string {
  return `SELECT r.id, r.started_at, r.finished_at, r.event_id, r.event_title, r.status, r.pid, r.host,
        json_array_length(r.desks_json) AS requested,
        (SELECT COUNT(DISTINCT d.agent_id) FROM desk_results d WHERE d.run_id = r.id AND d.status = 'ok') AS ok,
        (SELECT COUNT(DISTINCT d.agent_id) FROM desk_results d WHERE d.run_id = r.id) AS seen,
        (${LATEST_RISK_SQL}) AS overall_risk,
        (SELECT SUM(c.cost_usd) FROM calls c WHERE c.run_id = r.id) AS cost
       FROM runs r
       WHERE r.rowid IN (SELECT r.rowid FROM runs r INDEXED BY runs_started_at ${where} ORDER BY r.started_at ${order}, r.id ${order} LIMIT @limit)
       ORDER BY r.started_at ${order}, r.id ${order}`;
}

/**
 * Runs newest first with the columns `runs list` shows. With an `after` cursor (a previous page)
 * the rows nearest the cursor are read oldest first, then turned back to newest first.
 */
export function listRuns(db: Database, filters: RunFilters): RunSummary[] {
  const { where, params } = filterSql(filters);
  const backwards = filters.after !== undefined && filters.before === undefined;
  const rows = db.prepare(listRunsSql(where, backwards ? 'ASC' : 'DESC')).all({ ...params, limit: overFetch(filters) }) as Row[];
  const summaries = rows
    .map((r) => ({
      runId: r.id,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      eventId: r.event_id,
      eventTitle: r.event_title,
      status: displayStatus(r.status, r.pid, r.host),
      desksRequested: r.requested,
      desksOk: r.ok,
      // A desk that failed and was later resumed successfully counts as ok only.
      desksFailed: r.seen - r.ok,
      overallRisk: r.overall_risk,
      costUsd: r.cost === null ? null : Math.round(r.cost * 1e6) / 1e6,
    }))
    .filter((r) => !filters.status || r.status === filters.status)
    .slice(0, filters.limit);
  return backwards ? summaries.reverse() : summaries;
}
