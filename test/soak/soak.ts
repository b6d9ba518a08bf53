/**
 * `npm run soak`: many events through the real CLI against a fault-injecting fake model server,
 * then every degraded or failed run resumed with the faults off; then SIGKILL crash-durability
 * trials; then many desks against a rate-limited server. Prints a table and exits nonzero unless
 * every run ends ok, nothing crashed, no call was attempted more often than the retry/repair policy
 * allows, and the rate-limited runs finished every desk with few 429s.
 *
 *   SOAK_EVENTS        events (default 100), each assessed by all 8 desks
 *   SOAK_FAULT_RATE    total fault rate per request, spread over every fault kind (default 0.2)
 *   SOAK_SEED          seed of the fault draws (default 20250926)
 *   SOAK_PARALLEL      events in flight at once, in this process (default 10)
 *   SOAK_ANTHROPIC_EVERY  every n-th event uses the Anthropic API instead of OpenAI (default 4; 0 = never)
 *   SOAK_KILL_TRIALS   SIGKILL trials (default 20; 0 = none)
 *   SOAK_RATE_LIMIT_DESKS  desks of the rate-limit runs (default 20; 0 = no rate-limit phase)
 *   SOAK_RATE_LIMIT_RPM    the server's request limit in the rate-limit phase (default 60)
 *   SOAK_ONLY          run only these phases, comma-separated: fault, kill, rate-limit (default: all)
 *
 * The runs go through `runCli` in this process (the CLI entry point minus `process`), with
 * OPENAI_BASE_URL / ANTHROPIC_BASE_URL pointing at the fault server and a throwaway ASSESS_DB.
 * The kill trials spawn `node --import tsx src/cli/main.ts run …` as child processes.
 *
 * The rate-limit phase (in real time: a 60 s window, nothing compressed) spawns the CLI likewise:
 * one event assessed by SOAK_RATE_LIMIT_DESKS desks (copies of JP-01 as XA-01, XB-01, … in a
 * scratch --agents-dir) against a server limited to SOAK_RATE_LIMIT_RPM requests a minute, three
 * times: the server sends its rate-limit headers and the CLI gets no flag (it must learn the limit);
 * headers and `--rpm`; no headers (it must adapt from 429s alone). Every desk must be done, the
 * synthesis present, and 429s few: at most one `--concurrency` wave (the calls sent before the
 * first answer could tell the CLI anything) plus one per 25 calls after it (without headers the
 * limiter probes past the last 429's rate by 0.2% a call, so it meets the wall now and then).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import DatabaseConstructor, { type Database } from 'better-sqlite3';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/program.js';
import { FAULT_KINDS, FaultServer, conversationKey, seededRandom, turnKey, type Api, type FaultKind, type FaultRequest } from '../support/fault-server.js';
import { writeDeskCopies } from '../support/desk-copies.js';
import { ROOT, SEED_EVENT } from '../support/paths.js';
import { describeReconciliation, reconcile, type ArchivedCall, type Reconciliation } from './reconcile.js';

export const ALL_DESKS = ['CN-01', 'EU-01', 'GB-01', 'IN-01', 'JP-01', 'KR-01', 'TW-01', 'US-01'] as const;
export const FAKE_OPENAI_KEY = 'sk-soak-000000000000';
export const FAKE_ANTHROPIC_KEY = 'sk-ant-soak-000000000000';

// ---------------------------------------------------------------------------------------------
// Small helpers.

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `work` over `items` with at most `limit` in flight; results in input order. */
export async function pool<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return results;
}

/** A stack trace line (`    at fn (file.ts:12:5)`): the CLI prints one line per error, never these. */
export const STACK_TRACE = /^\s+at .+(?::\d+:\d+\)?|\(native\)|\(<anonymous>\)|\(index \d+\))$/m;

/** A stack trace printed as such, or inside a JSON log line (pino serialises errors with `stack`). */
export function hasStackTrace(stderr: string): boolean {
  return STACK_TRACE.test(stderr) || /"stack"\s*:\s*"[^"]*\\n\s+at /.test(stderr);
}

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** `assess …` in this process with captured output; env holds only what is given. */
export async function cli(argv: string[], env: Record<string, string>, signal?: AbortSignal): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    stdin: Readable.from([]),
    env,
    cwd: ROOT,
    signal: signal ?? new AbortController().signal,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

// ---------------------------------------------------------------------------------------------
// Events: distinct variations of the seed event.

export interface SoakEvent {
  title: string;
  text: string;
  published: string;
}

const VARIANT_ANGLES = [
  'Markets react as details emerge',
  'Opposition demands parliamentary oversight',
  'Washington signals the first projects',
  'Industry groups weigh in on the terms',
  'Analysts question the timeline',
  'Beijing responds to the announcement',
  'Seoul watches for a similar deal',
  'Brussels studies the precedent',
];

