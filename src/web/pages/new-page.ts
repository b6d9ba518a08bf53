import { InputError, redactSecrets } from '../../errors/index.js';
import { html, type SafeHtml } from '../../report/escape-html.js';
import type { AssessmentLauncher, JobStatus, LaunchInput, PageHandler, WebContext } from '../deps.js';
import { csrfField, layout, messagePage } from '../layout.js';
import { respond } from '../respond.js';
import { liveEvents } from '../views/live-events.js';

/**
 * `/new`: start an assessment from pasted text, a news page URL or an event file, with the desks
 * chosen; `/new/:job`: its progress, live over SSE, then the run page. The launcher runs the
 * CLI's pipeline; this module only reads the form and shows the job.
 */

const NO_LAUNCHER = 'New assessments are unavailable: this server was started without a model provider.';

/** Fixed table: the state of a desk or job gives its class (never data). */
const STATE_CLASS: Record<string, string> = {
  queued: 'live-queued',
  starting: 'live-queued',
  running: 'live-running',
  ok: 'live-ok',
  done: 'live-ok',
  failed: 'live-failed',
};

const unavailableReason = (launcher: AssessmentLauncher | undefined): string | null => (launcher ? launcher.unavailable() : NO_LAUNCHER);

export const newPage: PageHandler = (c, deps) => {
  const launcher = deps.launcher;
  const data = {
    available: unavailableReason(launcher) === null,
    unavailable: unavailableReason(launcher),
    desks: launcher?.desks() ?? [],
    accept: ['.md', '.txt', '.json', '.yaml', '.yml'],
  };
  return respond(c, data, (d) =>
    layout({
      title: 'New assessment',
      section: 'new',
      page: 'new',
      body: html`<h1>New assessment</h1>
${d.unavailable !== null ? html`<p class="message live-unavailable">${d.unavailable}</p>` : newForm(c.get('csrf'), d.desks, d.accept)}`,
    }),
  );
};

function newForm(csrf: string, desks: { id: string; name: string }[], accept: string[]): SafeHtml {
  return html`<form class="live-new" method="post" action="/new" enctype="multipart/form-data">
${csrfField(csrf)}
<p class="muted">Give the event one way: paste it, give a news page's URL, or upload an event file (as <code>assess run</code> reads them).</p>
<fieldset class="panel">
<legend>Paste</legend>
<label for="new-title">Title</label>
<input id="new-title" name="title" type="text" maxlength="500" autocomplete="off">
<label for="new-text">Text</label>
<textarea id="new-text" name="text" rows="10"></textarea>
</fieldset>
<fieldset class="panel">
<legend>Or a URL</legend>
<label for="new-url">News page (http or https)</label>
<input id="new-url" name="url" type="url" placeholder="https://" autocomplete="off">
</fieldset>
<fieldset class="panel">
<legend>Or a file</legend>
<label for="new-file">Event file (${accept.join(', ')})</label>
<input id="new-file" name="file" type="file" accept="${accept.join(',')}">
</fieldset>
<fieldset class="panel live-desks">
<legend>Desks</legend>
${desks.map(
  (d) => html`<label class="live-desk"><input type="checkbox" name="desk" value="${d.id}" checked> <strong>${d.id}</strong> <span class="muted">${d.name}</span></label>`,
)}
</fieldset>
<p><button type="submit">Start the assessment</button></p>
</form>`;
}

const firstString = (value: unknown): string | undefined => {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
};

/** The form's fields as the launcher takes them; empty fields are not given. */
async function launchInputFrom(c: WebContext): Promise<LaunchInput> {
  const body = await c.req.parseBody({ all: true });
  const rawDesks = body['desk'];
  const desks = (Array.isArray(rawDesks) ? rawDesks : rawDesks === undefined ? [] : [rawDesks]).filter((d): d is string => typeof d === 'string' && d !== '');
  const file = Array.isArray(body['file']) ? body['file'][0] : body['file'];
  const title = firstString(body['title']);
  const text = firstString(body['text']);
  const url = firstString(body['url']);
  const input: LaunchInput = { desks };
  if (file instanceof File && (file.size > 0 || file.name !== '')) input.file = { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) };
  if (url !== undefined) input.url = url.trim();
  if (title !== undefined) input.title = title;
  if (text !== undefined) input.text = text;
  return input;
}

const refused = (c: WebContext, message: string, status: 400 | 503): Response =>
  c.html(String(messagePage('Cannot start the assessment', message, 'new')), status);

