/**
 * `assess resolve` (issue 14 §4) through the built CLI, on an archive made from the two events of
 * `npm run demo:thread`: a resolution is appended, a correction is a new row with the old one kept,
 * `questions show` shows the one in force and the history, and every bad input is exit 2 with one
 * line and no archive change. Run `npm run build` after changing src/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuestionDetail } from '../src/archive/forecasts.js';
import { assess, buildForecastArchive, tableRows } from './support/forecast-archive.js';

/** When the first run's forecasts were made (set in beforeAll). */
const FIRST_FORECAST = '2025-09-26T09:00:00.000Z';
/** Today and tomorrow as YYYY-MM-DD (UTC, as resolve compares dates). */
const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const DAY_MS = 86_400_000;

describe('assess resolve', () => {
  let dir: string;
  let db: string;
  let thread: string;
  const show = (id: string): QuestionDetail => {
    const r = assess(['questions', 'show', id, '--format', 'json', '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as QuestionDetail;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'assess-resolve-'));
    db = join(dir, 'assess.db');
    const built = buildForecastArchive(db);
    thread = built.threadId;
    // The replay runs forecast just now, and resolve refuses an outcome dated in the future or
    // before every forecast. Forecasts are insert-only, so each run's forecasts are recorded once
    // more, dated to its event's day as an archive built over time would have them: the questions'
    // first forecast is then FIRST_FORECAST, leaving room for outcomes in the past.
    const d = new Database(db);
    try {
      const backdate = d.prepare(
        'INSERT INTO forecasts (question_id, forecaster, run_id, synthesis_version, made_at, probabilities_json) SELECT question_id, forecaster, run_id, synthesis_version, ?, probabilities_json FROM forecasts WHERE run_id = ? ORDER BY id',
      );
      backdate.run(FIRST_FORECAST, built.runs[0]);
      backdate.run('2025-10-28T09:00:00.000Z', built.runs[1]);
    } finally {
      d.close();
    }
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records an outcome with evidence, note and date; questions show has it', () => {
    const r = assess(['resolve', `${thread}:R1`, '--outcome', 'yes', '--evidence', 'https://example.com/jbic?a=1', '--note', 'first call', '--at', '2026-03-01', '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${thread}:R1 resolved: yes at 2026-03-01`);
    const q = show(`${thread}:R1`);
    expect(q.resolution).toMatchObject({ outcome: 'yes', at: '2026-03-01', evidence: 'https://example.com/jbic?a=1', note: 'first call' });
    expect(q.resolutionHistory).toHaveLength(1);
    const md = assess(['questions', 'show', `${thread}:R1`, '--db', db]).stdout;
    expect(md).toContain('- Resolution: yes (at 2026-03-01');
  });

  it('a correction is a new row; the old one stays and the latest is in force', () => {
    const before = tableRows(db, 'resolutions');
    const r = assess(['resolve', `${thread}:R1`, '--outcome', 'no', '--at', '2026-02-01T09:30Z', '--note', 'misread the filing', '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    const after = tableRows(db, 'resolutions');
    expect(after).toHaveLength(before.length + 1);
    expect(after.slice(0, before.length)).toEqual(before);
    const q = show(`${thread}:R1`);
    expect(q.resolution).toMatchObject({ outcome: 'no', at: '2026-02-01T09:30:00.000Z', note: 'misread the filing' });
    expect(q.resolutionHistory.map((h) => h.outcome)).toEqual(['yes', 'no']);
    const md = assess(['questions', 'show', `${thread}:R1`, '--db', db]).stdout;
    expect(md).toContain('## Resolution history');
    expect(md).toMatch(/recorded .*: yes \(at 2026-03-01\) https:\/\/example\.com\/jbic\?a=1 — first call/);
    expect(md).toMatch(/recorded .*: no \(at 2026-02-01T09:30:00\.000Z\) — misread the filing/);
  });

  it('resolves the scenario question to one of its options', () => {
    const q = show(`${thread}:Q`);
    const option = q.options[0]!.id;
    const r = assess(['resolve', `${thread}:Q`, '--outcome', option, '--at', '2026-01-20', '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(show(`${thread}:Q`).resolution).toMatchObject({ outcome: option, at: '2026-01-20' });
  });

  it('void needs a note; re-resolving a void question needs --force', () => {
    const id = `${thread}:R2`;
    expect(assess(['resolve', id, '--void', '--note', 'criterion ambiguous', '--at', '2025-12-31', '--db', db]).code).toBe(0);
    expect(show(id).resolution).toMatchObject({ outcome: null, note: 'criterion ambiguous' });
    const before = tableRows(db, 'resolutions');
    for (const args of [['--outcome', 'yes'], ['--void', '--note', 'still void']]) {
      const r = assess(['resolve', id, ...args, '--db', db]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('--force');
    }
    expect(tableRows(db, 'resolutions')).toEqual(before);
    const forced = assess(['resolve', id, '--outcome', 'yes', '--at', '2025-12-01', '--force', '--db', db]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(show(id).resolution).toMatchObject({ outcome: 'yes', at: '2025-12-01' });
    expect(show(id).resolutionHistory).toHaveLength(2);
  });

  it("accepts today's date: an outcome may be recorded the day it happens", () => {
    const today = dayOf(Date.now());
    const before = tableRows(db, 'resolutions').length;
    const r = assess(['resolve', `${thread}:R4`, '--outcome', 'no', '--at', today, '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(tableRows(db, 'resolutions')).toHaveLength(before + 1);
    expect(show(`${thread}:R4`).resolution).toMatchObject({ outcome: 'no', at: today });
  });

  it('--force records an outcome dated before the first forecast, but never one in the future', () => {
    const id = `${thread}:R5`;
    const before = tableRows(db, 'resolutions').length;
    const future = assess(['resolve', id, '--outcome', 'yes', '--at', dayOf(Date.now() + DAY_MS), '--force', '--db', db]);
    expect(future.code).toBe(2);
    expect(future.stderr).toMatch(/is in the future/);
    expect(tableRows(db, 'resolutions')).toHaveLength(before);
    const r = assess(['resolve', id, '--outcome', 'yes', '--at', '2025-01-01', '--force', '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(tableRows(db, 'resolutions')).toHaveLength(before + 1);
    expect(show(id).resolution).toMatchObject({ outcome: 'yes', at: '2025-01-01' });
  });

  describe('bad input: exit 2, one line, nothing written', () => {
    const cases: [string, (t: string) => string[], RegExp][] = [
      ['an unknown question', (t) => [`${t}:R999`, '--outcome', 'yes'], /no question/],
      ['an outcome not among the options', (t) => [`${t}:R3`, '--outcome', 'maybe'], /"maybe" is not an option; valid: yes, no/],
      ['a scenario outcome not among the options', (t) => [`${t}:Q`, '--outcome', 'yes'], /valid: S1, .*none/],
      ['an unreadable --at', (t) => [`${t}:R3`, '--outcome', 'yes', '--at', '03/01/2027'], /--at: unreadable date/],
      ['an impossible --at', (t) => [`${t}:R3`, '--outcome', 'yes', '--at', '2027-02-30'], /--at: unreadable date/],
      ['--void without --note', (t) => [`${t}:R3`, '--void'], /--void needs --note/],
      ['--evidence that is not a URL', (t) => [`${t}:R3`, '--outcome', 'yes', '--evidence', 'the FT said so'], /not an http\(s\) URL/],
      ['--evidence that is not http(s)', (t) => [`${t}:R3`, '--outcome', 'yes', '--evidence', 'ftp://example.com/x'], /not an http\(s\) URL/],
      ['neither --outcome nor --void', (t) => [`${t}:R3`], /give --outcome/],
      ['both --outcome and --void', (t) => [`${t}:R3`, '--outcome', 'yes', '--void', '--note', 'x'], /not both/],
      ['an --at tomorrow', (t) => [`${t}:R3`, '--outcome', 'yes', '--at', dayOf(Date.now() + DAY_MS)], /: --at \d{4}-\d{2}-\d{2} is in the future; an outcome is recorded once it has happened$/m],
      ['an --at date-time an hour ahead', (t) => [`${t}:R3`, '--outcome', 'yes', '--at', new Date(Date.now() + 3_600_000).toISOString()], /: --at \S+Z is in the future; an outcome is recorded once it has happened$/m],
      ['a void dated in the future', (t) => [`${t}:R3`, '--void', '--note', 'x', '--at', dayOf(Date.now() + DAY_MS)], /is in the future/],
      [
        'an --at before every forecast',
        (t) => [`${t}:R3`, '--outcome', 'yes', '--at', '2025-01-01'],
        new RegExp(`:R3: --at 2025-01-01 is before the first forecast \\(${FIRST_FORECAST.replace(/\./g, '\\.')}\\); scoring ignores forecasts made at or after the outcome, so none would be scored — check the date, or pass --force$`, 'm'),
      ],
      // A date is its day's start (UTC): the day of the first forecast is before it.
      ["an --at on the first forecast's day", (t) => [`${t}:R3`, '--outcome', 'yes', '--at', FIRST_FORECAST.slice(0, 10)], /is before the first forecast/],
      ['an --at at the first forecast', (t) => [`${t}:R3`, '--outcome', 'yes', '--at', FIRST_FORECAST], /is at the first forecast/],
    ];
    for (const [name, args, message] of cases) {
      it(name, () => {
        const before = { resolutions: tableRows(db, 'resolutions'), questions: tableRows(db, 'questions'), forecasts: tableRows(db, 'forecasts') };
        const r = assess(['resolve', ...args(thread), '--db', db]);
        expect(r.code).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toMatch(message);
        expect({ resolutions: tableRows(db, 'resolutions'), questions: tableRows(db, 'questions'), forecasts: tableRows(db, 'forecasts') }).toEqual(before);
      });
    }
  });
});
