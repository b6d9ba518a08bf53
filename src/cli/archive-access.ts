import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Database } from 'better-sqlite3';
import { openArchive } from '../archive/open-archive.js';
import { configFilePath } from '../config/config-file-path.js';
import { resolveDbPath } from '../config/db-path.js';
import type { CliIo } from './io.js';
import { environmentWithDotenv } from './load-env.js';

/**
 * The archive path this invocation uses (--db > ASSESS_DB > .env > the configuration file's `db:`
 * > data directory), absolute. The configuration file (and zod with it) is only loaded when one
 * exists, so review commands stay quick to start.
 */
export async function archivePath(flags: { db?: string }, io: CliIo): Promise<string> {
  const env = environmentWithDotenv(io.env, io.cwd);
  let path = resolveDbPath(flags, env);
  const explicit = (flags.db ?? env['ASSESS_DB'] ?? '').trim() !== '';
  if (!explicit && existsSync(configFilePath(undefined, env, io.cwd).path)) {
    const { loadConfigFile } = await import('../config/config-file.js');
    path = loadConfigFile(undefined, env, io.cwd)?.values.db ?? path;
  }
  return isAbsolute(path) ? path : resolve(io.cwd, path);
}

/**
 * Opens the archive for the review commands, which never create one: a missing archive is an
 * InputError saying so. The callback's result is returned and the database always closed.
 */
export async function withArchive<T>(flags: { db?: string }, io: CliIo, use: (db: Database, path: string) => Promise<T> | T): Promise<T> {
  const path = await archivePath(flags, io);
  const db = openArchive(path, { create: false });
  try {
    return await use(db, path);
  } finally {
    db.close();
  }
}
