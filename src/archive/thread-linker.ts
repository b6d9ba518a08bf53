import type { Database } from 'better-sqlite3';
import type { IdentifiedEvent, NewsEvent } from '../event/schema.js';
import { decideLink } from '../threads/link-decision.js';
import { rankThreads, recordEventFeatures } from './thread-features.js';

/**
 * The linking engine as the thread store uses it: the one place that calls it, so the store
 * never scores similarity itself. Passed in (with this as the default) so tests can pin a decision.
 */
export interface Linker {
  /** The best thread for `event` (null: none is similar enough, start a new one), and what it beat. */
  decide(db: Database, event: IdentifiedEvent, eventAt: string, now: Date): LinkerVerdict;
  /** Stores what later events are compared against (runs inside the assigning transaction). */
  record(db: Database, eventId: string, event: NewsEvent): void;
}

export interface LinkerVerdict {
  threadId: string | null;
  method: 'similarity' | 'new' | 'model';
  score: number | null;
  runnerUp: { threadId: string; score: number } | null;
  detail: Record<string, unknown>;
}

export const defaultLinker: Linker = {
  decide(db, event, eventAt, now) {
    const ranked = rankThreads(db, event.event, eventAt, { excludeEventId: event.id });
    const verdict = decideLink(ranked, undefined, now);
    return { threadId: verdict.threadId, method: verdict.method, score: verdict.score, runnerUp: verdict.runnerUp, detail: verdict.detail };
  },
  record(db, eventId, event) {
    recordEventFeatures(db, eventId, event);
  },
};
