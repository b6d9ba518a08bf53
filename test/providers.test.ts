import { mswHarness } from './support/msw-harness.js';
import { describe, expect, it } from 'vitest';
import type { toRunJson } from '../src/report/json.js';
import { runCliCaptured } from './support/cli-io.js';
import {
  ANTHROPIC_MESSAGES_URL,
  DEFAULT_USAGE,
  OPENAI_CHAT_URL,
  SYNTHESIS,
  fakeLlm,
  reply,
  type FakeLlmOptions,
  type FakeProvider,
  type SeenRequest,
} from './support/fake-apis.js';
import { SEED_EVENT } from './support/paths.js';
import { recordedDesk, recordedSynthesis } from './support/recordings.js';

/**
 * The CLI end to end against fake OpenAI and Anthropic endpoints: the official SDKs build and send
 * real HTTP requests, msw answers them, and the tests check both the report and what the models
 * were sent.
 */

type RunReport = ReturnType<typeof toRunJson>;

const OPENAI_KEY = 'sk-test-123456789';
const ANTHROPIC_KEY = 'sk-ant-api03-test-abcdef123456';
const OPENAI_ENV = { OPENAI_API_KEY: OPENAI_KEY, ASSESS_PROVIDER: 'openai' };
const ANTHROPIC_ENV = { ANTHROPIC_API_KEY: ANTHROPIC_KEY };
const ENV: Record<FakeProvider, Record<string, string>> = { openai: OPENAI_ENV, anthropic: ANTHROPIC_ENV };

const LOCAL_BASE_URL = 'http://127.0.0.1:11434/v1';

const { server, cwd: workdir, consoleWarn } = mswHarness('assess-providers-');

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  report: RunReport;
  elapsedMs: number;
}

