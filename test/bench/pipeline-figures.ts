/**
 * Pipeline figures of `npm run bench` (issue 7): the SHIPPED CLI (`node dist/cli/main.js`, via
 * spawnCli) driven against the fault server (test/support/fault-server.ts) on 127.0.0.1, which
 * answers every call after a seeded delay — model latency without a model. Every run gets its own
 * fresh server and its own temporary archive, and runs `--provider openai --format json
 * --no-progress` with OPENAI_BASE_URL pointing at the server; the JSON report on stdout is parsed
 * and checked (status ok, every desk one clean call, one synthesis call) before anything is counted,
 * so a figure is never computed from a run that went wrong.
 *
 * Targets are checked on the whole process (issue 12): the CLI child's wall time from spawn to
 * exit (this process's clock) over the call latencies the report gives (`latencyMs`, the CLI's).
 * The report's `startedAt`/`finishedAt` (the pipeline alone) and the server's
 * `arrivedAt`/`answeredAt` per request give diagnostics and the profile in `detail`.
 *
 * Build first (`npm run build`): spawnCli runs dist/. Run alone with `npx tsx test/bench/pipeline-figures.ts`
 * (BENCH_QUICK=1: 500 ms latency, fewer desk counts, a shorter rate-limited run; still 5 repetitions).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { FaultServer, type FaultRequest, type FaultServerOptions } from '../support/fault-server.js';
import { ROOT, SEED_EVENT } from '../support/paths.js';
import { median, MIN_REPS, ofSamples, type Figure } from './figure.js';
import { copyDeskIds, writeDeskCopies } from '../support/desk-copies.js';
import { spawnCli, type CliProcess } from './spawn-cli.js';

// ---------------------------------------------------------------------------------------------
// Running the CLI against a fault server.

/** The parts of `assess run --format json` these figures read. */
interface ReportJson {
  runId: string;
  status: string;
  startedAt: string;
  finishedAt: string;
  assessments: { agentId: string }[];
  failures: { agentId: string; kind: string; reason: string }[];
  synthesis: { warnings?: string[] } | null;
  synthesisError: string | null;
  usage: { calls: { purpose: string; attempt: number; latencyMs: number; error: string | null }[] };
}

const FAKE_OPENAI_KEY = 'sk-bench-000000000000';
const EVENT = SEED_EVENT.slice(ROOT.length);

interface PipelineRun {
  proc: CliProcess;
  report: ReportJson;
  /** finishedAt − startedAt of the report, ms. */
  pipelineMs: number;
  requests: FaultRequest[];
  /** The requests of the earlier run on the same server and data folder, when there was one. */
  earlier?: FaultRequest[];
}


const delayRange = (latencyMs: number, jitter: number): [number, number] => [
  Math.round(latencyMs * (1 - jitter)),
  Math.round(latencyMs * (1 + jitter)),
];

const tail = (text: string, lines = 6): string => text.trim().split('\n').slice(-lines).join(' | ');

/**
 * One `assess run` of the seed event against a fresh fault server made with `server`, in a fresh
 * temporary folder (archive, copied desks). `desks`: a number of JP-01 copies in a temporary
 * --agents-dir, or 'shipped' for the shipped agents/. Throws when no JSON report comes back.
 */
