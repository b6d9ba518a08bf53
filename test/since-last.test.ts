import { describe, expect, it } from 'vitest';
import type { AgentAssessment } from '../src/assessment/schema.js';
import { diffRuns } from '../src/compare/diff-runs.js';
import type { RunResult } from '../src/pipeline/run-event.js';
import { pointsChange, sinceLastDigest } from '../src/report/since-last-format.js';
import { renderSinceLastHtml } from '../src/report/since-last-html.js';
import { renderSinceLastMarkdown } from '../src/report/since-last-markdown.js';
import { buildRiskView } from '../src/synthesis/build-risk-view.js';
import type { RiskView, SinceLast, SynthesisDraft } from '../src/synthesis/schema.js';
import { assignLineage, sinceLastView, withSinceLast } from '../src/synthesis/since-last.js';
import {
  deskWithStance,
  mergedRisk,
  PREVIOUS_AT,
  PREVIOUS_RUN_ID,
  previousSynthesis,
  riskView,
  scenario,
} from './support/since-last-fixtures.js';
import { coverage, deskWith, emptyDraft, synthProvenance } from './support/synthesis-fixtures.js';

/** The since-last entry for the current scenario at `scenarioId` (its position in this view). */
function entry(s: SinceLast, scenarioId: string): SinceLast['scenarios'][number] {
  const found = s.scenarios.find((x) => x.scenarioId === scenarioId);
  if (!found) throw new Error(`no since-last entry for ${scenarioId}`);
  return found;
}

const sinceOnly = (current: RiskView, previous: RiskView, assessments: AgentAssessment[] = []) =>
  sinceLastView(current, assessments, previousSynthesis(previous));

describe('assignLineage (a thread\'s first consolidated view)', () => {
  it('numbers the scenarios S1, S2, … in their order, without touching the input', () => {
    const input = [scenario('S1', 'Modest, selective success', ['JP-01:T1'], 0.5), scenario('S2', 'Stalled rollout', ['JP-01:T2'], 0.3), scenario('S3', 'Collapse', ['JP-01:T3'], 0.2)];
    const out = assignLineage(input);
    expect(out.map((s) => [s.id, s.lineageId])).toEqual([
      ['S1', 'S1'],
      ['S2', 'S2'],
      ['S3', 'S3'],
    ]);
    expect(input.every((s) => s.lineageId === undefined)).toBe(true);
  });
});

