/**
 * Part of `npm run bench` (issue 12, item 5): CPU per event of the feed watcher, measured on the
 * whole process a user starts. `node dist/cli/main.js watch --config <feeds.yaml> --once
 * --provider openai --db <archive>` (what a cron job or systemd timer runs) polls one feed on
 * 127.0.0.1 holding `items` new stories, assesses each with the 8 shipped desks + synthesis through
 * the OpenAI SDK against a fault server answering at once with the recorded answers (streamed), and
 * exits. Per event = the child's whole-life CPU (user + sys, getrusage at exit: Node's start,
 * loading the bundle, the poll, every run, archive writes) ÷ stories assessed. A fresh folder,
 * archive and servers per repetition; a repetition counts only if every story ended as an ok run
 * and the server saw exactly 9 clean requests per story.
 *
 * Two batch sizes, both whole processes: `items` (default 20, the watcher's default
 * maxItemsPerPoll: one poll's worth, as a cron job run sees it) carries the target; the difference
 * between a 3×-larger batch and it, per extra story, estimates the marginal CPU of one more event
 * in a long-running watcher (diagnostic).
 *
 * Run alone: `npx tsx test/bench/watcher-cpu.ts` (needs `npm run build`).
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import DatabaseConstructor from 'better-sqlite3';
import { closeServer } from '../support/close-server.js';
import { FaultServer } from '../support/fault-server.js';
import { median, MIN_REPS, ofSamples, type Figure } from './figure.js';
import { requireDist, spawnCli } from './spawn-cli.js';

const FAKE_OPENAI_KEY = 'sk-bench-000000000000';
const DESKS = ['JP-01', 'US-01', 'CN-01', 'KR-01', 'EU-01', 'TW-01', 'IN-01', 'GB-01'];
const SUBJECTS = ['JBIC investment facility', 'chip export controls', 'yen intervention', 'shipbuilding pact', 'LNG supply deal'];

const tail = (text: string): string => text.trim().split('\n').slice(-3).join(' | ');

/** An RSS feed of `items` distinct stories about Japan and the U.S. */
function feedXml(items: number): string {
  const entries: string[] = [];
  for (let n = 0; n < items; n++) {
    entries.push(
      `<item><title>Japan and U.S. agree on ${SUBJECTS[n % SUBJECTS.length]}, step ${n}</title>` +
        `<link>https://news.bench/story/${n}</link><guid>bench-story-${n}</guid>` +
        `<pubDate>${new Date(Date.UTC(2025, 8, 26, 0, n)).toUTCString()}</pubDate>` +
        `<description>Tokyo and Washington announced item ${n} of the $550 billion investment package; officials in Beijing and Seoul responded.</description></item>`,
    );
  }
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Bench</title><link>https://news.bench/</link><description>bench</description>${entries.join('')}</channel></rss>`;
}

async function feedServer(items: number): Promise<{ url: string; server: Server }> {
  const body = feedXml(items);
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/feed.rss' ? 200 : 404, { 'content-type': 'application/rss+xml' });
    res.end(req.url === '/feed.rss' ? body : '');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('feed server: no port');
  return { url: `http://127.0.0.1:${address.port}/feed.rss`, server };
}

