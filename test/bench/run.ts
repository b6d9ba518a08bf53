/**
 * `npm run bench`: every figure issues 7 and 12 hold assess to. Every target is checked on the
 * whole process a user starts (the shipped CLI, `node dist/cli/main.js`, in child processes)
 * against local fake servers on 127.0.0.1; in-process breakdowns are diagnostics without targets.
 * A figure that varies between runs is the median of at least 5, with its min and max, and `met`
 * is decided on the median. Prints one table and writes bench/results.json with the machine it ran
 * on and its load average.
 *
 * BENCH_ONLY=first-request,replay,watcher-cpu,startup,archive,critical,scaling,memory,rate-limit,
 * prefix,overhead,watcher,threads,web picks groups; BENCH_QUICK=1 uses fewer repetitions (never fewer than 5
 * for a varying figure) and shorter model latencies (a smoke run, not figures to quote).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/paths.js';
import { meets, type Figure } from './figure.js';
import { criticalPath, memory32, rateLimited, scaling, sharedPrefix } from './pipeline-figures.js';
import { firstRequest } from './first-request.js';
import { archiveQueries, cliStartup, orchestratorOverhead, watcherMemory } from './process-figures.js';
import { replayRun } from './replay-run.js';
import { watcherCpu } from './watcher-cpu.js';
import { linkingFigures, linkingProcessFigures } from './thread-linking.js';
import { webPages } from './web-pages.js';

const quick = process.env['BENCH_QUICK'] === '1';
const only = (process.env['BENCH_ONLY'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);

const groups: [name: string, measure: () => Promise<Figure[]>][] = [
  ['first-request', () => firstRequest(quick ? { reps: 5 } : {})],
  ['replay', () => replayRun(quick ? { reps: 5 } : {})],
  ['watcher-cpu', () => watcherCpu(quick ? { items: 5, reps: 5 } : {})],
  ['startup', () => cliStartup(quick ? { reps: 5 } : {})],
  ['archive', () => archiveQueries(quick ? { reps: 5, processReps: 5 } : {})],
  ['prefix', () => sharedPrefix()],
  ['overhead', () => orchestratorOverhead(quick ? { reps: 8 } : {})],
  ['critical', () => criticalPath(quick ? { latencyMs: 500, reps: 5 } : {})],
  ['scaling', () => scaling(quick ? { latencyMs: 500, reps: 5, desks: [1, 8, 32] } : {})],
  ['memory', () => memory32(quick ? { reps: 5 } : {})],
  ['watcher', () => watcherMemory()],
  ['threads', async () => [...(await linkingProcessFigures(quick ? { reps: 5 } : {})), ...(await linkingFigures(quick ? { reps: 5 } : {}))]],
  ['rate-limit', () => rateLimited(quick ? { rpm: 600, calls: 40 } : {})],
  ['web', () => webPages(quick ? { reps: 5 } : {})],
];

const format = (f: Figure): string => {
  const digits = f.unit === 'ratio' ? 3 : f.unit === 'count' || Math.abs(f.value) >= 100 ? 0 : 1;
  const unit = f.unit === 'ratio' || f.unit === 'count' ? '' : ` ${f.unit}`;
  const spread = f.min !== undefined && f.max !== undefined ? ` (${f.min.toFixed(digits)}–${f.max.toFixed(digits)})` : '';
  return `${f.value.toFixed(digits)}${unit}${spread}`;
};

async function main(): Promise<void> {
  const figures: Figure[] = [];
  const started = performance.now();
  // Other work on the machine stretches every time here: say how busy it was.
  const loadBefore = loadavg();
  for (const [name, measure] of groups) {
    if (only.length > 0 && !only.includes(name)) continue;
    const t = performance.now();
    process.stderr.write(`bench: ${name}…\n`);
    figures.push(...(await measure()));
    process.stderr.write(`bench: ${name} done in ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
  }

  const machine = {
    cpus: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage: { before: loadBefore.map((v) => Number(v.toFixed(2))), after: loadavg().map((v) => Number(v.toFixed(2))) },
  };
  const rows = figures.map((f) => {
    const ok = meets(f);
    return { f, ok, cells: [f.name, format(f), f.target ? `${f.target.op} ${f.target.value}` : '', ok === null ? '' : ok ? 'yes' : 'NO'] };
  });
  const header = ['figure', 'median (min–max)', 'target', 'met'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const out = [
    `machine: ${machine.cpus} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}, load average ${machine.loadAverage.before.join(' ')} before, ${machine.loadAverage.after.join(' ')} after${quick ? ' (BENCH_QUICK: not figures to quote)' : ''}`,
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map((r) => line(r.cells)),
  ];
  const targeted = rows.filter((r) => r.ok !== null);
  out.push('', `${targeted.filter((r) => r.ok).length} of ${targeted.length} targets met; ${((performance.now() - started) / 1000).toFixed(0)} s in all`);
  for (const r of rows.filter((r) => r.ok === false)) out.push(`  missed: ${r.f.name}: ${r.f.detail}`);
  process.stdout.write(`${out.join('\n')}\n`);

  const dir = join(ROOT, 'bench');
  mkdirSync(dir, { recursive: true });
  const results = {
    measuredAt: new Date().toISOString(),
    quick,
    machine,
    figures: figures.map((f) => ({ ...f, met: meets(f) })),
  };
  writeFileSync(join(dir, only.length > 0 || quick ? 'results.partial.json' : 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
}

await main();
