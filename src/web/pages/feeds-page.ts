import { createHash } from 'node:crypto';
import type { RunInFlight } from '../../archive/runs-in-flight.js';
import { watchStatus, type WatchStatus } from '../../feeds/watch-status.js';
import type { ItemAttention } from '../../feeds/watch-store.js';
import { html, type SafeHtml } from '../../report/escape-html.js';
import type { PageHandler } from '../deps.js';
import { layout } from '../layout.js';
import { respond } from '../respond.js';
import { liveEvents } from '../views/live-events.js';

/**
 * `/feeds`: the watcher's status as `assess feeds status` shows it (per feed health and counters,
 * the queue, retrying and failed items, runs in flight with their desks' progress, today's spend,
 * recent decisions), read from the archive; `/feeds/events` keeps it live over SSE.
 *
 * Live updates write text into `data-field` elements, so they can change values but not add rows.
 * The page's rows (feeds, runs, items) have a "shape" hash; when the stream sees a different shape
 * it sends `done: true`, and the script follows `data-live-done` back to `/feeds`: a reload with
 * the new rows. Without the script a reload shows the same.
 */

/** How often the stream reads the status. */
export const FEEDS_POLL_MS = 2_000;

/** `2025-10-01 10:45 UTC`, or — */
const when = (iso: string | null | undefined): string => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '—');

const deskProgress = (run: RunInFlight): string =>
  `${run.ok + run.failed}/${run.desks} desks${run.failed > 0 ? ` (${run.failed} failed)` : ''}${run.pending.length > 0 ? `; waiting: ${run.pending.join(', ')}` : ''}`;

const attention = (item: ItemAttention): string => `${item.attempts} attempt${item.attempts === 1 ? '' : 's'}: ${item.lastError ?? 'no reason recorded'}`;

/** Which rows the page has: a change means a reload, not a text update. */
function shapeOf(status: WatchStatus): string {
  const rows = {
    feeds: status.feeds.map((f) => f.name),
    runs: status.runs.map((r) => r.runId),
    inFlight: status.inFlight.map((i) => i.id),
    retrying: status.retrying.map((i) => i.id),
    failed: status.failed.map((i) => i.id),
    recent: status.recent.map((i) => `${i.id}:${i.status}`),
  };
  return createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 16);
}

/**
 * The status as flat text fields, named as the page's `data-field`s. Rows are numbered by their
 * place in the page (names and ids are data and never become attribute names).
 */
export function feedsFields(status: WatchStatus): Record<string, string> {
  const q = status.queue;
  const fields: Record<string, string> = {
    'queue-queued': String(q.queued),
    'queue-retrying': String(q.retrying),
    'queue-running': String(q.running),
    'queue-done': String(q.done),
    'queue-skipped': String(q.skipped),
    'queue-failed': String(q.failed),
    'retrying-count': String(status.retrying.length),
    'failed-count': String(status.failed.length),
    budget: status.budget.text,
  };
  status.feeds.forEach((f, i) => {
    fields[`feed-${i}-lastPollAt`] = when(f.lastPollAt);
    fields[`feed-${i}-lastStatus`] = f.lastStatus === null ? '—' : String(f.lastStatus);
    fields[`feed-${i}-nextPollAt`] = when(f.nextPollAt);
    fields[`feed-${i}-seen`] = String(f.itemsSeen);
    fields[`feed-${i}-assessed`] = String(f.itemsAssessed);
    fields[`feed-${i}-skipped`] = String(f.itemsSkipped);
    fields[`feed-${i}-problem`] = feedProblem(f);
  });
  status.runs.forEach((r, i) => {
    fields[`run-${i}-progress`] = deskProgress(r);
  });
  status.retrying.forEach((item, i) => {
    fields[`retrying-${i}`] = attention(item);
    fields[`retrying-${i}-next`] = when(item.nextAttemptAt);
  });
  return fields;
}

