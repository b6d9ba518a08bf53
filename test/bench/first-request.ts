/**
 * Part of `npm run bench` (issue 12, item 4): how long the shipped `assess run` takes from process
 * start to its first model request, measured from outside. The CLI (`node dist/cli/main.js`, no
 * usage reporter loaded, so exactly what a user starts) runs the seed event with the 8 shipped
 * desks on `--provider openai` against a fault server on 127.0.0.1 answering at once; the figure is
 * the server's arrival time of the first request minus the spawn time, both on this process's
 * clock (benchClock). Each repetition gets a fresh server; all share one archive, created by an
 * untimed warm-up run, as on a machine that has run assess before.
 *
 * Run alone: `npx tsx test/bench/first-request.ts` (needs `npm run build`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaultServer } from '../support/fault-server.js';
import { ROOT, SEED_EVENT } from '../support/paths.js';
import { MIN_REPS, ofSamples, type Figure } from './figure.js';
import { benchClock, requireDist, spawnCli, type CliProcess } from './spawn-cli.js';

const FAKE_OPENAI_KEY = 'sk-bench-000000000000';
/** The seed event as a user names it, from the package folder. */
const EVENT = SEED_EVENT.slice(ROOT.length);
/** 8 desks + 1 synthesis. */
const EXPECTED_REQUESTS = 9;

const tail = (text: string): string => text.trim().split('\n').slice(-3).join(' | ');

interface Sample {
  firstRequestMs: number;
  wallMs: number;
}

/** One `assess run --provider openai` against a fresh server; throws unless it was a clean 8-desk run. */
async function once(db: string): Promise<Sample> {
  const server = await new FaultServer({ answers: 'recorded', clock: benchClock }).start();
  let proc: CliProcess;
  try {
    proc = await spawnCli(['run', EVENT, '--provider', 'openai', '--db', db], { OPENAI_API_KEY: FAKE_OPENAI_KEY, OPENAI_BASE_URL: server.openaiUrl }, { usage: false, killAfterMs: 120_000 });
  } finally {
    await server.close();
  }
  const requests = server.requests;
  if (proc.code !== 0 || !proc.stderr.includes(': ok (8/8 desks)')) throw new Error(`assess run --provider openai exited ${proc.code ?? proc.signal}: ${tail(proc.stderr)}`);
  if (requests.length !== EXPECTED_REQUESTS || requests.some((r) => r.fault !== null || r.rateLimited)) {
    throw new Error(`expected ${EXPECTED_REQUESTS} clean requests, the server saw ${requests.length}: ${requests.map((r) => `${r.target}${r.fault ? ` ${r.fault}` : ''}`).join(', ')}`);
  }
  return { firstRequestMs: Math.min(...requests.map((r) => r.arrivedAt)) - proc.spawnedAt, wallMs: proc.wallMs };
}

export async function firstRequest({ reps = 9 }: { reps?: number } = {}): Promise<Figure[]> {
  requireDist();
  if (reps < MIN_REPS) throw new Error(`firstRequest: reps must be at least ${MIN_REPS}`);
  const dir = mkdtempSync(join(tmpdir(), 'assess-bench-first-request-'));
  try {
    const db = join(dir, 'archive.db');
    await once(db); // warm-up: creates the archive, warms the disk cache
    const samples: Sample[] = [];
    for (let i = 0; i < reps; i++) samples.push(await once(db));
    const command = `node dist/cli/main.js run ${EVENT} --provider openai --db <archive> (OPENAI_BASE_URL: fault server on 127.0.0.1, answers at once, streamed)`;
    return [
      {
        id: 'first-request.openai',
        name: '`assess run`: spawn → first model request (openai, 8 desks)',
        ...ofSamples(samples.map((s) => s.firstRequestMs)),
        unit: 'ms',
        target: { op: '<=', value: 250 },
        detail: `${command}; from spawn (this process) to the first request arriving at the server (its body read), same clock; the shipped bundle, no preload; archive made by 1 untimed warm-up run; median of ${reps}`,
      },
      {
        id: 'first-request.openai-run-wall',
        name: '`assess run` on openai with instant answers, whole process',
        ...ofSamples(samples.map((s) => s.wallMs)),
        unit: 'ms',
        detail: `the same ${reps} runs, spawn to exit: start-up, 8 desk calls + synthesis against a server answering at once (streams parsed, validated), archive writes, Markdown report; diagnostic`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(await firstRequest(), null, 2)}\n`);
}
