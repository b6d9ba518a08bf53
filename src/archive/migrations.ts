import type { Database } from 'better-sqlite3';
import type { AgentAssessment } from '../assessment/schema.js';
import type { NewsEvent } from '../event/schema.js';
import { assessmentSearchText, eventSearchText } from './search-documents.js';
import { toIndexText } from './search-text.js';
import { backfillThreadFeatures } from './thread-features.js';

/**
 * Versioned migrations, applied in order inside one transaction each. PRAGMA user_version holds
 * the version reached; a database at a higher version than the last here was written by a newer
 * assess and is refused rather than touched.
 */
export interface Migration {
  version: number;
  description: string;
  up: (db: Database) => void;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'runs, prompt texts, model calls, desk results, syntheses',
    up: (db) => {
      db.exec(`
        CREATE TABLE runs (
          id TEXT PRIMARY KEY,
          event_id TEXT NOT NULL,
          event_title TEXT NOT NULL,
          event_json TEXT NOT NULL,
          desks_json TEXT NOT NULL, -- [{agentId, provider, model, definitionHash → texts}]
          synthesis_model_json TEXT NOT NULL,
          prompt_hashes_json TEXT NOT NULL,
          options_json TEXT NOT NULL,
          started_at TEXT NOT NULL,
          finished_at TEXT,
          status TEXT NOT NULL,
          pid INTEGER,
          host TEXT
        );
        CREATE INDEX runs_started_at ON runs(started_at);
        CREATE INDEX runs_event_id ON runs(event_id);

        -- Rendered prompts and desk definitions are long and repeat: each distinct text is stored once.
        CREATE TABLE texts (
          hash TEXT PRIMARY KEY,
          body TEXT NOT NULL
        );

        CREATE TABLE calls (
          id INTEGER PRIMARY KEY,
          run_id TEXT NOT NULL REFERENCES runs(id),
          round INTEGER NOT NULL,
          agent_id TEXT,
          purpose TEXT NOT NULL,
          attempt INTEGER NOT NULL,
          kind TEXT NOT NULL,
          provider TEXT NOT NULL,
          model TEXT NOT NULL,
          system_hash TEXT NOT NULL REFERENCES texts(hash),
          messages_hash TEXT NOT NULL REFERENCES texts(hash),
          raw_text TEXT,
          finish_reason TEXT,
          -- 1 when this output was accepted: its parsed value is raw_text as JSON, and the validated
          -- result lives in desk_results / syntheses (not stored a third time here).
          valid INTEGER NOT NULL,
          issues_json TEXT NOT NULL,
          input_tokens INTEGER,
          output_tokens INTEGER,
          latency_ms INTEGER NOT NULL,
          cost_usd REAL,
          error TEXT,
          created_at TEXT NOT NULL
        );
        CREATE INDEX calls_run_id ON calls(run_id);

        -- One row per desk per round (round 0 = the run, 1.. = resumes); the latest row wins.
        CREATE TABLE desk_results (
          run_id TEXT NOT NULL REFERENCES runs(id),
          agent_id TEXT NOT NULL,
          round INTEGER NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
          assessment_json TEXT,
          failure_kind TEXT,
          failure_reason TEXT,
          finished_at TEXT NOT NULL,
          PRIMARY KEY (run_id, agent_id, round)
        );
        CREATE INDEX desk_results_agent ON desk_results(agent_id, run_id);

        CREATE TABLE syntheses (
          run_id TEXT NOT NULL REFERENCES runs(id),
          version INTEGER NOT NULL,
          risk_view_json TEXT,
          overall_risk TEXT,
          error TEXT,
          created_at TEXT NOT NULL,
          PRIMARY KEY (run_id, version)
        );
      `);
    },
  },
  {
    version: 2,
    description: 'full-text search over events and assessments (FTS5, CJK as bigrams)',
    up: (db) => {
      db.exec(`
        -- Which run and desk each indexed document belongs to (agent_id NULL: the event itself).
        -- Ids grow with time, so newest-first search can stop at its limit.
        CREATE TABLE search_docs (
          id INTEGER PRIMARY KEY,
          run_id TEXT NOT NULL REFERENCES runs(id),
          agent_id TEXT
        );
        CREATE INDEX search_docs_run ON search_docs(run_id);
        -- Contentless: the index only. Snippets are cut from the event or assessment itself.
        CREATE VIRTUAL TABLE search_index USING fts5(body, content='', tokenize='unicode61 remove_diacritics 2');
      `);
      // Backfill what earlier versions archived, so old runs are searchable too.
      // Rows are read in full before writing: better-sqlite3 cannot write while a read is iterating.
      const addDoc = searchDocInserter(db);
      const runs = db.prepare('SELECT id, event_json FROM runs ORDER BY started_at').all() as { id: string; event_json: string }[];
      for (const row of runs) addDoc(row.id, null, eventSearchText(JSON.parse(row.event_json) as NewsEvent));
      const results = db
        .prepare("SELECT run_id, agent_id, assessment_json FROM desk_results WHERE status = 'ok' ORDER BY finished_at")
        .all() as { run_id: string; agent_id: string; assessment_json: string }[];
      for (const row of results) addDoc(row.run_id, row.agent_id, assessmentSearchText(JSON.parse(row.assessment_json) as AgentAssessment));
    },
  },
  {
    version: 3,
    description: 'feeds, feed items (dedupe keys, routing, the persistent queue)',
    up: (db) => {
      db.exec(`
        CREATE TABLE feeds (
          name TEXT PRIMARY KEY,
          url TEXT NOT NULL,
          etag TEXT,
          last_modified TEXT,
          last_poll_at TEXT,
          last_status INTEGER,
          last_error TEXT,
          next_poll_at TEXT,
          consecutive_failures INTEGER NOT NULL DEFAULT 0,
          items_seen INTEGER NOT NULL DEFAULT 0,
          items_assessed INTEGER NOT NULL DEFAULT 0,
          items_skipped INTEGER NOT NULL DEFAULT 0
        );

        -- One row per story. status: queued → running → done, or skipped (filtered, no desk, duplicate-free
        -- but irrelevant). The queue is the queued rows, oldest first.
        CREATE TABLE feed_items (
          id INTEGER PRIMARY KEY,
          feed TEXT NOT NULL,
          canonical_link TEXT,
          title_fingerprint TEXT NOT NULL,
          title TEXT NOT NULL,
          first_seen_at TEXT NOT NULL,
          sources_json TEXT NOT NULL,
          event_json TEXT NOT NULL,
          event_id TEXT NOT NULL,
          text_source TEXT NOT NULL,
          route_json TEXT,
          status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'skipped')),
          skip_reason TEXT,
          run_id TEXT,
          updated_at TEXT NOT NULL
        );
        CREATE INDEX feed_items_queue ON feed_items(status, id);
        CREATE INDEX feed_items_link ON feed_items(canonical_link);
        CREATE INDEX feed_items_seen ON feed_items(first_seen_at);

        -- Every key under which a story was seen (guid, canonical link or content hash, from any feed).
        CREATE TABLE feed_item_keys (
          key TEXT PRIMARY KEY,
          item_id INTEGER NOT NULL REFERENCES feed_items(id)
        );
      `);
    },
  },
  {
    version: 4,
    description: 'prompt-cache tokens per call (read and written), priced apart from other input',
    up: (db) => {
      // Part of input_tokens, as the usage report counts them; NULL on calls archived before.
      db.exec(`
        ALTER TABLE calls ADD COLUMN cache_read_tokens INTEGER;
        ALTER TABLE calls ADD COLUMN cache_write_tokens INTEGER;
      `);
    },
  },
  {
    version: 5,
    description: 'feed items: attempts, backoff and the failed status; feeds: parse warnings',
    up: (db) => {
      // SQLite cannot change a CHECK constraint in place, so feed_items is rebuilt with `failed`
      // allowed. feed_item_keys references it, so it is rebuilt alongside (copies first, then the
      // old tables dropped child first): foreign keys stay enforced throughout and no row is lost.
      db.exec(`
        CREATE TABLE feed_items_v5 (
          id INTEGER PRIMARY KEY,
          feed TEXT NOT NULL,
          canonical_link TEXT,
          title_fingerprint TEXT NOT NULL,
          title TEXT NOT NULL,
          first_seen_at TEXT NOT NULL,
          sources_json TEXT NOT NULL,
          event_json TEXT NOT NULL,
          event_id TEXT NOT NULL,
          text_source TEXT NOT NULL,
          route_json TEXT,
          -- queued → running → done (its run ended ok, or degraded with a synthesis). A run that
          -- failed puts the item back in the queue with a later next_attempt_at; after the last
          -- attempt it is failed (terminal until \`assess feeds retry\`). skipped: never assessed.
          status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'skipped', 'failed')),
          skip_reason TEXT,
          run_id TEXT,
          updated_at TEXT NOT NULL,
          attempts INTEGER NOT NULL DEFAULT 0,
          last_error TEXT,
          last_attempt_at TEXT,
          next_attempt_at TEXT
        );
        INSERT INTO feed_items_v5 (id, feed, canonical_link, title_fingerprint, title, first_seen_at, sources_json, event_json,
          event_id, text_source, route_json, status, skip_reason, run_id, updated_at)
        SELECT id, feed, canonical_link, title_fingerprint, title, first_seen_at, sources_json, event_json,
          event_id, text_source, route_json, status, skip_reason, run_id, updated_at FROM feed_items;
        CREATE TABLE feed_item_keys_v5 (
          key TEXT PRIMARY KEY,
          item_id INTEGER NOT NULL REFERENCES feed_items_v5(id)
        );
        INSERT INTO feed_item_keys_v5 (key, item_id) SELECT key, item_id FROM feed_item_keys;
        DROP TABLE feed_item_keys;
        DROP TABLE feed_items;
        -- Renaming the parent rewrites the child's REFERENCES clause to the new name.
        ALTER TABLE feed_items_v5 RENAME TO feed_items;
        ALTER TABLE feed_item_keys_v5 RENAME TO feed_item_keys;
        CREATE INDEX feed_items_queue ON feed_items(status, id);
        CREATE INDEX feed_items_link ON feed_items(canonical_link);
        CREATE INDEX feed_items_seen ON feed_items(first_seen_at);

        -- "malformed XML: recovered 3 items (…)" while a feed is read despite not being well-formed.
        ALTER TABLE feeds ADD COLUMN parse_warning TEXT;
      `);
      // Earlier versions marked an item done whatever its run's outcome, and set an item aside as
      // skipped after three failures in one process. Neither was an assessment: both become failed,
      // with the reason, so \`feeds status\` shows them and \`assess feeds retry\` can requeue them
      // (not requeued here: an upgrade must not start spending on old stories by itself).
      db.exec(`
        UPDATE feed_items SET status = 'failed', attempts = 1,
          last_error = 'its run ended ' || COALESCE((SELECT status FROM runs WHERE runs.id = feed_items.run_id), 'unarchived')
            || ' without a synthesis (marked done by an earlier version of assess)'
        WHERE status = 'done' AND NOT EXISTS (
          SELECT 1 FROM runs r WHERE r.id = feed_items.run_id AND (r.status = 'ok' OR (r.status = 'degraded' AND (
            SELECT s.risk_view_json FROM syntheses s WHERE s.run_id = r.id ORDER BY s.version DESC LIMIT 1) IS NOT NULL)));
        UPDATE feeds SET items_skipped = items_skipped - (
          SELECT COUNT(*) FROM feed_items i WHERE i.feed = feeds.name AND i.status = 'skipped' AND i.skip_reason LIKE 'failed % times: %');
        UPDATE feed_items SET status = 'failed', last_error = skip_reason, skip_reason = NULL,
          attempts = MAX(1, CAST(substr(skip_reason, 8, instr(skip_reason, ' times') - 8) AS INTEGER))
        WHERE status = 'skipped' AND skip_reason LIKE 'failed % times: %';
        UPDATE feeds SET items_assessed = (SELECT COUNT(*) FROM feed_items i WHERE i.feed = feeds.name AND i.status = 'done');
      `);
    },
  },
  {
    version: 6,
    description: 'covering indexes for the per-run counts runs list shows',
    up: (db) => {
      // `runs list` sums each run's call costs and counts its desks. Without these, SQLite reads
      // the calls and desk_results rows themselves, whose raw responses and assessments run over
      // several pages each: ~20 ms of a cold `runs list --limit 50` at 10,000 runs.
      db.exec(`
        CREATE INDEX calls_run_cost ON calls(run_id, cost_usd);
        CREATE INDEX desk_results_run_status ON desk_results(run_id, status, agent_id);
      `);
    },
  },
  {
    version: 7,
    description: 'threads: every event in exactly one thread, link decisions, the thread context a run was shown',
    up: (db) => {
      db.exec(`
        -- A story over time. A merged thread keeps its row (merged_into says where its events went)
        -- so ids printed in old reports still resolve.
        CREATE TABLE threads (
          id TEXT PRIMARY KEY,
          title TEXT NOT NULL,
          created_at TEXT NOT NULL,
          last_event_at TEXT NOT NULL,
          merged_into TEXT REFERENCES threads(id)
        );
        CREATE INDEX threads_last_event ON threads(last_event_at);

        -- Current membership: every archived event is in exactly one thread.
        CREATE TABLE thread_events (
          event_id TEXT PRIMARY KEY,
          thread_id TEXT NOT NULL REFERENCES threads(id),
          title TEXT NOT NULL,
          summary TEXT NOT NULL,
          -- publishedAt, else when the event was first assessed
          event_at TEXT NOT NULL,
          added_at TEXT NOT NULL
        );
        CREATE INDEX thread_events_thread ON thread_events(thread_id, event_at);

        -- Every decision that put an event in a thread, in order (the latest is the current one):
        -- linking by similarity, overrides, moves, merges. Never rewritten.
        CREATE TABLE thread_links (
          id INTEGER PRIMARY KEY,
          event_id TEXT NOT NULL,
          thread_id TEXT NOT NULL,
          method TEXT NOT NULL,
          score REAL,
          runner_up_thread_id TEXT,
          runner_up_score REAL,
          detail_json TEXT NOT NULL,
          decided_at TEXT NOT NULL
        );
        CREATE INDEX thread_links_event ON thread_links(event_id, id);

        -- The thread a run belonged to when it started, and the memory and evidence its desks were
        -- shown (ThreadContext as JSON): reports and resume read it back; moves never change it.
        ALTER TABLE runs ADD COLUMN thread_id TEXT;
        ALTER TABLE runs ADD COLUMN thread_context_json TEXT;
      `);
      // Events archived before threads existed each become a thread of their own (linking them by
      // similarity after the fact would guess at what analysts saw; `assess threads merge` joins them).
      const events = db
        .prepare(
          `SELECT event_id, event_title, event_json, MIN(started_at) AS first_at FROM runs GROUP BY event_id ORDER BY first_at`,
        )
        .all() as { event_id: string; event_title: string; event_json: string; first_at: string }[];
      const thread = db.prepare('INSERT INTO threads (id, title, created_at, last_event_at) VALUES (?, ?, ?, ?)');
      const member = db.prepare(
        'INSERT INTO thread_events (event_id, thread_id, title, summary, event_at, added_at) VALUES (?, ?, ?, ?, ?, ?)',
      );
      const link = db.prepare(
        `INSERT INTO thread_links (event_id, thread_id, method, score, detail_json, decided_at) VALUES (?, ?, 'backfill', NULL, '{}', ?)`,
      );
      const runThread = db.prepare('UPDATE runs SET thread_id = ? WHERE event_id = ?');
      for (const row of events) {
        let summary = '';
        let at = row.first_at;
        try {
          const event = JSON.parse(row.event_json) as { summary?: unknown; publishedAt?: unknown };
          if (typeof event.summary === 'string') summary = event.summary;
          if (typeof event.publishedAt === 'string') at = event.publishedAt;
        } catch {
          // A damaged event row keeps its title; the thread is still made.
        }
        const id = backfillThreadId(row.event_id);
        thread.run(id, row.event_title, row.first_at, at);
        member.run(row.event_id, id, row.event_title, summary, at, row.first_at);
        link.run(row.event_id, id, row.first_at);
        runThread.run(id, row.event_id);
      }
    },
  },
  {
    version: 8,
    description: 'thread linking: each event\'s terms and entities, an inverted index of terms, document frequencies',
    up: (db) => {
      db.exec(`
        -- What linking compares a new event with (src/archive/thread-features.ts): the event's term
        -- frequencies ({term: tf}, title terms counted twice) and named entities, from its title and summary.
        CREATE TABLE thread_event_features (
          event_id TEXT PRIMARY KEY,
          terms_json TEXT NOT NULL,
          entities_json TEXT NOT NULL,
          term_count INTEGER NOT NULL,
          -- FEATURES_VERSION when made: a later tokenizer can tell which rows to re-derive from thread_events.
          version INTEGER NOT NULL
        );
        -- The inverted index: which events have a term. Ranking reads only the postings of the new
        -- event's rarer terms. WITHOUT ROWID: the key is the whole row.
        CREATE TABLE thread_term_postings (
          term TEXT NOT NULL,
          event_id TEXT NOT NULL,
          PRIMARY KEY (term, event_id)
        ) WITHOUT ROWID;
        -- How many events have each term (for IDF), kept with the postings.
        CREATE TABLE thread_term_df (
          term TEXT PRIMARY KEY,
          df INTEGER NOT NULL
        ) WITHOUT ROWID;
        -- Ranking looks up the thread of every event an index read finds (over a thousand at 10,000
        -- events); covering, so it reads this index and not thread_events rows, which carry the title
        -- and summary: a new process's first link read those pages cold.
        CREATE INDEX thread_events_member ON thread_events(event_id, thread_id);
      `);
      // Events already in threads (each in its own, from migration 7) get features, so new events can join them.
      backfillThreadFeatures(db);
    },
  },
  {
    version: 9,
    description: 'forecast questions, their options, the desk items behind each option, immutable forecasts, resolution history',
    up: (db) => {
      // Nothing is backfilled: runs archived before this have no questions (src/archive/forecasts.ts).
      db.exec(`
        -- One multiple-choice question per thread (<thread>:Q, source 'scenarios') and one binary
        -- question per merged risk (<thread>:R<n>, source 'risk'). Ids stay stable as the thread is
        -- updated; title, criteria and resolve-by are those of the latest run that forecast it.
        CREATE TABLE questions (
          id TEXT PRIMARY KEY,
          thread_id TEXT NOT NULL,
          kind TEXT NOT NULL CHECK (kind IN ('multiple-choice', 'binary')),
          source_key TEXT NOT NULL,
          title TEXT NOT NULL,
          axis TEXT,
          criteria TEXT NOT NULL,
          resolve_by TEXT,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL
        );
        CREATE INDEX questions_thread ON questions(thread_id);
        -- Scenario lineage ids (S1…) plus 'none', or 'yes'/'no'. Options are only ever added.
        CREATE TABLE question_options (
          question_id TEXT NOT NULL REFERENCES questions(id),
          option_id TEXT NOT NULL,
          label TEXT NOT NULL,
          position INTEGER NOT NULL,
          PRIMARY KEY (question_id, option_id)
        ) WITHOUT ROWID;
        -- Which desk item (JP-01:T2, CN-01:R1) fed which option in a run, from the synthesis clustering.
        CREATE TABLE question_mappings (
          run_id TEXT NOT NULL REFERENCES runs(id),
          synthesis_version INTEGER NOT NULL,
          question_id TEXT NOT NULL REFERENCES questions(id),
          option_id TEXT NOT NULL,
          item_id TEXT NOT NULL
        );
        CREATE INDEX question_mappings_question ON question_mappings(question_id, run_id);
        -- Every probability, immutable: insert only (the triggers refuse UPDATE and DELETE). A thread
        -- update or a resume with a new synthesis adds rows; nothing is edited.
        CREATE TABLE forecasts (
          id INTEGER PRIMARY KEY,
          question_id TEXT NOT NULL REFERENCES questions(id),
          forecaster TEXT NOT NULL, -- desk id, pool:<method> or baseline:uniform
          run_id TEXT NOT NULL REFERENCES runs(id),
          synthesis_version INTEGER NOT NULL,
          made_at TEXT NOT NULL,
          probabilities_json TEXT NOT NULL
        );
        CREATE INDEX forecasts_question ON forecasts(question_id, made_at);
        CREATE INDEX forecasts_run ON forecasts(run_id, synthesis_version);
        CREATE TRIGGER forecasts_no_update BEFORE UPDATE ON forecasts
          BEGIN SELECT RAISE(ABORT, 'forecasts are immutable: insert a new forecast instead'); END;
        CREATE TRIGGER forecasts_no_delete BEFORE DELETE ON forecasts
          BEGIN SELECT RAISE(ABORT, 'forecasts are immutable: they are never deleted'); END;
        -- Resolution history, append-only: the latest row is in force. outcome NULL = void.
        CREATE TABLE resolutions (
          id INTEGER PRIMARY KEY,
          question_id TEXT NOT NULL REFERENCES questions(id),
          outcome TEXT,
          evidence_url TEXT,
          note TEXT,
          resolved_at TEXT NOT NULL,
          recorded_at TEXT NOT NULL
        );
        CREATE INDEX resolutions_question ON resolutions(question_id, recorded_at);
        CREATE TRIGGER resolutions_no_update BEFORE UPDATE ON resolutions
          BEGIN SELECT RAISE(ABORT, 'resolutions are append-only: record a correction instead'); END;
        CREATE TRIGGER resolutions_no_delete BEFORE DELETE ON resolutions
          BEGIN SELECT RAISE(ABORT, 'resolutions are append-only: record a correction instead'); END;
      `);
    },
  },
  {
    version: 10,
    description: 'analysts\' reviews: desk ratings, flagged problems and Markdown notes on a run, a desk, a risk or a trajectory',
    up: (db) => {
      // Insert-only, like forecasts: a newer rating by the same author supersedes the older one
      // when shown as the current rating, and every row stays for exports. src/archive/reviews.ts
      // validates refs against the run before writing; the CHECKs guard the rest.
      db.exec(`
        CREATE TABLE reviews (
          id INTEGER PRIMARY KEY,
          run_id TEXT NOT NULL REFERENCES runs(id),
          kind TEXT NOT NULL CHECK (kind IN ('run', 'desk', 'risk', 'trajectory')),
          -- NULL for the run; the desk id; a merged risk (RR1) or desk risk (JP-01:R2); a scenario (S1) or desk trajectory (JP-01:T1).
          ref TEXT,
          author TEXT NOT NULL,
          created_at TEXT NOT NULL,
          rating INTEGER CHECK (rating IS NULL OR rating BETWEEN 1 AND 5),
          flag TEXT CHECK (flag IS NULL OR flag IN ('unsupported-fact', 'invented-source', 'wrong-stance', 'missed-angle')),
          note TEXT,
          CHECK (rating IS NOT NULL OR flag IS NOT NULL OR note IS NOT NULL),
          CHECK ((kind = 'run') = (ref IS NULL))
        );
        CREATE INDEX reviews_run ON reviews(run_id, id);
        CREATE TRIGGER reviews_no_update BEFORE UPDATE ON reviews
          BEGIN SELECT RAISE(ABORT, 'reviews are insert-only: add a newer review instead'); END;
      `);
    },
  },
  {
    version: 11,
    description: 'index feed items by run, for the runs page feed facet and filter',
    up: (db) => {
      // The workspace filters and counts runs by the feed they came from (feed_items.run_id); without
      // an index each request scans every item the watcher ever saw.
      db.exec('CREATE INDEX feed_items_run ON feed_items(run_id) WHERE run_id IS NOT NULL;');
    },
  },
];

/** Backfilled threads take their id from their only event, so an upgrade is deterministic. */
function backfillThreadId(eventId: string): string {
  return `th-${eventId.slice(0, 10)}`;
}

export const LATEST_VERSION = MIGRATIONS.at(-1)!.version;

/** Adds one searchable document to the index. */
export function searchDocInserter(db: Database): (runId: string, agentId: string | null, text: string) => void {
  const doc = db.prepare('INSERT INTO search_docs (run_id, agent_id) VALUES (?, ?)');
  const index = db.prepare('INSERT INTO search_index (rowid, body) VALUES (?, ?)');
  return (runId, agentId, text) => {
    const { lastInsertRowid } = doc.run(runId, agentId);
    index.run(lastInsertRowid, toIndexText(text));
  };
}
