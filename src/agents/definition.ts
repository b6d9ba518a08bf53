import * as z from 'zod';

import { AGENT_ID_PATTERN } from './agent-id.js';

export { AGENT_ID_PATTERN };

/** Briefs shorter than this are too thin to give a desk a real national lens. */
export const MIN_BRIEF_WORDS = 150;

const wordCount = (s: string): number => s.split(/\s+/).filter(Boolean).length;

/**
 * One desk, as written in a file under `agents/`. Adding a file adds a desk: nothing in code
 * enumerates desks.
 */
export const AgentDefinitionSchema = z.strictObject({
  id: z.string().regex(AGENT_ID_PATTERN, 'must look like JP-01'),
  name: z.string().trim().min(1),
  country: z.string().trim().min(1),
  brief: z
    .string()
    .trim()
    .refine((s) => wordCount(s) >= MIN_BRIEF_WORDS, {
      message: `must be a substantive brief of at least ${MIN_BRIEF_WORDS} words`,
    }),
  keywords: z.array(z.string().trim().min(1)).min(1),
  provider: z.enum(['openai', 'anthropic', 'langchain', 'replay']).optional(),
  model: z.string().trim().min(1).optional(),
});

export type AgentDefinition = z.infer<typeof AgentDefinitionSchema>;