export const startFromForm: PageHandler = async (c, deps) => {
  const launcher = deps.launcher;
  const why = unavailableReason(launcher);
  if (launcher === undefined || why !== null) return refused(c, why ?? NO_LAUNCHER, 503);
  const input = await launchInputFrom(c);
  if (input.desks.length === 0) return refused(c, 'choose at least one desk', 400);
  try {
    const { jobId } = await launcher.start(input);
    return c.redirect(`/new/${encodeURIComponent(jobId)}`, 303);
  } catch (error) {
    // Bad input is the user's to fix: one line. Anything else goes to the app's error page.
    if (error instanceof InputError) return refused(c, redactSecrets(error.message.split('\n')[0] ?? 'bad input'), 400);
    throw error;
  }
};

/** The job as the page and its stream show it: desk states keyed by `desk-<ID>` (the data-field names). */
export function jobFields(status: JobStatus): Record<string, string | boolean | null> {
  const fields: Record<string, string | boolean | null> = {
    state: status.state,
    message: status.message ?? '',
    runId: status.runId,
    progress: `${status.desks.filter((d) => d.state === 'ok' || d.state === 'failed').length}/${status.desks.length}`,
  };
  for (const d of status.desks) fields[`desk-${d.id}`] = d.state;
  fields['done'] = status.state === 'done';
  return fields;
}

export const jobPage: PageHandler = (c, deps) => {
  const status = deps.launcher?.status(c.req.param('job') ?? '') ?? null;
  if (status === null) return c.html(String(messagePage('Not found', 'No such assessment job (jobs are kept in memory until the server restarts).', 'new')), 404);
  return respond(c, status, (s) => {
    const runHref = s.runId ? `/runs/${encodeURIComponent(s.runId)}` : null;
    const finished = s.state === 'done' || s.state === 'failed';
    const fields = jobFields(s);
    return layout({
      title: `Assessing: ${s.title}`,
      section: 'new',
      page: 'job',
      body: html`<h1>${s.title}</h1>
<section class="live-job" aria-live="polite"${finished ? '' : html` data-live-src="/new/${encodeURIComponent(s.jobId)}/events"`}${runHref && !finished ? html` data-live-done="${runHref}"` : ''}>
<p>State: <strong class="${STATE_CLASS[s.state] ?? ''}" data-field="state">${s.state}</strong> · desks finished <span data-field="progress">${String(fields['progress'])}</span></p>
<p class="message" data-field="message">${s.message ?? ''}</p>
<ol class="live-job-desks">
${s.desks.map(
  (d) => html`<li data-nav-item><span class="live-desk-id">${d.id}</span> <span class="live-desk-state ${STATE_CLASS[d.state] ?? ''}" data-field="desk-${d.id}">${d.state}</span></li>`,
)}
</ol>
${runHref ? html`<p>${s.state === 'done' ? html`<a href="${runHref}">Open the report</a>` : html`Run <a href="${runHref}">${s.runId?.slice(0, 8)}</a> (the report once it is archived)`}</p>` : ''}
${finished ? '' : html`<p class="muted no-print">This page follows the run live; without the script, reload it.</p>`}
</section>`,
    });
  });
};

/**
 * The job's progress: its status now, then every change, ending after the message that says it is
 * done. A failed job's stream stays open (heartbeats only) so the browser does not reconnect in a loop.
 */
export const jobStream: PageHandler = (c, deps) => {
  const launcher = deps.launcher;
  const jobId = c.req.param('job') ?? '';
  const first = launcher?.status(jobId) ?? null;
  if (launcher === undefined || first === null) return c.text('no such job\n', 404);
  return liveEvents(c, async (live) => {
    const changes: JobStatus[] = [];
    let wake: () => void = () => undefined;
    const unsubscribe = launcher.subscribe(jobId, (status) => {
      changes.push(status);
      wake();
    });
    try {
      // Read after subscribing, so no change falls between the two.
      let status = launcher.status(jobId) ?? first;
      await live.send(jobFields(status));
      while (!live.isStopped() && status.state !== 'done') {
        if (changes.length === 0) {
          await Promise.race([live.stopped, new Promise<void>((resolve) => (wake = resolve))]);
          continue;
        }
        status = changes.shift()!;
        await live.send(jobFields(status));
        if (status.state === 'failed') await live.stopped;
      }
    } finally {
      unsubscribe();
    }
  });
};