async function runPipeline(options: {
  server: FaultServerOptions;
  desks: number | 'shipped';
  concurrency: number;
  args?: readonly string[];
  /** --timeout of the run, s. @default 600 */
  timeoutSec?: number;
  /**
   * Desks of an earlier, short run against the same server with the same data folder, as on a
   * machine that has run assess before: what it learns (rate-limits.json) is what the measured run
   * starts from. Its requests are kept apart.
   */
  earlierRunDesks?: number;
}): Promise<PipelineRun> {
  const dir = mkdtempSync(join(tmpdir(), 'assess-bench-pipeline-'));
  const server = await new FaultServer(options.server).start();
  try {
    const agentsArgs: string[] = [];
    if (options.desks !== 'shipped') {
      writeDeskCopies(join(dir, 'agents'), options.desks);
      agentsArgs.push('--agents-dir', join(dir, 'agents'));
    }
    const timeoutSec = options.timeoutSec ?? 600;
    const argv = [
      'run', EVENT,
      '--provider', 'openai',
      ...agentsArgs,
      '--concurrency', String(options.concurrency),
      '--timeout', String(timeoutSec),
      '--db', join(dir, 'archive.db'),
      '--format', 'json', '--no-progress',
      ...(options.args ?? []),
    ];
    const env = { OPENAI_API_KEY: FAKE_OPENAI_KEY, OPENAI_BASE_URL: server.openaiUrl };
    let earlier: FaultRequest[] | undefined;
    if (options.earlierRunDesks) {
      const ids = copyDeskIds(options.earlierRunDesks).join(',');
      const first = await spawnCli([...argv, '--agents', ids], env, { killAfterMs: (timeoutSec + 120) * 1000 });
      if (first.code !== 0) throw new Error(`the earlier run exited ${first.code ?? first.signal}: ${tail(first.stderr)}`);
      earlier = [...server.requests];
      // The server's one-second burst refills: the earlier run's last calls do not count against this one.
      await new Promise((r) => setTimeout(r, 1_100));
    }
    const proc = await spawnCli(argv, env, { killAfterMs: (timeoutSec + 120) * 1000 });
    let report: ReportJson;
    try {
      report = JSON.parse(proc.stdout) as ReportJson;
      if (typeof report.runId !== 'string') throw new Error('no runId');
    } catch {
      throw new Error(`assess ${argv.join(' ')}: no JSON report (exit ${proc.code ?? proc.signal}): ${tail(proc.stderr) || proc.stdout.slice(0, 300)}`);
    }
    const pipelineMs = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
    return { proc, report, pipelineMs, requests: server.requests.slice(earlier?.length ?? 0), ...(earlier ? { earlier } : {}) };
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A run a latency figure may be computed from: exit 0, status ok, every desk assessed with exactly
 * one call (no retry, no repair), one synthesis call, no call with an error. Else a clear Error.
 */
function assertClean(run: PipelineRun, desks: number, what: string): void {
  const { report, proc } = run;
  const problems: string[] = [];
  if (proc.code !== 0) problems.push(`exit ${proc.code ?? proc.signal}`);
  if (report.status !== 'ok') problems.push(`status ${report.status}${report.synthesisError ? ` (${report.synthesisError})` : ''}`);
  if (report.assessments.length !== desks) problems.push(`${report.assessments.length} of ${desks} desks assessed`);
  for (const f of report.failures) problems.push(`desk ${f.agentId} failed (${f.kind}): ${f.reason}`);
  const perPurpose = new Map<string, number>();
  for (const c of report.usage.calls) {
    perPurpose.set(c.purpose, (perPurpose.get(c.purpose) ?? 0) + 1);
    if (c.error !== null) problems.push(`${c.purpose} attempt ${c.attempt}: ${c.error}`);
  }
  for (const [purpose, n] of perPurpose) if (n !== 1) problems.push(`${purpose}: ${n} calls (retries or repairs), expected 1`);
  if (perPurpose.get('synthesis') !== 1) problems.push(`${perPurpose.get('synthesis') ?? 0} synthesis calls, expected 1`);
  if (problems.length > 0) {
    throw new Error(`${what}: run ${report.runId.slice(0, 8)} is not clean, refusing to measure it: ${problems.slice(0, 8).join('; ')}${problems.length > 8 ? `; … ${problems.length - 8} more` : ''}. stderr: ${tail(proc.stderr, 4)}`);
  }
}

const deskCalls = (report: ReportJson) => report.usage.calls.filter((c) => c.purpose.startsWith('desk/'));
const synthesisCall = (report: ReportJson) => report.usage.calls.find((c) => c.purpose === 'synthesis');

/** The CLI's own `rate limits: …` summary lines on stderr. */
const throttlingLines = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('rate limits:'));

const ms = (v: number): string => `${Math.round(v)} ms`;
const sec = (v: number): string => `${(v / 1000).toFixed(2)} s`;
const range = (values: readonly number[], digits = 3): string =>
  values.length === 0 ? '—' : `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;
const round = (v: number, digits = 4): number => Number(v.toFixed(digits));

/**
 * Where a run's time went, on the server's clock (same machine as the CLI's): from the report's
 * startedAt to the first desk request arriving; the spread of desk arrivals; the last desk answer
 * sent to the synthesis request arriving (stream parsing, validation, synthesis prompt, connection);
 * the synthesis answer sent to finishedAt; and the client's latency beyond the server's delay per call.
 */
interface Profile {
  /**
   * The wall time a client with zero overhead would have needed with the server's actual service
   * times (answeredAt − arrivedAt): desks list-scheduled onto `concurrency` lanes in arrival order,
   * plus the synthesis call's service time.
   */
  serverIdeal: number;
  /**
   * Pipeline wall time − serverIdeal: what the CLI itself added. A lower bound: answeredAt is when
   * the last byte went to the kernel, which a client slow to read (a 144 KB stream does not fit the
   * socket buffer) delays, so some of the client's time counts as the server's.
   */
  cliOverhead: number;
  startToFirstDesk: number;
  deskArrivalSpread: number;
  lastDeskAnswerToSynthesis: number;
  synthesisAnswerToFinish: number;
  /** Max over desks of (client latencyMs − server answeredAt−arrivedAt). */
  deskClientOverhead: number;
  synthesisClientOverhead: number;
}

function profile(run: PipelineRun, concurrency: number): Profile | null {
  const started = Date.parse(run.report.startedAt);
  const finished = Date.parse(run.report.finishedAt);
  const desks = run.requests.filter((r) => !r.rateLimited && r.target !== 'synthesis' && r.target !== 'unknown' && r.target !== 'triage');
  const synth = run.requests.find((r) => r.target === 'synthesis' && !r.rateLimited);
  if (desks.length === 0 || !synth || synth.answeredAt === null || desks.some((d) => d.answeredAt === null)) return null;
  const serverMs = new Map(desks.map((d) => [d.target, d.answeredAt! - d.arrivedAt]));
  const overheads = deskCalls(run.report).map((c) => c.latencyMs - (serverMs.get(c.purpose.slice('desk/'.length)) ?? c.latencyMs));
  const arrivals = desks.map((d) => d.arrivedAt);
  const lanes = Array.from({ length: concurrency }, () => 0);
  for (const d of [...desks].sort((a, b) => a.arrivedAt - b.arrivedAt)) {
    const lane = lanes.indexOf(Math.min(...lanes));
    lanes[lane]! += d.answeredAt! - d.arrivedAt;
  }
  const serverIdeal = Math.max(...lanes) + (synth.answeredAt - synth.arrivedAt);
  return {
    serverIdeal,
    cliOverhead: run.pipelineMs - serverIdeal,
    startToFirstDesk: Math.min(...arrivals) - started,
    deskArrivalSpread: Math.max(...arrivals) - Math.min(...arrivals),
    lastDeskAnswerToSynthesis: synth.arrivedAt - Math.max(...desks.map((d) => d.answeredAt!)),
    synthesisAnswerToFinish: finished - synth.answeredAt,
    deskClientOverhead: Math.max(...overheads),
    synthesisClientOverhead: (synthesisCall(run.report)?.latencyMs ?? 0) - (synth.answeredAt - synth.arrivedAt),
  };
}

function describeProfiles(profiles: (Profile | null)[]): string {
  const ok = profiles.filter((p): p is Profile => p !== null);
  if (ok.length === 0) return 'no profile (server log incomplete)';
  const m = (key: keyof Profile) => ms(median(ok.map((p) => p[key])));
  return [
    `profile (medians, server clock): zero-overhead wall with the server's actual service times ${m('serverIdeal')}, so the CLI added at least ${m('cliOverhead')}: startedAt → first desk request ${m('startToFirstDesk')}`,
    `desk arrivals spread over ${m('deskArrivalSpread')}`,
    `last desk answer sent → synthesis request ${m('lastDeskAnswerToSynthesis')}`,
    `synthesis answer sent → finishedAt ${m('synthesisAnswerToFinish')}`,
    `the CLI's latencyMs beyond the server's service time: largest over desks ${m('deskClientOverhead')}, synthesis ${m('synthesisClientOverhead')}`,
  ].join('; ');
}