/** Serves a fake for this run and runs `assess run <seed event> --format json` against it. */
async function run(args: string[], env: Record<string, string>, fake: FakeLlmOptions = {}) {
  const llm = fakeLlm(fake);
  server.use(...llm.handlers);
  const started = Date.now();
  const result = await runCliCaptured(
    ['run', SEED_EVENT, '--format', 'json', '--no-progress', '--call-timeout', '10', '--retries', '0', ...args],
    { env, cwd: workdir() },
  );
  const elapsedMs = Date.now() - started;
  let report: RunReport;
  try {
    report = JSON.parse(result.stdout) as RunReport;
  } catch {
    throw new Error(`stdout is not a JSON report (exit ${result.code})\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
  const outcome: Outcome = { ...result, report, elapsedMs };
  return { ...outcome, llm };
}

const callsFor = (report: RunReport, purpose: string) => report.usage.calls.filter((c) => c.purpose === purpose);
const only = <T>(items: T[]): T => {
  expect(items).toHaveLength(1);
  return items[0]!;
};
const lastUserMessage = (request: SeenRequest): string => {
  const last = request.messages.at(-1);
  expect(last?.role).toBe('user');
  return last?.content ?? '';
};

/** Every object node of a JSON Schema, so strict-mode rules can be checked throughout. */
function objectNodes(node: unknown): Record<string, unknown>[] {
  if (Array.isArray(node)) return node.flatMap(objectNodes);
  if (node === null || typeof node !== 'object') return [];
  const record = node as Record<string, unknown>;
  const here = record['type'] === 'object' ? [record] : [];
  return [...here, ...Object.values(record).flatMap(objectNodes)];
}

/** The trajectories of a recorded desk, with the first one inflated so they sum to 1.3. */
function deskWithBadTrajectories(agentId: string) {
  const draft = recordedDesk(agentId);
  const [first, ...rest] = draft.trajectories;
  if (!first) throw new Error('recording has no trajectories');
  return { ...draft, trajectories: [{ ...first, probability: first.probability + 0.3 }, ...rest] };
}

describe('happy path', () => {
  it('OpenAI: three desks and the synthesis, with strict json_schema requests and priced usage', async () => {
    const { code, report, llm } = await run(['--agents', 'JP-01,US-01,CN-01', '--max-output-tokens', '4096'], OPENAI_ENV);

    expect(code).toBe(0);
    expect(report.status).toBe('ok');
    expect(report.failures).toEqual([]);
    expect(report.assessments.map((a) => a.agentId)).toEqual(['JP-01', 'US-01', 'CN-01']);
    for (const a of report.assessments) {
      expect(a.risks.map((r) => r.id)).toEqual(a.risks.map((_, i) => `${a.agentId}:R${i + 1}`));
      expect(a.trajectories.map((t) => t.id)).toEqual(a.trajectories.map((_, i) => `${a.agentId}:T${i + 1}`));
      expect(a.bottomLine).toBe(recordedDesk(a.agentId).bottomLine);
      expect(a.provenance).toMatchObject({ provider: 'openai', attempts: 1 });
    }
    expect(report.assessments[0]!.risks[0]!.id).toBe('JP-01:R1');

    const synthesis = report.synthesis;
    expect(synthesis).not.toBeNull();
    expect(synthesis!.coverage).toEqual({ included: ['JP-01', 'US-01', 'CN-01'], missing: [] });
    expect(synthesis!.scenarios.length).toBeGreaterThan(1);
    expect(synthesis!.scenarios.reduce((s, x) => s + x.pooledProbability, 0)).toBeCloseTo(1, 2);
    // Every desk trajectory lands in exactly one scenario.
    const placed = synthesis!.scenarios.flatMap((s) => s.memberIds).sort();
    expect(placed).toEqual(report.assessments.flatMap((a) => a.trajectories.map((t) => t.id)).sort());

    // Usage is what the fake reported, call by call, priced as gpt-4.1 (the API answers with a dated snapshot).
    const input = 3 * DEFAULT_USAGE.desk.input + DEFAULT_USAGE.synthesis.input;
    const output = 3 * DEFAULT_USAGE.desk.output + DEFAULT_USAGE.synthesis.output;
    expect(llm.reportedUsage()).toEqual({ input, output });
    expect(report.usage.total).toMatchObject({ calls: 4, inputTokens: input, outputTokens: output, costComplete: true });
    expect(report.usage.total.costUsd).toBeGreaterThan(0);
    expect(report.usage.total.costUsd).toBeCloseTo((input * 2 + output * 8) / 1e6, 6);
    expect(report.usage.calls.map((c) => c.purpose).sort()).toEqual(['desk/CN-01', 'desk/JP-01', 'desk/US-01', 'synthesis']);
    // The call log records the model the provider reported running, not only the alias asked for.
    expect(report.usage.calls.every((c) => c.model === 'gpt-4.1-2025-04-14' && c.error === null)).toBe(true);

    // What the SDK sent.
    expect(llm.requests.map((r) => r.target).slice(0, 3).sort()).toEqual(['CN-01', 'JP-01', 'US-01']);
    expect(llm.requests.at(-1)!.target).toBe(SYNTHESIS);
    const jp = only(llm.requestsFor('JP-01'));
    expect(jp.url).toBe(OPENAI_CHAT_URL);
    expect(jp.headers['authorization']).toBe(`Bearer ${OPENAI_KEY}`);
    expect(jp.model).toBe('gpt-4.1');
    expect(jp.body['max_completion_tokens']).toBe(4096);
    const format = jp.body['response_format'] as { type: string; json_schema: { name: string; strict: boolean; schema: Record<string, unknown> } };
    expect(format.type).toBe('json_schema');
    expect(format.json_schema.strict).toBe(true);
    expect(format.json_schema.name).toBe('agent_assessment');
    expect(format.json_schema.schema['type']).toBe('object');
    expect(format.json_schema.schema['additionalProperties']).toBe(false);
    // Strict mode: every object closed and every property required, all the way down.
    const nodes = objectNodes(format.json_schema.schema);
    expect(nodes.length).toBeGreaterThan(5);
    for (const node of nodes) {
      expect(node['additionalProperties']).toBe(false);
      expect([...((node['required'] as string[] | undefined) ?? [])].sort()).toEqual(Object.keys(node['properties'] as object).sort());
    }

    // Streamed, with usage asked for in the stream.
    expect(jp.body['stream']).toBe(true);
    expect(jp.body['stream_options']).toEqual({ include_usage: true });

    // Laid out for prompt caching: the system prompt and the event block are the same for every
    // desk; the desk's identity and brief come after the event, at the end of the user message.
    const messages = jp.body['messages'] as { role: string; content: string }[];
    expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
    const us = only(llm.requestsFor('US-01'));
    expect(jp.system).not.toContain('JP-01');
    expect(us.system).toBe(jp.system);
    const jpUser = lastUserMessage(jp);
    const usUser = lastUserMessage(us);
    const eventEnd = jpUser.lastIndexOf('>>>') + 3;
    expect(usUser.slice(0, eventEnd)).toBe(jpUser.slice(0, eventEnd));
    expect(jpUser.slice(eventEnd)).toMatch(/You are JP-01, the Japan Desk\./);
    expect(usUser.slice(eventEnd)).toMatch(/You are US-01, /);
    const fenced = /<<<(UNTRUSTED_[0-9A-F]{12})\n([\s\S]*)\n\1>>>/.exec(jpUser);
    expect(fenced).not.toBeNull();
    const [, fence, inside] = fenced!;
    expect(inside).toContain('Title: Japan Unveils $550B U.S. Investment');
    expect(inside).toContain('formally announced the creation of a new dedicated investment facility');
    expect(jp.system).toContain(`<<<${fence}`);

    // The synthesizer is sent the desks' item ids and told nothing is missing.
    const synth = only(llm.requestsFor(SYNTHESIS));
    expect((synth.body['response_format'] as { json_schema: { name: string } }).json_schema.name).toBe('risk_view');
    const synthUser = lastUserMessage(synth);
    expect(synthUser).toContain('Desks included: JP-01, US-01, CN-01');
    expect(synthUser).toContain('Desks missing (failed or not run): none');
    for (const id of ['JP-01:R1', 'US-01:T1', 'CN-01:I1']) expect(synthUser).toContain(id);
  });

  it('Anthropic: output_config json_schema, system prompt and max_tokens', async () => {
    const { code, report, llm } = await run(
      ['--provider', 'anthropic', '--model', 'claude-sonnet-4-6', '--agents', 'JP-01,US-01', '--max-output-tokens', '4096'],
      ANTHROPIC_ENV,
    );

    expect(code).toBe(0);
    expect(report.status).toBe('ok');
    expect(report.assessments.map((a) => [a.agentId, a.provenance.provider])).toEqual([
      ['JP-01', 'anthropic'],
      ['US-01', 'anthropic'],
    ]);
    expect(report.synthesis?.coverage.included).toEqual(['JP-01', 'US-01']);

    expect(llm.requests).toHaveLength(3);
    const jp = only(llm.requestsFor('JP-01'));
    expect(jp.url).toBe(ANTHROPIC_MESSAGES_URL);
    // The key travels as x-api-key or, in newer SDKs, as a bearer token.
    expect([jp.headers['x-api-key'], jp.headers['authorization']]).toContainEqual(expect.stringContaining(ANTHROPIC_KEY));
    expect(jp.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(jp.model).toBe('claude-sonnet-4-6');
    expect(jp.body['max_tokens']).toBe(4096);
    expect(typeof jp.body['system']).toBe('string');
    expect(jp.system).toMatch(/^You are a country desk/);
    expect(jp.body['stream']).toBe(true);
    expect(jp.body).not.toHaveProperty('response_format');
    const outputConfig = jp.body['output_config'] as { format: { type: string; schema: Record<string, unknown> } };
    expect(outputConfig.format.type).toBe('json_schema');
    expect(outputConfig.format.schema['additionalProperties']).toBe(false);
    expect(Object.keys(outputConfig.format.schema['properties'] as object)).toContain('trajectories');
    expect(jp.messages.map((m) => m.role)).toEqual(['user']);
    expect(jp.messages[0]!.content).toMatch(/<<<UNTRUSTED_[0-9A-F]{12}\n/);

    // The prefix every desk shares ends in a cache breakpoint; the desk's own part follows it.
    const blocksOf = (r: typeof jp) => (r.body['messages'] as { content: { type: string; text: string; cache_control?: unknown }[] }[])[0]!.content;
    const [shared, own] = blocksOf(jp);
    expect(shared).toMatchObject({ type: 'text', cache_control: { type: 'ephemeral' } });
    expect(shared!.text).toMatch(/<<<UNTRUSTED_[0-9A-F]{12}\n[\s\S]*Japan Unveils \$550B[\s\S]*UNTRUSTED_[0-9A-F]{12}>>>\n\n$/);
    expect(own).not.toHaveProperty('cache_control');
    expect(own!.text).toMatch(/^## Your desk\n\nYou are JP-01, the Japan Desk\./);
    const us = only(llm.requestsFor('US-01'));
    expect(us.system).toBe(jp.system);
    expect(blocksOf(us)[0]).toEqual(shared);
    expect(blocksOf(us)[1]!.text).toMatch(/You are US-01, /);

    // Priced as claude-sonnet-4 ($3 / $15 per million tokens).
    const input = 2 * DEFAULT_USAGE.desk.input + DEFAULT_USAGE.synthesis.input;
    const output = 2 * DEFAULT_USAGE.desk.output + DEFAULT_USAGE.synthesis.output;
    expect(report.usage.total).toMatchObject({ calls: 3, inputTokens: input, outputTokens: output, costComplete: true });
    expect(report.usage.total.costUsd).toBeCloseTo((input * 3 + output * 15) / 1e6, 6);
  });
});

describe('validation and repair', () => {
  it('repairs invalid JSON: the repair turn shows the bad output and says it is not valid JSON', async () => {
    const bad = '{"bottomLine": "unterminated';
    const { code, report, llm } = await run(['--agents', 'JP-01,US-01'], OPENAI_ENV, {
      scripts: { 'JP-01': [reply.text(bad)] },
    });

    expect(code).toBe(0);
    expect(report.status).toBe('ok');
    const jp = report.assessments.find((a) => a.agentId === 'JP-01');
    expect(jp?.bottomLine).toBe(recordedDesk('JP-01').bottomLine);
    expect(jp?.provenance.attempts).toBe(2);

    const [first, repair, ...more] = llm.requestsFor('JP-01');
    expect(more).toHaveLength(0);
    expect(repair).toBeDefined();
    expect(repair!.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(repair!.messages[0]!.content).toBe(first!.messages[0]!.content);
    expect(repair!.messages[1]!.content).toBe(bad);
    expect(lastUserMessage(repair!)).toContain('not valid JSON');
    expect(repair!.system).toBe(first!.system);
    // The repair still asks for the same strict schema.
    expect(repair!.body['response_format']).toEqual(first!.body['response_format']);

    const calls = callsFor(report, 'desk/JP-01');
    expect(calls.map((c) => [c.attempt, c.error])).toEqual([
      [1, null],
      [2, null],
    ]);
    expect(callsFor(report, 'desk/US-01')).toHaveLength(1);
    // A repaired desk's tokens count too.
    expect(report.usage.total.inputTokens).toBe(3 * DEFAULT_USAGE.desk.input + DEFAULT_USAGE.synthesis.input);
  });

  it('repairs a schema violation: trajectories summing to 1.3', async () => {
    const badDraft = deskWithBadTrajectories('JP-01');
    const { code, report, llm } = await run(['--agents', 'JP-01'], OPENAI_ENV, {
      scripts: { 'JP-01': [reply.object(badDraft)] },
    });

    expect(code).toBe(0);
    expect(report.status).toBe('ok');
    const jp = only(report.assessments);
    expect(jp.trajectories.map((t) => t.probability)).toEqual(recordedDesk('JP-01').trajectories.map((t) => t.probability));

    const requests = llm.requestsFor('JP-01');
    expect(requests).toHaveLength(2);
    expect(JSON.parse(requests[1]!.messages[1]!.content)).toEqual(badDraft);
    const repairText = lastUserMessage(requests[1]!);
    expect(repairText).toContain('sum to 1');
    expect(repairText).toContain('- trajectories: trajectory probabilities must sum to 1 ± 0.02; they sum to 1.300');
  });

  it('repairs a resolution criterion with no date (issue 14): the second answer fixes it and is what the run returns and archives', async () => {
    const draft = recordedDesk('JP-01');
    const [first, ...rest] = draft.trajectories;
    if (!first) throw new Error('recording has no trajectories');
    const undated = 'JBIC announces financing approvals totalling at least $100 billion for U.S. projects, in JBIC press releases';
    const fixed = 'JBIC announces financing approvals totalling at least $100 billion for U.S. projects by 2029-01-20, in JBIC press releases';
    const bad = { ...draft, trajectories: [{ ...first, resolution: undated }, ...rest] };
    const good = { ...draft, trajectories: [{ ...first, resolution: fixed }, ...rest] };
    const { code, report, llm } = await run(['--agents', 'JP-01'], OPENAI_ENV, {
      scripts: { 'JP-01': [reply.object(bad), reply.object(good)] },
    });

    expect(code).toBe(0);
    expect(report.status).toBe('ok');
    const jp = only(report.assessments);
    expect(jp.provenance.attempts).toBe(2);
    expect(jp.trajectories[0]?.resolution).toBe(fixed);
    expect(jp.trajectories[0]?.resolveBy).toBe(first.resolveBy);

    const requests = llm.requestsFor('JP-01');
    expect(requests).toHaveLength(2);
    const repairText = lastUserMessage(requests[1]!);
    expect(repairText).toContain('- trajectories.0.resolution: the resolution criterion has no date');

    const shown = await runCliCaptured(['runs', 'show', report.runId.slice(0, 8), '--format', 'json'], { env: OPENAI_ENV, cwd: workdir() });
    expect(shown.code).toBe(0);
    const archived = JSON.parse(shown.stdout) as RunReport;
    expect(archived.assessments[0]?.trajectories[0]?.resolution).toBe(fixed);
  });

  it('gives up after --repairs 1: the desk fails as invalid, the synthesis covers the rest', async () => {
    const { code, report, llm } = await run(['--agents', 'JP-01,US-01,CN-01', '--repairs', '1'], OPENAI_ENV, {
      scripts: { 'JP-01': reply.object(deskWithBadTrajectories('JP-01')) },
    });

    expect(code).toBe(3);
    expect(report.status).toBe('degraded');
    const failure = only(report.failures);
    expect(failure).toMatchObject({ agentId: 'JP-01', kind: 'invalid' });
    expect(failure.reason).toMatch(/still invalid after 1 repair turn/);
    expect(failure.reason).toContain('sum to 1.300');
    expect(report.assessments.map((a) => a.agentId)).toEqual(['US-01', 'CN-01']);

    expect(llm.requestsFor('JP-01')).toHaveLength(2);
    expect(callsFor(report, 'desk/JP-01')).toHaveLength(2);

    const synthesis = report.synthesis;
    expect(synthesis).not.toBeNull();
    expect(synthesis!.coverage.included).toEqual(['US-01', 'CN-01']);
    expect(synthesis!.coverage.missing.map((m) => m.agentId)).toEqual(['JP-01']);
    expect(synthesis!.scenarios.flatMap((s) => s.memberIds).some((id) => id.startsWith('JP-01:'))).toBe(false);
    // The synthesizer was told which desk is missing and why, and was shown none of its items.
    const synthUser = lastUserMessage(only(llm.requestsFor(SYNTHESIS)));
    expect(synthUser).toContain('Desks missing (failed or not run): JP-01 (output still invalid');
    expect(synthUser).not.toContain('JP-01:R1');
  });
});

describe.each<FakeProvider>(['openai', 'anthropic'])('incomplete output (%s)', (provider) => {
  const providerArgs = ['--provider', provider];

  it('a refusal fails the desk as refusal, with no repair call', async () => {
    const { code, report, llm } = await run([...providerArgs, '--agents', 'JP-01,US-01', '--repairs', '2'], ENV[provider], {
      scripts: { 'JP-01': reply.refusal(provider === 'openai' ? "I'm sorry, but I can't help with that request." : '') },
    });

    expect(code).toBe(3);
    expect(report.status).toBe('degraded');
    const failure = only(report.failures);
    expect(failure).toMatchObject({ agentId: 'JP-01', kind: 'refusal' });
    expect(failure.reason).toBe(
      provider === 'openai' ? "model refused: I'm sorry, but I can't help with that request." : 'model refused: stop_reason refusal',
    );
    expect(only(llm.requestsFor('JP-01')).reply).toBe('refusal');
    // The refused call still used tokens, and they are counted.
    const call = only(callsFor(report, 'desk/JP-01'));
    expect(call).toMatchObject({ inputTokens: DEFAULT_USAGE.desk.input, outputTokens: DEFAULT_USAGE.desk.output });
    expect(report.assessments.map((a) => a.agentId)).toEqual(['US-01']);
  });

  it('a truncated answer fails the desk as truncated: not parsed, not repaired', async () => {
    const full = JSON.stringify(recordedDesk('JP-01'));
    // OpenAI gets realistically cut JSON; Anthropic a cut that happens to leave parseable JSON,
    // which must not be trusted either.
    const text = provider === 'openai' ? full.slice(0, 400) : full;
    const { code, report, llm } = await run([...providerArgs, '--agents', 'JP-01,US-01', '--max-output-tokens', '512'], ENV[provider], {
      scripts: { 'JP-01': reply.truncated(text) },
      usage: (target) => (target === 'JP-01' ? { input: 2_400, output: 512 } : target === SYNTHESIS ? DEFAULT_USAGE.synthesis : DEFAULT_USAGE.desk),
    });

    expect(code).toBe(3);
    const failure = only(report.failures);
    expect(failure).toMatchObject({ agentId: 'JP-01', kind: 'truncated' });
    expect(failure.reason).toBe('output truncated at 512 tokens (limit 512); raise --max-output-tokens');
    expect(failure.reason).not.toMatch(/JSON/);
    const request = only(llm.requestsFor('JP-01'));
    expect(request.maxTokens).toBe(512);
    expect(request.reply).toBe('truncated');
    expect(report.assessments.map((a) => a.agentId)).toEqual(['US-01']);
  });
});

describe('transient provider errors', () => {
  it('OpenAI 429: waits as retry-after-ms says, then succeeds', async () => {
    const { code, report, llm } = await run(['--agents', 'JP-01,US-01', '--retries', '2'], OPENAI_ENV, {
      scripts: {
        'JP-01': [
          reply.httpError(
            429,
            'Rate limit reached for gpt-4.1 in organization org-fake on tokens per min (TPM): Limit 30000, Used 29000, Requested 2400. Please try again in 50ms.',
            // Both headers, as OpenAI sends them: the precise one must win over the 1 s one.
            { errorType: 'tokens', code: 'rate_limit_exceeded', headers: { 'retry-after-ms': '50', 'retry-after': '1' } },
          ),
        ],
      },
    });

    expect(code).toBe(0);
    expect(report.status).toBe('ok');
    const [first, second, ...more] = llm.requestsFor('JP-01');
    expect(more).toHaveLength(0);
    expect([first!.reply, second!.reply]).toEqual(['http-error', 'object']);
    // Waited ~50 ms: neither the 1 s retry-after nor the ≥750 ms backoff.
    const gap = second!.receivedAt - first!.receivedAt;
    expect(gap).toBeGreaterThanOrEqual(45);
    expect(gap).toBeLessThan(700);
    // A retry resends the same request, it is not a repair.
    expect(second!.messages).toEqual(first!.messages);

    const calls = callsFor(report, 'desk/JP-01');
    expect(calls).toHaveLength(2);
    expect(calls[0]!.error).toMatch(/openai HTTP 429/);
    expect(calls[0]!.error).toContain('Rate limit reached');
    expect(calls[0]).toMatchObject({ attempt: 1, inputTokens: 0, outputTokens: 0, costUsd: null });
    expect(calls[1]).toMatchObject({ attempt: 2, error: null, inputTokens: DEFAULT_USAGE.desk.input });
  });

  it('Anthropic 529 overloaded: backs off, then succeeds', async () => {
    const { code, report, llm } = await run(['--provider', 'anthropic', '--agents', 'JP-01', '--retries', '1'], ANTHROPIC_ENV, {
      scripts: { 'JP-01': [reply.httpError(529, 'Overloaded')] },
    });

    expect(code).toBe(0);
    expect(only(report.assessments).agentId).toBe('JP-01');
    const requests = llm.requestsFor('JP-01');
    expect(requests.map((r) => r.reply)).toEqual(['http-error', 'object']);
    // No retry-after: exponential backoff from 1 s with ±25% jitter.
    expect(requests[1]!.receivedAt - requests[0]!.receivedAt).toBeGreaterThanOrEqual(700);
    const calls = callsFor(report, 'desk/JP-01');
    expect(calls.map((c) => c.attempt)).toEqual([1, 2]);
    expect(calls[0]!.error).toMatch(/anthropic HTTP 529.*Overloaded/);
    expect(calls[1]!.error).toBeNull();
  });

  it('one desk timing out fails alone; the others and the synthesis finish', async () => {
    const { code, report, llm, elapsedMs } = await run(['--agents', 'JP-01,US-01,CN-01', '--call-timeout', '1', '--retries', '0'], OPENAI_ENV, {
      scripts: { 'JP-01': reply.slow(30_000) },
    });

    expect(code).toBe(3);
    expect(report.status).toBe('degraded');
    const failure = only(report.failures);
    expect(failure).toMatchObject({ agentId: 'JP-01', kind: 'provider' });
    expect(failure.reason).toMatch(/timed out/);
    expect(report.assessments.map((a) => a.agentId)).toEqual(['US-01', 'CN-01']);
    expect(report.synthesis?.coverage.missing).toEqual([{ agentId: 'JP-01', reason: failure.reason }]);

    // The client aborted the request and the fake stopped working on it.
    const stalled = only(llm.requestsFor('JP-01'));
    expect(stalled.aborted).toBe(true);
    const call = only(callsFor(report, 'desk/JP-01'));
    expect(call.error).toMatch(/timed out after 1s/);
    expect(call.latencyMs).toBeGreaterThanOrEqual(900);
    expect(elapsedMs).toBeLessThan(8_000);
  });
});

describe('whole-run timeout', () => {
  it('--timeout stops a run whose desks keep retrying: finished desks kept, the rest fail with the reason, exit 1, resumable', async () => {
    // JP-01 answers; US-01 and CN-01 hang until their 1 s call timeout, forever retried: the run deadline ends it.
    const started = Date.now();
    const { code, report, stderr, llm } = await run(
      ['--agents', 'JP-01,US-01,CN-01', '--call-timeout', '1', '--retries', '10', '--timeout', '2.5'],
      OPENAI_ENV,
      { scripts: { 'US-01': reply.slow(30_000), 'CN-01': reply.slow(30_000) } },
    );
    const elapsedMs = Date.now() - started;
    expect(code, stderr).toBe(1);
    expect(report.status).toBe('failed');
    expect(report.assessments.map((a) => a.agentId)).toEqual(['JP-01']);
    expect(report.failures.map((f) => [f.agentId, f.kind, f.reason])).toEqual([
      ['US-01', 'timeout', 'run timed out after 2.5s'],
      ['CN-01', 'timeout', 'run timed out after 2.5s'],
    ]);
    expect(report.synthesis).toBeNull();
    expect(report.synthesisError).toBe('run timed out after 2.5s before synthesis');
    expect(llm.requests.filter((r) => r.target === SYNTHESIS)).toHaveLength(0);
    // Well short of what 11 attempts × 1 s (plus backoff) per desk would take.
    expect(elapsedMs).toBeLessThan(10_000);
    expect(stderr).not.toContain('    at ');

    server.resetHandlers();
    const fast = fakeLlm();
    server.use(...fast.handlers);
    const resumed = await runCliCaptured(['resume', report.runId.slice(0, 8), '--format', 'json', '--no-progress'], { env: OPENAI_ENV, cwd: workdir() });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((JSON.parse(resumed.stdout) as RunReport).status).toBe('ok');
    expect(fast.requests.map((r) => r.target).sort()).toEqual(['CN-01', 'US-01', SYNTHESIS].sort());
  });
});

describe('cancellation', () => {
  it('Ctrl-C (the run signal aborting) cancels desks in flight: archived as cancelled, exit 130, then resume completes it', async () => {
    const llm = fakeLlm({ defaultScript: reply.slow(30_000) });
    server.use(...llm.handlers);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const result = await runCliCaptured(
      ['run', SEED_EVENT, '--format', 'json', '--no-progress', '--retries', '3', '--agents', 'JP-01,US-01'],
      { env: OPENAI_ENV, cwd: workdir(), signal: controller.signal },
    );
    // Cancelled promptly, without waiting for the slow server or retrying.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.code).toBe(130);
    expect(result.stderr).not.toContain('    at ');
    const report = JSON.parse(result.stdout) as RunReport;
    expect(report.status).toBe('cancelled');
    expect(report.synthesis).toBeNull();
    expect(report.failures.map((f) => [f.agentId, f.kind])).toEqual([
      ['JP-01', 'cancelled'],
      ['US-01', 'cancelled'],
    ]);
    expect(llm.requests.filter((r) => r.target === SYNTHESIS)).toHaveLength(0);
    expect(result.stderr).toContain(`assess resume ${report.runId.slice(0, 8)}`);

    // Resumable: with the server answering again, resume finishes both desks and the synthesis.
    server.resetHandlers();
    const fast = fakeLlm();
    server.use(...fast.handlers);
    const resumed = await runCliCaptured(['resume', report.runId.slice(0, 8), '--format', 'json', '--no-progress'], { env: OPENAI_ENV, cwd: workdir() });
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = JSON.parse(resumed.stdout) as RunReport;
    expect(after.runId).toBe(report.runId);
    expect(after.status).toBe('ok');
    expect(after.assessments.map((a) => a.agentId)).toEqual(['JP-01', 'US-01']);
    expect(fast.requests.map((r) => r.target).sort()).toEqual(['JP-01', 'US-01', SYNTHESIS].sort());
  });
});

describe('secrets', () => {
  it('a 401 echoing the key never puts the key on stdout or stderr', async () => {
    const { code, stdout, stderr, report, llm } = await run(['--agents', 'JP-01,US-01', '--log-level', 'debug'], OPENAI_ENV, {
      defaultScript: reply.httpError(
        401,
        `Incorrect API key provided: ${OPENAI_KEY}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        { code: 'invalid_api_key' },
      ),
    });

    expect(code).toBe(1);
    expect(report.status).toBe('failed');
    expect(report.synthesis).toBeNull();
    expect(report.failures.map((f) => [f.agentId, f.kind])).toEqual([
      ['JP-01', 'provider'],
      ['US-01', 'provider'],
    ]);
    // The message survives, the key does not.
    expect(report.failures[0]!.reason).toMatch(/HTTP 401.*Incorrect API key provided/);
    expect(llm.requests).toHaveLength(2);
    expect(llm.requests[0]!.headers['authorization']).toBe(`Bearer ${OPENAI_KEY}`);
    expect(stderr).toContain('desk failed');
    expect(stdout).not.toContain(OPENAI_KEY);
    expect(stderr).not.toContain(OPENAI_KEY);
  });

  it('a key that does not look like one is redacted too (OpenAI-compatible gateway)', async () => {
    const token = 'gateway-token-7f3a9c2e51';
    const env = { OPENAI_API_KEY: token, OPENAI_BASE_URL: LOCAL_BASE_URL };
    const fake: FakeLlmOptions = {
      openaiUrl: `${LOCAL_BASE_URL}/chat/completions`,
      defaultScript: reply.httpError(401, `invalid bearer token "${token}"`),
    };
    const json = await run(['--agents', 'JP-01', '--log-level', 'debug'], env, fake);
    expect(json.code).toBe(1);
    expect(json.report.failures[0]!.reason).toContain('HTTP 401');
    expect(json.stdout + json.stderr).not.toContain(token);

    server.resetHandlers();
    const llm = fakeLlm(fake);
    server.use(...llm.handlers);
    const md = await runCliCaptured(['run', SEED_EVENT, '--agents', 'JP-01', '--no-progress', '--retries', '0', '--log-level', 'debug'], { env, cwd: workdir() });
    expect(md.code).toBe(1);
    expect(md.stdout).toContain('HTTP 401');
    expect(md.stdout + md.stderr).not.toContain(token);
  });
});

