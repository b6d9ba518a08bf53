/**
 * `npm run bench`: every figure issue 7 holds assess to, measured on the real code paths (the
 * shipped CLI in child processes, the pipeline, the archive on disk) against local fake servers on
 * 127.0.0.1. Prints one table and writes bench/results.json with the machine it ran on.
 *
 * BENCH_ONLY=critical,scaling,rate-limit,memory,prefix,overhead,startup,archive,watcher picks
 * groups; BENCH_QUICK=1 uses fewer repetitions and shorter model latencies (for a smoke run, not
 * for figures worth quoting).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/paths.js';
import { meets, type Figure } from './figure.js';
import { criticalPath, memory32, rateLimited, scaling, sharedPrefix } from './pipeline-figures.js';
import { archiveQueries, cliStartup, orchestratorOverhead, watcherMemory } from './process-figures.js';

const quick = process.env['BENCH_QUICK'] === '1';
const only = (process.env['BENCH_ONLY'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);

const groups: [name: string, measure: () => Promise<Figure[]>][] = [
  ['prefix', () => sharedPrefix()],
  ['overhead', () => orchestratorOverhead(quick ? { reps: 8 } : {})],
  ['startup', () => cliStartup(quick ? { reps: 3 } : {})],
  ['critical', () => criticalPath(quick ? { latencyMs: 500, reps: 2 } : {})],
  ['scaling', () => scaling(quick ? { latencyMs: 500, reps: 1 } : {})],
  ['memory', () => memory32(quick ? { reps: 1 } : {})],
  ['watcher', () => watcherMemory()],
  ['archive', () => archiveQueries(quick ? { reps: 5, processReps: 3 } : {})],
  ['rate-limit', () => rateLimited(quick ? { rpm: 600 } : {})],
];

const format = (f: Figure): string => {
  const digits = f.unit === 'ratio' ? 3 : Math.abs(f.value) >= 100 ? 0 : 1;
  return `${f.value.toFixed(digits)} ${f.unit === 'ratio' || f.unit === 'count' ? '' : f.unit}`.trim();
};

async function main(): Promise<void> {
  const figures: Figure[] = [];
  const started = performance.now();
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
  };
  const rows = figures.map((f) => {
    const ok = meets(f);
    return { f, ok, cells: [f.name, format(f), f.target ? `${f.target.op} ${f.target.value}` : '', ok === null ? '' : ok ? 'yes' : 'NO'] };
  });
  const header = ['figure', 'value', 'target', 'met'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const out = [
    `machine: ${machine.cpus} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}${quick ? ' (BENCH_QUICK: not figures to quote)' : ''}`,
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
