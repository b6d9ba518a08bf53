import { getCookie, setCookie } from 'hono/cookie';
import { addReview, MAX_AUTHOR_CHARS } from '../../archive/reviews.js';
import { resolveRunId } from '../../archive/resolve-run-id.js';
import { InputError } from '../../errors/index.js';
import { reviewAnchor } from '../../report/reviews-html.js';
import type { PageHandler, WebContext } from '../deps.js';
import { messagePage } from '../layout.js';

/**
 * POST `/runs/:id/reviews`: the review panel's form (src/web/components/review-panel.ts). The CSRF
 * guard has already checked the token. The archive decides what is valid (addReview); a refusal
 * is a 400 page with its one line and nothing written. On success: the author is remembered in a
 * cookie for the next form, and the browser goes back (303) to the page it came from, at the
 * panel of what it reviewed.
 */
export const AUTHOR_COOKIE = 'assess_author';

/** The author remembered from the last review saved in this browser, for prefilling panels; '' when none. */
export function reviewAuthor(c: WebContext): string {
  const value = getCookie(c, AUTHOR_COOKIE) ?? '';
  return [...value].length <= MAX_AUTHOR_CHARS ? value : '';
}

/**
 * Where to go after saving: only a path of this site under `/runs/` (a form field is user input:
 * an absolute or protocol-relative URL would make this an open redirect); anything else is the run page.
 */
export function safeReturnPath(requested: string, runId: string): string {
  const fallback = `/runs/${runId}`;
  if (!requested.startsWith('/runs/') || /[\\\s]/.test(requested)) return fallback;
  try {
    const base = new URL('http://assess.invalid/');
    const url = new URL(requested, base);
    if (url.origin !== base.origin || !url.pathname.startsWith('/runs/')) return fallback;
    return `${url.pathname}${url.search}`;
  } catch {
    return fallback;
  }
}

const field = (body: Record<string, unknown>, name: string): string => {
  const value = body[name];
  return typeof value === 'string' ? value : '';
};

export const saveReview: PageHandler = async (c, deps) => {
  // Parsed once already by the CSRF guard; Hono keeps the parsed body.
  const body = (await c.req.parseBody()) as Record<string, unknown>;
  try {
    const runId = resolveRunId(deps.write, c.req.param('id') ?? '');
    const ratingText = field(body, 'rating').trim();
    if (ratingText !== '' && !/^\d+$/.test(ratingText)) {
      throw new InputError(`rating must be a whole number from 1 to 5 (got ${JSON.stringify(ratingText.slice(0, 20))})`);
    }
    const review = addReview(deps.write, {
      runId,
      kind: field(body, 'kind'),
      ref: field(body, 'ref'),
      author: field(body, 'author'),
      rating: ratingText === '' ? null : Number(ratingText),
      flag: field(body, 'flag'),
      note: field(body, 'note'),
      now: deps.now(),
    });
    setCookie(c, AUTHOR_COOKIE, review.author, {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      maxAge: 365 * 24 * 3600,
      secure: new URL(c.req.url).protocol === 'https:',
    });
    const back = safeReturnPath(field(body, 'return'), runId);
    return c.redirect(`${back}#${reviewAnchor(review.kind, review.ref)}`, 303);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return c.html(String(messagePage('Review not saved', error.message.split('\n')[0] ?? 'invalid review')), 400);
  }
};
