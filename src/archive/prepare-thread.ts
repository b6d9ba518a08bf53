import type { Database } from 'better-sqlite3';
import type { IdentifiedEvent } from '../event/schema.js';
import type { ThreadContext } from '../threads/context.js';
import { loadThreadContext } from './thread-context.js';
import { assignThread, type AssignOptions, type ThreadOverride } from './thread-store.js';

export interface PreparedThread {
  context: ThreadContext;
  /** Lines for the user, each with its `note:` or `warning:` prefix: an override that did not apply, earlier views that could not be read. */
  notes: string[];
}

/**
 * What `run` and `watch` do before a run of `event` starts: put the event in its thread (or find
 * the one it is in), then read what its desks are shown of that thread. `at` is the run's start.
 */
export function prepareThread(
  db: Database,
  event: IdentifiedEvent,
  deskIds: readonly string[],
  at: string,
  override?: ThreadOverride,
  options: AssignOptions = {},
): PreparedThread {
  const link = assignThread(db, event, at, override, options);
  const context = loadThreadContext(db, link.threadId, event, deskIds, at, link);
  const notes: string[] = [];
  const ignored = link.detail['overrideIgnored'];
  if (typeof ignored === 'string') {
    notes.push(`note: event ${event.id.slice(0, 8)} is already in thread ${link.threadId}; not put in ${ignored} (assess threads move ${event.id.slice(0, 8)} --to … moves it)`);
  }
  for (const warning of context.warnings) notes.push(`warning: thread ${link.threadId}: ${warning}`);
  return { context, notes };
}
