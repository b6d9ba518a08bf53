import { AGENT_ID_PATTERN } from '../agents/agent-id.js';
import { InputError } from '../errors/index.js';
import { parseIsoDate } from '../event/iso-date.js';
import { RISK_LEVELS, type RiskLevel } from '../synthesis/schema.js';

export const STATUSES = ['ok', 'degraded', 'failed', 'cancelled', 'running', 'incomplete'] as const;

/** Filters shared by `runs list` and `search`, validated. */
export interface RunFilters {
  agent?: string;
  /** ISO instants, inclusive. */
  since?: string;
  until?: string;
  status?: (typeof STATUSES)[number];
  /** An event id (prefix) or text in the event title. */
  event?: string;
  /** `provider/model` one of the run's desks used (desks_json). */
  model?: string;
  /** The latest synthesis's overall risk level. */
  risk?: RiskLevel;
  /** The feed `watch` took the run's story from (feed_items.feed). */
  feed?: string;
  /** Keyset cursor: only runs strictly older than this (started_at, id) in newest-first order. */
  before?: RunCursor;
  /** Keyset cursor: only runs strictly newer than this (for a "previous page" link). */
  after?: RunCursor;
  limit: number;
}

/** A position in the newest-first order of runs: (started_at, id) is unique and indexed. */
export interface RunCursor {
  startedAt: string;
  id: string;
}

