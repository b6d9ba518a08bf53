import { outcomeIndex, renormalise, toVector, uniformVector } from './distribution.js';
import type { OptionId, Probabilities, Question } from './types.js';

/**
 * Scores of one forecast against one outcome. Lower Brier is better; higher log score is better.
 *
 * Brier has two forms, chosen by the question type:
 * - multiple-choice: the multi-category sum Σᵢ (pᵢ − oᵢ)² over all options (o = 1 for the outcome,
 *   0 otherwise). Range 0–2. [0.55, 0.30, 0.15] resolved to the first option gives
 *   0.2025 + 0.09 + 0.0225 = 0.315.
 * - binary: the binary form (p − o)² on "yes" alone. Range 0–1. It is exactly half the two-option
 *   sum, and it is the form ForecastBench and Good Judgment report, so 0.25 is "said 50%".
 * Averages that mix both types therefore mix two scales; the skill score (against the uniform
 * forecast on the same questions) is the figure that compares across them.
 */

/** Probabilities are clamped to [ε, 1 − ε] before the log score and log-odds pooling. */
export const LOG_SCORE_EPSILON = 0.001;

function binaryYes(vector: readonly number[], question: Question): number {
  return vector[outcomeIndex(question, 'yes')] ?? 0;
}

/** Brier score of a forecast vector (option order) for the outcome at `index`. */
export function brierOfVector(question: Question, vector: readonly number[], index: number): number {
  if (question.type === 'binary') {
    const yes = binaryYes(vector, question);
    const o = question.options[index]?.id === 'yes' ? 1 : 0;
    return (yes - o) ** 2;
  }
  return vector.reduce((sum, p, i) => sum + (p - (i === index ? 1 : 0)) ** 2, 0);
}

/** Brier score: multi-category sum (0–2) for multiple-choice, binary form on "yes" (0–1) for binary. */
export function brierScore(question: Question, probabilities: Probabilities, outcome: OptionId): number {
  return brierOfVector(question, toVector(question, probabilities), outcomeIndex(question, outcome));
}

/**
 * Clamps each probability to [ε, 1 − ε] and renormalises. The clamp keeps a confident miss from
 * scoring −∞ (which would swamp every average it enters). The renormalisation keeps the clamped
 * forecast a distribution: lifting k − 1 zeros to ε adds mass the forecaster never gave, and the log
 * score is proper only for forecasts that sum to 1. For a binary forecast the clamp is symmetric
 * (p and 1 − p move by the same amount) so nothing needs renormalising.
 */
export function clampDistribution(vector: readonly number[], epsilon = LOG_SCORE_EPSILON): number[] {
  return renormalise(vector.map((p) => Math.min(1 - epsilon, Math.max(epsilon, p))));
}

/** Log score of a forecast vector for the outcome at `index`: ln of the clamped probability. */
export function logOfVector(vector: readonly number[], index: number, epsilon = LOG_SCORE_EPSILON): number {
  return Math.log(clampDistribution(vector, epsilon)[index] ?? epsilon);
}

/**
 * Log score: the natural log of the probability given to the outcome, after clamping to
 * [ε, 1 − ε] and renormalising (see clampDistribution). 0 is perfect; the floor is about ln ε
 * (−6.91 at ε = 0.001). Binary questions use p for "yes" and 1 − p for "no".
 */
export function logScore(question: Question, probabilities: Probabilities, outcome: OptionId, epsilon = LOG_SCORE_EPSILON): number {
  return logOfVector(toVector(question, probabilities), outcomeIndex(question, outcome), epsilon);
}

/**
 * Sharpness of a forecast vector: its squared distance from the uniform forecast,
 * Σᵢ (pᵢ − 1/k)² for multiple-choice (0 to 1 − 1/k) and (p − ½)² on "yes" for binary (0 to ¼),
 * matching the two Brier forms.
 *
 * Sharpness is a property of the forecasts alone (Gneiting, Balabdaoui & Raftery 2007,
 * "Probabilistic forecasts, calibration and sharpness", JRSS B 69:243–268: maximise sharpness
 * subject to calibration). This measure is the one that fits the Brier score: Σ (pᵢ − 1/k)² =
 * Σ pᵢ² − 1/k, which is the uniform forecast's Brier score minus the forecast's own expected Brier
 * score under its own probabilities (1 − Σ pᵢ²); binary: ¼ − p(1 − p) = (p − ½)². For a calibrated
 * forecaster the "resolution" term of Murphy's partition (Murphy 1973, "A new vector partition of
 * the probability score", J. Appl. Meteor. 12:595–600) is the mean squared distance of the
 * forecasts from the base rate; we measure from the uniform forecast instead, because our
 * questions have no base rate, and need no outcomes to do it.
 */
export function sharpnessOfVector(question: Question, vector: readonly number[]): number {
  if (question.type === 'binary') return (binaryYes(vector, question) - 0.5) ** 2;
  const k = vector.length;
  return vector.reduce((sum, p) => sum + (p - 1 / k) ** 2, 0);
}

/** Sharpness of a forecast: squared distance from the uniform forecast (see sharpnessOfVector). */
export function sharpness(question: Question, probabilities: Probabilities): number {
  return sharpnessOfVector(question, toVector(question, probabilities));
}

/**
 * The uniform forecast's Brier score for an outcome: (k − 1)/k for k options (2/3 for three),
 * 0.25 for a binary question. The reference of the skill score.
 */
export function uniformBrier(question: Question, outcome: OptionId): number {
  return brierOfVector(question, uniformVector(question), outcomeIndex(question, outcome));
}

/**
 * Brier skill score 1 − BS / BS_ref: 1 is perfect, 0 is no better than the reference, negative is
 * worse. Over many questions pass mean BS and mean BS_ref over the same questions (the usual
 * aggregate form), not a mean of per-question skills. Null when the reference is 0 (a reference
 * that cannot be beaten leaves skill undefined).
 */
export function brierSkillScore(brier: number, referenceBrier: number): number | null {
  return referenceBrier > 0 ? 1 - brier / referenceBrier : null;
}
