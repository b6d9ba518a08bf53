import MarkdownIt from 'markdown-it';
import { FLAG_LABELS, isSupersededRating, type Review, type ReviewFlag, type ReviewKind } from '../archive/reviews.js';
import type { RunResult } from '../pipeline/run-event.js';
import { html, SafeHtml } from './escape-html.js';
import { currentRatingText, groupReviews, reviewTime } from './reviews-markdown.js';

/**
 * Analysts' reviews as HTML: the pieces the workspace's review panel and the HTML export share
 * (a review's line, its Markdown note), and the export's "Reviews" section.
 *
 * Notes are Markdown written by people, shown to other people: rendered with markdown-it, a
 * CommonMark parser that is widely used and maintained, configured so a note can never become
 * markup of its own: `html: false` (raw HTML in a note is shown as text), links only to http(s),
 * mailto and same-site paths (markdown-it's own check already refuses javascript:, vbscript:,
 * file: and data:; this narrows it further), and no images (they would load from anywhere when
 * the exported file is opened). Its output is the only markup in this module not built by the
 * `html` tag: markdown-it escapes every text it emits, which is why it is wrapped as SafeHtml.
 */
const markdown = new MarkdownIt('commonmark', { html: false, linkify: false, typographer: false });
markdown.disable('image');
markdown.validateLink = (url: string): boolean => /^(https?:\/\/|mailto:|\/(?!\/)|#)/i.test(url.trim());
// Links open the page they name, never with this page as opener or referrer.
const defaultLinkOpen = markdown.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
markdown.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]!.attrSet('rel', 'noopener noreferrer nofollow');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/** A review's Markdown note as markup (see above for why this is safe). */
export function renderReviewNote(note: string): SafeHtml {
  return new SafeHtml(markdown.render(note));
}

/** Class names from a fixed table, never from data. */
const FLAG_CLASS: Record<ReviewFlag, string> = {
  'unsupported-fact': 'flag-unsupported-fact',
  'invented-source': 'flag-invented-source',
  'wrong-stance': 'flag-wrong-stance',
  'missed-angle': 'flag-missed-angle',
};

/** Fragment id of a review target (`review-desk-JP-01`, `review-risk-JP-01_R2`, `review-run`): only [A-Za-z0-9_-]. */
export function reviewAnchor(kind: ReviewKind, ref: string | null): string {
  const safe = (ref ?? '').replace(/:/g, '_').replace(/[^A-Za-z0-9_-]/g, '-');
  return ref === null ? 'review-run' : `review-${kind}-${safe}`;
}

/** One review: who, when, the rating (superseded ones marked), the flag, then the note. */
export function renderReview(review: Review, all: readonly Review[]): SafeHtml {
  const superseded = isSupersededRating(review, all);
  const flag = review.flag !== null ? html` <span class="review-flag ${FLAG_CLASS[review.flag] ?? ''}">⚑ ${FLAG_LABELS[review.flag] ?? review.flag}</span>` : '';
  const rating =
    review.rating !== null
      ? html` <span class="review-rating${superseded ? ' superseded' : ''}" aria-label="rated ${review.rating} out of 5${superseded ? ', superseded by a newer rating' : ''}">${review.rating}/5</span>${superseded ? html` <span class="muted">(superseded)</span>` : ''}`
      : '';
  return html`<li class="review" id="review-${review.id}">
<p class="review-meta"><strong class="review-author">${review.author}</strong> <time datetime="${review.createdAt}">${reviewTime(review.createdAt)}</time>${rating}${flag}</p>
${review.note !== null ? html`<div class="review-note">${renderReviewNote(review.note)}</div>` : ''}</li>
`;
}

/** "Current rating: 4/5 (Aiko) · 3/5 (Ben)", or nothing when the target has no rating. */
export function renderCurrentRating(reviews: readonly Review[]): SafeHtml | '' {
  const text = currentRatingText(reviews);
  return text ? html`<p class="review-current">Current rating: <strong>${text}</strong></p>` : '';
}

/** Styles for the export's reviews section (the export is one self-contained file: inline <style>). */
export const REVIEWS_STYLE = `
.reviews{margin-top:2.5rem;border-top:3px solid var(--accent)}
.reviews h3{margin-top:1.2rem}
.review-list{list-style:none;padding-left:0}
.review{border-left:3px solid var(--line);padding:.1rem 0 .1rem .8rem;margin:.7rem 0}
.review-meta{margin:.2rem 0;display:flex;flex-wrap:wrap;gap:.2rem .6rem;align-items:baseline}
.review-meta time{color:var(--muted);font-size:.9rem}
.review-rating{font-weight:700}
.review-rating.superseded{text-decoration:line-through;color:var(--muted)}
.review-flag{font-weight:700;color:#7a2e00;background:#ffe3cc;border:1px solid #f0b27f;border-radius:4px;padding:0 .4em;font-size:.85rem}
.review-note{border-left:0;margin:.2rem 0}
.review-note p:first-child{margin-top:0}
.review-current{font-size:.95rem}
@media print{.reviews{break-before:page;border-top:0}.review{break-inside:avoid}}
`;

/** The export's "Reviews" section: every review, grouped by target; nothing when there are none. */
export function renderReviewsHtml(run: RunResult, reviews: readonly Review[]): SafeHtml | '' {
  if (reviews.length === 0) return '';
  return html`<section id="reviews" class="reviews" aria-labelledby="reviews-title">
<h2 id="reviews-title">Reviews</h2>
${groupReviews(run, reviews).map(
  (g) => html`<section class="review-group" id="${reviewAnchor(g.kind, g.ref)}">
<h3>${g.label}</h3>
${renderCurrentRating(g.reviews)}<ol class="review-list">
${g.reviews.map((r) => renderReview(r, g.reviews))}</ol>
</section>
`,
)}</section>
`;
}
