/**
 * The rows forecast scoring works on. They mirror what `assess questions show` prints, so the
 * archive (which stores them) and the CLI and web (which show them) share one shape; nothing here
 * knows where the rows came from.
 *
 * Dates are ISO 8601 strings (a bare `YYYY-MM-DD` reads as midnight UTC); code that parses them
 * throws a RangeError on one it cannot read.
 */

/** An option of a question: a pooled scenario, "none of these", or `yes`/`no` for a binary one. */
export type OptionId = string;

export interface QuestionOption {
  id: OptionId;
  label: string;
}

/** What the person resolving a question decided. `outcome: null` means void: never scored. */
export interface Resolution {
  outcome: OptionId | null;
  /** When the outcome happened or became observable (`--at`): forecasts stop counting here. */
  at: string;
}

/**
 * One entry of a question's resolution history. Corrections append; nothing is edited. The
 * question's resolution is the last entry recorded (see `currentResolution`).
 */
export interface ResolutionRecord extends Resolution {
  /** When the person recorded this entry (not when the outcome happened). */
  recordedAt: string;
  evidence?: string;
  note?: string;
}

export type QuestionType = 'multiple-choice' | 'binary';

export interface Question {
  id: string;
  type: QuestionType;
  /** For a binary question exactly the options `yes` and `no` (see BINARY_OPTIONS). */
  options: readonly QuestionOption[];
  resolveBy: string;
  /** The resolution in force (the last of the history), or null while unresolved. */
  resolution: Resolution | null;
}

/** Probability per option. A missing option is 0; a binary forecast may give `yes` alone. */
export type Probabilities = Readonly<Record<OptionId, number>>;

export interface Forecast {
  /** A desk id (`JP-01`), `pool:<method>` or `baseline:uniform`. */
  forecaster: string;
  questionId: string;
  runId: string;
  madeAt: string;
  probabilities: Probabilities;
}

export const BINARY_YES = 'yes';
export const BINARY_NO = 'no';
export const BINARY_OPTIONS: readonly QuestionOption[] = [
  { id: BINARY_YES, label: 'Yes' },
  { id: BINARY_NO, label: 'No' },
];

/** The forecaster id of the uniform baseline, stored beside the desks' and pools' forecasts. */
export const UNIFORM_BASELINE = 'baseline:uniform';
