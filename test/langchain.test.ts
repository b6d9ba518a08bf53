import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import { RunnableLambda, RunnablePassthrough, RunnableSequence } from '@langchain/core/runnables';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadCalls, loadRun, openArchive } from '../src/archive/index.js';
import { AssessmentDraftSchema } from '../src/assessment/schema.js';
import { loadConfigFile, resolveConfig } from '../src/config/index.js';
import { DEFAULT_PATHS } from '../src/cli/paths.js';
import { ProviderError } from '../src/errors/index.js';
import { generateObject, type GenerateRequest } from '../src/llm/generate-object.js';
import { createLangChainModel, type LangChainSettings } from '../src/llm/init-langchain-model.js';
import { toProviderJsonSchema } from '../src/llm/json-schema.js';
import { LangChainModel } from '../src/llm/langchain-model.js';
import type { StructuredModel } from '../src/llm/types.js';
import { runCliCaptured } from './support/cli-io.js';
import { fakeLlm, OPENAI_CHAT_URL, openAIChatCompletion, reply } from './support/fake-apis.js';
import { SEED_EVENT } from './support/paths.js';
import { recordedDesk } from './support/recordings.js';

/**
 * The LangChain provider: any LangChain.js chat model through initChatModel, its answers checked
 * and repaired by generateObject like every other provider's. With a LangChain fake chat model,
 * with the real @langchain/openai against msw, and through the CLI.
 */

const KEY = 'sk-test-langchain-0123456789abcdef';
const DESK_SCHEMA = toProviderJsonSchema(AssessmentDraftSchema);

const server = setupServer();
let dir = '';
beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
  dir = mkdtempSync(join(tmpdir(), 'assess-langchain-'));
});
afterEach(() => server.resetHandlers());
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A desk-style call, as the pipeline makes it. */
function deskRequest(model: StructuredModel, overrides: Partial<GenerateRequest<unknown>> = {}): GenerateRequest<unknown> {
  return {
    model,
    schema: AssessmentDraftSchema,
    schemaName: 'desk_assessment',
    jsonSchema: DESK_SCHEMA,
    purpose: 'desk/JP-01',
    scope: 'event-1',
    system: 'You are JP-01, the Japan desk.',
    user: 'Assess the event.',
    renderRepair: (_raw, issues) => `Fix these issues:\n${issues.join('\n')}`,
    maxRepairs: 2,
    maxOutputTokens: 4096,
    timeoutMs: 10_000,
    retry: { maxRetries: 3, baseDelayMs: 0, maxDelayMs: 0 },
    signal: new AbortController().signal,
    ...overrides,
  };
}

/**
 * FakeListChatModel answers its list in order, but its own withStructuredOutput returns only the
 * parsed value (and throws on bad JSON). This one does what content-based integrations do
 * (ChatOllama, ChatOpenAI with jsonSchema): the raw message plus a best-effort parse that is
 * null when the text is not JSON. Answers carry usage and a finish reason as real ones do.
 */
class FakeStructuredChat extends FakeListChatModel {
  readonly structuredOptions: unknown[] = [];
  readonly received: BaseMessage[][] = [];

