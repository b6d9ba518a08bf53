import { describe, expect, it } from 'vitest';
import type { AgentAssessment, Severity } from '../src/assessment/schema.js';
import { buildRiskView } from '../src/synthesis/build-risk-view.js';
import { poolDistributions, spread, trimmedMean } from '../src/synthesis/pool.js';
import { coverage, deskWith, emptyDraft, synthProvenance } from './support/synthesis-fixtures.js';
import { riskLevelFromScore } from '../src/synthesis/severity.js';

/** A minimal valid desk; by default one medium risk at 0.5. */
const desk = (id: string, probabilities: number[], risks: { severity: Severity; likelihood: number }[] = [{ severity: 'medium', likelihood: 0.5 }]): AgentAssessment =>
  deskWith(id, probabilities, risks);

describe('pooling', () => {
  it('trims one value from each end when there are five or more desks', () => {
    // 0.9 and 0.1 are dropped; mean of 0.4, 0.5, 0.6.
    expect(trimmedMean([0.9, 0.5, 0.4, 0.6, 0.1])).toBeCloseTo(0.5, 10);
  });

  it('does not trim small panels (plain mean below five desks)', () => {
    expect(trimmedMean([0.2, 0.4, 0.9])).toBeCloseTo(0.5, 10);
  });

  it('resists one outlier where a naive mean does not', () => {
    const values = [0.6, 0.6, 0.6, 0.6, 0.0];
    const naive = values.reduce((s, v) => s + v, 0) / values.length;
    expect(naive).toBeCloseTo(0.48, 10);
    expect(trimmedMean(values)).toBeCloseTo(0.6, 10);
  });

  it('renormalises pooled scenarios to sum to 1', () => {
    const pooled = poolDistributions([
      [0.7, 0.2, 0.1],
      [0.5, 0.3, 0.2],
      [0.6, 0.1, 0.3],
      [0.1, 0.8, 0.1],
      [0.6, 0.3, 0.1],
    ]);
    expect(pooled.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 10);
    // Column means after trimming: 0.5667, 0.2667, 0.1333 → total 0.9667.
    expect(pooled[0]).toBeCloseTo(0.5667 / 0.9667, 3);
    expect(pooled[1]).toBeCloseTo(0.2667 / 0.9667, 3);
  });

  it('measures spread as max minus min', () => {
    expect(spread([0.2, 0.55, 0.7])).toBeCloseTo(0.5, 10);
    expect(() => trimmedMean([])).toThrow(RangeError);
  });
});

