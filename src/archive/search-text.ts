/**
 * Full-text search that works for English and for Japanese, Chinese and Korean. SQLite's
 * unicode61 tokenizer splits on spaces and punctuation, which CJK text does not have, so CJK runs
 * are indexed as overlapping character bigrams (the standard approach for CJK search): "日本銀行"
 * becomes "日本 本銀 銀行". Queries get the same treatment, so any two or more CJK characters match.
 */

// Includes the iteration and closing marks 々 〆 〇, which sit inside Japanese words (人々, 様々).
const CJK = /[\u3005-\u3007\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u1100-\u11ff\uff66-\uff9f]+/gu;

function bigrams(run: string): string {
  const chars = [...run];
  if (chars.length < 2) return run;
  const out: string[] = [];
  for (let i = 0; i < chars.length - 1; i++) out.push(chars[i]! + chars[i + 1]!);
  return out.join(' ');
}

/** Text as it goes into the index: NFKC, lower case, CJK runs as bigrams. */
export function toIndexText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(CJK, (run) => ` ${bigrams(run)} `);
}

/** Splits user input into terms; "quoted phrases" stay together. */
export function queryTerms(query: string): string[] {
  const terms: string[] = [];
  for (const m of query.normalize('NFKC').matchAll(/"([^"]+)"|(\S+)/g)) {
    const term = (m[1] ?? m[2] ?? '').trim();
    if (term) terms.push(term);
  }
  return terms;
}

/**
 * An FTS5 MATCH expression: every term must appear (AND); each term becomes a quoted phrase of its
 * index tokens, so user input can never be read as FTS5 syntax. Undefined when nothing searchable.
 */
export function toMatchExpression(query: string): string | undefined {
  const phrases = queryTerms(query)
    .map((term) =>
      toIndexText(term)
        .split(/[^\p{L}\p{N}]+/u)
        .filter(Boolean)
        .join(' '),
    )
    .filter((p) => p.length > 0)
    .map((p) => `"${p.replace(/"/g, '""')}"`);
  return phrases.length > 0 ? phrases.join(' AND ') : undefined;
}

/**
 * NFKC + lower case, remembering where each output character came from, so a match found in
 * normalised text (full-width ＪＢＩＣ for JBIC) maps back to the original text. `from` is null
 * when positions are unchanged: the text is already in NFKC form and lower-casing kept its length
 * (no character grew), which is nearly every text; the native calls then do the work that a walk
 * over every character did, which had made snippets most of a search's time.
 */
function normaliseWithMap(text: string): { norm: string; from: number[] | null } {
  const lower = text.toLowerCase();
  if (lower.length === text.length && text.normalize('NFKC') === text) return { norm: lower, from: null };
  let norm = '';
  const from: number[] = [];
  let index = 0;
  for (const ch of text) {
    const n = ch.normalize('NFKC').toLowerCase();
    for (let k = 0; k < n.length; k++) from.push(index);
    norm += n;
    index += ch.length;
  }
  from.push(index);
  return { norm, from };
}

/**
 * A short excerpt of the original text around the first match, matches wrapped in `**`. Done in
 * code on the original text (not FTS5's snippet(), which would show the bigram form of CJK).
 */
export function makeSnippet(text: string, query: string, width = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const { norm, from } = normaliseWithMap(flat);
  const needles = queryTerms(query)
    .map((t) => t.normalize('NFKC').toLowerCase())
    .filter(Boolean);
  // Every match as a range of the original text.
  const ranges: [number, number][] = [];
  for (const n of needles) {
    for (let at = norm.indexOf(n); at !== -1; at = norm.indexOf(n, at + n.length)) {
      ranges.push(from ? [from[at]!, from[at + n.length]!] : [at, at + n.length]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const first = ranges[0]?.[0] ?? 0;
  const start = Math.max(0, first - Math.floor(width / 3));
  const end = Math.min(flat.length, start + width);
  let out = '';
  let cursor = start;
  for (const [a, b] of ranges) {
    if (a < cursor || b > end) continue;
    out += `${flat.slice(cursor, a)}**${flat.slice(a, b)}**`;
    cursor = b;
  }
  out += flat.slice(cursor, end);
  return `${start > 0 ? '…' : ''}${out}${end < flat.length ? '…' : ''}`;
}
