import { beforeAll, describe, expect, it } from 'vitest';
import { loadAgents } from '../src/agents/index.js';
import type { AgentAssessment } from '../src/assessment/schema.js';
import { diffAssessments, diffDesksWithinRun, diffRuns, type AssessmentDiff } from '../src/compare/index.js';
import { matchByName, nameSimilarity, nameTokens } from '../src/compare/match-by-name.js';
import { InputError } from '../src/errors/index.js';
import { nodeEventReaders, readEvent } from '../src/event/index.js';
import { ReplayModel } from '../src/llm/replay-model.js';
import { runEvent, type RunResult } from '../src/pipeline/index.js';
import { loadPrompts } from '../src/prompts/index.js';
import { renderAssessmentDiffMarkdown, renderRunDiffMarkdown } from '../src/report/diff-markdown.js';
import { ROOT, SEED_EVENT } from './support/paths.js';

/** The seed event through the real pipeline on the replay recordings: 8 desks + synthesis. */
async function recordedRun(): Promise<RunResult> {
  const event = await readEvent({ path: SEED_EVENT }, nodeEventReaders());
  const replay = await ReplayModel.open(`${ROOT}fixtures/replay`);
  return runEvent({
    runId: 'run-a',
    event,
    agents: await loadAgents(`${ROOT}agents`),
    modelFor: () => replay,
    synthesisModel: replay,
    prompts: await loadPrompts(`${ROOT}prompts`),
    options: { concurrency: 8, timeoutMs: 60_000, maxRepairs: 0, maxOutputTokens: 8192, retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } },
    signal: new AbortController().signal,
  });
}

const desk = (run: RunResult, id: string): AgentAssessment => {
  const found = run.assessments.find((a) => a.agentId === id);
  if (!found) throw new Error(`no ${id} in ${run.runId}`);
  return found;
};

const byName = <T extends { name: string }>(items: T[], name: string): T => {
  const found = items.find((x) => x.name === name);
  if (!found) throw new Error(`no item named ${name}`);
  return found;
};

const ADDED_RISK = 'Yen weakness erodes dollar-denominated returns';
const ADDED_INDICATOR = 'Yen/dollar moves and their effect on JBIC funding costs';
const CHANGED_SCENARIO = 'Friction and renegotiation';

/**
 * Run B: a deep clone of A with known edits. JP-01 changes stance, moves T1 +10 pts (and renames it
 * slightly) and T3 −10 pts, drops one risk, adds one, re-rates one and adds an indicator, with its
 * risk ids renumbered as the pipeline would; KR-01 is gone; one scenario's pooled probability moves.
 */
function editedRun(a: RunResult): RunResult {
  const b = structuredClone(a);
  b.runId = 'run-b';
  const jp = desk(b, 'JP-01');
  jp.stance = { label: 'supportive', reason: 'Execution risks look manageable after the first approvals.' };
  const t1 = byName(jp.trajectories, 'Modest, selective success');
  t1.probability = 0.65;
  t1.name = 'Modest and selective success';
  byName(jp.trajectories, 'Strategic dilution or backsliding').probability = 0.05;

  const risks = jp.risks.filter((r) => r.title !== 'Legal and institutional constraints');
  const rerated = risks.find((r) => r.title.startsWith('Perception of'));
  if (!rerated) throw new Error('no subsidy risk');
  rerated.severity = 'high';
  risks.push({
    id: 'JP-01:R0',
    axis: 'Domestic political backlash & oversight',
    title: ADDED_RISK,
    description: 'A weaker yen raises the cost of dollar commitments and the losses reported at home.',
    severity: 'medium',
    likelihood: 0.4,
    sources: [],
  });
  jp.risks = risks.map((r, i) => ({ ...r, id: `JP-01:R${i + 1}` }));
  jp.indicators.push({ id: `JP-01:I${jp.indicators.length + 1}`, indicator: ADDED_INDICATOR, why: 'Currency drives the real cost of the pledge.' });

  b.assessments = b.assessments.filter((x) => x.agentId !== 'KR-01');
  b.desks = b.desks.filter((x) => x.agentId !== 'KR-01');
  if (!b.synthesis) throw new Error('run A has no synthesis');
  byName(b.synthesis.scenarios, CHANGED_SCENARIO).pooledProbability += 0.05;
  return b;
}

function expectEmpty(d: AssessmentDiff): void {
  expect(d.changed).toBe(false);
  expect(d.stance.changed).toBe(false);
  expect(d.confidence.shift).toBe(0);
  expect(d.trajectories.added).toEqual([]);
  expect(d.trajectories.removed).toEqual([]);
  expect(d.trajectories.matched.every((t) => t.shift === 0 && t.nameA === t.nameB)).toBe(true);
  expect(d.risks).toMatchObject({ added: [], removed: [], rerated: [] });
  expect(d.indicators).toEqual({ added: [], removed: [] });
  expect(d.bottomLine.changed).toBe(false);
}

