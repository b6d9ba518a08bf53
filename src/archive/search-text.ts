/**
 * Full-text search that works for English and for Japanese, Chinese and Korean. SQLite's
 * unicode61 tokenizer splits on spaces and punctuation, which CJK text does not have, so CJK runs
 * are indexed as overlapping character bigrams (the standard approach for CJK search): "日本銀行"
 * becomes "日本 本銀 銀行". Queries get the same treatment, so any two or more CJK characters match.
 */

const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u1100-\u11ff\uff66-\uff9f]+/gu;

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
 * A short excerpt of the original text around the first match, matches wrapped in `**`. Done in
 * code on the original text (not FTS5's snippet(), which would show the bigram form of CJK).
 */
export function makeSnippet(text: string, query: string, width = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const haystack = flat.normalize('NFKC').toLowerCase();
  const needles = queryTerms(query)
    .map((t) => t.toLowerCase())
    .filter(Boolean);
  // NFKC can change lengths; search the normalised text only when it kept them aligned.
  const aligned = haystack.length === flat.length;
  const search = aligned ? haystack : flat.toLowerCase();
  let first = -1;
  for (const n of needles) {
    const at = search.indexOf(n);
    if (at !== -1 && (first === -1 || at < first)) first = at;
  }
  const start = Math.max(0, (first === -1 ? 0 : first) - Math.floor(width / 3));
  const end = Math.min(flat.length, start + width);
  let excerpt = flat.slice(start, end);
  let lowered = search.slice(start, end);
  for (const n of needles) {
    let out = '';
    let from = 0;
    for (let at = lowered.indexOf(n); at !== -1; at = lowered.indexOf(n, from)) {
      out += `${excerpt.slice(from, at)}**${excerpt.slice(at, at + n.length)}**`;
      from = at + n.length;
    }
    excerpt = out + excerpt.slice(from);
    // Keep the lowered copy in step with the markers just added.
    lowered = excerpt.toLowerCase();
  }
  return `${start > 0 ? '…' : ''}${excerpt}${end < flat.length ? '…' : ''}`;
}
