import type { Database, Statement } from 'better-sqlite3';
import type { NewsEvent } from '../event/schema.js';
import { ACTIVE_THREAD_DAYS } from '../threads/context.js';
import { eventEntities, type Entities } from '../threads/entities.js';
import type { ThreadCandidate } from '../threads/link-decision.js';
import {
  combinedScore,
  cosine,
  daysBetween,
  entityOverlap,
  tfidfVector,
  timeDecay,
  type ScoreParts,
} from '../threads/similarity.js';
import { eventTerms } from '../threads/tokenize.js';

/**
 * What thread linking keeps per archived event, and the ranking of active threads for a new one.
 *
 * Per event: its term frequencies and entities (thread_event_features). Across events: an inverted
 * index (thread_term_postings, one row per term and event) and each term's document frequency
 * (thread_term_df). Ranking reads only the events that share one of the new event's rarer terms,
 * through the index, and computes the exact cosine on those with the IDF of the archive as it is
 * now. No norm is stored: IDF moves as the archive grows, and a stored norm would go stale (badly
 * so in a young archive, where each new event moves it most).
 */

/** Bump when tokenising or entity rules change what an event's features are; rows keep the version they were made with. */
export const FEATURES_VERSION = 1;

/** At most this many of the new event's rarest terms are looked up in the index. */
export const MAX_PROBE_TERMS = 32;
/**
 * Probe terms are taken rarest first until their postings add up to this many rows: it bounds the
 * index read at any archive size (at 10,000 events, 5,000 rows made the read most of a link's
 * cost), and a term that alone passes it is in a fifth of the archive, which says little about
 * which story an event belongs to.
 */
export const PROBE_POSTINGS_BUDGET = 2_000;
/**
 * Candidate events (those sharing the most probe weight) whose exact cosine is computed. A thread
 * scores as its best event, so this needs to reach the best event of each plausible thread, not
 * every event of them.
 */
export const MAX_CANDIDATE_EVENTS = 50;
/** Threads returned by rankThreads unless the caller asks for more. */
export const DEFAULT_RANK_LIMIT = 5;

const DAY_MS = 86_400_000;

/** A ranked thread: the candidate decideLink reads, with when the thread last had an event. */
export interface RankedThread extends ThreadCandidate {
  lastEventAt: string;
}

export interface RankOptions {
  /** How many threads to return, best first. @default DEFAULT_RANK_LIMIT */
  limit?: number;
  /** An event never ranks against itself (a re-run of an event already archived). */
  excludeEventId?: string;
}

interface Statements {
  features: Statement<[string]>;
  postingsOf: Statement<[string]>;
  insertFeatures: Statement<[string, string, string, number, number]>;
  deleteFeatures: Statement<[string]>;
  addPostings: Statement<[string, string]>;
  removePostings: Statement<[string, string]>;
  addDf: Statement<[string]>;
  removeDf: Statement<[string]>;
  dropZeroDf: Statement<[string]>;
  documents: Statement<[]>;
  dfOf: Statement<[string]>;
  candidates: Statement<[{ probe: string; cutoff: string; exclude: string | null; limit: number }]>;
  candidateFeatures: Statement<[string]>;
}

// Statements are prepared once per connection: preparing costs more than running these.
const prepared = new WeakMap<Database, Statements>();

