import type { AgentAssessment } from '../assessment/schema.js';
import type { RiskView } from '../synthesis/schema.js';
import { matchMergedRisks } from '../synthesis/since-last.js';
import { pooledForecasts } from './pooling.js';
import { BINARY_NO, BINARY_OPTIONS, BINARY_YES, type Forecast, type Question, type QuestionOption, type QuestionType } from './types.js';

/**
 * A run's consolidated view as forecast questions (issue 14 §2–3). Pure: the thread's earlier
 * questions come in, the questions as they stand after this run, the mapping from desk items to
 * options and every forecast the run makes go out; the archive stores them (recordForecasts).
 *
 * - One multiple-choice question per thread, `<threadId>:Q`: its options are the pooled scenarios
 *   by lineage id (`S1`…, kept across the thread's views, see since-last.ts) plus `none` ("none of
 *   these"). Options only grow: a lineage seen once stays an option after it retires.
 * - One binary question per merged risk, `<threadId>:R<n>`: paired with the thread's earlier risk
 *   questions by the same title matching since-last uses, else the next free number.
 *
 * Desk forecasts: for the scenario question, a desk's probability for an option is the sum of its
 * trajectories in that scenario (the view's perAgent), `none` = 1 − their sum (never below 0); for
 * a risk question, the desk's likelihood for its member risk (the highest if it has several), only
 * for desks with a member. Pooled forecasts (every POOL_METHODS method) and the uniform baseline
 * come from pooledForecasts, on the question's full option list.
 */

export const NONE_OPTION: QuestionOption = { id: 'none', label: 'None of these' };

/** A question as the archive keeps it. */
export interface DerivedQuestion {
  id: string;
  threadId: string;
  type: QuestionType;
  /** `scenarios` for the thread's scenario question; `risk` for a merged risk's. */
  sourceKey: 'scenarios' | 'risk';
  title: string;
  /** The merged risk's axis (matching breaks ties on it); null for the scenario question. */
  axis: string | null;
  /** For the scenario question: the lineage options in order, `none` last. */
  options: QuestionOption[];
  criteria: string;
  /** The latest resolve-by of the member items; null when none has one (views before horizons). */
  resolveBy: string | null;
}

/** The thread's questions before this run (as stored). */
export interface EarlierQuestions {
  scenario: { options: QuestionOption[] } | null;
  risks: { id: string; title: string; axis: string }[];
}

/** Which desk item fed which option (from the synthesis clustering). */
export interface QuestionMapping {
  questionId: string;
  optionId: string;
  itemId: string;
}

export interface RunQuestions {
  /** Questions this run forecast, as they stand after it (options grown, criteria of this run). */
  questions: DerivedQuestion[];
  mappings: QuestionMapping[];
  /** Desk forecasts, then per question the pools and the baseline. */
  forecasts: Forecast[];
}

export interface QuestionsInput {
  threadId: string;
  /** Names the scenario question. */
  threadTitle: string;
  runId: string;
  /** When the forecasts were made: the synthesis time. */
  madeAt: string;
  view: RiskView;
  assessments: readonly AgentAssessment[];
  earlier: EarlierQuestions;
}

const latest = (dates: readonly (string | undefined)[]): string | null =>
  dates.filter((d): d is string => typeof d === 'string' && d !== '').reduce<string | null>((m, d) => (m === null || d > m ? d : m), null);

function asQuestion(q: DerivedQuestion): Question {
  return { id: q.id, type: q.type, options: q.options, resolveBy: q.resolveBy ?? '', resolution: null };
}

const riskNumber = (id: string): number => Number(/:R(\d+)$/.exec(id)?.[1] ?? 0);

