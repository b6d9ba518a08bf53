/**
 * `assess scores` (issue 14 §5) through the built CLI, on an archive made from the two events of
 * `npm run demo:thread` and resolved with `assess resolve`: the JSON figures match values computed
 * here by hand from `questions show`, rankings are withheld below 30 resolved questions, and each
 * grouping (--by desk|model|pool|thread) reads as documented; `assess forecasts export` gives every
 * forecast and resolution row, its CSV escaped properly. Run `npm run build` after changing src/.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuestionDetail } from '../src/archive/forecasts.js';
import type { ScoresReport } from '../src/cli/commands/scores.js';
import type { ForecastExport } from '../src/archive/forecast-export.js';
import { assess, buildForecastArchive } from './support/forecast-archive.js';

const RISK_AT = '2026-06-30';
const SCENARIO_AT = '2026-10-20';
/** Both runs' forecasts recorded once more at one past time (see buildForecastArchive): the later run's supersedes at once, so time-averaged = last. */
const MADE_AT = '2025-10-28T09:00:00.000Z';

describe('assess scores', () => {
  let dir: string;
  let db: string;
  let thread: string;
  const show = (id: string): QuestionDetail => JSON.parse(assess(['questions', 'show', id, '--format', 'json', '--db', db]).stdout) as QuestionDetail;
  const scores = (...args: string[]): ScoresReport => {
    const r = assess(['scores', '--format', 'json', ...args, '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as ScoresReport;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'assess-scores-'));
    db = join(dir, 'assess.db');
    thread = buildForecastArchive(db, { forecastsMadeAt: [MADE_AT, MADE_AT] }).threadId;
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('no resolved questions: a clear message, exit 0', () => {
    const r = assess(['scores', '--db', db]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no resolved questions yet/);
    expect(scores()).toMatchObject({ resolvedQuestions: 0, rows: [] });
  });

  it('matches Brier and log score computed by hand from questions show', () => {
    expect(assess(['resolve', `${thread}:R1`, '--outcome', 'yes', '--at', RISK_AT, '--db', db]).code).toBe(0);
    const scenario = show(`${thread}:Q`);
    const outcome = scenario.options[0]!.id;
    expect(assess(['resolve', `${thread}:Q`, '--outcome', outcome, '--at', SCENARIO_AT, '--db', db]).code).toBe(0);
    // A void question is never scored.
    expect(assess(['resolve', `${thread}:R2`, '--void', '--note', 'ambiguous', '--at', RISK_AT, '--db', db]).code).toBe(0);

    const report = scores();
    expect(report.resolvedQuestions).toBe(2);
    expect(report.rankingsWithheld).toBe(true);
    expect(report.note).toMatch(/rankings withheld: 2 resolved questions, fewer than 30/);
    for (const row of report.rows) expect(row.rank).toBeNull();

    // One desk, recomputed from its forecasts: the last before resolution on each question.
    const risk = show(`${thread}:R1`);
    const last = (q: QuestionDetail, forecaster: string) => q.forecasts.filter((f) => f.forecaster === forecaster).at(-1);
    const desk = risk.forecasts.map((f) => f.forecaster).find((f) => !f.includes(':') && last(scenario, f) && (last(scenario, f)!.probabilities[outcome] ?? 0) > 0)!;
    expect(desk).toBeDefined();
    const pYes = last(risk, desk)!.probabilities['yes']!;
    const riskBrier = (pYes - 1) ** 2;
    const sp = last(scenario, desk)!.probabilities;
    const scenarioBrier = scenario.options.reduce((s, o) => s + ((sp[o.id] ?? 0) - (o.id === outcome ? 1 : 0)) ** 2, 0);
    const row = report.rows.find((r) => r.forecaster === desk)!;
    expect(row.n).toBe(2);
    expect(row.lastBrier).toBeCloseTo((riskBrier + scenarioBrier) / 2, 9);
    // Both runs' forecasts count from the same moment (the later in force) for months: time-averaged ≈ last.
    expect(row.brier).toBeCloseTo((riskBrier + scenarioBrier) / 2, 6);
    // Log score: ln of the outcome's probability after clamping each to [0.001, 0.999] and renormalising.
    const clamped = (ps: number[], i: number) => {
      const c = ps.map((p) => Math.min(0.999, Math.max(0.001, p)));
      return c[i]! / c.reduce((a, b) => a + b, 0);
    };
    const riskLog = Math.log(clamped([pYes, last(risk, desk)!.probabilities['no'] ?? 1 - pYes], 0));
    const scenarioLog = Math.log(clamped(scenario.options.map((o) => sp[o.id] ?? 0), 0));
    expect(row.logScore).toBeCloseTo((riskLog + scenarioLog) / 2, 6);
    // Uniform baseline: 0.25 on the binary question, (1 - 1/k)^2 + (k - 1)/k^2 on the k-option one.
    const k = scenario.options.length;
    const baseline = report.rows.find((r) => r.forecaster === 'baseline:uniform')!;
    expect(baseline.brier).toBeCloseTo((0.25 + (1 - 1 / k) ** 2 + (k - 1) / k ** 2) / 2, 9);
    expect(baseline.brierSkill).toBeCloseTo(0, 9);
    expect(row.brierSkill).toBeCloseTo(1 - row.brier / baseline.brier, 9);
    // A reliability table per forecaster: n events across the bins (1 for the risk + k for the scenario).
    expect(row.reliability.reduce((s, b) => s + b.n, 0)).toBe(1 + k);
    for (const b of row.reliability.filter((bin) => bin.n > 0)) {
      expect(b.wilson!.lower).toBeLessThanOrEqual(b.observedFrequency!);
      expect(b.wilson!.upper).toBeGreaterThanOrEqual(b.observedFrequency!);
    }
    // --by desk has no pools.
    expect(report.rows.some((r) => r.forecaster.startsWith('pool:'))).toBe(false);
    const md = assess(['scores', '--db', db]).stdout;
    expect(md).toContain('rankings withheld');
    expect(md).toContain(`### Reliability: ${desk}`);
  });

  it('--by pool: the three pools beside the best single desk and the baseline', () => {
    const report = scores('--by', 'pool');
    const names = report.rows.map((r) => r.forecaster);
    expect(names).toEqual(expect.arrayContaining(['pool:trimmed-mean', 'pool:median', 'pool:log-odds-mean', 'baseline:uniform']));
    const best = report.rows.filter((r) => r.bestDesk);
    expect(best).toHaveLength(1);
    const desks = scores().rows.filter((r) => !r.forecaster.includes(':'));
    expect(best[0]!.brier).toBeCloseTo(Math.min(...desks.map((d) => d.brier)), 12);
  });

  it('--by model relabels desks by their model; --by thread groups per thread; --since filters', () => {
    const model = scores('--by', 'model');
    expect(model.rows.map((r) => r.forecaster).sort()).toEqual(['baseline:uniform', 'replay/replay']);
    const thread_ = scores('--by', 'thread');
    expect(thread_.groups.map((g) => g.group)).toEqual([thread]);
    expect(thread_.rows.every((r) => r.group === thread)).toBe(true);
    expect(scores('--since', '2026-08-01').resolvedQuestions).toBe(1);
    const none = assess(['scores', '--since', '2100-01-01', '--db', db]);
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/no questions resolved since 2100-01-01/);
    const bad = assess(['scores', '--since', 'last week', '--db', db]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
  it('forecasts export: every forecast and resolution row; CSV fields with quotes, commas and newlines survive', () => {
    const note = 'Reuters said "no", then\nthe filing, p. 3, said yes';
    const r = assess(['resolve', `${thread}:R3`, '--outcome', 'yes', '--at', RISK_AT, '--note', note, '--evidence', 'https://example.com/a,b?q="x"', '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(assess(['forecasts', 'export', '--format', 'json', '--db', db]).stdout) as ForecastExport;
    const out = join(dir, 'forecasts.csv');
    const written = assess(['forecasts', 'export', '--out', out, '--db', db]);
    expect(written.code, written.stderr).toBe(0);
    const records = parseCsv(readFileSync(out, 'utf8'));
    const [header, ...rows] = records;
    expect(header).toEqual(expect.arrayContaining(['record', 'question_id', 'forecaster', 'run_id', 'made_at', 'option_id', 'probability', 'outcome', 'note']));
    const col = (name: string) => header!.indexOf(name);
    const optionsOf = new Map(json.questions.map((q) => [q.id, q.options.length]));
    const forecastRows = rows.filter((row) => row[col('record')] === 'forecast');
    expect(forecastRows).toHaveLength(json.forecasts.reduce((s, f) => s + optionsOf.get(f.questionId)!, 0));
    for (const row of rows) expect(row).toHaveLength(header!.length);
    // Every probability in the CSV is the stored one.
    const first = json.forecasts[0]!;
    const firstRows = forecastRows.filter((row) => row[col('question_id')] === first.questionId && row[col('forecaster')] === first.forecaster && row[col('run_id')] === first.runId);
    for (const row of firstRows) expect(Number(row[col('probability')])).toBe(first.probabilities[row[col('option_id')]!] ?? 0);
    // Resolutions: the whole history (R1, Q, the void R2, R3), the note and URL intact.
    const resolutionRows = rows.filter((row) => row[col('record')] === 'resolution');
    expect(resolutionRows).toHaveLength(json.resolutions.length);
    expect(json.resolutions.length).toBeGreaterThanOrEqual(4);
    expect(resolutionRows.find((row) => row[col('outcome')] === 'void')?.[col('question_id')]).toBe(`${thread}:R2`);
    const r3 = resolutionRows.find((row) => row[col('question_id')] === `${thread}:R3`)!;
    expect(r3[col('note')]).toBe(note);
    expect(r3[col('evidence_url')]).toBe('https://example.com/a,b?q="x"');
    // Question titles with quotes (the scenario question's) come back intact too.
    const qTitle = json.questions.find((q) => q.id === `${thread}:Q`)!.title;
    expect(qTitle).toContain('"');
    expect(forecastRows.find((row) => row[col('question_id')] === `${thread}:Q`)![col('question_title')]).toBe(qTitle);
  });
});

/** A strict RFC 4180 reader: quoted fields, doubled quotes, CRLF or LF record ends. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      continue;
    } else if (c === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || record.length > 0) records.push([...record, field]);
  return records;
}
