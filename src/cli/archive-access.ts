import { isAbsolute, resolve } from 'node:path';
import type { Database } from 'better-sqlite3';
import { openArchive } from '../archive/open-archive.js';
import { resolveDbPath } from '../config/db-path.js';
import type { CliIo } from './io.js';
import { environmentWithDotenv } from './load-env.js';

/** The archive path this invocation uses (--db > ASSESS_DB > .env > data directory), absolute. */
export function archivePath(flags: { db?: string }, io: CliIo): string {
  const path = resolveDbPath(flags, environmentWithDotenv(io.env, io.cwd));
  return isAbsolute(path) ? path : resolve(io.cwd, path);
}

/**
 * Opens the archive for the review commands, which never create one: a missing archive is an
 * InputError saying so. The callback's result is returned and the database always closed.
 */
export async function withArchive<T>(flags: { db?: string }, io: CliIo, use: (db: Database, path: string) => Promise<T> | T): Promise<T> {
  const path = archivePath(flags, io);
  const db = openArchive(path, { create: false });
  try {
    return await use(db, path);
  } finally {
    db.close();
  }
}
