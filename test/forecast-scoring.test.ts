import { describe, expect, it } from 'vitest';
import {
  BINARY_OPTIONS,
  LOG_SCORE_EPSILON,
  RANKING_MIN_RESOLVED,
  UNIFORM_BASELINE,
  binaryEvents,
  brierScore,
  brierSkillScore,
  currentResolution,
  logScore,
  poolProbabilities,
  pooledForecasts,
  reliabilityEvents,
  reliabilityTable,
  scoreForecasters,
  scoredQuestions,
  sharpness,
  timeAveragedScore,
  toVector,
  uniformBrier,
  wilsonInterval,
  type Forecast,
  type Probabilities,
  type Question,
  type Resolution,
} from '../src/forecasts/index.js';
import { poolDistributions } from '../src/synthesis/pool.js';

// Every expected value below is worked out by hand in the comment beside it; toBeCloseTo(x, 6)
// checks to within 5e-7.

function multipleChoice(id: string, resolution: Resolution | null = null): Question {
  return {
    id,
    type: 'multiple-choice',
    options: [
      { id: 'a', label: 'Scenario A' },
      { id: 'b', label: 'Scenario B' },
      { id: 'none', label: 'None of these' },
    ],
    resolveBy: '2029-01-01',
    resolution,
  };
}

function binary(id: string, resolution: Resolution | null = null): Question {
  return { id, type: 'binary', options: BINARY_OPTIONS, resolveBy: '2029-01-01', resolution };
}

function forecast(forecaster: string, questionId: string, madeAt: string, probabilities: Probabilities, runId = `run-${madeAt}`): Forecast {
  return { forecaster, questionId, runId, madeAt, probabilities };
}

const MC_FORECAST = { a: 0.55, b: 0.3, none: 0.15 };