export function questionsFromView(input: QuestionsInput): RunQuestions {
  const { threadId, runId, madeAt, view, assessments, earlier } = input;
  const stamp = { runId, madeAt };
  const trajectories = new Map(assessments.flatMap((a) => a.trajectories.map((t) => [t.id, t] as const)));
  const risks = new Map(assessments.flatMap((a) => a.risks.map((r) => [r.id, { risk: r, agentId: a.agentId }] as const)));
  const questions: DerivedQuestion[] = [];
  const mappings: QuestionMapping[] = [];
  const forecasts: Forecast[] = [];
  const pooled: Forecast[] = [];

  const scenarios = view.scenarios.filter((s): s is typeof s & { lineageId: string } => typeof s.lineageId === 'string');
  if (scenarios.length > 0) {
    const id = `${threadId}:Q`;
    const names = new Map(scenarios.map((s) => [s.lineageId, s.name]));
    const kept = (earlier.scenario?.options ?? []).filter((o) => o.id !== NONE_OPTION.id).map((o) => ({ id: o.id, label: names.get(o.id) ?? o.label }));
    const added = scenarios.filter((s) => !kept.some((o) => o.id === s.lineageId)).map((s) => ({ id: s.lineageId, label: s.name }));
    const options = [...kept, ...added, NONE_OPTION];
    const members = scenarios.flatMap((s) => s.memberIds.map((m) => trajectories.get(m)));
    const lines = scenarios.map((s) => {
      const texts = [...new Set(s.memberIds.map((m) => trajectories.get(m)?.resolution).filter((t): t is string => !!t))];
      return `${s.lineageId} (${s.name}): ${texts.length > 0 ? texts.join(' | ') : 'no criterion recorded'}`;
    });
    const resolveBy = latest(members.map((t) => t?.resolveBy));
    lines.push(`none: none of the scenarios above comes true${resolveBy ? ` by ${resolveBy}` : ''}`);
    const question: DerivedQuestion = {
      id,
      threadId,
      type: 'multiple-choice',
      sourceKey: 'scenarios',
      title: `Which scenario of "${input.threadTitle}" comes true?`,
      axis: null,
      options,
      criteria: lines.join('\n'),
      resolveBy,
    };
    questions.push(question);
    for (const s of scenarios) for (const m of s.memberIds) mappings.push({ questionId: id, optionId: s.lineageId, itemId: m });
    const desks: Forecast[] = assessments.map((a) => {
      const probabilities: Record<string, number> = {};
      let sum = 0;
      for (const s of scenarios) {
        const p = s.perAgent.find((v) => v.agentId === a.agentId)?.probability ?? 0;
        probabilities[s.lineageId] = p;
        sum += p;
      }
      probabilities[NONE_OPTION.id] = Math.max(0, Math.round((1 - sum) * 1e9) / 1e9);
      return { forecaster: a.agentId, questionId: id, ...stamp, probabilities };
    });
    forecasts.push(...desks);
    pooled.push(...pooledForecasts(asQuestion(question), desks, stamp));
  }

  const matching = matchMergedRisks(earlier.risks, view.riskRegister);
  const pairedId = new Map<number, string>();
  for (const m of matching.matched) pairedId.set(m.indexB, earlier.risks[m.indexA]!.id);
  let high = Math.max(0, ...earlier.risks.map((r) => riskNumber(r.id)));
  view.riskRegister.forEach((merged, j) => {
    const id = pairedId.get(j) ?? `${threadId}:R${++high}`;
    const members = merged.sourceIds.map((s) => risks.get(s)).filter((r) => r !== undefined);
    const texts = [...new Set(members.map((m) => m.risk.resolution).filter((t): t is string => !!t))];
    const question: DerivedQuestion = {
      id,
      threadId,
      type: 'binary',
      sourceKey: 'risk',
      title: merged.title,
      axis: merged.axis,
      options: [...BINARY_OPTIONS],
      criteria: texts.length > 0 ? texts.join(' | ') : `${merged.title}: no criterion recorded`,
      resolveBy: latest(members.map((m) => m.risk.resolveBy)),
    };
    questions.push(question);
    for (const s of merged.sourceIds) mappings.push({ questionId: id, optionId: BINARY_YES, itemId: s });
    const byDesk = new Map<string, number>();
    for (const m of members) byDesk.set(m.agentId, Math.max(byDesk.get(m.agentId) ?? 0, m.risk.likelihood));
    const desks: Forecast[] = [...byDesk].map(([agentId, p]) => ({
      forecaster: agentId,
      questionId: id,
      ...stamp,
      probabilities: { [BINARY_YES]: p, [BINARY_NO]: Math.round((1 - p) * 1e9) / 1e9 },
    }));
    forecasts.push(...desks);
    pooled.push(...pooledForecasts(asQuestion(question), desks, stamp));
  });

  return { questions, mappings, forecasts: [...forecasts, ...pooled] };
}
