import { describe, expect, it } from 'vitest';
import type { AgentAssessment, Severity } from '../src/assessment/schema.js';
import { buildRiskView } from '../src/synthesis/build-risk-view.js';
import { coverage, deskWith, emptyDraft, synthProvenance } from './support/synthesis-fixtures.js';
import { riskLevelFromScore } from '../src/synthesis/severity.js';

/**
 * The consolidated view's boundaries, both sides of each: the 30-point disagreement flag (at 30
 * points or more, README), the overall-risk thresholds, and "the top three merged risks" that
 * set the overall level.
 */

/** A minimal valid desk; by default one low risk at 0.1 (well below every threshold). */
const desk = (id: string, probabilities: number[], risks: { severity: Severity; likelihood: number }[] = [{ severity: 'low', likelihood: 0.1 }]): AgentAssessment =>
  deskWith(id, probabilities, risks);

/** Two desks, two shared scenarios (T1 with T1, T2 with T2); the first scenario's view as computed. */
function firstScenario(jp: number[], us: number[]) {
  const a = [desk('JP-01', jp), desk('US-01', us)];
  const view = buildRiskView(
    a,
    {
      ...emptyDraft,
      scenarioClusters: [
        { name: 'First', summary: 's', memberIds: ['JP-01:T1', 'US-01:T1'] },
        { name: 'Second', summary: 's', memberIds: ['JP-01:T2', 'US-01:T2'] },
      ],
    },
    coverage(a),
    synthProvenance,
  );
  return view.scenarios.find((s) => s.name === 'First')!;
}

describe('the 30-point disagreement flag', () => {
  it.each([
    // [JP-01's T1, US-01's T1, spread, flagged]
    [0.6, 0.3, 0.3, true],
    // 0.7 − 0.4 is 0.29999999999999993 in floating point: still 30 points, still flagged.
    [0.7, 0.4, 0.3, true],
    [0.8, 0.5, 0.3, true],
    [0.65, 0.35, 0.3, true],
    [0.699, 0.4, 0.299, false],
    [0.6, 0.301, 0.299, false],
    [0.7, 0.399, 0.301, true],
    [0.5, 0.5, 0, false],
  ])('desks at %f and %f: spread %f, flagged %s', (jp, us, spread, flagged) => {
    const scenario = firstScenario([jp, Number((1 - jp).toFixed(3))], [us, Number((1 - us).toFixed(3))]);
    expect(scenario.spread).toBe(spread);
    expect(scenario.disagreement).toBe(flagged);
  });

  it('the threshold reported with the view is 0.3', () => {
    const a = [desk('JP-01', [0.5, 0.5])];
    expect(buildRiskView(a, emptyDraft, coverage(a), synthProvenance).method.disagreementThreshold).toBe(0.3);
  });
});

describe('overall risk level thresholds', () => {
  it.each([
    [0, 'low'],
    [0.749, 'low'],
    [0.75, 'moderate'],
    [1.249, 'moderate'],
    [1.25, 'elevated'],
    [1.749, 'elevated'],
    [1.75, 'high'],
    [2.499, 'high'],
    [2.5, 'severe'],
    [4, 'severe'],
  ])('score %f reads %s', (score, level) => {
    expect(riskLevelFromScore(score)).toBe(level);
  });

  /** One desk whose risks have these severities and likelihoods: the overall level as buildRiskView computes it. */
  const overall = (risks: { severity: Severity; likelihood: number }[]) => {
    const a = [desk('JP-01', [0.5, 0.5], risks)];
    return buildRiskView(a, emptyDraft, coverage(a), synthProvenance).overallRisk;
  };

  it.each<[Severity, number, number, string]>([
    // severity rank × likelihood on each side of each threshold, through the whole computation
    ['critical', 0.625, 2.5, 'severe'],
    ['critical', 0.62, 2.48, 'high'],
    ['high', 0.6, 1.8, 'high'], // the "likely high risk" of severity.ts: 3 × 0.6 is 1.7999999999999998 before rounding
    ['medium', 0.875, 1.75, 'high'],
    ['medium', 0.87, 1.74, 'elevated'],
    ['medium', 0.625, 1.25, 'elevated'],
    ['medium', 0.62, 1.24, 'moderate'],
    ['high', 0.25, 0.75, 'moderate'],
    ['high', 0.24, 0.72, 'low'],
  ])('one %s risk at likelihood %f: score %f, %s', (severity, likelihood, score, level) => {
    expect(overall([{ severity, likelihood }])).toMatchObject({ score, level });
  });

  it('the level comes from the top three merged risks only', () => {
    // Three risks at 2.5 and a fourth at 0.1: the top three average 2.5 (severe); all four would be 1.9 (high).
    const view = overall([
      { severity: 'critical', likelihood: 0.625 },
      { severity: 'critical', likelihood: 0.625 },
      { severity: 'critical', likelihood: 0.625 },
      { severity: 'low', likelihood: 0.1 },
    ]);
    expect(view).toEqual({ level: 'severe', score: 2.5, drivers: ['RR1', 'RR2', 'RR3'] });
  });
});
