/**
 * `npm run bench`: speed and memory of one `assess run`, measured, not asserted.
 *
 * 1. Orchestration overhead: the whole pipeline (8 desks + synthesis, Zod validation, pooling,
 *    Markdown + JSON rendering) on the replay provider, which answers instantly. Median ms/run.
 * 2. Concurrency: the same 8 desks through the real OpenAI SDK against a fake OpenAI-compatible
 *    server on 127.0.0.1 that answers each call after a fixed delay, at --concurrency 8 vs 1.
 *    The ratio is what makes "every desk within a minute or two" possible with real models.
 * 3. Peak RSS of the process.
 * 4. Shared-prefix share: of each desk call's input tokens (system prompt, user message, output
 *    schema), the part every desk sends identically (system prompt + event block + schema), which
 *    a provider's prompt cache can serve after the first desk.
 *
 * Medians of several repetitions, all in one process and one run, so the ratios are comparable
 * on a shared, noisy machine.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { cpus, totalmem } from 'node:os';
import { loadAgents } from '../../src/agents/index.js';
import { readEvent, nodeEventReaders } from '../../src/event/index.js';
import { OpenAIModel } from '../../src/llm/openai-model.js';
import { ReplayModel } from '../../src/llm/replay-model.js';
import type { StructuredModel } from '../../src/llm/types.js';
import { runEvent, type RunOptions } from '../../src/pipeline/index.js';
import { loadPrompts, renderDeskPrompt } from '../../src/prompts/index.js';
import { AssessmentDraftSchema } from '../../src/assessment/index.js';
import { toProviderJsonSchema } from '../../src/llm/json-schema.js';
import { tokenCounter } from '../../src/llm/estimate-tokens.js';
import { renderRunJson, renderRunMarkdown } from '../../src/report/index.js';
import { recordedDesk, recordedSynthesis } from '../support/recordings.js';
import { SYNTHESIS_TARGET, targetOf } from '../support/request-target.js';
import { openAIStream, SSE_HEADERS } from '../support/sse.js';
import { ROOT, SEED_EVENT } from '../support/paths.js';

const REPS = Number(process.env['BENCH_REPS'] ?? 7);
const LATENCY_MS = Number(process.env['BENCH_LATENCY_MS'] ?? 400);

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const options = (concurrency: number): RunOptions => ({
  concurrency,
  timeoutMs: 60_000,
  maxRepairs: 2,
  maxOutputTokens: 8192,
  retry: { maxRetries: 0, baseDelayMs: 100, maxDelayMs: 1000 },
});

/** A fake Chat Completions server: answers each desk with its recording after LATENCY_MS. */
async function startFakeOpenAI(): Promise<{ url: string; close: () => Promise<void>; calls: () => number }> {
  let count = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      count++;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { stream?: boolean; messages: { content: string }[] };
      const target = targetOf(body.messages[0]?.content ?? '', body.messages[1]?.content ?? '');
      const output = target === SYNTHESIS_TARGET ? recordedSynthesis() : recordedDesk(target);
      const content = JSON.stringify(output);
      setTimeout(() => {
        const answer = {
            id: `chatcmpl-${count}`,
            object: 'chat.completion',
            created: 0,
            model: 'gpt-4.1-2025-04-14',
            choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }],
            usage: { prompt_tokens: 2500, completion_tokens: Math.round(content.length / 4), total_tokens: 0 },
        };
        res.writeHead(200, body.stream ? SSE_HEADERS : { 'content-type': 'application/json' });
        res.end(body.stream ? openAIStream(answer, true) : JSON.stringify(answer));
      }, LATENCY_MS);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}/v1`,
    calls: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function main(): Promise<void> {
  const event = await readEvent({ path: SEED_EVENT }, nodeEventReaders());
  const agents = await loadAgents(`${ROOT}agents`);
  const prompts = await loadPrompts(`${ROOT}prompts`);
  const replay = await ReplayModel.open(`${ROOT}fixtures/replay`);

  const once_ = async (model: StructuredModel, concurrency: number) => {
    const started = performance.now();
    const run = await runEvent({
      runId: 'bench',
      event,
      agents,
      modelFor: () => model,
      synthesisModel: model,
      prompts,
      options: options(concurrency),
      signal: new AbortController().signal,
    });
    renderRunMarkdown(run);
    renderRunJson(run);
    if (run.status !== 'ok') throw new Error(`bench run ${run.status}: ${run.failures.map((f) => f.reason).join('; ')}`);
    return performance.now() - started;
  };

  // Warm-up: module loading and JIT are not what we measure.
  await once_(replay, 8);
  const overhead: number[] = [];
  for (let i = 0; i < REPS * 3; i++) overhead.push(await once_(replay, 8));

  const fake = await startFakeOpenAI();
  const openai = new OpenAIModel({ apiKey: 'bench', model: 'gpt-4.1', baseURL: fake.url });
  await once_(openai, 8);
  const parallel: number[] = [];
  const serial: number[] = [];
  for (let i = 0; i < REPS; i++) {
    parallel.push(await once_(openai, 8));
    serial.push(await once_(openai, 1));
  }
  await fake.close();

  // Read before the tokenizer below is loaded: its tables are the bench's, not a run's.
  const rssMb = process.resourceUsage().maxRSS / 1024;

  // Tokens every desk sends alike vs all desk input tokens, counted with gpt-4.1's tokenizer.
  const counter = await tokenCounter('o200k_base');
  const schemaTokens = counter.count(JSON.stringify(toProviderJsonSchema(AssessmentDraftSchema)));
  let sharedTokens = 0;
  let deskTokens = 0;
  for (const agent of agents) {
    const prompt = renderDeskPrompt(prompts, agent, event);
    const shared = counter.count(prompt.system) + counter.count(prompt.user.slice(0, prompt.sharedPrefixChars)) + schemaTokens;
    sharedTokens += shared;
    deskTokens += counter.count(prompt.system) + counter.count(prompt.user) + schemaTokens;
  }

  const p = median(parallel);
  const s = median(serial);
  const lines = [
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
    `orchestration overhead, 8 desks + synthesis, replay (median of ${overhead.length}): ${median(overhead).toFixed(1)} ms/run`,
    `8 desks via OpenAI SDK, fake server ${LATENCY_MS} ms/call (median of ${REPS}): concurrency 8 = ${p.toFixed(0)} ms, concurrency 1 = ${s.toFixed(0)} ms, speed-up ${(s / p).toFixed(2)}×`,
    `  ideal: concurrency 8 = ${2 * LATENCY_MS} ms (one desk round + synthesis), concurrency 1 = ${9 * LATENCY_MS} ms; overhead at concurrency 8 = ${(p - 2 * LATENCY_MS).toFixed(0)} ms`,
    `peak RSS: ${rssMb.toFixed(0)} MiB`,
    `shared prefix: ${((100 * sharedTokens) / deskTokens).toFixed(1)}% of desk input tokens (${Math.round(sharedTokens / agents.length)} of ${Math.round(deskTokens / agents.length)} per desk, ${agents.length} desks, seed event, o200k tokens)`,
    `calls served by the fake server: ${fake.calls()}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