describe('Brier score', () => {
  it('sums over the options of a multiple-choice question (0–2)', () => {
    // [0.55, 0.30, 0.15] resolved to the first option:
    // (0.55 − 1)² + (0.30 − 0)² + (0.15 − 0)² = 0.2025 + 0.09 + 0.0225 = 0.315
    expect(brierScore(multipleChoice('q'), MC_FORECAST, 'a')).toBeCloseTo(0.315, 6);
    // resolved to "none": 0.55² + 0.30² + (0.15 − 1)² = 0.3025 + 0.09 + 0.7225 = 1.115
    expect(brierScore(multipleChoice('q'), MC_FORECAST, 'none')).toBeCloseTo(1.115, 6);
    // the worst case: all on a, resolved b: 1 + 1 = 2
    expect(brierScore(multipleChoice('q'), { a: 1 }, 'b')).toBeCloseTo(2, 6);
  });

  it('uses the binary form on "yes" for a binary question (0–1), not the two-option sum', () => {
    // 0.7 resolved yes: (0.7 − 1)² = 0.09 (the two-option sum would be 0.09 + 0.09 = 0.18)
    expect(brierScore(binary('q'), { yes: 0.7 }, 'yes')).toBeCloseTo(0.09, 6);
    expect(brierScore(binary('q'), { yes: 0.7, no: 0.3 }, 'yes')).toBeCloseTo(0.09, 6);
    // 0.7 resolved no: (0.7 − 0)² = 0.49
    expect(brierScore(binary('q'), { yes: 0.7 }, 'no')).toBeCloseTo(0.49, 6);
  });

  it('rejects an outcome that is not an option, naming the valid ones, and malformed probabilities', () => {
    expect(() => brierScore(multipleChoice('q'), MC_FORECAST, 'c')).toThrow(/not an option \(a, b, none\)/);
    expect(() => brierScore(binary('q'), { yes: 1.2 }, 'yes')).toThrow(RangeError);
    expect(() => brierScore(multipleChoice('q'), { a: 0.5, b: 0.2 }, 'a')).toThrow(/sum to 1/);
    expect(() => brierScore(multipleChoice('q'), { a: 0.5, b: 0.5, c: 0 }, 'a')).toThrow(/unknown option "c"/);
  });

  it('renormalises a forecast off 1 by rounding only', () => {
    // [0.5, 0.3, 0.19] sums to 0.99 → [0.50505, 0.30303, 0.19192]
    const v = toVector(multipleChoice('q'), { a: 0.5, b: 0.3, none: 0.19 });
    expect(v[0]).toBeCloseTo(0.5 / 0.99, 9);
    expect(v.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
  });
});

describe('log score', () => {
  it('is the natural log of the probability given to the outcome', () => {
    // ln 0.55 = −0.597837; ln 0.7 = −0.356675; ln 0.3 = −1.203973
    expect(logScore(multipleChoice('q'), MC_FORECAST, 'a')).toBeCloseTo(-0.597837, 6);
    expect(logScore(binary('q'), { yes: 0.7 }, 'yes')).toBeCloseTo(-0.356675, 6);
    expect(logScore(binary('q'), { yes: 0.7 }, 'no')).toBeCloseTo(-1.203973, 6);
  });

  it('clamps to [ε, 1 − ε] and renormalises, so a 0 for the outcome is finite', () => {
    expect(LOG_SCORE_EPSILON).toBe(0.001);
    // binary yes = 0, resolved yes: clamped to 0.001 (and no to 0.999: still sums to 1) → ln 0.001 = −6.907755
    expect(logScore(binary('q'), { yes: 0 }, 'yes')).toBeCloseTo(-6.907755, 6);
    // binary yes = 1, resolved yes: clamped to 0.999 → ln 0.999 = −0.0010005
    expect(logScore(binary('q'), { yes: 1 }, 'yes')).toBeCloseTo(-0.0010005, 6);
    // [0, 0, 1] resolved a: clamped [0.001, 0.001, 0.999] sums to 1.001, renormalised a = 0.001/1.001
    // → ln 0.001 − ln 1.001 = −6.907755 − 0.0009995 = −6.908755
    const worst = logScore(multipleChoice('q'), { none: 1 }, 'a');
    expect(Number.isFinite(worst)).toBe(true);
    expect(worst).toBeCloseTo(-6.908755, 6);
  });
});

describe('Brier skill score and sharpness', () => {
  it('scores skill against the uniform forecast', () => {
    // uniform over three options resolved a: (1/3 − 1)² + 2 × (1/3)² = 4/9 + 2/9 = 2/3
    expect(uniformBrier(multipleChoice('q'), 'a')).toBeCloseTo(2 / 3, 9);
    // uniform binary: (0.5 − 1)² = 0.25
    expect(uniformBrier(binary('q'), 'yes')).toBeCloseTo(0.25, 9);
    // 1 − 0.315 / (2/3) = 1 − 0.4725 = 0.5275
    expect(brierSkillScore(0.315, 2 / 3)).toBeCloseTo(0.5275, 6);
    // 1 − 0.09 / 0.25 = 1 − 0.36 = 0.64
    expect(brierSkillScore(0.09, 0.25)).toBeCloseTo(0.64, 6);
    expect(brierSkillScore(0.1, 0)).toBeNull();
  });

  it('measures sharpness as the squared distance from the uniform forecast', () => {
    // (0.55 − 1/3)² + (0.30 − 1/3)² + (0.15 − 1/3)² = 0.046944 + 0.001111 + 0.033611 = 0.081667
    // (check: Σp² − 1/k = 0.415 − 0.333333 = 0.081667)
    expect(sharpness(multipleChoice('q'), MC_FORECAST)).toBeCloseTo(0.081667, 6);
    // binary 0.7: (0.7 − 0.5)² = 0.04
    expect(sharpness(binary('q'), { yes: 0.7 })).toBeCloseTo(0.04, 9);
    expect(sharpness(multipleChoice('q'), { a: 1 / 3, b: 1 / 3, none: 1 / 3 })).toBeCloseTo(0, 12);
  });
});

describe('time averaging', () => {
  // Resolved yes on 2025-02-10: a forecast of 0.5 on 2025-01-01 is in force 10 days (until the next
  // on 2025-01-11), then 0.9 for 30 days (2025-01-11 → 2025-02-10).
  const question = binary('q', { outcome: 'yes', at: '2025-02-10' });
  const early = forecast('JP-01', 'q', '2025-01-01', { yes: 0.5 });
  const later = forecast('JP-01', 'q', '2025-01-11', { yes: 0.9 });

  it('weights each forecast by the days it was in force until resolution', () => {
    // Brier 0.5 → 0.25, 0.9 → 0.01; (10 × 0.25 + 30 × 0.01) / 40 = (2.5 + 0.3) / 40 = 0.07
    const score = timeAveragedScore(question, [later, early]);
    expect(score?.timeAveraged).toBeCloseTo(0.07, 9);
    // the last forecast before resolution is 0.9 → 0.01
    expect(score?.last).toBeCloseTo(0.01, 9);
  });

  it('ignores forecasts made at or after the resolution time', () => {
    // a 1.0 made after the outcome was known would score 0 and pull both figures down
    const after = forecast('JP-01', 'q', '2025-02-15', { yes: 1 });
    const atResolution = forecast('JP-01', 'q', '2025-02-10', { yes: 1 });
    const score = timeAveragedScore(question, [early, later, after, atResolution]);
    expect(score?.timeAveraged).toBeCloseTo(0.07, 9);
    expect(score?.last).toBeCloseTo(0.01, 9);
    expect(timeAveragedScore(question, [after])).toBeNull();
  });

  it('scores nothing on unresolved or void questions', () => {
    expect(timeAveragedScore(binary('q'), [early])).toBeNull();
    expect(timeAveragedScore(binary('q', { outcome: null, at: '2025-02-10' }), [early])).toBeNull();
  });

  it('refuses to mix forecasters in one sequence', () => {
    expect(() => timeAveragedScore(question, [early, forecast('CN-01', 'q', '2025-01-05', { yes: 0.1 })])).toThrow(/scored together/);
  });
});

describe('resolution history', () => {
  it('takes the last recorded resolution, so a correction counts', () => {
    // recorded yes on 03-02, corrected to no on 03-10 (with an earlier outcome date): no counts
    const history = [
      { outcome: 'yes', at: '2025-03-01', recordedAt: '2025-03-02T09:00:00Z', note: 'first reading' },
      { outcome: 'no', at: '2025-02-20', recordedAt: '2025-03-10T09:00:00Z', note: 'corrected' },
    ];
    expect(currentResolution(history)).toEqual({ outcome: 'no', at: '2025-02-20' });
    // by time recorded, not list order
    expect(currentResolution([...history].reverse())).toEqual({ outcome: 'no', at: '2025-02-20' });
    expect(currentResolution([])).toBeNull();
    // a void that was later resolved is scored; a resolution later voided is not
    const voided = { outcome: null, at: '2025-03-01', recordedAt: '2025-03-01' };
    const resolvedYes = { outcome: 'yes', at: '2025-03-01', recordedAt: '2025-03-05' };
    expect(currentResolution([voided, resolvedYes])?.outcome).toBe('yes');
    expect(currentResolution([{ ...resolvedYes, recordedAt: '2025-03-01' }, { ...voided, recordedAt: '2025-03-05' }])?.outcome).toBeNull();
  });

  it('scores against the corrected outcome', () => {
    const history = [
      { outcome: 'yes', at: '2025-03-01', recordedAt: '2025-03-02' },
      { outcome: 'no', at: '2025-03-01', recordedAt: '2025-03-10' },
    ];
    const question = binary('q', currentResolution(history));
    // 0.7 on yes, resolved no: (0.7 − 0)² = 0.49 (not 0.09)
    const score = timeAveragedScore(question, [forecast('JP-01', 'q', '2025-01-01', { yes: 0.7 })]);
    expect(score?.last).toBeCloseTo(0.49, 9);
  });
});

describe('pooling', () => {
  const q = multipleChoice('q');
  const desks = [
    forecast('D1', 'q', '2025-01-01', { a: 0.7, b: 0.2, none: 0.1 }),
    forecast('D2', 'q', '2025-01-01', { a: 0.5, b: 0.3, none: 0.2 }),
    forecast('D3', 'q', '2025-01-01', { a: 0.4, b: 0.3, none: 0.3 }),
    forecast('D4', 'q', '2025-01-01', { a: 0.2, b: 0.2, none: 0.6 }),
    forecast('D5', 'q', '2025-01-01', { a: 0.1, b: 0.8, none: 0.1 }),
  ];

  it('trimmed mean with five desks drops the extremes per option, then renormalises', () => {
    // a: 0.1 0.2 0.4 0.5 0.7 → drop 0.1 and 0.7 → (0.2 + 0.4 + 0.5)/3 = 1.1/3
    // b: 0.2 0.2 0.3 0.3 0.8 → (0.2 + 0.3 + 0.3)/3 = 0.8/3
    // none: 0.1 0.1 0.2 0.3 0.6 → (0.1 + 0.2 + 0.3)/3 = 0.6/3
    // sum 2.5/3 → renormalised 1.1/2.5 = 0.44, 0.8/2.5 = 0.32, 0.6/2.5 = 0.24
    const pooled = poolProbabilities(q, desks, 'trimmed-mean');
    expect(pooled.a).toBeCloseTo(0.44, 9);
    expect(pooled.b).toBeCloseTo(0.32, 9);
    expect(pooled.none).toBeCloseTo(0.24, 9);
    // the same as the synthesis pool the report shows
    const rows = desks.map((d) => [d.probabilities.a ?? 0, d.probabilities.b ?? 0, d.probabilities.none ?? 0]);
    expect([pooled.a, pooled.b, pooled.none]).toEqual(poolDistributions(rows));
  });

  it('trimmed mean below five desks is the plain mean', () => {
    // D1..D4, a: (0.7 + 0.5 + 0.4 + 0.2)/4 = 0.45; b: (0.2 + 0.3 + 0.3 + 0.2)/4 = 0.25; none: 1.2/4 = 0.3
    const pooled = poolProbabilities(q, desks.slice(0, 4), 'trimmed-mean');
    expect(pooled.a).toBeCloseTo(0.45, 9);
    expect(pooled.b).toBeCloseTo(0.25, 9);
    expect(pooled.none).toBeCloseTo(0.3, 9);
  });

  it('median per option, renormalised', () => {
    // medians a 0.4, b 0.3, none 0.2 → sum 0.9 → 4/9, 3/9, 2/9
    const pooled = poolProbabilities(q, desks, 'median');
    expect(pooled.a).toBeCloseTo(4 / 9, 9);
    expect(pooled.b).toBeCloseTo(3 / 9, 9);
    expect(pooled.none).toBeCloseTo(2 / 9, 9);
    // even count, D1..D4: a (0.4 + 0.5)/2 = 0.45, b (0.2 + 0.3)/2 = 0.25, none (0.2 + 0.3)/2 = 0.25
    // sum 0.95 → 0.45/0.95 = 0.473684
    expect(poolProbabilities(q, desks.slice(0, 4), 'median').a).toBeCloseTo(0.473684, 6);
  });

  it('mean of log-odds', () => {
    const b = binary('r');
    // logit 0.9 = ln 9, logit 0.5 = 0 → mean ln 3 → 3/(1 + 3) = 0.75 (the plain mean would be 0.7);
    // "no" pools to 0.25 by symmetry, so the sum is already 1
    const desk = (id: string, yes: number) => forecast(id, 'r', '2025-01-01', { yes });
    const pooled = poolProbabilities(b, [desk('D1', 0.9), desk('D2', 0.5)], 'log-odds-mean');
    expect(pooled.yes).toBeCloseTo(0.75, 9);
    expect(pooled.no).toBeCloseTo(0.25, 9);
    // clamp first: 0 → 0.001, logit = −ln 999; with 0.5 the mean is −ln(999)/2 → odds 1/√999
    // → p = 1/(1 + √999) = 1/32.606961 = 0.030668
    const clamped = poolProbabilities(b, [desk('D1', 0), desk('D2', 0.5)], 'log-odds-mean');
    expect(clamped.yes).toBeCloseTo(0.030668, 6);
  });

  it('mean of log-odds on a multiple-choice question renormalises', () => {
    // [0.8, 0.1, 0.1] and [0.2, 0.4, 0.4]
    // a: logit 0.8 = ln 4, logit 0.2 = −ln 4 → mean 0 → 0.5
    // b, none: (ln(0.1/0.9) + ln(0.4/0.6))/2 = ln(2/27)/2 → odds √(2/27) = 0.2721655
    //   → 0.2721655/1.2721655 = 0.2139388
    // sum 0.5 + 2 × 0.2139388 = 0.9278775 → a 0.5/0.9278775 = 0.538864, b = none = 0.230568
    const pooled = poolProbabilities(
      q,
      [forecast('D1', 'q', '2025-01-01', { a: 0.8, b: 0.1, none: 0.1 }), forecast('D2', 'q', '2025-01-01', { a: 0.2, b: 0.4, none: 0.4 })],
      'log-odds-mean',
    );
    expect(pooled.a).toBeCloseTo(0.538864, 6);
    expect(pooled.b).toBeCloseTo(0.230568, 6);
    expect(pooled.none).toBeCloseTo(0.230568, 6);
  });

  it('stamps one forecast per method and the uniform baseline', () => {
    const made = pooledForecasts(q, desks, { runId: 'run-9', madeAt: '2025-01-02' });
    expect(made.map((f) => f.forecaster)).toEqual(['pool:trimmed-mean', 'pool:median', 'pool:log-odds-mean', UNIFORM_BASELINE]);
    expect(made.every((f) => f.runId === 'run-9' && f.madeAt === '2025-01-02' && f.questionId === 'q')).toBe(true);
    const baseline = made[3]?.probabilities ?? {};
    expect(baseline.a).toBeCloseTo(1 / 3, 12);
    expect(pooledForecasts(binary('r'), [], { runId: 'run-9', madeAt: '2025-01-02' })).toEqual([
      { forecaster: UNIFORM_BASELINE, questionId: 'r', runId: 'run-9', madeAt: '2025-01-02', probabilities: { yes: 0.5, no: 0.5 } },
    ]);
  });

  it('pools desks only, once each', () => {
    expect(() => poolProbabilities(q, [desks[0]!, desks[0]!], 'median')).toThrow(/twice/);
    expect(() => poolProbabilities(q, [{ ...desks[0]!, forecaster: 'pool:median' }], 'median')).toThrow(/only desk forecasts/);
  });
});

describe('reliability', () => {
  it('Wilson interval for 7 of 10 at 95% is 0.3968–0.8922', () => {
    // p̂ = 0.7, z² = 3.8416, z²/n = 0.38416; centre (0.7 + 0.19208)/1.38416 = 0.644492;
    // half 1.96 × √(0.021 + 0.009604)/1.38416 = 1.96 × 0.174940/1.38416 = 0.247719
    const { lower, upper } = wilsonInterval(7, 10);
    expect(lower).toBeCloseTo(0.3968, 4);
    expect(upper).toBeCloseTo(0.8922, 4);
    // 0 of 10: centre 0.19208/1.38416 = 0.138770 and half 1.96 × 0.098/1.38416 = 0.138770 → [0, 0.277540]
    expect(wilsonInterval(0, 10).lower).toBeCloseTo(0, 9);
    expect(wilsonInterval(0, 10).upper).toBeCloseTo(0.27754, 6);
    expect(() => wilsonInterval(1, 0)).toThrow(RangeError);
  });

  it('bins events with n, mean forecast, observed frequency and the interval', () => {
    const events = [
      ...Array.from({ length: 10 }, (_, i) => ({ p: 0.72, happened: i < 7 })),
      { p: 0.3, happened: false }, // lands in [0.3, 0.4), not [0.2, 0.3)
      { p: 0.05, happened: false },
      { p: 0.15, happened: true },
      { p: 1, happened: true }, // the last bin includes 1
    ];
    const table = reliabilityTable(events);
    expect(table).toHaveLength(10);
    expect(table.map((b) => b.n)).toEqual([1, 1, 0, 1, 0, 0, 0, 10, 0, 1]);
    const seventies = table[7]!;
    expect(seventies.lower).toBeCloseTo(0.7, 12);
    expect(seventies.meanForecast).toBeCloseTo(0.72, 9);
    expect(seventies.observedFrequency).toBeCloseTo(0.7, 9);
    expect(seventies.wilson?.lower).toBeCloseTo(0.3968, 4);
    expect(seventies.wilson?.upper).toBeCloseTo(0.8922, 4);
    expect(table[2]).toMatchObject({ n: 0, meanForecast: null, observedFrequency: null, wilson: null });
  });

  it('reads a multiple-choice forecast as one binary event per option, a binary one as one event', () => {
    expect(binaryEvents(multipleChoice('q', { outcome: 'b', at: '2025-02-01' }), [0.55, 0.3, 0.15])).toEqual([
      { p: 0.55, happened: false },
      { p: 0.3, happened: true },
      { p: 0.15, happened: false },
    ]);
    expect(binaryEvents(binary('r', { outcome: 'no', at: '2025-02-01' }), [0.7, 0.3])).toEqual([{ p: 0.7, happened: false }]);
  });

  it('takes the last forecast before resolution per forecaster and question', () => {
    const questions = [binary('r', { outcome: 'yes', at: '2025-02-01' }), binary('s', { outcome: null, at: '2025-02-01' })];
    const forecasts = [
      forecast('JP-01', 'r', '2025-01-01', { yes: 0.2 }),
      forecast('JP-01', 'r', '2025-01-20', { yes: 0.6 }),
      forecast('JP-01', 'r', '2025-02-05', { yes: 1 }), // after resolution
      forecast('JP-01', 's', '2025-01-20', { yes: 0.6 }), // void
      forecast('CN-01', 'r', '2025-01-20', { yes: 0.4 }),
    ];
    expect(reliabilityEvents(questions, forecasts, { forecaster: 'JP-01' })).toEqual([{ p: 0.6, happened: true }]);
    expect(reliabilityEvents(questions, forecasts)).toHaveLength(2);
  });
});

describe('scoreForecasters', () => {
  it('averages per-question scores over resolved, non-void questions', () => {
    const questions = [
      multipleChoice('m', { outcome: 'a', at: '2025-03-01' }),
      binary('b', { outcome: 'yes', at: '2025-03-01' }),
      binary('void', { outcome: null, at: '2025-03-01' }),
      binary('open'),
    ];
    const forecasts = [
      forecast('JP-01', 'm', '2025-01-01', MC_FORECAST),
      forecast('JP-01', 'b', '2025-01-01', { yes: 0.7 }),
      forecast('JP-01', 'void', '2025-01-01', { yes: 0 }),
      forecast('JP-01', 'open', '2025-01-01', { yes: 0 }),
      forecast(UNIFORM_BASELINE, 'm', '2025-01-01', { a: 1 / 3, b: 1 / 3, none: 1 / 3 }),
      forecast(UNIFORM_BASELINE, 'b', '2025-01-01', { yes: 0.5 }),
    ];
    const board = scoreForecasters(questions, forecasts);
    expect(board.resolvedQuestions).toBe(2);
    expect(board.rankingsWithheld).toBe(true);
    const jp = board.rows.find((r) => r.forecaster === 'JP-01')!;
    expect(jp.n).toBe(2);
    // (0.315 + 0.09)/2 = 0.2025 (one forecast each, so time-averaged = last)
    expect(jp.brier).toBeCloseTo(0.2025, 9);
    expect(jp.timeAveragedBrier).toBeCloseTo(0.2025, 9);
    expect(jp.lastBrier).toBeCloseTo(0.2025, 9);
    // (ln 0.55 + ln 0.7)/2 = (−0.597837 − 0.356675)/2 = −0.477256
    expect(jp.logScore).toBeCloseTo(-0.477256, 6);
    // reference (2/3 + 0.25)/2 = 0.458333; 1 − 0.2025/0.458333 = 1 − 0.441818 = 0.558182
    expect(jp.brierSkill).toBeCloseTo(0.558182, 6);
    // (0.081667 + 0.04)/2 = 0.060833
    expect(jp.sharpness).toBeCloseTo(0.060833, 6);
    expect(jp.rank).toBeNull();
    const baseline = board.rows.find((r) => r.forecaster === UNIFORM_BASELINE)!;
    expect(baseline.brierSkill).toBeCloseTo(0, 12);
    expect(baseline.sharpness).toBeCloseTo(0, 12);
  });

  it('keeps time-averaged and last-forecast Brier apart', () => {
    const question = binary('q', { outcome: 'yes', at: '2025-02-10' });
    const rows = scoreForecasters(
      [question],
      [forecast('JP-01', 'q', '2025-01-01', { yes: 0.5 }), forecast('JP-01', 'q', '2025-01-11', { yes: 0.9 })],
    ).rows;
    // as in the time-averaging test: 0.07 time-averaged, 0.01 last
    expect(rows[0]?.timeAveragedBrier).toBeCloseTo(0.07, 9);
    expect(rows[0]?.lastBrier).toBeCloseTo(0.01, 9);
  });

  it('counts only questions resolved since the given date', () => {
    const questions = [binary('old', { outcome: 'yes', at: '2024-06-01' }), binary('new', { outcome: 'no', at: '2025-06-01' })];
    expect(scoredQuestions(questions, { since: '2025-01-01' }).map((q) => q.id)).toEqual(['new']);
    const forecasts = [forecast('JP-01', 'old', '2024-01-01', { yes: 0.7 }), forecast('JP-01', 'new', '2025-01-01', { yes: 0.7 })];
    const board = scoreForecasters(questions, forecasts, { since: '2025-01-01' });
    // only "new": 0.7 resolved no → 0.49
    expect(board.rows[0]).toMatchObject({ forecaster: 'JP-01', n: 1 });
    expect(board.rows[0]?.brier).toBeCloseTo(0.49, 9);
    expect(() => scoreForecasters(questions, [], { since: 'last Tuesday' })).toThrow(/unreadable date/);
  });

  function archiveOf(count: number): { questions: Question[]; forecasts: Forecast[] } {
    const questions = Array.from({ length: count }, (_, i) => binary(`q${i}`, { outcome: 'yes', at: '2025-03-01' }));
    const forecasts = questions.flatMap((q) => [
      forecast('JP-01', q.id, '2025-01-01', { yes: 0.7 }), // Brier 0.09
      forecast('CN-01', q.id, '2025-01-01', { yes: 0.6 }), // Brier 0.16
    ]);
    return { questions, forecasts };
  }

  it(`withholds rankings below ${RANKING_MIN_RESOLVED} resolved questions but returns the figures`, () => {
    expect(RANKING_MIN_RESOLVED).toBe(30);
    const { questions, forecasts } = archiveOf(29);
    const board = scoreForecasters(questions, forecasts);
    expect(board.rankingsWithheld).toBe(true);
    expect(board.rows.map((r) => [r.forecaster, r.n, r.rank])).toEqual([
      ['CN-01', 29, null],
      ['JP-01', 29, null],
    ]);
    expect(board.rows[1]?.brier).toBeCloseTo(0.09, 9);
  });

  it(`ranks by Brier from ${RANKING_MIN_RESOLVED} resolved questions`, () => {
    const { questions, forecasts } = archiveOf(30);
    const board = scoreForecasters(questions, [...forecasts, forecast('KR-01', 'q0', '2025-01-01', { yes: 1 })]);
    expect(board.rankingsWithheld).toBe(false);
    // KR-01 forecast one question only: shown, not ranked
    expect(board.rows.map((r) => [r.forecaster, r.rank])).toEqual([
      ['JP-01', 1],
      ['CN-01', 2],
      ['KR-01', null],
    ]);
  });
});
