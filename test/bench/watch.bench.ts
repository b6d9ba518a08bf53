/**
 * Part of `npm run bench`: the watcher under a stream of news, measured, not asserted.
 *
 * A local server on 127.0.0.1 plays both the news feed (100 new items per poll) and an
 * OpenAI-compatible model (each desk answers with its recorded assessment). The watcher polls it
 * 10 times through the real SDK, queue and archive: 1,000 items, each assessed by 2 desks plus
 * the synthesis. Reported: RSS after 100 and after 1,000 items (after a GC, when --expose-gc is
 * given), items lost, items assessed more than once, and throughput.
 *
 * `watchBench()` returns those figures for process-figures.ts, which runs this file in a child
 * process with `--json` (one JSON object on stdout) so the watcher's RSS is its own.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAgents } from '../../src/agents/index.js';
import { openArchive } from '../../src/archive/open-archive.js';
import { Watcher } from '../../src/feeds/watcher.js';
import { OpenAIModel } from '../../src/llm/openai-model.js';
import { loadPrompts } from '../../src/prompts/index.js';
import { recordedDesk, recordedSynthesis } from '../support/recordings.js';
import { SYNTHESIS_TARGET, targetOf } from '../support/request-target.js';
import { openAIStream, SSE_HEADERS } from '../support/sse.js';
import { ROOT } from '../support/paths.js';

const PAGES = Number(process.env['BENCH_PAGES'] ?? 10);
const PER_PAGE = 100;
const SUBJECTS = ['JBIC investment', 'chip tariffs', 'yen policy', 'shipbuilding deal', 'LNG supply'];

let page = 0;
let modelCalls = 0;

function feedBody(): string {
  const items: string[] = [];
  for (let i = 0; i < PER_PAGE; i++) {
    const n = page * PER_PAGE + i;
    items.push(
      `<item><title>Japan and U.S. ${SUBJECTS[n % SUBJECTS.length]} update number ${n}</title>` +
        `<link>https://news.bench/story/${n}?utm_source=bench</link><guid>story-${n}</guid>` +
        `<pubDate>${new Date(Date.UTC(2025, 8, 26, 0, 0, n)).toUTCString()}</pubDate>` +
        `<description>Tokyo and Washington discussed item ${n} of the $550 billion package.</description></item>`,
    );
  }
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Bench</title>${items.join('')}</channel></rss>`;
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.url?.startsWith('/feed.rss')) {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.end(feedBody());
      return;
    }
    modelCalls++;
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { stream?: boolean; messages: { content: string }[] };
    const target = targetOf(body.messages[0]?.content ?? '', body.messages[1]?.content ?? '');
    const content = JSON.stringify(target === SYNTHESIS_TARGET ? recordedSynthesis() : recordedDesk(target));
    const answer = {
        id: `c${modelCalls}`,
        object: 'chat.completion',
        created: 0,
        model: 'gpt-4.1-2025-04-14',
        choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }],
        usage: { prompt_tokens: 2500, completion_tokens: 4000, total_tokens: 6500 },
    };
    res.writeHead(200, body.stream ? SSE_HEADERS : { 'content-type': 'application/json' });
    res.end(body.stream ? openAIStream(answer, true) : JSON.stringify(answer));
  });
}

const rssMb = (): number => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss / 2 ** 20;
};

/** What one watcher bench measured. RSS in MiB, read after a GC when --expose-gc is given. */
export interface WatchBenchResult {
  items: number;
  polls: number;
  /** Items whose archived run is an assessment (ok, or degraded with a synthesis). */
  assessed: number;
  /** Items polled but not assessed. */
  lost: number;
  /** Items assessed more than once (assessed items beyond the distinct runs they point to). */
  duplicated: number;
  okRuns: number;
  modelCalls: number;
  expectedModelCalls: number;
  rssAfter100MiB: number;
  rssAfterAllMiB: number;
  ratio: number;
  afterGc: boolean;
  seconds: number;
  itemsPerSecond: number;
}

