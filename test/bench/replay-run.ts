/**
 * Part of `npm run bench` (issue 12, items 4 and 5): a whole replay `assess run` of the seed event,
 * the demo's command, as a user starts it: `node dist/cli/main.js run fixtures/events/jbic-550b.md
 * --provider replay --db <archive>` (8 desks and the synthesis answered from the recordings, the
 * Markdown report on stdout, plain progress lines on stderr as in a log). Two interleaved series
 * after an untimed warm-up run that creates the archive:
 *  - wall time, spawn to exit, with nothing preloaded into the child;
 *  - the child's CPU time (user + sys over its whole life, from getrusage at exit via
 *    test/bench/report-peak-rss.mjs) and peak RSS: one event per process, so this is what one event
 *    costs a user who runs `assess run` per event.
 *
 * Run alone: `npx tsx test/bench/replay-run.ts` (needs `npm run build`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, SEED_EVENT } from '../support/paths.js';
import { median, MIN_REPS, ofSamples, type Figure } from './figure.js';
import { requireDist, spawnCli, type CliProcess } from './spawn-cli.js';

const EVENT = SEED_EVENT.slice(ROOT.length);
const DESKS = ['JP-01', 'US-01', 'CN-01', 'KR-01', 'EU-01', 'TW-01', 'IN-01', 'GB-01'];

const tail = (text: string): string => text.trim().split('\n').slice(-3).join(' | ');

/** Throws unless the run printed every desk and the consolidated view and said it was ok. */
function expectFullReport(proc: CliProcess): void {
  const missing = [...DESKS.map((d) => `## ${d} `), '## Consolidated risk view'].filter((h) => !proc.stdout.includes(`\n${h}`));
  if (proc.code !== 0 || missing.length > 0 || !proc.stderr.includes(': ok (8/8 desks)')) {
    throw new Error(`replay assess run exited ${proc.code ?? proc.signal}${missing.length ? `, report lacks ${missing.join(', ')}` : ''}: ${tail(proc.stderr)}`);
  }
}

export async function replayRun({ reps = 11 }: { reps?: number } = {}): Promise<Figure[]> {
  requireDist();
  if (reps < MIN_REPS) throw new Error(`replayRun: reps must be at least ${MIN_REPS}`);
  const dir = mkdtempSync(join(tmpdir(), 'assess-bench-replay-'));
  try {
    const argv = ['run', EVENT, '--provider', 'replay', '--db', join(dir, 'archive.db')];
    expectFullReport(await spawnCli(argv)); // warm-up: creates the archive, warms the disk cache
    const wall: number[] = [];
    const cpu: number[] = [];
    const rss: number[] = [];
    // Interleaved, so a slow spell on a shared machine hits both series alike.
    for (let i = 0; i < reps; i++) {
      const bare = await spawnCli(argv, {}, { usage: false });
      expectFullReport(bare);
      wall.push(bare.wallMs);
      const measured = await spawnCli(argv);
      expectFullReport(measured);
      if (measured.cpuMs === null || measured.peakRssMiB === null) throw new Error('the replay run did not report its CPU time');
      cpu.push(measured.cpuMs);
      rss.push(measured.peakRssMiB);
    }
    const command = `node dist/cli/main.js run ${EVENT} --provider replay --db <archive> (the demo's command; stdout and stderr are pipes)`;
    return [
      {
        id: 'replay-run.wall',
        name: 'whole replay `assess run` (8 desks + synthesis), wall',
        ...ofSamples(wall),
        unit: 'ms',
        target: { op: '<=', value: 300 },
        detail: `${command}; spawn to exit, nothing preloaded; archive made by 1 untimed warm-up run; median of ${reps}, interleaved with the CPU series`,
      },
      {
        id: 'cpu-per-event.run',
        name: 'CPU per event, one `assess run` process (replay)',
        ...ofSamples(cpu),
        unit: 'ms',
        target: { op: '<=', value: 30 },
        detail: `${command}; the child's user + sys CPU over its whole life (getrusage at exit): Node's own start, loading the bundle, config, event, desks, prompts, 8 replayed answers validated, synthesis, archive open/writes/close, the report; one event per process, so all of it is per event; peak RSS median ${median(rss).toFixed(0)} MiB; median of ${reps}`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(await replayRun(), null, 2)}\n`);
}