describe('matching scenarios to the earlier view', () => {
  it('matches by shared desk trajectories whatever the synthesizer calls the scenario now', () => {
    const previous = riskView({
      scenarios: [
        scenario('S1', 'Modest, selective success', ['JP-01:T1', 'CN-01:T1', 'US-01:T2'], 0.55, 'S1'),
        scenario('S2', 'Stalled rollout', ['JP-01:T2', 'CN-01:T2', 'US-01:T1'], 0.45, 'S2'),
      ],
    });
    // Reworded beyond any name match, and the order flipped: only the trajectories tell.
    const current = riskView({
      scenarios: [
        scenario('S1', 'Projects bog down in negotiation', ['JP-01:T2', 'CN-01:T2', 'US-01:T1'], 0.6),
        scenario('S2', 'A handful of flagship deals land', ['JP-01:T1', 'CN-01:T1', 'US-01:T2'], 0.4),
      ],
    });
    const { sinceLast, scenarios } = sinceOnly(current, previous);
    expect(scenarios.map((s) => [s.id, s.lineageId])).toEqual([
      ['S1', 'S2'],
      ['S2', 'S1'],
    ]);
    expect(entry(sinceLast, 'S1')).toEqual({
      scenarioId: 'S1',
      lineageId: 'S2',
      name: 'Projects bog down in negotiation',
      previous: 0.45,
      current: 0.6,
      delta: 0.15,
      matchedTo: { scenarioId: 'S2', name: 'Stalled rollout', by: 'trajectories' },
    });
    expect(entry(sinceLast, 'S2').delta).toBe(-0.15);
    expect(sinceLast.retiredScenarios).toEqual([]);
  });

  it('still matches when a desk failed this time or a new desk joined (partial overlap)', () => {
    const previous = riskView({ scenarios: [scenario('S1', 'Modest, selective success', ['JP-01:T1', 'CN-01:T1', 'US-01:T1'], 0.6, 'S1')] });
    // CN-01 is missing this run, KR-01 is new: 2 shared of 4 in all.
    const current = riskView({ scenarios: [scenario('S1', 'Selective deals only', ['JP-01:T1', 'US-01:T1', 'KR-01:T1'], 0.62)] });
    const { sinceLast } = sinceOnly(current, previous);
    expect(entry(sinceLast, 'S1').matchedTo).toEqual({ scenarioId: 'S1', name: 'Modest, selective success', by: 'trajectories' });
    expect(entry(sinceLast, 'S1').delta).toBe(0.02);
  });

  it('takes the best pairs first and never gives one earlier scenario to two current ones', () => {
    const previous = riskView({
      scenarios: [scenario('S1', 'Broad uptake', ['JP-01:T1', 'CN-01:T1', 'US-01:T1', 'KR-01:T1', 'IN-01:T1', 'EU-01:T1'], 0.7, 'S1')],
    });
    // The earlier scenario split: the second part shares more of it (3 of 6) than the first (2 of 6),
    // so it inherits the lineage even though it is listed later; the first becomes new.
    const current = riskView({
      scenarios: [
        scenario('S1', 'Early movers commit', ['JP-01:T1', 'CN-01:T1'], 0.4),
        scenario('S2', 'Late followers hedge', ['US-01:T1', 'KR-01:T1', 'IN-01:T1'], 0.35),
      ],
    });
    const { sinceLast, scenarios } = sinceOnly(current, previous);
    expect(scenarios.map((s) => s.lineageId)).toEqual(['S2', 'S1']);
    expect(entry(sinceLast, 'S2').matchedTo?.scenarioId).toBe('S1');
    expect(entry(sinceLast, 'S1')).toMatchObject({ lineageId: 'S2', previous: null, delta: null, matchedTo: null });
  });

  it('breaks an overlap tie by the names, and the loser does not then match by name', () => {
    const previous = riskView({ scenarios: [scenario('S1', 'Stalled rollout', ['JP-01:T1', 'CN-01:T1', 'US-01:T1', 'KR-01:T1'], 0.5, 'S1')] });
    const current = riskView({
      scenarios: [
        scenario('S1', 'Stalled rollout, deep', ['JP-01:T1', 'CN-01:T1'], 0.3),
        scenario('S2', 'Stalled rollout', ['US-01:T1', 'KR-01:T1'], 0.25),
      ],
    });
    const { sinceLast } = sinceOnly(current, previous);
    expect(entry(sinceLast, 'S2').matchedTo).toEqual({ scenarioId: 'S1', name: 'Stalled rollout', by: 'trajectories' });
    expect(entry(sinceLast, 'S1').matchedTo).toBeNull();
    expect(entry(sinceLast, 'S1').lineageId).toBe('S2');
  });

  it('refuses a lone trajectory from inheriting the scenario it used to sit in (overlap below a third)', () => {
    const previous = riskView({ scenarios: [scenario('S1', 'Broad uptake', ['JP-01:T1', 'CN-01:T1', 'US-01:T1', 'KR-01:T1', 'IN-01:T1'], 0.7, 'S1')] });
    const current = riskView({ scenarios: [scenario('S1', 'JP-01 T1', ['JP-01:T1'], 0.1)] });
    const { sinceLast } = sinceOnly(current, previous);
    expect(entry(sinceLast, 'S1').matchedTo).toBeNull();
    expect(sinceLast.retiredScenarios.map((r) => r.name)).toEqual(['Broad uptake']);
  });

  it('falls back to names for scenarios sharing no trajectories, with a conservative threshold', () => {
    const previous = riskView({
      scenarios: [
        scenario('S1', 'Modest, selective success', ['JP-01:T1'], 0.45, 'S1'),
        scenario('S2', 'Trade friction grows', ['JP-01:T2'], 0.35, 'S2'),
        scenario('S3', 'Stalled rollout', ['JP-01:T3'], 0.2, 'S3'),
      ],
    });
    const current = riskView({
      scenarios: [
        // Same words once punctuation and "and" are dropped: a match.
        scenario('S1', 'Modest and selective success', ['JP-01:T4'], 0.55),
        // Half the words shared, opposite meaning: `runs diff` (0.5) would pair them; this must not.
        scenario('S2', 'Trade friction eases', ['JP-01:T5'], 0.3),
        // Reworded past recognition: new, and the earlier one retired.
        scenario('S3', 'Rollout stalls', ['JP-01:T6'], 0.15),
      ],
    });
    const { sinceLast } = sinceOnly(current, previous);
    expect(entry(sinceLast, 'S1')).toMatchObject({
      lineageId: 'S1',
      previous: 0.45,
      delta: 0.1,
      matchedTo: { scenarioId: 'S1', name: 'Modest, selective success', by: 'name' },
    });
    expect(entry(sinceLast, 'S2')).toMatchObject({ lineageId: 'S4', previous: null, delta: null, matchedTo: null });
    expect(entry(sinceLast, 'S3')).toMatchObject({ lineageId: 'S5', previous: null, delta: null, matchedTo: null });
    expect(sinceLast.retiredScenarios).toEqual([
      { scenarioId: 'S2', lineageId: 'S2', name: 'Trade friction grows', previous: 0.35 },
      { scenarioId: 'S3', lineageId: 'S3', name: 'Stalled rollout', previous: 0.2 },
    ]);
  });
});

