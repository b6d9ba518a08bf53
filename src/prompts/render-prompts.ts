import type { AgentDefinition } from '../agents/definition.js';
import type { AgentAssessment } from '../assessment/schema.js';
import type { IdentifiedEvent } from '../event/schema.js';
import { MAX_EVIDENCE_SUMMARY_CHARS, type EvidenceEvent, type ThreadContext } from '../threads/context.js';
import type { PromptSet } from './load-prompts.js';
import { renderDeskMemory } from './render-memory.js';
import { fenceFor, renderTemplate } from './render.js';

/** The event as plain labelled text, the way it sits inside the untrusted fence. */
export function eventAsText({ event }: IdentifiedEvent): string {
  const lines = [`Title: ${event.title}`];
  if (event.publishedAt) lines.push(`Published: ${event.publishedAt}`);
  if (event.source) lines.push(`Source: ${event.source.name}${event.source.url ? ` (${event.source.url})` : ''}`);
  if (event.url) lines.push(`URL: ${event.url}`);
  if (event.tags.length > 0) lines.push(`Tags: ${event.tags.join(', ')}`);
  if (event.language) lines.push(`Language: ${event.language}`);
  lines.push('', event.summary);
  return lines.join('\n');
}

/**
 * An earlier event of the story (E2…) as plain labelled text, the way it sits inside the fence:
 * title, date, and the summary the archive keeps (cut again here, so a long one cannot crowd the
 * prompt whoever built the list).
 */
export function earlierEventAsText(e: EvidenceEvent): string {
  const summary = Array.from(e.summary);
  const cut = summary.length > MAX_EVIDENCE_SUMMARY_CHARS ? `${summary.slice(0, MAX_EVIDENCE_SUMMARY_CHARS).join('').trimEnd()}…` : e.summary;
  const lines = [`Title: ${e.title}`];
  if (e.at) lines.push(`Date: ${e.at.slice(0, 10)}`);
  if (cut.trim()) lines.push('', cut);
  return lines.join('\n');
}

export interface DeskPrompt {
  system: string;
  user: string;
  /**
   * How many leading characters of `user` are the same for every desk of the event (the event
   * block and the story's earlier events). With the system prompt before them they are the
   * prefix a provider can cache.
   */
  sharedPrefixChars: number;
}

/**
 * A desk's prompt, laid out for prompt caching: the system prompt, the event block (E1) and the
 * story's earlier events (E2…) are identical for every desk of one event, and only what follows
 * differs: the desk's identity and brief, then its memory (its last view in the thread) when it
 * has one. The fence is derived from all the news text shown (the event and the earlier events),
 * so it too is the same for every desk, and no shown text can contain it.
 */
export function renderDeskPrompt(prompts: PromptSet, desk: AgentDefinition, event: IdentifiedEvent, thread?: ThreadContext): DeskPrompt {
  const eventText = eventAsText(event);
  // E1 is always the event itself, rendered in full; the thread's list supplies E2… only.
  const earlier = (thread?.evidence ?? []).filter((e) => e.id !== 'E1');
  const earlierTexts = earlier.map(earlierEventAsText);
  const fence = fenceFor([eventText, ...earlierTexts].join('\n\n'));
  let shared = `${renderTemplate(prompts.deskUser, { fence, event: eventText }, 'desk.user.md').trimEnd()}\n\n`;
  if (earlier.length > 0) {
    const events = earlier
      .map((e, i) => renderTemplate(prompts.deskEarlierEvent, { id: e.id, fence, event: earlierTexts[i]! }, 'desk.earlier-event.md').trimEnd())
      .join('\n\n');
    shared += `${renderTemplate(prompts.deskEarlier, { events }, 'desk.earlier.md').trimEnd()}\n\n`;
  }
  const brief = renderTemplate(
    prompts.deskBrief,
    { 'desk.id': desk.id, 'desk.name': desk.name, 'desk.country': desk.country, 'desk.brief': desk.brief },
    'desk.brief.md',
  );
  const memory = thread?.memory[desk.id];
  const own = memory
    ? `${brief.trimEnd()}\n\n${renderDeskMemory(prompts, desk.id, memory, fence, ['E1', ...earlier.map((e) => e.id)])}\n`
    : brief;
  return {
    system: renderTemplate(prompts.deskSystem, { fence }, 'desk.system.md'),
    user: shared + own,
    sharedPrefixChars: shared.length,
  };
}

export function renderRepairPrompt(prompts: PromptSet, issues: string[]): string {
  return renderTemplate(prompts.repair, { issues: issues.map((i) => `- ${i}`).join('\n') }, 'repair.md');
}

/** What the synthesizer sees of each desk: the items it clusters, by id, and the desk's reading. */
function digest(a: AgentAssessment) {
  return {
    agentId: a.agentId,
    stance: a.stance,
    bottomLine: a.bottomLine,
    confidence: a.confidence,
    risks: a.risks.map((r) => ({ id: r.id, axis: r.axis, title: r.title, severity: r.severity, likelihood: r.likelihood })),
    trajectories: a.trajectories.map((t) => ({ id: t.id, name: t.name, probability: t.probability, keyDynamics: t.keyDynamics })),
    indicators: a.indicators.map((i) => ({ id: i.id, indicator: i.indicator })),
    caveats: a.caveats,
  };
}

export function renderSynthesisPrompt(
  prompts: PromptSet,
  event: IdentifiedEvent,
  assessments: AgentAssessment[],
  missing: { agentId: string; reason: string }[],
) {
  const body = JSON.stringify(assessments.map(digest), null, 1);
  const values = {
    fence: fenceFor(body),
    eventTitle: event.event.title,
    included: assessments.map((a) => a.agentId).join(', ') || 'none',
    missing: missing.length > 0 ? missing.map((m) => `${m.agentId} (${m.reason})`).join('; ') : 'none',
    assessments: body,
  };
  return {
    system: renderTemplate(prompts.synthesisSystem, values, 'synthesis.system.md'),
    user: renderTemplate(prompts.synthesisUser, values, 'synthesis.user.md'),
  };
}
