import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from './support/cli-io.js';
import { fakeLlm, reply } from './support/fake-apis.js';
import { SEED_EVENT } from './support/paths.js';
import { recordedDesk } from './support/recordings.js';

/**
 * A planted key, deliberately not shaped like `sk-…`, so only redaction by value (not by pattern)
 * can keep it out. A hostile or broken provider echoes it in an error and in a model answer.
 */
const PLANTED = 'plant3d-K3y-0f-the-Test-2b9f7c1e';
const server = setupServer();
const dir = mkdtempSync(join(tmpdir(), 'assess-secrets-'));
const db = join(dir, 'archive.db');
const env = { OPENAI_API_KEY: PLANTED, ASSESS_PROVIDER: 'openai', ASSESS_DB: db };

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every byte the program wrote: captured output plus every file under `dir` (archive, WAL, reports). */
function everythingWritten(outputs: string[]): { name: string; bytes: Buffer }[] {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
  return [
    ...outputs.map((text, i) => ({ name: `output ${i}`, bytes: Buffer.from(text, 'utf8') })),
    ...files.map((f) => ({ name: f, bytes: readFileSync(f) })),
  ];
}

describe('secrets', () => {
  it('a planted key echoed by the provider appears nowhere: stdout, stderr, logs, reports, exports, the archive file', async () => {
    const desk = recordedDesk('US-01');
    const llm = fakeLlm({
      scripts: {
        // The provider rejects the key and quotes it back.
        'JP-01': reply.httpError(401, `Incorrect API key provided: ${PLANTED}. Check your key.`),
        // A broken or hostile server puts the key in a model answer.
        'US-01': reply.object({ ...desk, caveats: [...desk.caveats, `Diagnostic: authenticated with ${PLANTED}.`] }),
      },
    });
    server.use(...llm.handlers);
    const out = join(dir, 'out');
    const outputs: string[] = [];
    const run = await runCliCaptured(
      ['run', SEED_EVENT, '--agents', 'JP-01,US-01,CN-01', '--retries', '0', '--log-level', 'trace', '--format', 'json', '--no-progress'],
      { env },
    );
    outputs.push(run.stdout, run.stderr);
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout) as { runId: string; failures: { agentId: string; reason: string }[] };
    expect(report.failures[0]).toMatchObject({ agentId: 'JP-01' });
    expect(report.failures[0]!.reason).toContain('[redacted]');

    const toFiles = await runCliCaptured(['run', SEED_EVENT, '--agents', 'JP-01,US-01', '--retries', '0', '--out', out, '--no-progress'], { env });
    outputs.push(toFiles.stdout, toFiles.stderr);
    for (const args of [
      ['runs', 'show', report.runId, '--calls'],
      ['runs', 'show', report.runId, '--calls', '--format', 'json'],
      ['runs', 'show', report.runId, '--format', 'json'],
      ['runs', 'export', report.runId, '--format', 'html'],
      ['runs', 'list', '--format', 'json'],
      ['search', 'Diagnostic authenticated', '--format', 'json'],
    ]) {
      const r = await runCliCaptured(args, { env });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      outputs.push(r.stdout, r.stderr);
    }

    const written = everythingWritten(outputs);
    // The archive and the report files are among what was checked.
    expect(written.map((w) => w.name)).toEqual(expect.arrayContaining([db, join(out, 'report.md'), join(out, 'report.json')]));
    expect(existsSync(db)).toBe(true);
    const needle = Buffer.from(PLANTED, 'utf8');
    for (const { name, bytes } of written) {
      const at = bytes.indexOf(needle);
      expect(at === -1, `${name} contains the planted key: …${bytes.subarray(Math.max(0, at - 120), at + 40).toString('utf8')}…`).toBe(true);
    }
    // And the redaction marker shows where it was removed, rather than the text silently vanishing.
    expect(outputs.some((o) => o.includes('authenticated with [redacted]'))).toBe(true);
  });
});
