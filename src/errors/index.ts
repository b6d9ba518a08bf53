/**
 * One error class per failure mode, each carrying its cause. The CLI maps them to one line and an
 * exit code; nothing below the CLI decides how the process ends.
 */
import type { RateLimitSnapshot } from '../llm/rate-limit-headers.js';

/** Bad input from the user: files, flags, event content, desk ids, configuration. Exit 2. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A provider call failed (HTTP error, network error, timeout). `retryable` drives the retry layer. */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  readonly status: number | undefined;
  readonly retryable: boolean;
  /** Server-requested delay before retrying, in milliseconds, when it sent one. */
  readonly retryAfterMs: number | undefined;
  /** The provider's rate-limit headers on this error response, for the rate limiter to learn from. */
  readonly rateLimit: RateLimitSnapshot | undefined;
  constructor(
    message: string,
    details: { status?: number; retryable: boolean; retryAfterMs?: number; rateLimit?: RateLimitSnapshot; cause?: unknown },
  ) {
    super(message, { cause: details.cause });
    this.status = details.status;
    this.retryable = details.retryable;
    this.retryAfterMs = details.retryAfterMs;
    this.rateLimit = details.rateLimit;
  }
}

/** The model refused, or stopped before finishing (truncation). Not parsed, not repaired. */
export class IncompleteOutputError extends Error {
  override readonly name = 'IncompleteOutputError';
  readonly kind: 'refusal' | 'truncated';
  readonly rawText: string;
  constructor(kind: 'refusal' | 'truncated', message: string, rawText: string) {
    super(message);
    this.kind = kind;
    this.rawText = rawText;
  }
}

/** Output still invalid after every repair turn. Carries the last raw text and the issues. */
export class InvalidOutputError extends Error {
  override readonly name = 'InvalidOutputError';
  readonly rawText: string;
  readonly issues: string[];
  constructor(message: string, rawText: string, issues: string[]) {
    super(message);
    this.rawText = rawText;
    this.issues = issues;
  }
}

/** The run or a call was cancelled (signal aborted by the caller or by a per-call timeout). */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A run's cost or token budget was reached: nothing new starts. */
export class BudgetExceededError extends Error {
  override readonly name = 'BudgetExceededError';
  constructor(message: string) {
    super(message);
  }
}

/** One line for a person, whatever was thrown. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}

export { redactSecrets } from './redact.js';
