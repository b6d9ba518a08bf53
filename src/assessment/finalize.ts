import type { AgentAssessment, AssessmentDraft, AssessmentProvenance } from './schema.js';

interface DeskIdentity {
  id: string;
  name: string;
}

/**
 * Gives every risk, trajectory and indicator a stable id (`JP-01:R1`, `JP-01:T2`, `JP-01:I3`) in
 * the order the desk wrote them, and signs the assessment with the desk id. Ids are assigned in
 * code, not by the model, so they are always well-formed and unique within the run.
 */
export function finalizeAssessment(
  draft: AssessmentDraft,
  desk: DeskIdentity,
  provenance: AssessmentProvenance,
): AgentAssessment {
  const withIds = <T>(items: T[], kind: 'R' | 'T' | 'I') =>
    items.map((item, i) => ({ id: `${desk.id}:${kind}${i + 1}`, ...item }));
  return {
    agentId: desk.id,
    agentName: desk.name,
    signOff: `${desk.id}, ${desk.name}`,
    ...draft,
    risks: withIds(draft.risks, 'R'),
    trajectories: withIds(draft.trajectories, 'T'),
    indicators: withIds(draft.indicators, 'I'),
    provenance,
  };
}
