/**
 * `/new` and its progress page (issue 15 §2), in-process: a launcher built as `assess serve
 * --provider replay` builds it runs the CLI's pipeline on an uploaded event file; the job page and
 * its SSE stream follow the desks; the run is archived with its 8 desks. Bad input is one line
 * with 400, a POST without CSRF is 403, and no API key reaches a page.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launcherFor } from '../../src/cli/commands/serve.js';
import type { CliIo } from '../../src/cli/io.js';
import { PACKAGE_ROOT } from '../../src/cli/paths.js';
import type { AssessmentLauncher } from '../../src/web/deps.js';
import { webFixture, type WebFixture } from './support.js';

const SEED = join(PACKAGE_ROOT, 'fixtures', 'events', 'jbic-550b.md');
const FAKE_KEY = 'sk-test-web-launcher-0123456789abcdefABCDEF';

function testIo(cwd: string, env: Record<string, string | undefined> = {}): CliIo & { err: () => string } {
  let err = '';
  return {
    stdout: { write: () => true },
    stderr: { write: (s: string) => (err += s) },
    stdin: Readable.from([]),
    env,
    cwd,
    signal: new AbortController().signal,
    err: () => err,
  };
}

/** Reads SSE messages from a stream response until `until` holds or the stream ends; then cancels it. */
async function readEvents(response: Response, until: (data: Record<string, unknown>) => boolean): Promise<Record<string, unknown>[]> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const messages: Record<string, unknown>[] = [];
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
      if (data) messages.push(JSON.parse(data) as Record<string, unknown>);
    }
    if (messages.length > 0 && until(messages[messages.length - 1]!)) break;
  }
  await reader.cancel();
  return messages;
}

function upload(csrf: string | null, fields: Record<string, string>, file?: { name: string; content: string }, desks: string[] = []): RequestInit {
  const form = new FormData();
  if (csrf !== null) form.set('_csrf', csrf);
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  if (file) form.set('file', new File([file.content], file.name, { type: 'text/markdown' }));
  for (const d of desks) form.append('desk', d);
  return { method: 'POST', body: form };
}

describe('/new: start an assessment from the browser', () => {
  let fixture: WebFixture;
  let launcher: AssessmentLauncher;
  const ALL = ['JP-01', 'US-01', 'CN-01', 'KR-01', 'EU-01', 'TW-01', 'IN-01', 'GB-01'];

  beforeAll(async () => {
    fixture = webFixture();
    launcher = await launcherFor({ provider: 'replay', db: fixture.db }, testIo(fixture.dir), fixture.deps.write);
    fixture.deps.launcher = launcher;
  }, 120_000);
  afterAll(async () => {
    await launcher?.close();
    fixture?.close();
  });

  it('the form lists every desk, checked; its JSON twin says runs can start', async () => {
    const page = await fixture.request('/new');
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toContain('enctype="multipart/form-data"');
    expect(body).toContain('name="_csrf"');
    expect(body.match(/type="checkbox" name="desk" value="[A-Z]{2}-01" checked/g)).toHaveLength(8);
    const twin = (await (await fixture.request('/new.json')).json()) as { available: boolean; desks: { id: string }[] };
    expect(twin.available).toBe(true);
    expect(twin.desks.map((d) => d.id).sort()).toEqual([...ALL].sort());
  });

  it('uploading the seed file → 303 → the job page → SSE desk states → done with the run id; the run is archived with 8 desks', async () => {
    await fixture.request('/new');
    const posted = await fixture.request('/new', upload(fixture.csrf(), {}, { name: 'jbic-550b.md', content: readFileSync(SEED, 'utf8') }, ALL));
    expect(posted.status).toBe(303);
    const location = posted.headers.get('location')!;
    expect(location).toMatch(/^\/new\/[0-9a-f-]+$/);

    const job = await fixture.request(location);
    expect(job.status).toBe(200);
    const jobHtml = await job.text();
    expect(jobHtml).toContain(`data-live-src="${location}/events"`);
    expect(jobHtml).toMatch(/data-live-done="\/runs\/[0-9a-f-]{36}"/);
    expect(jobHtml.match(/data-field="desk-[A-Z]{2}-01"/g)).toHaveLength(8);

    const stream = await fixture.request(`${location}/events`);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const messages = await readEvents(stream, (m) => m['done'] === true);
    const last = messages[messages.length - 1]!;
    expect(last['done']).toBe(true);
    expect(last['state']).toBe('done');
    expect(last['runId']).toMatch(/^[0-9a-f-]{36}$/);
    for (const id of ALL) expect(last[`desk-${id}`]).toBe('ok');
    expect(last['progress']).toBe('8/8');
    // Each message carries every desk's state.
    expect(messages.every((m) => ALL.every((id) => typeof m[`desk-${id}`] === 'string'))).toBe(true);

    const runId = last['runId'] as string;
    const run = (await (await fixture.request(`/runs/${runId}.json`)).json()) as { runId?: string; assessments?: unknown[]; status?: string };
    expect(run.assessments).toHaveLength(8);
    expect(run.status).toBe('ok');
    expect((await fixture.request(`/runs/${runId}`)).status).toBe(200);

    // Done: the job page links the report and stops following.
    const doneHtml = await (await fixture.request(location)).text();
    expect(doneHtml).toContain(`<a href="/runs/${runId}">Open the report</a>`);
    expect(doneHtml).not.toContain('data-live-src');
    const status = (await (await fixture.request(`${location}.json`)).json()) as { state: string; desks: { state: string }[] };
    expect(status.state).toBe('done');
    expect(status.desks.filter((d) => d.state === 'ok')).toHaveLength(8);
  }, 120_000);

  it('bad input is one line with 400: empty text, no desk, a URL that is not http(s), nothing given', async () => {
    await fixture.request('/new');
    const csrf = fixture.csrf();
    const cases: [RequestInit, RegExp][] = [
      [upload(csrf, { title: 'A title', text: '   ' }, undefined, ['JP-01']), /the text is empty/],
      [upload(csrf, { title: 'A title', text: 'Some text.' }, undefined, []), /choose at least one desk/],
      [upload(csrf, { url: 'ftp://example.com/news' }, undefined, ['JP-01']), /not an http\(s\) URL/],
      [upload(csrf, {}, undefined, ['JP-01']), /give the event/],
      [upload(csrf, { title: 'A title', text: 'Some text.' }, undefined, ['XX-01']), /unknown desk XX-01/],
    ];
    for (const [init, why] of cases) {
      const r = await fixture.request('/new', init);
      expect(r.status).toBe(400);
      const text = await r.text();
      const message = /<p class="message">([^<]*)<\/p>/.exec(text)?.[1] ?? '';
      expect(message).toMatch(why);
      expect(message.split('\n')).toHaveLength(1);
    }
  });

  it('a POST without the CSRF token is refused with 403 and starts nothing', async () => {
    const r = await fixture.request('/new', upload(null, { title: 'A title', text: 'Some text.' }, undefined, ['JP-01']));
    expect(r.status).toBe(403);
  });

  it('an unknown job is 404', async () => {
    expect((await fixture.request('/new/no-such-job')).status).toBe(404);
    expect((await fixture.request('/new/no-such-job/events')).status).toBe(404);
  });
});

