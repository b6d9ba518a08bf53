import { readFileSync } from 'node:fs';
import type { AssessmentDraft } from '../../src/assessment/schema.js';
import type { SynthesisDraft } from '../../src/synthesis/schema.js';
import { REPLAY_DIR } from './paths.js';

/** A recorded desk output for the seed event: a realistic, schema-valid payload for fake servers. */
export function recordedDesk(agentId: string): AssessmentDraft {
  return JSON.parse(readFileSync(`${REPLAY_DIR}desk-${agentId}.json`, 'utf8')).output as AssessmentDraft;
}

export function recordedSynthesis(): SynthesisDraft {
  return JSON.parse(readFileSync(`${REPLAY_DIR}synthesis.json`, 'utf8')).output as SynthesisDraft;
}