function statements(db: Database): Statements {
  let s = prepared.get(db);
  if (s) return s;
  s = {
    features: db.prepare('SELECT terms_json FROM thread_event_features WHERE event_id = ?'),
    // Only for re-recording an event whose stored terms cannot be read (no index on event_id: rare).
    postingsOf: db.prepare('SELECT term FROM thread_term_postings WHERE event_id = ?'),
    insertFeatures: db.prepare(
      'INSERT INTO thread_event_features (event_id, terms_json, entities_json, term_count, version) VALUES (?, ?, ?, ?, ?)',
    ),
    deleteFeatures: db.prepare('DELETE FROM thread_event_features WHERE event_id = ?'),
    // Terms come in as a JSON array, so one statement writes an event's whole posting list.
    addPostings: db.prepare('INSERT OR IGNORE INTO thread_term_postings (term, event_id) SELECT value, ? FROM json_each(?)'),
    removePostings: db.prepare(
      'DELETE FROM thread_term_postings WHERE event_id = ? AND term IN (SELECT value FROM json_each(?))',
    ),
    // `WHERE true` keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
    addDf: db.prepare(
      'INSERT INTO thread_term_df (term, df) SELECT value, 1 FROM json_each(?) WHERE true ON CONFLICT(term) DO UPDATE SET df = df + 1',
    ),
    removeDf: db.prepare('UPDATE thread_term_df SET df = df - 1 WHERE term IN (SELECT value FROM json_each(?))'),
    dropZeroDf: db.prepare('DELETE FROM thread_term_df WHERE df <= 0 AND term IN (SELECT value FROM json_each(?))'),
    documents: db.prepare('SELECT COUNT(*) AS n FROM thread_event_features'),
    dfOf: db.prepare(
      'SELECT j.value AS term, COALESCE(d.df, 0) AS df FROM json_each(?) j LEFT JOIN thread_term_df d ON d.term = j.value',
    ),
    // The index read: events sharing probe terms, summed probe weight, kept only when their thread
    // is active and not merged away; the best MAX_CANDIDATE_EVENTS go on to the exact cosine.
    candidates: db.prepare(`
      WITH probe(term, weight) AS (SELECT key, value FROM json_each(@probe)),
      hits AS (
        SELECT p.event_id, SUM(probe.weight) AS overlap
        FROM probe JOIN thread_term_postings p ON p.term = probe.term
        GROUP BY p.event_id
      )
      SELECT h.event_id AS eventId, te.thread_id AS threadId, t.last_event_at AS lastEventAt
      FROM hits h
      JOIN thread_events te ON te.event_id = h.event_id
      JOIN threads t ON t.id = te.thread_id
      WHERE t.merged_into IS NULL AND t.last_event_at >= @cutoff AND h.event_id IS NOT @exclude
      ORDER BY h.overlap DESC, h.event_id
      LIMIT @limit`),
    candidateFeatures: db.prepare(
      'SELECT event_id AS eventId, terms_json AS terms, entities_json AS entities FROM thread_event_features WHERE event_id IN (SELECT value FROM json_each(?))',
    ),
  };
  prepared.set(db, s);
  return s;
}

/**
 * Stores an event's features and adds it to the index and the document frequencies; call it when
 * the event joins a thread. Recording an event again replaces its features (its terms are counted
 * once in the document frequencies, however often it is recorded).
 */
export function recordEventFeatures(db: Database, eventId: string, event: Pick<NewsEvent, 'title' | 'summary'>): void {
  const s = statements(db);
  const terms = eventTerms(event);
  const entities = eventEntities(event);
  const termList = JSON.stringify([...terms.keys()]);
  db.transaction(() => {
    forget(s, eventId);
    s.insertFeatures.run(eventId, JSON.stringify(Object.fromEntries(terms)), JSON.stringify(entities), terms.size, FEATURES_VERSION);
    s.addPostings.run(eventId, termList);
    s.addDf.run(termList);
  })();
}

/** Takes an event's earlier features out of the index and the document frequencies. */
function forget(s: Statements, eventId: string): void {
  const row = s.features.get(eventId) as { terms_json: string } | undefined;
  if (!row) return;
  // A damaged row still has its postings: take out whatever the index holds for the event.
  const stored = readFeatures(row.terms_json, '{}');
  const termList = JSON.stringify(stored ? [...stored.terms.keys()] : s.postingsOf.all(eventId).map((r) => (r as { term: string }).term));
  s.removePostings.run(eventId, termList);
  s.removeDf.run(termList);
  s.dropZeroDf.run(termList);
  s.deleteFeatures.run(eventId);
}

/** Features for every event already in a thread (migration 8): what linking compares new events with. */
export function backfillThreadFeatures(db: Database): number {
  // Read in full before writing: better-sqlite3 cannot write while a read is iterating.
  const rows = db.prepare('SELECT event_id, title, summary FROM thread_events ORDER BY event_at').all() as {
    event_id: string;
    title: string;
    summary: string;
  }[];
  for (const row of rows) recordEventFeatures(db, row.event_id, { title: row.title, summary: row.summary });
  return rows.length;
}

interface StoredFeatures {
  terms: Map<string, number>;
  entities: Entities;
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * An event's stored features, or undefined when the row cannot be read (damaged, or written in a
 * shape this version does not know): that event is left out of ranking rather than failing the run.
 */
function readFeatures(termsJson: string, entitiesJson: string): StoredFeatures | undefined {
  try {
    const terms = JSON.parse(termsJson) as unknown;
    const entities = JSON.parse(entitiesJson) as Partial<Record<keyof Entities, unknown>> | null;
    if (typeof terms !== 'object' || terms === null || Array.isArray(terms) || typeof entities !== 'object' || entities === null) return undefined;
    const counts = new Map<string, number>();
    for (const [term, tf] of Object.entries(terms)) if (typeof tf === 'number' && Number.isFinite(tf)) counts.set(term, tf);
    const list = (v: unknown): string[] => (isStringArray(v) ? v : []);
    return { terms: counts, entities: { countries: list(entities.countries), organisations: list(entities.organisations), names: list(entities.names) } };
  } catch {
    return undefined;
  }
}

