import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

/**
 * The workspace's guards, as Hono middleware:
 * - an access token, required whenever one is set (always on a non-loopback bind);
 * - CSRF: every state-changing request carries the token of the `assess_csrf` cookie in a form
 *   field or header (double submit; the cookie is SameSite=Strict and HttpOnly), and a foreign
 *   Origin is refused outright;
 * - headers: a Content-Security-Policy with no inline script or style and nothing from elsewhere,
 *   no framing, no sniffing, no referrer leaving the site.
 * Refusals are one line of text with 401 or 403.
 */

export const TOKEN_COOKIE = 'assess_token';
export const CSRF_COOKIE = 'assess_csrf';
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export type SecurityVariables = { csrf: string };

/** A fresh random token: 32 bytes, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Equal strings, compared in time independent of where they differ. */
export function sameSecret(a: string | undefined | null, b: string): boolean {
  if (a === undefined || a === null) return false;
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Hosts that only this machine can reach: binding there needs no token. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
    // Pages show live archive data and may carry a CSRF token: never cached by anyone.
    if (!c.req.path.startsWith('/assets/')) c.res.headers.set('Cache-Control', 'no-store');
  };
}

const secureCookie = (c: Context): boolean => new URL(c.req.url).protocol === 'https:';

/**
 * With a token: a request passes with `Authorization: Bearer <token>`, the `assess_token` cookie,
 * or `?token=<token>` — the last sets the cookie and redirects to the same URL without it, so the
 * token does not linger in the address bar or history.
 */
export function accessToken(token: string | null): MiddlewareHandler {
  return async (c, next) => {
    if (token === null) return next();
    const auth = c.req.header('authorization');
    const bearer = auth?.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : undefined;
    if (sameSecret(bearer, token) || sameSecret(getCookie(c, TOKEN_COOKIE), token)) return next();
    const url = new URL(c.req.url);
    if (c.req.method === 'GET' && sameSecret(url.searchParams.get('token'), token)) {
      setCookie(c, TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/', secure: secureCookie(c) });
      url.searchParams.delete('token');
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }
    return c.text('assess serve: an access token is required (open the URL printed at start, or send Authorization: Bearer <token>)\n', 401);
  };
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Issues the CSRF cookie on any request that lacks it (its value is in `c.get('csrf')` for forms)
 * and checks it on state-changing ones: the form field `_csrf` or the `x-csrf-token` header must
 * equal the cookie, and an Origin header, when sent, must be this server's.
 */
export function csrfProtection(): MiddlewareHandler<{ Variables: SecurityVariables }> {
  return async (c, next) => {
    let cookie = getCookie(c, CSRF_COOKIE);
    if (!cookie || !/^[A-Za-z0-9_-]{43}$/.test(cookie)) {
      cookie = newToken();
      setCookie(c, CSRF_COOKIE, cookie, { httpOnly: true, sameSite: 'Strict', path: '/', secure: secureCookie(c) });
      if (UNSAFE.has(c.req.method)) return c.text('assess serve: refused: no CSRF cookie (reload the page and submit again)\n', 403);
    }
    if (UNSAFE.has(c.req.method)) {
      const origin = c.req.header('origin');
      if (origin !== undefined && origin !== 'null' && new URL(origin).host !== new URL(c.req.url).host) {
        return c.text('assess serve: refused: cross-site request\n', 403);
      }
      if (origin === 'null') return c.text('assess serve: refused: cross-site request\n', 403);
      let sent = c.req.header(CSRF_HEADER);
      if (sent === undefined && /^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(c.req.header('content-type') ?? '')) {
        const body = await c.req.parseBody();
        const field = body[CSRF_FIELD];
        sent = typeof field === 'string' ? field : undefined;
      }
      if (!sameSecret(sent, cookie)) return c.text('assess serve: refused: missing or wrong CSRF token (reload the page and submit again)\n', 403);
    }
    c.set('csrf', cookie);
    return next();
  };
}
