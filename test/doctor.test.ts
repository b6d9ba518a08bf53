import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from './support/cli-io.js';
import { openAIStream, SSE_HEADERS } from './support/sse.js';

/**
 * `assess doctor` against msw endpoints behind the real SDKs: one line per check, exit 0 only when
 * every check passes.
 */

const OPENAI = 'https://api.openai.com/v1/chat/completions';
const KEY = 'sk-test-doctor-key-5566778899';
const server = setupServer();
const dir = mkdtempSync(join(tmpdir(), 'assess-doctor-'));
const db = join(dir, 'data', 'assess.db');
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What the endpoint received, to check the call was a real structured call. */
let seen: { model: string; format: unknown; stream: boolean }[] = [];
function openaiAnswers(respond: (stream: boolean) => Response): void {
  seen = [];
  server.use(
    http.post(OPENAI, async ({ request }) => {
      const body = (await request.json()) as { model: string; stream?: boolean; response_format?: { type?: string } };
      seen.push({ model: body.model, format: body.response_format?.type, stream: body.stream === true });
      return respond(body.stream === true);
    }),
  );
}

/** A completion, streamed when the request asked for a stream (doctor calls the way runs do). */
const completion = (content: string) => (stream: boolean) => {
  const body = {
    id: 'chatcmpl-doctor',
    object: 'chat.completion',
    created: 0,
    model: 'gpt-4.1-2025-04-14',
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: 40, completion_tokens: 5, total_tokens: 45 },
  };
  return stream ? new HttpResponse(openAIStream(body, true), { headers: SSE_HEADERS }) : HttpResponse.json(body);
};

const doctor = (env: Record<string, string>, args: string[] = []) =>
  runCliCaptured(['doctor', '--provider', 'openai', '--model', 'gpt-4.1', '--db', db, ...args], { env, cwd: dir });

const lines = (stdout: string) => stdout.trim().split('\n');

describe('assess doctor', () => {
  it('all checks pass: exit 0, one ok line each, the endpoint got one json_schema call', async () => {
    openaiAnswers(completion('{"assess_doctor": "pong"}'));
    const r = await doctor({ OPENAI_API_KEY: KEY });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = lines(r.stdout);
    expect(out).toHaveLength(6);
    expect(out.every((l) => l.startsWith('ok  '))).toBe(true);
    expect(out[1]).toMatch(/^ok {4}desks: 8 valid \(CN-01, EU-01, GB-01, IN-01, JP-01, KR-01, TW-01, US-01\)$/);
    expect(out[3]).toBe('ok    openai key: OPENAI_API_KEY is set');
    expect(out[4]).toMatch(/^ok {4}openai\/gpt-4\.1: answered a structured call in \d+ ms$/);
    expect(out[5]).toBe(`ok    archive: ${db} will be created`);
    expect(seen).toEqual([{ model: 'gpt-4.1', format: 'json_schema', stream: true }]);
    expect(r.stderr).toBe('all 6 checks passed\n');
  });

  it('a rejected key: that check fails, exit 1, and the key is not printed', async () => {
    openaiAnswers(() =>
      HttpResponse.json({ error: { message: `Incorrect API key provided: ${KEY}.`, type: 'invalid_request_error', code: 'invalid_api_key' } }, { status: 401 }),
    );
    const r = await doctor({ OPENAI_API_KEY: KEY });
    expect(r.code).toBe(1);
    expect(lines(r.stdout)).toContain('FAIL  openai/gpt-4.1: API key rejected (HTTP 401)');
    expect(r.stdout + r.stderr).not.toContain(KEY);
    expect(r.stderr).toBe('1 of 6 checks failed\n');
  });

  it('an endpoint without json_schema support says so', async () => {
    openaiAnswers(() =>
      HttpResponse.json({ error: { message: "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.", type: 'invalid_request_error', code: null } }, { status: 400 }),
    );
    const r = await doctor({ OPENAI_API_KEY: KEY });
    expect(r.code).toBe(1);
    expect(lines(r.stdout)).toContain(
      "FAIL  openai/gpt-4.1: the endpoint does not accept json_schema structured output (HTTP 400): openai HTTP 400: Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
    );
  });

  it('an endpoint that silently ignores json_schema (answers 200 in its own shape) is caught', async () => {
    // What many OpenAI-compatible servers do: accept response_format and answer free-form.
    openaiAnswers(completion('{"answer": "pong"}'));
    const r = await doctor({ OPENAI_API_KEY: KEY });
    expect(r.code).toBe(1);
    expect(lines(r.stdout)).toContain(
      'FAIL  openai/gpt-4.1: answered, but not in the requested JSON schema (got "{\\"answer\\": \\"pong\\"}"): the endpoint seems to ignore json_schema; runs still validate and repair its answers, at the cost of extra repair turns',
    );
    expect(seen).toHaveLength(1);
    expect(r.stderr).toBe('1 of 6 checks failed\n');
  });

  it('a model the endpoint does not know, and a missing key for another provider', async () => {
    openaiAnswers(() => HttpResponse.json({ error: { message: 'The model `gpt-4.1` does not exist', type: 'invalid_request_error', code: 'model_not_found' } }, { status: 404 }));
    const r = await doctor({ OPENAI_API_KEY: KEY, ASSESS_SYNTH_PROVIDER: 'anthropic' });
    expect(r.code).toBe(1);
    const out = lines(r.stdout);
    expect(out).toContain('FAIL  openai/gpt-4.1: model not found (HTTP 404): openai HTTP 404: The model `gpt-4.1` does not exist');
    expect(out).toContain('FAIL  anthropic key: ANTHROPIC_API_KEY is not set (environment or .env)');
    expect(out).toContain('FAIL  anthropic/claude-sonnet-4-6: not called: no key');
  });
});