/** Document frequencies of terms, 0 for a term no archived event has. */
function documentFrequencies(s: Statements, terms: Iterable<string>, into: Map<string, number>): void {
  const missing = [...terms].filter((t) => !into.has(t));
  if (missing.length === 0) return;
  for (const row of s.dfOf.all(JSON.stringify(missing)) as { term: string; df: number }[]) into.set(row.term, row.df);
}

/**
 * The active threads most similar to `event`, best first, with the parts of each score. Active:
 * not merged into another thread, and its latest event at most ACTIVE_THREAD_DAYS before
 * `eventAt` (the new event's publishedAt, else now; ISO). Each thread scores as its best-matching
 * event, decayed by the gap since the thread's latest event. Threads sharing no rarer term with
 * the event are not candidates (their cosine would be near zero).
 */
export function rankThreads(db: Database, event: Pick<NewsEvent, 'title' | 'summary'>, eventAt: string, options: RankOptions = {}): RankedThread[] {
  const at = Date.parse(eventAt);
  if (Number.isNaN(at)) throw new TypeError(`eventAt must be an ISO date, got ${JSON.stringify(eventAt)}`);
  const limit = options.limit ?? DEFAULT_RANK_LIMIT;
  const s = statements(db);
  const documents = (s.documents.get() as { n: number }).n;
  const terms = eventTerms(event);
  if (documents === 0 || terms.size === 0) return [];

  const df = new Map<string, number>();
  documentFrequencies(s, terms.keys(), df);
  const query = tfidfVector(terms, (t) => df.get(t) ?? 0, documents);

  // Rarest terms first (they identify a story), bounded in count and in index rows read.
  const probe: Record<string, number> = {};
  let postings = 0;
  let probed = 0;
  for (const term of [...terms.keys()].filter((t) => (df.get(t) ?? 0) > 0).sort((a, b) => df.get(a)! - df.get(b)! || (a < b ? -1 : 1))) {
    const n = df.get(term)!;
    if (probed >= MAX_PROBE_TERMS || (probed > 0 && postings + n > PROBE_POSTINGS_BUDGET)) break;
    probe[term] = query.get(term)!;
    postings += n;
    probed++;
  }
  if (probed === 0) return [];

  const cutoff = new Date(at - ACTIVE_THREAD_DAYS * DAY_MS).toISOString();
  const hits = s.candidates.all({
    probe: JSON.stringify(probe),
    cutoff,
    exclude: options.excludeEventId ?? null,
    limit: MAX_CANDIDATE_EVENTS,
  }) as { eventId: string; threadId: string; lastEventAt: string }[];
  if (hits.length === 0) return [];

  const features = s.candidateFeatures.all(JSON.stringify(hits.map((h) => h.eventId))) as { eventId: string; terms: string; entities: string }[];
  const byEvent = new Map<string, StoredFeatures>();
  for (const row of features) {
    const stored = readFeatures(row.terms, row.entities);
    if (stored) byEvent.set(row.eventId, stored);
  }
  const allTerms = new Set<string>();
  for (const f of byEvent.values()) for (const t of f.terms.keys()) allTerms.add(t);
  documentFrequencies(s, allTerms, df);
  const dfOf = (t: string): number => df.get(t) ?? 0;

  const entities = eventEntities(event);
  const best = new Map<string, RankedThread>();
  for (const hit of hits) {
    const f = byEvent.get(hit.eventId);
    if (!f) continue;
    const parts: ScoreParts = {
      cosine: cosine(query, tfidfVector(f.terms, dfOf, documents)),
      entities: entityOverlap(entities, f.entities),
      decay: timeDecay(daysBetween(hit.lastEventAt, eventAt)),
    };
    const score = combinedScore(parts);
    const current = best.get(hit.threadId);
    if (!current || score > current.score) best.set(hit.threadId, { threadId: hit.threadId, score, parts, eventId: hit.eventId, lastEventAt: hit.lastEventAt });
  }
  return [...best.values()]
    .filter((r) => r.score > 0)
    .sort((a, b) => b.score - a.score || (a.threadId < b.threadId ? -1 : 1))
    .slice(0, limit);
}
