import { finalizeAssessment } from '../../src/assessment/finalize.js';
import type { AgentAssessment, AssessmentDraft, Severity } from '../../src/assessment/schema.js';
import type { SynthesisDraft } from '../../src/synthesis/schema.js';

/** Inputs for the synthesis math tests: minimal valid desks and an empty synthesizer draft. */

const provenance = { eventId: 'e', provider: 'test', model: 'm', promptHash: 'h', attempts: 1 };
export const synthProvenance = { provider: 'test', model: 'm', promptHash: 'h', attempts: 1 };

/** A minimal valid desk assessment with the given trajectory probabilities and risks. */
export function deskWith(id: string, probabilities: number[], risks: { severity: Severity; likelihood: number }[]): AgentAssessment {
  const draft: AssessmentDraft = {
    bottomLine: `${id} bottom line`,
    stance: { label: 'neutral', reason: 'r' },
    opening: '',
    keyFacts: [{ feature: 'f', detail: 'd', sources: [], evidence: ['E1'] }],
    upside: [],
    risks: risks.map((r, i) => ({ axis: 'a', title: `${id} risk ${i + 1}`, description: 'd', resolveBy: '2026-12-31', resolution: `${id} risk ${i + 1} materialises by 2026-12-31`, sources: [], evidence: [], ...r })),
    feasibility: '',
    trajectories: probabilities.map((p, i) => ({ name: `${id} T${i + 1}`, probability: p, label: 'l', keyDynamics: 'k', implications: 'i', resolveBy: '2029-01-20', resolution: `${id} T${i + 1} holds by 2029-01-20` })),
    lean: '',
    caveats: [],
    strategicSignificance: { intro: '', points: ['p'] },
    openQuestions: [],
    indicators: [{ indicator: `${id} indicator`, why: 'w' }],
    confidence: 0.5,
  };
  return finalizeAssessment(draft, { id, name: `${id} Desk` }, provenance);
}

export const emptyDraft: SynthesisDraft = { bottomLine: 'b', consensus: [], divergences: [], riskClusters: [], scenarioClusters: [], watchlist: [] };
export const coverage = (a: AgentAssessment[]) => ({ included: a.map((x) => x.agentId), missing: [] });
