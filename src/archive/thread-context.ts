import type { Database } from 'better-sqlite3';
import type { Stance } from '../assessment/schema.js';
import type { IdentifiedEvent } from '../event/schema.js';
import { InputError } from '../errors/index.js';
import type { RiskView } from '../synthesis/schema.js';
import {
  MAX_EVIDENCE_EVENTS,
  MAX_EVIDENCE_SUMMARY_CHARS,
  type DeskMemory,
  type EvidenceEvent,
  type LinkDecision,
  type PreviousSynthesis,
  type ThreadContext,
} from '../threads/context.js';
import { DeskStanceSchema, DeskViewSchema, readArchived, RiskViewCheckSchema } from './archived-views.js';
import { currentLink } from './thread-links.js';

/** An earlier event's summary, cut at a word boundary when one is near, within the bound. */
export function boundSummary(summary: string, max = MAX_EVIDENCE_SUMMARY_CHARS): string {
  const text = summary.replace(/\s+/g, ' ').trim();
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max * 0.7 ? cut.slice(0, space) : cut}…`;
}

const short = (runId: string): string => runId.slice(0, 8);

interface EarlierEvent {
  event_id: string;
  title: string;
  summary: string;
  event_at: string;
}

/** The latest round of a desk in a run is its result (a resume's success replaces a failure). */
export const LATEST_ROUND = 'd.round = (SELECT MAX(d2.round) FROM desk_results d2 WHERE d2.run_id = d.run_id AND d2.agent_id = d.agent_id)';

/**
 * What a run of `event` in thread `threadId` is shown of the story so far (see ThreadContext):
 *
 * - evidence: E1 the event itself (full summary), E2… the thread's other events dated before it,
 *   newest first, at most MAX_EVIDENCE_EVENTS, summaries cut to MAX_EVIDENCE_SUMMARY_CHARS;
 * - memory: for each of `deskIds`, its latest valid assessment from a run of another, earlier event
 *   of this thread (the latest event first, then the latest assessment of it), with the evidence
 *   ids of the events since;
 * - previousSynthesis: the latest consolidated view from a run of another, earlier event, with the
 *   stances of that run's desks.
 *
 * "Earlier" is by event time (publication date, else first assessed), so re-running an old event
 * never shows it views formed after later news. Only rows of this thread's current events are read:
 * another thread's data cannot appear. Archived JSON that is corrupt or lacks the needed fields is
 * skipped with a line in `warnings`, and the next older view is used.
 */
export function loadThreadContext(
  db: Database,
  threadId: string,
  event: IdentifiedEvent,
  deskIds: readonly string[],
  at: string,
  link?: LinkDecision,
): ThreadContext {
  const thread = db.prepare('SELECT id, title FROM threads WHERE id = ?').get(threadId) as { id: string; title: string } | undefined;
  if (!thread) throw new InputError(`unknown thread ${threadId}`);
  const stored = db.prepare('SELECT event_at FROM thread_events WHERE event_id = ? AND thread_id = ?').pluck().get(event.id, threadId) as
    | string
    | undefined;
  // The time stored when the event joined (for an event without a date, when it was first assessed),
  // so a re-run does not move the event to "now" and after every later one.
  const eventAt = stored ?? event.event.publishedAt ?? at;
  const events = db.prepare('SELECT COUNT(*) FROM thread_events WHERE thread_id = ?').pluck().get(threadId) as number;
  const warnings: string[] = [];

  const earlier = db
    .prepare(
      `SELECT event_id, title, summary, event_at FROM thread_events
       WHERE thread_id = ? AND event_id != ? AND event_at < ? ORDER BY event_at DESC, event_id LIMIT ?`,
    )
    .all(threadId, event.id, eventAt, MAX_EVIDENCE_EVENTS) as EarlierEvent[];
  const evidence: EvidenceEvent[] = [
    { id: 'E1', eventId: event.id, title: event.event.title, at: eventAt, summary: event.event.summary },
    ...earlier.map((e, i) => ({ id: `E${i + 2}`, eventId: e.event_id, title: e.title, at: e.event_at, summary: boundSummary(e.summary) })),
  ];
  const earlierAt = new Map(earlier.map((e, i) => [`E${i + 2}`, e.event_at]));
  /** Evidence ids of the earlier events after `since`, oldest first. */
  const eventsAfter = (since: string): string[] =>
    [...earlierAt.entries()].filter(([, time]) => time > since).reverse().map(([id]) => id);

  const memory: Record<string, DeskMemory> = {};
  if (deskIds.length > 0) {
    const candidates = db.prepare(
      `SELECT d.run_id, d.agent_id, d.assessment_json, d.finished_at, te.event_id, te.title, te.event_at
       FROM thread_events te JOIN runs r ON r.event_id = te.event_id JOIN desk_results d ON d.run_id = r.id
       WHERE te.thread_id = ? AND te.event_id != ? AND te.event_at < ? AND d.status = 'ok'
         AND d.agent_id IN (${deskIds.map(() => '?').join(', ')}) AND ${LATEST_ROUND}
       ORDER BY te.event_at DESC, d.finished_at DESC, d.run_id, d.agent_id`,
    );
    const wanted = new Set(deskIds);
    // Iterated and left early: a long thread's older assessments are never read once every desk has a view.
    for (const row of candidates.iterate(threadId, event.id, eventAt, ...deskIds) as IterableIterator<{
      run_id: string;
      agent_id: string;
      assessment_json: string | null;
      finished_at: string;
      event_id: string;
      title: string;
      event_at: string;
    }>) {
      if (!wanted.has(row.agent_id)) continue;
      const parsed = readArchived(row.assessment_json, DeskViewSchema);
      if (!parsed.ok) {
        warnings.push(`${row.agent_id}'s assessment in run ${short(row.run_id)} ("${row.title}") could not be read (${parsed.reason}); skipped`);
        continue;
      }
      const view = parsed.value;
      memory[row.agent_id] = {
        lastView: {
          runId: row.run_id,
          eventId: row.event_id,
          eventTitle: row.title,
          eventAt: row.event_at,
          at: row.finished_at,
          bottomLine: view.bottomLine,
          stance: { label: view.stance.label, reason: view.stance.reason },
          trajectories: view.trajectories.map((t) => ({
            id: t.id,
            name: t.name,
            probability: t.probability,
            ...(t.resolveBy !== undefined ? { resolveBy: t.resolveBy } : {}),
            ...(t.resolution !== undefined ? { resolution: t.resolution } : {}),
          })),
          indicators: view.indicators.map((i) => ({ id: i.id, indicator: i.indicator })),
        },
        eventsSince: eventsAfter(row.event_at),
      };
      wanted.delete(row.agent_id);
      if (wanted.size === 0) break;
    }
  }

  // Ids are never reused: collect every trajectory id each remembering desk wrote in this thread's
  // earlier runs (json_each reads only the ids; unreadable rows were reported above and add nothing).
  if (Object.keys(memory).length > 0) {
    const used = db.prepare(
      `SELECT DISTINCT json_extract(t.value, '$.id') AS id
       FROM thread_events te JOIN runs r ON r.event_id = te.event_id JOIN desk_results d ON d.run_id = r.id,
         json_each(CASE WHEN json_valid(d.assessment_json) THEN d.assessment_json ELSE '{}' END, '$.trajectories') t
       WHERE te.thread_id = ? AND te.event_id != ? AND te.event_at < ? AND d.status = 'ok' AND d.agent_id = ?`,
    );
    for (const [deskId, desk] of Object.entries(memory)) {
      const ids = (used.all(threadId, event.id, eventAt, deskId) as { id: unknown }[])
        .map((row) => row.id)
        .filter((id): id is string => typeof id === 'string');
      desk.usedTrajectoryIds = ids.sort();
    }
  }

  return {
    thread: {
      id: thread.id,
      title: thread.title,
      events,
      link: link ?? currentLink(db, event.id) ?? { threadId, method: 'existing', score: null, runnerUp: null, detail: {}, decidedAt: at },
    },
    evidence,
    memory,
    previousSynthesis: previousSynthesis(db, threadId, event.id, eventAt, warnings),
    warnings,
  };
}