const SPAN_NOTE =
  'pipeline wall time = report finishedAt − startedAt: startedAt is stamped in src/cli/commands/run.ts after the CLI has loaded, planned the run (event, desks, prompts), built the models and opened the archive, just before the archive records the run start and runEvent starts the desks; finishedAt is stamped at the end of runEvent after the synthesis is validated and the risk view built, before the report is rendered and the archive closes — so process start-up and report output are excluded';

// ---------------------------------------------------------------------------------------------
// 1. Critical-path efficiency.

export interface CriticalPathOptions {
  /** Server delay per call, ms. @default 2000 */
  latencyMs?: number;
  /** Delay spread: [L(1 − jitter), L(1 + jitter)]. @default 0.1 */
  jitter?: number;
  /** @default 5 */
  reps?: number;
  /** @default 8 */
  concurrency?: number;
  /** More CLI arguments, for experiments (e.g. `--no-stream`). */
  args?: readonly string[];
}

/**
 * The 8 shipped desks at --concurrency 8, every call answered after latency ±jitter. Per run,
 * efficiency = pipeline wall time ÷ (slowest desk call + synthesizer call), both latencies from the
 * report's usage.calls. Median over `reps` runs.
 */
export async function criticalPath({ latencyMs = 2000, jitter = 0.1, reps = 5, concurrency = 8, args = [] }: CriticalPathOptions = {}): Promise<Figure[]> {
  if (reps < MIN_REPS) throw new Error(`criticalPath: reps must be at least ${MIN_REPS}`);
  const efficiencies: number[] = [];
  const pipelineEfficiencies: number[] = [];
  const serverEfficiencies: number[] = [];
  const walls: number[] = [];
  const processWalls: number[] = [];
  const profiles: (Profile | null)[] = [];
  const runs: string[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const run = await runPipeline({
      server: { seed: 7001 + rep, delayMs: delayRange(latencyMs, jitter), answers: 'recorded' },
      desks: 'shipped',
      concurrency,
      args,
    });
    assertClean(run, 8, 'critical-path');
    const slowest = Math.max(...deskCalls(run.report).map((c) => c.latencyMs));
    const synthesis = synthesisCall(run.report)!.latencyMs;
    efficiencies.push(run.proc.wallMs / (slowest + synthesis));
    pipelineEfficiencies.push(run.pipelineMs / (slowest + synthesis));
    walls.push(run.pipelineMs);
    processWalls.push(run.proc.wallMs);
    const p = profile(run, concurrency);
    profiles.push(p);
    if (p) serverEfficiencies.push(run.pipelineMs / p.serverIdeal);
    runs.push(`${ms(run.proc.wallMs)} (pipeline ${ms(run.pipelineMs)}) / (${ms(slowest)} + ${ms(synthesis)})`);
  }
  const setup = `8 shipped desks + synthesis, --concurrency ${concurrency}${args.length ? ` ${args.join(' ')}` : ''}, every call answered after ${delayRange(latencyMs, jitter).join('–')} ms (fault server, recorded answers, ${args.includes('--no-stream') ? 'not streamed' : 'streamed'}), ${reps} runs`;
  return [
    {
      id: 'critical-path.efficiency',
      name: 'critical-path efficiency (whole `assess run` process ÷ (slowest desk + synthesizer))',
      ...ofSamples(efficiencies, 4),
      unit: 'ratio',
      target: { op: '<=', value: 1.05 },
      detail: `${setup}; per run: the CLI process's wall time, spawn to exit (start-up, planning, the run, archive, report) ÷ (slowest desk call + synthesis call); median of ${reps}; runs: ${runs.join(', ')}; latencies from the report's usage.calls (the CLI's time from sending to the validated answer, rate-limiter wait excluded)`,
    },
    {
      id: 'critical-path.efficiency-pipeline',
      name: '  of which the pipeline alone (startedAt → finishedAt ÷ the same)',
      ...ofSamples(pipelineEfficiencies, 4),
      unit: 'ratio',
      detail: `the same runs, numerator the report's pipeline span instead of the process; ${SPAN_NOTE}; ${describeProfiles(profiles)}; diagnostic`,
    },
    {
      id: 'critical-path.wall',
      name: 'critical-path whole-process wall time, 8 desks + synthesis',
      ...ofSamples(processWalls, 0),
      unit: 'ms',
      detail: `${setup}; spawn to exit of the CLI process; the pipeline span alone: median ${ms(median(walls))} (range ${range(walls, 0)} ms); diagnostic`,
    },
    {
      id: 'critical-path.efficiency-vs-server',
      name: 'critical-path pipeline ÷ (slowest desk + synthesizer) as the server timed them (diagnostic)',
      ...ofSamples(serverEfficiencies, 4),
      unit: 'ratio',
      detail: `${setup}; the pipeline span of the same runs, but the denominator from the fault server's log (answeredAt − arrivedAt of the slowest desk + of the synthesis call) instead of the CLI's latencyMs, which also contain the CLI's own time on each call (sending, reading and parsing the stream); so this ratio charges the CLI with everything it adds inside the pipeline`,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// 2. Scaling with desks.

export interface ScalingOptions {
  /** @default 2000 */
  latencyMs?: number;
  /**
   * Delay spread. @default 0: the expectation ⌈d/8⌉ × L + L assumes every call takes L; with ±10%
   * the slowest of 8 desks alone takes ≈ 1.08 L, which would spend most of the 10% margin before
   * the CLI has done anything.
   */
  jitter?: number;
  /** @default 5 */
  reps?: number;
  /** @default [1, 2, 4, 8, 16, 32] */
  desks?: readonly number[];
  /** @default 8 */
  concurrency?: number;
  /** More CLI arguments, for experiments (e.g. `--no-stream`). */
  args?: readonly string[];
}

/**
 * d copies of JP-01 (XA-01, XB-01, …) at --concurrency 8, every call answered after latency
 * ±jitter with JP-01's recorded answer (realistic size). Per desk count: median pipeline wall time ÷
 * (⌈d/8⌉ × L + L).
 */
export async function scaling({ latencyMs = 2000, jitter = 0, reps = 5, desks = [1, 2, 4, 8, 16, 32], concurrency = 8, args = [] }: ScalingOptions = {}): Promise<Figure[]> {
  if (reps < MIN_REPS) throw new Error(`scaling: reps must be at least ${MIN_REPS}`);
  const figures: Figure[] = [];
  for (const d of desks) {
    const walls: number[] = [];
    const processWalls: number[] = [];
    const profiles: (Profile | null)[] = [];
    let warnings = 0;
    for (let rep = 0; rep < reps; rep++) {
      const run = await runPipeline({
        server: { seed: 7101 + rep, delayMs: delayRange(latencyMs, jitter), answers: 'recorded', recordedFallback: 'JP-01' },
        desks: d,
        concurrency,
        args,
      });
      assertClean(run, d, `scaling (${d} desks)`);
      walls.push(run.pipelineMs);
      processWalls.push(run.proc.wallMs);
      profiles.push(profile(run, concurrency));
      warnings = run.report.synthesis?.warnings?.length ?? 0;
    }
    const waves = Math.ceil(d / concurrency);
    const expected = waves * latencyMs + latencyMs;
    figures.push({
      id: `scaling.desks-${d}`,
      name: `scaling: ${d} desk(s), whole process ÷ (⌈${d}/${concurrency}⌉ × L + L)`,
      ...ofSamples(processWalls.map((w) => w / expected), 4),
      unit: 'ratio',
      target: { op: '<=', value: 1.1 },
      detail: `${d} ${d === 1 ? 'copy' : 'copies'} of JP-01 + synthesis, --concurrency ${concurrency}${args.length ? ` ${args.join(' ')}` : ''}, every call answered after ${jitter > 0 ? `${delayRange(latencyMs, jitter).join('–')} ms` : `${latencyMs} ms`} (JP-01's recorded answer for every desk; the synthesizer's recording names the 8 shipped desks, so the run keeps ${warnings} synthesis warning(s) about dropped ids — the run is ok); per run the CLI process's wall time, spawn to exit, ÷ ${waves} × ${latencyMs} + ${latencyMs} = ${ms(expected)}; ${reps} runs: ${processWalls.map(ms).join(', ')}; the pipeline span alone (startedAt → finishedAt) ÷ the same: median ${(median(walls) / expected).toFixed(3)} (${walls.map(ms).join(', ')}); ${describeProfiles(profiles)}`,
    });
  }
  return figures;
}

// ---------------------------------------------------------------------------------------------
// 3. Rate-limited throughput.

export interface RateLimitedOptions {
  /** The server's limit, requests per minute (burst: one second's worth). @default 120 */
  rpm?: number;
  /** Desk calls (= desks, one call each when all goes well); the synthesis call comes on top. @default 200 */
  calls?: number;
  /** Server delay per answer, ms. @default [200, 400] */
  delayMs?: readonly [number, number];
  /** @default 8 */
  concurrency?: number;
  /** Runs per variant. @default 5 */
  reps?: number;
}

interface RateLimitedVariant {
  key: string;
  name: string;
  args: string[];
  /** Desks of an earlier run on the same machine (data folder) before the measured one. */
  earlierRunDesks?: number;
}

/** What one rate-limited run measured. */
interface RateLimitedSample {
  /** % of the limit: (successful desk calls − 1) ÷ span of admitted desk requests. */
  throughputPct: number;
  /** The same as successful ÷ span, for comparison. */
  naivePct: number;
  /** % of all requests refused by the server's limiter. */
  limitedPct: number;
  failures: string[];
  /** 429s of the earlier, first-contact run (variants with one). */
  earlier429s: number | null;
  summary: string;
}

/**
 * `reps` runs per variant of `calls` desks + synthesis against a server limited to `rpm` (with its
 * rate-limit headers), --concurrency 8, default retries; once without --rpm (the limiter learns
 * the limit from the headers), once with --rpm. Per variant: throughput as % of the limit and 429s
 * as % of all requests (medians), desks failed (the total over all runs: one failure anywhere
 * fails the target). Real time: about reps × (calls + 1) / rpm minutes per variant.
 */
export async function rateLimited({ rpm = 120, calls = 200, delayMs = [200, 400], concurrency = 8, reps = 5 }: RateLimitedOptions = {}): Promise<Figure[]> {
  if (reps < MIN_REPS) throw new Error(`rateLimited: reps must be at least ${MIN_REPS}`);
  const variants: RateLimitedVariant[] = [
    { key: 'rate-limit', name: 'headers, no --rpm, after an earlier run', args: [], earlierRunDesks: 4 },
    { key: 'rate-limit.rpm-flag', name: `headers + --rpm ${rpm}`, args: ['--rpm', String(rpm)] },
  ];
  const burst = Math.max(1, Math.floor(rpm / 60));
  const figures: Figure[] = [];
  for (const [i, variant] of variants.entries()) {
    const samples: RateLimitedSample[] = [];
    for (let rep = 0; rep < reps; rep++) samples.push(await rateLimitedRun({ rpm, calls, delayMs, concurrency, variant, seed: 7201 + 10 * i + rep }));
    const setup = `${variant.name}: ${reps} runs, each of ${calls} desks (copies of JP-01, generated answers) + 1 synthesis call against a fresh server limited to ${rpm} rpm (token bucket, burst ${burst}, x-ratelimit-* headers), answers after ${delayMs[0]}–${delayMs[1]} ms, --concurrency ${concurrency}, default --retries${variant.args.length ? `, ${variant.args.join(' ')}` : ''}`;
    const runs = samples.map((s, n) => `run ${n + 1}: ${s.summary}`).join('; ');
    const failures = samples.flatMap((s) => s.failures);
    if (variant.earlierRunDesks) {
      figures.push({
        id: `${variant.key}.first-contact-429s`,
        name: `429s of a first-ever run (${variant.earlierRunDesks} desks at --concurrency ${concurrency}, no limit known yet)`,
        ...ofSamples(samples.map((s) => s.earlier429s ?? Number.NaN), 0),
        unit: 'count',
        detail: `before each measured run, an earlier run against the same server and data folder, as on a machine that has run assess before: its 429s all come in its first wave, sent before any response could say what the limit is (the server allows a burst of ${burst}); its headers were saved to rate-limits.json beside the archive and the measured run started from them. --rpm avoids even these. Median of ${reps}`,
      });
    }
    figures.push(
      {
        id: `${variant.key}.throughput`,
        name: `rate-limited throughput, ${variant.name} (% of ${rpm} rpm)`,
        ...ofSamples(samples.map((s) => s.throughputPct), 2),
        unit: '%',
        target: { op: '>=', value: 90 },
        detail: `${setup}; per run: admitted desk requests, first to last on the server's clock, counted as (successful desk calls − 1) ÷ span (as successful ÷ span the median would read ${median(samples.map((s) => s.naivePct)).toFixed(1)}%); median of ${reps}; ${runs}`,
      },
      {
        id: `${variant.key}.429s`,
        name: `rate-limited 429s, ${variant.name} (% of requests)`,
        ...ofSamples(samples.map((s) => s.limitedPct), 2),
        unit: '%',
        target: { op: '<=', value: 2 },
        detail: `${setup}; per run: requests refused by the server's limiter ÷ all requests of the measured run; median of ${reps}`,
      },
      {
        id: `${variant.key}.failed`,
        name: `rate-limited desks failed, ${variant.name} (all ${reps} runs)`,
        value: failures.length,
        unit: 'count',
        target: { op: '<=', value: 0 },
        detail: `${setup}; desks failed summed over the ${reps} runs, not a median, so one failure in any run misses the target${failures.length ? `; failures: ${failures.slice(0, 5).join('; ')}` : ''}`,
      },
    );
  }
  return figures;
}

/** One rate-limited run of `variant` against a fresh server. */
async function rateLimitedRun({ rpm, calls, delayMs, concurrency, variant, seed }: { rpm: number; calls: number; delayMs: readonly [number, number]; concurrency: number; variant: RateLimitedVariant; seed: number }): Promise<RateLimitedSample> {
  // Every call needs 60 000 / rpm ms: ten times that is a generous whole-run limit.
  const timeoutSec = Math.ceil(((calls + 1) * 60 * 10) / rpm) + 60;
  const run = await runPipeline({
    server: { seed, delayMs, rateLimit: { rpm, headers: true } },
    desks: calls,
    concurrency,
    args: variant.args,
    timeoutSec,
    ...(variant.earlierRunDesks ? { earlierRunDesks: variant.earlierRunDesks } : {}),
  });
  const { report, requests } = run;
  const deskIds = new Set(copyDeskIds(calls));
  const accepted = requests.filter((r) => !r.rateLimited && deskIds.has(r.target)).map((r) => r.arrivedAt).sort((a, b) => a - b);
  const spanMs = (accepted.at(-1) ?? 0) - (accepted[0] ?? 0);
  const succeeded = report.assessments.length;
  // (n − 1) intervals over the span: n/span would credit the first request's slot, which a
  // full bucket gives for free (the soak's deskRpm and FaultServer.acceptedArrivals count so too).
  const achievedRpm = accepted.length > 1 && spanMs > 0 ? ((Math.min(succeeded, accepted.length) - 1) / spanMs) * 60_000 : 0;
  const naiveRpm = spanMs > 0 ? (succeeded / spanMs) * 60_000 : 0;
  const limited = requests.filter((r) => r.rateLimited);
  const first = requests[0]?.arrivedAt ?? 0;
  const summary = `exit ${run.proc.code ?? run.proc.signal}, status ${report.status}, ${succeeded}/${calls} desks, synthesis ${report.synthesis ? 'yes' : `no (${report.synthesisError ?? '?'})`}, ${accepted.length} desk requests admitted over ${sec(spanMs)} = ${achievedRpm.toFixed(1)} rpm, ${limited.length} of ${requests.length} requests refused${limited.length ? ` (at ${limited.map((r) => ((r.arrivedAt - first) / 1000).toFixed(1)).join(', ')} s)` : ''}, pipeline ${sec(run.pipelineMs)}, process ${sec(run.proc.wallMs)}; the CLI says: ${throttlingLines(run.proc.stderr).join(' / ') || '(no rate limits line)'}`;
  return {
    throughputPct: (100 * achievedRpm) / rpm,
    naivePct: (100 * naiveRpm) / rpm,
    limitedPct: requests.length > 0 ? (100 * limited.length) / requests.length : 0,
    failures: report.failures.map((f) => `${f.agentId} ${f.kind}: ${f.reason}`),
    earlier429s: run.earlier ? run.earlier.filter((r) => r.rateLimited).length : null,
    summary,
  };
}

// ---------------------------------------------------------------------------------------------
// 4. Memory of a 32-desk run.

export interface Memory32Options {
  /** @default 300 */
  latencyMs?: number;
  /** @default 0.1 */
  jitter?: number;
  /** @default 32 */
  desks?: number;
  /** @default 5 */
  reps?: number;
  /** @default 8 */
  concurrency?: number;
}

/** Peak RSS of the CLI process (its own getrusage maxRSS at exit) for one run of 32 JP-01 copies. */
export async function memory32({ latencyMs = 300, jitter = 0.1, desks = 32, reps = 5, concurrency = 8 }: Memory32Options = {}): Promise<Figure[]> {
  if (reps < MIN_REPS) throw new Error(`memory32: reps must be at least ${MIN_REPS}`);
  const peaks: number[] = [];
  const cpu: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const run = await runPipeline({
      server: { seed: 7301 + rep, delayMs: delayRange(latencyMs, jitter), answers: 'recorded', recordedFallback: 'JP-01' },
      desks,
      concurrency,
    });
    assertClean(run, desks, `memory (${desks} desks)`);
    if (run.proc.peakRssMiB === null) throw new Error('memory: the CLI child did not report its peak RSS');
    peaks.push(run.proc.peakRssMiB);
    if (run.proc.cpuMs !== null) cpu.push(run.proc.cpuMs);
  }
  return [
    {
      id: 'memory.peak-rss-32-desks',
      name: `peak RSS of one ${desks}-desk run (CLI process)`,
      ...ofSamples(peaks, 1),
      unit: 'MiB',
      target: { op: '<=', value: 200 },
      detail: `${desks} copies of JP-01 + synthesis, --concurrency ${concurrency}, answers after ${delayRange(latencyMs, jitter).join('–')} ms (JP-01's recorded answer, ~16 KB, streamed); the child's maxRSS from getrusage at exit (test/bench/report-peak-rss.mjs); median of ${reps} runs; CPU user+sys median ${ms(median(cpu))}`,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// 5. Shared prompt prefix.

/**
 * Of each desk call's input tokens (system prompt, user message, output schema), the part every
 * desk sends identically (system prompt + event block + schema), which a provider's prompt cache
 * can serve after the first desk: the 8 shipped desks on the seed event, o200k tokens (gpt-4.1).
 */
export async function sharedPrefix(): Promise<Figure[]> {
  const [{ loadAgents }, { readEvent, nodeEventReaders }, { loadPrompts, renderDeskPrompt }, { AssessmentDraftSchema }, { toProviderJsonSchema }, { tokenCounter }] =
    await Promise.all([
      import('../../src/agents/index.js'),
      import('../../src/event/index.js'),
      import('../../src/prompts/index.js'),
      import('../../src/assessment/index.js'),
      import('../../src/llm/json-schema.js'),
      import('../../src/llm/estimate-tokens.js'),
    ]);
  const event = await readEvent({ path: SEED_EVENT }, nodeEventReaders());
  const agents = await loadAgents(`${ROOT}agents`);
  const prompts = await loadPrompts(`${ROOT}prompts`);
  const counter = await tokenCounter('o200k_base');
  const schemaTokens = counter.count(JSON.stringify(toProviderJsonSchema(AssessmentDraftSchema)));
  let sharedTokens = 0;
  let deskTokens = 0;
  for (const agent of agents) {
    const prompt = renderDeskPrompt(prompts, agent, event);
    sharedTokens += counter.count(prompt.system) + counter.count(prompt.user.slice(0, prompt.sharedPrefixChars)) + schemaTokens;
    deskTokens += counter.count(prompt.system) + counter.count(prompt.user) + schemaTokens;
  }
  return [
    {
      id: 'prompt-cache.shared-prefix',
      name: 'shared-prefix share of desk input tokens',
      value: round((100 * sharedTokens) / deskTokens, 1),
      unit: '%',
      detail: `${Math.round(sharedTokens / agents.length)} of ${Math.round(deskTokens / agents.length)} input tokens per desk are the same for every desk (system prompt + event block + output schema), ${agents.length} shipped desks, seed event, o200k_base tokens; computed from the rendered prompts, no run`,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// `npx tsx test/bench/pipeline-figures.ts`: all five with defaults (BENCH_QUICK=1: quicker).

if (process.argv[1]?.endsWith('pipeline-figures.ts')) {
  const quick = process.env['BENCH_QUICK'] === '1';
  const load = () => loadavg().map((v) => v.toFixed(2)).join(' ');
  const loadBefore = load();
  const started = new Date().toISOString();
  const latencyMs = quick ? 500 : 2000;
  const log = (text: string) => process.stderr.write(`pipeline-figures: ${text}\n`);
  const figures: Figure[] = [];
  const step = async (name: string, run: () => Promise<Figure[]>) => {
    const started = performance.now();
    log(`${name} …`);
    const out = await run();
    figures.push(...out);
    log(`${name}: ${out.map((f) => `${f.id} = ${f.value} ${f.unit}`).join(', ')} (${sec(performance.now() - started)})`);
  };
  await step('critical path', () => criticalPath({ latencyMs, reps: 5 }));
  await step('scaling', () => scaling({ latencyMs, reps: 5, ...(quick ? { desks: [1, 8, 32] } : {}) }));
  await step('memory', () => memory32({ reps: 5 }));
  await step('shared prefix', () => sharedPrefix());
  await step('rate limited', () => rateLimited(quick ? { rpm: 600, calls: 40 } : {}));
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`;
  // Other work on the machine stretches every wall time here: say how busy it was.
  const loadAverage = { before: loadBefore, after: load() };
  process.stdout.write(`${JSON.stringify({ machine, loadAverage, started, finished: new Date().toISOString(), quick, figures }, null, 2)}\n`);
}
