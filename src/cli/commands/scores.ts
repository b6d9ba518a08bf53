import { loadScoringRows } from '../../archive/forecast-scores.js';
import { normaliseResolutionDate } from '../../archive/resolve-question.js';
import { SCORE_GROUPINGS, buildScoresReport, type ScoreGrouping, type ScoresReport } from '../../forecasts/scores-report.js';
import { InputError } from '../../errors/index.js';
import { withArchive } from '../archive-access.js';
import { checkFormat } from '../check-format.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';

// The report is built in src/forecasts/scores-report.ts, shared with the workspace's /questions page.
export { buildScoresReport, type ScoreGroup, type ScoreRow, type ScoresReport } from '../../forecasts/scores-report.js';

export interface ScoresOptions {
  db?: string;
  by: string;
  since?: string;
  format: string;
}

const BY = SCORE_GROUPINGS;
type By = ScoreGrouping;

const f3 = (x: number | null): string => (x === null ? '—' : x.toFixed(3));

export function renderScoresMarkdown(report: ScoresReport): string {
  const out: string[] = [`# Forecast scores by ${report.by}${report.since ? ` (resolved since ${report.since})` : ''}`, ''];
  if (report.note) out.push(`Note: ${report.note}.`, '');
  for (const g of report.groups) {
    if (g.group !== null) out.push(`## Thread ${g.group}`, '');
    out.push(`${g.resolvedQuestions} resolved question${g.resolvedQuestions === 1 ? '' : 's'} scored. Brier: lower is better (0–1 binary, 0–2 multiple choice); log score: higher is better; skill: against the uniform baseline.`, '');
    const header = ['RANK', 'FORECASTER', 'N', 'BRIER', 'LAST BRIER', 'LOG SCORE', 'SKILL', 'SHARPNESS'];
    out.push(`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`);
    for (const r of g.rows) {
      const name = r.bestDesk ? `${r.forecaster} (best desk)` : r.forecaster;
      out.push(`| ${r.rank ?? '—'} | ${name} | ${r.n} | ${f3(r.brier)} | ${f3(r.lastBrier)} | ${f3(r.logScore)} | ${f3(r.brierSkill)} | ${f3(r.sharpness)} |`);
    }
    out.push('');
    for (const r of g.rows) {
      out.push(`### Reliability: ${r.forecaster}`, '', '| BIN | N | MEAN FORECAST | OBSERVED | WILSON 95% |', '| --- | --- | --- | --- | --- |');
      for (const b of r.reliability.filter((bin) => bin.n > 0)) {
        out.push(`| ${b.lower.toFixed(1)}–${b.upper.toFixed(1)} | ${b.n} | ${f3(b.meanForecast)} | ${f3(b.observedFrequency)} | ${b.wilson ? `${f3(b.wilson.lower)}–${f3(b.wilson.upper)}` : '—'} |`);
      }
      out.push('');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/**
 * `assess scores [--by desk|model|pool|thread] [--since DATE] [--format md|json]`: every forecaster
 * scored on the resolved (not void) questions, with a reliability table each. Rankings are withheld
 * below RANKING_MIN_RESOLVED resolved questions (with a note; the figures are shown). No resolved
 * questions: a message, exit 0.
 */
export async function scoresCommand(options: ScoresOptions, io: CliIo): Promise<ExitCode> {
  checkFormat(options.format, ['md', 'json']);
  if (!(BY as readonly string[]).includes(options.by)) throw new InputError(`unknown --by ${options.by}; use ${BY.join(', ')}`);
  const since = options.since === undefined ? null : normaliseResolutionDate(options.since, '--since');
  return withArchive(options, io, (db) => {
    const report = buildScoresReport(loadScoringRows(db), options.by as By, since);
    if (options.format === 'json') io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else if (report.resolvedQuestions === 0) io.stdout.write(`${report.note}\n`);
    else io.stdout.write(renderScoresMarkdown(report));
    return EXIT.ok;
  });
}
