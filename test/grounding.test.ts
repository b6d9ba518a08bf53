import { beforeAll, describe, expect, it } from 'vitest';
import { loadAgents, type AgentDefinition } from '../src/agents/index.js';
import { finalizeAssessment } from '../src/assessment/finalize.js';
import { countGrounding, keepSuppliedEvidence, normalizeEvidenceId } from '../src/assessment/grounding.js';
import type { AgentAssessment, AssessmentDraft } from '../src/assessment/schema.js';
import { readEvent, nodeEventReaders, type IdentifiedEvent } from '../src/event/index.js';
import { ReplayModel } from '../src/llm/replay-model.js';
import { deskRequestFor, suppliedEvidence } from '../src/pipeline/desk-step.js';
import { loadPrompts, type PromptSet } from '../src/prompts/index.js';
import { renderAssessmentMarkdown, renderRunMarkdown, toRunJson, renderRunHtml } from '../src/report/index.js';
import { escapeHtml } from '../src/report/html.js';
import { recordedDesk, recordedSynthesis } from './support/recordings.js';
import { ROOT, SEED_EVENT } from './support/paths.js';
import { runWith, scriptedModel, threadFor, SEED_EVIDENCE } from './support/desk-memory-fixtures.js';

const provenance = { eventId: 'e', provider: 'test', model: 'm', promptHash: 'h', attempts: 1 };
const JP = { id: 'JP-01', name: 'Japan Desk' };

let prompts: PromptSet;
let agents: AgentDefinition[];
let seed: IdentifiedEvent;

beforeAll(async () => {
  prompts = await loadPrompts(`${ROOT}prompts`);
  agents = await loadAgents(`${ROOT}agents`);
  seed = await readEvent({ path: SEED_EVENT }, nodeEventReaders());
});

/** The recorded JP-01 draft with the evidence of its first fact and first risk replaced. */
function jpDraftCiting(factEvidence: string[], riskEvidence: string[]): AssessmentDraft {
  const draft = recordedDesk('JP-01');
  return {
    ...draft,
    keyFacts: draft.keyFacts.map((f, i) => (i === 0 ? { ...f, evidence: factEvidence } : f)),
    risks: draft.risks.map((r, i) => (i === 0 ? { ...r, evidence: riskEvidence } : r)),
  };
}

describe('evidence ids', () => {
  it('reads the spellings a model uses for a shown id, and leaves anything else as written', () => {
    expect(['E1', ' e2 ', '[E3]', 'E04', '[ e5 ]'].map(normalizeEvidenceId)).toEqual(['E1', 'E2', 'E3', 'E4', 'E5']);
    expect(['Reuters', 'E', 'E0', 'E1a', ' event 1 '].map(normalizeEvidenceId)).toEqual(['Reuters', 'E', 'E0', 'E1a', 'event 1']);
  });

  it('keeps supplied ids once, in order, and drops the rest with a warning naming the item', () => {
    const warnings: string[] = [];
    const kept = keepSuppliedEvidence(['E2', 'e1', 'E2', 'E7', 'Reuters', ''], new Set(['E1', 'E2']), 'key fact "Timing"', warnings);
    expect(kept).toEqual(['E2', 'E1']);
    expect(warnings).toEqual([
      'dropped evidence id "E7" from key fact "Timing": not among the events supplied (E1, E2)',
      'dropped evidence id "Reuters" from key fact "Timing": not among the events supplied (E1, E2)',
    ]);
  });

  it('counts items with a supplied event as supplied, items with none as background, and old items as neither', () => {
    expect(countGrounding([{ evidence: ['E1'] }, { evidence: [] }, { evidence: ['E1', 'E2'] }, {}])).toEqual({ supplied: 2, background: 1 });
  });
});

