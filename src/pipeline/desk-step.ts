import type * as z from 'zod';
import type { AgentDefinition } from '../agents/definition.js';
import { finalizeWithMemory } from '../assessment/apply-memory.js';
import { finalizeAssessment } from '../assessment/finalize.js';
import { MemoryAssessmentDraftSchema, type MemoryAssessmentDraft } from '../assessment/memory-schema.js';
import { AssessmentDraftSchema, type AgentAssessment, type AssessmentDraft, type AssessmentProvenance } from '../assessment/schema.js';
import type { IdentifiedEvent } from '../event/schema.js';
import { toProviderJsonSchema } from '../llm/json-schema.js';
import type { PromptSet } from '../prompts/load-prompts.js';
import { renderDeskPrompt } from '../prompts/render-prompts.js';
import type { EvidenceEvent, ThreadContext } from '../threads/context.js';

/**
 * The desk step: everything one desk's model call needs and what turns its answer into an
 * assessment, decided once per desk. A desk with an earlier view in the thread (memory) is asked
 * for the memory variant of the draft and finalised against that view; every desk's key facts and
 * risks are grounded in the events it was shown. The pipeline only sends the request.
 */

/** What a desk's model may answer: the plain draft, or the memory variant when it had memory. */
export type DeskDraft = AssessmentDraft | MemoryAssessmentDraft;

export interface DeskRequest {
  /** `memory` when the desk was shown its last view in the thread. */
  variant: 'plain' | 'memory';
  schema: z.ZodType<DeskDraft>;
  jsonSchema: Record<string, unknown>;
  schemaName: string;
  system: string;
  user: string;
  sharedPrefixChars: number;
  /** The evidence ids the desk was shown (E1 = the event, E2… earlier events). */
  evidenceIds: string[];
  /** The validated draft as an assessment: ids assigned, evidence checked, the update computed. */
  finalize(draft: DeskDraft, provenance: AssessmentProvenance): AgentAssessment;
}

// Computed once per variant: the schemas never change while the process runs.
const PLAIN_JSON_SCHEMA = toProviderJsonSchema(AssessmentDraftSchema);
const MEMORY_JSON_SCHEMA = toProviderJsonSchema(MemoryAssessmentDraftSchema);
const PLAIN_SCHEMA: z.ZodType<DeskDraft> = AssessmentDraftSchema;
const MEMORY_SCHEMA: z.ZodType<DeskDraft> = MemoryAssessmentDraftSchema;

/**
 * The events a desk is shown, with their evidence ids: the thread's list, or without a thread
 * (`--no-archive`) the event alone as E1.
 */
export function suppliedEvidence(event: IdentifiedEvent, thread?: ThreadContext): EvidenceEvent[] {
  if (thread) return thread.evidence;
  return [{ id: 'E1', eventId: event.id, title: event.event.title, at: event.event.publishedAt ?? '', summary: event.event.summary }];
}

function isMemoryDraft(draft: DeskDraft): draft is MemoryAssessmentDraft {
  return 'update' in draft && 'retiredTrajectories' in draft;
}

/** The request for one desk of one event, and how its answer is finalised. */
export function deskRequestFor(agent: AgentDefinition, prompts: PromptSet, event: IdentifiedEvent, thread?: ThreadContext): DeskRequest {
  const prompt = renderDeskPrompt(prompts, agent, event, thread);
  const evidenceIds = suppliedEvidence(event, thread).map((e) => e.id);
  // E1 is the event being assessed whatever the thread's list says: it is always in the prompt.
  if (!evidenceIds.includes('E1')) evidenceIds.unshift('E1');
  const desk = { id: agent.id, name: agent.name };
  const plain = (draft: DeskDraft, provenance: AssessmentProvenance) => finalizeAssessment(draft, desk, provenance, { evidenceIds });
  const memory = thread?.memory[agent.id];
  const common = { system: prompt.system, user: prompt.user, sharedPrefixChars: prompt.sharedPrefixChars, evidenceIds };
  if (!memory) {
    return { variant: 'plain', schema: PLAIN_SCHEMA, jsonSchema: PLAIN_JSON_SCHEMA, schemaName: 'agent_assessment', ...common, finalize: plain };
  }
  return {
    variant: 'memory',
    schema: MEMORY_SCHEMA,
    jsonSchema: MEMORY_JSON_SCHEMA,
    schemaName: 'agent_assessment_update',
    ...common,
    // The memory schema validated the draft, so the plain branch cannot be taken; it keeps the
    // function total without a cast.
    finalize: (draft, provenance) =>
      isMemoryDraft(draft) ? finalizeWithMemory(draft, desk, provenance, memory, { evidenceIds, ...(memory.usedTrajectoryIds ? { usedTrajectoryIds: memory.usedTrajectoryIds } : {}) }) : plain(draft, provenance),
  };
}