describe('OpenAI-compatible servers', () => {
  it('a local server that ignores json_schema and fences its JSON still validates, with no key', async () => {
    const fenced = (value: unknown) => reply.text(`Here is the assessment.\n\n\`\`\`json\n${JSON.stringify(value, null, 2)}\n\`\`\`\n`);
    const { code, report, llm } = await run(['--agents', 'JP-01,US-01', '--model', 'llama3.1:8b'], { OPENAI_BASE_URL: LOCAL_BASE_URL }, {
      openaiUrl: `${LOCAL_BASE_URL}/chat/completions`,
      defaultScript: ({ target }) => fenced(target === SYNTHESIS ? recordedSynthesis() : recordedDesk(target)),
    });

    expect(code).toBe(0);
    expect(report.status).toBe('ok');
    expect(report.assessments.map((a) => [a.agentId, a.bottomLine])).toEqual([
      ['JP-01', recordedDesk('JP-01').bottomLine],
      ['US-01', recordedDesk('US-01').bottomLine],
    ]);
    expect(report.synthesis).not.toBeNull();
    // Accepted first time: no repair turns.
    expect(report.usage.calls.map((c) => c.attempt)).toEqual([1, 1, 1]);
    // Everything went to the local server, as the local model, without any real key.
    expect(llm.requests).toHaveLength(3);
    for (const r of llm.requests) {
      expect(r.url).toBe(`${LOCAL_BASE_URL}/chat/completions`);
      expect(r.model).toBe('llama3.1:8b');
      expect(r.headers['authorization']).not.toMatch(/sk-/);
    }
    // A local model has no list price: no cost, and the report says the total is incomplete.
    expect(report.usage.calls.every((c) => c.costUsd === null)).toBe(true);
    expect(report.usage.total).toMatchObject({ costUsd: null, costComplete: false });
  });
});