/** `n` distinct events derived from the seed event: new titles, reordered sentences, an update line. */
export function makeEvents(n: number, seed = 1): SoakEvent[] {
  const raw = readFileSync(SEED_EVENT, 'utf8');
  const body = raw.replace(/^---[\s\S]*?---\s*/, '');
  const titleLine = /^#\s+(.+)$/m.exec(body)?.[1]?.trim() ?? 'Japan Unveils $550B U.S. Investment';
  const text = body.replace(/^#\s+.+$/m, '').trim();
  const sentences = text.split(/(?<=[.!?])\s+(?=[A-Z])/).filter((s) => s.trim() !== '');
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const angle = VARIANT_ANGLES[i % VARIANT_ANGLES.length]!;
    const rotated = sentences.map((_, j) => sentences[(j + i) % sentences.length]!);
    const day = 1 + Math.floor(random() * 28);
    const update = `Update ${i + 1}: ${angle.toLowerCase()}; figures as of day ${day} of the follow-up coverage (variant ${i + 1} of ${n}).`;
    return {
      title: `${titleLine} — ${angle} (#${i + 1})`,
      text: [update, ...rotated].join(' '),
      published: `2025-10-${String(day).padStart(2, '0')}`,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// The soak.

export interface SoakOptions {
  server: FaultServer;
  dbPath: string;
  events: number;
  /** Desk ids, or undefined for all of them. */
  desks?: readonly string[];
  faultRate: number;
  /** Fault kinds the rate is spread over (default: all). */
  kinds?: readonly FaultKind[];
  seed: number;
  timeoutSec: number;
  retries: number;
  repairs: number;
  /** Events in flight at once. */
  parallel: number;
  /** Every n-th event uses Anthropic (0: never). */
  anthropicEvery: number;
  /** Called per finished run (progress). */
  onRun?: (done: number, total: number) => void;
}

/** Where a desk failure came from, read from its reason. */
export type FailureCause = FaultKind | 'other';

export function causeOf(reason: string): FailureCause {
  if (/HTTP 429\b/.test(reason)) return 'rate_limit';
  if (/HTTP 500\b/.test(reason)) return 'server_error';
  if (/HTTP 503\b/.test(reason)) return 'unavailable';
  if (/HTTP 529\b/.test(reason)) return 'overloaded';
  if (/timed out/.test(reason)) return 'hang';
  if (/Cannot read properties of undefined/.test(reason)) return 'empty_body';
  if (/Connection error|connection failed|ECONNRESET|socket hang up|other side closed/i.test(reason)) return 'reset';
  if (/truncated/.test(reason)) return 'truncated';
  if (/refused/.test(reason)) return 'refusal';
  if (/not valid JSON/.test(reason)) return 'invalid_json';
  if (/still invalid/.test(reason)) return 'schema_violation';
  return 'other';
}

export interface ReportJson {
  runId: string;
  status: string;
  assessments: { agentId: string }[];
  failures: { agentId: string; kind: string; reason: string }[];
  synthesisError: string | null;
}

export interface RunOutcome {
  index: number;
  provider: 'openai' | 'anthropic';
  code: number;
  report: ReportJson | null;
  stderr: string;
  /** Why this outcome counts as a crash, if it does. */
  crash: string | null;
  resume?: { code: number; status: string | null; stderr: string; crash: string | null };
}

export interface SoakReport {
  events: number;
  desksPerEvent: number;
  providers: Record<string, number>;
  policy: { timeoutSec: number; retries: number; repairs: number; maxAttempts: number };
  faultRate: number;
  seed: number;
  before: Record<string, number>;
  after: Record<string, number>;
  exitCodes: Record<string, number>;
  resumed: number;
  resumeExitCodes: Record<string, number>;
  calls: { total: number; round0: number; resumeRounds: number };
  server: { requests: number; runPhase: number; resumePhase: number; aborted: number; incompleteRequests: number };
  faults: Record<FaultKind, number>;
  faultsTotal: number;
  retries: { archive: number; server: number };
  repairs: { archive: number; server: number };
  deskFailures: { byKind: Record<string, number>; byCause: Record<string, number>; total: number; reasons: string[] };
  synthesisFailures: number;
  attempts: {
    maxPerDeskRound: number;
    maxCallsPerDeskRound: number;
    serverMaxPerConversation: number;
    serverMaxTurns: number;
    serverMaxPerTurn: number;
    overPolicy: string[];
  };
  /** Round-0 calls in the archive vs requests the server saw in the run phase, call by call (see reconcile.ts). */
  reconciliation: Reconciliation;
  /** Every round-0 call is a request the server saw, or ended (timeout, connection) before reaching it. */
  callsMatchRequests: boolean;
  crashes: { total: number; details: string[] };
  wallMs: { total: number; runs: number; resumes: number };
  outcomes: RunOutcome[];
}

const tally = (values: Iterable<string>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
};

function crashOf(code: number, stderr: string, allowed: readonly number[]): string | null {
  if (!allowed.includes(code)) return `exit ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`;
  if (hasStackTrace(stderr)) return `stack trace on stderr: ${stderr.slice(0, 500)}`;
  return null;
}

function parseReport(stdout: string): ReportJson | null {
  try {
    const value = JSON.parse(stdout) as ReportJson;
    return typeof value.runId === 'string' ? value : null;
  } catch {
    return null;
  }
}

/** Runs the soak: every event through `assess run`, then `assess resume` for every run not ok. */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const { server } = options;
  const started = performance.now();
  const events = makeEvents(options.events, options.seed);
  const env: Record<string, string> = {
    OPENAI_API_KEY: FAKE_OPENAI_KEY,
    OPENAI_BASE_URL: server.openaiUrl,
    ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY,
    ANTHROPIC_BASE_URL: server.anthropicUrl,
    ASSESS_DB: options.dbPath,
  };
  const policy = {
    timeoutSec: options.timeoutSec,
    retries: options.retries,
    repairs: options.repairs,
    maxAttempts: (options.retries + 1) * (options.repairs + 1),
  };
  const common = [
    '--call-timeout', String(options.timeoutSec),
    '--retries', String(options.retries),
    '--repairs', String(options.repairs),
    '--no-progress',
    '--format', 'json',
  ];

  // Phase 1: every event, faults on.
  const runMark = server.requests.length;
  server.setPhase('run').setFaultRate(options.faultRate, options.kinds ?? FAULT_KINDS);
  let finished = 0;
  const outcomes = await pool(events, options.parallel, async (event, index): Promise<RunOutcome> => {
    const provider = options.anthropicEvery > 0 && index % options.anthropicEvery === options.anthropicEvery - 1 ? 'anthropic' : 'openai';
    const argv = [
      'run',
      '--title', event.title,
      '--text', event.text,
      '--published', event.published,
      '--provider', provider,
      ...(options.desks ? ['--agents', options.desks.join(',')] : []),
      ...common,
    ];
    const r = await cli(argv, env);
    options.onRun?.(++finished, events.length);
    const report = parseReport(r.stdout);
    const crash = crashOf(r.code, r.stderr, [0, 1, 3]) ?? (report === null ? `no JSON report (exit ${r.code}): ${r.stderr.slice(0, 300)}` : null);
    return { index, provider, code: r.code, report, stderr: r.stderr, crash };
  });
  const runsMs = performance.now() - started;

  // Phase 2: faults off, every run that is not ok resumed.
  const resumeStarted = performance.now();
  const resumeMark = server.requests.length;
  server.setFaults({}).setPhase('resume');
  const toResume = outcomes.filter((o) => o.report !== null && o.report.status !== 'ok');
  await pool(toResume, options.parallel, async (o) => {
    const r = await cli(['resume', o.report!.runId, '--no-progress', '--format', 'json'], env);
    const report = parseReport(r.stdout);
    o.resume = { code: r.code, status: report?.status ?? null, stderr: r.stderr, crash: crashOf(r.code, r.stderr, [0, 1, 3]) };
  });
  const resumesMs = performance.now() - resumeStarted;

  // The archive's account.
  const db: Database = new DatabaseConstructor(options.dbPath, { readonly: true, fileMustExist: true });
  let stats;
  try {
    const all = <T>(sql: string, ...params: unknown[]) => db.prepare(sql).all(...params) as T[];
    const one = <T>(sql: string, ...params: unknown[]) => db.prepare(sql).get(...params) as T;
    const runIds = new Set(outcomes.flatMap((o) => (o.report ? [o.report.runId] : [])));
    const statuses = all<{ id: string; status: string }>('SELECT id, status FROM runs').filter((r) => runIds.has(r.id));
    const calls = one<{ total: number; round0: number; later: number; repairs: number }>(
      `SELECT COUNT(*) AS total, SUM(round = 0) AS round0, SUM(round > 0) AS later, SUM(kind = 'repair') AS repairs FROM calls`,
    );
    // A call that errored and was followed by another call of the same turn was retried; refusals
    // and truncations also carry an error but end the desk, so they never have a successor.
    const retries = one<{ n: number }>(
      `SELECT COUNT(*) AS n FROM calls c WHERE c.error IS NOT NULL AND EXISTS (SELECT 1 FROM calls d
        WHERE d.run_id = c.run_id AND d.round = c.round AND d.purpose = c.purpose AND d.attempt = c.attempt + 1)`,
    ).n;
    const perDesk = all<{ run_id: string; round: number; purpose: string; maxAttempt: number; n: number }>(
      'SELECT run_id, round, purpose, MAX(attempt) AS maxAttempt, COUNT(*) AS n FROM calls GROUP BY run_id, round, purpose',
    );
    const failures = all<{ failure_kind: string; failure_reason: string }>(
      "SELECT failure_kind, failure_reason FROM desk_results WHERE status = 'failed' AND round = 0",
    );
    const synthesisFailures = one<{ n: number }>('SELECT COUNT(*) AS n FROM syntheses WHERE error IS NOT NULL').n;
    // Round-0 calls with the prompts they sent, keyed as the server keys its requests.
    const archivedCalls = all<{
      id: number;
      runId: string;
      purpose: string;
      provider: string;
      kind: string;
      answered: number;
      error: string | null;
      finishReason: string | null;
      latencyMs: number;
      createdAt: string;
      system: string;
      messages: string;
    }>(
      `SELECT c.id, c.run_id AS runId, c.purpose, c.provider, c.kind, (c.raw_text IS NOT NULL OR c.input_tokens IS NOT NULL) AS answered, c.error,
         c.finish_reason AS finishReason, c.latency_ms AS latencyMs, c.created_at AS createdAt,
         s.body AS system, m.body AS messages
       FROM calls c JOIN texts s ON s.hash = c.system_hash JOIN texts m ON m.hash = c.messages_hash WHERE c.round = 0`,
    ).map((c): ArchivedCall => {
      const messages = JSON.parse(c.messages) as { role: string; content: string }[];
      const firstUser = messages.find((m) => m.role === 'user')?.content ?? '';
      return {
        id: c.id,
        runId: c.runId,
        purpose: c.purpose,
        conversation: conversationKey(c.provider as Api, c.system, firstUser),
        turn: turnKey(messages),
        answered: c.answered === 1,
        error: c.error,
        note: `(${c.kind}, finish ${c.finishReason ?? '—'}, ${c.latencyMs} ms to ${c.createdAt.slice(11, 23)})`,
      };
    });
    stats = { statuses, calls, retries, perDesk, failures, synthesisFailures, archivedCalls };
  } finally {
    db.close();
  }

  const runRequests = server.requests.slice(runMark, resumeMark);
  const resumeRequests = server.requests.slice(resumeMark);
  const inRun = (r: FaultRequest) => r.serial > runMark && r.serial <= resumeMark;
  const conversations = server.conversations(inRun);
  // Server-side retries: a turn sent again (same messages) within the run phase.
  const seenTurns = new Set<string>();
  let serverRetries = 0;
  for (const r of runRequests) {
    if (seenTurns.has(r.turn)) serverRetries++;
    seenTurns.add(r.turn);
  }
  const serverRepairTurns = new Set(runRequests.filter((r) => r.kind === 'repair').map((r) => r.turn)).size;
  const reconciliation = reconcile(
    stats.archivedCalls,
    runRequests.map((r) => ({
      serial: r.serial,
      conversation: r.conversation,
      turn: r.turn,
      answered: r.fault !== 'hang' && r.fault !== 'reset',
      note: `(${r.kind}, ${r.fault ?? 'clean'}${r.stream ? ', stream' : ''}, status ${r.status ?? '—'}${r.aborted ? ', aborted' : ''}, arrived ${new Date(r.arrivedAt).toISOString().slice(11, 23)})`,
    })),
  );

  const overPolicy = [
    ...stats.perDesk
      .filter((d) => d.maxAttempt > policy.maxAttempts || d.n > policy.maxAttempts)
      .map((d) => `archive ${d.run_id.slice(0, 8)} round ${d.round} ${d.purpose}: ${d.n} calls, attempt ${d.maxAttempt}`),
    ...conversations
      .filter((c) => c.requests > policy.maxAttempts || c.turns > policy.repairs + 1 || c.maxPerTurn > policy.retries + 1)
      .map((c) => `server ${c.target} ${c.conversation}: ${c.requests} requests, ${c.turns} turns, ${c.maxPerTurn} max per turn`),
  ];

  const crashDetails = [
    ...outcomes.flatMap((o) => (o.crash ? [`run #${o.index + 1}: ${o.crash}`] : [])),
    ...outcomes.flatMap((o) => (o.resume?.crash ? [`resume #${o.index + 1}: ${o.resume.crash}`] : [])),
  ];
  const faults = server.faultCounts(inRun);

  return {
    events: events.length,
    desksPerEvent: options.desks?.length ?? ALL_DESKS.length,
    providers: tally(outcomes.map((o) => o.provider)),
    policy,
    faultRate: options.faultRate,
    seed: options.seed,
    before: tally(outcomes.map((o) => o.report?.status ?? 'no-report')),
    after: tally(stats.statuses.map((s) => s.status)),
    exitCodes: tally(outcomes.map((o) => String(o.code))),
    resumed: toResume.length,
    resumeExitCodes: tally(toResume.map((o) => String(o.resume?.code ?? 'none'))),
    calls: { total: stats.calls.total, round0: stats.calls.round0 ?? 0, resumeRounds: stats.calls.later ?? 0 },
    server: {
      requests: server.requests.length - runMark,
      runPhase: runRequests.length,
      resumePhase: resumeRequests.length,
      aborted: runRequests.filter((r) => r.aborted).length,
      incompleteRequests: server.incompleteRequests,
    },
    faults,
    faultsTotal: Object.values(faults).reduce((a, b) => a + b, 0),
    retries: { archive: stats.retries, server: serverRetries },
    repairs: { archive: stats.calls.repairs ?? 0, server: serverRepairTurns },
    deskFailures: {
      byKind: tally(stats.failures.map((f) => f.failure_kind)),
      byCause: tally(stats.failures.map((f) => causeOf(f.failure_reason))),
      total: stats.failures.length,
      // Distinct reasons, with the fault server's nonces (`#1a2b3c4d.2`) folded together.
      reasons: Object.entries(tally(stats.failures.map((f) => `${f.failure_kind}: ${f.failure_reason.replace(/#[0-9a-f]{8}\.\d+/g, '#…')}`)))
        .sort((a, b) => b[1] - a[1])
        .map(([reason, n]) => `${n} × ${reason}`),
    },
    synthesisFailures: stats.synthesisFailures,
    attempts: {
      maxPerDeskRound: Math.max(0, ...stats.perDesk.map((d) => d.maxAttempt)),
      maxCallsPerDeskRound: Math.max(0, ...stats.perDesk.map((d) => d.n)),
      serverMaxPerConversation: Math.max(0, ...conversations.map((c) => c.requests)),
      serverMaxTurns: Math.max(0, ...conversations.map((c) => c.turns)),
      serverMaxPerTurn: Math.max(0, ...conversations.map((c) => c.maxPerTurn)),
      overPolicy,
    },
    reconciliation,
    callsMatchRequests: reconciliation.unexplained.length === 0,
    crashes: { total: crashDetails.length, details: crashDetails },
    wallMs: { total: performance.now() - started, runs: runsMs, resumes: resumesMs },
    outcomes,
  };
}

// ---------------------------------------------------------------------------------------------
// SIGKILL crash-durability trials.

export interface KillTrialOptions {
  trials: number;
  seed: number;
  /** Scratch folder for the trial databases. */
  dir: string;
  /** A fault-free server the resumes talk to. */
  clean: FaultServer;
  faultRate: number;
  /** Server delay range per answer, ms. */
  delayMs: readonly [number, number];
  desks: string;
  timeoutSec: number;
  retries: number;
  repairs: number;
  /** Trials in flight at once. */
  lanes: number;
}

export type KillLanding =
  /** Killed before the run row was written (start-up, migrations): nothing to resume. */
  | 'before-run-row'
  /** Killed with the run row `running`: resumed. */
  | 'mid-run'
  /** The run finished before the kill moment. */
  | 'finished-first';

export interface KillTrial {
  trial: number;
  anchor: 'spawn' | 'first-request';
  delayMs: number;
  landing: KillLanding;
  integrity: string | null;
  runId: string | null;
  statusAfterKill: string | null;
  desksOkAtKill: number;
  requestsBeforeKill: number;
  resumeCode: number | null;
  finalStatus: string | null;
  problems: string[];
}

export interface KillReport {
  trials: KillTrial[];
  landings: Record<string, number>;
  problems: string[];
  wallMs: number;
}

function readArchive<T>(path: string, use: (db: Database) => T): T {
  // Read-write: SQLite recovers the WAL a killed writer left behind on first open.
  const db = new DatabaseConstructor(path, { fileMustExist: true });
  try {
    return use(db);
  } finally {
    db.close();
  }
}

/**
 * Each trial: a child `assess run` against its own fault server (faults and small seeded delays
 * on), SIGKILLed at a seeded moment 50–1500 ms after an anchor — the child's first model request
 * for three trials in four (tsx start-up alone takes ~1.7 s here, so anchoring at spawn would kill
 * almost every child before its run row exists), the spawn for the fourth. Then: integrity_check
 * is ok, and `assess resume` (fault-free server) completes the run to ok.
 */
export async function runKillTrials(options: KillTrialOptions): Promise<KillReport> {
  const started = performance.now();
  const random = seededRandom(options.seed);
  const plans = Array.from({ length: options.trials }, (_, i) => ({
    trial: i + 1,
    anchor: (i % 4 === 3 ? 'spawn' : 'first-request') as KillTrial['anchor'],
    delayMs: 50 + Math.floor(random() * 1451),
  }));

  const trials = await pool(plans, options.lanes, async (plan): Promise<KillTrial> => {
    const problems: string[] = [];
    const db = join(options.dir, `kill-${plan.trial}.db`);
    const faulty = await new FaultServer({ seed: options.seed * 1000 + plan.trial, faults: {}, delayMs: options.delayMs }).start();
    faulty.setFaultRate(options.faultRate);
    let exited = false;
    let stderr = '';
    try {
      const child = spawn(
        process.execPath,
        [
          '--import', 'tsx', 'src/cli/main.ts',
          'run', 'fixtures/events/jbic-550b.md',
          '--agents', options.desks,
          '--call-timeout', String(options.timeoutSec),
          '--retries', String(options.retries),
          '--repairs', String(options.repairs),
          '--no-progress', '--format', 'json',
        ],
        {
          cwd: ROOT,
          env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', OPENAI_API_KEY: FAKE_OPENAI_KEY, OPENAI_BASE_URL: faulty.openaiUrl, ASSESS_DB: db },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      child.stdout.resume();
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
        child.on('error', (error) => {
          problems.push(`spawn error: ${error.message}`);
          resolve({ code: null, signal: null });
        });
        child.on('close', (code, signal) => {
          exited = true;
          resolve({ code, signal });
        });
      });

      if (plan.anchor === 'first-request') {
        const deadline = Date.now() + 30_000;
        while (!exited && faulty.requests.length === 0 && Date.now() < deadline) await sleep(5);
      }
      await sleep(plan.delayMs);
      const signalled = !exited && child.kill('SIGKILL');
      const end = await done;
      const requestsBeforeKill = faulty.requests.length;
      await faulty.close();
      // kill() succeeds on a child that has already exited but whose 'close' has not been emitted
      // yet (its pipes still draining): the signal then lands on nothing and the child ends with
      // its own exit code. Only a child that died of the signal was killed; one that finished
      // first is judged as a finished run.
      const killed = signalled && end.signal === 'SIGKILL';
      if (!killed) {
        if (end.code !== 0 && end.code !== 1 && end.code !== 3) problems.push(`child exited ${end.code ?? end.signal}: ${stderr.slice(-300)}`);
        if (hasStackTrace(stderr)) problems.push(`child printed a stack trace: ${stderr.slice(0, 300)}`);
      }

      // What the dead (or finished) process left behind.
      let integrity: string | null = null;
      let row: { id: string; status: string } | undefined;
      let desksOkAtKill = 0;
      if (existsSync(db)) {
        try {
          readArchive(db, (d) => {
            integrity = String(d.pragma('integrity_check', { simple: true }));
            const hasRuns = d.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'runs'").get() !== undefined;
            if (hasRuns) {
              row = d.prepare('SELECT id, status FROM runs').get() as typeof row;
              if (row) desksOkAtKill = (d.prepare("SELECT COUNT(*) AS n FROM desk_results WHERE status = 'ok'").get() as { n: number }).n;
            }
          });
        } catch (error) {
          problems.push(`cannot open the archive after the kill: ${(error as Error).message}`);
        }
        if (integrity !== 'ok') problems.push(`integrity_check: ${integrity}`);
      }
      const landing: KillLanding = !killed ? 'finished-first' : row ? 'mid-run' : 'before-run-row';
      const env = { OPENAI_API_KEY: FAKE_OPENAI_KEY, OPENAI_BASE_URL: options.clean.openaiUrl, ASSESS_DB: db };

      let resumeCode: number | null = null;
      let finalStatus: string | null = null;
      const found = row as { id: string; status: string } | undefined;
      if (found) {
        if (found.status !== 'ok') {
          const r = await cli(['resume', found.id, '--no-progress', '--format', 'json'], env);
          resumeCode = r.code;
          if (r.code !== 0) problems.push(`resume exited ${r.code}: ${r.stderr.trim().slice(0, 300)}`);
          if (hasStackTrace(r.stderr)) problems.push(`resume printed a stack trace: ${r.stderr.slice(0, 300)}`);
        }
        readArchive(db, (d) => {
          finalStatus = (d.prepare('SELECT status FROM runs WHERE id = ?').get(found.id) as { status: string }).status;
          const check = String(d.pragma('integrity_check', { simple: true }));
          if (check !== 'ok') problems.push(`integrity_check after resume: ${check}`);
        });
        if (finalStatus !== 'ok') problems.push(`run ${found.id.slice(0, 8)} is ${finalStatus} after resume`);
      } else if (existsSync(db)) {
        // Nothing to resume; the archive must still open (finishing any migration) and list nothing.
        const r = await cli(['runs', 'list', '--format', 'json'], env);
        if (r.code !== 0) problems.push(`runs list after the kill exited ${r.code}: ${r.stderr.trim()}`);
        else if ((JSON.parse(r.stdout) as unknown[]).length !== 0) problems.push('runs list shows a run although none was found');
      }
      return {
        ...plan,
        landing,
        integrity,
        runId: found?.id ?? null,
        statusAfterKill: found?.status ?? null,
        desksOkAtKill,
        requestsBeforeKill,
        resumeCode,
        finalStatus,
        problems,
      };
    } finally {
      await faulty.close();
    }
  });

  return {
    trials,
    landings: tally(trials.map((t) => t.landing)),
    problems: trials.flatMap((t) => t.problems.map((p) => `trial ${t.trial} (${t.landing}): ${p}`)),
    wallMs: performance.now() - started,
  };
}

// ---------------------------------------------------------------------------------------------
// Rate limits: many desks against a server limited to a few requests a minute, in real time.

export interface RateLimitVariant {
  name: string;
  /** The server sends its x-ratelimit-* headers. */
  headers: boolean;
  /** The CLI is given `--rpm <server rpm>`. */
  rpmFlag: boolean;
}

export const RATE_LIMIT_VARIANTS: readonly RateLimitVariant[] = [
  { name: 'headers, no --rpm', headers: true, rpmFlag: false },
  { name: 'headers + --rpm', headers: true, rpmFlag: true },
  { name: 'no headers, no --rpm', headers: false, rpmFlag: false },
];

export interface RateLimitOptions {
  /** Scratch folder: the desk files and the archives. */
  dir: string;
  desks: number;
  /** The server's limit, requests per minute (its burst: one second's worth). */
  rpm: number;
  concurrency: number;
  retries: number;
  /** Server delay range per answer, ms (model latency). */
  delayMs: readonly [number, number];
  seed: number;
  variants?: readonly RateLimitVariant[];
  /** Most limiter 429s a run may see and still pass. @default concurrency */
  max429?: number;
  onVariant?: (variant: RateLimitVariant, run: RateLimitRun) => void;
}

export interface RateLimitRun {
  variant: string;
  argv: string[];
  code: number | null;
  status: string | null;
  desksDone: number;
  desksFailed: number;
  synthesis: boolean;
  /** Every request the server saw, and those its limiter refused with a 429. */
  requests: number;
  rateLimited: number;
  /** Of the 429s: desk requests, and seconds after the first request each arrived. */
  rateLimitedDesks: number;
  rateLimitedAtSec: number[];
  /** Desk requests the limiter admitted, and their rate: (n − 1) / (last − first arrival), per minute. */
  deskAdmitted: number;
  deskRpm: number | null;
  /** First to last request the server saw, s. */
  spanSec: number;
  /** Spawn to exit of the child, ms (includes ~2 s of tsx start-up). */
  wallMs: number;
  /** The CLI's `rate limits: …` lines from stderr. */
  throttling: string[];
  /** "N call(s) answered 429" summed over the CLI's lines (what the client counted). */
  client429: number;
  failureReasons: string[];
  problems: string[];
}

export interface RateLimitReport {
  desks: number;
  rpm: number;
  burst: number;
  concurrency: number;
  retries: number;
  delayMs: readonly [number, number];
  max429: number;
  runs: RateLimitRun[];
  problems: string[];
  wallMs: number;
}

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

/** `node --import tsx src/cli/main.ts …` as a child process; SIGKILLed after `killAfterMs`. */
function spawnCli(args: string[], env: Record<string, string>, killAfterMs: number): Promise<ChildResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const watchdog = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', (error) => {
      clearTimeout(watchdog);
      resolve({ code: null, signal: null, stdout, stderr: `${stderr}spawn error: ${error.message}\n`, wallMs: performance.now() - started });
    });
    child.on('close', (code, signal) => {
      clearTimeout(watchdog);
      resolve({ code, signal, stdout, stderr, wallMs: performance.now() - started });
    });
  });
}

