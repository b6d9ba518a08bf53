import { mswHarness } from './support/msw-harness.js';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PATHS } from '../src/cli/paths.js';
import { resolveConfig } from '../src/config/resolve-config.js';
import { retryPolicyFrom } from '../src/config/run-options.js';
import { ProviderError } from '../src/errors/index.js';
import { isRetryableStatus } from '../src/llm/provider-errors.js';
import { DEFAULT_RETRY_POLICY, retryDelay, type RetryPolicy } from '../src/llm/retry.js';
import { runCliCaptured } from './support/cli-io.js';
import { fakeLlm, reply, type FakeProvider } from './support/fake-apis.js';
import { SEED_EVENT } from './support/paths.js';

/**
 * The retry policy's numbers and status rules, pinned: which statuses are retried (through the
 * real openai and anthropic adapters, with retries on), the 30 s cap on any wait, and the ±25 %
 * jitter around the exponential backoff.
 */

const serverError = (retryAfterMs?: number) =>
  new ProviderError('HTTP 503', { status: 503, retryable: true, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });

/** The policy `assess run` and `assess watch` use, with the default retry count. */
const cliPolicy = (): RetryPolicy => retryPolicyFrom(resolveConfig({}, {}, DEFAULT_PATHS));

describe('retryDelay: backoff, jitter and cap', () => {
  it('the CLI uses the documented policy: 3 retries, backoff from 1 s, waits capped at 30 s', () => {
    expect(cliPolicy()).toEqual({ maxRetries: 3, baseDelayMs: 1000, maxDelayMs: 30_000 });
    expect(DEFAULT_RETRY_POLICY).toEqual(cliPolicy());
  });

  it('jitter spans exactly ±25 % around 1 s, 2 s, 4 s', () => {
    const policy = cliPolicy();
    const at = (retry: number, draw: number) => retryDelay(serverError(), retry, policy, () => draw);
    // random() = 0 is the bottom of the range, 0.5 its middle, just under 1 its top.
    expect([at(1, 0), at(1, 0.5), at(1, 1 - 1e-12)]).toEqual([750, 1000, 1250]);
    expect([at(2, 0), at(2, 0.5), at(2, 1 - 1e-12)]).toEqual([1500, 2000, 2500]);
    expect([at(3, 0), at(3, 0.5), at(3, 1 - 1e-12)]).toEqual([3000, 4000, 5000]);
    // Linear in between: a quarter of the way up is 12.5 % below the middle.
    expect(at(1, 0.25)).toBe(875);
  });

  it('with Math.random, every delay falls inside the ±25 % range', () => {
    const policy = cliPolicy();
    for (let i = 0; i < 2_000; i++) {
      const delay = retryDelay(serverError(), 2, policy);
      expect(delay).toBeGreaterThanOrEqual(1500);
      expect(delay).toBeLessThanOrEqual(2500);
    }
  });

  it('no wait exceeds 30 s: neither a long backoff nor a server asking for an hour', () => {
    const policy = cliPolicy();
    // Retry 6 would be 32 s × 0.75 = 24 s at the bottom of the jitter: under the cap, kept.
    expect(retryDelay(serverError(), 6, policy, () => 0)).toBe(24_000);
    // Retry 6 at the top (40 s) and retry 10 anywhere (≥ 384 s) are capped.
    expect(retryDelay(serverError(), 6, policy, () => 1 - 1e-12)).toBe(30_000);
    expect(retryDelay(serverError(), 10, policy, () => 0)).toBe(30_000);
    // The server's word is honoured below the cap, cut at it above.
    expect(retryDelay(serverError(29_999), 1, policy)).toBe(29_999);
    expect(retryDelay(serverError(3_600_000), 1, policy)).toBe(30_000);
    expect(retryDelay(serverError(0), 1, policy)).toBe(0);
  });
});

describe('which statuses are retried', () => {
  it('408, 409, 429, 5xx and 529 are retryable; other 4xx are not', () => {
    expect([408, 409, 429, 500, 502, 503, 504, 529].filter(isRetryableStatus)).toEqual([408, 409, 429, 500, 502, 503, 504, 529]);
    expect([400, 401, 402, 403, 404, 405, 410, 413, 422].filter(isRetryableStatus)).toEqual([]);
  });
});

const KEYS = { openai: 'sk-test-retry-rules-1234', anthropic: 'sk-ant-api03-test-retry-rules-1234' } as const;
const ENV: Record<FakeProvider, Record<string, string>> = {
  openai: { OPENAI_API_KEY: KEYS.openai, ASSESS_PROVIDER: 'openai' },
  anthropic: { ANTHROPIC_API_KEY: KEYS.anthropic, ASSESS_PROVIDER: 'anthropic' },
};

const { server, cwd: workdir } = mswHarness('assess-retry-rules-');

/** `assess run` with one desk and `--retries 3`, JP-01 answered by `script`; the JP-01 requests the server saw. */
async function runJp(provider: FakeProvider, script: Parameters<typeof fakeLlm>[0]) {
  const llm = fakeLlm(script);
  server.use(...llm.handlers);
  const result = await runCliCaptured(
    ['run', SEED_EVENT, '--agents', 'JP-01', '--format', 'json', '--no-progress', '--no-archive', '--call-timeout', '10', '--retries', '3'],
    { env: ENV[provider], cwd: workdir() },
  );
  return { ...result, requests: llm.requestsFor('JP-01') };
}

// A short retry-after on every error, so a status that is (wrongly) retried costs milliseconds,
// not the 1 s backoff, and shows up as extra requests rather than as a slow test.
const quickly = { headers: { 'retry-after-ms': '5' } };

describe.each<FakeProvider>(['openai', 'anthropic'])('%s adapter with --retries 3', (provider) => {
  it.each([400, 401, 403, 404, 422])('HTTP %i is not retried: one request, the desk fails with the status', async (status) => {
    const run = await runJp(provider, { scripts: { 'JP-01': reply.httpError(status, `fake ${status}`, quickly) } });
    expect(run.requests).toHaveLength(1);
    const report = JSON.parse(run.stdout) as { failures: { agentId: string; reason: string }[] };
    expect(report.failures.map((f) => f.agentId)).toEqual(['JP-01']);
    expect(report.failures[0]!.reason).toContain(`${provider} HTTP ${status}`);
  });

  it.each([408, 409])('HTTP %i is retried, and the retry succeeds', async (status) => {
    const run = await runJp(provider, { scripts: { 'JP-01': [reply.httpError(status, `fake ${status}`, quickly)] } });
    expect(run.code).toBe(0);
    expect(run.requests.map((r) => r.reply)).toEqual(['http-error', 'object']);
    // The retry resends the same turn: a retry, not a repair.
    expect(run.requests[1]!.messages).toEqual(run.requests[0]!.messages);
  });

  it('a status retried every time stops after 1 + 3 attempts', async () => {
    const run = await runJp(provider, { scripts: { 'JP-01': reply.httpError(409, 'fake 409', quickly) } });
    expect(run.requests).toHaveLength(4);
  });
});