describe('lineage across the thread', () => {
  it('inherits the earlier lineage ids, which need not follow the positions', () => {
    const previous = riskView({
      scenarios: [scenario('S1', 'Stalled rollout', ['JP-01:T2'], 0.5, 'S3'), scenario('S2', 'Modest, selective success', ['JP-01:T1'], 0.5, 'S1')],
    });
    const current = riskView({
      scenarios: [scenario('S1', 'Modest, selective success', ['JP-01:T1'], 0.6), scenario('S2', 'Stalled rollout', ['JP-01:T2'], 0.4)],
    });
    const { sinceLast, scenarios } = sinceOnly(current, previous);
    expect(scenarios.map((s) => s.lineageId)).toEqual(['S1', 'S3']);
    expect(sinceLast.scenarios.map((s) => s.lineageId)).toEqual(['S1', 'S3']);
  });

  it('gives an earlier view archived without lineage its positions, and new scenarios the next numbers', () => {
    const previous = riskView({
      scenarios: [scenario('S1', 'Modest, selective success', ['JP-01:T1'], 0.6), scenario('S2', 'Stalled rollout', ['JP-01:T2'], 0.4)],
    });
    const current = riskView({
      scenarios: [
        scenario('S1', 'Stalled rollout', ['JP-01:T2'], 0.5),
        scenario('S2', 'Sudden cancellation', ['JP-01:T3'], 0.3),
        scenario('S3', 'Modest, selective success', ['JP-01:T1'], 0.2),
      ],
    });
    const { sinceLast, scenarios } = sinceOnly(current, previous);
    expect(scenarios.map((s) => s.lineageId)).toEqual(['S2', 'S3', 'S1']);
    expect(sinceLast.lineageHigh).toBe(3);
  });

  it('never reuses a number, not even one retired two views ago', () => {
    // The view before the previous one had S1…S4; the previous view retired S3 and S4 and carries
    // the high-water mark 4. A new scenario now must be S5, not S3 (free in the previous view).
    const previous = riskView({
      scenarios: [scenario('S1', 'Modest, selective success', ['JP-01:T1'], 0.7, 'S1'), scenario('S2', 'Stalled rollout', ['JP-01:T2'], 0.3, 'S2')],
      sinceLast: {
        previousRunId: 'older',
        previousAt: '2025-02-01T00:00:00.000Z',
        scenarios: [],
        retiredScenarios: [],
        stanceChanges: [],
        newRisks: [],
        retiredRisks: [],
        triggeredIndicators: [],
        lineageHigh: 4,
      },
    });
    const current = riskView({
      scenarios: [
        scenario('S1', 'Modest, selective success', ['JP-01:T1'], 0.5),
        scenario('S2', 'Sudden cancellation', ['JP-01:T4'], 0.3),
        scenario('S3', 'Quiet wind-down', ['JP-01:T5'], 0.2),
      ],
    });
    const { sinceLast, scenarios } = sinceOnly(current, previous);
    expect(scenarios.map((s) => s.lineageId)).toEqual(['S1', 'S5', 'S6']);
    expect(sinceLast.lineageHigh).toBe(6);
    expect(sinceLast.retiredScenarios.map((r) => r.lineageId)).toEqual(['S2']);
  });

  it('never reuses a retired number from the previous view itself', () => {
    const previous = riskView({
      scenarios: [scenario('S1', 'Modest, selective success', ['JP-01:T1'], 0.6, 'S1'), scenario('S2', 'Stalled rollout', ['JP-01:T2'], 0.4, 'S2')],
    });
    const current = riskView({ scenarios: [scenario('S1', 'Modest, selective success', ['JP-01:T1'], 0.8), scenario('S2', 'Sudden cancellation', ['JP-01:T3'], 0.2)] });
    const { scenarios } = sinceOnly(current, previous);
    expect(scenarios.map((s) => s.lineageId)).toEqual(['S1', 'S3']);
  });
});

