import { beforeAll, describe, expect, it } from 'vitest';
import { loadAgents, type AgentDefinition } from '../src/agents/index.js';
import { changeFlags, finalizeWithMemory } from '../src/assessment/apply-memory.js';
import { finalizeAssessment } from '../src/assessment/finalize.js';
import { MemoryAssessmentDraftSchema, type MemoryAssessmentDraft, type MemoryTrajectoryDraft } from '../src/assessment/memory-schema.js';
import type { AgentAssessment } from '../src/assessment/schema.js';
import { CITE_CHANGE_AT, REVIEW_JUMP_ABOVE, UPDATE_DRIVERS, INDICATOR_STATUSES, type DeskUpdate, type TrajectoryChange } from '../src/assessment/update.js';
import { eventId, type IdentifiedEvent, type NewsEvent } from '../src/event/index.js';
import { toProviderJsonSchema } from '../src/llm/json-schema.js';
import { deskRequestFor } from '../src/pipeline/desk-step.js';
import { loadPrompts, type PromptSet } from '../src/prompts/index.js';
import { escapeHtml } from '../src/report/html.js';
import { renderAssessmentMarkdown, renderRunHtml, renderRunMarkdown, toRunJson } from '../src/report/index.js';
import type { DeskMemory } from '../src/threads/context.js';
import { runWith, scriptedModel, SEED_EVIDENCE, seedJpLastView, threadFor } from './support/desk-memory-fixtures.js';
import { ROOT } from './support/paths.js';
import { recordedDesk, recordedSynthesis } from './support/recordings.js';

const JP = { id: 'JP-01', name: 'Japan Desk' };
const provenance = { eventId: 'f'.repeat(16), provider: 'test', model: 'm', promptHash: 'h', attempts: 1 };
const EVIDENCE = ['E1', 'E2', 'E3'];
const NAMES: Record<string, string> = {
  'JP-01:T1': 'Modest, selective success',
  'JP-01:T2': 'Overcommitment / misexecution',
  'JP-01:T3': 'Strategic dilution or backsliding',
};

/** JP-01's memory: its view of the seed event (T1 0.55, T2 0.30, T3 0.15; I1…I7), one event since. */
const memory = (): DeskMemory => ({ lastView: seedJpLastView(), eventsSince: ['E2'] });

type TrajectoryInput = Partial<MemoryTrajectoryDraft> & { continues: string; probability: number };

/** A trajectory of the memory draft: the earlier one's name unless given, cited to E1 unless told. */
function traj(t: TrajectoryInput): MemoryTrajectoryDraft {
  return {
    name: NAMES[t.continues] ?? `New path ${t.probability}`,
    label: 'possible',
    keyDynamics: 'dynamics',
    implications: 'implications',
    resolveBy: '2029-01-20',
    resolution: 'At least one facility loan is signed by 2029-01-20, in JBIC press releases',
    driver: 'new-evidence',
    changeReason: 'the first loan was signed',
    evidence: ['E1'],
    ...t,
  };
}

/** The recorded JP-01 draft turned into a memory draft, validated like a model answer. */
function memoryDraft(
  trajectories: TrajectoryInput[],
  extra: { retired?: MemoryAssessmentDraft['retiredTrajectories']; indicators?: MemoryAssessmentDraft['update']['indicators'] } = {},
): MemoryAssessmentDraft {
  return MemoryAssessmentDraftSchema.parse({
    ...recordedDesk('JP-01'),
    trajectories: trajectories.map(traj),
    retiredTrajectories: extra.retired ?? [],
    update: { headline: 'The first loan shows the facility works, on U.S. terms.', indicators: extra.indicators ?? [] },
  });
}

const finalize = (draft: MemoryAssessmentDraft, options: { usedTrajectoryIds?: string[] } = {}) =>
  finalizeWithMemory(draft, JP, provenance, memory(), { evidenceIds: EVIDENCE, ...options });

const changeOf = (u: DeskUpdate | undefined, id: string): TrajectoryChange => {
  const c = u?.changes.find((x) => x.trajectoryId === id);
  if (!c) throw new Error(`no change for ${id}`);
  return c;
};