/**
 * One event, `desks` desks, each variant against its own fresh server limited to `rpm` (no faults,
 * seeded delays) and a fresh archive, through the real CLI in a child process, in real time.
 */
export async function runRateLimitPhase(options: RateLimitOptions): Promise<RateLimitReport> {
  const started = performance.now();
  const agentsDir = join(options.dir, 'rate-limit-agents');
  const ids = writeDeskCopies(agentsDir, options.desks);
  const deskIds = new Set(ids);
  const max429 = options.max429 ?? options.concurrency + Math.ceil(options.desks / 25);
  const runs: RateLimitRun[] = [];
  let burst = 1;

  for (const [i, variant] of (options.variants ?? RATE_LIMIT_VARIANTS).entries()) {
    const server = await new FaultServer({
      seed: options.seed + i,
      delayMs: options.delayMs,
      rateLimit: { rpm: options.rpm, headers: variant.headers },
    }).start();
    burst = server.rateLimit?.burst ?? burst;
    try {
      const argv = [
        'run', 'fixtures/events/jbic-550b.md',
        '--provider', 'openai',
        '--agents-dir', agentsDir,
        '--concurrency', String(options.concurrency),
        '--retries', String(options.retries),
        ...(variant.rpmFlag ? ['--rpm', String(options.rpm)] : []),
        '--no-progress', '--format', 'json',
      ];
      // Every call needs a slot of 60 000 / rpm ms: ten times that is a generous whole-run limit.
      const budgetSec = Math.ceil(((options.desks + 1) * 60 * 10) / options.rpm) + 60;
      const child = await spawnCli([...argv, '--timeout', String(budgetSec)], {
        OPENAI_API_KEY: FAKE_OPENAI_KEY,
        OPENAI_BASE_URL: server.openaiUrl,
        ASSESS_DB: join(options.dir, `rate-limit-${i + 1}.db`),
      }, (budgetSec + 60) * 1000);

      const report = parseReport(child.stdout) as (ReportJson & { synthesis?: unknown }) | null;
      const requests = server.requests;
      const first = requests[0]?.arrivedAt ?? 0;
      const last = requests.at(-1)?.arrivedAt ?? first;
      const limited = requests.filter((r) => r.rateLimited);
      const deskArrivals = requests.filter((r) => !r.rateLimited && deskIds.has(r.target)).map((r) => r.arrivedAt).sort((a, b) => a - b);
      const deskSpan = (deskArrivals.at(-1) ?? 0) - (deskArrivals[0] ?? 0);
      const throttling = child.stderr.split('\n').filter((l) => l.startsWith('rate limits:'));
      const client429 = throttling.reduce((n, l) => n + Number(/(\d+) call\(s\) answered 429/.exec(l)?.[1] ?? 0), 0);
      const done = report?.assessments.length ?? 0;
      const failed = report?.failures.length ?? 0;
      const synthesis = report !== null && report.synthesis !== null && report.synthesis !== undefined;

      const problems: string[] = [];
      if (child.code !== 0) problems.push(`exit ${child.code ?? child.signal}: ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      if (report === null) problems.push(`no JSON report: ${child.stdout.slice(0, 200)}`);
      else {
        if (report.status !== 'ok') problems.push(`status ${report.status}`);
        if (done !== options.desks) problems.push(`${done} of ${options.desks} desks done, ${failed} failed`);
        if (!synthesis) problems.push(`no synthesis: ${report.synthesisError ?? 'unknown reason'}`);
      }
      if (hasStackTrace(child.stderr)) problems.push(`stack trace on stderr: ${child.stderr.slice(0, 300)}`);
      if (limited.length > max429) problems.push(`${limited.length} requests answered 429 by the server's limiter (at most ${max429} allowed)`);

      const run: RateLimitRun = {
        variant: variant.name,
        argv,
        code: child.code,
        status: report?.status ?? null,
        desksDone: done,
        desksFailed: failed,
        synthesis,
        requests: requests.length,
        rateLimited: server.rateLimitedCount,
        rateLimitedDesks: limited.filter((r) => deskIds.has(r.target)).length,
        rateLimitedAtSec: limited.map((r) => Math.round((r.arrivedAt - first) / 100) / 10),
        deskAdmitted: deskArrivals.length,
        deskRpm: deskArrivals.length > 1 && deskSpan > 0 ? ((deskArrivals.length - 1) / deskSpan) * 60_000 : null,
        spanSec: (last - first) / 1000,
        wallMs: child.wallMs,
        throttling,
        client429,
        failureReasons: (report?.failures ?? []).map((f) => `${f.agentId} ${f.kind}: ${f.reason}`),
        problems,
      };
      runs.push(run);
      options.onVariant?.(variant, run);
    } finally {
      await server.close();
    }
  }

  return {
    desks: options.desks,
    rpm: options.rpm,
    burst,
    concurrency: options.concurrency,
    retries: options.retries,
    delayMs: options.delayMs,
    max429,
    runs,
    problems: runs.flatMap((r) => r.problems.map((p) => `rate limit (${r.variant}): ${p}`)),
    wallMs: performance.now() - started,
  };
}

/** One table cell for a rate-limit run. */
export function describeRateLimitRun(r: RateLimitRun): string {
  const rate = r.deskRpm === null ? '—' : `${r.deskRpm.toFixed(1)}/min`;
  return [
    `exit ${r.code ?? '—'}, ${r.status ?? 'no report'}: desks ${r.desksDone} done, ${r.desksFailed} failed, synthesis ${r.synthesis ? 'yes' : 'NO'}`,
    `requests ${r.requests}, 429s ${r.rateLimited} (desks ${r.rateLimitedDesks}; client counted ${r.client429})`,
    `desk calls ${rate} (${r.deskAdmitted} admitted)`,
    `wall ${(r.wallMs / 1000).toFixed(1)} s (requests over ${r.spanSec.toFixed(1)} s)`,
  ].join('; ');
}

// ---------------------------------------------------------------------------------------------
// The table.

const fmt = (record: Record<string, number>): string =>
  Object.entries(record)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '—';

export function renderSoakTable(report: SoakReport | undefined, kills?: KillReport, rateLimit?: RateLimitReport): string {
  const rows: [string, string][] = [];
  if (report) rows.push(
    ['events × desks', `${report.events} × ${report.desksPerEvent} (providers: ${fmt(report.providers)})`],
    ['fault rate / seed', `${(report.faultRate * 100).toFixed(0)}% per request over ${FAULT_KINDS.length} kinds / ${report.seed}`],
    ['policy', `--call-timeout ${report.policy.timeoutSec} --retries ${report.policy.retries} --repairs ${report.policy.repairs} → max ${report.policy.maxAttempts} calls per desk`],
    ['runs before resume', fmt(report.before)],
    ['exit codes', fmt(report.exitCodes)],
    ['resumed', `${report.resumed} (exit codes: ${fmt(report.resumeExitCodes)})`],
    ['runs after resume', fmt(report.after)],
    ['calls (archive)', `${report.calls.total} (run ${report.calls.round0}, resumes ${report.calls.resumeRounds})`],
    [
      'requests (server)',
      `${report.server.requests} (run ${report.server.runPhase}, resumes ${report.server.resumePhase}); aborted by client ${report.server.aborted}; bodies cut mid-upload ${report.server.incompleteRequests}`,
    ],
    ['archive calls = server requests', describeReconciliation(report.reconciliation)],
    ['faults injected', `${report.faultsTotal}: ${fmt(report.faults)}`],
    ['retries', `${report.retries.archive} (server saw ${report.retries.server} repeated turns)`],
    ['repairs', `${report.repairs.archive} repair calls (server: ${report.repairs.server} distinct repair turns)`],
    ['desk failures (run)', `${report.deskFailures.total}: ${fmt(report.deskFailures.byKind)}`],
    ['  by cause', fmt(report.deskFailures.byCause)],
    ['synthesis failures', String(report.synthesisFailures)],
    [
      'max attempts per desk',
      `archive ${report.attempts.maxPerDeskRound} (calls ${report.attempts.maxCallsPerDeskRound}); server ${report.attempts.serverMaxPerConversation} requests, ${report.attempts.serverMaxTurns} turns, ${report.attempts.serverMaxPerTurn} per turn; policy ${report.policy.maxAttempts} (${report.policy.repairs + 1} turns × ${report.policy.retries + 1})`,
    ],
    ['over policy', String(report.attempts.overPolicy.length)],
    ['crashes', String(report.crashes.total)],
    ['wall time', `${(report.wallMs.total / 1000).toFixed(1)} s (runs ${(report.wallMs.runs / 1000).toFixed(1)} s, resumes ${(report.wallMs.resumes / 1000).toFixed(1)} s)`],
  );
  if (kills) {
    rows.push(
      ['kill trials', `${kills.trials.length}: ${fmt(kills.landings)}`],
      ['  integrity_check ok', `${kills.trials.filter((t) => t.integrity === 'ok').length} of ${kills.trials.filter((t) => t.integrity !== null).length} archives on disk`],
      ['  resumed to ok', `${kills.trials.filter((t) => t.landing === 'mid-run' && t.finalStatus === 'ok').length} of ${kills.trials.filter((t) => t.landing === 'mid-run').length} killed mid-run`],
      ['  problems', String(kills.problems.length)],
      ['  wall time', `${(kills.wallMs / 1000).toFixed(1)} s`],
    );
  }
  if (rateLimit) {
    rows.push([
      'rate limit',
      `1 event × ${rateLimit.desks} desks + synthesis; server ${rateLimit.rpm} rpm (burst ${rateLimit.burst}), delay ${rateLimit.delayMs[0]}–${rateLimit.delayMs[1]} ms; --concurrency ${rateLimit.concurrency} --retries ${rateLimit.retries}; at most ${rateLimit.max429} 429s`,
    ]);
    for (const r of rateLimit.runs) rows.push([`  ${r.variant}`, describeRateLimitRun(r)]);
    rows.push(['  problems', String(rateLimit.problems.length)], ['  wall time', `${(rateLimit.wallMs / 1000).toFixed(1)} s`]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  const line = `+${'-'.repeat(width + 2)}+${'-'.repeat(72)}`;
  return [line, ...rows.map(([k, v]) => `| ${k.padEnd(width)} | ${v}`), line].join('\n');
}

// ---------------------------------------------------------------------------------------------
// `npm run soak`.

async function main(): Promise<number> {
  const num = (name: string, fallback: number): number => {
    const raw = process.env[name];
    const value = raw === undefined || raw.trim() === '' ? fallback : Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number`);
    return value;
  };
  const PHASES = ['fault', 'kill', 'rate-limit'] as const;
  const only = (process.env['SOAK_ONLY'] ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
  const unknown = only.filter((p) => !(PHASES as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`SOAK_ONLY: unknown phase ${unknown.join(', ')} (phases: ${PHASES.join(', ')})`);
  const runs = (phase: (typeof PHASES)[number]) => only.length === 0 || only.includes(phase);

  const crashes: string[] = [];
  process.on('uncaughtException', (error) => crashes.push(`uncaughtException: ${error.stack ?? String(error)}`));
  process.on('unhandledRejection', (error) => crashes.push(`unhandledRejection: ${(error as Error)?.stack ?? String(error)}`));

  const seed = num('SOAK_SEED', 20250926);
  const dir = mkdtempSync(join(tmpdir(), 'assess-soak-'));
  const server = await new FaultServer({ seed }).start();
  const clean = await new FaultServer({ seed }).start();
  try {
    const report = runs('fault')
      ? await runSoak({
          server,
          dbPath: join(dir, 'soak.db'),
          events: num('SOAK_EVENTS', 100),
          faultRate: num('SOAK_FAULT_RATE', 0.2),
          seed,
          timeoutSec: 3,
          retries: 3,
          repairs: 2,
          parallel: num('SOAK_PARALLEL', 10),
          anthropicEvery: num('SOAK_ANTHROPIC_EVERY', 4),
          onRun: (done, total) => {
            if (done % 10 === 0 || done === total) process.stderr.write(`soak: ${done}/${total} runs\n`);
          },
        })
      : undefined;
    const trials = runs('kill') ? num('SOAK_KILL_TRIALS', 20) : 0;
    const kills =
      trials > 0
        ? await runKillTrials({
            trials,
            seed,
            dir,
            clean,
            faultRate: num('SOAK_FAULT_RATE', 0.2),
            delayMs: [150, 700],
            desks: 'JP-01,US-01,CN-01,KR-01',
            timeoutSec: 2,
            retries: 3,
            repairs: 2,
            lanes: num('SOAK_KILL_LANES', 2),
          })
        : undefined;
    const rateLimitDesks = runs('rate-limit') ? num('SOAK_RATE_LIMIT_DESKS', 20) : 0;
    const rateLimit =
      rateLimitDesks > 0
        ? await runRateLimitPhase({
            dir,
            desks: rateLimitDesks,
            rpm: num('SOAK_RATE_LIMIT_RPM', 60),
            concurrency: 8,
            retries: 6,
            delayMs: [200, 600],
            seed,
            onVariant: (variant, run) => process.stderr.write(`soak: rate limit, ${variant.name}: ${describeRateLimitRun(run)}\n`),
          })
        : undefined;
    if (report) {
      report.crashes.total += crashes.length;
      report.crashes.details.push(...crashes);
    }
    process.stdout.write(`${renderSoakTable(report, kills, rateLimit)}\n`);

    const problems: string[] = [];
    if (report) {
      const notOk = Object.entries(report.after).filter(([status]) => status !== 'ok');
      const missing = report.events - Object.values(report.after).reduce((a, b) => a + b, 0);
      problems.push(
        ...(notOk.length > 0 ? [`runs not ok after resume: ${fmt(Object.fromEntries(notOk))}`] : []),
        ...(missing > 0 ? [`${missing} event(s) left no archived run`] : []),
        ...report.crashes.details,
        ...report.attempts.overPolicy,
        ...(report.callsMatchRequests
          ? []
          : [`archive round-0 calls vs server requests: ${describeReconciliation(report.reconciliation)}`, ...report.reconciliation.unexplained]),
        // Archive retries (an error followed by its turn again) the server did not see are unreached calls.
        ...(report.retries.archive >= report.retries.server && report.retries.archive <= report.retries.server + report.reconciliation.unreached
          ? []
          : [`retries: archive ${report.retries.archive}, server ${report.retries.server} repeated turns, ${report.reconciliation.unreached} unreached call(s)`]),

      );
    } else problems.push(...crashes);
    problems.push(...(kills?.problems ?? []), ...(rateLimit?.problems ?? []));
    if (report && report.deskFailures.reasons.length > 0) {
      process.stdout.write(`\ndesk failure reasons (run):\n${report.deskFailures.reasons.map((r) => `  - ${r}`).join('\n')}\n`);
    }
    if (rateLimit) {
      const lines = rateLimit.runs.flatMap((r) => [
        `  ${r.variant}: assess ${r.argv.join(' ')}`,
        ...(r.throttling.length > 0 ? r.throttling : ['(no rate limits: line)']).map((l) => `    ${l}`),
        ...(r.rateLimitedAtSec.length > 0 ? [`    429s at ${r.rateLimitedAtSec.map((t) => `${t.toFixed(1)}`).join(', ')} s after the first request`] : []),
        ...r.failureReasons.map((f) => `    failed: ${f}`),
      ]);
      process.stdout.write(`\nrate limit runs (the CLI's stderr summary):\n${lines.join('\n')}\n`);
    }
    if (problems.length > 0) {
      process.stdout.write(`\nFAILED:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
      return 1;
    }
    const passed = [
      ...(report ? ['every run ok after resume, no crash, no call over the policy'] : []),
      ...(kills ? ['every killed run intact and resumed'] : []),
      ...(rateLimit ? [`every rate-limited run done with at most ${rateLimit.max429} 429s`] : []),
    ];
    process.stdout.write(`\nsoak ok: ${passed.join('; ') || 'nothing ran'}\n`);
    return 0;
  } finally {
    await server.close();
    await clean.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main();
}