describe('deltas', () => {
  it('are current − previous rounded to 3 decimals, without float noise or a negative zero', () => {
    // The raw differences are noisy: this is what the rounding is for.
    expect(0.55 - 0.45).not.toBe(0.1);
    expect(0.7 - 0.4).not.toBe(0.3);
    const previous = riskView({
      scenarios: [
        scenario('S1', 'Modest, selective success', ['JP-01:T1'], 0.45, 'S1'),
        scenario('S2', 'Stalled rollout', ['JP-01:T2'], 0.4, 'S2'),
        scenario('S3', 'Collapse', ['JP-01:T3'], 0.15, 'S3'),
      ],
    });
    const current = riskView({
      scenarios: [
        scenario('S1', 'Stalled rollout', ['JP-01:T2'], 0.7),
        scenario('S2', 'Modest, selective success', ['JP-01:T1'], 0.55),
        scenario('S3', 'Collapse', ['JP-01:T3'], 0.15),
      ],
    });
    const { sinceLast } = sinceOnly(current, previous);
    expect(entry(sinceLast, 'S1').delta).toBe(0.3);
    expect(entry(sinceLast, 'S2').delta).toBe(0.1);
    expect(Object.is(entry(sinceLast, 'S3').delta, 0)).toBe(true);
    expect(JSON.stringify(sinceLast.scenarios.map((s) => s.delta))).toBe('[0.3,0.1,0]');
  });

  it('come out right from views the real builder made (pooled order flips, float noise included)', () => {
    const desks = (p: number[]) => [deskWith('JP-01', p, [{ severity: 'medium', likelihood: 0.3 }]), deskWith('CN-01', p, [{ severity: 'high', likelihood: 0.2 }])];
    const draft = (names: [string, string]): SynthesisDraft => ({
      ...emptyDraft,
      scenarioClusters: [
        { name: names[0], summary: 's', memberIds: ['JP-01:T1', 'CN-01:T1'] },
        { name: names[1], summary: 's', memberIds: ['JP-01:T2', 'CN-01:T2'] },
      ],
    });
    const before = desks([0.6, 0.4]);
    const after = desks([0.3, 0.7]);
    const earlier = withSinceLast(buildRiskView(before, draft(['Modest, selective success', 'Stalled rollout']), coverage(before), synthProvenance), before, null);
    const now = buildRiskView(after, draft(['Flagship deals only', 'Deals stall in talks']), coverage(after), synthProvenance);

    const view = withSinceLast(now, after, previousSynthesis(earlier));
    expect(view.scenarios.map((s) => [s.id, s.name, s.pooledProbability, s.lineageId])).toEqual([
      ['S1', 'Deals stall in talks', 0.7, 'S2'],
      ['S2', 'Flagship deals only', 0.3, 'S1'],
    ]);
    expect(view.sinceLast?.scenarios.map((s) => [s.lineageId, s.previous, s.current, s.delta, s.matchedTo?.by])).toEqual([
      ['S2', 0.4, 0.7, 0.3, 'trajectories'],
      ['S1', 0.6, 0.3, -0.3, 'trajectories'],
    ]);
    // The rest of the view is untouched.
    expect(view.riskRegister).toEqual(now.riskRegister);
    expect(view.bottomLine).toBe(now.bottomLine);
  });
});

