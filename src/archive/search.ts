import type { Database } from 'better-sqlite3';
import { InputError } from '../errors/index.js';
import { filterSql, overFetch, type RunFilters } from './filters.js';
import { displayStatus } from './liveness.js';
import type { AgentAssessment } from '../assessment/schema.js';
import type { NewsEvent } from '../event/schema.js';
import { assessmentSearchText, eventSearchText } from './search-documents.js';
import { makeSnippet, toMatchExpression } from './search-text.js';

export interface SearchHit {
  runId: string;
  /** The desk whose assessment matched, or null when the event itself matched. */
  agentId: string | null;
  startedAt: string;
  eventTitle: string;
  status: string;
  snippet: string;
}

interface Row {
  run_id: string;
  agent_id: string | null;
  source: string | null;
  started_at: string;
  event_title: string;
  status: string;
  pid: number | null;
  host: string | null;
}

/**
 * Full-text search over archived events and assessments, newest first. Ordering by the index's
 * own rowid (which grows with time) lets SQLite stop at the limit instead of ranking every match,
 * which keeps common words fast in a large archive.
 */
function sourceText(agentId: string | null, json: string): string {
  return agentId === null ? eventSearchText(JSON.parse(json) as NewsEvent) : assessmentSearchText(JSON.parse(json) as AgentAssessment);
}

export function searchArchive(db: Database, query: string, filters: RunFilters): SearchHit[] {
  const match = toMatchExpression(query);
  if (!match) throw new InputError('search needs some words to look for');
  const { where, params } = filterSql(filters);
  const conditions = [where.replace(/^WHERE /, ''), filters.agent ? 'd.agent_id = @agent' : ''].filter(Boolean).join(' AND ');
  const rows = db
    .prepare(
      `SELECT d.run_id, d.agent_id, r.started_at, r.event_title, r.status, r.pid, r.host,
        CASE WHEN d.agent_id IS NULL THEN r.event_json ELSE
          (SELECT x.assessment_json FROM desk_results x WHERE x.run_id = d.run_id AND x.agent_id = d.agent_id AND x.status = 'ok'
           ORDER BY x.round DESC LIMIT 1) END AS source
       FROM search_index
       JOIN search_docs d ON d.id = search_index.rowid
       JOIN runs r ON r.id = d.run_id
       WHERE search_index MATCH @match ${conditions ? `AND ${conditions}` : ''}
       ORDER BY search_index.rowid DESC
       LIMIT @limit`,
    )
    .all({ ...params, match, limit: overFetch(filters) }) as Row[];
  return rows
    .map((r) => ({
      runId: r.run_id,
      agentId: r.agent_id,
      startedAt: r.started_at,
      eventTitle: r.event_title,
      status: displayStatus(r.status, r.pid, r.host),
      snippet: r.source === null ? '' : makeSnippet(sourceText(r.agent_id, r.source), query),
    }))
    .filter((h) => !filters.status || h.status === filters.status)
    .slice(0, filters.limit);
}