describe('buildRiskView', () => {
  it('pools clustered trajectories per desk and flags sharp disagreement', () => {
    const a = [desk('JP-01', [0.7, 0.3]), desk('CN-01', [0.2, 0.8]), desk('US-01', [0.6, 0.4])];
    const view = buildRiskView(
      a,
      {
        ...emptyDraft,
        scenarioClusters: [
          { name: 'Delivery', summary: 's', memberIds: ['JP-01:T1', 'CN-01:T1', 'US-01:T1'] },
          { name: 'Friction', summary: 's', memberIds: ['JP-01:T2', 'CN-01:T2', 'US-01:T2'] },
        ],
      },
      coverage(a),
      synthProvenance,
    );
    expect(view.scenarios.map((s) => s.name)).toEqual(['Delivery', 'Friction']);
    const delivery = view.scenarios[0]!;
    expect(delivery.pooledProbability).toBeCloseTo(0.5, 3); // (0.7 + 0.2 + 0.6) / 3
    expect(delivery.spread).toBeCloseTo(0.5, 3);
    expect(delivery.disagreement).toBe(true);
    expect(delivery.perAgent).toEqual([
      { agentId: 'JP-01', probability: 0.7, trajectoryIds: ['JP-01:T1'] },
      { agentId: 'CN-01', probability: 0.2, trajectoryIds: ['CN-01:T1'] },
      { agentId: 'US-01', probability: 0.6, trajectoryIds: ['US-01:T1'] },
    ]);
    expect(view.scenarios.reduce((s, x) => s + x.pooledProbability, 0)).toBeCloseTo(1, 3);
    expect(view.warnings).toEqual([]);
  });

  it('does not flag scenarios where desks roughly agree', () => {
    const a = [desk('JP-01', [0.55, 0.45]), desk('US-01', [0.6, 0.4])];
    const view = buildRiskView(
      a,
      {
        ...emptyDraft,
        scenarioClusters: [
          { name: 'A', summary: 's', memberIds: ['JP-01:T1', 'US-01:T1'] },
          { name: 'B', summary: 's', memberIds: ['JP-01:T2', 'US-01:T2'] },
        ],
      },
      coverage(a),
      synthProvenance,
    );
    expect(view.scenarios.every((s) => !s.disagreement)).toBe(true);
    expect(view.scenarios[0]!.spread).toBeCloseTo(0.05, 3);
  });

  it('sums two trajectories of one desk placed in the same scenario', () => {
    const a = [desk('JP-01', [0.5, 0.3, 0.2]), desk('US-01', [0.5, 0.5])];
    const view = buildRiskView(
      a,
      {
        ...emptyDraft,
        scenarioClusters: [
          { name: 'Good', summary: 's', memberIds: ['JP-01:T1', 'US-01:T1'] },
          { name: 'Bad', summary: 's', memberIds: ['JP-01:T2', 'JP-01:T3', 'US-01:T2'] },
        ],
      },
      coverage(a),
      synthProvenance,
    );
    const bad = view.scenarios.find((s) => s.name === 'Bad')!;
    expect(bad.perAgent.find((p) => p.agentId === 'JP-01')!.probability).toBeCloseTo(0.5, 3);
  });

  it('drops invented and duplicated ids with warnings, and makes unclustered trajectories their own scenario', () => {
    const a = [desk('JP-01', [0.6, 0.4]), desk('US-01', [0.5, 0.5])];
    const view = buildRiskView(
      a,
      {
        ...emptyDraft,
        consensus: [{ point: 'p', agentIds: ['JP-01', 'XX-99'] }],
        riskClusters: [
          { title: 'Merged', axis: 'x', summary: 's', memberIds: ['JP-01:R1', 'US-01:R1', 'JP-01:R9'] },
          { title: 'Ghost', axis: 'x', summary: 's', memberIds: ['ZZ-01:R1'] },
        ],
        scenarioClusters: [
          { name: 'A', summary: 's', memberIds: ['JP-01:T1', 'US-01:T1', 'US-01:T7'] },
          { name: 'Again', summary: 's', memberIds: ['JP-01:T1', 'US-01:T2'] },
        ],
        watchlist: [{ indicator: 'w', why: 'y', memberIds: ['JP-01:I1', 'JP-01:I4'] }],
      },
      coverage(a),
      synthProvenance,
    );
    expect(view.warnings).toEqual(
      expect.arrayContaining([
        'dropped unknown id JP-01:R9 from risk cluster "Merged"',
        'dropped unknown id ZZ-01:R1 from risk cluster "Ghost"',
        'dropped risk cluster "Ghost": none of its ids are desk risks',
        'dropped unknown id US-01:T7 from scenario "A"',
        'dropped JP-01:T1 from scenario "Again": already placed in an earlier cluster',
        'trajectory JP-01:T2 was not clustered; it stands as its own scenario',
        'dropped unknown id JP-01:I4 from watchlist item "w"',
        'dropped unknown desk XX-99 from consensus "p"',
      ]),
    );
    expect(view.riskRegister.map((r) => r.title)).toEqual(['Merged']);
    expect(view.riskRegister[0]!.sourceIds).toEqual(['JP-01:R1', 'US-01:R1']);
    const names = view.scenarios.map((s) => s.name).sort();
    expect(names).toEqual(['A', 'Again', 'JP-01 T2']);
    expect(view.scenarios.find((s) => s.name === 'JP-01 T2')!.unclustered).toBe(true);
    expect(view.consensus[0]!.agentIds).toEqual(['JP-01']);
    expect(view.watchlist[0]!.sourceIds).toEqual(['JP-01:I1']);
    // Every desk's distribution is still fully accounted for.
    expect(view.scenarios.reduce((s, x) => s + x.pooledProbability, 0)).toBeCloseTo(1, 3);
  });

  it('computes severity and likelihood of merged risks and the overall level from the top risks', () => {
    const a = [
      desk('JP-01', [0.5, 0.5], [{ severity: 'critical', likelihood: 0.8 }, { severity: 'low', likelihood: 0.2 }]),
      desk('US-01', [0.5, 0.5], [{ severity: 'high', likelihood: 0.6 }]),
    ];
    const view = buildRiskView(
      a,
      { ...emptyDraft, riskClusters: [{ title: 'Big', axis: 'x', summary: 's', memberIds: ['JP-01:R1', 'US-01:R1'] }] },
      coverage(a),
      synthProvenance,
    );
    const big = view.riskRegister[0]!;
    expect(big).toMatchObject({ id: 'RR1', title: 'Big', maxSeverity: 'critical', meanSeverity: 3.5, meanLikelihood: 0.7, agentIds: ['JP-01', 'US-01'] });
    expect(big.score).toBeCloseTo(2.45, 3);
    // JP-01:R2 was not clustered: it stands alone rather than vanishing.
    expect(view.riskRegister[1]).toMatchObject({ id: 'RR2', sourceIds: ['JP-01:R2'], maxSeverity: 'low', score: 0.2 });
    // Overall: mean of top scores (2.45, 0.2) = 1.325 → elevated.
    expect(view.overallRisk).toEqual({ level: 'elevated', score: 1.325, drivers: ['RR1', 'RR2'] });
    expect(riskLevelFromScore(2.6)).toBe('severe');
    expect(riskLevelFromScore(0.5)).toBe('low');
  });

  it('drops divergences left with fewer than two known desks', () => {
    const a = [desk('JP-01', [0.5, 0.5]), desk('US-01', [0.5, 0.5])];
    const view = buildRiskView(
      a,
      {
        ...emptyDraft,
        divergences: [
          { topic: 'real', positions: [{ agentId: 'JP-01', position: 'x' }, { agentId: 'US-01', position: 'y' }] },
          { topic: 'fake', positions: [{ agentId: 'JP-01', position: 'x' }, { agentId: 'QQ-01', position: 'y' }] },
        ],
      },
      coverage(a),
      synthProvenance,
    );
    expect(view.divergences.map((d) => d.topic)).toEqual(['real']);
    expect(view.warnings).toContain('dropped divergence "fake": fewer than two known desks left');
  });
});
