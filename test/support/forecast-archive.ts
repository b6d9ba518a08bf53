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

/**
 * Runs both events into `db`; returns the thread id and the two run ids. The replay runs forecast
 * now, and `assess resolve` refuses an outcome dated in the future or no later than a question's
 * first forecast; `forecastsMadeAt` (one date-time per run) records each run's forecasts once more
 * at that time, as an archive built over months would have them, so tests can resolve in the past.
 * Forecasts are insert-only, hence copies rather than an update; the copies carry the same
 * probabilities, so each forecaster's latest forecast is unchanged.
 */
export function buildForecastArchive(db: string, options: { forecastsMadeAt?: [string, string] } = {}): { threadId: string; runs: string[] } {
  const runs: string[] = [];
  let threadId = '';
  for (const event of [SEED_EVENT, FOLLOW_UP]) {
    const r = assess(['run', event, '--provider', 'replay', '--db', db, '--format', 'json', '--no-progress']);
    if (r.code !== 0) throw new Error(`assess run ${event} failed (${r.code}): ${r.stderr}`);
    const report = JSON.parse(r.stdout) as { runId: string; thread: { id: string } };
    runs.push(report.runId);
    threadId = report.thread.id;
  }
  if (options.forecastsMadeAt) {
    const d = new Database(db);
    try {
      const copy = d.prepare(
        'INSERT INTO forecasts (question_id, forecaster, run_id, synthesis_version, made_at, probabilities_json) SELECT question_id, forecaster, run_id, synthesis_version, ?, probabilities_json FROM forecasts WHERE run_id = ? ORDER BY id',
      );
      for (const [i, run] of runs.entries()) copy.run(options.forecastsMadeAt[i], run);
    } finally {
      d.close();
    }
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
