/**
 * Which desk (or the synthesizer) a model request is for, as every fake server in the tests
 * tells them apart. The desk prompt is laid out for prompt caching: the system prompt is the same
 * for every desk and the desk's identity ("You are JP-01, …") comes in the user message after the
 * event. The LAST such sentence wins, because a hostile event inside the fence may contain one too.
 */

export const SYNTHESIS_TARGET = 'synthesis';
export const UNKNOWN_TARGET = 'unknown';

const DESK_SENTENCE = /You are ([A-Z0-9]{2,3}-[0-9]{2})\b/g;
const SYNTHESIS_SENTENCE = /You are the synthesizer\b/;

/** Text of a message whose content is a string or a list of text blocks (Anthropic cache layout). */
export function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((block) => (typeof block === 'object' && block !== null && typeof (block as { text?: unknown }).text === 'string' ? (block as { text: string }).text : '')).join('');
  }
  return '';
}

export function targetOf(system: string, firstUser = ''): string {
  if (SYNTHESIS_SENTENCE.test(system)) return SYNTHESIS_TARGET;
  const matches = [...`${system}\n${firstUser}`.matchAll(DESK_SENTENCE)];
  return matches.at(-1)?.[1] ?? UNKNOWN_TARGET;
}
