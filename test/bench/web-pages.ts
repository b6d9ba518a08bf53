/**
 * Issue 15 §4: the workspace's speed and weight, on what a user runs — `assess serve` (the shipped
 * CLI) in a child process over the 10,000-run bench archive, asked over HTTP on 127.0.0.1:
 * - the runs page (`/`), server time ≤ 100 ms;
 * - a run page (`/runs/<id>`, the newest run), server time ≤ 150 ms;
 * - the seed run's page weight ≤ 300 kB (a fresh archive holding `npm run demo`'s run).
 * Server time is what the server reports in its Server-Timing header (measured around the whole
 * app, guards included); the time the client saw is kept beside it as a diagnostic. Each figure is
 * the median of its samples after one untimed warm-up request.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEED_EVENT, ROOT } from '../support/paths.js';
import { archivePath, seedArchive } from './archive.bench.js';
import { ofSamples, type Figure } from './figure.js';
import { CLI, requireDist } from './spawn-cli.js';

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

interface Served {
  child: ChildProcess;
  url: string;
}

function serve(db: string): Promise<Served> {
  const child = spawn(process.execPath, [CLI, 'serve', '--db', db, '--port', '0'], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: tmpdir() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    // The first start on an archive of an older schema migrates it: allow minutes.
    const timer = setTimeout(() => reject(new Error(`assess serve printed no URL: ${err}`)), 600_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const url = out.split('\n').find((l) => l.startsWith('http://'));
      if (url) {
        clearTimeout(timer);
        resolve({ child, url: url.trim() });
      }
    });
    child.on('exit', (code) => reject(new Error(`assess serve exited ${code}: ${err}`)));
  });
}

async function stop(s: Served): Promise<void> {
  const exited = new Promise((resolve) => s.child.once('exit', resolve));
  s.child.kill('SIGINT');
  await exited;
}

/** One request: the server's own time (Server-Timing), the client's, and the body size. */
async function timed(url: string): Promise<{ serverMs: number; clientMs: number; bytes: number; status: number }> {
  const t = performance.now();
  const response = await fetch(url);
  const body = await response.arrayBuffer();
  const clientMs = performance.now() - t;
  const header = response.headers.get('server-timing') ?? '';
  const serverMs = Number(/app;dur=([\d.]+)/.exec(header)?.[1] ?? NaN);
  return { serverMs, clientMs, bytes: body.byteLength, status: response.status };
}

async function sample(url: string, reps: number): Promise<{ server: number[]; client: number[]; bytes: number }> {
  const warm = await timed(url);
  if (warm.status !== 200) throw new Error(`${url} answered ${warm.status}`);
  const server: number[] = [];
  const client: number[] = [];
  for (let i = 0; i < reps; i++) {
    const r = await timed(url);
    server.push(r.serverMs);
    client.push(r.clientMs);
  }
  return { server, client, bytes: warm.bytes };
}

export async function webPages({ reps = 21 }: { reps?: number } = {}): Promise<Figure[]> {
  requireDist();
  const figures: Figure[] = [];
  const big = archivePath(10_000);
  if (!existsSync(big)) {
    log(`no ${big}: seeding 10,000 runs (takes minutes)`);
    await seedArchive(10_000);
  }
  const served = await serve(big);
  try {
    const list = await sample(served.url, reps);
    const newest = (await (await fetch(`${served.url}index.json`)).json()) as { runs: { runId: string }[] };
    const runId = newest.runs[0]?.runId;
    if (!runId) throw new Error('the runs page listed no run');
    const run = await sample(`${served.url}runs/${runId}`, reps);
    // Facets narrow with a second condition: the combination the in-process check found slowest.
    const filtered = await sample(`${served.url}?status=ok&desk=JP-01`, reps);
    const detail = (what: string, s: { client: number[] }) =>
      `\`assess serve --db <10,000 runs × 8 desks>\` in a child process; GET ${what} over 127.0.0.1, ${reps} requests after 1 untimed warm-up; server time from the Server-Timing header (whole app, guards included); the client saw ${ofSamples(s.client).value} ms (median)`;
    figures.push({ id: 'web.runs-page', name: 'workspace runs page `/` on 10,000 runs, server time', unit: 'ms', target: { op: '<=', value: 100 }, detail: detail('/', list), ...ofSamples(list.server) });
    figures.push({ id: 'web.runs-page-filtered', name: 'workspace runs page `/?status=ok&desk=JP-01` on 10,000 runs, server time', unit: 'ms', target: { op: '<=', value: 100 }, detail: detail('/?status=ok&desk=JP-01', filtered), ...ofSamples(filtered.server) });
    figures.push({ id: 'web.run-page', name: 'workspace run page `/runs/<id>` on 10,000 runs, server time', unit: 'ms', target: { op: '<=', value: 150 }, detail: detail(`/runs/<newest>`, run), ...ofSamples(run.server) });
  } finally {
    await stop(served);
  }

  // The seed run's page: a fresh archive holding exactly what `npm run demo` archives.
  const dir = mkdtempSync(join(tmpdir(), 'assess-bench-web-'));
  try {
    const db = join(dir, 'assess.db');
    const r = spawnSync(process.execPath, [CLI, 'run', SEED_EVENT, '--provider', 'replay', '--db', db, '--format', 'json', '--no-progress'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`the seed run failed: ${r.stderr}`);
    const runId = (JSON.parse(r.stdout) as { runId: string }).runId;
    const seed = await serve(db);
    try {
      const page = await timed(`${seed.url}runs/${runId}`);
      if (page.status !== 200) throw new Error(`the seed run page answered ${page.status}`);
      // The bench archive's runs are smaller than a real one: the seed run's page time is the honest one.
      const seedTimes = await sample(`${seed.url}runs/${runId}`, reps);
      figures.push({
        id: 'web.seed-run-page',
        name: 'workspace run page `/runs/<seed run>` (the demo run, 8 full desks), server time',
        unit: 'ms',
        target: { op: '<=', value: 150 },
        detail: `\`assess serve\` over a fresh archive holding the demo's run; GET /runs/<seed run>, ${reps} requests after 1 untimed warm-up; Server-Timing; the client saw ${ofSamples(seedTimes.client).value} ms (median)`,
        ...ofSamples(seedTimes.server),
      });
      figures.push({
        id: 'web.seed-run-page-weight',
        name: 'workspace seed run page weight (HTML; CSS and script apart)',
        unit: 'KiB',
        value: Number((page.bytes / 1024).toFixed(1)),
        // 300 kB as the issue writes it, in KiB.
        target: { op: '<=', value: 293 },
        detail: `GET /runs/<seed run> on a fresh archive holding the demo's run: ${page.bytes} bytes of HTML (target 300,000 bytes = 293 KiB); the stylesheets and script are ${await assetBytes(seed.url)} bytes more, cached by the browser`,
      });
    } finally {
      await stop(seed);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

async function assetBytes(base: string): Promise<number> {
  let total = 0;
  for (const name of ['app.css', 'run.css', 'list.css', 'review.css', 'live.css', 'app.js']) {
    total += (await (await fetch(`${base}assets/${name}`)).arrayBuffer()).byteLength;
  }
  return total;
}
