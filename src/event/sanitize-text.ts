/**
 * Cleans event text of characters that have no business in a news story and are a known way to
 * hide or disguise text (from the reader of a report, or from a reviewer of a prompt):
 *
 * - line endings: `\r\n`, a lone `\r` and the Unicode line/paragraph separators become `\n`;
 * - C0 controls other than `\n` and `\t`, DEL and the C1 controls (U+0080–U+009F) are removed;
 * - zero-width characters (U+200B–U+200D, U+2060, U+FEFF) are removed; this also drops the ZWJ
 *   inside emoji sequences, which then show as their separate parts;
 * - bidirectional embedding/override/isolate controls (U+202A–U+202E, U+2066–U+2069, the
 *   "Trojan Source" characters) are removed. Ordinary right-to-left letters (Arabic, Hebrew) and
 *   the plain direction marks U+200E/U+200F/U+061C, which real RTL text uses, are kept;
 * - Unicode tag characters (U+E0000–U+E007F) are removed: they are invisible and are used to
 *   smuggle text past a human reader into a model ("ASCII smuggling");
 * - a lone surrogate (only possible through a JSON `\uD800` escape) becomes U+FFFD, so the text
 *   is well-formed UTF-16 and encodes as UTF-8 everywhere downstream.
 *
 * Nothing else changes: no Unicode normalisation (NFC/NFKC) is applied, so Japanese and other
 * non-Latin text is stored exactly as written. Applying it twice gives the same result.
 */

const LINE_BREAK = /\r\n?|[\u2028\u2029]/g;
const LONE_SURROGATE = /[\uD800-\uDFFF]/gu; // with the u flag only unpaired halves match
const REMOVED = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200D\u2060\uFEFF\u202A-\u202E\u2066-\u2069\u{E0000}-\u{E007F}]/gu;

/** Cleans multi-line text (an event body): keeps `\n` and `\t`. */
export function sanitizeText(text: string): string {
  return text.replace(LINE_BREAK, '\n').replace(LONE_SURROGATE, '\uFFFD').replace(REMOVED, '');
}

/** Cleans one-line text (title, tag, source name, URL): line breaks and tabs become one space. */
export function sanitizeLine(text: string): string {
  return sanitizeText(text).replace(/[ \t]*[\n\t][ \t\n]*/g, ' ');
}

const line = (value: unknown): unknown => (typeof value === 'string' ? sanitizeLine(value) : value);

/**
 * Cleans every text field of a raw event object (before validation). Values of the wrong type are
 * left alone for the schema to report.
 */
export function sanitizeEventFields(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  for (const key of ['title', 'url', 'publishedAt', 'language']) if (key in out) out[key] = line(out[key]);
  if (typeof out['summary'] === 'string') out['summary'] = sanitizeText(out['summary']);
  if (Array.isArray(out['tags'])) out['tags'] = out['tags'].map(line);
  const source = out['source'];
  if (source !== null && typeof source === 'object' && !Array.isArray(source)) {
    const cleaned: Record<string, unknown> = { ...(source as Record<string, unknown>) };
    for (const key of ['name', 'url']) if (key in cleaned) cleaned[key] = line(cleaned[key]);
    out['source'] = cleaned;
  }
  return out;
}
