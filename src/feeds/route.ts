/**
 * Which desks read a feed item. `auto` routing is cheap and deterministic (no model): desks are
 * matched by their keywords, their country and a few built-in names for it.
 */
import type { AgentDefinition } from '../agents/definition.js';
import type { RouteDecision } from './types.js';

/**
 * Other names of a desk's country, keyed by the desk's `country` (lower case): demonyms, capitals,
 * abbreviations and the Japanese names used by Japanese-language feeds. Desks whose country is not
 * here still match on their country and keywords.
 */
const COUNTRY_ALIASES: Readonly<Record<string, readonly string[]>> = {
  japan: ['Japanese', 'Tokyo', '日本', '東京'],
  'united states': ['U.S.', 'US', 'USA', 'U.S.A.', 'American', 'Washington', '米国', 'アメリカ'],
  china: ['Chinese', 'Beijing', 'PRC', '中国', '北京'],
  'south korea': ['Korea', 'Korean', 'Seoul', 'ROK', '韓国', 'ソウル'],
  'european union': ['EU', 'E.U.', 'Brussels', 'European Commission', '欧州連合', '欧州委員会'],
  taiwan: ['Taiwanese', 'Taipei', '台湾', '台北'],
  india: ['Indian', 'New Delhi', 'インド'],
  'united kingdom': ['UK', 'U.K.', 'British', 'Britain', 'London', '英国', 'イギリス'],
};

/**
 * Desk keywords that are also everyday English words (`won` the currency and the verb, a `diet`
 * and the Diet). They count only when the same desk matched something else, so a match report
 * that "won" the final does not wake the Korea desk.
 */
const AMBIGUOUS_WORDS = new Set(['won', 'diet', 'apple', 'labour', 'sterling', 'quad', 'congress', 'dollar']);

const CJK_CLASS = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}\\u30FC';
const HAS_CJK = new RegExp(`[${CJK_CLASS}]`, 'u');
const HAS_LOWER = /\p{Ll}/u;
/**
 * A Latin term starts and ends where no other letter or digit touches it; CJK characters count as
 * a boundary, because Japanese writes `JBICを` with no space.
 */
const BEFORE = `(?<=^|[^\\p{L}\\p{N}]|[${CJK_CLASS}])`;
const AFTER = `(?=$|[^\\p{L}\\p{N}]|[${CJK_CLASS}])`;

interface Term {
  /** As written in the desk definition or the alias table; shown in the reason. */
  label: string;
  ambiguous: boolean;
  find: (text: string) => Array<[number, number]>;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * How a term matches: CJK terms as substrings; acronyms (no lower-case letter: `EU`, `US`, `SAFE`,
 * `U.S.`) whole-word and case-sensitive, so `us` and `safe` are not desks; other terms whole-word,
 * case-insensitive, with an optional plural `s`/`es` (`tariff` matches `tariffs`).
 */
function makeTerm(label: string): Term {
  const term = label.normalize('NFKC').trim();
  const ambiguous = AMBIGUOUS_WORDS.has(term.toLowerCase());
  if (HAS_CJK.test(term)) {
    return {
      label,
      ambiguous,
      find: (text) => {
        const spans: Array<[number, number]> = [];
        for (let at = text.indexOf(term); at !== -1; at = text.indexOf(term, at + term.length)) {
          spans.push([at, at + term.length]);
        }
        return spans;
      },
    };
  }
  const acronym = !HAS_LOWER.test(term);
  const plural = !acronym && /\p{L}$/u.test(term) ? '(?:e?s)?' : '';
  // Inner whitespace matches any run of whitespace (`New  Delhi`, a line break in a summary).
  const body = escapeRegExp(term).replace(/\s+/g, '\\s+');
  const pattern = new RegExp(`${BEFORE}${body}${plural}${AFTER}`, acronym ? 'gu' : 'giu');
  return {
    label,
    ambiguous,
    find: (text) => [...text.matchAll(pattern)].map((m): [number, number] => [m.index, m.index + m[0].length]),
  };
}

const termCache = new WeakMap<AgentDefinition, Term[]>();

/** The desk's country, its aliases and its keywords, without duplicates (compared case-insensitively). */
function termsOf(desk: AgentDefinition): Term[] {
  const cached = termCache.get(desk);
  if (cached) return cached;
  const labels = [desk.country, ...(COUNTRY_ALIASES[desk.country.trim().toLowerCase()] ?? []), ...desk.keywords];
  const seen = new Set<string>();
  const terms: Term[] = [];
  for (const label of labels) {
    const key = label.normalize('NFKC').trim().toLowerCase();
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    terms.push(makeTerm(label));
  }
  termCache.set(desk, terms);
  return terms;
}

interface Hit {
  term: Term;
  inTitle: boolean;
  start: number;
  end: number;
}

/**
 * Every non-nested occurrence of the desk's terms. Where one match lies inside another
 * (`Japan` in `Bank of Japan`, `Korea` in `South Korea`) only the longer counts.
 */
function hitsFor(desk: AgentDefinition, title: string, summary: string): Hit[] {
  const offset = title.length + 1;
  const all: Hit[] = [];
  for (const term of termsOf(desk)) {
    for (const [start, end] of term.find(title)) all.push({ term, inTitle: true, start, end });
    for (const [start, end] of term.find(summary)) all.push({ term, inTitle: false, start: start + offset, end: end + offset });
  }
  all.sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start));
  const kept: Hit[] = [];
  for (const hit of all) {
    if (!kept.some((k) => k.start <= hit.start && hit.end <= k.end)) kept.push(hit);
  }
  return kept;
}

