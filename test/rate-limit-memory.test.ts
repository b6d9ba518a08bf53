import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RateLimitMemory } from '../src/llm/rate-limit-memory.js';
import { RateLimiter } from '../src/llm/rate-limiter.js';
import { runCliCaptured } from './support/cli-io.js';
import { startFaultServer, type FaultServer } from './support/fault-server.js';
import { SEED_EVENT } from './support/paths.js';

/**
 * Rate limits a provider advertised are remembered between runs (rate-limits.json beside the
 * archive), so a new `assess run` paces its first wave instead of bursting into 429s.
 */

const dir = mkdtempSync(join(tmpdir(), 'assess-rl-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let server: FaultServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('RateLimitMemory', () => {
  it('remembers per provider, endpoint and model; an entry older than a day is forgotten', async () => {
    const file = join(dir, 'unit', 'rate-limits.json');
    let now = Date.parse('2026-11-26T10:00:00Z');
    const first = await RateLimitMemory.load(file, () => now);
    const key = RateLimitMemory.key('openai', 'default', 'gpt-4.1');
    first.remember(key, { rpm: 500, tpm: 30_000, tokenCounts: 'total' });
    first.remember(RateLimitMemory.key('openai', 'http://127.0.0.1:8000/v1', 'gpt-4.1'), {});
    expect(await first.save()).toBeNull();

    const again = await RateLimitMemory.load(file, () => now);
    expect(again.recall(key)).toEqual({ rpm: 500, tpm: 30_000, tokenCounts: 'total' });
    // Nothing advertised is nothing to remember.
    expect(again.recall(RateLimitMemory.key('openai', 'http://127.0.0.1:8000/v1', 'gpt-4.1'))).toBeUndefined();
    expect(again.recall(RateLimitMemory.key('anthropic', 'default', 'gpt-4.1'))).toBeUndefined();
    now += 25 * 3_600_000;
    expect((await RateLimitMemory.load(file, () => now)).recall(key)).toBeUndefined();
  });

  it('a corrupt file is an empty memory; an unchanged memory writes nothing', async () => {
    const file = join(dir, 'corrupt', 'rate-limits.json');
    const memory = await RateLimitMemory.load(file);
    expect(await memory.save()).toBeNull();
    expect(existsSync(file)).toBe(false);
    writeFileSync(join(dir, 'garbage.json'), '{ not json');
    expect((await RateLimitMemory.load(join(dir, 'garbage.json'))).recall('openai default gpt-4.1')).toBeUndefined();
  });

  it('a limiter starting from remembered limits paces its first calls; without them it lets them all go', async () => {
    const now = 1_000_000;
    const estimate = { inputTokens: 100, maxOutputTokens: 100 };
    const signal = new AbortController().signal;
    const fresh = new RateLimiter({ now: () => now });
    for (let i = 0; i < 8; i++) {
      expect(fresh.wouldWait(estimate)).toBe(false);
      await fresh.acquire(estimate, signal);
    }
    const remembered = new RateLimiter({ now: () => now, remembered: { rpm: 120 } });
    await remembered.acquire(estimate, signal);
    // 120 a minute at 95%: a one-call burst, then one every ~0.53 s.
    expect(remembered.wouldWait(estimate)).toBe(true);
    expect(remembered.advertised()).toEqual({ rpm: 120 });
  });
});

describe('through the CLI', () => {
  it('the first run meets the limit in its first wave; the next run starts from the remembered limit and meets none', async () => {
    server = await startFaultServer({ rateLimit: { rpm: 120, headers: true }, answers: 'recorded', delayMs: [50, 100] });
    const db = join(dir, 'cli', 'assess.db');
    const run = () =>
      runCliCaptured(['run', SEED_EVENT, '--agents', 'JP-01,US-01,CN-01,KR-01', '--concurrency', '4', '--format', 'json', '--no-progress', '--db', db], {
        env: { OPENAI_API_KEY: 'sk-test-rl-memory-0000000000', OPENAI_BASE_URL: server!.openaiUrl, ASSESS_DB: '' },
        cwd: dir,
      });

    const first = await run();
    expect(first.code, first.stderr).toBe(0);
    const firstRejected = server.rateLimitedCount;
    // A burst of one second's worth (2 requests) is allowed; the other two of the first wave are not.
    expect(firstRejected).toBeGreaterThanOrEqual(1);
    const saved = JSON.parse(readFileSync(join(dir, 'cli', 'rate-limits.json'), 'utf8')) as { limits: Record<string, { rpm?: number }> };
    expect(saved.limits[`openai ${server.openaiUrl} gpt-4.1`]?.rpm).toBe(120);

    // The server's one-second burst refills first: the first run's last calls must not count against the second.
    await new Promise((r) => setTimeout(r, 1_100));
    const second = await run();
    expect(second.code, second.stderr).toBe(0);
    expect(server.rateLimitedCount - firstRejected).toBe(0);
    expect(second.stderr).toMatch(/rate limits: openai\/gpt-4\.1: \d+ of 5 call\(s\) waited [\d.]+s in total; pacing at 114 requests\/min\n/);
  }, 30_000);
});