describe('matchByName', () => {
  it('normalises names: lower case, punctuation and function words dropped, "U.S." kept as one word', () => {
    expect(nameTokens('U.S. control vs Japanese agency')).toEqual(['us', 'control', 'japanese', 'agency']);
    expect(nameTokens('Overcommitment / misexecution')).toEqual(['overcommitment', 'misexecution']);
    expect(nameTokens('The and of')).toEqual(['the', 'and', 'of']);
    expect(nameSimilarity('Modest, selective success', 'Modest and selective success')).toBe(1);
    expect(nameSimilarity('Risk of underperformance or defaults', 'Underperformance and defaults')).toBeCloseTo(2 / 3);
    expect(nameSimilarity('China reaction', 'Budgetary constraints')).toBe(0);
  });

  it('matches one-to-one, best pair first, and applies the 0.5 threshold', () => {
    const m = matchByName(['alpha beta gamma', 'alpha beta', 'delta epsilon'], ['alpha beta', 'delta zeta'], (s) => s);
    // "alpha beta" in B pairs with its exact twin, not with the earlier, weaker "alpha beta gamma".
    expect(m.matched.map((x) => [x.a, x.b, x.similarity])).toEqual([['alpha beta', 'alpha beta', 1]]);
    // delta epsilon / delta zeta: 1/3 < 0.5.
    expect(m.onlyA).toEqual(['alpha beta gamma', 'delta epsilon']);
    expect(m.onlyB).toEqual(['delta zeta']);
    expect(matchByName(['delta epsilon'], ['delta zeta'], (s) => s, { threshold: 0.3 }).matched).toHaveLength(1);
  });

  it('uses the bonus to break ties and links to pair differently named items first', () => {
    type Item = { name: string; axis: string };
    const a: Item[] = [{ name: 'China reaction', axis: 'geo' }];
    const b: Item[] = [
      { name: 'China reaction', axis: 'domestic' },
      { name: 'China reaction', axis: 'geo' },
    ];
    const m = matchByName(a, b, (x) => x.name, { bonus: (x, y) => (x.axis === y.axis ? 0.1 : 0) });
    expect(m.matched[0]?.indexB).toBe(1);

    const linked = matchByName(['Modest success', 'Stall'], ['Supply-chain integration advances', 'Modest success'], (s) => s, {
      link: (x, y) => x === 'Modest success' && y === 'Supply-chain integration advances',
    });
    expect(linked.matched.map((x) => [x.a, x.b, x.linked])).toEqual([['Modest success', 'Supply-chain integration advances', true]]);
    expect(linked.onlyB).toEqual(['Modest success']);
  });
});

