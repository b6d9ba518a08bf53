import type { AgentDefinition } from '../agents/definition.js';
import type { AgentAssessment } from '../assessment/schema.js';
import type { IdentifiedEvent } from '../event/schema.js';
import type { PromptSet } from './load-prompts.js';
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

export interface DeskPrompt {
  system: string;
  user: string;
  /**
   * How many leading characters of `user` are the same for every desk of the event (the event
   * block). With the system prompt before them they are the prefix a provider can cache.
   */
  sharedPrefixChars: number;
}

/**
 * A desk's prompt, laid out for prompt caching: the system prompt and the event block are
 * identical for every desk of one event, and only what follows (the desk's identity and brief)
 * differs. The fence is derived from the event alone, so it too is the same for every desk.
 */
export function renderDeskPrompt(prompts: PromptSet, desk: AgentDefinition, event: IdentifiedEvent): DeskPrompt {
  const eventText = eventAsText(event);
  const fence = fenceFor(eventText);
  const shared = `${renderTemplate(prompts.deskUser, { fence, event: eventText }, 'desk.user.md').trimEnd()}\n\n`;
  const brief = renderTemplate(
    prompts.deskBrief,
    { 'desk.id': desk.id, 'desk.name': desk.name, 'desk.country': desk.country, 'desk.brief': desk.brief },
    'desk.brief.md',
  );
  return {
    system: renderTemplate(prompts.deskSystem, { fence }, 'desk.system.md'),
    user: shared + brief,
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
