export type { ThreadContext, ThreadRef, LinkMethod, LinkDecision, EvidenceEvent, DeskMemory, DeskLastView, PreviousSynthesis } from './context.js';
export { ACTIVE_THREAD_DAYS, MAX_EVIDENCE_EVENTS, MAX_EVIDENCE_SUMMARY_CHARS } from './context.js';
export { tokenize, eventTerms, TITLE_WEIGHT } from './tokenize.js';
export { extractEntities, eventEntities, isHeadlineCase, type Entities } from './entities.js';
export {
  COSINE_WEIGHT,
  ENTITY_WEIGHT,
  DECAY_HALF_LIFE_DAYS,
  DECAY_FLOOR,
  ENTITY_KIND_WEIGHTS,
  ENTITY_SATURATION,
  idf,
  tfidfVector,
  cosine,
  entityOverlap,
  daysBetween,
  timeDecay,
  combinedScore,
  type ScoreParts,
  type TermVector,
} from './similarity.js';
export {
  decideLink,
  JOIN_THRESHOLD,
  AMBIGUOUS_BAND,
  DEFAULT_LINK_THRESHOLDS,
  type ThreadCandidate,
  type LinkThresholds,
  type LinkOutcome,
} from './link-decision.js';