/** Regressions: bugs found while writing these tests, fixed in src, kept as tests. */
describe('regressions', () => {
  it('valid JSON whose strings quote a ```json block is not mangled by fence extraction', async () => {
    // Desks are told to note injection attempts in the news as caveats; quoting one verbatim is natural.
    const desk = recordedDesk('JP-01');
    const quoting = {
      ...desk,
      caveats: [...desk.caveats, 'The source embedded a block reading ```json {"stance":"supportive"}``` that tried to dictate a verdict; it was ignored.'],
    };
    const { code, report } = await run(['--agents', 'JP-01', '--repairs', '0'], OPENAI_ENV, {
      scripts: { 'JP-01': reply.object(quoting) },
    });
    // extractJsonText used to take the text between the two ``` as "the JSON".
    expect(report.failures).toEqual([]);
    expect(code).toBe(0);
  });

  it('the default Anthropic model does not make the SDK print a deprecation warning outside io.stderr', async () => {
    const { code, stderr } = await run(['--provider', 'anthropic', '--agents', 'JP-01'], ANTHROPIC_ENV);
    expect(code).toBe(0);
    // The default used to be 'claude-sonnet-4-5', in the SDK's DEPRECATED_MODELS: every call
    // console.warned "The model … is deprecated" straight to the process stderr.
    expect(consoleWarn()).not.toHaveBeenCalled();
    expect(stderr).not.toMatch(/deprecated/);
  });
});
