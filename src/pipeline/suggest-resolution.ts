import type { SuggestionCandidate } from '../archive/suggestion-candidates.js';
import { checkSuggestion, SuggestionDraftSchema, type ResolutionSuggestion } from '../forecasts/suggestion.js';
import { generateObject, type CallRecord } from '../llm/generate-object.js';
import { toProviderJsonSchema } from '../llm/json-schema.js';
import type { RetryPolicy } from '../llm/retry.js';
import type { StructuredModel } from '../llm/types.js';
import type { PromptSet } from '../prompts/load-prompts.js';
import { renderRepairPrompt } from '../prompts/render-prompts.js';
import { fenceFor, renderTemplate } from '../prompts/render.js';

const SUGGESTION_JSON_SCHEMA = toProviderJsonSchema(SuggestionDraftSchema);

export interface SuggestOptions {
  model: StructuredModel;
  prompts: PromptSet;
  /** `YYYY-MM-DD`: the model is told it, and negative outcomes before the resolve-by date are refused. */
  today: string;
  timeoutMs: number;
  retry: RetryPolicy;
  maxRepairs: number;
  signal: AbortSignal;
}

export type SuggestOutcome =
  | { ok: true; suggestion: ResolutionSuggestion; calls: CallRecord[] }
  | { ok: false; questionId: string; error: Error; calls: CallRecord[] };

/** The question's local part (`Q`, `R3`): the purpose a replay recording is filed under. */
export function suggestPurpose(questionId: string): string {
  return `suggest/${questionId.slice(questionId.lastIndexOf(':') + 1)}`;
}

/**
 * One model call: does anything in the newer events resolve this question? The answer is
 * validated (with repair turns), then checked against the question and the event texts
 * (checkSuggestion) — nothing is resolved here.
 */
export async function suggestResolution(candidate: SuggestionCandidate, options: SuggestOptions): Promise<SuggestOutcome> {
  const q = candidate.question;
  // One fence for everything untrusted in the prompt: news text and the desks' criteria.
  const fence = fenceFor([q.criteria, ...candidate.events.map((e) => e.text)].join('\n'));
  const events = candidate.events
    .map((e) => renderTemplate(options.prompts.deskEarlierEvent, { id: `${e.ref} (${e.at.slice(0, 10)})`, fence, event: e.text }, 'desk.earlier-event.md'))
    .join('\n\n');
  const result = await generateObject({
    model: options.model,
    schema: SuggestionDraftSchema,
    schemaName: 'resolution_suggestion',
    jsonSchema: SUGGESTION_JSON_SCHEMA,
    purpose: suggestPurpose(q.id),
    // Replay finds recordings by event: the newest event read is the one that matters.
    scope: candidate.events[0]?.eventId ?? candidate.threadId,
    system: renderTemplate(options.prompts.suggestSystem, { fence }, 'suggest.system.md'),
    user: renderTemplate(
      options.prompts.suggestUser,
      {
        today: options.today,
        'question.id': q.id,
        'question.type': q.type,
        'question.title': q.title,
        'question.resolveBy': q.resolveBy ?? 'no date given',
        'question.options': q.options.map((o) => `- ${o.id}: ${o.label}`).join('\n'),
        'question.criteria': q.criteria,
        events,
        fence,
      },
      'suggest.user.md',
    ),
    renderRepair: (_raw, issues) => renderRepairPrompt(options.prompts, issues),
    maxRepairs: options.maxRepairs,
    maxOutputTokens: 1200,
    timeoutMs: options.timeoutMs,
    retry: options.retry,
    signal: options.signal,
  });
  if (!result.ok) return { ok: false, questionId: q.id, error: result.error, calls: result.calls };
  return { ok: true, suggestion: checkSuggestion(result.value, q, candidate.events, options.today), calls: result.calls };
}
