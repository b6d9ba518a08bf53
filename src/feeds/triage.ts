import * as z from 'zod';
import type { AgentDefinition } from '../agents/definition.js';
import { describeError } from '../errors/index.js';
import { generateObject } from '../llm/generate-object.js';
import { toProviderJsonSchema } from '../llm/json-schema.js';
import type { RetryPolicy } from '../llm/retry.js';
import type { StructuredModel } from '../llm/types.js';
import type { PromptSet } from '../prompts/load-prompts.js';
import { renderRepairPrompt } from '../prompts/render-prompts.js';
import { fenceFor, renderTemplate } from '../prompts/render.js';
import type { Triage } from './poll-feed.js';
import { routeItem } from './route.js';
import type { FeedItem, RouteDecision } from './types.js';

/** What the triage model answers: one small call per item. */
export const TriageSchema = z.object({
  relevant: z.boolean().describe('Whether any desk should assess this item'),
  agents: z.array(z.string()).describe('Desk ids that should assess it, e.g. ["JP-01","US-01"]; empty when not relevant'),
  reason: z.string().trim().min(1).describe('One sentence: why these desks, or why none'),
});
const TRIAGE_JSON_SCHEMA = toProviderJsonSchema(TriageSchema);

export interface TriageOptions {
  model: StructuredModel;
  prompts: PromptSet;
  timeoutMs: number;
  retry: RetryPolicy;
}

function itemText(item: FeedItem): string {
  return [`Title: ${item.title}`, item.publishedAt ? `Published: ${item.publishedAt}` : '', '', item.summary.slice(0, 4000)]
    .filter((l, i) => l !== '' || i === 2)
    .join('\n');
}

/**
 * `--triage`: a model picks the desks for each item (or skips it) and says why. Ids it invents are
 * dropped; when the call fails the keyword router decides instead, and the reason says so.
 */
export function modelTriage(options: TriageOptions): Triage {
  return async (item: FeedItem, desks: AgentDefinition[], signal: AbortSignal): Promise<RouteDecision> => {
    const list = desks.map((d) => `- ${d.id}: ${d.name} (${d.country}); watches ${d.keywords.slice(0, 12).join(', ')}`).join('\n');
    const text = itemText(item);
    const fence = fenceFor(text);
    const result = await generateObject({
      model: options.model,
      schema: TriageSchema,
      schemaName: 'triage',
      jsonSchema: TRIAGE_JSON_SCHEMA,
      purpose: 'triage',
      scope: 'triage',
      system: renderTemplate(options.prompts.triageSystem, { desks: list, fence }, 'triage.system.md'),
      user: renderTemplate(options.prompts.triageUser, { item: text, fence }, 'triage.user.md'),
      renderRepair: (_raw, issues) => renderRepairPrompt(options.prompts, issues),
      maxRepairs: 1,
      maxOutputTokens: 400,
      timeoutMs: options.timeoutMs,
      retry: options.retry,
      signal,
    });
    if (!result.ok) {
      const fallback = routeItem(item, desks, 'auto');
      return { ...fallback, reason: `triage failed (${describeError(result.error)}); keyword routing: ${fallback.reason}` };
    }
    const known = new Set(desks.map((d) => d.id));
    const picked = [...new Set(result.value.agents.map((a) => a.trim().toUpperCase()))];
    const agents = result.value.relevant ? picked.filter((a) => known.has(a)) : [];
    const dropped = picked.filter((a) => !known.has(a));
    const note = dropped.length > 0 ? ` (unknown desk ids dropped: ${dropped.join(', ')})` : '';
    return { agents, method: 'triage', reason: `${result.value.reason}${note}` };
  };
}
