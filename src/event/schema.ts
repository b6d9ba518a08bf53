import { z } from 'zod';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Parses an ISO 8601 date or date-time strictly: impossible calendar dates (2025-02-30) are
 * rejected rather than rolled over, and a time without an offset is read as UTC so the same
 * event normalises identically on every machine.
 */
export function parseIsoDate(input: string): string | undefined {
  const m = ISO_DATE.exec(input);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', sec = '00', offset] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCFullYear() !== year || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return undefined;
  const normalised = input.replace(' ', 'T') + (m[4] !== undefined && offset === undefined ? 'Z' : '');
  const time = m[4] === undefined ? Date.UTC(year, month - 1, day) : Date.parse(normalised);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/** ISO 8601 date or date-time; normalised to a full ISO string (UTC) so events compare and sort. */
const isoDate = z
  .string()
  .trim()
  .refine((s) => parseIsoDate(s) !== undefined, {
    message: 'must be an ISO 8601 date such as 2025-09-26 or 2025-09-26T09:00:00Z',
  })
  .transform((s) => parseIsoDate(s) as string);

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** A news event as the desks receive it. Text fields are carried through untouched (UTF-8). */
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
});

export type NewsEvent = z.output<typeof NewsEventSchema>;
export type NewsEventInput = z.input<typeof NewsEventSchema>;

/** An event together with its stable id. */
export interface IdentifiedEvent {
  id: string;
  event: NewsEvent;
}
