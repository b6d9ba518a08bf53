import type { Context } from 'hono';
import type { SafeHtml } from '../report/escape-html.js';
import { messagePage, type Section } from './layout.js';

/**
 * Every page has a JSON twin (`/runs/abc` and `/runs/abc.json`, `/` and `/index.json`): the app
 * strips the suffix before routing (see withJsonTwins) and marks the request, so a handler builds
 * its data once and answers in the form asked for.
 */
export const JSON_TWIN_HEADER = 'x-assess-json-twin';

export function wantsJson(c: Context): boolean {
  return c.req.header(JSON_TWIN_HEADER) === '1';
}

/** The page's data as JSON for the twin, else the HTML the renderer makes of it. */
export function respond<T>(c: Context, data: T, render: (data: T) => SafeHtml | string, status: 200 | 404 | 400 = 200): Response {
  if (wantsJson(c)) return c.json(data as object, status);
  return c.html(String(render(data)), status);
}

/**
 * Rewrites `/x.json` to `/x` (and `/index.json` to `/`) with the twin header set, so one route
 * serves both. A header set by the client is overwritten either way: only the path decides.
 */
export function withJsonTwins(fetch: (request: Request) => Response | Promise<Response>): (request: Request) => Response | Promise<Response> {
  return (request) => {
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    headers.delete(JSON_TWIN_HEADER);
    if (url.pathname.endsWith('.json') && !url.pathname.startsWith('/assets/')) {
      const base = url.pathname.slice(0, -'.json'.length);
      url.pathname = base === '/index' ? '/' : base;
      headers.set(JSON_TWIN_HEADER, '1');
    }
    // The client's abort signal goes along, so a stream (SSE) ends when its client leaves.
    return fetch(new Request(url, { method: request.method, headers, body: request.body, signal: request.signal, duplex: 'half' } as RequestInit));
  };
}

/**
 * A page that cannot be shown: one line, as `{ error }` for the JSON twin or a message page in the
 * frame, with 400 (the request is wrong) or 404 (nothing there).
 */
export function refuse(c: Context, status: 400 | 404, message: string, section: Section = null): Response {
  return respond(c, { error: message }, () => messagePage(status === 404 ? 'Not found' : 'Bad request', message, section), status);
}
