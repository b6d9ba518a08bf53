import type { Database } from 'better-sqlite3';
import type { NewsEvent } from '../event/schema.js';
import type { SuggestionEvidenceEvent, SuggestionQuestion } from '../forecasts/suggestion.js';
import { loadQuestion } from './forecasts.js';
import { boundSummary } from './thread-context.js';

/**
 * What `assess questions suggest` asks a model about: each unresolved question with the events of
 * its thread that came after it was first asked. "After" is by event time (publication date, else
 * when first assessed), not by when the runs happened, so re-running old news does not make it new.
 */

/** Newest events shown per question; older ones are what the forecasts already saw. */
export const MAX_SUGGEST_EVENTS = 6;
/** Characters of each event's text shown: enough for a news item, bounded for cost. */
export const MAX_SUGGEST_EVENT_CHARS = 6000;

export interface SuggestionCandidate {
  question: SuggestionQuestion;
  threadId: string;
  /** Event time of the earliest event the question was forecast on. */
  askedAt: string;
  /** Newer events, newest first, as E1, E2…; empty when there are none. */
  events: SuggestionEvidenceEvent[];
}

export interface CandidateSelection {
  /** Explicit question ids; an unknown one is an InputError (exit 2). */
  questionIds?: readonly string[];
  threadId?: string;
  /** Only questions whose resolve-by date is today or earlier. */
  due?: boolean;
  today: string;
}

export interface SkippedQuestion {
  questionId: string;
  reason: string;
}

export interface Candidates {
  candidates: SuggestionCandidate[];
  skipped: SkippedQuestion[];
}

function eventUrl(eventJson: string | undefined): string | undefined {
  if (eventJson === undefined) return undefined;
  try {
    const event = JSON.parse(eventJson) as Partial<NewsEvent>;
    return event.url ?? event.source?.url;
  } catch {
    // A corrupt row costs the link, not the suggestion.
    return undefined;
  }
}

/**
 * Unresolved questions (explicit ids, or every question of the selection) with their newer events.
 * A question already resolved, void, never forecast, or with no newer event is skipped with the
 * reason, so nobody pays for a call that has nothing to read.
 */
export function loadSuggestionCandidates(db: Database, selection: CandidateSelection): Candidates {
  const ids =
    selection.questionIds && selection.questionIds.length > 0
      ? [...selection.questionIds]
      : (db
          .prepare(
            `SELECT q.id FROM questions q WHERE (@thread IS NULL OR q.thread_id = @thread)
               AND (@due = 0 OR (q.resolve_by IS NOT NULL AND substr(q.resolve_by, 1, 10) <= @today))
             ORDER BY q.thread_id, q.kind <> 'multiple-choice', length(q.id), q.id`,
          )
          .pluck()
          .all({ thread: selection.threadId ?? null, due: selection.due ? 1 : 0, today: selection.today }) as string[]);

  const askedAt = db.prepare(
    `SELECT MIN(te.event_at) FROM forecasts f JOIN runs r ON r.id = f.run_id JOIN thread_events te ON te.event_id = r.event_id
     WHERE f.question_id = ?`,
  ).pluck();
  const newer = db.prepare(
    `SELECT te.event_id, te.title, te.summary, te.event_at,
       (SELECT r.event_json FROM runs r WHERE r.event_id = te.event_id ORDER BY r.started_at DESC LIMIT 1) AS event_json
     FROM thread_events te WHERE te.thread_id = ? AND te.event_at > ? ORDER BY te.event_at DESC, te.event_id LIMIT ?`,
  );

  const candidates: SuggestionCandidate[] = [];
  const skipped: SkippedQuestion[] = [];
  for (const id of ids) {
    const q = loadQuestion(db, id);
    if (q.resolution !== null) {
      skipped.push({ questionId: q.id, reason: q.resolution.outcome === null ? 'void' : `already resolved (${q.resolution.outcome})` });
      continue;
    }
    const asked = askedAt.get(q.id) as string | null;
    if (asked === null) {
      skipped.push({ questionId: q.id, reason: 'never forecast' });
      continue;
    }
    const rows = newer.all(q.threadId, asked, MAX_SUGGEST_EVENTS) as {
      event_id: string;
      title: string;
      summary: string;
      event_at: string;
      event_json: string | undefined;
    }[];
    if (rows.length === 0) {
      skipped.push({ questionId: q.id, reason: `no event in its thread after ${asked.slice(0, 10)}` });
      continue;
    }
    candidates.push({
      question: { id: q.id, type: q.type, title: q.title, criteria: q.criteria, resolveBy: q.resolveBy, options: q.options },
      threadId: q.threadId,
      askedAt: asked,
      events: rows.map((r, i) => {
        const url = eventUrl(r.event_json ?? undefined);
        return {
          ref: `E${i + 1}`,
          eventId: r.event_id,
          title: r.title,
          text: `${r.title}\n\n${boundSummary(r.summary, MAX_SUGGEST_EVENT_CHARS)}`,
          at: r.event_at,
          ...(url !== undefined ? { url } : {}),
        };
      }),
    });
  }
  return { candidates, skipped };
}