export interface RawFilters {
  agent?: string;
  since?: string;
  until?: string;
  status?: string;
  event?: string;
  limit?: string;
  model?: string;
  risk?: string;
  feed?: string;
  /** `<startedAt>,<runId>` */
  before?: string;
  after?: string;
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `2025-09-26`, an ISO date-time, or a duration back from now: `30m`, `24h`, `7d`, `2w`. */
function parseInstant(value: string, flag: string, now: Date): string {
  const duration = /^(\d+)\s*([mhdw])$/i.exec(value.trim());
  if (duration) return new Date(now.getTime() - Number(duration[1]) * UNITS[duration[2]!.toLowerCase()]!).toISOString();
  const iso = parseIsoDate(value.trim());
  if (!iso) throw new InputError(`${flag} ${value}: expected a date (2025-09-26), a date-time, or a duration such as 7d or 24h`);
  return iso;
}

export function parseFilters(raw: RawFilters, now: Date = new Date(), defaultLimit = 20): RunFilters {
  const filters: RunFilters = { limit: defaultLimit };
  if (raw.limit !== undefined) {
    const n = Number(raw.limit);
    if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new InputError(`--limit ${raw.limit}: expected a whole number from 1 to 100000`);
    filters.limit = n;
  }
  if (raw.agent !== undefined) {
    const id = raw.agent.trim().toUpperCase();
    if (!AGENT_ID_PATTERN.test(id)) throw new InputError(`--agent ${raw.agent}: expected a desk id such as JP-01`);
    filters.agent = id;
  }
  if (raw.status !== undefined) {
    const status = raw.status.trim().toLowerCase();
    if (!(STATUSES as readonly string[]).includes(status)) throw new InputError(`--status ${raw.status}: expected one of ${STATUSES.join(', ')}`);
    filters.status = status as RunFilters['status'];
  }
  if (raw.since !== undefined) filters.since = parseInstant(raw.since, '--since', now);
  if (raw.until !== undefined) {
    const until = parseInstant(raw.until, '--until', now);
    // A bare date means the whole day.
    filters.until = /^\d{4}-\d{2}-\d{2}$/.test(raw.until.trim()) ? new Date(Date.parse(until) + 86_399_999).toISOString() : until;
  }
  if (filters.since && filters.until && filters.since > filters.until) throw new InputError('--since is after --until');
  if (raw.event !== undefined) {
    if (raw.event.trim() === '') throw new InputError('--event needs an event id or some title text');
    filters.event = raw.event.trim();
  }
  if (raw.model !== undefined) {
    if (!/^[^\s/]+\/\S+$/.test(raw.model.trim())) throw new InputError(`--model ${raw.model}: expected provider/model, such as anthropic/claude-sonnet-4-5`);
    filters.model = raw.model.trim();
  }
  if (raw.risk !== undefined) {
    const risk = raw.risk.trim().toLowerCase();
    if (!(RISK_LEVELS as readonly string[]).includes(risk)) throw new InputError(`--risk ${raw.risk}: expected one of ${RISK_LEVELS.join(', ')}`);
    filters.risk = risk as RiskLevel;
  }
  if (raw.feed !== undefined) {
    if (raw.feed.trim() === '') throw new InputError('--feed needs a feed name');
    filters.feed = raw.feed.trim();
  }
  if (raw.before !== undefined) filters.before = parseCursor(raw.before, '--before');
  if (raw.after !== undefined) filters.after = parseCursor(raw.after, '--after');
  return filters;
}

function parseCursor(value: string, flag: string): RunCursor {
  const comma = value.indexOf(',');
  const startedAt = value.slice(0, comma);
  const id = value.slice(comma + 1);
  if (comma < 1 || id === '' || Number.isNaN(Date.parse(startedAt))) throw new InputError(`${flag} ${value}: expected <startedAt>,<runId> from a page link`);
  return { startedAt, id };
}

/** The cursor text for a run (what parseCursor reads back). */
export function cursorOf(run: { startedAt: string; runId: string }): string {
  return `${run.startedAt},${run.runId}`;
}

/** A run's overall risk: its latest synthesis's (an indexed lookup on the syntheses primary key). */
export const LATEST_RISK_SQL = 'SELECT s.overall_risk FROM syntheses s WHERE s.run_id = r.id ORDER BY s.version DESC LIMIT 1';

/** SQL conditions over `runs r` for these filters (status incomplete/running is refined in code). */
export function filterSql(filters: RunFilters): { where: string; params: Record<string, string> } {
  const clauses: string[] = [];
  const params: Record<string, string> = {};
  if (filters.since) {
    clauses.push('r.started_at >= @since');
    params['since'] = filters.since;
  }
  if (filters.until) {
    clauses.push('r.started_at <= @until');
    params['until'] = filters.until;
  }
  if (filters.status) {
    clauses.push('r.status = @status');
    params['status'] = filters.status === 'incomplete' ? 'running' : filters.status;
  }
  if (filters.agent) {
    clauses.push('EXISTS (SELECT 1 FROM desk_results d WHERE d.run_id = r.id AND d.agent_id = @agent)');
    params['agent'] = filters.agent;
  }
  if (filters.event) {
    clauses.push("(r.event_id LIKE @eventPrefix ESCAPE '\\' OR r.event_title LIKE @eventText ESCAPE '\\')");
    const escaped = filters.event.replace(/[\\%_]/g, (c) => `\\${c}`);
    params['eventPrefix'] = `${escaped.toLowerCase()}%`;
    params['eventText'] = `%${escaped}%`;
  }
  if (filters.model) {
    clauses.push("EXISTS (SELECT 1 FROM json_each(r.desks_json) j WHERE json_extract(j.value, '$.provider') || '/' || json_extract(j.value, '$.model') = @model)");
    params['model'] = filters.model;
  }
  if (filters.risk) {
    clauses.push(`(${LATEST_RISK_SQL}) = @risk`);
    params['risk'] = filters.risk;
  }
  if (filters.feed) {
    clauses.push('r.id IN (SELECT fi.run_id FROM feed_items fi WHERE fi.feed = @feed AND fi.run_id IS NOT NULL)');
    params['feed'] = filters.feed;
  }
  if (filters.before) {
    clauses.push('(r.started_at < @beforeAt OR (r.started_at = @beforeAt AND r.id < @beforeId))');
    params['beforeAt'] = filters.before.startedAt;
    params['beforeId'] = filters.before.id;
  }
  if (filters.after) {
    clauses.push('(r.started_at > @afterAt OR (r.started_at = @afterAt AND r.id > @afterId))');
    params['afterAt'] = filters.after.startedAt;
    params['afterId'] = filters.after.id;
  }
  return { where: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/**
 * Rows to fetch for a limit: running and incomplete look alike in SQL (liveness is checked in
 * code), so filtering on them fetches extra rows to still fill the limit after the check.
 */
export function overFetch(filters: RunFilters): number {
  return filters.status === 'incomplete' || filters.status === 'running' ? filters.limit * 4 + 50 : filters.limit;
}
