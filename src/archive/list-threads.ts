import type { Database } from 'better-sqlite3';
import { ACTIVE_THREAD_DAYS } from '../threads/context.js';
import { displayStatus } from './liveness.js';

/** One line of `assess threads list` (and its JSON). */
export interface ThreadSummary {
  id: string;
  title: string;
  /** Events in the thread now. */
  events: number;
  /** The newest event's time (publication date, else when it was first assessed). */
  lastEventAt: string;
  createdAt: string;
  /** Runs of the thread's events (re-runs and resumes of one event count once per run). */
  runs: number;
  /** Not merged, with an event within ACTIVE_THREAD_DAYS: new events may join it by similarity. */
  active: boolean;
  /** The thread's newest run, with its consolidated risk level when it has one. */
  latestRun: { runId: string; startedAt: string; status: string; overallRisk: string | null } | null;
}

export interface ListThreadsOptions {
  /** Only active threads. */
  active?: boolean;
  /** At most this many. */
  limit?: number;
  now: Date;
}

const DAY_MS = 86_400_000;

/** The time before which a thread's last event makes it inactive. */
export function activeSince(now: Date): string {
  return new Date(now.getTime() - ACTIVE_THREAD_DAYS * DAY_MS).toISOString();
}

interface Row {
  id: string;
  title: string;
  created_at: string;
  last_event_at: string;
  events: number;
  runs: number;
  run_id: string | null;
  run_started_at: string | null;
  run_status: string | null;
  run_pid: number | null;
  run_host: string | null;
  overall_risk: string | null;
}

/**
 * Threads newest activity first. Merged threads are left out: their events are in the thread they
 * went to, and their ids still resolve there (`threads show`).
 */
export function listThreads(db: Database, options: ListThreadsOptions): ThreadSummary[] {
  const since = activeSince(options.now);
  const rows = db
    .prepare(
      `SELECT t.id, t.title, t.created_at, t.last_event_at,
         (SELECT COUNT(*) FROM thread_events e WHERE e.thread_id = t.id) AS events,
         (SELECT COUNT(*) FROM thread_events e JOIN runs r ON r.event_id = e.event_id WHERE e.thread_id = t.id) AS runs,
         lr.id AS run_id, lr.started_at AS run_started_at, lr.status AS run_status, lr.pid AS run_pid, lr.host AS run_host,
         (SELECT s.overall_risk FROM syntheses s WHERE s.run_id = lr.id ORDER BY s.version DESC LIMIT 1) AS overall_risk
       FROM threads t
       LEFT JOIN runs lr ON lr.id = (
         SELECT r.id FROM thread_events e JOIN runs r ON r.event_id = e.event_id WHERE e.thread_id = t.id ORDER BY r.started_at DESC LIMIT 1)
       WHERE t.merged_into IS NULL AND (@active = 0 OR t.last_event_at >= @since)
       ORDER BY t.last_event_at DESC, t.id
       LIMIT @limit`,
    )
    .all({ active: options.active ? 1 : 0, since, limit: options.limit ?? -1 }) as Row[];
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    events: r.events,
    lastEventAt: r.last_event_at,
    createdAt: r.created_at,
    runs: r.runs,
    active: r.last_event_at >= since,
    latestRun:
      r.run_id === null
        ? null
        : {
            runId: r.run_id,
            startedAt: r.run_started_at ?? '',
            status: displayStatus(r.run_status ?? 'failed', r.run_pid, r.run_host),
            overallRisk: r.overall_risk,
          },
  }));
}
