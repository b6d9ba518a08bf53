/**
 * Forecast questions beside threads and runs (issue 14 §6) through the built CLI, on an archive made
 * from the two events of `npm run demo:thread`: `threads show` lists the thread's questions with each
 * forecaster's latest forecast (equal to `questions show`'s) and the resolution once made; `runs show`
 * gives each desk that forecast a resolved question its Brier score (as `assess scores` has it). Run
 * `npm run build` after changing src/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuestionDetail } from '../src/archive/forecasts.js';
import type { ScoresReport } from '../src/cli/commands/scores.js';
import type { Probabilities } from '../src/forecasts/types.js';
import { assess, buildForecastArchive } from './support/forecast-archive.js';

interface ThreadJson {
  id: string;
  questions: { id: string; type: string; resolveBy: string | null; latest: Record<string, Probabilities>; resolution: { outcome: string | null; at: string } | null }[];
}

/** The last forecast of each forecaster, as `questions show` lists them (oldest first). */
function latestOf(q: QuestionDetail): Record<string, Probabilities> {
  const latest: Record<string, Probabilities> = {};
  for (const f of q.forecasts) latest[f.forecaster] = f.probabilities;
  return latest;
}

describe('assess threads show: questions', () => {
  let dir: string;
  let db: string;
  let thread: string;
  let runs: string[];
  const show = (id: string): QuestionDetail => JSON.parse(assess(['questions', 'show', id, '--format', 'json', '--db', db]).stdout) as QuestionDetail;
  const threadJson = (): ThreadJson => {
    const r = assess(['threads', 'show', thread, '--format', 'json', '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as ThreadJson;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'assess-thread-questions-'));
    db = join(dir, 'assess.db');
    ({ threadId: thread, runs } = buildForecastArchive(db, { forecastsMadeAt: ['2025-09-26T09:00:00.000Z', '2025-10-28T09:00:00.000Z'] }));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists every question of the thread with the latest forecasts of questions show, unresolved', () => {
    const view = threadJson();
    expect(view.questions.length).toBeGreaterThan(1);
    expect(view.questions[0]!.id).toBe(`${thread}:Q`);
    expect(view.questions[0]!.type).toBe('multiple-choice');
    expect(view.questions.some((q) => q.type === 'binary')).toBe(true);
    for (const q of view.questions) {
      const detail = show(q.id);
      expect(q.resolveBy).toBe(detail.resolveBy);
      expect(q.latest).toEqual(latestOf(detail));
      expect(Object.keys(q.latest).length).toBeGreaterThan(0);
      expect(q.resolution).toBeNull();
    }
    const md = assess(['threads', 'show', thread, '--db', db]).stdout;
    expect(md).toContain('## Questions');
    expect(md).toContain(`\`${thread}:Q\``);
    expect(md).toContain('| Forecaster | P(yes) |');
    expect(md).toContain('unresolved');
  });

  it('shows the resolution once made, the forecasts unchanged', () => {
    const id = `${thread}:R1`;
    const before = threadJson().questions.find((q) => q.id === id)!;
    const r = assess(['resolve', id, '--outcome', 'yes', '--at', '2026-03-01', '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    const after = threadJson().questions.find((q) => q.id === id)!;
    expect(after.resolution).toMatchObject({ outcome: 'yes', at: '2026-03-01' });
    expect(after.latest).toEqual(before.latest);
    expect(after.latest).toEqual(latestOf(show(id)));
    const md = assess(['threads', 'show', thread, '--db', db]).stdout;
    expect(md).toContain('resolved yes (2026-03-01)');
    // The desk's P(yes) in the markdown is its latest forecast.
    const [desk, p] = Object.entries(after.latest)[0]!;
    const pct = `${Math.round(p.yes! * 1000) / 10}`.replace(/\.0$/, '');
    expect(md).toContain(`| ${desk} | ${pct}% |`);
    expect(runs).toHaveLength(2);
  });

  it("runs show gives a desk's Brier over its resolved questions, only for desks that forecast one", () => {
    // R1 was resolved yes above; it is the only resolved question.
    const detail = show(`${thread}:R1`);
    const run = runs.at(-1)!;
    const report = JSON.parse(assess(['runs', 'show', run, '--format', 'json', '--db', db]).stdout) as { assessments: { agentId: string }[] };
    const desks = report.assessments.map((a) => a.agentId);
    const forecast = desks.filter((d) => detail.forecasts.some((f) => f.forecaster === d && f.madeAt <= '2026-03-01'));
    const silent = desks.filter((d) => !forecast.includes(d));
    expect(forecast.length).toBeGreaterThan(0);
    expect(silent.length).toBeGreaterThan(0);
    const scores = JSON.parse(assess(['scores', '--format', 'json', '--db', db]).stdout) as ScoresReport;
    const md = assess(['runs', 'show', run, '--db', db]);
    expect(md.code, md.stderr).toBe(0);
    for (const desk of forecast) {
      const row = scores.rows.find((r) => r.forecaster === desk)!;
      expect(row.n).toBe(1);
      expect(md.stdout).toContain(`_Track record: ${desk}: Brier ${row.brier.toFixed(2)} over 1 question._`);
    }
    for (const desk of silent) expect(md.stdout).not.toContain(`${desk}: Brier`);
    expect(md.stdout).not.toMatch(/pool[^\n]*: Brier|baseline[^\n]*: Brier/);
  });
});

