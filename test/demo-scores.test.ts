/**
 * The offline demo of forecast scoring (`npm run demo:scores`): the script builds a throwaway
 * archive (the real demo event plus a seeded, illustrative history) and prints `assess scores` by
 * desk and by pool through the built CLI. Like bundle.test.ts and demo-thread.test.ts, this tests
 * the dist/ that exists: run `npm run build` after changing src/.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pooledForecasts, type Forecast, type Probabilities, type Question, type QuestionOption } from '../src/forecasts/index.js';
import { DESKS, DESK_STYLES, type DeskId } from '../scripts/demo-scores.js';
import { CLI, spawnCli } from './bench/spawn-cli.js';
import { ROOT } from './support/paths.js';

const SCRIPT = join(ROOT, 'scripts', 'demo-scores.ts');

interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface JsonRow {
  forecaster: string;
  n: number;
  brier: number;
  sharpness: number;
  rank: number | null;
  reliability: { n: number }[];
}

let dir: string;
let first: ScriptResult;
let second: ScriptResult;
let json: ScriptResult;

/** `node --import tsx scripts/demo-scores.ts` with a clean environment, as `npm run demo:scores` starts it. */
function runScript(demoDir: string, args: string[] = []): Promise<ScriptResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, ...args], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, DEMO_SCORES_DIR: demoDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The two Markdown reports the script prints, split at the second report's heading. */
function reports(stdout: string): { byDesk: string; byPool: string } {
  const at = stdout.indexOf('# Forecast scores by pool');
  expect(stdout.startsWith('# Forecast scores by desk')).toBe(true);
  expect(at).toBeGreaterThan(0);
  return { byDesk: stdout.slice(0, at), byPool: stdout.slice(at) };
}

/** The leaderboard row of `forecaster` (its name as shown), or undefined. */
const boardRow = (report: string, shown: string): string | undefined =>
  report.split('\n').find((line) => line.startsWith('| ') && line.split(' | ')[1] === shown);

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before these tests`);
  dir = mkdtempSync(join(tmpdir(), 'assess-demo-scores-'));
  first = await runScript(join(dir, 'one'));
  second = await runScript(join(dir, 'two'));
  json = await runScript(join(dir, 'json'), ['--format', 'json']);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('demo:scores — an illustrative track record, scored offline', () => {
  it('exits 0 and says on stderr, before anything else, that the figures are an illustration', () => {
    expect(first.code).toBe(0);
    expect(first.stderr).not.toMatch(/^\s+at /m);
    const banner = first.stderr.slice(0, first.stderr.indexOf('demo:scores:'));
    expect(banner).toContain('ILLUSTRATION');
    expect(banner).toContain('SYNTHETIC forecasts');
    expect(banner).toContain('not the track record of any');
    for (const desk of DESKS) expect(banner).toContain(`${desk}  ${DESK_STYLES[desk].summary}`);
    expect(first.stderr).toMatch(/the real demo event plus 40 illustrative threads, \d+ questions \((\d+) resolved, 2 void, \d+ unresolved\)/);
    const resolved = Number(/\((\d+) resolved/.exec(first.stderr)?.[1]);
    expect(resolved).toBeGreaterThanOrEqual(34);
  });

  it('by desk: ranks shown, every desk a ranked row beside the baseline, a reliability table each', () => {
    const { byDesk } = reports(first.stdout);
    expect(byDesk).not.toMatch(/rankings withheld/i);
    for (const forecaster of [...DESKS, 'baseline:uniform']) {
      const row = boardRow(byDesk, forecaster);
      expect(row, forecaster).toMatch(/^\| [1-9] \| /);
      const table = byDesk.slice(byDesk.indexOf(`### Reliability: ${forecaster}\n`));
      expect(table.indexOf('### Reliability:')).toBe(0);
      // The heading, a blank line, the header and separator, then one row per bin with forecasts in
      // it: several for a desk, two for the baseline (1/4 on scenario options, 1/2 on risks).
      const lines = table.split('\n');
      const bins = lines.slice(4, lines.indexOf('', 4));
      expect(lines[2]).toBe('| BIN | N | MEAN FORECAST | OBSERVED | WILSON 95% |');
      for (const bin of bins) expect(bin).toMatch(/^\| 0\.\d–[01]\.\d \| [1-9]\d* \| 0\.\d{3} \| [01]\.\d{3} \| [01]\.\d{3}–[01]\.\d{3} \|$/);
      expect(bins.length).toBeGreaterThanOrEqual(forecaster === 'baseline:uniform' ? 2 : 5);
    }
    // Pools are not desks: the by-desk report leaves them out.
    expect(byDesk).not.toContain('pool:');
  });

  it('by pool: the three pools, the best desk marked, and the baseline, all ranked', () => {
    const { byPool } = reports(first.stdout);
    expect(byPool).not.toMatch(/rankings withheld/i);
    for (const pool of ['pool:trimmed-mean', 'pool:median', 'pool:log-odds-mean', 'baseline:uniform']) {
      expect(boardRow(byPool, pool), pool).toMatch(/^\| [1-9] \| /);
      expect(byPool).toContain(`### Reliability: ${pool}\n`);
    }
    const best = byPool.split('\n').filter((l) => l.includes('(best desk)'));
    expect(best).toHaveLength(1);
    expect(best[0]).toMatch(/^\| [1-9] \| [A-Z]{2}-01 \(best desk\) \| /);
  });

  it('is deterministic: a second run into another folder prints the same reports', () => {
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
  });

  it('passes extra arguments to both reports: --format json gives two JSON documents', () => {
    expect(json.code).toBe(0);
    const at = json.stdout.indexOf('\n{');
    const [byDesk, byPool] = [JSON.parse(json.stdout.slice(0, at)), JSON.parse(json.stdout.slice(at))] as { by: string; rows: JsonRow[] }[];
    expect([byDesk?.by, byPool?.by]).toEqual(['desk', 'pool']);
  });
});