describe('stances, risks and indicators', () => {
  it('lists the desks present in both views whose stance label changed', () => {
    const view = riskView({});
    const previous = previousSynthesis(view, { 'JP-01': 'cautiously-supportive', 'CN-01': 'skeptical', 'US-01': 'neutral', 'KR-01': 'mixed' });
    const current = [
      deskWithStance('JP-01', 'supportive'),
      deskWithStance('CN-01', 'skeptical'), // same label: not a change
      deskWithStance('US-01', 'alarmed'),
      deskWithStance('IN-01', 'opposed'), // not in the earlier view: nothing to compare
    ];
    const { sinceLast } = sinceLastView(view, current, previous);
    expect(sinceLast.stanceChanges).toEqual([
      { agentId: 'JP-01', previous: 'cautiously-supportive', current: 'supportive' },
      { agentId: 'US-01', previous: 'neutral', current: 'alarmed' },
    ]);
  });

  it('pairs merged risks by title and axis despite renumbering, and lists only those without a counterpart', () => {
    const previous = riskView({
      risks: [
        mergedRisk('RR1', 'Cost overruns at JBIC'),
        mergedRisk('RR2', 'Legal and institutional constraints', 'Legal & institutional'),
        mergedRisk('RR3', 'Domestic political backlash', 'Domestic politics'),
      ],
    });
    const current = riskView({
      risks: [
        mergedRisk('RR1', 'Domestic political backlash', 'Domestic politics'),
        mergedRisk('RR2', 'Yen weakness erodes dollar returns', 'Markets & currency'),
        mergedRisk('RR3', 'JBIC cost overruns'),
      ],
    });
    const { sinceLast } = sinceOnly(current, previous);
    expect(sinceLast.newRisks).toEqual([{ id: 'RR2', title: 'Yen weakness erodes dollar returns' }]);
    expect(sinceLast.retiredRisks).toEqual([{ id: 'RR2', title: 'Legal and institutional constraints' }]);
  });

  it('collects the indicators desks report as triggered, and only those', () => {
    const view = riskView({});
    const current = [
      deskWithStance('JP-01', 'neutral', [
        { indicatorId: 'JP-01:I2', indicator: 'First JBIC loan signed', status: 'triggered', note: 'Signed on 3 March (E1).', evidence: ['E1'] },
        { indicatorId: 'JP-01:I3', indicator: 'Diet questions on the facility', status: 'trending', note: 'Two questions so far.', evidence: [] },
      ]),
      deskWithStance('CN-01', 'neutral'), // no memory, no update
      deskWithStance('US-01', 'neutral', [{ indicatorId: 'US-01:I1', indicator: 'Commerce names the projects', status: 'triggered', note: '', evidence: ['E1'] }]),
      deskWithStance('KR-01', 'neutral', [{ indicatorId: 'KR-01:I1', indicator: 'Korean matching fund', status: 'quiet', note: 'Nothing since.', evidence: [] }]),
    ];
    const { sinceLast } = sinceLastView(view, current, previousSynthesis(view));
    expect(sinceLast.triggeredIndicators).toEqual([
      { agentId: 'JP-01', indicatorId: 'JP-01:I2', indicator: 'First JBIC loan signed', note: 'Signed on 3 March (E1).' },
      { agentId: 'US-01', indicatorId: 'US-01:I1', indicator: 'Commerce names the projects', note: '' },
    ]);
  });

  it('records which earlier view it compared against', () => {
    const { sinceLast } = sinceOnly(riskView({}), riskView({}));
    expect(sinceLast.previousRunId).toBe(PREVIOUS_RUN_ID);
    expect(sinceLast.previousAt).toBe(PREVIOUS_AT);
  });
});

