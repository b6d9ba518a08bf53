/**
 * `assess resolve` (issue 14 §4) through the built CLI, on an archive made from the two events of
 * `npm run demo:thread`: a resolution is appended, a correction is a new row with the old one kept,
 * `questions show` shows the one in force and the history, and every bad input is exit 2 with one
 * line and no archive change. Run `npm run build` after changing src/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuestionDetail } from '../src/archive/forecasts.js';
import { assess, buildForecastArchive, tableRows } from './support/forecast-archive.js';

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
    thread = buildForecastArchive(db).threadId;
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records an outcome with evidence, note and date; questions show has it', () => {
    const r = assess(['resolve', `${thread}:R1`, '--outcome', 'yes', '--evidence', 'https://example.com/jbic?a=1', '--note', 'first call', '--at', '2027-03-01', '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${thread}:R1 resolved: yes at 2027-03-01`);
    const q = show(`${thread}:R1`);
    expect(q.resolution).toMatchObject({ outcome: 'yes', at: '2027-03-01', evidence: 'https://example.com/jbic?a=1', note: 'first call' });
    expect(q.resolutionHistory).toHaveLength(1);
    const md = assess(['questions', 'show', `${thread}:R1`, '--db', db]).stdout;
    expect(md).toContain('- Resolution: yes (at 2027-03-01');
  });

  it('a correction is a new row; the old one stays and the latest is in force', () => {
    const before = tableRows(db, 'resolutions');
    const r = assess(['resolve', `${thread}:R1`, '--outcome', 'no', '--at', '2027-02-01T09:30Z', '--note', 'misread the filing', '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    const after = tableRows(db, 'resolutions');
    expect(after).toHaveLength(before.length + 1);
    expect(after.slice(0, before.length)).toEqual(before);
    const q = show(`${thread}:R1`);
    expect(q.resolution).toMatchObject({ outcome: 'no', at: '2027-02-01T09:30:00.000Z', note: 'misread the filing' });
    expect(q.resolutionHistory.map((h) => h.outcome)).toEqual(['yes', 'no']);
    const md = assess(['questions', 'show', `${thread}:R1`, '--db', db]).stdout;
    expect(md).toContain('## Resolution history');
    expect(md).toMatch(/recorded .*: yes \(at 2027-03-01\) https:\/\/example\.com\/jbic\?a=1 — first call/);
    expect(md).toMatch(/recorded .*: no \(at 2027-02-01T09:30:00\.000Z\) — misread the filing/);
  });

  it('resolves the scenario question to one of its options', () => {
    const q = show(`${thread}:Q`);
    const option = q.options[0]!.id;
    const r = assess(['resolve', `${thread}:Q`, '--outcome', option, '--at', '2029-01-20', '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(show(`${thread}:Q`).resolution).toMatchObject({ outcome: option, at: '2029-01-20' });
  });

  it('void needs a note; re-resolving a void question needs --force', () => {
    const id = `${thread}:R2`;
    expect(assess(['resolve', id, '--void', '--note', 'criterion ambiguous', '--at', '2026-12-31', '--db', db]).code).toBe(0);
    expect(show(id).resolution).toMatchObject({ outcome: null, note: 'criterion ambiguous' });
    const before = tableRows(db, 'resolutions');
    for (const args of [['--outcome', 'yes'], ['--void', '--note', 'still void']]) {
      const r = assess(['resolve', id, ...args, '--db', db]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('--force');
    }
    expect(tableRows(db, 'resolutions')).toEqual(before);
    const forced = assess(['resolve', id, '--outcome', 'yes', '--at', '2026-12-01', '--force', '--db', db]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(show(id).resolution).toMatchObject({ outcome: 'yes', at: '2026-12-01' });
    expect(show(id).resolutionHistory).toHaveLength(2);
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