describe('the styles the illustration was generated with show in the scores', () => {
  let rows: Map<string, JsonRow>;
  beforeAll(async () => {
    const out = await spawnCli(['scores', '--db', join(dir, 'one', 'assess.db'), '--format', 'json'], {}, { usage: false, cwd: dir, killAfterMs: 60_000 });
    expect(out.code).toBe(0);
    const report = JSON.parse(out.stdout) as { rankingsWithheld: boolean; resolvedQuestions: number; rows: JsonRow[] };
    expect(report.rankingsWithheld).toBe(false);
    rows = new Map(report.rows.map((r) => [r.forecaster, r]));
  });
  const deskWith = (summary: string): JsonRow => {
    const desk = DESKS.find((d) => DESK_STYLES[d].summary === summary);
    const row = desk && rows.get(desk);
    if (!row) throw new Error(`no desk styled ${summary}`);
    return row;
  };

  it('every desk has enough resolved questions to be ranked', () => {
    for (const desk of DESKS) {
      expect(rows.get(desk)?.n).toBeGreaterThanOrEqual(30);
      expect(rows.get(desk)?.rank).not.toBeNull();
    }
  });

  it('the well-calibrated desk beats the overconfident, noisy and underconfident ones on Brier', () => {
    const calibrated = deskWith('well calibrated');
    for (const worse of ['overconfident (too sharp)', 'noisy', 'underconfident (hugs uniform)']) expect(calibrated.brier).toBeLessThan(deskWith(worse).brier);
    // The noisy desk barely beats (or loses to) knowing nothing.
    expect(deskWith('noisy').brier).toBeGreaterThan(rows.get('baseline:uniform')!.brier - 0.03);
  });

  it('sharpness follows the styles: the overconfident desk is the sharpest, the underconfident one the least', () => {
    const sharpness = DESKS.map((d) => ({ d, s: rows.get(d)!.sharpness })).sort((a, b) => a.s - b.s);
    expect(DESK_STYLES[sharpness[0]!.d].summary).toBe('underconfident (hugs uniform)');
    expect(DESK_STYLES[sharpness.at(-1)!.d].summary).toBe('overconfident (too sharp)');
  });
});

describe('the illustrative archive', () => {
  it('holds the pools and baseline exactly as the product pools its desks (pooledForecasts), per question and run', () => {
    const db = new Database(join(dir, 'one', 'assess.db'), { readonly: true });
    try {
      const questions = db.prepare("SELECT id, kind FROM questions WHERE thread_id LIKE 'th-illus-%' ORDER BY id").all() as { id: string; kind: Question['type'] }[];
      expect(questions.length).toBeGreaterThanOrEqual(80);
      const options = db.prepare("SELECT option_id AS id, label FROM question_options WHERE question_id = ? ORDER BY option_id = 'none', position");
      const forecasts = db.prepare('SELECT forecaster, run_id AS runId, made_at AS madeAt, probabilities_json AS p FROM forecasts WHERE question_id = ? ORDER BY id');
      let checked = 0;
      for (const q of questions) {
        const question: Question = { id: q.id, type: q.kind, options: options.all(q.id) as QuestionOption[], resolveBy: '', resolution: null };
        if (q.kind === 'multiple-choice') expect(question.options.map((o) => o.id)).toEqual(['S1', 'S2', 'S3', 'none']);
        else expect(question.options.map((o) => o.id)).toEqual(['yes', 'no']);
        const stored = (forecasts.all(q.id) as { forecaster: string; runId: string; madeAt: string; p: string }[]).map(
          (f): Forecast => ({ forecaster: f.forecaster, questionId: q.id, runId: f.runId, madeAt: f.madeAt, probabilities: JSON.parse(f.p) as Probabilities }),
        );
        const runs = [...new Set(stored.map((f) => f.runId))];
        expect(runs).toHaveLength(2);
        for (const runId of runs) {
          const ofRun = stored.filter((f) => f.runId === runId);
          const desks = ofRun.filter((f) => (DESKS as readonly string[]).includes(f.forecaster));
          expect(desks.length).toBeGreaterThan(0);
          const others = ofRun.filter((f) => !(DESKS as readonly string[]).includes(f.forecaster));
          expect(others).toEqual(pooledForecasts(question, desks, { runId, madeAt: desks[0]!.madeAt }));
          checked++;
        }
      }
      expect(checked).toBe(questions.length * 2);
      // Desks run on made-up models, so --by model has groups and no real model is scored.
      const models = new Set(
        (db.prepare("SELECT desks_json FROM runs WHERE thread_id LIKE 'th-illus-%'").all() as { desks_json: string }[]).flatMap((r) =>
          (JSON.parse(r.desks_json) as { agentId: DeskId; provider: string; model: string }[]).map((d) => `${d.provider}/${d.model}`),
        ),
      );
      expect([...models].sort()).toEqual(['illustration/model-a', 'illustration/model-b', 'illustration/model-c']);
    } finally {
      db.close();
    }
  });
});