describe('withSinceLast (the pipeline step)', () => {
  it('without an earlier view: lineage in order and no sinceLast', () => {
    const view = riskView({ scenarios: [scenario('S1', 'A', ['JP-01:T1'], 0.6), scenario('S2', 'B', ['JP-01:T2'], 0.4)] });
    const out = withSinceLast(view, [], null);
    expect(out.scenarios.map((s) => s.lineageId)).toEqual(['S1', 'S2']);
    expect(out).not.toHaveProperty('sinceLast');
  });
});

// ── Renderers ─────────────────────────────────────────────────────────────────────────────────

/** A since-last section with one of everything: moved, renamed, unchanged, new, retired. */
function fullSinceLast(): SinceLast {
  return {
    previousRunId: PREVIOUS_RUN_ID,
    previousAt: PREVIOUS_AT,
    scenarios: [
      { scenarioId: 'S1', lineageId: 'S1', name: 'Modest, selective success', previous: 0.45, current: 0.55, delta: 0.1, matchedTo: { scenarioId: 'S1', name: 'Modest, selective success', by: 'trajectories' } },
      { scenarioId: 'S2', lineageId: 'S2', name: 'Deals stall in talks', previous: 0.3, current: 0.25, delta: -0.05, matchedTo: { scenarioId: 'S2', name: 'Stalled rollout', by: 'trajectories' } },
      { scenarioId: 'S3', lineageId: 'S4', name: 'Quiet wind-down', previous: null, current: 0.12, delta: null, matchedTo: null },
      { scenarioId: 'S4', lineageId: 'S3', name: 'Collapse', previous: 0.08, current: 0.08, delta: 0, matchedTo: { scenarioId: 'S4', name: 'Collapse', by: 'name' } },
    ],
    retiredScenarios: [{ scenarioId: 'S3', lineageId: 'S5', name: 'Rapid expansion', previous: 0.17 }],
    stanceChanges: [{ agentId: 'CN-01', previous: 'skeptical', current: 'alarmed' }],
    newRisks: [{ id: 'RR4', title: 'Yen weakness erodes dollar returns' }],
    retiredRisks: [{ id: 'RR2', title: 'Legal and institutional constraints' }],
    triggeredIndicators: [{ agentId: 'JP-01', indicatorId: 'JP-01:I2', indicator: 'First JBIC loan signed', note: 'Signed on 3 March (E1).' }],
    lineageHigh: 5,
  };
}

function emptySinceLast(): SinceLast {
  return {
    previousRunId: PREVIOUS_RUN_ID,
    previousAt: PREVIOUS_AT,
    scenarios: [{ scenarioId: 'S1', lineageId: 'S1', name: 'Modest, selective success', previous: 0.5, current: 0.5, delta: 0, matchedTo: { scenarioId: 'S1', name: 'Modest, selective success', by: 'trajectories' } }],
    retiredScenarios: [],
    stanceChanges: [],
    newRisks: [],
    retiredRisks: [],
    triggeredIndicators: [],
    lineageHigh: 1,
  };
}

describe('wording shared by the renderers', () => {
  it('writes deltas in percentage points', () => {
    expect(pointsChange(0.1)).toBe('+10 pts');
    expect(pointsChange(-0.05)).toBe('-5 pts');
    expect(pointsChange(0.125)).toBe('+12.5 pts');
    expect(pointsChange(0.01)).toBe('+1 pt');
    expect(pointsChange(0)).toBe('no change');
  });

  it('sums the section up in one line', () => {
    expect(sinceLastDigest(fullSinceLast())).toBe(
      '2 scenarios moved, 1 new, 1 retired · 1 desk changed stance · 1 new merged risk, 1 retired · 1 indicator triggered',
    );
    expect(sinceLastDigest(emptySinceLast())).toBe('No scenario moved');
  });
});