describe('diffRuns', () => {
  let runA: RunResult;
  let runB: RunResult;
  beforeAll(async () => {
    runA = await recordedRun();
    expect(runA.status).toBe('ok');
    runB = editedRun(runA);
  });

  it('reports exactly the edits made to JP-01', () => {
    const diff = diffRuns(runA, runB);
    const jp = diff.desks.find((d) => d.agentIdB === 'JP-01');
    if (!jp) throw new Error('JP-01 not diffed');
    expect(jp.changed).toBe(true);
    expect(jp.stance).toMatchObject({ labelA: 'skeptical', labelB: 'supportive', changed: true });
    expect(jp.confidence.shift).toBe(0);

    expect(jp.trajectories.added).toEqual([]);
    expect(jp.trajectories.removed).toEqual([]);
    expect(jp.trajectories.matched.map((t) => [t.idA, t.idB, t.probabilityA, t.probabilityB, t.shift])).toEqual([
      ['JP-01:T1', 'JP-01:T1', 0.55, 0.65, 0.1],
      ['JP-01:T2', 'JP-01:T2', 0.3, 0.3, 0],
      ['JP-01:T3', 'JP-01:T3', 0.15, 0.05, -0.1],
    ]);
    expect(jp.trajectories.matched[0]).toMatchObject({ nameA: 'Modest, selective success', nameB: 'Modest and selective success', labelA: 'Most likely', labelB: 'Most likely' });

    expect(jp.risks.removed).toEqual([
      { id: 'JP-01:R6', title: 'Legal and institutional constraints', axis: 'Domestic political backlash & oversight', severity: 'medium', likelihood: 0.4 },
    ]);
    expect(jp.risks.added.map((r) => [r.id, r.title, r.severity])).toEqual([['JP-01:R11', ADDED_RISK, 'medium']]);
    // Matched by title although ids R7…R11 moved down by one after the removal.
    expect(jp.risks.rerated).toEqual([
      expect.objectContaining({ idA: 'JP-01:R4', idB: 'JP-01:R4', severityA: 'medium', severityB: 'high', likelihoodShift: 0, severityChanged: true }),
    ]);
    expect(jp.risks.unchanged).toBe(9);
    expect(jp.indicators).toEqual({ added: [{ id: 'JP-01:I8', indicator: ADDED_INDICATOR }], removed: [] });
    expect(jp.bottomLine.changed).toBe(false);
  });

  it('reports nothing for untouched desks, the dropped desk once, and the moved scenario', () => {
    const diff = diffRuns(runA, runB);
    expect(diff.changed).toBe(true);
    expect(diff.event.same).toBe(true);
    expect(diff.desks.map((d) => d.agentIdA)).toEqual(runB.assessments.map((a) => a.agentId));
    for (const d of diff.desks.filter((x) => x.agentIdA !== 'JP-01')) expectEmpty(d);
    expect(diff.onlyInA).toEqual(['KR-01']);
    expect(diff.onlyInB).toEqual([]);
    expect(diff.failures).toEqual([]);

    const c = diff.consolidated;
    if (!c) throw new Error('no consolidated diff');
    expect(c.changed).toBe(true);
    expect(c.overallRisk).toMatchObject({ levelChanged: false, shift: 0 });
    expect(c.scenarios.added).toEqual([]);
    expect(c.scenarios.removed).toEqual([]);
    expect(c.scenarios.matched).toHaveLength(3);
    expect(c.scenarios.matched.filter((s) => s.shift !== 0).map((s) => [s.nameB, s.shift])).toEqual([[CHANGED_SCENARIO, 0.05]]);
    expect(c.risks).toEqual({ added: [], removed: [] });
  });

  it('renders the stance arrow, signed points and the lists', () => {
    const md = renderRunDiffMarkdown(diffRuns(runA, runB), { a: 'A', b: 'B' });
    expect(md).toContain('**Stance:** skeptical → supportive');
    expect(md).toContain('| Modest, selective success → Modest and selective success (`JP-01:T1`) | 55% | 65% | +10 pts |');
    expect(md).toContain('| Strategic dilution or backsliding (`JP-01:T3`) | 15% | 5% | −10 pts |');
    expect(md).toContain('| Overcommitment / misexecution (`JP-01:T2`) | 30% | 30% | ±0 pts |');
    expect(md).toMatch(/\*\*Risks added\*\*\n\n- \*\*Yen weakness erodes dollar-denominated returns\*\* \(`JP-01:R11`\)/);
    expect(md).toMatch(/\*\*Risks removed\*\*\n\n- \*\*Legal and institutional constraints\*\* \(`JP-01:R6`\)/);
    expect(md).toMatch(/\*\*Risks re-rated\*\*\n\n- \*\*Perception of .*\(`JP-01:R4`\): severity medium → high, likelihood 60%/);
    expect(md).toContain(`- ${ADDED_INDICATOR} (\`JP-01:I8\`)`);
    expect(md).toContain(`| ${CHANGED_SCENARIO} |`);
    expect(md).toMatch(/\| Friction and renegotiation \| [\d.]+% \| [\d.]+% \| \+5 pts \|/);
    expect(md).toContain('**Only in A:** KR-01');
    expect(md).toContain('**No changes:** CN-01, EU-01, GB-01, IN-01, TW-01, US-01');
    expect(md).not.toContain('### CN-01');
  });

  it('says "No changes" when nothing changed', () => {
    const diff = diffRuns(runA, structuredClone(runA));
    expect(diff.changed).toBe(false);
    for (const d of diff.desks) expectEmpty(d);
    expect(diff.consolidated?.changed).toBe(false);
    expect(renderRunDiffMarkdown(diff, { a: 'A', b: 'B' })).toContain('**No changes.**');
    const jp = desk(runA, 'JP-01');
    expect(renderAssessmentDiffMarkdown(diffAssessments(jp, structuredClone(jp)), { a: 'A', b: 'B' })).toContain('No changes.');
  });

  it('flags different events, failures that changed and a missing synthesis', () => {
    const b = structuredClone(runA);
    b.event = { ...b.event, id: '0123456789abcdef', event: { ...b.event.event, title: 'Another event' } };
    b.assessments = b.assessments.filter((x) => x.agentId !== 'US-01');
    b.failures = [{ agentId: 'US-01', kind: 'provider', reason: 'HTTP 503' }];
    b.status = 'failed';
    b.synthesis = null;
    b.synthesisError = 'synthesizer timed out';
    const diff = diffRuns(runA, b);
    expect(diff.event.same).toBe(false);
    expect(diff.failures).toEqual([{ agentId: 'US-01', a: null, b: { agentId: 'US-01', kind: 'provider', reason: 'HTTP 503' } }]);
    expect(diff.consolidated).toBeNull();
    expect(diff.synthesisMissing).toEqual({ a: null, b: 'synthesizer timed out' });
    const md = renderRunDiffMarkdown(diff, { a: 'A', b: 'B' });
    expect(md).toContain('**⚠ Different events:**');
    expect(md).toContain('- **US-01**: no failure → provider (HTTP 503)');
    expect(md).toContain('B has no synthesis (synthesizer timed out)');
  });
});

