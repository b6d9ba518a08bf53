import { approximateTokens } from '../llm/estimate-tokens.js';
import { CITE_CHANGE_AT, REVIEW_JUMP_ABOVE } from '../assessment/update.js';
import type { DeskMemory } from '../threads/context.js';
import type { PromptSet } from './load-prompts.js';
import { renderTemplate } from './render.js';

/**
 * A desk's memory in its prompt: its last view in the thread (date, run, bottom line, stance,
 * trajectories with ids and probabilities, indicators with ids) and which of the shown events
 * came since. It follows the desk's brief, so the prefix every desk shares stays cacheable.
 *
 * The whole section, instructions included, is held to MEMORY_MAX_TOKENS as counted by
 * `approximateTokens` (3.5 characters a token, one per CJK character: more than any BPE count of
 * the same English text, so the bound holds for OpenAI models too). Long texts are cut and long
 * lists shortened in fixed steps, so the same view always renders the same way.
 */

/** What memory may add to one desk's prompt (issue 13: "at most about 1,500 tokens per desk"). */
export const MEMORY_MAX_TOKENS = 1500;

interface Limits {
  /** Token caps per text. */
  bottomLine: number;
  stance: number;
  eventTitle: number;
  trajectory: number;
  /** A trajectory's resolution criterion (issue 14); 0 shows only its date. */
  criterion: number;
  indicator: number;
  /** Indicators listed; the rest are counted, not shown. */
  indicators: number;
}

/** Tried in order until the section fits: generous first, then tighter; the last drops indicators. */
const LEVELS: readonly Limits[] = [
  { bottomLine: 300, stance: 80, eventTitle: 60, trajectory: 40, criterion: 80, indicator: 50, indicators: Number.POSITIVE_INFINITY },
  { bottomLine: 200, stance: 60, eventTitle: 40, trajectory: 30, criterion: 50, indicator: 35, indicators: 12 },
  { bottomLine: 140, stance: 40, eventTitle: 30, trajectory: 24, criterion: 35, indicator: 25, indicators: 8 },
  { bottomLine: 80, stance: 25, eventTitle: 20, trajectory: 16, criterion: 20, indicator: 18, indicators: 5 },
  { bottomLine: 40, stance: 15, eventTitle: 12, trajectory: 12, criterion: 0, indicator: 0, indicators: 0 },
];

const ELLIPSIS = '…';

/**
 * `text` cut to at most `maxTokens` (approximated), ending in "…" when cut, at a word boundary
 * when one is near. Deterministic: the same text and cap always give the same cut.
 */
export function cutToTokens(text: string, maxTokens: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (approximateTokens(flat) <= maxTokens) return flat;
  if (maxTokens <= 1) return ELLIPSIS;
  const chars = Array.from(flat);
  // The longest prefix that fits with the ellipsis: token counts only grow with length.
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (approximateTokens(chars.slice(0, mid).join('') + ELLIPSIS) <= maxTokens) lo = mid;
    else hi = mid - 1;
  }
  let cut = chars.slice(0, lo).join('');
  const space = cut.lastIndexOf(' ');
  if (space > cut.length * 0.6) cut = cut.slice(0, space);
  return `${cut.trimEnd()}${ELLIPSIS}`;
}

/** 0.55 → "0.55": the scale the model writes probabilities in. */
const probabilityText = (p: number): string => String(Math.round(p * 1000) / 1000);

/**
 * A trajectory's horizon and criterion after its probability (issue 14), so a continued
 * trajectory can keep them: "; resolves by 2029-01-20 if: …". Empty for a view archived before.
 */
function horizonText(t: { resolveBy?: string; resolution?: string }, limits: Limits): string {
  const by = t.resolveBy ? ` by ${t.resolveBy}` : '';
  const criterion = t.resolution && limits.criterion > 0 ? ` if: ${cutToTokens(t.resolution, limits.criterion)}` : '';
  return by || criterion ? `; resolves${by}${criterion}` : '';
}

function memoryBody(memory: DeskMemory, limits: Limits): string {
  const view = memory.lastView;
  const lines = [
    `Event then: ${cutToTokens(view.eventTitle, limits.eventTitle)}`,
    `Stance: ${view.stance.label} — ${cutToTokens(view.stance.reason, limits.stance)}`,
    `Bottom line: ${cutToTokens(view.bottomLine, limits.bottomLine)}`,
    'Trajectories (id, name, probability):',
    ...view.trajectories.map((t) => `- ${t.id} ${cutToTokens(t.name, limits.trajectory)}: ${probabilityText(t.probability)}${horizonText(t, limits)}`),
  ];
  const shown = view.indicators.slice(0, limits.indicators);
  const hidden = view.indicators.length - shown.length;
  if (view.indicators.length > 0) {
    lines.push('Indicators (id, indicator):');
    for (const i of shown) lines.push(`- ${i.id} ${cutToTokens(i.indicator, limits.indicator)}`);
    if (hidden > 0) lines.push(`- (${hidden} more not shown: ${view.indicators.slice(shown.length).map((i) => i.id).join(', ')})`);
  }
  return lines.join('\n');
}

/**
 * The shown events since the last view, oldest first, then the news event: "E3, E2 and E1 (the
 * news event)". Ids the run did not show are left out: the desk could not cite them.
 */
function sinceText(memory: DeskMemory, shownIds: ReadonlySet<string>): string {
  const earlier = memory.eventsSince.filter((id, i, all) => id !== 'E1' && shownIds.has(id) && all.indexOf(id) === i);
  const news = 'E1 (the news event)';
  return earlier.length === 0 ? news : `${earlier.join(', ')} and ${news}`;
}

/**
 * The memory section of one desk's prompt, within MEMORY_MAX_TOKENS. `fence` is the run's
 * untrusted-text marker: the earlier view quotes news titles and model text, so it is data too.
 */
export function renderDeskMemory(
  prompts: PromptSet,
  deskId: string,
  memory: DeskMemory,
  fence: string,
  shownEvidenceIds: readonly string[],
): string {
  const shown = new Set(shownEvidenceIds);
  // The marker is derived from this run's news, which the earlier view could not know; strip it
  // anyway so nothing inside the quote can close it.
  const body = (limits: Limits) => memoryBody(memory, limits).split(fence).join('UNTRUSTED_(marker removed)');
  const render = (quoted: string) =>
    renderTemplate(
      prompts.deskMemory,
      {
        'desk.id': deskId,
        date: memory.lastView.at.slice(0, 10),
        run: memory.lastView.runId.slice(0, 8),
        fence,
        memory: quoted,
        since: sinceText(memory, shown),
        'cite.points': String(Math.round(CITE_CHANGE_AT * 100)),
        'review.points': String(Math.round(REVIEW_JUMP_ABOVE * 100)),
      },
      'desk.memory.md',
    ).trimEnd();
  for (const limits of LEVELS) {
    const section = render(body(limits));
    if (approximateTokens(section) <= MEMORY_MAX_TOKENS) return section;
  }
  // Only a view far outside the schema (dozens of trajectories) gets here: cut the quoted view
  // itself to what the instructions leave.
  const least = LEVELS[LEVELS.length - 1]!;
  const room = MEMORY_MAX_TOKENS - approximateTokens(render(''));
  return render(cutToTokens(body(least), Math.max(1, room)));
}