describe('renderSinceLastMarkdown', () => {
  it('reads like a briefing: heading with date and run, then scenarios, stances, risks, indicators', () => {
    const md = renderSinceLastMarkdown(fullSinceLast());
    expect(md.split('\n')).toEqual([
      '## Since the last consolidated view (2025-03-01, run 7f3c2a19)',
      '',
      '_2 scenarios moved, 1 new, 1 retired · 1 desk changed stance · 1 new merged risk, 1 retired · 1 indicator triggered._',
      '',
      '### Scenarios (pooled across desks)',
      '',
      '- Modest, selective success: 45% → 55% (+10 pts)',
      '- Deals stall in talks (was “Stalled rollout”): 30% → 25% (-5 pts)',
      '- Quiet wind-down: 12% (new)',
      '- Collapse: 8% (no change)',
      '- Rapid expansion: was 17% (retired)',
      '',
      '### Desk stances',
      '',
      '- **CN-01**: skeptical → alarmed',
      '',
      '### Merged risks',
      '',
      '- New: **Yen weakness erodes dollar returns** (RR4)',
      '- Retired: **Legal and institutional constraints** (was RR2)',
      '',
      '### Indicators that triggered',
      '',
      '- **JP-01** — First JBIC loan signed (`JP-01:I2`): Signed on 3 March (E1).',
      '',
    ]);
  });

  it('says so when nothing changed rather than leaving blanks', () => {
    const md = renderSinceLastMarkdown(emptySinceLast());
    expect(md).toContain('_No scenario moved._');
    expect(md).toContain('- Modest, selective success: 50% (no change)');
    expect(md).toContain('No desk changed its stance.');
    expect(md).toContain('No merged risk is new or retired.');
    expect(md).toContain('No desk reports a triggered indicator.');
  });
});

describe('renderSinceLastHtml', () => {
  it('is one <section> with the same content as the Markdown', () => {
    const out = renderSinceLastHtml(fullSinceLast());
    expect(out.startsWith('<section id="since-last" class="since-last" aria-labelledby="since-last-title">')).toBe(true);
    expect(out.trimEnd().endsWith('</section>')).toBe(true);
    expect(out).toContain('<h2 id="since-last-title">Since the last consolidated view (2025-03-01, run <code>7f3c2a19</code>)</h2>');
    expect(out).toContain(
      '<tr><th scope="row"><strong>Modest, selective success</strong></th><td class="num">45%</td><td class="num">55%</td><td class="nowrap"><strong>▲ +10 pts</strong></td></tr>',
    );
    expect(out).toContain('<strong>Deals stall in talks</strong><br><span class="muted small">was “Stalled rollout”</span>');
    expect(out).toContain('<strong>▼ -5 pts</strong>');
    expect(out).toContain('<td class="num">12%</td><td><span class="badge neutral">new</span></td>');
    expect(out).toContain('<span class="muted">no change</span>');
    expect(out).toContain('<strong>Rapid expansion</strong></th><td class="num">17%</td><td class="num">—</td><td><span class="badge neutral">retired</span>');
    expect(out).toContain('<li><strong>CN-01</strong>: skeptical → alarmed</li>');
    expect(out).toContain('<li><span class="badge neutral">new</span> <strong>Yen weakness erodes dollar returns</strong> (RR4)</li>');
    expect(out).toContain('<li><span class="badge neutral">retired</span> <strong>Legal and institutional constraints</strong> (was RR2)</li>');
    expect(out).toContain('<li><strong>JP-01</strong> — First JBIC loan signed <code>JP-01:I2</code>: Signed on 3 March (E1).</li>');
  });

  it('escapes every piece of run text, a <script> in a scenario name included', () => {
    const s = fullSinceLast();
    s.scenarios[0]!.name = '<script>alert(1)</script> & co';
    s.scenarios[1]!.matchedTo = { scenarioId: 'S2', name: '"><img src=x onerror=alert(2)>', by: 'name' };
    s.retiredScenarios[0]!.name = '<b>bold</b>';
    s.newRisks[0]!.title = "<iframe src='x'>";
    s.triggeredIndicators[0]!.note = '</section><script>alert(3)</script>';
    s.stanceChanges[0]!.agentId = '<i>CN</i>';
    const out = renderSinceLastHtml(s);
    expect(out).not.toMatch(/<script|<img|<iframe|<b>|<i>/);
    expect(out).toContain('<strong>&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</strong>');
    expect(out).toContain('was “&quot;&gt;&lt;img src=x onerror=alert(2)&gt;”');
    expect(out).toContain('&lt;iframe src=&#39;x&#39;&gt;');
    expect(out).toContain(': &lt;/section&gt;&lt;script&gt;alert(3)&lt;/script&gt;</li>');
    // The only </section> is the section's own.
    expect(out.match(/<\/section>/g)).toHaveLength(1);
  });

  it('says so when nothing changed', () => {
    const out = renderSinceLastHtml(emptySinceLast());
    expect(out).toContain('<p><em>No scenario moved.</em></p>');
    expect(out).toContain('<p class="muted">No desk changed its stance.</p>');
    expect(out).toContain('<p class="muted">No merged risk is new or retired.</p>');
    expect(out).toContain('<p class="muted">No desk reports a triggered indicator.</p>');
  });
});