describe('diffDesksWithinRun', () => {
  let run: RunResult;
  beforeAll(async () => {
    run = await recordedRun();
  });

  it('compares JP-01 and CN-01: stances, trajectories paired through the shared scenarios, risks only one raised', () => {
    const d = diffDesksWithinRun(run, 'JP-01', 'CN-01');
    expect(d).toMatchObject({ agentIdA: 'JP-01', agentIdB: 'CN-01', changed: true });
    expect(d.stance).toMatchObject({ labelA: 'skeptical', labelB: 'opposed', changed: true });
    // The names share almost no words; the synthesizer's scenario clusters pair them.
    expect(d.trajectories.matched.map((t) => [t.idA, t.idB, t.probabilityA, t.probabilityB, t.shift, t.linked])).toEqual([
      ['JP-01:T1', 'CN-01:T1', 0.55, 0.3, -0.25, true],
      ['JP-01:T2', 'CN-01:T2', 0.3, 0.42, 0.12, true],
      ['JP-01:T3', 'CN-01:T3', 0.15, 0.28, 0.13, true],
    ]);
    expect(d.trajectories.added).toEqual([]);
    expect(d.trajectories.removed).toEqual([]);
    expect(d.confidence).toEqual({ a: 0.6, b: 0.5, shift: -0.1 });

    // JP-01:R11 and CN-01:R4 share "Precedent pressed on other allies"; JP-01:R10 shares
    // "China countermeasures" with CN-01:R7 and CN-01:R8, so none of those is one desk's alone.
    const onlyJp = d.risks.removed.map((r) => r.id);
    const onlyCn = d.risks.added.map((r) => r.id);
    expect(onlyJp).toEqual(['JP-01:R1', 'JP-01:R2', 'JP-01:R3', 'JP-01:R4', 'JP-01:R5', 'JP-01:R6', 'JP-01:R7', 'JP-01:R8', 'JP-01:R9']);
    expect(onlyCn).toEqual(['CN-01:R1', 'CN-01:R2', 'CN-01:R3', 'CN-01:R5', 'CN-01:R6', 'CN-01:R9', 'CN-01:R10']);
    expect(d.risks.rerated.map((r) => [r.idA, r.idB, r.severityA, r.severityB, r.likelihoodShift])).toEqual([
      ['JP-01:R10', 'CN-01:R8', 'medium', 'medium', -0.3],
      ['JP-01:R11', 'CN-01:R4', 'medium', 'high', -0.25],
    ]);
    // Indicators only one desk watches: those in no shared watch item.
    expect(d.indicators.removed.map((i) => i.id)).toEqual(['JP-01:I2', 'JP-01:I4', 'JP-01:I5']);
    expect(d.indicators.added.map((i) => i.id)).toEqual(['CN-01:I5']);

    const md = renderAssessmentDiffMarkdown(d, { a: 'JP-01', b: 'CN-01' });
    expect(md).toContain('**Stance:** skeptical (JP-01) vs opposed (CN-01)');
    expect(md).toContain('| Trajectory | JP-01 | CN-01 | Shift |');
    expect(md).toContain('−25 pts');
    expect(md).toContain('**Confidence (JP-01 / CN-01):** 60% / 50% (−10 pts)');
    expect(md.indexOf('**Risks only JP-01 raised**')).toBeGreaterThan(0);
    expect(md.indexOf('**Risks only CN-01 raised**')).toBeGreaterThan(md.indexOf('**Risks only JP-01 raised**'));
    expect(md).toContain('(`JP-01:R11` / `CN-01:R4`): severity medium / high, likelihood 60% / 35% (−25 pts)');
  });

  it('throws InputError naming an unknown desk and the desks present', () => {
    expect(() => diffDesksWithinRun(run, 'JP-01', 'XX-99')).toThrow(InputError);
    let thrown: unknown = null;
    try {
      diffDesksWithinRun(run, 'XX-99', 'JP-01');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InputError);
    const message = (thrown as InputError).message;
    expect(message).toContain('XX-99');
    expect(message).toContain('CN-01, EU-01, GB-01, IN-01, JP-01, KR-01, TW-01, US-01');
    expect(message).not.toContain('\n');
  });
});
