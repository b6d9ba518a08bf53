export * from './schema.js';
export * from './memory-schema.js';
export * from './update.js';
export { finalizeAssessment, type DeskIdentity, type FinalizeOptions } from './finalize.js';
export { finalizeWithMemory, changeFlags, canonicalItemId, round3, UNCHANGED_BELOW, type MemoryFinalizeOptions } from './apply-memory.js';
export { EVENT_ONLY_EVIDENCE, normalizeEvidenceId, keepSuppliedEvidence, countGrounding, groundItems } from './grounding.js';
