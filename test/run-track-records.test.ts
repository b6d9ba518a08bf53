/**
 * Track records in `assess run`'s reports (issue 14 §6) through the built CLI: on an archive made
 * from the two events of `npm run demo:thread` with some questions resolved, a desk that forecast a
 * resolved question gets "_Track record: JP-01: Brier 0.09 over 1 question._" under its heading in
 * the Markdown report — single run, batch on stdout and batch with --out — and a desk that forecast
 * none gets no such line; JSON output has no track-record text. Run `npm run build` after changing
 * src/.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuestionDetail } from '../src/archive/forecasts.js';
import { assess, buildForecastArchive, FOLLOW_UP } from './support/forecast-archive.js';
import { SEED_EVENT } from './support/paths.js';

interface Expected {
  brier: number;
  n: number;
}

/**
 * A forecaster's time-averaged Brier on one resolved question, written out here rather than taken
 * from src/ (scoreForecasters feeds both `assess scores` and the track records, so a bug there would
 * agree with itself): forecasts made at or after the resolution are ignored; each other forecast is
 * in force from its madeAt until the next one (the last until the resolution) and weighted by that
 * time. A binary question's Brier is (P(yes) − outcome)².
 */
function timeAveragedBrier(q: QuestionDetail, forecaster: string): number | null {
  const resolution = q.resolution;
  if (resolution === null || resolution.outcome === null) return null;
  const at = Date.parse(resolution.at);
  const mine = q.forecasts
    .filter((f) => f.forecaster === forecaster && Date.parse(f.madeAt) < at)
    .sort((a, b) => Date.parse(a.madeAt) - Date.parse(b.madeAt));
  if (mine.length === 0) return null;
  if (q.type !== 'binary') throw new Error(`${q.id}: this test resolves risk (binary) questions only`);
  const brier = (p: Record<string, number>): number => ((p['yes'] ?? 0) - (resolution.outcome === 'yes' ? 1 : 0)) ** 2;
  let weighted = 0;
  let total = 0;
  for (const [i, f] of mine.entries()) {
    const until = i + 1 < mine.length ? Date.parse(mine[i + 1]!.madeAt) : at;
    const ms = until - Date.parse(f.madeAt);
    weighted += ms * brier(f.probabilities);
    total += ms;
  }
  return total > 0 ? weighted / total : brier(mine.at(-1)!.probabilities);
}

const line = (desk: string, r: Expected): string => `_Track record: ${desk}: Brier ${r.brier.toFixed(2)} over ${r.n} question${r.n === 1 ? '' : 's'}._`;

/** Each report of a batch on stdout, split at its `<!-- assess: event n of N … -->` comment. */
function batchReports(stdout: string): string[] {
  return stdout.split(/^<!-- assess: event \d+ of \d+, run [^>]* -->$/m).slice(1);
}

