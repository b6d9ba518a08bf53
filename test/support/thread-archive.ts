import DatabaseConstructor, { type Database } from 'better-sqlite3';
import { MIGRATIONS } from '../../src/archive/migrations.js';
import { recordEventFeatures } from '../../src/archive/thread-features.js';

/**
 * Threads written directly, for the linking tests and bench: the rows the thread store would
 * write when an event joins a thread (threads, thread_events) and the features linking reads.
 */

/** An in-memory archive at the latest schema. */
export function memoryArchive(): Database {
  const db = new DatabaseConstructor(':memory:');
  db.transaction(() => {
    for (const migration of MIGRATIONS) migration.up(db);
  })();
  return db;
}

export interface ThreadedEvent {
  eventId: string;
  threadId: string;
  title: string;
  summary: string;
  /** ISO date-time. */
  at: string;
}

/** Puts an event in a thread (made on first use), moves the thread's last_event_at on, and records its features. */
export function addToThread(db: Database, e: ThreadedEvent): void {
  db.prepare('INSERT OR IGNORE INTO threads (id, title, created_at, last_event_at) VALUES (?, ?, ?, ?)').run(e.threadId, e.title, e.at, e.at);
  db.prepare('UPDATE threads SET last_event_at = MAX(last_event_at, ?) WHERE id = ?').run(e.at, e.threadId);
  db.prepare('INSERT INTO thread_events (event_id, thread_id, title, summary, event_at, added_at) VALUES (?, ?, ?, ?, ?, ?)').run(
    e.eventId,
    e.threadId,
    e.title,
    e.summary,
    e.at,
    e.at,
  );
  recordEventFeatures(db, e.eventId, e);
}