describe('/new: keys stay on the server', () => {
  it('with an API key configured (openai), neither the page nor its JSON twin contains it', async () => {
    const fixture = webFixture({ build: false });
    const io = testIo(fixture.dir, { OPENAI_API_KEY: FAKE_KEY });
    const launcher = await launcherFor({ provider: 'openai', db: fixture.db }, io, fixture.deps.write);
    fixture.deps.launcher = launcher;
    try {
      expect(launcher.unavailable()).toBeNull();
      const page = await (await fixture.request('/new')).text();
      const twin = await (await fixture.request('/new.json')).text();
      expect(page).toContain('name="desk"');
      for (const body of [page, twin]) {
        expect(body).not.toContain(FAKE_KEY);
        expect(body).not.toContain('sk-test');
      }
    } finally {
      await launcher.close();
      fixture.close();
    }
  });

  it('without an API key, /new says so in one line and a submit is refused with that line', async () => {
    const fixture = webFixture({ build: false });
    const launcher = await launcherFor({ provider: 'openai', db: fixture.db }, testIo(fixture.dir, {}), fixture.deps.write);
    fixture.deps.launcher = launcher;
    try {
      const page = await (await fixture.request('/new')).text();
      const line = /<p class="message live-unavailable">([^<]*)<\/p>/.exec(page)?.[1];
      expect(line).toMatch(/missing API key for provider openai/);
      expect(page).not.toContain('name="desk"');
      const twin = (await (await fixture.request('/new.json')).json()) as { available: boolean; unavailable: string };
      expect(twin.available).toBe(false);
      const r = await fixture.request('/new', upload(fixture.csrf(), { title: 'A title', text: 'Some text.' }, undefined, ['JP-01']));
      expect(r.status).toBe(503);
      expect(await r.text()).toMatch(/missing API key/);
    } finally {
      await launcher.close();
      fixture.close();
    }
  });
});

describe('/new: the server stopping', () => {
  it('aborts the run in flight: it is archived as cancelled (resumable) and the job says how to finish it', async () => {
    const fixture = webFixture({ build: false });
    const launcher = await launcherFor({ provider: 'replay', db: fixture.db }, testIo(fixture.dir), fixture.deps.write);
    fixture.deps.launcher = launcher;
    try {
      const { jobId } = await launcher.start({ file: { name: 'jbic-550b.md', bytes: readFileSync(SEED) }, desks: ['JP-01', 'US-01', 'CN-01'] });
      await launcher.close();
      const status = launcher.status(jobId)!;
      expect(status.state).toBe('failed');
      expect(status.message).toMatch(/^interrupted \(\d\/3 desks\); finish it with: assess resume [0-9a-f]{8}$/);
      const run = (await (await fixture.request(`/runs/${status.runId}.json`)).json()) as { status: string };
      expect(run.status).toBe('cancelled');
      await expect(launcher.start({ title: 'A title', text: 'Some text.', desks: ['JP-01'] })).rejects.toThrow(/server is stopping/);
    } finally {
      fixture.close();
    }
  });
});