describe('the memory draft schema', () => {
  const json = JSON.stringify(toProviderJsonSchema(MemoryAssessmentDraftSchema));
  const schema = toProviderJsonSchema(MemoryAssessmentDraftSchema) as {
    required: string[];
    properties: Record<string, { items?: { required: string[]; properties: Record<string, { enum?: string[] }> }; required?: string[]; properties?: Record<string, { items?: { required: string[]; properties: Record<string, { enum?: string[] }> } }> }>;
  };

  it('ties each trajectory to the last view and asks for the update section, in the strict subset', () => {
    expect(schema.required).toEqual(expect.arrayContaining(['trajectories', 'retiredTrajectories', 'update', 'keyFacts', 'risks']));
    const t = schema.properties['trajectories']!.items!;
    expect(t.required).toEqual(['name', 'probability', 'label', 'keyDynamics', 'implications', 'resolveBy', 'resolution', 'continues', 'driver', 'changeReason', 'evidence']);
    expect(t.properties['driver']!.enum).toEqual([...UPDATE_DRIVERS]);
    expect(schema.properties['retiredTrajectories']!.items!.required).toEqual(['trajectoryId', 'reason', 'evidence']);
    expect(schema.properties['update']!.required).toEqual(['headline', 'indicators']);
    const indicator = schema.properties['update']!.properties!['indicators']!.items!;
    expect(indicator.required).toEqual(['indicatorId', 'status', 'note', 'evidence']);
    expect(indicator.properties['status']!.enum).toEqual([...INDICATOR_STATUSES]);
  });

  it('has no place for a delta or a previous value: code computes them', () => {
    expect(json).not.toMatch(/"(delta|previous|previousProbability|change)"\s*:/);
  });

  it('a delta or previous value slipped into the answer is stripped and ignored', () => {
    const draft = memoryDraft([
      { continues: 'JP-01:T1', probability: 0.45 },
      { continues: 'JP-01:T2', probability: 0.4 },
      { continues: 'JP-01:T3', probability: 0.15 },
    ]);
    const raw = { ...draft, trajectories: draft.trajectories.map((t) => ({ ...t, delta: 0.9, previous: 0.01 })) };
    const parsed = MemoryAssessmentDraftSchema.parse(raw);
    expect(parsed.trajectories[0]).not.toHaveProperty('delta');
    expect(changeOf(finalize(parsed).update, 'JP-01:T1')).toMatchObject({ previous: 0.55, current: 0.45, delta: -0.1 });
  });

  it('still demands a distribution', () => {
    expect(() => memoryDraft([{ continues: 'JP-01:T1', probability: 0.7 }, { continues: 'JP-01:T2', probability: 0.7 }])).toThrow(/sum to 1/);
  });
});

