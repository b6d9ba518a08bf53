import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AssessmentDraftSchema } from '../src/assessment/schema.js';
import { TriageSchema } from '../src/feeds/triage.js';
import { toProviderJsonSchema } from '../src/llm/json-schema.js';
import { SynthesisDraftSchema } from '../src/synthesis/schema.js';
import { FAULT_KINDS, FaultServer, generateFromSchema, scriptFor, violateSchema, type FaultKind } from './support/fault-server.js';
import {
  causeOf,
  cli,
  FAKE_ANTHROPIC_KEY,
  FAKE_OPENAI_KEY,
  runKillTrials,
  runSoak,
  hasStackTrace,
  type ReportJson,
  type SoakReport,
} from './soak/soak.js';
import { describeReconciliation, reconcile, type ArchivedCall, type ServedRequest } from './soak/reconcile.js';

/**
 * Fault injection against the real CLI and SDKs: a fake model server on 127.0.0.1 answers from
 * the request's JSON Schema and injects HTTP errors, resets, hangs, bad output, truncation and
 * refusals at seeded rates. A short soak checks that nothing crashes, every desk ends done or
 * failed for a known reason, no call exceeds the retry/repair policy and resume heals every run;
 * SIGKILL trials check the archive survives a process killed at any moment.
 * `npm run soak` is the long version (100 events × 8 desks, 20 kill trials).
 */

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'assess-soak-test-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let dbSerial = 0;
const freshDb = (name: string) => join(dir, `${name}-${++dbSerial}.db`);

/** A fault server for one describe block, closed after it whatever happens. */
function useFaultServer(seed: number): FaultServer {
  const server = new FaultServer({ seed });
  beforeAll(async () => {
    await server.start();
  });
  afterAll(async () => {
    await server.close();
  });
  return server;
}

const envFor = (server: FaultServer, db: string) => ({
  OPENAI_API_KEY: FAKE_OPENAI_KEY,
  OPENAI_BASE_URL: server.openaiUrl,
  ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY,
  ANTHROPIC_BASE_URL: server.anthropicUrl,
  ASSESS_DB: db,
});

const oneDesk = (provider: string, ...extra: string[]) => [
  'run', 'fixtures/events/jbic-550b.md', '--provider', provider, '--agents', 'JP-01', '--no-progress', '--format', 'json', ...extra,
];

describe('the schema-driven answer generator', () => {
  const schemas = [
    ['desk', AssessmentDraftSchema],
    ['synthesis', SynthesisDraftSchema],
    ['triage', TriageSchema],
  ] as const;

  it.each(schemas)('%s: the generated instance validates; the violated one does not', (_name, schema) => {
    const value = generateFromSchema(toProviderJsonSchema(schema));
    expect(schema.safeParse(value).error?.issues).toBeUndefined();
    expect(schema.safeParse(violateSchema(value, '#1')).success).toBe(false);
  });

  it('reads bounds from keywords and from descriptions, and makes trajectories a distribution', () => {
    const value = generateFromSchema({
      type: 'object',
      properties: {
        a: { type: 'array', items: { type: 'string' }, minItems: 3 },
        b: { type: 'array', items: { type: 'integer' }, description: 'ids (at least 2 items, at most 2 items)' },
        n: { type: 'number', description: 'score (minimum 2, maximum 4)' },
        e: { type: 'string', enum: ['first', 'second'] },
        s: { type: 'string', description: 'long (at least 12 characters)' },
        o: { anyOf: [{ type: 'null' }, { type: 'boolean' }] },
        r: { $ref: '#/definitions/thing' },
        trajectories: { type: 'array', items: { type: 'object', properties: { probability: { type: 'number' } } } },
      },
      definitions: { thing: { type: 'object', properties: { x: { type: 'integer', exclusiveMinimum: 5 } } } },
    }) as Record<string, unknown>;
    expect(value).toMatchObject({ n: 3, e: 'first', o: true, r: { x: 6 } });
    expect(value['a']).toHaveLength(3);
    expect(value['b']).toHaveLength(2);
    expect(String(value['s']).length).toBeGreaterThanOrEqual(12);
    expect((value['trajectories'] as { probability: number }[]).map((t) => t.probability)).toEqual([0.5, 0.3, 0.2]);
  });
});