function feedProblem(f: WatchStatus['feeds'][number]): string {
  const parts: string[] = [];
  if (f.lastError) parts.push(`error: ${f.lastError}${f.consecutiveFailures > 1 ? ` (${f.consecutiveFailures} failures in a row)` : ''}`);
  if (f.warning) parts.push(`warning: ${f.warning}`);
  return parts.join(' · ');
}

export const feedsPage: PageHandler = (c, deps) => {
  const status = watchStatus(deps.read, deps.now(), deps.feedsConfig ? { config: deps.feedsConfig } : {});
  const data = { ...status, shape: shapeOf(status) };
  return respond(c, data, (d) => layout({ title: 'Feeds', section: 'feeds', page: 'feeds', body: feedsBody(d, feedsFields(d)) }));
};

const field = (fields: Record<string, string>, name: string): SafeHtml => html`<span data-field="${name}">${fields[name] ?? ''}</span>`;

function feedsBody(d: WatchStatus & { shape: string }, fields: Record<string, string>): SafeHtml {
  const q = (name: string, label: string) => html`<div><dt>${label}</dt><dd class="num">${field(fields, `queue-${name}`)}</dd></div>`;
  return html`<h1>Feeds</h1>
<section class="live-feeds" data-live-src="/feeds/events?shape=${d.shape}" data-live-done="/feeds">
<p class="muted no-print">Live: the status is read every ${FEEDS_POLL_MS / 1000} s. Without the script, reload the page.</p>
<h2>Feeds</h2>
${
  d.feeds.length === 0
    ? html`<p class="message">No feed has been polled yet: <code>assess watch</code> fills this page.</p>`
    : html`<table class="live-feed-table">
<thead><tr><th scope="col">Feed</th><th scope="col">Last poll</th><th scope="col">HTTP</th><th scope="col">Next poll</th><th scope="col" class="num">Seen</th><th scope="col" class="num">Assessed</th><th scope="col" class="num">Skipped</th><th scope="col">Error or warning</th></tr></thead>
<tbody>
${d.feeds.map(
  (f, i) => html`<tr data-nav-item>
<th scope="row">${f.name}${f.configured === false ? html` <span class="muted">(no longer configured)</span>` : ''}<br><span class="muted live-url">${f.url ?? ''}</span></th>
<td>${field(fields, `feed-${i}-lastPollAt`)}</td>
<td>${field(fields, `feed-${i}-lastStatus`)}</td>
<td>${field(fields, `feed-${i}-nextPollAt`)}</td>
<td class="num">${field(fields, `feed-${i}-seen`)}</td>
<td class="num">${field(fields, `feed-${i}-assessed`)}</td>
<td class="num">${field(fields, `feed-${i}-skipped`)}</td>
<td class="live-problem">${field(fields, `feed-${i}-problem`)}</td>
</tr>`,
)}
</tbody>
</table>`
}
<h2>Queue</h2>
<dl class="live-queue">
${q('queued', 'waiting')}${q('retrying', 'waiting to retry')}${q('running', 'running')}${q('done', 'done')}${q('skipped', 'skipped')}${q('failed', 'failed')}
</dl>
<h2>Runs in flight</h2>
${
  d.runs.length === 0
    ? html`<p class="message">No run in flight.</p>`
    : html`<table class="live-runs">
<thead><tr><th scope="col">Event</th><th scope="col">Run</th><th scope="col">Since</th><th scope="col">Desks</th></tr></thead>
<tbody>
${d.runs.map(
  (r, i) => html`<tr data-nav-item><td>${r.eventTitle}${feedOf(d, r.runId)}</td><td><a href="/runs/${encodeURIComponent(r.runId)}">${r.runId.slice(0, 8)}</a></td><td>${when(r.startedAt)}</td><td>${field(fields, `run-${i}-progress`)}</td></tr>`,
)}
</tbody>
</table>`
}
<h2>To retry <span class="muted">(${field(fields, 'retrying-count')}; each item gets ${d.maxAttempts} attempts, then fails)</span></h2>
${
  d.retrying.length === 0
    ? html`<p class="message">Nothing waiting to retry.</p>`
    : html`<table><thead><tr><th scope="col">#</th><th scope="col">Item</th><th scope="col">Feed</th><th scope="col">Next attempt</th><th scope="col">Attempts and last error</th></tr></thead><tbody>
${d.retrying.map(
  (item, i) => html`<tr><td class="num">${item.id}</td><td>${item.title}</td><td>${item.feed}</td><td>${field(fields, `retrying-${i}-next`)}</td><td>${field(fields, `retrying-${i}`)}</td></tr>`,
)}
</tbody></table>`
}
<h2>Failed <span class="muted">(${field(fields, 'failed-count')})</span></h2>
${
  d.failed.length === 0
    ? html`<p class="message">No failed item.</p>`
    : html`<p class="muted"><code>assess feeds retry &lt;id&gt;</code> or <code>assess feeds retry --all-failed</code> puts them back in the queue.</p>
<table><thead><tr><th scope="col">#</th><th scope="col">Item</th><th scope="col">Feed</th><th scope="col">Attempts and last error</th></tr></thead><tbody>
${d.failed.map((item) => html`<tr><td class="num">${item.id}</td><td>${item.title}</td><td>${item.feed}</td><td>${attention(item)}</td></tr>`)}
</tbody></table>`
}
<h2>Spent today <span class="muted">(${d.budget.day} UTC, the watcher's runs)</span></h2>
<p>${field(fields, 'budget')}${d.budget.reached ? html` <strong class="live-failed">${d.budget.reached}</strong>` : ''}</p>
<h2>Recent items</h2>
${
  d.recent.length === 0
    ? html`<p class="message">No item yet.</p>`
    : html`<table class="live-recent"><thead><tr><th scope="col">Status</th><th scope="col">Item</th><th scope="col">Feed</th><th scope="col">Routing</th></tr></thead><tbody>
${d.recent.map(
  (r) => html`<tr><td><span class="badge">${r.status}</span></td><td>${r.title}${r.sources > 1 ? html` <span class="muted">· ${r.sources} sources</span>` : ''}</td><td>${r.feed}</td><td>${
    r.status === 'skipped'
      ? `skipped: ${r.skipReason ?? ''}`
      : r.status === 'failed'
        ? `failed after ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}: ${r.lastError ?? 'no reason recorded'}`
        : r.route
          ? `${r.route.agents.join(', ')} (${r.route.method}: ${r.route.reason})`
          : ''
  }</td></tr>`,
)}
</tbody></table>`
}
</section>`;
}

/** The feed item a run assesses, when it is a watcher's run. */
function feedOf(d: WatchStatus, runId: string): SafeHtml | '' {
  const item = d.inFlight.find((i) => i.runId === runId);
  return item ? html` <span class="muted">(${item.feed}, item #${item.id})</span>` : '';
}

/**
 * Every FEEDS_POLL_MS, the status; a message when a field changed (the first one always). A
 * different shape than the page's (`?shape=`) ends the stream with `done: true`: the page reloads.
 */
export const feedsStream: PageHandler = (c, deps) => {
  const pageShape = c.req.query('shape') ?? null;
  return liveEvents(c, async (live) => {
    let last = '';
    while (!live.isStopped()) {
      const status = watchStatus(deps.read, deps.now(), deps.feedsConfig ? { config: deps.feedsConfig } : {});
      const fields = feedsFields(status);
      if (pageShape !== null && shapeOf(status) !== pageShape) {
        await live.send({ ...fields, done: true });
        return;
      }
      const text = JSON.stringify(fields);
      if (text !== last) {
        await live.send({ ...fields, done: false });
        last = text;
      }
      await live.sleep(FEEDS_POLL_MS);
    }
  });
};
