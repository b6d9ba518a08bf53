import { AGENT_ID_PATTERN } from '../agents/agent-id.js';
import { InputError } from '../errors/index.js';
import { parseIsoDate } from '../event/iso-date.js';

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
  limit: number;
}

export interface RawFilters {
  agent?: string;
  since?: string;
  until?: string;
  status?: string;
  event?: string;
  limit?: string;
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
  return filters;
}

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
  return { where: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/**
 * Rows to fetch for a limit: running and incomplete look alike in SQL (liveness is checked in
 * code), so filtering on them fetches extra rows to still fill the limit after the check.
 */
export function overFetch(filters: RunFilters): number {
  return filters.status === 'incomplete' || filters.status === 'running' ? filters.limit * 4 + 50 : filters.limit;
}
