import type { Database } from 'better-sqlite3';
import { isProcessAlive } from './liveness.js';

/**
 * Runs in flight and how far their desks are: runs stored as `running` whose process is alive
 * (a run whose process died is incomplete, not in flight: `assess resume` finishes it), with the
 * desks they planned (`desks_json`) and the desks with a result so far (desk_results, any round:
 * a desk that succeeded in some round counts as ok).
 */
export interface RunInFlight {
  runId: string;
  eventTitle: string;
  startedAt: string;
  desks: number;
  ok: number;
  failed: number;
  /** Desk ids with no result yet. */
  pending: string[];
}

export function runsInFlight(db: Database): RunInFlight[] {
  const runs = db
    .prepare(
      `SELECT id, event_title AS eventTitle, started_at AS startedAt, desks_json AS desksJson, pid, host
       FROM runs WHERE status = 'running' ORDER BY started_at, id`,
    )
    .all() as { id: string; eventTitle: string; startedAt: string; desksJson: string; pid: number | null; host: string | null }[];
  const live = runs.filter((r) => isProcessAlive(r.pid, r.host));
  if (live.length === 0) return [];
  const results = db
    .prepare(
      `SELECT run_id AS runId, agent_id AS agentId, MAX(status = 'ok') AS ok
       FROM desk_results WHERE run_id IN (SELECT value FROM json_each(?)) GROUP BY run_id, agent_id`,
    )
    .all(JSON.stringify(live.map((r) => r.id))) as { runId: string; agentId: string; ok: number }[];
  return live.map((r) => {
    const planned = (JSON.parse(r.desksJson) as { agentId: string }[]).map((d) => d.agentId);
    const mine = results.filter((x) => x.runId === r.id);
    const finished = new Set(mine.map((x) => x.agentId));
    return {
      runId: r.id,
      eventTitle: r.eventTitle,
      startedAt: r.startedAt,
      desks: planned.length,
      ok: mine.filter((x) => x.ok === 1).length,
      failed: mine.filter((x) => x.ok !== 1).length,
      pending: planned.filter((id) => !finished.has(id)),
    };
  });
}
