import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import DatabaseConstructor, { type Database } from 'better-sqlite3';
import { InputError } from '../errors/index.js';
import { ArchiveUnavailableError } from './errors.js';
import { LATEST_VERSION, MIGRATIONS } from './migrations.js';

/** Marks a SQLite file as an assess archive (PRAGMA application_id), so foreign files are refused. */
export const APPLICATION_ID = 0x41535353; // "ASSS"

/** How long a writer or reader waits for the other before giving up, in ms. */
const BUSY_TIMEOUT_MS = 10_000;

const SQLITE_HEADER = 'SQLite format 3\u0000';

function readHeader(path: string): string | undefined {
  let fd: number | undefined;
  try {
    if (statSync(path).size === 0) return undefined;
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(16);
    readSync(fd, buffer, 0, 16, 0);
    return buffer.toString('latin1');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const codeOf = (error: unknown): string => (error as { code?: string } | undefined)?.code ?? '';

function unavailable(path: string, error: unknown): ArchiveUnavailableError {
  const code = codeOf(error);
  const why =
    code === 'SQLITE_CANTOPEN' || code === 'EACCES' || code === 'EROFS'
      ? 'cannot open or create it (read-only or missing folder?)'
      : code === 'SQLITE_FULL' || code === 'ENOSPC'
        ? 'disk full'
        : code === 'SQLITE_READONLY'
          ? 'read-only'
          : code === 'SQLITE_BUSY'
            ? 'locked by another process for too long'
            : (error as Error | undefined)?.message?.split('\n')[0] ?? 'unknown error';
  return new ArchiveUnavailableError(`archive ${path}: ${why}`, { cause: error });
}

/**
 * Opens (creating on first use) the archive at `path`: WAL so a writer and readers never block
 * each other, a busy timeout for writer/writer contention, then migrations. A file that is not an
 * assess database, or one written by a newer assess, is refused with an InputError naming it and
 * is never modified.
 */
export function openArchive(path: string, options: { create?: boolean } = {}): Database {
  const create = options.create ?? true;
  if (!create && !existsSync(path)) throw new InputError(`${path}: no archive here yet (run \`assess run\` first, or pass --db)`);
  const header = readHeader(path);
  if (header !== undefined && header !== SQLITE_HEADER) {
    throw new InputError(`${path}: not an assess database (not a SQLite file); refusing to touch it`);
  }
  let db: Database;
  try {
    if (create) mkdirSync(dirname(path), { recursive: true });
    db = new DatabaseConstructor(path, { fileMustExist: !create, timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    if (!create && codeOf(error) === 'SQLITE_CANTOPEN') throw new InputError(`${path}: no archive here yet (run \`assess run\` first)`);
    throw unavailable(path, error);
  }
  try {
    identify(db, path);
    // Switching a fresh file to WAL needs the write lock, and SQLite does not run the busy
    // handler for that lock upgrade: two processes opening a new archive at once must retry.
    retryWhileBusy(() => db.pragma('journal_mode = WAL'));
    // WAL + NORMAL survives a killed process (only a power cut can lose the last commits).
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, path);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof InputError) throw error;
    if (codeOf(error) === 'SQLITE_NOTADB') throw new InputError(`${path}: not an assess database (not a SQLite file); refusing to touch it`);
    throw unavailable(path, error);
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Retries an operation that failed with SQLITE_BUSY, for up to the busy timeout. */
function retryWhileBusy<T>(operation: () => T): T {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      return operation();
    } catch (error) {
      if (codeOf(error) !== 'SQLITE_BUSY' || Date.now() > deadline) throw error;
      Atomics.wait(pause, 0, 0, 10 + Math.floor(Math.random() * 20));
    }
  }
}

function identify(db: Database, path: string): void {
  // One read transaction, so the id, version and table count come from the same snapshot: another
  // process's first migration (which sets the id and creates the tables together) is seen whole or not at all.
  const { appId, version, tables } = retryWhileBusy(() =>
    db.transaction(() => ({
      appId: db.pragma('application_id', { simple: true }) as number,
      version: db.pragma('user_version', { simple: true }) as number,
      tables: (db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").get() as { n: number }).n,
    }))(),
  );
  if (appId === APPLICATION_ID) {
    if (version > LATEST_VERSION) {
      throw new InputError(
        `${path}: written by a newer version of assess (archive schema v${version}; this version reads up to v${LATEST_VERSION}); upgrade assess`,
      );
    }
    return;
  }
  if (appId !== 0 || tables > 0) throw new InputError(`${path}: not an assess database (it holds other data); refusing to touch it`);
}

function migrate(db: Database, path: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current === LATEST_VERSION) return;
  // IMMEDIATE: two processes opening a fresh archive at once must not both migrate it.
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > LATEST_VERSION) throw new InputError(`${path}: written by a newer version of assess (schema v${version})`);
    for (const migration of MIGRATIONS) {
      if (migration.version <= version) continue;
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }
    db.pragma(`application_id = ${APPLICATION_ID}`);
  }).immediate();
}

/** Applies migrations only up to `version`: for tests of upgrading an older archive. */
export function createArchiveAtVersion(path: string, version: number): Database {
  mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseConstructor(path);
  db.pragma('journal_mode = WAL');
  db.transaction(() => {
    for (const migration of MIGRATIONS) if (migration.version <= version) migration.up(db);
    db.pragma(`user_version = ${version}`);
    db.pragma(`application_id = ${APPLICATION_ID}`);
  })();
  return db;
}