describe('the desk step picks the variant per desk', () => {
  let prompts: PromptSet;
  let agents: AgentDefinition[];
  const event: IdentifiedEvent = (() => {
    const e: NewsEvent = { title: 'JBIC signs the first loan', summary: 'A $2 billion loan.', tags: [], publishedAt: '2025-11-20T00:00:00.000Z' };
    return { id: eventId(e), event: e };
  })();

  beforeAll(async () => {
    prompts = await loadPrompts(`${ROOT}prompts`);
    agents = await loadAgents(`${ROOT}agents`);
  });

  it('memory for the desk that has it, the plain draft for the rest, schemas computed once', () => {
    const { id: _id, ...seedEvent } = SEED_EVIDENCE;
    const thread = threadFor(event, [seedEvent], { 'JP-01': memory() });
    const jp = deskRequestFor(agents.find((a) => a.id === 'JP-01')!, prompts, event, thread);
    const us = deskRequestFor(agents.find((a) => a.id === 'US-01')!, prompts, event, thread);
    expect([jp.variant, jp.schemaName]).toEqual(['memory', 'agent_assessment_update']);
    expect([us.variant, us.schemaName]).toEqual(['plain', 'agent_assessment']);
    expect(JSON.stringify(jp.jsonSchema)).toContain('"retiredTrajectories"');
    expect(JSON.stringify(us.jsonSchema)).not.toContain('"retiredTrajectories"');
    expect(jp.evidenceIds).toEqual(['E1', 'E2']);
    // The same object every time: built at module load, not per call.
    expect(deskRequestFor(agents.find((a) => a.id === 'KR-01')!, prompts, event, thread).jsonSchema).toBe(us.jsonSchema);
    expect(deskRequestFor(agents.find((a) => a.id === 'JP-01')!, prompts, event, thread).jsonSchema).toBe(jp.jsonSchema);
    expect(jp.sharedPrefixChars).toBe(us.sharedPrefixChars);
  });

  it('hands finalising every trajectory id the desk used earlier in the thread, so a new one skips retired numbers', () => {
    const { id: _id, ...seedEvent } = SEED_EVIDENCE;
    const thread = threadFor(event, [seedEvent], { 'JP-01': { ...memory(), usedTrajectoryIds: ['JP-01:T1', 'JP-01:T5'] } });
    const jp = deskRequestFor(agents.find((a) => a.id === 'JP-01')!, prompts, event, thread);
    const draft = memoryDraft([
      { continues: 'JP-01:T1', probability: 0.5 },
      { continues: 'JP-01:T2', probability: 0.3 },
      { continues: 'JP-01:T3', probability: 0.1 },
      { continues: 'new', probability: 0.1 },
    ]);
    expect(jp.finalize(draft, provenance).trajectories.map((t) => t.id)).toEqual(['JP-01:T1', 'JP-01:T2', 'JP-01:T3', 'JP-01:T6']);
  });
});

