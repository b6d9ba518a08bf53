/**
 * Strict parsing of feed dates into ISO 8601 UTC strings (`2024-03-01T11:00:00.000Z`).
 *
 * Accepted:
 * - RFC 822 / 1123 / 2822 (RSS `pubDate`): `[Mon, ]6 Sep 2021 16:45[:00] <zone>`, two- or four-digit
 *   years, full or abbreviated month names, zones `+0900` / `-05:00` / `GMT` / `UT` / `UTC` / `Z`,
 *   the US zones (`EST`, `PDT`…) and a few unambiguous others (`CET`, `JST`…); a missing zone is
 *   taken as UTC.
 * - ISO 8601 / RFC 3339 (Atom, `dc:date`, JSON Feed): `2024-03-01`, `2024-03-01T12:00[:00[.123]]`
 *   with `Z`, `±HH:MM`, `±HHMM` or `±HH`; `T` may be a space; a missing zone is taken as UTC.
 *
 * Anything else, and any out-of-range field (31 February, hour 25, a +1900 offset), is undefined.
 */

const MONTHS: Readonly<Record<string, number>> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
  january: 1, february: 2, march: 3, april: 4, june: 6, july: 7, august: 8, september: 9,
  october: 10, november: 11, december: 12,
};

/** Named zones, in minutes east of UTC. Ambiguous abbreviations (IST, CST-as-China…) are not guessed beyond RFC 822's US set. */
const ZONES: Readonly<Record<string, number>> = {
  ut: 0, utc: 0, gmt: 0, z: 0, wet: 0,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
  akst: -540, akdt: -480, hst: -600,
  bst: 60, cet: 60, cest: 120, met: 60, mest: 120, west: 60, eet: 120, eest: 180, msk: 180,
  jst: 540, kst: 540, hkt: 480, sgt: 480, aest: 600, aedt: 660, nzst: 720, nzdt: 780,
};

const DAY_NAME = '(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\\.?';

const RFC822 = new RegExp(
  `^(?:${DAY_NAME}\\s*,?\\s*)?` +
    '(\\d{1,2})[\\s-]+([a-z]{3,9})\\.?[\\s-]+(\\d{2}|\\d{4})' +
    '(?:\\s+|T)(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.\\d+)?)?' +
    '(?:\\s*([+-]\\d{2}:?\\d{2}|[a-z]{1,5}))?$',
  'i',
);

const ISO8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[T\s](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** Minutes east of UTC. */
  offset: number;
}

function toIso(f: Fields): string | undefined {
  if (f.year < 1900 || f.year > 2200) return undefined;
  if (f.month < 1 || f.month > 12) return undefined;
  if (f.day < 1 || f.day > daysInMonth(f.year, f.month)) return undefined;
  // 24:00 is not accepted; a leap second (60) is folded into :59.
  if (f.hour > 23 || f.minute > 59 || f.second > 60) return undefined;
  if (Math.abs(f.offset) > 14 * 60) return undefined;
  const ms =
    Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, Math.min(f.second, 59), f.millisecond) - f.offset * 60_000;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** `+0900`, `-05:00`, `+09`, `Z`, `GMT`, `EST` → minutes east of UTC; undefined if unknown. */
function parseZone(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === '') return 0;
  const numeric = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (numeric) {
    const hours = Number(numeric[2]);
    const minutes = Number(numeric[3] ?? '0');
    if (minutes > 59) return undefined;
    return (numeric[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  return ZONES[zone.toLowerCase()];
}

function parseRfc822(text: string): string | undefined {
  const m = RFC822.exec(text);
  if (!m) return undefined;
  const [, day, monthName, yearText, hour, minute, second, zone] = m;
  const month = MONTHS[(monthName ?? '').toLowerCase()];
  const offset = parseZone(zone);
  if (month === undefined || offset === undefined || !yearText) return undefined;
  let year = Number(yearText);
  // RFC 2822 §4.3: two-digit years 00–49 are 20xx, 50–99 are 19xx.
  if (yearText.length === 2) year += year < 50 ? 2000 : 1900;
  return toIso({
    year,
    month,
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second ?? '0'),
    millisecond: 0,
    offset,
  });
}

function parseIso(text: string): string | undefined {
  const m = ISO8601.exec(text);
  if (!m) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone] = m;
  const offset = parseZone(zone);
  if (offset === undefined) return undefined;
  return toIso({
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour ?? '0'),
    minute: Number(minute ?? '0'),
    second: Number(second ?? '0'),
    millisecond: fraction ? Number(fraction.slice(0, 3).padEnd(3, '0')) : 0,
    offset,
  });
}

/** A feed date as an ISO 8601 UTC string, or undefined when it is not a date we can trust. */
export function parseFeedDate(value: string | undefined | null): string | undefined {
  if (typeof value !== 'string') return undefined;
  // A trailing RFC 2822 comment (`+0000 (UTC)`) carries nothing the zone did not.
  const text = value.trim().replace(/\s+/g, ' ').replace(/\s*\([^()]*\)$/, '');
  if (text.length === 0 || text.length > 64) return undefined;
  return /^\d{4}-/.test(text) ? parseIso(text) : parseRfc822(text);
}