interface DeskScore {
  id: string;
  score: number;
  /** Matched terms in order of first appearance (title first). */
  terms: string[];
}

/** Title presence counts 2, summary presence 1, per distinct term; ambiguous words need company. */
function scoreDesk(desk: AgentDefinition, title: string, summary: string): DeskScore {
  const hits = hitsFor(desk, title, summary);
  const byTerm = new Map<Term, { title: boolean; summary: boolean }>();
  for (const hit of hits) {
    const seen = byTerm.get(hit.term) ?? { title: false, summary: false };
    if (hit.inTitle) seen.title = true;
    else seen.summary = true;
    byTerm.set(hit.term, seen);
  }
  const hasClearMatch = [...byTerm.keys()].some((t) => !t.ambiguous);
  let score = 0;
  const terms: string[] = [];
  for (const [term, where] of byTerm) {
    if (term.ambiguous && !hasClearMatch) continue;
    score += (where.title ? 2 : 0) + (where.summary ? 1 : 0);
    terms.push(term.label);
  }
  return { id: desk.id, score, terms };
}

const MAX_TERMS_IN_REASON = 8;

function describe(scores: DeskScore[]): string {
  return scores
    .map((s) => {
      const shown = s.terms.slice(0, MAX_TERMS_IN_REASON).join(', ');
      const more = s.terms.length > MAX_TERMS_IN_REASON ? ` +${s.terms.length - MAX_TERMS_IN_REASON} more` : '';
      return `${s.id}: ${shown}${more}`;
    })
    .join('; ');
}

/**
 * The desks for one item. A feed that lists its desks gets exactly those (unknown ids were refused
 * when the configuration was loaded). `auto` picks every desk with score ≥ 1, highest first, ties
 * by number of terms then id; no match gives `agents: []` and the caller skips the item.
 */
export function routeItem(
  item: { title: string; summary: string },
  desks: AgentDefinition[],
  feedAgents: 'auto' | string[],
): RouteDecision {
  if (feedAgents !== 'auto') return { agents: [...feedAgents], method: 'list', reason: 'feed lists its desks' };
  const title = item.title.normalize('NFKC');
  const summary = item.summary.normalize('NFKC');
  const picked = desks
    .map((desk) => scoreDesk(desk, title, summary))
    .filter((s) => s.score >= 1)
    .sort((a, b) => b.score - a.score || b.terms.length - a.terms.length || a.id.localeCompare(b.id));
  if (picked.length === 0) return { agents: [], method: 'auto', reason: 'no desk keyword or country matched' };
  return { agents: picked.map((s) => s.id), method: 'auto', reason: describe(picked) };
}