export async function watchBench(): Promise<WatchBenchResult> {
  page = 0;
  modelCalls = 0;
  const server = createServer(handle).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const base = `http://127.0.0.1:${address.port}`;
  const dir = mkdtempSync(join(tmpdir(), 'assess-watch-bench-'));
  const db = openArchive(join(dir, 'watch.db'));
  try {
    const desks = await loadAgents(`${ROOT}agents`);
    const prompts = await loadPrompts(`${ROOT}prompts`);
    const model = new OpenAIModel({ apiKey: 'bench', model: 'gpt-4.1', baseURL: `${base}/v1` });
    const watcher = new Watcher({
      db,
      config: {
        feeds: [
          {
            name: 'bench',
            url: `${base}/feed.rss`,
            schedule: { everyMs: 60_000 },
            agents: ['JP-01', 'US-01'],
            include: [],
            exclude: [],
            maxItemsPerPoll: PER_PAGE,
            fetchArticle: false,
          },
        ],
      },
      desks,
      http: { fetch, timeoutMs: 10_000, maxBytes: 5 * 2 ** 20, userAgent: 'assess-bench' },
      assess: {
        models: { forAgent: () => model, synthesis: model, secrets: [] },
        prompts,
        runOptions: { concurrency: 8, timeoutMs: 30_000, maxRepairs: 0, maxOutputTokens: 8192, retry: { maxRetries: 0, baseDelayMs: 10, maxDelayMs: 10 } },
      },
      concurrency: 8,
    });

    const started = performance.now();
    let after100 = 0;
    for (page = 0; page < PAGES; page++) {
      await watcher.once();
      if (page === 0) after100 = rssMb();
      if (process.env['BENCH_TRACE']) {
        const rss = rssMb();
        const m = process.memoryUsage();
        process.stderr.write(`after ${(page + 1) * PER_PAGE} items: rss ${rss.toFixed(0)} MiB, heap used ${(m.heapUsed / 2 ** 20).toFixed(1)} MiB, heap total ${(m.heapTotal / 2 ** 20).toFixed(1)}, external ${(m.external / 2 ** 20).toFixed(1)} MiB\n`);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const after1000 = rssMb();

    const total = PAGES * PER_PAGE;
    // Assessed means the item's archived run is an assessment: ok, or degraded with a synthesis
    // (its latest version). Not the item's own `done` mark, which is what is being checked.
    const items = db
      .prepare(
        `SELECT COUNT(*) AS n, COUNT(DISTINCT i.run_id) AS runs FROM feed_items i JOIN runs r ON r.id = i.run_id
         WHERE r.status = 'ok' OR (r.status = 'degraded' AND (SELECT s.risk_view_json FROM syntheses s WHERE s.run_id = r.id
           ORDER BY s.version DESC LIMIT 1) IS NOT NULL)`,
      )
      .get() as { n: number; runs: number };
    const runs = (db.prepare("SELECT COUNT(*) AS n FROM runs WHERE status = 'ok'").get() as { n: number }).n;
    return {
      items: total,
      polls: PAGES,
      assessed: items.n,
      lost: total - items.n,
      duplicated: items.n - items.runs,
      okRuns: runs,
      modelCalls,
      expectedModelCalls: total * 3,
      rssAfter100MiB: after100,
      rssAfterAllMiB: after1000,
      ratio: after1000 / after100,
      afterGc: (globalThis as { gc?: unknown }).gc !== undefined,
      seconds,
      itemsPerSecond: total / seconds,
    };
  } finally {
    db.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const r = await watchBench();
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  const lines = [
    `watcher: ${r.items} feed items in ${r.polls} polls, 2 desks + synthesis each, via the OpenAI SDK against 127.0.0.1`,
    `  assessed ${r.assessed}/${r.items} items (lost ${r.lost}), ${r.okRuns} ok runs, ${r.assessed - r.duplicated} distinct runs (assessed twice: ${r.duplicated}), ${r.modelCalls} model calls (expected ${r.expectedModelCalls})`,
    `  RSS after 100 items ${r.rssAfter100MiB.toFixed(0)} MiB, after ${r.items} ${r.rssAfterAllMiB.toFixed(0)} MiB: ratio ${r.ratio.toFixed(2)}×${r.afterGc ? ' (after GC)' : ' (no --expose-gc)'}`,
    `  ${r.itemsPerSecond.toFixed(1)} items/s (${r.seconds.toFixed(1)} s)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
