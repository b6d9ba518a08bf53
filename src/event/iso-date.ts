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
