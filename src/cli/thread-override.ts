import type { Database } from 'better-sqlite3';
import { resolveThreadId } from '../archive/resolve-thread-id.js';
import type { ThreadOverride } from '../archive/thread-store.js';
import { InputError } from '../errors/index.js';
import type { ArchiveUnavailableError } from '../archive/errors.js';
import type { CliIo } from './io.js';
import { openForWriting } from './run-setup.js';

/** `assess run --thread ID` / `--new-thread`, as commander hands them over. */
export interface ThreadFlags {
  thread?: string;
  newThread?: boolean;
  /** false with --no-archive. */
  archive: boolean;
}

/**
 * The override the flags ask for, checked before anything is read: both at once, or either with
 * --no-archive (no archive, no thread), is an InputError. The id is resolved later, once the
 * archive is open (`resolveOverride`).
 */
export function parseThreadFlags(flags: ThreadFlags): ThreadOverride | undefined {
  const wantsId = flags.thread !== undefined;
  if (wantsId && flags.newThread) throw new InputError('give --thread ID or --new-thread, not both');
  if ((wantsId || flags.newThread) && !flags.archive) {
    throw new InputError(`${wantsId ? '--thread' : '--new-thread'} needs the archive (threads live there); drop --no-archive`);
  }
  if (wantsId) {
    if (flags.thread!.trim() === '') throw new InputError('--thread needs a thread id, e.g. th-3f2a9c (assess threads list shows them)');
    return { threadId: flags.thread! };
  }
  return flags.newThread ? { newThread: true } : undefined;
}

/**
 * The override with its thread id resolved in the archive (a prefix, or a merged thread's id, gives
 * the thread the events are in now): an unknown id is an InputError before any model is called.
 * `note` is the line to tell the user when the id named a merged thread.
 */
export function resolveOverride(db: Database, override: ThreadOverride | undefined): { override: ThreadOverride | undefined; note: string | null } {
  if (!override || 'newThread' in override) return { override, note: null };
  const resolved = resolveThreadId(db, override.threadId);
  return { override: { threadId: resolved.id }, note: resolved.note };
}

/**
 * The archive a run writes to (null path: --no-archive), with the flags' thread override resolved
 * in it. An unknown thread is an InputError, raised before any model is called; the archive is
 * closed first so nothing is left open. A note (a merged thread's new home) goes to stderr.
 */
export function openArchiveForThreads(
  dbPath: string | null,
  flags: ThreadFlags,
  io: Pick<CliIo, 'stderr'>,
): { archive: { db: Database | null; failure: ArchiveUnavailableError | null }; thread: { override: ThreadOverride | undefined; note: string | null } } {
  const archive = dbPath !== null ? openForWriting(dbPath) : { db: null, failure: null };
  let thread: { override: ThreadOverride | undefined; note: string | null } = { override: undefined, note: null };
  try {
    if (archive.db) thread = resolveOverride(archive.db, parseThreadFlags(flags));
  } catch (error) {
    archive.db?.close();
    throw error;
  }
  if (thread.note) io.stderr.write(`note: ${thread.note}\n`);
  return { archive, thread };
}
