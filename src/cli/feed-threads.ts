import type { Database } from 'better-sqlite3';
import { resolveThreadId } from '../archive/resolve-thread-id.js';
import type { ThreadOverride } from '../archive/thread-store.js';
import { InputError } from '../errors/index.js';
import type { WatchConfig } from '../feeds/types.js';

/**
 * Each feed's `thread:` setting as the override its stories get (`auto` feeds have none). A thread
 * id must name a thread in the archive: an unknown one is an InputError at its line in the feeds
 * file, raised when the watcher starts, before anything is polled. A merged thread's id gives the
 * thread its events went to, and `notes` says so.
 */
export function feedThreadOverrides(db: Database, config: WatchConfig, label: string): { overrides: Map<string, ThreadOverride>; notes: string[] } {
  const overrides = new Map<string, ThreadOverride>();
  const notes: string[] = [];
  for (const feed of config.feeds) {
    const setting = feed.thread;
    if (setting === undefined || setting === 'auto') continue;
    if (setting === 'new') {
      overrides.set(feed.name, { newThread: true });
      continue;
    }
    try {
      const resolved = resolveThreadId(db, setting.threadId);
      overrides.set(feed.name, { threadId: resolved.id });
      if (resolved.note) notes.push(`${label}:${setting.line}: ${setting.field}: ${resolved.note}`);
    } catch (error) {
      if (error instanceof InputError) throw new InputError(`${label}:${setting.line}: ${setting.field}: ${error.message}`);
      throw error;
    }
  }
  return { overrides, notes };
}