/** One `assess watch --once` over `items` new stories; its CPU per story, ms. */
async function watchOnce(items: number): Promise<{ cpuMs: number; wallMs: number; rssMiB: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'assess-bench-watch-cpu-'));
  const feed = await feedServer(items);
  const model = await new FaultServer({ answers: 'recorded' }).start();
  try {
    const config = join(dir, 'feeds.yaml');
    writeFileSync(config, `feeds:\n  - name: bench\n    url: ${feed.url}\n    agents: [${DESKS.join(', ')}]\n    maxItemsPerPoll: ${items}\n    fetchArticle: false\n`);
    const db = join(dir, 'archive.db');
    const proc = await spawnCli(['watch', '--config', config, '--once', '--provider', 'openai', '--db', db], { OPENAI_API_KEY: FAKE_OPENAI_KEY, OPENAI_BASE_URL: model.openaiUrl }, { killAfterMs: 600_000 });
    if (proc.code !== 0) throw new Error(`assess watch --once exited ${proc.code ?? proc.signal}: ${tail(proc.stderr)}`);
    const archive = new DatabaseConstructor(db, { readonly: true, fileMustExist: true });
    let okRuns: number;
    try {
      okRuns = (archive.prepare("SELECT COUNT(*) AS n FROM runs WHERE status = 'ok'").get() as { n: number }).n;
    } finally {
      archive.close();
    }
    const clean = model.requests.filter((r) => r.fault === null && !r.rateLimited).length;
    if (okRuns !== items || model.requests.length !== items * 9 || clean !== items * 9) {
      throw new Error(`assess watch --once: ${okRuns} ok runs for ${items} stories, ${model.requests.length} model requests (${clean} clean, expected ${items * 9}): ${tail(proc.stderr)}`);
    }
    if (proc.cpuMs === null || proc.peakRssMiB === null) throw new Error('the watcher did not report its CPU time');
    return { cpuMs: proc.cpuMs, wallMs: proc.wallMs, rssMiB: proc.peakRssMiB };
  } finally {
    await model.close();
    await closeServer(feed.server, []);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function watcherCpu({ items = 20, reps = 5 }: { items?: number; reps?: number } = {}): Promise<Figure[]> {
  requireDist();
  if (reps < MIN_REPS) throw new Error(`watcherCpu: reps must be at least ${MIN_REPS}`);
  const large = items * 3;
  await watchOnce(items); // warm-up: the disk cache
  const small: { cpuMs: number; wallMs: number; rssMiB: number }[] = [];
  const big: { cpuMs: number; wallMs: number; rssMiB: number }[] = [];
  for (let i = 0; i < reps; i++) {
    small.push(await watchOnce(items));
    big.push(await watchOnce(large));
  }
  const perEvent = small.map((s) => s.cpuMs / items);
  const marginal = small.map((s, i) => (big[i]!.cpuMs - s.cpuMs) / (large - items));
  const command = `node dist/cli/main.js watch --config <feeds.yaml: one feed on 127.0.0.1, agents: the 8 shipped desks, fetchArticle: false> --once --provider openai --db <fresh archive> (OPENAI_BASE_URL: fault server answering at once, recorded answers streamed)`;
  return [
    {
      id: 'cpu-per-event.watch-once',
      name: `CPU per event, one \`assess watch --once\` process over ${items} new stories`,
      ...ofSamples(perEvent),
      unit: 'ms',
      target: { op: '<=', value: 30 },
      detail: `${command}; the child's user + sys CPU over its whole life (getrusage at exit) ÷ ${items} stories, each 8 desks + synthesis via the OpenAI SDK, archived: start-up included, shared by the batch; whole-process CPU median ${median(small.map((s) => s.cpuMs)).toFixed(0)} ms, wall ${median(small.map((s) => s.wallMs)).toFixed(0)} ms, peak RSS ${median(small.map((s) => s.rssMiB)).toFixed(0)} MiB; median of ${reps}, interleaved with the ${large}-story runs`,
    },
    {
      id: 'cpu-per-event.watch-marginal',
      name: 'CPU of one more event in a watcher (difference of two whole processes)',
      ...ofSamples(marginal),
      unit: 'ms',
      detail: `(whole-process CPU with ${large} stories − with ${items}) ÷ ${large - items}, paired runs of the command above: what each further story costs once the process is up, i.e. per event in a long-running watcher; ${large}-story processes: CPU median ${median(big.map((s) => s.cpuMs)).toFixed(0)} ms, wall ${median(big.map((s) => s.wallMs)).toFixed(0)} ms; diagnostic; median of ${reps}`,
    },
  ];
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(await watcherCpu(), null, 2)}\n`);
}
