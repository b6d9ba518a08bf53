import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CLI } from '../bench/spawn-cli.js';
import { ROOT, SEED_EVENT } from './paths.js';

/**
 * An archive with forecast questions, made through the built CLI (`node dist/cli/main.js`) from the
 * two events of `npm run demo:thread` with the replay provider. Run `npm run build` after changing
 * src/: these tests exercise the dist/ that exists.
 */
export const FOLLOW_UP = join(ROOT, 'fixtures', 'events', 'jbic-first-projects.md');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function assess(args: string[]): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ASSESS_DB: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs both events into `db`; returns the thread id and the two run ids. */
export function buildForecastArchive(db: string): { threadId: string; runs: string[] } {
  const runs: string[] = [];
  let threadId = '';
  for (const event of [SEED_EVENT, FOLLOW_UP]) {
    const r = assess(['run', event, '--provider', 'replay', '--db', db, '--format', 'json', '--no-progress']);
    if (r.code !== 0) throw new Error(`assess run ${event} failed (${r.code}): ${r.stderr}`);
    const report = JSON.parse(r.stdout) as { runId: string; thread: { id: string } };
    runs.push(report.runId);
    threadId = report.thread.id;
  }
  return { threadId, runs };
}

/** Every row of a table, by id (for "the archive did not change"). */
export function tableRows(db: string, table: 'resolutions' | 'forecasts' | 'questions'): unknown[] {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all();
  } finally {
    d.close();
  }
}
