import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { redactSecrets } from '../src/errors/redact.js';
import { runCliCaptured } from './support/cli-io.js';
import { fakeLlm, reply } from './support/fake-apis.js';
import { SEED_EVENT } from './support/paths.js';

/**
 * Bearer tokens are redacted like `sk-` keys: a gateway or proxy that echoes the Authorization
 * header it rejected must not put the token into a report, a log line or the archive.
 */

describe('redactSecrets: Bearer tokens', () => {
  it.each([
    ['Authorization: Bearer abcdefgh12345678', 'Authorization: [redacted]'],
    ['authorization: bearer abcdefgh12345678', 'authorization: [redacted]'],
    ['AUTHORIZATION: BEARER ABCDEFGH12345678', 'AUTHORIZATION: [redacted]'],
    // JWT-shaped (dots), base64 (+ / =), URL-safe (- _ ~).
    ['header Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl rejected', 'header [redacted] rejected'],
    ['got "Bearer dGVzdDp0b2tlbg+/==" from client', 'got "[redacted]" from client'],
    ['Bearer\tgw_live-4f3c~9a8b7c6d', '[redacted]'],
    ['two: Bearer aaaaaaaa11111111 and Bearer bbbbbbbb22222222.', 'two: [redacted] and [redacted].'],
  ])('%s', (text, redacted) => {
    expect(redactSecrets(text)).toBe(redacted);
  });

  it('leaves prose about bearer tokens alone (short words are not tokens)', () => {
    expect(redactSecrets('Bearer tokens expire after an hour')).toBe('Bearer tokens expire after an hour');
    expect(redactSecrets('the bearer bond market')).toBe('the bearer bond market');
  });
});

describe('a provider error that echoes a Bearer token', () => {
  const server = setupServer();
  let dir = '';
  beforeAll(() => {
    server.listen({ onUnhandledRequest: 'error' });
    dir = mkdtempSync(join(tmpdir(), 'assess-redaction-'));
  });
  afterEach(() => server.resetHandlers());
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reaches no output, log line or archive byte', async () => {
    // Not our key: a proxy in front of the provider echoing the token it forwarded upstream.
    const token = 'upstream-tok-7Hq2Zx9Lw4Rk8Vb3';
    const llm = fakeLlm({
      scripts: { 'JP-01': reply.httpError(401, `Invalid authentication: header "Authorization: Bearer ${token}" was rejected by the gateway`) },
    });
    server.use(...llm.handlers);
    const db = join(dir, 'assess.db');
    const run = await runCliCaptured(
      ['run', SEED_EVENT, '--agents', 'JP-01,US-01', '--format', 'json', '--no-progress', '--retries', '0', '--log-level', 'debug'],
      { env: { OPENAI_API_KEY: 'sk-test-redaction-12345678', ASSESS_PROVIDER: 'openai', ASSESS_DB: db }, cwd: dir },
    );

    // The failure is reported, with the token masked.
    const report = JSON.parse(run.stdout) as { failures: { agentId: string; reason: string }[] };
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]!.reason).toContain('openai HTTP 401: Invalid authentication: header "Authorization: [redacted]" was rejected');
    expect(run.stdout).not.toContain(token);
    expect(run.stderr).not.toContain(token);
    // Every byte of the archive (database and its WAL/journal files), not only the rows we think of.
    const files = readdirSync(dir).filter((f) => f.startsWith('assess.db'));
    expect(files).toContain('assess.db');
    for (const f of files) expect(readFileSync(join(dir, f)).includes(Buffer.from(token)), f).toBe(false);
    // The request did carry it in the message the fake returned: the test would see it otherwise.
    expect(llm.requestsFor('JP-01')).toHaveLength(1);
  });
});
