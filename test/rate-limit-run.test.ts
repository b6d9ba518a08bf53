import { afterEach, describe, expect, it } from 'vitest';
import { loadAgents, type AgentDefinition } from '../src/agents/index.js';
import { buildModels, resolveConfig } from '../src/config/index.js';
import { nodeEventReaders, readEvent } from '../src/event/index.js';
import { RateLimiters } from '../src/llm/rate-limiters.js';
import { runEvent, type RunResult } from '../src/pipeline/index.js';
import { loadPrompts } from '../src/prompts/index.js';
import { startFaultServer, type FaultServer } from './support/fault-server.js';
import { ROOT, SEED_EVENT } from './support/paths.js';

/**
 * Client-side rate limiting against a server that enforces a limit the way the providers do
 * (a token bucket refilled continuously, one second of burst, 429 with retry-after beyond it).
 * Time is compressed tenfold: "60 requests a minute" is 60 per 6 s on both sides, so a 20-desk
 * run (21 calls) takes about 2 s instead of 20.
 */

const WINDOW_MS = 6_000;
const RPM = 60;
const DESKS = 20;

let server: FaultServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Twenty desks: the shipped JP-01 under twenty ids (XA-01 … XT-01). */
async function twentyDesks(): Promise<AgentDefinition[]> {
  const [template] = await loadAgents(`${ROOT}agents`);
  return Array.from({ length: DESKS }, (_, i) => ({ ...template!, id: `X${String.fromCharCode(65 + i)}-01` }));
}

interface Outcome {
  run: RunResult;
  served: number;
  rejected: number;
  /** Admitted requests per minute (of the compressed clock) between the first and the last. */
  achievedRpm: number;
  limiter: ReturnType<RateLimiters['stats']>[number]['stats'];
  /** The pipeline's desk-throttled events, in order. */
  throttled: { agentId: string; waiting: boolean }[];
}

async function runAgainstLimitedServer(options: { headers: boolean; clientRpm?: number }): Promise<Outcome> {
  server = await startFaultServer({ rateLimit: { rpm: RPM, windowMs: WINDOW_MS, headers: options.headers }, delayMs: [20, 60] });
  const env = { OPENAI_API_KEY: 'sk-test-rate-limit-0000000000', OPENAI_BASE_URL: server.openaiUrl };
  const config = resolveConfig({ provider: 'openai', model: 'gpt-4.1-mini', retries: '6' }, env, {
    agentsDir: `${ROOT}agents`,
    promptsDir: `${ROOT}prompts`,
    replayDir: `${ROOT}fixtures/replay`,
  });
  const agents = await twentyDesks();
  const limiters = new RateLimiters({ windowMs: WINDOW_MS, ...(options.clientRpm ? { rpm: options.clientRpm } : {}) });
  const models = await buildModels(config, agents, undefined, limiters);
  const throttled: Outcome['throttled'] = [];
  const run = await runEvent({
    onEvent: (e) => {
      if (e.type === 'desk-throttled') throttled.push({ agentId: e.agentId, waiting: e.waiting });
    },
    runId: 'rate-limit-test',
    event: await readEvent({ path: SEED_EVENT }, nodeEventReaders()),
    agents,
    modelFor: models.forAgent,
    synthesisModel: models.synthesis,
    prompts: await loadPrompts(`${ROOT}prompts`),
    options: {
      concurrency: 8,
      timeoutMs: 30_000,
      maxRepairs: 1,
      maxOutputTokens: 4096,
      // Retry waits capped at 2 s: the compressed clock's equivalent of the real 30 s... and then some.
      retry: { maxRetries: 6, baseDelayMs: 100, maxDelayMs: 2_000 },
    },
    signal: new AbortController().signal,
  });
  // Desk calls only: the synthesis waits for the last desk to answer, not for a slot.
  const arrivals = server.requests.filter((r) => !r.rateLimited && r.target !== 'synthesis').map((r) => r.arrivedAt);
  const spanMs = (arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0);
  return {
    run,
    served: server.requests.filter((r) => !r.rateLimited).length,
    rejected: server.rateLimitedCount,
    achievedRpm: spanMs > 0 ? ((arrivals.length - 1) * WINDOW_MS) / spanMs : 0,
    limiter: limiters.stats()[0]!.stats,
    throttled,
  };
}

