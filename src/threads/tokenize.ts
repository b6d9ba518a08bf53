import { stemmer } from 'stemmer';
import { eng } from 'stopword';

/**
 * Terms for TF-IDF linking. English (and other space-separated scripts) is split into words,
 * lower-cased, stripped of stopwords and Porter-stemmed, so "sanctions" and "sanctioned" meet.
 * Japanese, Chinese and Korean have no spaces, so their runs become overlapping character bigrams,
 * as search does (src/archive/search-text.ts): "国際協力銀行" → 国際 際協 協力 力銀 銀行.
 *
 * Unlike search, a Japanese run is first split where the script changes, and hiragana runs are
 * dropped: hiragana in news text is almost all particles and verb endings (の, が, を, した), and
 * a bigram spanning a particle and a kanji ("の国") would match any text with that particle before
 * that character — noise for similarity, harmless for search.
 */

/** Title terms count this many times: a headline names the story, a summary wanders. */
export const TITLE_WEIGHT = 2;

/** Han (kanji/hanzi) with the iteration and closing marks 々 〆 〇 that sit inside words. */
const HAN = '\\u3005-\\u3007\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff';
/** Katakana with the long-vowel mark ー (but not the ・ separator, which splits words). */
const KATAKANA = '\\u30a1-\\u30fa\\u30fc-\\u30ff';
const HIRAGANA = '\\u3041-\\u309f';
const HANGUL = '\\uac00-\\ud7af\\u1100-\\u11ff\\u3130-\\u318f';
/** Everything a CJK run may contain: anything in it never becomes part of a space-separated word. */
const CJK_ANY = `${HAN}\\u3040-\\u30ff${HANGUL}`;

/**
 * One run of a single script: Han, katakana, hangul, hiragana, or a word of any other script.
 * Alternatives are tried in order at each position, so a CJK character never joins a word.
 */
const RUN = new RegExp(
  `([${HAN}]+)|([${KATAKANA}]+)|([${HANGUL}]+)|([${HIRAGANA}]+)|([^\\s\\p{P}\\p{S}\\p{Z}\\p{C}${CJK_ANY}]+)`,
  'gu',
);

/**
 * Words that carry no story: the library's English list (short: 108 words) plus function words it
 * lacks and the verbs of attribution and days of the week that wire copy repeats in every story.
 * Lower-case "us" is the pronoun; the country written US is kept (see tokenize).
 */
const STOPWORDS = new Set<string>([
  ...eng,
  ...['will', 'its', 'us', 'may', 'yet', 'per', 'amid', 'within', 'without', 'against', 'during', 'off', 'onto', 'upon'],
  ...['across', 'toward', 'towards', 'around', 'among', 'until', 'whether', 'however', 'including'],
  ...['said', 'says', 'say', 'told', 'according'],
  ...['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'],
]);

/** Shortest word kept: one-letter leftovers of "Japan's" or "U.S" say nothing. */
const MIN_WORD_LENGTH = 2;

/** Overlapping bigrams of a CJK run; a single character stands alone (米, 円, 株 are words). */
function bigrams(run: string, out: string[]): void {
  const chars = [...run];
  if (chars.length === 1) {
    out.push(run);
    return;
  }
  for (let i = 0; i < chars.length - 1; i++) out.push(chars[i]! + chars[i + 1]!);
}

/**
 * The terms of a text, in order, repeats kept (they are term frequencies). Dotted abbreviations
 * are closed up first (U.S. → US) and a number is split from a unit glued to it ("$550bn" → 550 bn,
 * so "550" meets "550 billion"). An acronym written in capitals (US, IT, JBIC) is kept as it is,
 * lower-cased: as a word it would be a stopword ("us", "it") or be stemmed into something else.
 */
export function tokenize(text: string): string[] {
  const prepared = text
    .normalize('NFKC')
    .replace(/\b(\p{L})\.(\p{L})\.(?:(\p{L})\.)?/gu, '$1$2$3')
    .replace(/(\p{N})(\p{L})/gu, '$1 $2');
  const terms: string[] = [];
  for (const m of prepared.matchAll(RUN)) {
    const [, han, katakana, hangul, , word] = m;
    if (han !== undefined) bigrams(han, terms);
    else if (katakana !== undefined) bigrams(katakana, terms);
    else if (hangul !== undefined) bigrams(hangul, terms);
    else if (word !== undefined && word.length >= MIN_WORD_LENGTH) {
      const lower = word.toLowerCase();
      // Numbers are kept as written; stemming "2025" or "550" would do nothing useful.
      if (/^\p{N}+$/u.test(word) || /^\p{Lu}[\p{Lu}\p{N}]+$/u.test(word)) terms.push(lower);
      else if (!STOPWORDS.has(lower)) terms.push(stemmer(lower));
    }
    // Hiragana runs are dropped (see the note at the top).
  }
  return terms;
}

/** Term frequencies of an event: its title's terms count TITLE_WEIGHT times, its summary's once. */
export function eventTerms(event: { title: string; summary: string }): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of tokenize(event.title)) counts.set(term, (counts.get(term) ?? 0) + TITLE_WEIGHT);
  for (const term of tokenize(event.summary)) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}
