/**
 * A small recogniser for the dates and vague words in a resolution criterion, so that a
 * criterion a person cannot check later ("significant progress", no date) costs a repair turn.
 *
 * Dates it recognises: ISO `2029-01-20`; English `January 2029`, `Jan. 2029`, `20 January 2029`,
 * `January 20, 2029`; Japanese `2029年1月` and `2029年1月20日` (ASCII or full-width digits).
 * Nothing else counts as a date: "by the end of the term" or "2029" alone does not say when.
 */

const MONTHS = '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?';
const DAY = '(?:[12]\\d|3[01]|0?[1-9])(?:st|nd|rd|th)?';
const YEAR = '(?:19|20)\\d\\d';
const DIGIT = '[0-9０-９]';

const DATE_PATTERNS: readonly RegExp[] = [
  /\b\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])\b/g,
  new RegExp(`\\b${MONTHS}\\s+${DAY},?\\s+${YEAR}\\b`, 'gi'),
  new RegExp(`\\b${DAY}\\s+${MONTHS}\\s+${YEAR}\\b`, 'gi'),
  new RegExp(`\\b${MONTHS}\\s+${YEAR}\\b`, 'gi'),
  new RegExp(`${DIGIT}{4}\\s*年\\s*${DIGIT}{1,2}\\s*月(?:\\s*${DIGIT}{1,2}\\s*日)?`, 'g'),
];

/** The dates found in `text`, as written, in order of the patterns above (longest forms first). */
export function findCriterionDates(text: string): string[] {
  const found: string[] = [];
  let rest = text;
  for (const pattern of DATE_PATTERNS) {
    rest = rest.replace(pattern, (match) => {
      found.push(match);
      return ' '.repeat(match.length);
    });
  }
  return found;
}

export const hasCriterionDate = (text: string): boolean => findCriterionDates(text).length > 0;

/** Words that make a criterion unresolvable unless a number (a threshold) stands near them. */
export const VAGUE_WORDS = ['significant', 'significantly', 'substantial', 'substantially', 'major', 'meaningful', 'meaningfully', 'large'] as const;

/** How far (in characters, either side) a number may stand from a vague word and still be its threshold. */
const THRESHOLD_WINDOW = 60;

/**
 * The vague words in `text` with no number within THRESHOLD_WINDOW characters. Dates are taken
 * out first, so "a significant rise by 2029-01-20" still needs a threshold.
 */
export function vagueWordsWithoutThreshold(text: string): string[] {
  let withoutDates = text;
  for (const pattern of DATE_PATTERNS) withoutDates = withoutDates.replace(pattern, (m) => ' '.repeat(m.length));
  const vague = new RegExp(`\\b(?:${VAGUE_WORDS.join('|')})\\b`, 'gi');
  const out: string[] = [];
  for (const match of withoutDates.matchAll(vague)) {
    const start = Math.max(0, match.index - THRESHOLD_WINDOW);
    const window = withoutDates.slice(start, match.index + match[0].length + THRESHOLD_WINDOW);
    if (!/[0-9０-９]/.test(window)) out.push(match[0]);
  }
  return [...new Set(out.map((w) => w.toLowerCase()))];
}

/** Is `value` a real calendar date written YYYY-MM-DD? */
export function isIsoCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** The problems with a resolution criterion, as messages for the model's repair turn; empty when fine. */
export function criterionIssues(text: string): string[] {
  const issues: string[] = [];
  if (!hasCriterionDate(text)) {
    issues.push(
      'the resolution criterion has no date: say by when it must be true, e.g. "by 2029-01-20" or "by January 2029"',
    );
  }
  const vague = vagueWordsWithoutThreshold(text);
  if (vague.length > 0) {
    issues.push(
      `the resolution criterion uses ${vague.map((w) => `"${w}"`).join(', ')} without a threshold: give a number a person can check (e.g. "at least $10 billion", "more than 3 projects")`,
    );
  }
  return issues;
}