function previousSynthesis(db: Database, threadId: string, eventId: string, eventAt: string, warnings: string[]): PreviousSynthesis | null {
  const candidates = db.prepare(
    `SELECT s.run_id, s.version, s.risk_view_json, s.created_at, te.event_id, te.title, te.event_at
     FROM thread_events te JOIN runs r ON r.event_id = te.event_id JOIN syntheses s ON s.run_id = r.id
     WHERE te.thread_id = ? AND te.event_id != ? AND te.event_at < ? AND s.risk_view_json IS NOT NULL
     ORDER BY te.event_at DESC, s.created_at DESC, s.version DESC`,
  );
  let found: { runId: string; eventId: string; eventTitle: string; eventAt: string; at: string; view: RiskView } | undefined;
  // better-sqlite3 runs no other statement while one is iterating: the stances are read after.
  for (const row of candidates.iterate(threadId, eventId, eventAt) as IterableIterator<{
    run_id: string;
    version: number;
    risk_view_json: string;
    created_at: string;
    event_id: string;
    title: string;
    event_at: string;
  }>) {
    const parsed = readArchived(row.risk_view_json, RiskViewCheckSchema);
    if (!parsed.ok) {
      warnings.push(`the consolidated view of run ${short(row.run_id)} ("${row.title}", version ${row.version}) could not be read (${parsed.reason}); skipped`);
      continue;
    }
    // Checked above for every field the since-last step reads; the rest is carried as archived.
    found = {
      runId: row.run_id,
      eventId: row.event_id,
      eventTitle: row.title,
      eventAt: row.event_at,
      at: row.created_at,
      view: parsed.value as unknown as RiskView,
    };
    break;
  }
  if (!found) return null;

  const stances: Record<string, Stance> = {};
  const desks = db
    .prepare(`SELECT d.agent_id, d.assessment_json FROM desk_results d WHERE d.run_id = ? AND d.status = 'ok' AND ${LATEST_ROUND} ORDER BY d.agent_id`)
    .all(found.runId) as { agent_id: string; assessment_json: string | null }[];
  for (const desk of desks) {
    const parsed = readArchived(desk.assessment_json, DeskStanceSchema);
    if (parsed.ok) stances[desk.agent_id] = parsed.value.stance.label;
    else warnings.push(`${desk.agent_id}'s stance in run ${short(found.runId)} could not be read (${parsed.reason}); skipped`);
  }
  return { ...found, stances };
}
