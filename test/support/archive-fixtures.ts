import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import DatabaseConstructor, { type Database } from 'better-sqlite3';
import { REPLAY_DIR } from './paths.js';

/**
 * Helpers for the archive tests: temp folders, replay folders made from the seed recordings,
 * raw access to an archive file, and rows written directly (runs whose ids, times, status or pid
 * a real run cannot produce on demand).
 */

/** A temp folder and a function removing it. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `assess-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A recording file as stored under fixtures/replay/<event>/. */
export interface Recording {
  model: string;
  usage: { inputTokens: number; outputTokens: number };
  latencyMs?: number;
  output: Record<string, unknown>;
}

/** The seed recording for `desk-JP-01`, `synthesis`, … */
export function seedRecording(name: string): Recording {
  return JSON.parse(readFileSync(join(REPLAY_DIR, `${name}.json`), 'utf8')) as Recording;
}

/**
 * A replay root (pass it as --replay-dir) answering `eventId` with the seed recordings, minus the
 * recordings in `drop` (that desk then fails) and with `edit` applied to the named ones.
 */
export function makeReplayDir(
  parent: string,
  eventId: string,
  options: { drop?: string[]; edit?: Record<string, (r: Recording) => Recording> } = {},
): string {
  const root = mkdtempSync(join(parent, 'replay-'));
  const folder = join(root, 'event');
  mkdirSync(folder);
  cpSync(REPLAY_DIR, folder, { recursive: true });
  writeFileSync(join(folder, 'manifest.json'), JSON.stringify({ eventId, eventFile: 'test' }));
  for (const name of options.drop ?? []) rmSync(join(folder, `${name}.json`));
  for (const [name, edit] of Object.entries(options.edit ?? {})) {
    writeFileSync(join(folder, `${name}.json`), JSON.stringify(edit(seedRecording(name)), null, 2));
  }
  return root;
}

export const sha256File = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Opens an archive file directly, as a test inspecting rows does. Close it when done. */
export function openRaw(path: string, options: { readonly?: boolean } = {}): Database {
  return new DatabaseConstructor(path, { readonly: options.readonly ?? false, fileMustExist: true });
}

/** Runs `use` on the archive opened directly, then closes it (so the CLI never waits on us). */
export function withRaw<T>(path: string, use: (db: Database) => T, options: { readonly?: boolean } = {}): T {
  const db = openRaw(path, options);
  try {
    return use(db);
  } finally {
    db.close();
  }
}

/** Columns of a `runs` row that a copy may change. */
export interface RunRowChanges {
  id: string;
  event_id?: string;
  event_title?: string;
  started_at?: string;
  finished_at?: string | null;
  status?: string;
  pid?: number | null;
  host?: string | null;
}

/**
 * Copies run `fromId` under a new id with `changes` applied, together with the desk results of
 * `desks` (default: all of them) and its syntheses when `withSynthesis`; no calls are copied.
 */
export function copyRun(db: Database, fromId: string, changes: RunRowChanges, options: { desks?: string[]; withSynthesis?: boolean } = {}): void {
  const row = db.prepare('SELECT * FROM runs WHERE id = ?').get(fromId) as Record<string, unknown> | undefined;
  if (!row) throw new Error(`no run ${fromId} to copy`);
  const copy = { ...row, ...changes };
  const columns = Object.keys(copy);
  db.transaction(() => {
    db.prepare(`INSERT INTO runs (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`).run(copy);
    const desks = db.prepare('SELECT * FROM desk_results WHERE run_id = ?').all(fromId) as Record<string, unknown>[];
    for (const d of desks) {
      if (options.desks && !options.desks.includes(d['agent_id'] as string)) continue;
      db.prepare(
        `INSERT INTO desk_results (run_id, agent_id, round, status, assessment_json, failure_kind, failure_reason, finished_at)
         VALUES (@run_id, @agent_id, @round, @status, @assessment_json, @failure_kind, @failure_reason, @finished_at)`,
      ).run({ ...d, run_id: changes.id });
    }
    if (options.withSynthesis) {
      db.prepare(
        `INSERT INTO syntheses (run_id, version, risk_view_json, overall_risk, error, created_at)
         SELECT ?, version, risk_view_json, overall_risk, error, created_at FROM syntheses WHERE run_id = ?`,
      ).run(changes.id, fromId);
    }
  })();
}

/** The pid of a process that has exited (so `kill(pid, 0)` fails with ESRCH). */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn node');
  await new Promise<void>((resolve, reject) => {
    child.once('exit', () => resolve());
    child.once('error', reject);
  });
  return pid;
}

/** Non-empty lines of some output. */
export const linesOf = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');
