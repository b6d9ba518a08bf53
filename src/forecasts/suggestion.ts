import * as z from 'zod';
import { BINARY_NO, type QuestionOption, type QuestionType } from './types.js';
import { NONE_OPTION } from './questions-from-view.js';

/**
 * Resolution suggestions (issue 14 §4, `assess questions suggest`): a model reads the thread's
 * newer events against a question's criteria and proposes an outcome. Nothing here resolves
 * anything — a person confirms with `assess resolve` — and nothing the model says is trusted
 * as is: the checks below downgrade a suggestion that names no valid option, quotes text the
 * events do not contain, or calls "no" before the question's date has passed.
 */

/** What the model answers for one question. */
export const SuggestionDraftSchema = z.object({
  verdict: z
    .enum(['resolved', 'not-yet', 'unclear'])
    .describe('resolved: the events show the outcome; not-yet: nothing decides it yet; unclear: the events bear on it but do not settle it'),
  outcome: z.string().nullable().describe('With resolved: the option id that happened (yes/no for a binary question); otherwise null'),
  happenedOn: z.string().nullable().describe('With resolved: the date (YYYY-MM-DD) the outcome happened or became observable, from the events; otherwise null'),
  evidence: z
    .array(
      z.object({
        event: z.string().describe('The event reference, e.g. E1'),
        quote: z.string().min(1).describe('A short passage copied word for word from that event'),
      }),
    )
    .describe('Passages copied verbatim from the events that support the verdict; empty when nothing bears on the question'),
  confidence: z.number().min(0).max(1).describe('How sure you are of the verdict, 0 to 1'),
  rationale: z.string().trim().min(1).describe('One to three sentences: why, referring to the criteria'),
});

export type SuggestionDraft = z.output<typeof SuggestionDraftSchema>;

/** An event the model was shown, by the reference it was shown under. */
export interface SuggestionEvidenceEvent {
  /** `E1` (the newest) … */
  ref: string;
  eventId: string;
  title: string;
  /** The text the model read (title and summary as stored). */
  text: string;
  /** When it happened: publication date, else when it was first assessed. */
  at: string;
  url?: string;
}

/** What a question is checked against. */
export interface SuggestionQuestion {
  id: string;
  type: QuestionType;
  title: string;
  criteria: string;
  resolveBy: string | null;
  options: readonly QuestionOption[];
}

export interface CheckedEvidence {
  event: string;
  quote: string;
  /** Whether the quote appears in that event's text (ignoring case, spacing and quote styles). */
  found: boolean;
}

export interface ResolutionSuggestion {
  questionId: string;
  verdict: SuggestionDraft['verdict'];
  /** An option id of the question, only with verdict `resolved`. */
  outcome: string | null;
  /** `YYYY-MM-DD`, only with verdict `resolved`. */
  happenedOn: string | null;
  /**
   * What `assess resolve --at` records: the time of the cited event of that day when there is one
   * (so forecasts made earlier that day count), else the day. Only with verdict `resolved`.
   */
  at: string | null;
  confidence: number;
  rationale: string;
  evidence: CheckedEvidence[];
  /** What the checks changed or doubt, for the person deciding. */
  warnings: string[];
  /** The model's own verdict when a check changed it. */
  modelVerdict: SuggestionDraft['verdict'];
}

/** Lower case, one space, straight quotes, no soft punctuation differences: how quotes are matched. */
export function normaliseForQuote(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u2018\u2019\u201A\u2032]/g, "'")
    .replace(/[\u201C\u201D\u201E\u2033]/g, '"')
    .replace(/[\u2010-\u2015]/g, '-')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** A quote's trailing full stop or ellipsis is the model's, not the event's. */