describe('finalising with memory: stable ids', () => {
  it('continuing trajectories keep their ids, in whatever order they are written', () => {
    const a = finalize(
      memoryDraft([
        { continues: 'JP-01:T3', probability: 0.15 },
        { continues: 'JP-01:T1', probability: 0.45 },
        { continues: 'JP-01:T2', probability: 0.4 },
      ]),
    );
    expect(a.trajectories.map((t) => [t.id, t.name, t.probability])).toEqual([
      ['JP-01:T3', 'Strategic dilution or backsliding', 0.15],
      ['JP-01:T1', 'Modest, selective success', 0.45],
      ['JP-01:T2', 'Overcommitment / misexecution', 0.4],
    ]);
    expect(a.warnings).toEqual([]);
  });

  it('accepts the short and lower-case spellings of an earlier id', () => {
    const a = finalize(
      memoryDraft([
        { continues: 'T1', probability: 0.45 },
        { continues: 'jp-01:t2', probability: 0.4 },
        { continues: ' `JP-01:T3` ', probability: 0.15 },
      ]),
    );
    expect(a.trajectories.map((t) => t.id)).toEqual(['JP-01:T1', 'JP-01:T2', 'JP-01:T3']);
    expect(a.warnings).toEqual([]);
  });

  it('a new trajectory takes the next number above the highest earlier one, never a retired one', () => {
    const a = finalize(
      memoryDraft(
        [
          { continues: 'JP-01:T1', probability: 0.5 },
          { continues: 'new', name: 'Facility scaled up after 2026', probability: 0.2 },
          { continues: 'JP-01:T3', probability: 0.3 },
        ],
        { retired: [{ trajectoryId: 'JP-01:T2', reason: 'merged into T1 now that the first loan closed', evidence: ['E1'] }] },
      ),
    );
    expect(a.trajectories.map((t) => t.id)).toEqual(['JP-01:T1', 'JP-01:T4', 'JP-01:T3']);
    expect(changeOf(a.update, 'JP-01:T4')).toMatchObject({ status: 'added', previous: null, current: 0.2, delta: null, name: 'Facility scaled up after 2026' });
    expect(changeOf(a.update, 'JP-01:T2')).toMatchObject({ status: 'retired', previous: 0.3, current: null, delta: null, driver: null });
  });

  it('ids used earlier in the thread, when known, raise the floor too', () => {
    const a = finalize(
      memoryDraft([
        { continues: 'JP-01:T1', probability: 0.5 },
        { continues: 'JP-01:T2', probability: 0.3 },
        { continues: 'JP-01:T3', probability: 0.1 },
        { continues: 'new', probability: 0.1 },
      ]),
      { usedTrajectoryIds: ['JP-01:T6'] },
    );
    expect(a.trajectories.map((t) => t.id)).toEqual(['JP-01:T1', 'JP-01:T2', 'JP-01:T3', 'JP-01:T7']);
  });

  it('continuing an unknown id, or one already continued, makes a new trajectory with a warning', () => {
    const a = finalize(
      memoryDraft([
        { continues: 'JP-01:T1', probability: 0.4 },
        { continues: 'JP-01:T1', name: 'Modest success, slower', probability: 0.2 },
        { continues: 'JP-01:T9', name: 'Made-up lineage', probability: 0.1 },
        { continues: 'JP-01:T2', probability: 0.3 },
      ]),
    );
    expect(a.trajectories.map((t) => t.id)).toEqual(['JP-01:T1', 'JP-01:T4', 'JP-01:T5', 'JP-01:T2']);
    expect(a.warnings).toEqual([
      'trajectory "Modest success, slower" continues JP-01:T1, already continued by "Modest, selective success": treated as new',
      'trajectory "Made-up lineage" continues JP-01:T9, which is not in the last view: treated as new',
      'trajectory JP-01:T3 "Strategic dilution or backsliding" from the last view was neither continued nor retired: retired as dropped without a reason',
    ]);
  });

  it('an earlier trajectory passed over in silence is retired "dropped without a reason", flagged: never renumbered', () => {
    const a = finalize(memoryDraft([{ continues: 'JP-01:T1', probability: 0.6 }, { continues: 'JP-01:T2', probability: 0.4 }]));
    expect(a.trajectories.map((t) => t.id)).toEqual(['JP-01:T1', 'JP-01:T2']);
    const t3 = changeOf(a.update, 'JP-01:T3');
    expect(t3).toMatchObject({ status: 'retired', previous: 0.15, current: null, reason: 'dropped without a reason', evidence: [] });
    expect(t3.flags).toEqual(['dropped without a reason', 'no evidence cited for a change of 0.15']);
    expect(a.update!.needsReview).toBe(true);
    expect(a.warnings).toContain(
      'trajectory JP-01:T3 "Strategic dilution or backsliding" from the last view was neither continued nor retired: retired as dropped without a reason',
    );
  });

  it('retiring an unknown id, a continued one, or the same one twice is ignored with a warning', () => {
    const a = finalize(
      memoryDraft([{ continues: 'JP-01:T1', probability: 0.6 }, { continues: 'JP-01:T2', probability: 0.4 }], {
        retired: [
          { trajectoryId: 'JP-01:T8', reason: 'gone', evidence: [] },
          { trajectoryId: 'JP-01:T1', reason: 'gone', evidence: [] },
          { trajectoryId: 'T3', reason: 'ruled out by the first loan', evidence: ['E1'] },
          { trajectoryId: 'JP-01:T3', reason: 'again', evidence: [] },
        ],
      }),
    );
    expect(a.warnings).toEqual([
      'ignored the retirement of JP-01:T8: not in the last view',
      'ignored the retirement of JP-01:T1: trajectory "Modest, selective success" continues it',
      'ignored a second retirement of JP-01:T3',
    ]);
    expect(changeOf(a.update, 'JP-01:T3')).toMatchObject({ status: 'retired', reason: 'ruled out by the first loan', evidence: ['E1'], flags: [] });
  });

  it('stores the ordinary assessment shape: no continues/driver on trajectories, the update beside them', () => {
    const draft = memoryDraft([
      { continues: 'JP-01:T1', probability: 0.45 },
      { continues: 'JP-01:T2', probability: 0.4 },
      { continues: 'JP-01:T3', probability: 0.15 },
    ]);
    const a = finalize(draft);
    const plain = finalizeAssessment(recordedDesk('JP-01'), JP, provenance, { evidenceIds: EVIDENCE });
    expect(Object.keys(a)).toEqual([...Object.keys(plain).filter((k) => k !== 'grounding' && k !== 'warnings'), 'update', 'grounding', 'warnings']);
    expect(Object.keys(a.trajectories[0]!)).toEqual(['id', 'name', 'probability', 'label', 'keyDynamics', 'implications', 'resolveBy', 'resolution']);
    expect(a).not.toHaveProperty('retiredTrajectories');
    expect(a.grounding).toEqual(plain.grounding);
    expect(a.risks.map((r) => r.id)).toEqual(plain.risks.map((r) => r.id));
    expect(a.update).toMatchObject({ previousRunId: '1a2b3c4d5e6f7a8b', previousAt: '2025-09-26T09:00:00.000Z', headline: 'The first loan shows the facility works, on U.S. terms.' });
  });
});