describe('assess run: track records in the report', () => {
  let dir: string;
  let db: string;
  /** Desk → expected record, for desks that forecast a resolved question. */
  const expected = new Map<string, Expected>();

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'assess-run-track-'));
    db = join(dir, 'assess.db');
    const { threadId } = buildForecastArchive(db);
    // No --at: the outcome is dated now. The replay runs above made their forecasts moments ago, so
    // a dated outcome would have to be today and after them (resolve refuses future dates, and dates
    // before every forecast unless --force).
    // Two risk questions, not the scenario one (every desk forecasts that): in the replay fixture
    // JP-01 and US-01 forecast both, KR-01 only R1, the other desks neither.
    const resolutions: [string, string][] = [
      [`${threadId}:R1`, 'yes'],
      [`${threadId}:R3`, 'no'],
    ];
    for (const [id, outcome] of resolutions) {
      const r = assess(['resolve', id, '--outcome', outcome, '--db', db]);
      if (r.code !== 0) throw new Error(`resolve ${id} failed (${r.code}): ${r.stderr}`);
    }
    const questions = resolutions.map(
      ([id]) => JSON.parse(assess(['questions', 'show', id, '--format', 'json', '--db', db]).stdout) as QuestionDetail,
    );
    const sums = new Map<string, { sum: number; n: number }>();
    for (const q of questions) {
      for (const forecaster of new Set(q.forecasts.map((f) => f.forecaster))) {
        const b = timeAveragedBrier(q, forecaster);
        if (b === null) continue;
        const s = sums.get(forecaster) ?? { sum: 0, n: 0 };
        sums.set(forecaster, { sum: s.sum + b, n: s.n + 1 });
      }
    }
    for (const [forecaster, s] of sums) expected.set(forecaster, { brier: s.sum / s.n, n: s.n });
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The desks of a run report, from its JSON. */
  const desksOf = (json: string): string[] => (JSON.parse(json) as { assessments: { agentId: string }[] }).assessments.map((a) => a.agentId);

  it('a single Markdown run shows the exact line for each desk with resolved questions, none for the others', () => {
    const json = assess(['run', SEED_EVENT, '--provider', 'replay', '--db', db, '--format', 'json', '--no-progress']);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout).not.toContain('Track record');
    expect(json.stdout).not.toMatch(/Brier \d\.\d\d over/);
    const desks = desksOf(json.stdout);
    const withRecord = desks.filter((d) => expected.has(d));
    const silent = desks.filter((d) => !expected.has(d));
    // The fixture has both kinds; without them the assertions below would prove nothing.
    expect(withRecord.length).toBeGreaterThan(0);
    expect(silent.length).toBeGreaterThan(0);
    expect(withRecord.some((d) => expected.get(d)!.n > 1)).toBe(true);

    const md = assess(['run', SEED_EVENT, '--provider', 'replay', '--db', db, '--no-progress']);
    expect(md.code, md.stderr).toBe(0);
    for (const desk of withRecord) {
      const expectedLine = line(desk, expected.get(desk)!);
      // Once, right under the desk's heading.
      expect(md.stdout.split(expectedLine)).toHaveLength(2);
      expect(md.stdout).toMatch(new RegExp(`^## ${desk} — [^\\n]*\\n\\n${expectedLine.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    }
    for (const desk of silent) expect(md.stdout).not.toContain(`${desk}: Brier`);
    expect(md.stdout.match(/^_Track record: /gm)).toHaveLength(withRecord.length);
  });

  it('a batch of two events shows the lines in both reports on stdout; JSON Lines output has none', () => {
    const md = assess(['run', SEED_EVENT, FOLLOW_UP, '--provider', 'replay', '--db', db, '--no-progress']);
    expect(md.code, md.stderr).toBe(0);
    const reports = batchReports(md.stdout);
    expect(reports).toHaveLength(2);
    for (const report of reports) {
      const desks = [...report.matchAll(/^## ([A-Z]{2}-\d{2}) — /gm)].map((m) => m[1]!);
      expect(desks.length).toBeGreaterThan(0);
      for (const desk of desks) {
        const record = expected.get(desk);
        if (record) expect(report).toContain(line(desk, record));
        else expect(report).not.toContain(`${desk}: Brier`);
      }
      expect(report.match(/^_Track record: /gm)).toHaveLength(desks.filter((d) => expected.has(d)).length);
    }

    const jsonl = assess(['run', SEED_EVENT, FOLLOW_UP, '--provider', 'replay', '--db', db, '--format', 'json', '--no-progress']);
    expect(jsonl.code, jsonl.stderr).toBe(0);
    expect(jsonl.stdout.trim().split('\n')).toHaveLength(2);
    expect(jsonl.stdout).not.toContain('Track record');
    expect(jsonl.stdout).not.toMatch(/Brier \d\.\d\d over/);
  });

  it('a batch with --out writes the lines into both report.md files, none into report.json', () => {
    const out = join(dir, 'out');
    const r = assess(['run', SEED_EVENT, FOLLOW_UP, '--provider', 'replay', '--db', db, '--out', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    const folders = readdirSync(out, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    expect(folders).toHaveLength(2);
    for (const folder of folders) {
      const md = readFileSync(join(out, folder, 'report.md'), 'utf8');
      const desks = desksOf(readFileSync(join(out, folder, 'report.json'), 'utf8'));
      for (const desk of desks) {
        const record = expected.get(desk);
        if (record) expect(md).toContain(line(desk, record));
        else expect(md).not.toContain(`${desk}: Brier`);
      }
      expect(md.match(/^_Track record: /gm)).toHaveLength(desks.filter((d) => expected.has(d)).length);
      expect(readFileSync(join(out, folder, 'report.json'), 'utf8')).not.toContain('Track record');
    }
  });
});