function expectEveryDeskDone(outcome: Outcome): void {
  expect(outcome.run.failures, JSON.stringify(outcome.limiter)).toEqual([]);
  expect(outcome.run.assessments).toHaveLength(DESKS);
  expect(outcome.run.synthesis).not.toBeNull();
  expect(outcome.run.status).toBe('ok');
  // Generated answers are schema-valid, so 20 desks + 1 synthesis are all the server admitted.
  expect(outcome.served).toBe(DESKS + 1);
}

describe('20 desks against a server limited to 60 requests a minute', () => {
  it('learning the limit from its headers: only the first burst (sent before any answer) meets a 429', async () => {
    const outcome = await runAgainstLimitedServer({ headers: true });
    expectEveryDeskDone(outcome);
    // Concurrency 8 sends 8 at once before anything is known; the server's burst is 1, so 7 come
    // back 429, and from then on the limiter paces at the learned limit.
    expect(outcome.rejected).toBeLessThanOrEqual(8);
    expect(outcome.limiter.learned.rpm).toBe(RPM);
    expect(outcome.limiter.rateLimited).toBe(outcome.rejected);
    // Paced, not stalled: at least 70% of the limit (headroom is 5%; the cut after the first burst recovers).
    expect(outcome.achievedRpm).toBeGreaterThan(0.7 * RPM);
    expect(outcome.achievedRpm).toBeLessThanOrEqual(RPM * 1.05);
    console.info(`rate limit (headers): ${outcome.rejected} × 429 of ${outcome.served + outcome.rejected} requests; achieved ${outcome.achievedRpm.toFixed(1)} of ${RPM} rpm`);
  }, 60_000);

  it('told the limit (--rpm 60): no 429 (at most one from jitter)', async () => {
    const outcome = await runAgainstLimitedServer({ headers: true, clientRpm: RPM });
    expectEveryDeskDone(outcome);
    // None in a quiet run. On this compressed clock the 5% headroom is only 5 ms per interval, so
    // a busy machine's scheduling jitter (or the first connection's set-up) can bunch two up once.
    expect(outcome.rejected).toBeLessThanOrEqual(1);
    expect(outcome.achievedRpm).toBeGreaterThan(0.85 * RPM);
    // Desks that queued for a slot said so, and each wait ended before its call went out.
    const waited = outcome.throttled.filter((t) => t.waiting).map((t) => t.agentId);
    expect(waited.length).toBeGreaterThanOrEqual(DESKS - 2);
    expect(outcome.throttled.filter((t) => !t.waiting).map((t) => t.agentId).sort()).toEqual([...waited].sort());
    console.info(`rate limit (--rpm): ${outcome.rejected} × 429; achieved ${outcome.achievedRpm.toFixed(1)} of ${RPM} rpm`);
  }, 60_000);

  it('a server that sends no rate-limit headers: the limiter adapts from 429s and every desk still finishes', async () => {
    const outcome = await runAgainstLimitedServer({ headers: false });
    expectEveryDeskDone(outcome);
    expect(outcome.limiter.learned.rpm).toBeNull();
    // It found a limit of its own from the 429s ...
    expect(outcome.limiter.effectiveRpm).not.toBeNull();
    // ... and far fewer calls hit the wall than the 20 desks × retries an unpaced client would send.
    expect(outcome.rejected).toBeLessThan(DESKS);
    console.info(`rate limit (no headers): ${outcome.rejected} × 429 of ${outcome.served + outcome.rejected} requests; achieved ${outcome.achievedRpm.toFixed(1)} rpm`);
  }, 60_000);
});

describe('the CLI says when rate limits slowed a run', () => {
  it('--rpm on the replay provider: progress lines show desks waiting, stderr sums up the waits', async () => {
    const { runCliCaptured } = await import('./support/cli-io.js');
    const r = await runCliCaptured(['run', SEED_EVENT, '--provider', 'replay', '--rpm', '240', '--no-archive', '--format', 'json'], { env: {} });
    expect(r.code, r.stderr).toBe(0);
    // 240 a minute, 4 at once: of 9 calls, the ones after the first burst wait.
    const waiting = r.stderr.split('\n').filter((l) => /\] [A-Z]{2}-\d{2} waiting for a rate-limit slot$/.test(l));
    expect(waiting.length).toBeGreaterThanOrEqual(4);
    expect(r.stderr).toMatch(/^rate limits: replay\/replay: [4-8] of 9 call\(s\) waited \d+\.\ds in total; pacing at 228 requests\/min$/m);
  }, 30_000);
});
