import type { Review, ReviewKind } from '../../archive/reviews.js';
import { html, type SafeHtml } from '../../report/escape-html.js';

/**
 * The review box beside a run, a desk, a risk or a trajectory: the reviews already made and a
 * form to add one (a 1–5 rating where `rating` is allowed, a flag, a Markdown note). It posts to
 * `/runs/:id/reviews` with the CSRF token.
 * PLACEHOLDER: renders nothing until the reviews feature lands; the signature is the contract.
 */
export interface ReviewPanelInput {
  runId: string;
  kind: ReviewKind;
  ref: string | null;
  /** Reviews of this target only. */
  reviews: readonly Review[];
  csrf: string;
  /** Desks can be rated 1–5; the rest take flags and notes. */
  rating: boolean;
}

export function reviewPanel(_input: ReviewPanelInput): SafeHtml {
  return html``;
}
