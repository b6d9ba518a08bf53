import { parseFilters, cursorOf, type RawFilters, type RunFilters } from '../../archive/filters.js';
import { InputError } from '../../errors/index.js';

/**
 * The runs page's view state, all of it in the query string (issue 15 §2): the facet fields of the
 * filter form, the search text and the page cursor. Parsed by the CLI's parseFilters, so the page
 * and `runs list` accept and refuse the same values.
 */
export const LIST_FIELDS = ['q', 'status', 'desk', 'model', 'risk', 'from', 'to', 'feed', 'event', 'before', 'after', 'limit'] as const;
export type ListField = (typeof LIST_FIELDS)[number];
export type ListQuery = Partial<Record<ListField, string>>;

/** Runs per page. */
export const PAGE_SIZE = 50;

/** The fields present and non-empty (an empty select means "any"). */
export function readListQuery(get: (name: string) => string | undefined): ListQuery {
  const query: ListQuery = {};
  for (const field of LIST_FIELDS) {
    const value = get(field);
    if (value !== undefined && value.trim() !== '') query[field] = value;
  }
  return query;
}

// parseFilters speaks in CLI flags; the page's one-line error names the form field instead.
const FLAG_NAMES: Record<string, string> = { '--agent': 'desk', '--since': 'from', '--until': 'to' };

export function listFilters(query: ListQuery, now: Date, defaultLimit = PAGE_SIZE): RunFilters {
  const raw: RawFilters = {
    ...(query.status !== undefined ? { status: query.status } : {}),
    ...(query.desk !== undefined ? { agent: query.desk } : {}),
    ...(query.model !== undefined ? { model: query.model } : {}),
    ...(query.risk !== undefined ? { risk: query.risk } : {}),
    ...(query.from !== undefined ? { since: query.from } : {}),
    ...(query.to !== undefined ? { until: query.to } : {}),
    ...(query.feed !== undefined ? { feed: query.feed } : {}),
    ...(query.event !== undefined ? { event: query.event } : {}),
    ...(query.before !== undefined ? { before: query.before } : {}),
    ...(query.after !== undefined ? { after: query.after } : {}),
    ...(query.limit !== undefined ? { limit: query.limit } : {}),
  };
  try {
    return parseFilters(raw, now, defaultLimit);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw new InputError(error.message.replace(/--[a-z]+/g, (flag) => FLAG_NAMES[flag] ?? flag.slice(2)));
  }
}

/** A URL on `path` with this view state, `changes` applied (undefined removes a field). */
export function listUrl(path: string, query: ListQuery, changes: ListQuery & Partial<Record<ListField, string | undefined>> = {}): string {
  const params = new URLSearchParams();
  const merged: Record<string, string | undefined> = { ...query, ...changes };
  for (const field of LIST_FIELDS) {
    const value = merged[field];
    if (value !== undefined) params.set(field, value);
  }
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

/** Links to the neighbouring pages, from the rows fetched (one more than a page, to know). */
export function pageLinks<Row extends { startedAt: string; runId: string }>(
  path: string,
  query: ListQuery,
  rows: Row[],
  size: number,
): { rows: Row[]; next: string | null; prev: string | null } {
  const base: ListQuery = { ...query };
  delete base.before;
  delete base.after;
  const backwards = query.after !== undefined && query.before === undefined;
  const more = rows.length > size;
  // Backwards (an `after` cursor) the extra row is the newest, first; forwards it is the oldest, last.
  const page = more ? (backwards ? rows.slice(1) : rows.slice(0, size)) : rows;
  const first = page[0];
  const last = page.at(-1);
  const hasNext = backwards ? true : more;
  const hasPrev = backwards ? more : query.before !== undefined;
  return {
    rows: page,
    next: hasNext && last ? listUrl(path, { ...base, before: cursorOf(last) }) : null,
    prev: hasPrev && first ? listUrl(path, { ...base, after: cursorOf(first) }) : null,
  };
}