describe('finalising with memory: deltas and checks, all in code', () => {
  /** The three earlier trajectories at new probabilities, each citing `evidence`. */
  const moved = (p1: number, p2: number, p3: number, evidence: string[] = []) =>
    finalize(
      memoryDraft([
        { continues: 'JP-01:T1', probability: p1, evidence },
        { continues: 'JP-01:T2', probability: p2, evidence },
        { continues: 'JP-01:T3', probability: p3, evidence },
      ]),
    ).update!;

  it('the thresholds are 0.05 (cite) and 0.25 (review)', () => {
    expect(CITE_CHANGE_AT).toBe(0.05);
    expect(REVIEW_JUMP_ABOVE).toBe(0.25);
  });

  it('previous, current and delta come from the stored view; delta rounded to 3 decimals', () => {
    const u = moved(0.4333, 0.4167, 0.15, ['E1']);
    expect(changeOf(u, 'JP-01:T1')).toMatchObject({ previous: 0.55, current: 0.4333, delta: -0.117, status: 'changed', driver: 'new-evidence' });
    expect(changeOf(u, 'JP-01:T2')).toMatchObject({ previous: 0.3, current: 0.4167, delta: 0.117, status: 'changed' });
    expect(changeOf(u, 'JP-01:T3')).toMatchObject({ previous: 0.15, current: 0.15, delta: 0, status: 'unchanged', flags: [] });
    expect(u.needsReview).toBe(false);
  });

  it('a move under half a point is "unchanged"; half a point is a change', () => {
    const small = moved(0.554, 0.296, 0.15);
    expect(changeOf(small, 'JP-01:T1')).toMatchObject({ delta: 0.004, status: 'unchanged' });
    expect(changeOf(small, 'JP-01:T2')).toMatchObject({ delta: -0.004, status: 'unchanged' });
    const half = moved(0.555, 0.295, 0.15);
    expect(changeOf(half, 'JP-01:T1')).toMatchObject({ delta: 0.005, status: 'changed', flags: [] });
  });

  it('a change of exactly 0.05 must cite an event; 0.049 need not', () => {
    const u = moved(0.5, 0.349, 0.151);
    expect(changeOf(u, 'JP-01:T1')).toMatchObject({ delta: -0.05, flags: ['no evidence cited for a change of 0.05'] });
    expect(changeOf(u, 'JP-01:T2')).toMatchObject({ delta: 0.049, flags: [] });
    expect(changeOf(u, 'JP-01:T3')).toMatchObject({ delta: 0.001, status: 'unchanged', flags: [] });
    expect(u.needsReview).toBe(true);
  });

  it('a cited change passes; an invented citation does not count', () => {
    expect(changeOf(moved(0.45, 0.4, 0.15, ['E2']), 'JP-01:T1').flags).toEqual([]);
    const invented = finalize(
      memoryDraft([
        { continues: 'JP-01:T1', probability: 0.45, evidence: ['E9'] },
        { continues: 'JP-01:T2', probability: 0.4 },
        { continues: 'JP-01:T3', probability: 0.15 },
      ]),
    );
    expect(changeOf(invented.update, 'JP-01:T1')).toMatchObject({ evidence: [], flags: ['no evidence cited for a change of 0.10'] });
    expect(invented.warnings).toContain('dropped evidence id "E9" from trajectory "Modest, selective success": not among the events supplied (E1, E2, E3)');
  });

  it('a jump of exactly 0.25 is not flagged for review; 0.251 is', () => {
    const u = moved(0.3, 0.551, 0.149, ['E1']);
    expect(changeOf(u, 'JP-01:T1')).toMatchObject({ delta: -0.25, flags: [] });
    expect(changeOf(u, 'JP-01:T2')).toMatchObject({ delta: 0.251, flags: ['jump of 0.251: review'] });
    expect(u.needsReview).toBe(true);
    const uncited = moved(0.3, 0.551, 0.149);
    expect(changeOf(uncited, 'JP-01:T2').flags).toEqual(['no evidence cited for a change of 0.251', 'jump of 0.251: review']);
  });

  it('an added trajectory counts as a move from 0 and a retired one as a move to 0', () => {
    expect(changeFlags(0.3, [])).toEqual(['no evidence cited for a change of 0.30', 'jump of 0.30: review']);
    expect(changeFlags(0.2, ['E1'])).toEqual([]);
    expect(changeFlags(0.04, [])).toEqual([]);
    const a = finalize(
      memoryDraft(
        [
          { continues: 'JP-01:T1', probability: 0.55 },
          { continues: 'JP-01:T2', probability: 0.15 },
          { continues: 'new', name: 'Renegotiation after the midterms', probability: 0.3, evidence: [] },
        ],
        { retired: [{ trajectoryId: 'JP-01:T3', reason: 'folded into the new path', evidence: [] }] },
      ),
    );
    expect(changeOf(a.update, 'JP-01:T4').flags).toEqual(['no evidence cited for a change of 0.30', 'jump of 0.30: review']);
    expect(changeOf(a.update, 'JP-01:T3').flags).toEqual(['no evidence cited for a change of 0.15']);
  });
});