// ── runs diff with the thread-era fields ──────────────────────────────────────────────────────

function runWith(runId: string, assessments: AgentAssessment[], synthesis: RiskView): RunResult {
  return {
    runId,
    status: 'ok',
    event: { id: 'evt-1', event: { title: 'JBIC names the first projects', summary: '', tags: [] } },
    startedAt: '2025-03-05T00:00:00.000Z',
    finishedAt: '2025-03-05T00:01:00.000Z',
    desks: assessments.map((a) => ({ agentId: a.agentId, provider: 'test', model: 'm' })),
    promptHashes: { desk: 'h', synthesis: 'h' },
    assessments,
    failures: [],
    synthesis,
    synthesisError: null,
    usage: { calls: [], total: { calls: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: null, costComplete: true } },
  };
}

describe('runs diff with sinceLast, lineage, desk updates and key-fact evidence', () => {
  it('neither crashes nor reports a change when only those fields differ', () => {
    const desks = [deskWith('JP-01', [0.6, 0.4], [{ severity: 'medium', likelihood: 0.3 }]), deskWith('CN-01', [0.5, 0.5], [{ severity: 'high', likelihood: 0.2 }])];
    const draft: SynthesisDraft = {
      ...emptyDraft,
      scenarioClusters: [
        { name: 'Modest, selective success', summary: 's', memberIds: ['JP-01:T1', 'CN-01:T1'] },
        { name: 'Stalled rollout', summary: 's', memberIds: ['JP-01:T2', 'CN-01:T2'] },
      ],
    };
    const a = runWith('run-a', desks, buildRiskView(desks, draft, coverage(desks), synthProvenance));

    const b = structuredClone(a);
    b.runId = 'run-b';
    const jp = b.assessments[0]!;
    jp.update = { previousRunId: 'run-0', previousAt: PREVIOUS_AT, headline: 'Little moved.', changes: [], indicators: [], needsReview: false };
    jp.grounding = { supplied: 1, background: 0 };
    // A field the grounding work adds to key facts; archived JSON carries it whatever the type says.
    Object.assign(jp.keyFacts[0]!, { evidence: ['E1'] });
    b.synthesis = withSinceLast(b.synthesis!, b.assessments, previousSynthesis(a.synthesis!));

    expect(b.synthesis.sinceLast).toBeDefined();
    expect(b.synthesis.scenarios.every((s) => s.lineageId !== undefined)).toBe(true);
    const d = diffRuns(a, b);
    expect(d.changed).toBe(false);
    expect(d.consolidated?.changed).toBe(false);
    expect(d.desks.map((x) => x.changed)).toEqual([false, false]);
  });
});
