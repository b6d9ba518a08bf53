/**
 * The workspace's guards (issue 15 §1), in-process through Hono's request harness: security
 * headers on every page, the access token on a non-loopback configuration, CSRF on every POST,
 * JSON twins decided by the path only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, isLoopbackHost } from '../../src/web/security.js';
import { webFixture, type WebFixture } from './support.js';

describe('workspace security', () => {
  let open: WebFixture;
  let guarded: WebFixture;
  const TOKEN = 'a-long-enough-test-token-1234567890';

  beforeAll(() => {
    open = webFixture({ build: false });
    guarded = webFixture({ build: false, token: TOKEN });
  });
  afterAll(() => {
    open.close();
    guarded.close();
  });

  it('every page carries a CSP with no inline script, and no caching', async () => {
    const r = await open.request('/');
    expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('server-timing')).toMatch(/^app;dur=\d+(\.\d)?$/);
    const css = await open.request('/assets/app.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toContain('text/css');
    expect((await open.request('/assets/..%2Fpackage.json')).status).toBe(404);
  });

  it('with a token: refused without it (401, one line), let in by Bearer, by ?token= (cookie, then redirect) and by the cookie', async () => {
    const none = await guarded.request('/', { cookies: false });
    expect(none.status).toBe(401);
    expect((await none.text()).trim().split('\n')).toHaveLength(1);
    expect((await guarded.request('/', { cookies: false, headers: { authorization: 'Bearer wrong-token-wrong-token-wrong' } })).status).toBe(401);
    expect((await guarded.request('/', { cookies: false, headers: { authorization: `Bearer ${TOKEN}` } })).status).not.toBe(401);
    const login = await guarded.request(`/threads?token=${TOKEN}&x=1`);
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/threads?x=1');
    expect(login.headers.get('set-cookie')).toMatch(/assess_token=.*HttpOnly.*SameSite=Strict/i);
    expect((await guarded.request('/')).status).not.toBe(401);
    // A POST with a wrong token is refused before anything else looks at it.
    expect((await guarded.request('/new', { method: 'POST', cookies: false })).status).toBe(401);
  });

  it('a POST without the CSRF token, with a wrong one, or from another origin is refused with 403', async () => {
    await open.request('/');
    const token = open.csrf();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
    const missing = await open.request('/new', form({ text: 'x' }));
    expect(missing.status).toBe(403);
    expect(await missing.text()).toContain('CSRF');
    expect((await open.request('/new', form({ text: 'x', _csrf: `${token.slice(1)}x` }))).status).toBe(403);
    expect((await open.request('/new', { ...form({ text: 'x', _csrf: token }), headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' } })).status).toBe(403);
    // No cookie at all: refused, and a cookie is issued for the next try.
    const fresh = await open.request('/new', { ...form({ _csrf: token }), cookies: false });
    expect(fresh.status).toBe(403);
    // That issued a new cookie; its token passes the guard (the page answers whatever it answers, never 403).
    const renewed = open.csrf();
    expect(renewed).not.toBe(token);
    expect((await open.request('/new', form({ text: 'x', _csrf: renewed }))).status).not.toBe(403);
    expect((await open.request('/new', { method: 'POST', headers: { 'x-csrf-token': renewed } })).status).not.toBe(403);
  });

  it('JSON twins: /x.json answers JSON for /x; a client cannot ask for it by header', async () => {
    const twin = await open.request('/index.json');
    expect(twin.headers.get('content-type')).toContain('application/json');
    const page = await open.request('/', { headers: { 'x-assess-json-twin': '1' } });
    expect(page.headers.get('content-type')).toContain('text/html');
  });

  it('loopback hosts are told apart from the rest', () => {
    for (const h of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '192.168.1.5', '::', 'example.com', '128.0.0.1']) expect(isLoopbackHost(h), h).toBe(false);
  });
});
