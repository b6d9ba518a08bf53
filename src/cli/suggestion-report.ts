import type { SkippedQuestion } from '../archive/suggestion-candidates.js';
import type { ResolutionSuggestion, SuggestionEvidenceEvent } from '../forecasts/suggestion.js';

/** How `assess questions suggest` prints what the model proposed: Markdown, then the commands to confirm. */

export interface CheckedQuestion {
  questionId: string;
  title: string;
  resolveBy: string | null;
  events: readonly SuggestionEvidenceEvent[];
  /** The checked suggestion, or why the call failed. */
  suggestion: ResolutionSuggestion | null;
  error: string | null;
}

export interface SuggestionsReport {
  model: string;
  today: string;
  checked: CheckedQuestion[];
  skipped: SkippedQuestion[];
  calls: number;
  inputTokens: number;
  outputTokens: number;
  /** Null when some call's price is unknown. */
  costUsd: number | null;
}

/** Single-quoted for a POSIX shell, so a note with quotes or `$` pastes safely. */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_:./=@-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The URL of the newest cited event that has one: what `--evidence` records. */
export function evidenceUrl(suggestion: ResolutionSuggestion, events: readonly SuggestionEvidenceEvent[]): string | undefined {
  const cited = new Set(suggestion.evidence.filter((e) => e.found).map((e) => e.event));
  return events.find((e) => cited.has(e.ref) && e.url !== undefined)?.url;
}

/** The note kept with a confirmed resolution: who proposed it and why. */
export function confirmationNote(suggestion: ResolutionSuggestion, model: string): string {
  const rationale = suggestion.rationale.replace(/\s+/g, ' ').trim();
  return `suggested by ${model} (confidence ${suggestion.confidence.toFixed(2)}), confirmed by a person: ${rationale}`.slice(0, 1000);
}

/** The `assess resolve` command that records a suggestion once a person agrees with it. */
export function confirmCommand(c: CheckedQuestion, model: string): string | null {
  const s = c.suggestion;
  if (s === null || s.verdict !== 'resolved' || s.outcome === null) return null;
  const url = evidenceUrl(s, c.events);
  return [
    'assess resolve',
    shellQuote(c.questionId),
    '--outcome',
    shellQuote(s.outcome),
    ...(s.at ? ['--at', s.at] : []),
    ...(url ? ['--evidence', shellQuote(url)] : []),
    '--note',
    shellQuote(confirmationNote(s, model)),
  ].join(' ');
}

const oneLine = (text: string, max: number): string => {
  const t = text.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

function verdictText(c: CheckedQuestion): string {
  if (c.suggestion === null) return 'failed';
  const s = c.suggestion;
  const changed = s.modelVerdict !== s.verdict ? ` (model said ${s.modelVerdict})` : '';
  return s.verdict === 'resolved' ? `resolved: ${s.outcome}${changed}` : `${s.verdict}${changed}`;
}

export function renderSuggestionsMarkdown(report: SuggestionsReport): string {
  const out: string[] = [
    `# Resolution suggestions (${report.model}, ${report.today})`,
    '',
    'Nothing has been resolved. Each proposal below is the model\'s reading of the newer events in the question\'s thread, checked against their text; a person decides, with the command shown (or `--confirm`).',
    '',
  ];
  if (report.checked.length === 0) out.push('No question had anything new to check.', '');
  else {
    out.push('| QUESTION | VERDICT | CONFIDENCE | WHY |', '| --- | --- | --- | --- |');
    for (const c of report.checked) {
      const why = c.suggestion ? c.suggestion.rationale : (c.error ?? '');
      const confidence = c.suggestion ? c.suggestion.confidence.toFixed(2) : '—';
      out.push(`| ${c.questionId} | ${verdictText(c)} | ${confidence} | ${oneLine(why, 140)} |`);
    }
    out.push('');
  }
  // The ones worth a person's time in full: a proposed outcome, or something that bears on it.
  for (const c of report.checked.filter((x) => x.suggestion !== null && (x.suggestion.verdict !== 'not-yet' || x.suggestion.warnings.length > 0))) {
    const s = c.suggestion!;
    out.push(`## ${c.questionId}: ${c.title}`, '', `- Verdict: ${verdictText(c)}, confidence ${s.confidence.toFixed(2)}${c.resolveBy ? `; resolve by ${c.resolveBy}` : ''}`);
    if (s.happenedOn) out.push(`- Happened on: ${s.happenedOn}`);
    out.push(`- Why: ${s.rationale.replace(/\s+/g, ' ').trim()}`);
    for (const e of s.evidence) {
      const event = c.events.find((x) => x.ref === e.event);
      const where = event ? `${e.event} (${event.at.slice(0, 10)}, ${oneLine(event.title, 80)})` : e.event;
      out.push(`- Evidence ${where}: "${e.quote.replace(/\s+/g, ' ').trim()}"${e.found ? '' : ' — NOT FOUND in the event'}`);
    }
    for (const w of s.warnings) out.push(`- Check: ${w}`);
    const command = confirmCommand(c, report.model);
    if (command) out.push('', 'To confirm:', '', '```sh', command, '```');
    out.push('');
  }
  if (report.skipped.length > 0) {
    out.push('## Not checked', '');
    for (const s of report.skipped) out.push(`- ${s.questionId}: ${s.reason}`);
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
