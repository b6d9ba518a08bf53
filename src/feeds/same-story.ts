/**
 * The same-story rule of feed dedupe. Two headlines (seen within a day: the caller's window) are
 * one story only when they differ in nothing but
 *   - case, width (NFKC), spacing and punctuation ("Japan’s $550B plan!" = "JAPAN'S $550B PLAN"),
 *   - an outlet's name or label around them (" - Reuters", "｜日経", "(共同)", "Exclusive:", 【速報】),
 *   - word order, in the two forms where moving words cannot change who did what: the names listed
 *     at the head of the headline ("Japan and US sign…" = "US and Japan sign…", 日本と米国が… =
 *     米国と日本が…), and two whole clauses swapped around a comma ("Stocks fall, yen rises" =
 *     "Yen rises, stocks fall"; 日本政府、対米投資を発表 = 対米投資を発表、日本政府).
 * Any other difference in a word (a verb, a number, a negation, a name) is another story:
 * "Senate passes bill to ban TikTok" and "Senate rejects bill to ban TikTok" are two. Free word
 * order (the same bag of words) is deliberately not accepted: "Russia attacks Ukraine" and
 * "Ukraine attacks Russia" have the same words. Nor is fuzzy similarity: one changed word is
 * exactly what turns news into its opposite. The cost is that rephrased headlines of one story are
 * assessed twice, which is the safe way to be wrong.
 */
import { isDateline, isHeadlineLabel, isOutletName } from './outlet-names.js';

type TokenKind = 'word' | 'cjk' | 'number' | 'sign' | 'currency' | 'separator';

interface Token {
  /** Lower-cased; apostrophes and thousands separators removed. */
  text: string;
  kind: TokenKind;
  /** Capitalised, a number, or CJK: may be (part of) a name in a list. */
  nameLike: boolean;
  /** A lower-case word or a hiragana character: part of a predicate, never of a name. */
  predicate: boolean;
}

interface ComparableTitle {
  tokens: Token[];
  /** Every token but separators, concatenated: equal keys differ only in case, spacing and punctuation. */
  key: string;
  /** key of tokens[i..] and of tokens[..i], for each i. */
  suffixKeys: string[];
  prefixKeys: string[];
  /**
   * Every word capitalised ("Iran Retaliates And US Strikes Back") or in capitals: capitals then
   * say nothing about names, so list items are held to one word.
   */
  titleCase: boolean;
}

const CJK_CHAR = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}ー々〆';
/**
 * One token per match: a minus sign before a digit (a negative figure is another figure), a number
 * (decimal point kept: 1.5% is not 15%), one CJK character (Japanese and Chinese are written without
 * spaces, so characters are the only units available), a word of any other script, a currency
 * symbol ($550B is not ¥550B), or a separator that can join list items or clauses.
 */
const TOKEN = new RegExp(
  [
    `(?<sign>(?<![\\p{L}\\p{N}])[-−](?=\\d))`,
    `(?<number>\\d+(?:[.,]\\d+)*)`,
    `(?<cjk>[${CJK_CHAR}])`,
    `(?<word>(?:(?![${CJK_CHAR}])[\\p{L}\\p{M}\\p{N}])+(?:['’](?:(?![${CJK_CHAR}])[\\p{L}\\p{M}\\p{N}])+)*)`,
    `(?<currency>\\p{Sc})`,
    `(?<separator>[,、・;])`,
  ].join('|'),
  'gu',
);

/**
 * Separators of list items (the words `and` and `と` join lists too). Not `、`: Japanese puts it
 * after the subject too, and 日本、韓国に勝利 (Japan beats Korea) would read as a list of two.
 */
const LIST_PUNCTUATION = new Set([',', '・']);
/** Separators of clauses. */
const CLAUSE_PUNCTUATION = new Set([',', '、', ';']);

/**
 * Latin list items are names however long ("Kim Jong Un"): every word capitalised, which in a
 * sentence-case headline only names are; in a title-case headline, where every word is, an item
 * is one word. CJK items are not limited: the list joiners there (と, ・) only coordinate.
 */
const TITLE_CASE_ITEM_WORDS = 1;
const HIRAGANA = /\p{Script=Hiragana}/u;

// ---------------------------------------------------------------------------------------------
// Outlet names and labels around the headline.

