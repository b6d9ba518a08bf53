import type { Database } from 'better-sqlite3';
import type { Stance } from '../assessment/schema.js';
import type { LinkDecision } from '../threads/context.js';
import { DeskStanceSchema, readArchived, RiskViewCheckSchema } from './archived-views.js';
import { displayStatus } from './liveness.js';
import { resolveThreadId } from './resolve-thread-id.js';
import { LATEST_ROUND } from './thread-context.js';
import { linkHistory } from './thread-links.js';

/**
 * The read model of one thread, as `assess threads show` prints it (and the web viewer may show it):
 * its events in time order with their runs and how each came to be in the thread, each desk's stance
 * over time, and each consolidated scenario's pooled probability over time. Read from archived rows
 * only: nothing here is recomputed or rewritten.
 */

export interface ThreadRunView {
  runId: string;
  startedAt: string;
  status: string;
  overallRisk: string | null;
}

export interface ThreadEventView {
  eventId: string;
  title: string;
  /** The event's publication date, when it has one. */
  publishedAt: string | null;
  /** The time it is ordered by: publication date, else when it was first assessed. */
  at: string;
  runIds: string[];
  runs: ThreadRunView[];
  /** The decision in force (the latest). */
  link: LinkDecision;
  /** Every decision about this event, oldest first (linking, then any moves and merges). */
  links: LinkDecision[];
}

export interface StanceEntry {
  runId: string;
  eventId: string;
  /** When the desk's assessment was made. */
  at: string;
  stance: Stance;
}

export interface ScenarioHistory {
  /** `S1`, `S2`… within the thread; null for scenarios of runs made before threads (matched by name). */
  lineageId: string | null;
  /** The latest name of a lineage; for scenarios matched by name, the name first seen. */
  name: string;
  history: { runId: string; eventId: string; at: string; probability: number }[];
}

export interface ThreadView {
  id: string;
  title: string;
  createdAt: string;
  lastEventAt: string;
  /** Threads merged into this one. */
  mergedFrom: string[];
  /** Set when the id asked for was merged away: the line saying where it went. */
  note: string | null;
  /** Oldest first. */
  events: ThreadEventView[];
  /** Per desk, oldest first. */
  stances: Record<string, StanceEntry[]>;
  scenarios: ScenarioHistory[];
  /** Archived rows that could not be read, skipped. */
  warnings: string[];
}

interface RunRow {
  id: string;
  event_id: string;
  event_json: string;
  started_at: string;
  status: string;
  pid: number | null;
  host: string | null;
}

