import { deskModelKey, loadScoringRows, type ScoringRows } from '../../archive/forecast-scores.js';
import { normaliseResolutionDate } from '../../archive/resolve-question.js';
import {
  RANKING_MIN_RESOLVED,
  UNIFORM_BASELINE,
  reliabilityEvents,
  reliabilityTable,
  scoreForecasters,
  type Forecast,
  type ForecasterRow,
  type Question,
  type ReliabilityBin,
  type ScoreScope,
} from '../../forecasts/index.js';
import { InputError } from '../../errors/index.js';
import { withArchive } from '../archive-access.js';
import { checkFormat } from '../check-format.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';

export interface ScoresOptions {
  db?: string;
  by: string;
  since?: string;
  format: string;
}

const BY = ['desk', 'model', 'pool', 'thread'] as const;
type By = (typeof BY)[number];

export interface ScoreRow extends ForecasterRow {
  /** The thread, with --by thread. */
  group?: string;
  /** With --by pool: the single desk with the lowest Brier, shown beside the pools. */
  bestDesk?: boolean;
  reliability: ReliabilityBin[];
}

export interface ScoreGroup {
  group: string | null;
  resolvedQuestions: number;
  rankingsWithheld: boolean;
  rows: ScoreRow[];
}

export interface ScoresReport {
  by: By;
  since: string | null;
  resolvedQuestions: number;
  rankingsWithheld: boolean;
  minResolvedForRanking: number;
  note: string | null;
  groups: ScoreGroup[];
  /** Every group's rows, flat. */
  rows: ScoreRow[];
}

const isDesk = (forecaster: string): boolean => !forecaster.startsWith('pool:') && !forecaster.startsWith('baseline:');
const isPool = (forecaster: string): boolean => forecaster.startsWith('pool:');

/** Desk forecasts relabelled by `provider/model`; desks sharing a model in a run are averaged per question. */
function byModel(rows: ScoringRows, forecasts: readonly Forecast[]): Forecast[] {
  const merged = new Map<string, { forecast: Forecast; sums: Record<string, number>; count: number }>();
  const out: Forecast[] = [];
  for (const f of forecasts) {
    if (f.forecaster === UNIFORM_BASELINE) out.push(f);
    if (!isDesk(f.forecaster)) continue;
    const model = rows.deskModel.get(deskModelKey(f.runId, f.forecaster)) ?? 'unknown/unknown';
    const key = `${f.questionId}\u0000${f.runId}\u0000${model}`;
    let entry = merged.get(key);
    if (!entry) merged.set(key, (entry = { forecast: { ...f, forecaster: model }, sums: {}, count: 0 }));
    entry.count += 1;
    for (const [option, p] of Object.entries(f.probabilities)) entry.sums[option] = (entry.sums[option] ?? 0) + p;
  }
  for (const { forecast, sums, count } of merged.values()) {
    out.push({ ...forecast, probabilities: Object.fromEntries(Object.entries(sums).map(([o, s]) => [o, s / count])) });
  }
  return out.sort((a, b) => a.madeAt.localeCompare(b.madeAt));
}

function group(name: string | null, questions: readonly Question[], forecasts: readonly Forecast[], scope: ScoreScope, mark?: (row: ScoreRow) => void): ScoreGroup {
  const board = scoreForecasters(questions, forecasts, scope);
  const rows = board.rows.map((r): ScoreRow => {
    const row: ScoreRow = {
      ...(name !== null ? { group: name } : {}),
      ...r,
      reliability: reliabilityTable(reliabilityEvents(questions, forecasts, { ...scope, forecaster: r.forecaster })),
    };
    mark?.(row);
    return row;
  });
  return { group: name, resolvedQuestions: board.resolvedQuestions, rankingsWithheld: board.rankingsWithheld, rows };
}

export function buildScoresReport(rows: ScoringRows, by: By, since: string | null): ScoresReport {
  const scope: ScoreScope = since === null ? {} : { since };
  const { questions, forecasts } = rows;
  let groups: ScoreGroup[];
  if (by === 'desk') {
    groups = [group(null, questions, forecasts.filter((f) => isDesk(f.forecaster) || f.forecaster === UNIFORM_BASELINE), scope)];
  } else if (by === 'model') {
    groups = [group(null, questions, byModel(rows, forecasts), scope)];
  } else if (by === 'pool') {
    const desks = scoreForecasters(questions, forecasts.filter((f) => isDesk(f.forecaster)), scope).rows;
    const best = [...desks].sort((a, b) => a.brier - b.brier || a.forecaster.localeCompare(b.forecaster))[0]?.forecaster;
    const chosen = forecasts.filter((f) => isPool(f.forecaster) || f.forecaster === UNIFORM_BASELINE || f.forecaster === best);
    groups = [
      group(null, questions, chosen, scope, (row) => {
        if (row.forecaster === best) row.bestDesk = true;
      }),
    ];
  } else {
    const threads = [...new Set(questions.map((q) => rows.threadOf.get(q.id) ?? ''))].sort();
    groups = threads
      .map((thread) => group(thread, questions.filter((q) => rows.threadOf.get(q.id) === thread), forecasts, scope))
      .filter((g) => g.resolvedQuestions > 0);
  }
  const resolvedQuestions = groups.reduce((s, g) => s + g.resolvedQuestions, 0);
  const rankingsWithheld = resolvedQuestions < RANKING_MIN_RESOLVED || groups.some((g) => g.rankingsWithheld);
  let note: string | null = null;
  if (resolvedQuestions === 0) {
    note = since === null
      ? 'no resolved questions yet: assess resolve records outcomes (assess questions list --due shows the questions due)'
      : `no questions resolved since ${since} (void ones are never scored)`;
  }
  else if (rankingsWithheld) note = `rankings withheld: ${resolvedQuestions} resolved question${resolvedQuestions === 1 ? '' : 's'}, fewer than ${RANKING_MIN_RESOLVED}; the raw figures are shown`;
  return { by, since, resolvedQuestions, rankingsWithheld, minResolvedForRanking: RANKING_MIN_RESOLVED, note, groups, rows: groups.flatMap((g) => g.rows) };
}

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