const trimQuote = (quote: string): string => quote.replace(/^[\s"'…]+|[\s"'.…]+$/g, '');

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function validDay(text: string | null): string | null {
  if (text === null) return null;
  const day = text.trim().slice(0, 10);
  if (!DAY.test(day)) return null;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === day ? day : null;
}

/**
 * Checks a model's draft against the question and the events it was shown:
 * - an outcome that is not an option, or `resolved` without one, becomes `unclear`;
 * - `resolved` with no quote found in the events becomes `unclear` (a verdict must rest on text
 *   a person can check); quotes not found are kept, marked, and warned about;
 * - `no` (binary) or `none of these` before the resolve-by date becomes `not-yet`: only the date
 *   passing can show that nothing happened;
 * - a happened-on date that is missing, unreadable, after today or after the newest event it
 *   could come from is replaced by the date of the newest cited event, with a warning.
 */
export function checkSuggestion(
  draft: SuggestionDraft,
  question: SuggestionQuestion,
  events: readonly SuggestionEvidenceEvent[],
  today: string,
): ResolutionSuggestion {
  const warnings: string[] = [];
  const byRef = new Map(events.map((e) => [e.ref.toUpperCase(), e]));
  const evidence: CheckedEvidence[] = draft.evidence.map((item) => {
    const ref = item.event.trim().toUpperCase();
    const event = byRef.get(ref);
    const needle = normaliseForQuote(trimQuote(item.quote));
    const found = event !== undefined && needle.length > 0 && normaliseForQuote(event.text).includes(needle);
    if (event === undefined) warnings.push(`cites ${item.event}, which is not one of the events shown`);
    else if (!found) warnings.push(`quote not found in ${ref}: "${item.quote.slice(0, 80)}"`);
    return { event: event ? ref : item.event, quote: item.quote, found };
  });

  let verdict = draft.verdict;
  let outcome = verdict === 'resolved' ? (draft.outcome?.trim() ?? null) : null;
  if (verdict !== 'resolved' && draft.outcome !== null && draft.outcome.trim() !== '') {
    warnings.push(`outcome ${JSON.stringify(draft.outcome)} ignored: the verdict is ${verdict}`);
  }
  if (verdict === 'resolved') {
    const option = outcome === null ? undefined : question.options.find((o) => o.id.toLowerCase() === outcome!.toLowerCase());
    if (option === undefined) {
      warnings.push(
        outcome === null
          ? 'resolved without an outcome'
          : `outcome ${JSON.stringify(outcome)} is not an option (valid: ${question.options.map((o) => o.id).join(', ')})`,
      );
      verdict = 'unclear';
      outcome = null;
    } else {
      outcome = option.id;
    }
  }
  if (verdict === 'resolved' && !evidence.some((e) => e.found)) {
    warnings.push('no quoted passage was found in the events: nothing to check the verdict against');
    verdict = 'unclear';
    outcome = null;
  }
  const negative = outcome === BINARY_NO || outcome === NONE_OPTION.id;
  if (verdict === 'resolved' && negative && question.resolveBy !== null && today < question.resolveBy.slice(0, 10)) {
    warnings.push(`"${outcome}" can only be known once ${question.resolveBy.slice(0, 10)} has passed`);
    verdict = 'not-yet';
    outcome = null;
  }

  let happenedOn: string | null = null;
  let at: string | null = null;
  if (verdict === 'resolved') {
    const cited = evidence
      .filter((e) => e.found)
      .map((e) => byRef.get(e.event)!.at)
      .sort();
    // The outcome cannot have been seen after the newest event showing it, nor after today.
    const latestDay = [cited.at(-1)?.slice(0, 10) ?? today, today].sort()[0]!;
    const given = validDay(draft.happenedOn);
    if (given === null) {
      if (draft.happenedOn !== null) warnings.push(`unreadable date ${JSON.stringify(draft.happenedOn)}; the cited event's date is used`);
      happenedOn = latestDay;
    } else if (given > latestDay) {
      warnings.push(`date ${given} is later than the evidence (${latestDay}); the cited event's date is used`);
      happenedOn = latestDay;
    } else {
      happenedOn = given;
    }
    // A cited event of that very day gives the time too: forecasts made earlier that day still count.
    at = cited.filter((c) => c.slice(0, 10) === happenedOn && c.length > 10).at(-1) ?? happenedOn;
  }

  return {
    questionId: question.id,
    verdict,
    outcome,
    happenedOn,
    at,
    confidence: draft.confidence,
    rationale: draft.rationale,
    evidence,
    warnings,
    modelVerdict: draft.verdict,
  };
}