describe('finalising grounds key facts and risks in the evidence supplied', () => {
  it('without a thread only E1 exists: E2 is invented and dropped, and the item becomes background', () => {
    const a = finalizeAssessment(jpDraftCiting(['E1', 'E2'], ['E2']), JP, provenance);
    expect(a.keyFacts[0]!.evidence).toEqual(['E1']);
    expect(a.risks[0]!.evidence).toEqual([]);
    expect(a.warnings).toEqual([
      'dropped evidence id "E2" from key fact "Timing & scope": not among the events supplied (E1)',
      'dropped evidence id "E2" from risk "Ambiguity in "investment" definition": not among the events supplied (E1)',
    ]);
    // The recording cites E1 on 2 facts and 2 other risks; the first risk cites nothing valid.
    expect(a.grounding).toEqual({ supplied: 4, background: 14 });
  });

  it("in a thread the earlier events' ids are valid too", () => {
    const a = finalizeAssessment(jpDraftCiting(['E2', 'E3'], ['E3']), JP, provenance, { evidenceIds: ['E1', 'E2', 'E3'] });
    expect(a.keyFacts[0]!.evidence).toEqual(['E2', 'E3']);
    expect(a.risks[0]!.evidence).toEqual(['E3']);
    expect(a.warnings).toEqual([]);
    expect(a.grounding).toEqual({ supplied: 5, background: 13 });
  });

  it('free-text sources stay as attribution, untouched', () => {
    const a = finalizeAssessment(recordedDesk('JP-01'), JP, provenance);
    expect(a.keyFacts.map((f) => f.sources)).toEqual(recordedDesk('JP-01').keyFacts.map((f) => f.sources));
    expect(a.risks[0]!.sources).toEqual(['ArentFox Schiff', 'Reuters', 'FactCheck.org']);
  });
});

describe('the desk step supplies the evidence', () => {
  it('without a thread the event alone is E1, built from the event', () => {
    expect(suppliedEvidence(seed)).toEqual([
      { id: 'E1', eventId: seed.id, title: 'Japan Unveils $550B U.S. Investment', at: seed.event.publishedAt, summary: seed.event.summary },
    ]);
    expect(deskRequestFor(agents.find((a) => a.id === 'JP-01')!, prompts, seed).evidenceIds).toEqual(['E1']);
  });

  it("in a thread it is the thread's list", () => {
    const thread = threadFor(seed, [{ ...SEED_EVIDENCE, title: 'Tariff deal outlined' }]);
    expect(deskRequestFor(agents.find((a) => a.id === 'JP-01')!, prompts, seed, thread).evidenceIds).toEqual(['E1', 'E2']);
  });

  it('the plain draft schema asks for evidence on every key fact and risk', () => {
    const request = deskRequestFor(agents.find((a) => a.id === 'JP-01')!, prompts, seed);
    const schema = request.jsonSchema as { properties: Record<string, { items: { properties: Record<string, { description: string }>; required: string[] } }> };
    for (const list of ['keyFacts', 'risks']) {
      const item = schema.properties[list]!.items;
      expect(item.required).toContain('evidence');
      expect(item.properties['evidence']!.description).toContain('E1 = the news event above, E2… earlier events in this story');
      expect(item.properties['evidence']!.description).toContain('empty if it rests on background knowledge');
    }
  });
});

describe('the demo run (no thread) and its reports show grounding per desk', () => {
  let run: Awaited<ReturnType<typeof runWith>>;
  let jp: AgentAssessment;

  beforeAll(async () => {
    const replay = await ReplayModel.open(`${ROOT}fixtures/replay`);
    run = await runWith({ event: seed, agents, prompts, model: replay });
    jp = run.assessments.find((a) => a.agentId === 'JP-01')!;
  });

  it('every desk is grounded; JP-01 rests 4 of 18 facts and risks on the event', () => {
    expect(run.status).toBe('ok');
    expect(jp.grounding).toEqual({ supplied: 4, background: 14 });
    expect(jp.keyFacts.map((f) => f.evidence)).toEqual([['E1'], [], [], [], [], [], ['E1']]);
    expect(jp.risks.filter((r) => r.evidence?.length).map((r) => r.title)).toEqual(['Risk of underperformance or defaults', 'Budgetary and fiscal constraints']);
    for (const a of run.assessments) {
      expect(a.warnings, a.agentId).toEqual([]);
      expect(a.grounding!.supplied + a.grounding!.background, a.agentId).toBe(a.keyFacts.length + a.risks.length);
      expect(a.grounding!.supplied, a.agentId).toBeGreaterThanOrEqual(1);
    }
  });

  it('the JSON report counts both per desk', () => {
    const json = JSON.parse(JSON.stringify(toRunJson(run))) as { assessments: { agentId: string; grounding: unknown; keyFacts: { evidence: string[] }[] }[] };
    const byDesk = Object.fromEntries(json.assessments.map((a) => [a.agentId, a.grounding]));
    expect(byDesk['JP-01']).toEqual({ supplied: 4, background: 14 });
    expect(byDesk['US-01']).toEqual({ supplied: 2, background: 16 });
    expect(byDesk['CN-01']).toEqual({ supplied: 1, background: 16 });
    expect(json.assessments[0]!.keyFacts[0]!.evidence).toEqual(['E1']);
  });

  it('Markdown marks each fact and risk as resting on E1 or on unverified background, and counts them', () => {
    const md = renderRunMarkdown(run);
    expect(md).toContain('| Feature | Details | Sources | Evidence |');
    expect(md).toMatch(/\| Timing & scope \| The facility is announced 26 September 2025[^\n]*\| Public reporting \| \[E1\] \|\n/);
    expect(md).toMatch(/\| Target sectors \| Semiconductors, metals, pharmaceuticals, energy, shipbuilding\. \| Public reporting \| background \(unverified\) \|\n/);
    expect(md).toContain('- **Risk of underperformance or defaults** (`JP-01:R2` · severity high · likelihood');
    expect(md).toMatch(/- \*\*Risk of underperformance or defaults\*\* \(`JP-01:R2` [^)]* · \[E1\]\)/);
    expect(md).toMatch(/- \*\*China reaction\*\* \(`JP-01:R10` [^)]* · background \(unverified\)\)/);
    expect(md).toContain('_Grounding: 4 of 18 key facts and risks rest on the events supplied; 14 on background knowledge (unverified)._');
    expect(md).not.toContain("Notes on this desk's output");
  });

  it('HTML marks them the same way, escaped', () => {
    const page = renderRunHtml(run);
    const desk = page.slice(page.indexOf('<section class="desk" id="desk-JP-01"'), page.indexOf('</section>', page.indexOf('id="desk-JP-01"')));
    expect(desk).toContain('<th scope="col">Evidence</th>');
    expect(desk).toContain(`<td class="sources">Public reporting</td><td><span class="ground ev">[E1]</span></td></tr>`);
    expect(desk).toContain('<span class="ground bg">background (unverified)</span>');
    expect(desk).toContain(`${escapeHtml('Grounding: 4 of 18 key facts and risks rest on the events supplied; 14 on background knowledge (unverified)')}.`);
  });
});

