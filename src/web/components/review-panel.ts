import { FLAG_LABELS, MAX_AUTHOR_CHARS, MAX_NOTE_CHARS, REVIEW_FLAGS, type Review, type ReviewKind } from '../../archive/reviews.js';
import { html, type SafeHtml } from '../../report/escape-html.js';
import { renderCurrentRating, renderReview, reviewAnchor } from '../../report/reviews-html.js';
import { csrfField } from '../layout.js';

/**
 * The review box beside a run, a desk, a risk or a trajectory: the reviews already made (author,
 * time, "4/5", the flag, the note as Markdown rendered safely: see src/report/reviews-html.ts) and
 * a form to add one (a 1–5 rating where `rating` is allowed, a flag, a Markdown note). It posts to
 * `/runs/:id/reviews` with the CSRF token; the rating form is `form[data-rate]`, so keys 1–5 check
 * a rating and submit it (app.js).
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
  /** The author to prefill (the `assess_author` cookie: `reviewAuthor(c)` in pages/reviews.ts); empty when absent. */
  author?: string;
  /** Where to come back after saving (a `/runs/…` path of this site); the run page when absent. */
  returnTo?: string;
  /**
   * One panel for many targets of a kind (the run's merged risks, its scenarios): the form picks the
   * target from these, `ref` is ignored, and each review listed names its target.
   */
  choices?: readonly { ref: string; label: string }[];
}

/** The anchor of a many-target panel, by kind (fixed, never from data). */
const PLURAL_ANCHOR: Record<ReviewKind, string> = { run: 'runs', desk: 'desks', risk: 'risks', trajectory: 'scenarios' };

/** Fixed labels for the target, in the panel's heading. */
const KIND_WORD: Record<ReviewKind, string> = { run: 'run', desk: 'desk', risk: 'risk', trajectory: 'trajectory' };

export { reviewAnchor };

export function reviewPanel(input: ReviewPanelInput): SafeHtml {
  const choices = input.choices;
  const id = choices ? `review-${PLURAL_ANCHOR[input.kind]}` : reviewAnchor(input.kind, input.ref);
  const target = choices ? `its ${KIND_WORD[input.kind]}s` : input.ref === null ? 'this run' : `${KIND_WORD[input.kind]} ${input.ref}`;
  const returnTo = input.returnTo ?? `/runs/${input.runId}`;
  const formId = `${id}-form`;
  const ratings = input.rating
    ? html`<fieldset class="review-stars">
<legend>Rating <span class="muted">(keys 1–5 rate and save)</span></legend>
${[1, 2, 3, 4, 5].map((n) => html`<label class="review-star"><input type="radio" name="rating" value="${n}"> ${n}</label>`)}
</fieldset>
`
    : '';
  return html`<section class="review-panel" id="${id}" aria-label="Reviews of ${target}">
<h3 class="review-title">Reviews <span class="muted">of ${target}</span> <span class="review-count">(${input.reviews.length})</span></h3>
${renderCurrentRating(input.reviews)}${
    input.reviews.length > 0
      ? html`<ol class="review-list">
${input.reviews.map((r) => (choices ? html`<li class="review-target"><code>${r.ref}</code></li>${renderReview(r, input.reviews)}` : renderReview(r, input.reviews)))}</ol>
`
      : html`<p class="muted review-empty">No reviews yet.</p>
`
  }<form class="review-form" id="${formId}" method="post" action="/runs/${input.runId}/reviews"${input.rating ? html` data-rate` : ''}>
${csrfField(input.csrf)}
<input type="hidden" name="kind" value="${input.kind}">
${
    choices
      ? html`${choices.map((c) => html`<span id="${reviewAnchor(input.kind, c.ref)}"></span>`)}<label class="review-field">${KIND_WORD[input.kind] === 'risk' ? 'Risk' : 'Trajectory'} <select name="ref" required>
${choices.map((c) => html`<option value="${c.ref}">${c.ref}: ${c.label}</option>`)}
</select></label>`
      : html`<input type="hidden" name="ref" value="${input.ref ?? ''}">`
  }
<input type="hidden" name="return" value="${returnTo}">
<label class="review-field">Author <input type="text" name="author" value="${input.author ?? ''}" required maxlength="${MAX_AUTHOR_CHARS}" autocomplete="name"></label>
${ratings}<label class="review-field">Flag a problem <select name="flag">
<option value="">no flag</option>
${REVIEW_FLAGS.map((f) => html`<option value="${f}">${FLAG_LABELS[f]}</option>`)}
</select></label>
<label class="review-field review-note-field"><span>Note <span class="muted">(Markdown)</span></span>
<textarea name="note" rows="4" maxlength="${MAX_NOTE_CHARS}"></textarea></label>
<button type="submit">Save review</button>
</form>
</section>
`;
}