function publishedAtOf(eventJson: string): string | null {
  try {
    const event: unknown = JSON.parse(eventJson);
    const value = typeof event === 'object' && event !== null ? (event as Record<string, unknown>)['publishedAt'] : undefined;
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}

const nameKey = (name: string): string => name.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();

/** The thread `idOrPrefix` names (a merged one resolves to where it went), read for `threads show`. */
export function loadThreadView(db: Database, idOrPrefix: string): ThreadView {
  const resolved = resolveThreadId(db, idOrPrefix);
  const id = resolved.id;
  const thread = db.prepare('SELECT id, title, created_at, last_event_at FROM threads WHERE id = ?').get(id) as {
    id: string;
    title: string;
    created_at: string;
    last_event_at: string;
  };
  const mergedFrom = db.prepare('SELECT id FROM threads WHERE merged_into = ? ORDER BY id').pluck().all(id) as string[];
  const members = db
    .prepare('SELECT event_id, title, event_at FROM thread_events WHERE thread_id = ? ORDER BY event_at, added_at, event_id')
    .all(id) as { event_id: string; title: string; event_at: string }[];
  const runs = db
    .prepare(
      `SELECT r.id, r.event_id, r.event_json, r.started_at, r.status, r.pid, r.host FROM runs r
       WHERE r.event_id IN (SELECT event_id FROM thread_events WHERE thread_id = ?) ORDER BY r.started_at, r.id`,
    )
    .all(id) as RunRow[];
  const latestSynthesis = db.prepare(
    'SELECT version, risk_view_json, overall_risk, created_at FROM syntheses WHERE run_id = ? ORDER BY version DESC',
  );
  const deskRows = db.prepare(
    `SELECT d.agent_id, d.assessment_json, d.finished_at FROM desk_results d WHERE d.run_id = ? AND d.status = 'ok'
       AND ${LATEST_ROUND}
     ORDER BY d.agent_id`,
  );
  const links = linkHistory(db, members.map((m) => m.event_id));
  const warnings: string[] = [];

  const runsByEvent = new Map<string, ThreadRunView[]>();
  const publishedAt = new Map<string, string | null>();
  const stanceEntries: (StanceEntry & { agentId: string })[] = [];
  const scenarioPoints: { runId: string; eventId: string; at: string; lineageId: string | null; name: string; probability: number }[] = [];
  for (const run of runs) {
    if (!publishedAt.has(run.event_id)) publishedAt.set(run.event_id, publishedAtOf(run.event_json));
    const syntheses = latestSynthesis.all(run.id) as { version: number; risk_view_json: string | null; overall_risk: string | null; created_at: string }[];
    const latest = syntheses[0];
    const list = runsByEvent.get(run.event_id) ?? [];
    list.push({ runId: run.id, startedAt: run.started_at, status: displayStatus(run.status, run.pid, run.host), overallRisk: latest?.overall_risk ?? null });
    runsByEvent.set(run.event_id, list);

    for (const desk of deskRows.all(run.id) as { agent_id: string; assessment_json: string | null; finished_at: string }[]) {
      const parsed = readArchived(desk.assessment_json, DeskStanceSchema);
      if (parsed.ok) stanceEntries.push({ agentId: desk.agent_id, runId: run.id, eventId: run.event_id, at: desk.finished_at, stance: parsed.value.stance.label });
      else warnings.push(`${desk.agent_id}'s assessment in run ${run.id.slice(0, 8)} could not be read (${parsed.reason}); left out`);
    }

    // A run's consolidated view is its latest synthesis that succeeded.
    const synthesis = syntheses.find((s) => s.risk_view_json !== null);
    if (synthesis) {
      const parsed = readArchived(synthesis.risk_view_json, RiskViewCheckSchema);
      if (parsed.ok) {
        for (const s of parsed.value.scenarios) {
          scenarioPoints.push({ runId: run.id, eventId: run.event_id, at: synthesis.created_at, lineageId: s.lineageId ?? null, name: s.name, probability: s.pooledProbability });
        }
      } else {
        warnings.push(`the consolidated view of run ${run.id.slice(0, 8)} could not be read (${parsed.reason}); left out`);
      }
    }
  }

  const stances: Record<string, StanceEntry[]> = {};
  stanceEntries.sort((a, b) => a.at.localeCompare(b.at) || a.runId.localeCompare(b.runId));
  for (const { agentId, ...entry } of stanceEntries) (stances[agentId] ??= []).push(entry);

  return {
    id,
    title: thread.title,
    createdAt: thread.created_at,
    lastEventAt: thread.last_event_at,
    mergedFrom,
    note: resolved.note,
    events: members.map((m) => {
      const history = links.get(m.event_id) ?? [];
      const eventRuns = runsByEvent.get(m.event_id) ?? [];
      return {
        eventId: m.event_id,
        title: m.title,
        publishedAt: publishedAt.get(m.event_id) ?? null,
        at: m.event_at,
        runIds: eventRuns.map((r) => r.runId),
        runs: eventRuns,
        link: history.at(-1) ?? { threadId: id, method: 'backfill', score: null, runnerUp: null, detail: {}, decidedAt: m.event_at },
        links: history,
      };
    }),
    stances: Object.fromEntries(Object.entries(stances).sort(([a], [b]) => a.localeCompare(b))),
    scenarios: groupScenarios(scenarioPoints),
    warnings,
  };
}

/**
 * Scenario histories: by lineage id (`S1`…, kept across a thread's views). Scenarios of runs made
 * before threads have none; they join the lineage whose name they share, else a history of their
 * own by name. Ordered by lineage id (S2 before S10), then by name.
 */
function groupScenarios(
  points: { runId: string; eventId: string; at: string; lineageId: string | null; name: string; probability: number }[],
): ScenarioHistory[] {
  const ordered = [...points].sort((a, b) => a.at.localeCompare(b.at) || a.runId.localeCompare(b.runId));
  const byLineage = new Map<string, ScenarioHistory>();
  const lineageByName = new Map<string, string>();
  for (const p of ordered) {
    if (p.lineageId === null) continue;
    const group = byLineage.get(p.lineageId) ?? { lineageId: p.lineageId, name: p.name, history: [] };
    group.name = p.name;
    group.history.push({ runId: p.runId, eventId: p.eventId, at: p.at, probability: p.probability });
    byLineage.set(p.lineageId, group);
    lineageByName.set(nameKey(p.name), p.lineageId);
  }
  const byName = new Map<string, ScenarioHistory>();
  for (const p of ordered) {
    if (p.lineageId !== null) continue;
    const lineage = lineageByName.get(nameKey(p.name));
    const group = lineage !== undefined ? byLineage.get(lineage)! : (byName.get(nameKey(p.name)) ?? { lineageId: null, name: p.name, history: [] });
    group.history.push({ runId: p.runId, eventId: p.eventId, at: p.at, probability: p.probability });
    if (lineage === undefined) byName.set(nameKey(p.name), group);
  }
  for (const group of byLineage.values()) group.history.sort((a, b) => a.at.localeCompare(b.at) || a.runId.localeCompare(b.runId));
  const lineageNumber = (id: string): number => Number(/\d+/.exec(id)?.[0] ?? Number.MAX_SAFE_INTEGER);
  return [
    ...[...byLineage.values()].sort((a, b) => lineageNumber(a.lineageId!) - lineageNumber(b.lineageId!) || a.lineageId!.localeCompare(b.lineageId!)),
    ...[...byName.values()].sort((a, b) => a.name.localeCompare(b.name)),
  ];
}