describe('an invented evidence id in a live desk answer', () => {
  it('is dropped with a warning that reaches the assessment and the report; the run goes on', async () => {
    const model = scriptedModel((req) => (req.purpose === 'synthesis' ? recordedSynthesis() : jpDraftCiting(['E1', 'E9'], ['e1'])));
    const run = await runWith({ event: seed, agents: agents.filter((a) => a.id === 'JP-01'), prompts, model });
    const jp = run.assessments[0]!;
    expect(jp.keyFacts[0]!.evidence).toEqual(['E1']);
    expect(jp.risks[0]!.evidence).toEqual(['E1']);
    expect(jp.warnings).toEqual(['dropped evidence id "E9" from key fact "Timing & scope": not among the events supplied (E1)']);
    expect(jp.grounding).toEqual({ supplied: 5, background: 13 });
    const md = renderAssessmentMarkdown(jp);
    expect(md).toContain("Notes on this desk's output:\n\n- dropped evidence id \"E9\" from key fact \"Timing & scope\": not among the events supplied (E1)\n");
    expect(renderRunHtml(run)).toContain(escapeHtml('dropped evidence id "E9" from key fact "Timing & scope"'));
  });
});

describe('assessments archived before grounding', () => {
  it('render as before: three-column facts, no marks, no counts', () => {
    const a = finalizeAssessment(recordedDesk('JP-01'), JP, provenance);
    const { grounding: _g, warnings: _w, ...rest } = a;
    const old: AgentAssessment = {
      ...rest,
      keyFacts: a.keyFacts.map(({ evidence: _e, ...f }) => f),
      // Archived before grounding means before horizons (issue 14) too.
      risks: a.risks.map(({ evidence: _e, resolveBy: _b, resolution: _r, ...r }) => r),
      trajectories: a.trajectories.map(({ resolveBy: _b, resolution: _r, ...t }) => t),
    };
    const md = renderAssessmentMarkdown(old);
    expect(md).toContain('| Trajectory | Likelihood | Key dynamics | Implications |\n| --- | --- | --- | --- |\n');
    expect(md).not.toContain('Resolves');
    expect(md).not.toContain('How each trajectory resolves');
    expect(md).toContain('| Feature | Details | Sources |\n| --- | --- | --- |\n');
    expect(md).not.toContain('Evidence');
    expect(md).not.toContain('background (unverified)');
    expect(md).not.toContain('Grounding:');
    expect(md).toContain('- **Risk of underperformance or defaults** (`JP-01:R2` · severity high · likelihood 45%)  ');
  });
});
