import { Hono } from 'hono';
import { ASSET_TYPES, loadAssets } from './assets.js';
import type { PageHandler, WebDeps, WebEnv } from './deps.js';
import { messagePage } from './layout.js';
import { withJsonTwins } from './respond.js';
import { accessToken, csrfProtection, securityHeaders } from './security.js';
import { runsPage, runsCsv } from './pages/runs-page.js';
import { runPage } from './pages/run-page.js';
import { deskPage } from './pages/desk-page.js';
import { comparePage } from './pages/compare-page.js';
import { threadsPage, threadPage } from './pages/threads-page.js';
import { questionsPage, resolveFromForm } from './pages/questions-page.js';
import { feedsPage, feedsStream } from './pages/feeds-page.js';
import { newPage, startFromForm, jobPage, jobStream } from './pages/new-page.js';
import { saveReview } from './pages/reviews.js';

/**
 * The `assess serve` application: guards first (security headers, access token, CSRF), then one
 * route per page; every page module turns archive read models into HTML or its JSON twin. Handlers
 * never compute scores or diffs themselves: they call the functions the CLI calls.
 */
export function createWebApp(deps: WebDeps): { app: Hono<WebEnv>; fetch: (request: Request) => Response | Promise<Response> } {
  const app = new Hono<WebEnv>();
  const assets = loadAssets(deps.assetsDir);
  const page = (handler: PageHandler) => (c: Parameters<PageHandler>[0]) => handler(c, deps);

  // The server's own time per request, for people (browser devtools) and the bench: the page
  // targets are server time, so it is measured here, around everything the app does.
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    c.res.headers.set('Server-Timing', `app;dur=${(performance.now() - started).toFixed(1)}`);
  });
  app.use('*', securityHeaders());
  app.use('*', accessToken(deps.token));
  app.use('*', csrfProtection());

  app.get('/assets/:name', (c) => {
    const name = c.req.param('name');
    const body = assets.get(name);
    const type = ASSET_TYPES[name];
    if (body === undefined || type === undefined) return c.text('not found\n', 404);
    return c.body(body, 200, { 'Content-Type': type, 'Cache-Control': 'no-cache' });
  });

  // Browsers ask for it whatever the page says; nothing to show.
  app.get('/favicon.ico', (c) => c.body(null, 204));
  app.get('/', page(runsPage));
  app.get('/search', page(runsPage));
  app.get('/runs.csv', page(runsCsv));
  app.get('/runs/:id', page(runPage));
  app.post('/runs/:id/reviews', page(saveReview));
  app.get('/runs/:id/desks/:desk', page(deskPage));
  app.get('/compare', page(comparePage));
  app.get('/threads', page(threadsPage));
  app.get('/threads/:id', page(threadPage));
  app.get('/questions', page(questionsPage));
  app.post('/questions/:id/resolve', page(resolveFromForm));
  app.get('/feeds', page(feedsPage));
  app.get('/feeds/events', page(feedsStream));
  app.get('/new', page(newPage));
  app.post('/new', page(startFromForm));
  app.get('/new/:job', page(jobPage));
  app.get('/new/:job/events', page(jobStream));

  app.notFound((c) => c.html(String(messagePage('Not found', `Nothing at ${c.req.path}.`)), 404));
  app.onError((error, c) => {
    // One line, no stack: the archive path and request are enough to act on.
    const why = error.message.split('\n')[0] ?? 'error';
    return c.html(String(messagePage('Something went wrong', why)), 500);
  });
  return { app, fetch: withJsonTwins((request) => app.fetch(request)) };
}
