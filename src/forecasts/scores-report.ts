import { deskModelKey, type ScoringRows } from '../archive/forecast-scores.js';
import { RANKING_MIN_RESOLVED, scoreForecasters } from './leaderboard.js';
import { reliabilityEvents, reliabilityTable, type ReliabilityBin } from './reliability.js';
import type { ScoreScope } from './scope.js';
import type { ForecasterRow } from './leaderboard.js';
import { UNIFORM_BASELINE, type Forecast, type Question } from './types.js';

/**
 * The scores report (issue 14 §5): every forecaster scored on the resolved questions, grouped by
 * desk, model, pooling method or thread, each with its reliability table. `assess scores` prints
 * it and the workspace's /questions page draws it: one computation for both. Pure: it reads the
 * rows loadScoringRows gave (the archive's read model, a type and a key format only).
 */
export const SCORE_GROUPINGS = ['desk', 'model', 'pool', 'thread'] as const;
export type ScoreGrouping = (typeof SCORE_GROUPINGS)[number];
type By = ScoreGrouping;

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