describe('each fault kind, one at a time', () => {
  const server = useFaultServer(7);

  /** What the pipeline must make of each fault with no retries and no repairs. */
  const expected: Record<FaultKind, { kind: string | null; reason?: RegExp }> = {
    rate_limit: { kind: 'provider', reason: /HTTP 429/ },
    server_error: { kind: 'provider', reason: /HTTP 500/ },
    unavailable: { kind: 'provider', reason: /HTTP 503/ },
    overloaded: { kind: 'provider', reason: /HTTP 529/ },
    reset: { kind: 'provider', reason: /connection|Connection error/i },
    hang: { kind: 'provider', reason: /timed out after 1s/ },
    invalid_json: { kind: 'invalid', reason: /not valid JSON/ },
    fenced_json: { kind: null },
    schema_violation: { kind: 'invalid', reason: /sum to 1 ± 0.02; they sum to 1.400/ },
    truncated: { kind: 'truncated', reason: /truncated/ },
    refusal: { kind: 'refusal', reason: /refused/ },
    empty_body: { kind: 'provider' },
  };

  for (const provider of ['openai', 'anthropic'] as const) {
    it(`${provider}: every kind reaches the desk as the failure it stands for`, async () => {
      const db = freshDb(`kinds-${provider}`);
      for (const kind of FAULT_KINDS) {
        // The desk gets the fault; the synthesizer (when it runs) answers cleanly.
        server.setPlan((r) => (r.target === 'JP-01' ? kind : null));
        const mark = server.requests.length;
        const r = await cli(oneDesk(provider, '--retries', '0', '--repairs', '0', '--call-timeout', '1'), envFor(server, db));
        expect(hasStackTrace(r.stderr), r.stderr).toBe(false);
        const report = JSON.parse(r.stdout) as ReportJson;
        const want = expected[kind];
        expect([kind, report.failures.map((f) => f.kind)[0] ?? null]).toEqual([kind, want.kind]);
        if (want.reason) expect(report.failures[0]?.reason, kind).toMatch(want.reason);
        expect(r.code, kind).toBe(want.kind === null ? 0 : 1);
        const seen = server.requests.slice(mark);
        expect(seen.map((s) => [s.target, s.fault]), kind).toEqual(want.kind === null ? [['JP-01', kind], ['synthesis', null]] : [['JP-01', kind]]);
        // The hanging request ends when the client aborts it (the server sees the socket close).
        if (kind === 'hang') await vi.waitFor(() => expect(seen[0]?.aborted).toBe(true), { timeout: 2000 });
      }
      server.setPlan(null);
    });
  }

  it('anthropic: a connection reset is retried', async () => {
    server.setPlan(scriptFor('JP-01', ['reset']));
    const r = await cli(oneDesk('anthropic', '--retries', '1'), envFor(server, freshDb('reset-anthropic')));
    server.setPlan(null);
    expect(r.code, r.stdout).toBe(0);
  });

  // Regression: openai 6.x errors keep the name 'Error', so resets were matched by name and never retried.
  it('openai: a connection reset is retried', async () => {
    server.setPlan(scriptFor('JP-01', ['reset']));
    const r = await cli(oneDesk('openai', '--retries', '1'), envFor(server, freshDb('reset-openai')));
    server.setPlan(null);
    expect(r.code, r.stdout).toBe(0);
  });

  // Regression: an empty 200 body surfaced as a TypeError filed under "connection failed".
  it('an empty 200 body is reported as an empty response, not as a connection failure', async () => {
    server.setPlan(scriptFor('JP-01', ['empty_body']));
    const r = await cli(oneDesk('openai', '--retries', '0'), envFor(server, freshDb('empty-body')));
    server.setPlan(null);
    const reason = (JSON.parse(r.stdout) as ReportJson).failures[0]?.reason ?? '';
    expect(reason).toMatch(/empty/i);
    expect(reason).not.toMatch(/connection failed|Cannot read properties/);
  });

  it('429 sends retry-after and retry-after-ms, and the client waits the short one', async () => {
    server.setPlan(scriptFor('JP-01', ['rate_limit', 'rate_limit']));
    const mark = server.requests.length;
    const started = Date.now();
    const r = await cli(oneDesk('openai', '--retries', '2'), envFor(server, freshDb('retry-after')));
    server.setPlan(null);
    expect(r.code, r.stdout).toBe(0);
    // Two waits of retry-after-ms (150 ms), not retry-after (1 s) nor the 1 s/2 s backoff.
    expect(Date.now() - started).toBeLessThan(1500);
    expect(server.counts(mark)).toEqual({ 'JP-01': 3, synthesis: 1 });
  });

  it('the same seed draws the same faults for the same requests, in any arrival order', async () => {
    const draw = async (seed: number, order: number[]) => {
      const s = await new FaultServer({ seed, faults: { server_error: 0.5, truncated: 0.3 } }).start();
      try {
        const post = (i: number) =>
          fetch(`${s.openaiUrl}/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'm', messages: [{ role: 'system', content: `You are JP-0${i}, a desk` }, { role: 'user', content: 'x' }] }),
          }).then((res) => res.arrayBuffer());
        for (const i of order) for (let k = 0; k < 3; k++) await post(i);
        return Object.fromEntries([1, 2, 3, 4].map((i) => [i, s.requests.filter((q) => q.target === `JP-0${i}`).map((q) => q.fault)]));
      } finally {
        await s.close();
      }
    };
    const a = await draw(42, [1, 2, 3, 4]);
    expect(await draw(42, [4, 3, 2, 1])).toEqual(a);
    expect(await draw(43, [1, 2, 3, 4])).not.toEqual(a);
  });
});

describe('soak: 6 events × 4 desks at a 30% fault rate (seeded)', () => {
  const SEED = 8;
  const server = useFaultServer(SEED);
  const DESKS = ['JP-01', 'US-01', 'CN-01', 'KR-01'];
  let report: SoakReport;

  beforeAll(async () => {
    report = await runSoak({
      server,
      dbPath: freshDb('soak'),
      events: 6,
      desks: DESKS,
      faultRate: 0.3,
      seed: SEED,
      timeoutSec: 2,
      retries: 3,
      repairs: 2,
      parallel: 6,
      anthropicEvery: 3,
    });
  }, 60_000);

  it('nothing crashed: exit codes 0, 3 or 1 matching the status, one-line errors, a JSON report each', () => {
    // The detector itself: a printed trace and one inside a pino JSON line are both caught.
    expect(hasStackTrace('Error: boom\n    at runCli (/work/main/src/cli/program.ts:12:5)\n')).toBe(true);
    expect(hasStackTrace('{"level":50,"err":{"stack":"Error: boom\\n    at f (/a.ts:1:2)"}}\n')).toBe(true);
    expect(hasStackTrace('assess: openai HTTP 500: boom\n')).toBe(false);
    expect(report.crashes.details).toEqual([]);
    const codeFor: Record<string, number> = { ok: 0, degraded: 3, failed: 1 };
    for (const o of report.outcomes) {
      expect([0, 1, 3]).toContain(o.code);
      expect(hasStackTrace(o.stderr), o.stderr).toBe(false);
      expect(o.code).toBe(codeFor[o.report?.status ?? 'none']);
    }
  });

  it('every desk ended done or failed, for a reason of a known kind', () => {
    for (const o of report.outcomes) {
      const r = o.report!;
      const ended = [...r.assessments.map((a) => a.agentId), ...r.failures.map((f) => f.agentId)].sort();
      expect(ended).toEqual([...DESKS].sort());
      for (const f of r.failures) {
        expect(['refusal', 'truncated', 'invalid', 'provider']).toContain(f.kind);
        expect(causeOf(f.reason), f.reason).not.toBe('other');
      }
      if (r.status === 'failed') expect(r.synthesisError).toBeTruthy();
    }
    // The soak must have hurt: some runs were not ok before the resume.
    expect(report.before['ok'] ?? 0).toBeLessThan(report.events);
  });

  it('no desk was called more often than the policy allows, in the archive or on the wire', () => {
    expect(report.attempts.overPolicy).toEqual([]);
    expect(report.attempts.maxPerDeskRound).toBeLessThanOrEqual(report.policy.maxAttempts);
    expect(report.attempts.serverMaxPerTurn).toBeLessThanOrEqual(report.policy.retries + 1);
    expect(report.attempts.serverMaxTurns).toBeLessThanOrEqual(report.policy.repairs + 1);
    // Every request the server saw is one archived call (the SDKs retry nothing on their own), and
    // every archived call is a request the server saw, or ended before reaching it (reconcile.ts).
    expect(report.reconciliation.unexplained).toEqual([]);
    expect(report.callsMatchRequests).toBe(true);
    expect(report.calls.round0).toBe(report.server.runPhase + report.reconciliation.unreached);
    // A retry the server did not see is one of those calls.
    expect(report.retries.archive).toBeGreaterThanOrEqual(report.retries.server);
    expect(report.retries.archive).toBeLessThanOrEqual(report.retries.server + report.reconciliation.unreached);
    expect(report.retries.archive).toBeGreaterThan(0);
  });

  it('faults of at least 5 kinds were injected', () => {
    const kinds = Object.entries(report.faults).filter(([, n]) => n > 0);
    expect(kinds.length, JSON.stringify(report.faults)).toBeGreaterThanOrEqual(5);
  });

  it('with the faults off, resume brings every run to ok', () => {
    expect(report.resumed).toBeGreaterThan(0);
    expect(report.resumeExitCodes).toEqual({ '0': report.resumed });
    expect(report.after).toEqual({ ok: report.events });
    // Only the missing desks and the synthesis were asked again.
    expect(report.server.resumePhase).toBeLessThan(report.server.runPhase);
  });
});

describe('the archive-vs-wire self-check (reconcile)', () => {
  const call = (id: number, turn: string, extra: Partial<ArchivedCall> = {}): ArchivedCall => ({
    id,
    runId: 'run-1-abcdef',
    purpose: 'desk/JP-01',
    conversation: 'c1',
    turn,
    answered: true,
    error: null,
    ...extra,
  });
  const request = (serial: number, turn: string, extra: Partial<ServedRequest> = {}): ServedRequest => ({ serial, conversation: 'c1', turn, answered: true, ...extra });
  const timedOut = { answered: false, error: 'openai call timed out after 3s' };
  const http500 = { answered: false, error: 'openai HTTP 500: boom' };

  it('equal accounts: nothing unreached, nothing unexplained', () => {
    const r = reconcile([call(1, 't1', http500), call(2, 't1'), call(3, 't2')], [request(1, 't1'), request(2, 't1'), request(3, 't2')]);
    expect(r).toEqual({ calls: 3, requests: 3, unreached: 0, unreachedBy: {}, unexplained: [] });
    expect(describeReconciliation(r)).toBe('yes: 3 archived = 3 on the wire + 0 that ended before reaching it');
  });

  it('a call that timed out before its request reached the server explains the difference', () => {
    // Attempt 1 answered 500, attempt 2 timed out unseen, attempt 3 succeeded: the server saw the turn twice.
    const r = reconcile([call(1, 't1', http500), call(2, 't1', timedOut), call(3, 't1')], [request(1, 't1'), request(2, 't1')]);
    expect(r.unexplained).toEqual([]);
    expect(r).toMatchObject({ unreached: 1, unreachedBy: { timeout: 1 } });
    expect(describeReconciliation(r)).toBe('yes: 3 archived = 2 on the wire + 1 that ended before reaching it (timeout 1)');
  });

  it('a timed-out call the server did see (a hang) pairs with it: nothing unreached', () => {
    const r = reconcile([call(1, 't1', timedOut), call(2, 't1')], [request(1, 't1', { answered: false }), request(2, 't1')]);
    expect(r).toMatchObject({ unreached: 0, unexplained: [] });
  });

  it('a connection failure with no answer may also have ended before the server', () => {
    const r = reconcile([call(1, 't1', { answered: false, error: 'openai connection failed: socket hang up' }), call(2, 't1')], [request(1, 't1')]);
    expect(r).toMatchObject({ unreached: 1, unreachedBy: { connection: 1 }, unexplained: [] });
  });

  it('requests of one turn may reach the server in another order than the calls were made', () => {
    // A stalled event loop: the retry arrived first, the timed-out attempt after it, unanswered.
    const r = reconcile([call(1, 't1', timedOut), call(2, 't1')], [request(7, 't1'), request(8, 't1', { answered: false })]);
    expect(r).toMatchObject({ unreached: 0, unexplained: [] });
  });

  it('a request the archive does not have is a mismatch', () => {
    const r = reconcile([call(1, 't1')], [request(1, 't1'), request(2, 't1')]);
    expect(r.unexplained).toHaveLength(1);
    expect(r.unexplained[0]).toMatch(/^run-1-ab desk\/JP-01, turn t1: 1 request\(s\) more than the archive has calls; archive \[answered\], wire \[answered; answered\]$/);
    expect(describeReconciliation(r)).toMatch(/^NO: 1 turn\(s\) do not add up \(1 archived, 2 on the wire/);
    expect(reconcile([], [request(1, 't1')]).unexplained).toEqual(['1 request(s) of conversation c1, turn t1, that the archive has no call of']);
  });

  it('a missing request is a mismatch unless the call ended in a timeout or connection failure without an answer', () => {
    // Answered, yet unseen by the server.
    expect(reconcile([call(1, 't1'), call(2, 't2')], [request(1, 't2')]).unexplained).toHaveLength(1);
    // An HTTP error needs a server that sent it.
    expect(reconcile([call(1, 't1', http500), call(2, 't1')], [request(1, 't1')]).unexplained).toHaveLength(1);
    // A timeout that still has an answer recorded did reach a server.
    expect(reconcile([call(1, 't1', { answered: true, error: 'openai call timed out after 3s' }), call(2, 't1')], [request(1, 't1')]).unexplained).toHaveLength(1);
  });

  it('calls pair with requests of their own turn only, and an answer needs a request the server answered', () => {
    expect(reconcile([call(1, 't1', timedOut), call(2, 't2')], [request(1, 't2')]).unexplained).toEqual([]);
    expect(reconcile([call(1, 't1')], [request(1, 't2')]).unexplained).toHaveLength(2);
    // A hang or a reset sends no answer: an answered call cannot be that request.
    expect(reconcile([call(1, 't1')], [request(1, 't1', { answered: false })]).unexplained).toHaveLength(1);
    expect(reconcile([call(1, 't1'), call(2, 't1', timedOut)], [request(1, 't1', { answered: false })]).unexplained).toHaveLength(1);
  });
});

describe('soak self-check with calls cut before they reach the server', () => {
  const server = useFaultServer(3);

  it('a 1 ms call timeout: every archived call is a request on the wire or a timeout that never got there', async () => {
    const report = await runSoak({
      server,
      dbPath: freshDb('unreached'),
      events: 2,
      desks: ['JP-01', 'US-01'],
      faultRate: 0,
      seed: 3,
      timeoutSec: 0.001,
      retries: 1,
      repairs: 0,
      parallel: 2,
      anthropicEvery: 2,
    });
    const { reconciliation } = report;
    expect(reconciliation.unexplained).toEqual([]);
    expect(report.callsMatchRequests).toBe(true);
    expect(reconciliation.unreachedBy.timeout ?? 0).toBeGreaterThan(0);
    expect(report.calls.round0).toBe(report.server.runPhase + reconciliation.unreached);
    expect(report.calls.round0).toBeGreaterThan(report.server.runPhase);
  }, 60_000);
});

describe('SIGKILL at a random moment (seeded)', () => {
  // SOAK_KILL_TRIALS raises the count; the suite runs 10 to stay within its time budget.
  const TRIALS = Number(process.env['SOAK_KILL_TRIALS'] ?? 10);
  const clean = useFaultServer(1);

  it(`${TRIALS} trials: integrity_check ok, resume completes every killed run`, async () => {
    const kills = await runKillTrials({
      trials: TRIALS,
      seed: 5,
      dir,
      clean,
      faultRate: 0.2,
      delayMs: [150, 700],
      desks: 'JP-01,US-01,CN-01,KR-01',
      timeoutSec: 2,
      retries: 3,
      repairs: 2,
      lanes: 2,
    });
    expect(kills.problems).toEqual([]);
    expect(kills.trials).toHaveLength(TRIALS);
    for (const t of kills.trials) {
      if (t.integrity !== null) expect(t.integrity).toBe('ok');
      if (t.landing !== 'before-run-row') expect(t.finalStatus).toBe('ok');
    }
    // The trials must reach the interesting case: killed with the run row written and unfinished.
    expect(kills.landings['mid-run'] ?? 0, JSON.stringify(kills.landings)).toBeGreaterThanOrEqual(Math.ceil(TRIALS / 3));
  }, 120_000);
});
