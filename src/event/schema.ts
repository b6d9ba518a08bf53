import * as z from 'zod';
import { parseIsoDate } from './iso-date.js';

/** ISO 8601 date or date-time; normalised to a full ISO string (UTC) so events compare and sort. */
const isoDate = z
  .string()
  .trim()
  .refine((s) => parseIsoDate(s) !== undefined, {
    message: 'must be an ISO 8601 date such as 2025-09-26 or 2025-09-26T09:00:00Z',
  })
  .transform((s) => parseIsoDate(s) as string);

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const charCount = z.number().int().nonnegative();

/**
 * Set by assess (never read from input) when the event was longer than its caps: the body's
 * length before and after the cut, in characters, and the title's original length if it was cut.
 */
export const EventCutSchema = z.strictObject({
  originalChars: charCount,
  keptChars: charCount,
  titleOriginalChars: charCount.optional(),
});

export type EventCut = z.output<typeof EventCutSchema>;

/**
 * A news event as the desks receive it. Text fields are cleaned of control, zero-width and bidi
 * override characters (see sanitize-text.ts) and otherwise carried through untouched (UTF-8).
 */
export const NewsEventSchema = z.strictObject({
  title: z.string({ error: 'an event needs a title' }).trim().min(1, 'an event needs a non-empty title'),
  summary: z.string().default(''),
  publishedAt: isoDate.optional(),
  source: z
    .strictObject({
      name: z.string().trim().min(1),
      url: httpUrl.optional(),
    })
    .optional(),
  url: httpUrl.optional(),
  tags: z.array(z.string().trim().min(1)).default([]),
  language: z
    .string()
    .regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'must be a BCP 47 language tag such as en or ja')
    .optional(),
  cut: EventCutSchema.optional(),
});

export type NewsEvent = z.output<typeof NewsEventSchema>;
export type NewsEventInput = z.input<typeof NewsEventSchema>;

/** An event together with its stable id. */
export interface IdentifiedEvent {
  id: string;
  event: NewsEvent;
}
