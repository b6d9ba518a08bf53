import { InputError } from '../errors/index.js';
import type { EventCut, NewsEvent } from './schema.js';
import { thousands } from '../format/thousands.js';

/**
 * Size caps on event text. A story longer than the cap is cut, never refused and never silently:
 * the body keeps its head and tail with a marker line between them, and the cut is recorded on the
 * event (`cut`), which the archive, the JSON report and the report headers carry.
 *
 * "Characters" are Unicode code points, so a cut never splits a surrogate pair (emoji, rare CJK).
 */

/** Default cap on the event body, in characters. */
export const DEFAULT_MAX_EVENT_CHARS = 20_000;
/** Cap on the title, in characters; a longer title keeps its start only. */
export const MAX_TITLE_CHARS = 500;

/** Options for reading an event. */
export interface EventLimits {
  /** Cap on the body in characters (default DEFAULT_MAX_EVENT_CHARS). */
  maxChars?: number;
}

/** Number of code points in `text`. */
export function countChars(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/** UTF-16 index just after the first `n` code points. */
function indexAfter(text: string, n: number): number {
  let i = 0;
  for (let seen = 0; seen < n && i < text.length; seen++) {
    const c = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    i += c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
  }
  return i;
}

/** UTF-16 index where the last `n` code points begin. */
function indexOfLast(text: string, n: number): number {
  let i = text.length;
  for (let seen = 0; seen < n && i > 0; seen++) {
    const c = text.charCodeAt(i - 1);
    const before = text.charCodeAt(i - 2);
    i -= c >= 0xdc00 && c <= 0xdfff && before >= 0xd800 && before <= 0xdbff ? 2 : 1;
  }
  return i;
}

const formatCount = thousands;

/** The line put where the middle of a long body was cut. */
export function cutMarker(cutChars: number, maxChars: number): string {
  return `[… ${formatCount(cutChars)} characters cut by assess: the event was longer than ${formatCount(maxChars)} characters …]`;
}

function checkMaxChars(maxChars: number): void {
  if (!Number.isSafeInteger(maxChars) || maxChars < 1) {
    throw new InputError(`the event size cap must be a whole number of characters of at least 1 (got ${maxChars})`);
  }
}

/**
 * Cuts a body longer than `maxChars`, keeping its first 70% and last 30% of `maxChars` with a
 * marker line between them. Returns undefined when the body fits.
 */
export function capBody(text: string, maxChars: number): { text: string; originalChars: number; keptChars: number } | undefined {
  checkMaxChars(maxChars);
  if (text.length <= maxChars) return undefined; // code points never outnumber UTF-16 units
  const originalChars = countChars(text);
  if (originalChars <= maxChars) return undefined;
  const headChars = Math.floor((maxChars * 7) / 10);
  const tailChars = maxChars - headChars;
  const head = text.slice(0, indexAfter(text, headChars));
  const tail = tailChars > 0 ? text.slice(indexOfLast(text, tailChars)) : '';
  return { text: `${head}\n${cutMarker(originalChars - maxChars, maxChars)}\n${tail}`, originalChars, keptChars: maxChars };
}

/** Cuts a title longer than MAX_TITLE_CHARS to its start, followed by "…". */
export function capTitle(title: string): { text: string; originalChars: number } | undefined {
  if (title.length <= MAX_TITLE_CHARS) return undefined;
  const originalChars = countChars(title);
  if (originalChars <= MAX_TITLE_CHARS) return undefined;
  return { text: `${title.slice(0, indexAfter(title, MAX_TITLE_CHARS)).trimEnd()}…`, originalChars };
}

/** Applies both caps to a validated event, recording any cut in `cut`. */
export function capEvent(event: NewsEvent, maxChars: number = DEFAULT_MAX_EVENT_CHARS): NewsEvent {
  const body = capBody(event.summary, maxChars);
  const title = capTitle(event.title);
  if (!body && !title) return event;
  // When only the title was cut, the body fields say the whole body was kept.
  const bodyChars = body ? { originalChars: body.originalChars, keptChars: body.keptChars } : { originalChars: countChars(event.summary), keptChars: countChars(event.summary) };
  const cut: EventCut = { ...bodyChars, ...(title ? { titleOriginalChars: title.originalChars } : {}) };
  return { ...event, title: title?.text ?? event.title, summary: body?.text ?? event.summary, cut };
}

/**
 * One sentence per cut, for report headers (plain text; each renderer marks it up). Empty when
 * nothing was cut.
 */
export function describeCut(cut: EventCut | undefined): string[] {
  if (!cut) return [];
  const notes: string[] = [];
  if (cut.titleOriginalChars !== undefined) {
    notes.push(`Event title cut: kept the first ${formatCount(MAX_TITLE_CHARS)} of ${formatCount(cut.titleOriginalChars)} characters.`);
  }
  if (cut.keptChars < cut.originalChars) {
    notes.push(`Event body cut: kept ${formatCount(cut.keptChars)} of ${formatCount(cut.originalChars)} characters (head and tail).`);
  }
  return notes;
}