const OPENERS = '([【〈<《〔';
const CLOSERS = ')]】〉>》〕';
const esc = (chars: string) => chars.replace(/[\]\\[^-]/g, '\\$&');
const BRACKETED = `[^${esc(OPENERS)}${esc(CLOSERS)}]{1,30}`;
const LEADING_BRACKET = new RegExp(`^[${esc(OPENERS)}](${BRACKETED})[${esc(CLOSERS)}]\\s*`, 'u');
const TRAILING_BRACKET = new RegExp(`\\s*[${esc(OPENERS)}](${BRACKETED})[${esc(CLOSERS)}]$`, 'u');
/** `Exclusive:`, `UPDATE 2-`, `速報｜`: up to three words, then a separator. */
const LEADING_LABEL = /^([\p{L}\p{N}]+(?: [\p{L}\p{N}]+){0,2})\s*(?::|\||-|–|—|―)\s*/u;
/** Where an outlet's name is appended: ` - `, ` / ` (spaced, so `Japan-US` and `1/2` are kept), `|`, `–`, `—`, `―`, `:`, `•`, `·`. */
const SUFFIX_SEPARATOR = /\s+[-/]\s+|\s*[|–—―:•·]\s*/gu;

function stripLast(text: string): string {
  let cut: number | undefined;
  let rest = '';
  for (const match of text.matchAll(SUFFIX_SEPARATOR)) {
    cut = match.index;
    rest = text.slice(match.index + match[0].length);
  }
  if (cut !== undefined && cut > 0 && (isOutletName(rest) || isHeadlineLabel(rest))) return text.slice(0, cut);
  const bracket = TRAILING_BRACKET.exec(text);
  if (bracket && bracket.index > 0 && (isOutletName(bracket[1]!) || isHeadlineLabel(bracket[1]!))) return text.slice(0, bracket.index);
  return text;
}

function stripFirst(text: string): string {
  const bracket = LEADING_BRACKET.exec(text);
  if (bracket) {
    const inside = bracket[1]!;
    if (isHeadlineLabel(inside) || isOutletName(inside) || isDateline(inside)) return text.slice(bracket[0].length);
  }
  const label = LEADING_LABEL.exec(text);
  if (label && isHeadlineLabel(label[1]!)) return text.slice(label[0].length);
  return text;
}

/** The headline without the outlet names and labels around it (never down to nothing). */
export function headlineCore(title: string): string {
  let text = title.normalize('NFKC').replace(/\s+/g, ' ').trim();
  for (;;) {
    const next = stripLast(stripFirst(text)).trim();
    if (next === text || tokenize(next).every((t) => t.kind === 'separator')) return text;
    text = next;
  }
}

