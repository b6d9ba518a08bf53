import { EVENT_ONLY_EVIDENCE, groundItems } from './grounding.js';
import type { AgentAssessment, AssessmentDraft, AssessmentProvenance } from './schema.js';

export interface DeskIdentity {
  id: string;
  name: string;
}

export interface FinalizeOptions {
  /**
   * The evidence ids the desk was shown; cited ids outside this list are dropped with a warning.
   * @default ['E1'] (no thread: the event alone)
   */
  evidenceIds?: readonly string[];
}

/**
 * Gives every risk, trajectory and indicator a stable id (`JP-01:R1`, `JP-01:T2`, `JP-01:I3`) in
 * the order the desk wrote them, signs the assessment with the desk id, and grounds key facts and
 * risks in the evidence supplied. Ids are assigned in code, not by the model, so they are always
 * well-formed and unique within the run. (A desk with memory is finalised by `finalizeWithMemory`,
 * which keeps its trajectory ids across the thread instead.)
 */
export function finalizeAssessment(
  draft: AssessmentDraft,
  desk: DeskIdentity,
  provenance: AssessmentProvenance,
  options: FinalizeOptions = {},
): AgentAssessment {
  const warnings: string[] = [];
  const grounded = groundItems(draft.keyFacts, draft.risks, options.evidenceIds ?? EVENT_ONLY_EVIDENCE, warnings);
  return {
    agentId: desk.id,
    agentName: desk.name,
    signOff: `${desk.id}, ${desk.name}`,
    ...draft,
    keyFacts: grounded.keyFacts,
    risks: withIds(desk.id, grounded.risks, 'R'),
    trajectories: withIds(desk.id, draft.trajectories, 'T'),
    indicators: withIds(desk.id, draft.indicators, 'I'),
    provenance,
    grounding: grounded.grounding,
    warnings,
  };
}

/** `JP-01:R1`, `JP-01:R2`… in the order written. */
export function withIds<T>(deskId: string, items: readonly T[], kind: 'R' | 'T' | 'I'): (T & { id: string })[] {
  return items.map((item, i) => ({ id: `${deskId}:${kind}${i + 1}`, ...item }));
}