describe('finalising with memory: indicators', () => {
  it('keeps status changes of earlier indicators, with their text; drops unknown and repeated ids', () => {
    const a = finalize(
      memoryDraft(
        [
          { continues: 'JP-01:T1', probability: 0.45 },
          { continues: 'JP-01:T2', probability: 0.4 },
          { continues: 'JP-01:T3', probability: 0.15 },
        ],
        {
          indicators: [
            { indicatorId: 'JP-01:I1', status: 'triggered', note: 'The first loan was approved.', evidence: ['E1', 'E8'] },
            { indicatorId: 'I2', status: 'trending', note: 'Commerce named the projects.', evidence: ['E2'] },
            { indicatorId: 'JP-01:I42', status: 'quiet', note: 'No such indicator.', evidence: [] },
            { indicatorId: 'JP-01:I1', status: 'quiet', note: 'Repeated.', evidence: [] },
          ],
        },
      ),
    );
    expect(a.update!.indicators).toEqual([
      {
        indicatorId: 'JP-01:I1',
        indicator: 'First JBIC/NEXI project approvals under the new facility, and their equity/loan/guarantee mix',
        status: 'triggered',
        note: 'The first loan was approved.',
        evidence: ['E1'],
      },
      {
        indicatorId: 'JP-01:I2',
        indicator: seedJpLastView().indicators[1]!.indicator,
        status: 'trending',
        note: 'Commerce named the projects.',
        evidence: ['E2'],
      },
    ]);
    expect(a.warnings).toEqual([
      'dropped evidence id "E8" from the status of indicator JP-01:I1: not among the events supplied (E1, E2, E3)',
      'dropped the status update for indicator JP-01:I42: not in the last view',
      'dropped a second status update for indicator JP-01:I1',
    ]);
  });
});