// ---------------------------------------------------------------------------------------------
// Tokens and keys.

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of text.replace(/&/g, ' and ').matchAll(TOKEN)) {
    const groups = match.groups!;
    const kind = (Object.keys(groups) as TokenKind[]).find((k) => groups[k] !== undefined)!;
    const raw = match[0];
    let value = raw.toLowerCase();
    if (kind === 'word') value = value.replace(/['’]/g, '');
    if (kind === 'sign') value = '-';
    if (kind === 'number' && /^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(value)) value = value.replace(/,/g, '');
    const nameLike = kind !== 'word' || /^[\p{Lu}\p{N}]/u.test(raw);
    tokens.push({ text: value, kind, nameLike, predicate: (kind === 'word' && !nameLike) || (kind === 'cjk' && HIRAGANA.test(raw)) });
  }
  return tokens;
}

const keyOf = (tokens: readonly Token[]): string =>
  tokens
    .filter((t) => t.kind !== 'separator')
    .map((t) => t.text)
    .join('');

function comparableTitle(title: string): ComparableTitle {
  const tokens = tokenize(headlineCore(title));
  const parts = tokens.map((t) => (t.kind === 'separator' ? '' : t.text));
  const prefixKeys = [''];
  for (const part of parts) prefixKeys.push(prefixKeys.at(-1)! + part);
  const suffixKeys = [''];
  for (let i = parts.length - 1; i >= 0; i--) suffixKeys.unshift(parts[i]! + suffixKeys[0]!);
  const words = tokens.filter((t) => t.kind === 'word' && t.text.length > 1);
  const titleCase = words.length >= 3 && words.every((t) => t.nameLike);
  return { tokens, key: prefixKeys.at(-1)!, suffixKeys, prefixKeys, titleCase };
}

/** A watcher compares each new headline with every headline of the last day: parse each once. */
const CACHE_SIZE = 4096;
const cache = new Map<string, ComparableTitle>();

function cached(title: string): ComparableTitle {
  let value = cache.get(title);
  if (value === undefined) {
    value = comparableTitle(title);
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(title, value);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// The two word orders that keep the meaning.

const isJoiner = (t: Token): boolean =>
  (t.kind === 'separator' && LIST_PUNCTUATION.has(t.text)) || (t.kind === 'word' && t.text === 'and') || (t.kind === 'cjk' && t.text === 'と');

/** A list of names: items split at joiners, each short and name-like; undefined if `tokens` is not one. */
function listOf(tokens: readonly Token[], maxWords: number): { items: string[]; joiners: string[] } | undefined {
  const items: string[] = [];
  const joiners: string[] = [];
  let item: Token[] = [];
  const close = (): boolean => {
    const latin = item.filter((t) => t.kind !== 'cjk');
    const ok = item.length > 0 && latin.every((t) => t.nameLike) && (latin.length === item.length ? item.length <= maxWords : true);
    items.push(keyOf(item));
    item = [];
    return ok;
  };
  for (const t of tokens) {
    if (isJoiner(t)) {
      if (!close()) return undefined;
      joiners.push(t.text);
    } else item.push(t);
  }
  if (!close() || items.length < 2) return undefined;
  return { items, joiners };
}

const sortedJoin = (values: string[]): string => [...values].sort().join('\u0000');

/** "Japan and US sign deal" / "US and Japan sign deal": the same names listed first, in another order. */
function reorderedLeadingList(a: ComparableTitle, b: ComparableTitle): boolean {
  const startsOfB = new Map<string, number[]>();
  for (let j = 1; j < b.tokens.length; j++) {
    const rest = b.suffixKeys[j]!;
    startsOfB.set(rest, [...(startsOfB.get(rest) ?? []), j]);
  }
  for (let i = 1; i < a.tokens.length; i++) {
    const rest = a.suffixKeys[i]!;
    for (const j of startsOfB.get(rest) ?? []) {
      const listA = listOf(a.tokens.slice(0, i), a.titleCase ? TITLE_CASE_ITEM_WORDS : Infinity);
      const listB = listOf(b.tokens.slice(0, j), b.titleCase ? TITLE_CASE_ITEM_WORDS : Infinity);
      if (!listA || !listB || listA.joiners.join() !== listB.joiners.join()) continue;
      if (sortedJoin(listA.items) === sortedJoin(listB.items)) return true;
    }
  }
  return false;
}

/**
 * A clause says what happened, so it holds a word that is not a name: "US sanctions Iran, Saudi
 * Arabia" must not become "Saudi Arabia, US sanctions Iran". In CJK that word is hiragana
 * (particles, verb endings), so Chinese, written without it, never has its clauses moved: 、 there
 * lists names (美国制裁伊朗、俄罗斯).
 */
function isClause(tokens: readonly Token[]): boolean {
  return tokens.some((t) => t.predicate);
}

/** "Stocks fall, yen rises" / "Yen rises, stocks fall": two whole clauses swapped around one separator. */
function swappedClauses(a: ComparableTitle, b: ComparableTitle): boolean {
  for (let i = 0; i < a.tokens.length; i++) {
    const sep = a.tokens[i]!;
    if (sep.kind !== 'separator' || !CLAUSE_PUNCTUATION.has(sep.text)) continue;
    if (!isClause(a.tokens.slice(0, i)) || !isClause(a.tokens.slice(i + 1))) continue;
    const first = a.prefixKeys[i]!;
    const second = a.suffixKeys[i + 1]!;
    for (let j = 0; j < b.tokens.length; j++) {
      const other = b.tokens[j]!;
      if (other.kind !== 'separator' || other.text !== sep.text) continue;
      if (b.prefixKeys[j] === second && b.suffixKeys[j + 1] === first) return true;
    }
  }
  return false;
}

/**
 * Whether two headlines tell the same story under the rule above. The time window (within a
 * day) is the caller's: poll-feed compares a new item only with items first seen in the last 24 h.
 */
export function sameStory(a: string, b: string): boolean {
  const ta = cached(a);
  const tb = cached(b);
  if (ta.key === '' || tb.key === '') return false;
  if (ta.key === tb.key) return true;
  // Reordering keeps every character: titles of different lengths cannot be reorderings.
  if (ta.key.length !== tb.key.length || sortedJoin([...ta.key]) !== sortedJoin([...tb.key])) return false;
  return reorderedLeadingList(ta, tb) || swappedClauses(ta, tb);
}