  override async _generate(messages: BaseMessage[], options: this['ParsedCallOptions'], runManager?: CallbackManagerForLLMRun): Promise<ChatResult> {
    this.received.push(messages);
    const result = await super._generate(messages, options, runManager);
    const text = result.generations[0]!.text;
    result.generations[0]!.message = new AIMessage({
      content: text,
      response_metadata: { finish_reason: 'stop', model_name: 'fake-model-2025' },
      usage_metadata: { input_tokens: 1200, output_tokens: 300, total_tokens: 1500 },
    });
    return result;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override withStructuredOutput(_schema: Record<string, any>, options?: unknown): any {
    this.structuredOptions.push(options);
    const parse = RunnableLambda.from((input: { raw: BaseMessage }) => JSON.parse(String(input.raw.content)) as unknown);
    return RunnableSequence.from([
      { raw: this },
      RunnablePassthrough.assign({ parsed: parse }).withFallbacks([RunnablePassthrough.assign({ parsed: () => null })]),
    ]);
  }
}

describe('LangChainModel with a LangChain fake chat model', () => {
  it('a desk call returns the validated object, with usage and the model the integration named', async () => {
    const desk = recordedDesk('JP-01');
    const chat = new FakeStructuredChat({ responses: [JSON.stringify(desk)] });
    const model = new LangChainModel({ spec: 'fake:fake-model', chat, structuredOutput: { method: 'jsonSchema' } });

    const result = await generateObject(deskRequest(model));

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toEqual(AssessmentDraftSchema.parse(desk));
    expect(result.calls).toHaveLength(1);
    expect(result.calls[0]).toMatchObject({ kind: 'initial', provider: 'langchain', model: 'fake-model-2025', finishReason: 'stop', usage: { inputTokens: 1200, outputTokens: 300 } });
    // Our schema, name and raw output were asked for; LangChain's parse is not trusted.
    expect(chat.structuredOptions).toEqual([{ name: 'desk_assessment', includeRaw: true, method: 'jsonSchema' }]);
    expect(chat.received[0]!.map((m) => [m.getType(), m.content])).toEqual([
      ['system', 'You are JP-01, the Japan desk.'],
      ['human', 'Assess the event.'],
    ]);
  });

  it('an invalid first answer gets a repair turn; the valid second answer is accepted', async () => {
    const desk = recordedDesk('JP-01');
    const { bottomLine: _dropped, ...withoutBottomLine } = desk;
    const chat = new FakeStructuredChat({ responses: [JSON.stringify(withoutBottomLine), JSON.stringify(desk)] });
    const model = new LangChainModel({ spec: 'fake:fake-model', chat });

    const result = await generateObject(deskRequest(model));

    expect(result.ok).toBe(true);
    expect(result.calls.map((c) => c.kind)).toEqual(['initial', 'repair']);
    expect(result.calls[0]!.issues).toEqual([expect.stringMatching(/^bottomLine: /)]);
    expect(result.calls[0]!.rawText).toBe(JSON.stringify(withoutBottomLine));
    expect(result.calls[1]!.issues).toEqual([]);
    // The repair turn showed the model its own output and the issues, as LangChain messages.
    const repair = chat.received[1]!;
    expect(repair.map((m) => m.getType())).toEqual(['system', 'human', 'ai', 'human']);
    expect(repair[2]!.content).toBe(JSON.stringify(withoutBottomLine));
    expect(String(repair[3]!.content)).toMatch(/^Fix these issues:\nbottomLine: /);
  });

  it('text that is not JSON reaches generateObject as it was written (LangChain parsed it to null)', async () => {
    const chat = new FakeStructuredChat({ responses: ['Sure! Here is the assessment you asked for.', JSON.stringify(recordedDesk('JP-01'))] });
    const model = new LangChainModel({ spec: 'fake:fake-model', chat });

    const result = await generateObject(deskRequest(model));

    expect(result.ok).toBe(true);
    expect(result.calls[0]!.rawText).toBe('Sure! Here is the assessment you asked for.');
    expect(result.calls[0]!.issues).toHaveLength(1);
  });
});

interface SeenOpenAI {
  body: Record<string, unknown>;
  authorization: string | null;
}

/** api.openai.com answering each request with the next of `responses` (the last one repeats). */
function openaiAnswers(responses: (() => Response)[]): SeenOpenAI[] {
  const seen: SeenOpenAI[] = [];
  server.use(
    http.post(OPENAI_CHAT_URL, async ({ request }) => {
      seen.push({ body: (await request.json()) as Record<string, unknown>, authorization: request.headers.get('authorization') });
      return responses[Math.min(seen.length, responses.length) - 1]!();
    }),
  );
  return seen;
}

const completionOf = (content: string, finishReason: 'stop' | 'length' = 'stop') =>
  HttpResponse.json(openAIChatCompletion({ model: 'gpt-4o-mini-2024-07-18', content, finishReason, usage: { input: 2400, output: 1800 } }));

const SETTINGS: LangChainSettings = { openai: { apiKey: KEY }, anthropic: {}, ollama: {}, maxOutputTokens: 8192 };

describe('the real @langchain/openai through initChatModel, against msw', () => {
  it('sends strict json_schema with our schema name and the key as Bearer; usage comes back priced', async () => {
    const seen = openaiAnswers([() => completionOf(JSON.stringify(recordedDesk('JP-01')))]);
    const model = await createLangChainModel('openai:gpt-4o-mini', SETTINGS);

    const result = await generateObject(deskRequest(model));

    expect(result.ok, result.ok ? '' : result.error.message).toBe(true);
    expect(seen).toHaveLength(1);
    const body = seen[0]!.body as { model: string; response_format: { type: string; json_schema: { name: string; strict: boolean; schema: unknown } }; max_tokens?: number; messages: { role: string }[] };
    expect(body.model).toBe('gpt-4o-mini');
    expect(body.response_format.type).toBe('json_schema');
    expect(body.response_format.json_schema).toMatchObject({ name: 'desk_assessment', strict: true, schema: DESK_SCHEMA });
    // The request's own output cap, not the one the model was built with.
    expect(body.max_tokens).toBe(4096);
    expect(body.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(seen[0]!.authorization).toBe(`Bearer ${KEY}`);
    const call = result.calls[0]!;
    expect(call).toMatchObject({ provider: 'langchain', model: 'gpt-4o-mini-2024-07-18', finishReason: 'stop', usage: { inputTokens: 2400, outputTokens: 1800 } });
    // Priced as gpt-4o-mini (0.15 / 0.6 USD per million tokens).
    expect(call.costUsd).toBeCloseTo((2400 * 0.15 + 1800 * 0.6) / 1_000_000, 10);
  });

  it('cached prompt tokens reported by OpenAI come through LangChain and price at the cache rate', async () => {
    openaiAnswers([
      () =>
        HttpResponse.json(
          openAIChatCompletion({ model: 'gpt-4o-mini-2024-07-18', content: JSON.stringify(recordedDesk('JP-01')), finishReason: 'stop', usage: { input: 2400, output: 1800, cacheRead: 2000 } }),
        ),
    ]);
    const model = await createLangChainModel('openai:gpt-4o-mini', SETTINGS);

    const result = await generateObject(deskRequest(model));

    expect(result.ok).toBe(true);
    const call = result.calls[0]!;
    expect(call.usage).toEqual({ inputTokens: 2400, outputTokens: 1800, cacheReadTokens: 2000 });
    // gpt-4o-mini: 0.15 input, 0.075 cached input, 0.6 output (USD per million tokens).
    expect(call.costUsd).toBeCloseTo((400 * 0.15 + 2000 * 0.075 + 1800 * 0.6) / 1_000_000, 10);
  });

  it('a 429 then a 200: retried once, by our retry layer only (LangChain retries are off)', async () => {
    const seen = openaiAnswers([
      () => HttpResponse.json({ error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } }, { status: 429, headers: { 'retry-after': '0' } }),
      () => completionOf(JSON.stringify(recordedDesk('JP-01'))),
    ]);
    const model = await createLangChainModel('openai:gpt-4o-mini', SETTINGS);
    const retries: string[] = [];

    const result = await generateObject(deskRequest(model, { hooks: { onRetry: ({ reason }) => retries.push(reason) } }));

    expect(result.ok).toBe(true);
    expect(seen).toHaveLength(2);
    expect(retries).toEqual([expect.stringMatching(/^langchain HTTP 429: Rate limit reached/)]);
  });

  it('a 429 that no retry will fix: LangChain would retry 6 times by default, here it is one request per attempt', async () => {
    const seen = openaiAnswers([() => HttpResponse.json({ error: { message: 'Slow down', type: 'requests', param: null, code: null } }, { status: 429 })]);
    const model = await createLangChainModel('openai:gpt-4o-mini', SETTINGS);

    const result = await generateObject(deskRequest(model, { retry: { maxRetries: 1, baseDelayMs: 0, maxDelayMs: 0 } }));

    expect(result.ok).toBe(false);
    expect(seen).toHaveLength(2);
    expect(result.ok ? null : result.error).toBeInstanceOf(ProviderError);
  });

  it('a 401 fails at once, not retried, and the key appears nowhere', async () => {
    const seen = openaiAnswers([
      () => HttpResponse.json({ error: { message: `Incorrect API key provided: ${KEY}.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }, { status: 401 }),
    ]);
    const model = await createLangChainModel('openai:gpt-4o-mini', SETTINGS);

    const result = await generateObject(deskRequest(model));

    expect(result.ok).toBe(false);
    expect(seen).toHaveLength(1);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(ProviderError);
    expect((result.error as ProviderError).status).toBe(401);
    expect(result.error.message).toMatch(/^langchain HTTP 401: Incorrect API key provided/);
    expect(JSON.stringify({ message: result.error.message, calls: result.calls })).not.toContain(KEY);
  });

  it('truncation (the SDK throws instead of answering) is reported as truncated output, not a provider failure', async () => {
    openaiAnswers([() => completionOf('{"stance": "cautious", "bottomLine": "The loan', 'length')]);
    const model = await createLangChainModel('openai:gpt-4o-mini', SETTINGS);

    const result = await generateObject(deskRequest(model));

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.name).toBe('IncompleteOutputError');
    expect(result.calls.map((c) => c.finishReason)).toEqual(['length']);
  });

  it('the per-call timeout aborts the request through LangChain and the attempt is retried', async () => {
    let requests = 0;
    server.use(
      http.post(OPENAI_CHAT_URL, async ({ request }) => {
        requests += 1;
        if (requests === 1) {
          await new Promise((resolve) => request.signal.addEventListener('abort', resolve, { once: true }));
          return HttpResponse.error();
        }
        return completionOf(JSON.stringify(recordedDesk('JP-01')));
      }),
    );
    const model = await createLangChainModel('openai:gpt-4o-mini', SETTINGS);

    const result = await generateObject(deskRequest(model, { timeoutMs: 300 }));

    expect(result.ok).toBe(true);
    expect(requests).toBe(2);
    expect(result.calls[0]!.error).toMatch(/timed out after 0\.3s/);
  });
});

describe('assess run --provider langchain', () => {
  it('runs every desk and the synthesis through @langchain/openai; the archive says langchain', async () => {
    const llm = fakeLlm();
    server.use(...llm.handlers);
    const db = join(dir, 'run.db');

    const r = await runCliCaptured(
      ['run', SEED_EVENT, '--provider', 'langchain', '--model', 'openai:gpt-4.1-mini', '--format', 'json', '--no-progress', '--retries', '0'],
      { env: { OPENAI_API_KEY: KEY, ASSESS_DB: db }, cwd: dir },
    );

    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { runId: string; assessments: { agentId: string; provenance: { provider: string; model: string } }[] };
    expect(report.assessments).toHaveLength(8);
    expect(llm.requests.every((q) => q.model === 'gpt-4.1-mini' && (q.body['response_format'] as { type: string }).type === 'json_schema')).toBe(true);

    const archive = openArchive(db, { create: false });
    try {
      const run = loadRun(archive, report.runId);
      expect(run.result.status).toBe('ok');
      expect(run.desks).toHaveLength(8);
      expect(run.desks.every((d) => d.provider === 'langchain' && d.model === 'openai:gpt-4.1-mini')).toBe(true);
      expect(run.result.assessments.map((a) => a.provenance.provider)).toEqual(Array(8).fill('langchain'));
      expect(run.synthesisModel).toEqual({ provider: 'langchain', model: 'openai:gpt-4.1-mini' });
      const calls = loadCalls(archive, report.runId);
      expect(calls).toHaveLength(9);
      // Costed at gpt-4.1-mini's price: the model the API reported, not the spec.
      expect(calls.every((c) => c.provider === 'langchain' && c.model === 'gpt-4.1-mini' && c.costUsd !== null && c.costUsd > 0)).toBe(true);
    } finally {
      archive.close();
    }
  });

  it('a missing integration package: exit 2 before any call, one line naming the package', async () => {
    const llm = fakeLlm({ defaultScript: reply.httpError(500, 'must not be called') });
    server.use(...llm.handlers);

    const r = await runCliCaptured(['run', SEED_EVENT, '--provider', 'langchain', '--model', 'ollama:llama3.1', '--no-progress'], { cwd: dir });

    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/@langchain\/ollama/);
    expect(r.stderr).toMatch(/npm install @langchain\/ollama/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(llm.requests).toEqual([]);
  });

  it('a model without an integration prefix: exit 2, the integrations listed', async () => {
    const r = await runCliCaptured(['run', SEED_EVENT, '--provider', 'langchain', '--model', 'llama3.1', '--no-progress'], { cwd: dir });

    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^assess: langchain model "llama3\.1" must be integration:model with integration one of openai, anthropic, .*ollama.* \(e\.g\. ollama:llama3\.1\)\n$/);
  });

  it('an openai: model without OPENAI_API_KEY: exit 2, the variable named', async () => {
    const r = await runCliCaptured(['run', SEED_EVENT, '--provider', 'langchain', '--model', 'openai:gpt-4.1-mini', '--no-progress'], { cwd: dir });

    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing API key for provider openai \(langchain openai:gpt-4\.1-mini\): set OPENAI_API_KEY/);
  });
});

describe('assess doctor with a LangChain model', () => {
  const doctor = (env: Record<string, string>) =>
    runCliCaptured(['doctor', '--provider', 'langchain', '--model', 'openai:gpt-4.1-mini', '--db', join(dir, 'doctor.db')], { env, cwd: dir });

  it('checks the integration\'s key and makes one tiny structured call through LangChain', async () => {
    const seen = openaiAnswers([() => completionOf('{"assess_doctor": "pong"}')]);

    const r = await doctor({ OPENAI_API_KEY: KEY });

    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('ok    openai key: OPENAI_API_KEY is set\n');
    expect(r.stdout).toMatch(/^ok {4}langchain\/openai:gpt-4\.1-mini: answered a structured call in \d+ ms$/m);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.body).toMatchObject({ model: 'gpt-4.1-mini', max_tokens: 64, response_format: { type: 'json_schema', json_schema: { name: 'doctor_ping' } } });
  });

  it('no key: that check fails and nothing is called', async () => {
    const seen = openaiAnswers([() => completionOf('{"assess_doctor": "pong"}')]);

    const r = await doctor({});

    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL  openai key: OPENAI_API_KEY is not set (environment or .env)\n');
    expect(r.stdout).toContain('FAIL  langchain/openai:gpt-4.1-mini: not called: no key\n');
    expect(seen).toEqual([]);
  });

  it('a missing integration package is that endpoint\'s failure, in one line', async () => {
    const r = await runCliCaptured(['doctor', '--provider', 'langchain', '--model', 'ollama:llama3.1', '--db', join(dir, 'doctor.db')], { cwd: dir });

    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL  langchain/ollama:llama3.1: langchain provider ollama needs the package @langchain/ollama: npm install @langchain/ollama\n');
  });
});

describe('configuration', () => {
  it('langchain:ollama:llama3.1 as a fallback is provider langchain, model ollama:llama3.1', () => {
    const config = resolveConfig({ fallbacks: 'langchain:ollama:llama3.1, openai:gpt-4.1-mini' }, {}, DEFAULT_PATHS);
    expect(config.fallbacks).toEqual([
      { provider: 'langchain', model: 'ollama:llama3.1' },
      { provider: 'openai', model: 'gpt-4.1-mini' },
    ]);
  });

  it('--provider langchain defaults to openai:gpt-4.1-mini; OLLAMA_BASE_URL is read', () => {
    const config = resolveConfig({ provider: 'langchain' }, { OLLAMA_BASE_URL: 'http://gpu-box:11434' }, DEFAULT_PATHS);
    expect(config.provider).toBe('langchain');
    expect(config.model).toBeUndefined();
    expect(config.ollama.baseURL).toBe('http://gpu-box:11434');
  });

  it('the settings file accepts langchain as a provider and in fallbacks', async () => {
    const file = join(dir, 'assess.config.yaml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, 'provider: langchain\nmodel: ollama:llama3.1\nfallbacks: ["langchain:anthropic:claude-haiku-4-5"]\ndesks:\n  JP-01: { provider: langchain, model: "groq:llama-3.3-70b" }\n');
    const loaded = loadConfigFile(file, {}, dir);
    const config = resolveConfig({}, {}, DEFAULT_PATHS, loaded);
    expect(config.provider).toBe('langchain');
    expect(config.model).toBe('ollama:llama3.1');
    expect(config.fallbacks).toEqual([{ provider: 'langchain', model: 'anthropic:claude-haiku-4-5' }]);
    expect(config.deskOverrides['JP-01']).toMatchObject({ provider: 'langchain', model: 'groq:llama-3.3-70b' });
  });
});