describe('a run with memory, end to end, and its reports', () => {
  let prompts: PromptSet;
  let agents: AgentDefinition[];
  let run: Awaited<ReturnType<typeof runWith>>;
  let model: ReturnType<typeof scriptedModel>;
  const followUp: IdentifiedEvent = (() => {
    const e: NewsEvent = {
      title: 'JBIC signs the first loan under the $550B facility',
      summary: 'JBIC signed a $2 billion loan for a U.S. gas turbine plant.',
      tags: [],
      publishedAt: '2025-11-20T00:00:00.000Z',
    };
    return { id: eventId(e), event: e };
  })();

  beforeAll(async () => {
    prompts = await loadPrompts(`${ROOT}prompts`);
    agents = (await loadAgents(`${ROOT}agents`)).filter((a) => a.id === 'JP-01' || a.id === 'US-01');
    const { id: _id, ...seedEvent } = SEED_EVIDENCE;
    const thread = threadFor(followUp, [seedEvent], { 'JP-01': { lastView: seedJpLastView(), eventsSince: [] } });
    model = scriptedModel((req) => {
      if (req.purpose === 'synthesis') return recordedSynthesis();
      if (req.purpose === 'desk/US-01') return recordedDesk('US-01');
      return memoryDraft(
        [
          { continues: 'JP-01:T1', probability: 0.45, changeReason: 'the first loan closed on U.S.-chosen terms', evidence: ['E1'] },
          { continues: 'JP-01:T2', probability: 0.45, driver: 'reinterpretation', changeReason: 'the terms favour Washington', evidence: [] },
          { continues: 'new', name: 'Quiet wind-down <b>after 2028</b>', probability: 0.1, changeReason: 'a new path', evidence: ['E1'] },
        ],
        {
          retired: [{ trajectoryId: 'JP-01:T3', reason: 'folded into the wind-down path', evidence: ['E2'] }],
          indicators: [{ indicatorId: 'JP-01:I1', status: 'triggered', note: 'The first loan was approved.', evidence: ['E1'] }],
        },
      );
    });
    run = await runWith({ event: followUp, agents, prompts, model, thread });
  });

  const jp = (): AgentAssessment => run.assessments.find((a) => a.agentId === 'JP-01')!;

  it('asks the desk with memory for the memory draft, the other for the plain one', () => {
    const byDesk = Object.fromEntries(model.requests.map((r) => [r.purpose, r]));
    expect(byDesk['desk/JP-01']!.schemaName).toBe('agent_assessment_update');
    expect(byDesk['desk/US-01']!.schemaName).toBe('agent_assessment');
    expect(byDesk['desk/JP-01']!.messages[0]!.content).toContain('## Your last view in this story');
    expect(byDesk['desk/US-01']!.messages[0]!.content).not.toContain('## Your last view in this story');
    expect(byDesk['desk/JP-01']!.sharedPrefixChars).toBe(byDesk['desk/US-01']!.sharedPrefixChars);
    expect(byDesk['desk/JP-01']!.messages[0]!.content.slice(0, byDesk['desk/JP-01']!.sharedPrefixChars)).toContain('E2:\n<<<');
  });

  it('the desk keeps its ids and carries the update; the other desk has none', () => {
    expect(run.status).toBe('ok');
    expect(jp().trajectories.map((t) => t.id)).toEqual(['JP-01:T1', 'JP-01:T2', 'JP-01:T4']);
    expect(jp().update!.changes.map((c) => [c.trajectoryId, c.status, c.delta])).toEqual([
      ['JP-01:T1', 'changed', -0.1],
      ['JP-01:T2', 'changed', 0.15],
      ['JP-01:T4', 'added', null],
      ['JP-01:T3', 'retired', null],
    ]);
    expect(changeOf(jp().update, 'JP-01:T2').flags).toEqual(['no evidence cited for a change of 0.15']);
    expect(jp().update!.needsReview).toBe(true);
    expect(run.assessments.find((a) => a.agentId === 'US-01')!.update).toBeUndefined();
  });

  it('the JSON report carries the contract scripts rely on', () => {
    const json = JSON.parse(JSON.stringify(toRunJson(run))) as { assessments: { agentId: string; update?: Record<string, unknown> }[] };
    const update = json.assessments.find((a) => a.agentId === 'JP-01')!.update!;
    expect(update['previousRunId']).toBe('1a2b3c4d5e6f7a8b');
    expect(update['headline']).toBe('The first loan shows the facility works, on U.S. terms.');
    expect((update['changes'] as unknown[])[0]).toEqual({
      trajectoryId: 'JP-01:T1',
      name: 'Modest, selective success',
      status: 'changed',
      previous: 0.55,
      current: 0.45,
      delta: -0.1,
      driver: 'new-evidence',
      reason: 'the first loan closed on U.S.-chosen terms',
      evidence: ['E1'],
      flags: [],
    });
  });

  it('Markdown opens the desk with what changed since its last view', () => {
    const md = renderAssessmentMarkdown(jp());
    expect(md.startsWith('## JP-01 — Japan Desk\n\n### What changed since our view of 2025-09-26 "Japan Unveils $550B U.S. Investment" (run 1a2b3c4d)\n\nThe first loan shows the facility works, on U.S. terms.\n\n')).toBe(true);
    expect(md).toContain('- **Modest, selective success** (`JP-01:T1`): 55% → 45% (-10 pts) — new evidence: the first loan closed on U.S.-chosen terms [E1]\n');
    expect(md).toContain(
      '- **Overcommitment / misexecution** (`JP-01:T2`): 30% → 45% (+15 pts) — reinterpretation: the terms favour Washington **⚠ no evidence cited for a change of 0.15**\n',
    );
    expect(md).toContain('- **Quiet wind-down <b>after 2028</b>** (`JP-01:T4`): new at 10% — new evidence: a new path [E1]\n');
    expect(md).toContain('- **Strategic dilution or backsliding** (`JP-01:T3`): retired (was 15%) — folded into the wind-down path [E2]\n');
    expect(md).toContain('**Flagged for review:**');
    expect(md).toContain(
      'Indicators whose status changed:\n\n- **First JBIC/NEXI project approvals under the new facility, and their equity/loan/guarantee mix** (`JP-01:I1`): triggered — The first loan was approved. [E1]\n',
    );
    expect(md.indexOf('### What changed since')).toBeLessThan(md.indexOf('**Stance: '));
    // The whole run report keeps the desk's update in the desk's section.
    const report = renderRunMarkdown(run);
    expect(report.indexOf('### What changed since our view of 2025-09-26')).toBeGreaterThan(report.indexOf('## JP-01 — Japan Desk'));
    expect(report.indexOf('### What changed since our view of 2025-09-26')).toBeLessThan(report.indexOf('## US-01'));
  });

  it('an unchanged trajectory reads "no change"', () => {
    const a = finalize(
      memoryDraft([
        { continues: 'JP-01:T1', probability: 0.55, driver: 'time-passing', changeReason: 'nothing new bears on it', evidence: [] },
        { continues: 'JP-01:T2', probability: 0.3, changeReason: '', evidence: [] },
        { continues: 'JP-01:T3', probability: 0.15, changeReason: '', evidence: [] },
      ]),
    );
    const md = renderAssessmentMarkdown(a);
    expect(md).toContain('- **Modest, selective success** (`JP-01:T1`): 55% — no change — time passing: nothing new bears on it\n');
    expect(md).toContain('- **Overcommitment / misexecution** (`JP-01:T2`): 30% — no change\n');
    expect(md).not.toContain('Flagged for review');
  });

  it('HTML shows the same, escaped, and marks the desk for review', () => {
    const page = renderRunHtml(run);
    const desk = page.slice(page.indexOf('<section class="desk" id="desk-JP-01"'), page.indexOf('</section>', page.indexOf('id="desk-JP-01"')));
    expect(desk).toContain('<span class="flag">⚠ review</span></summary>');
    expect(desk).toContain('<h3>What changed since our view of 2025-09-26 &quot;Japan Unveils $550B U.S. Investment&quot; (run 1a2b3c4d)</h3>');
    expect(desk).toContain(`<strong>Modest, selective success</strong> <code>JP-01:T1</code>: <span class="move">55% → 45% (-10 pts)</span> — new evidence: the first loan closed on U.S.-chosen terms [E1]</li>`);
    expect(desk).toContain(`<strong>${escapeHtml('Quiet wind-down <b>after 2028</b>')}</strong>`);
    expect(desk).not.toContain('<b>after 2028</b>');
    expect(desk).toContain('<span class="flag">⚠ no evidence cited for a change of 0.15</span>');
    expect(desk).toContain('<li class="change retired"><strong>Strategic dilution or backsliding</strong>');
    expect(desk.indexOf('<div class="update"')).toBeLessThan(desk.indexOf('<p class="stance">'));
    expect(page.indexOf('<section class="desk" id="desk-US-01"')).toBeGreaterThan(0);
    const us = page.slice(page.indexOf('<section class="desk" id="desk-US-01"'));
    expect(us.slice(0, us.indexOf('</section>'))).not.toContain('What changed since');
  });
});
