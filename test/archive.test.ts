import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import DatabaseConstructor from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgents, type AgentDefinition } from '../src/agents/index.js';
import { APPLICATION_ID, LATEST_VERSION, createArchiveAtVersion } from '../src/archive/index.js';
import { eventId } from '../src/event/index.js';
import { escapeHtml } from '../src/report/html.js';
import {
  copyRun,
  deadPid,
  linesOf,
  makeReplayDir,
  seedRecording,
  sha256File,
  tempDir,
  withRaw,
  type Recording,
} from './support/archive-fixtures.js';
import { runCliCaptured, type CapturedRun } from './support/cli-io.js';
import { REPLAY_DIR, ROOT, SEED_EVENT } from './support/paths.js';
import type { RunSummary } from '../src/archive/list-runs.js';
import type { RunRow } from '../src/archive/load-run.js';
import type { SearchHit } from '../src/archive/search.js';

// ── Shared shapes and helpers ──────────────────────────────────────────────────────────────────

const DESKS = ['CN-01', 'EU-01', 'GB-01', 'IN-01', 'JP-01', 'KR-01', 'TW-01', 'US-01'];
const SEED_ID = (JSON.parse(readFileSync(join(REPLAY_DIR, 'manifest.json'), 'utf8')) as { eventId: string }).eventId;
const SEED_TITLE = 'Japan Unveils $550B U.S. Investment';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const HOOK_TIMEOUT = 30_000;

interface Assessment {
  agentId: string;
  agentName: string;
  signOff: string;
  bottomLine: string;
  stance: { label: string; reason: string };
  [key: string]: unknown;
}

/** `run --format json` / `runs show --format json`. */
interface Report {
  runId: string;
  status: string;
  startedAt: string;
  finishedAt: string;
  event: { id: string; title: string; summary: string; [key: string]: unknown };
  desks: { agentId: string; provider: string; model: string }[];
  promptHashes: { desk: string; synthesis: string };
  assessments: Assessment[];
  failures: { agentId: string; kind: string; reason: string }[];
  synthesis: ({ overallRisk: { level: string } } & Record<string, unknown>) | null;
  synthesisError: string | null;
  usage: {
    calls: { purpose: string; attempt: number; provider: string; model: string; inputTokens: number; outputTokens: number; costUsd: number | null; latencyMs: number; error: string | null }[];
    total: { calls: number };
  };
}

/** `runs list --format json`. */
type ListedRun = RunSummary;

/** `search --format json`. */
type Hit = SearchHit;

type RunsRow = RunRow;

interface CallsRow {
  id: number;
  run_id: string;
  round: number;
  agent_id: string | null;
  purpose: string;
  attempt: number;
  kind: string;
  provider: string;
  model: string;
  system_hash: string;
  messages_hash: string;
  raw_text: string | null;
  finish_reason: string | null;
  /** 1 when this output was accepted (raw_text is then the parsed value). */
  valid: number;
  issues_json: string;
  input_tokens: number | null;
  output_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  latency_ms: number;
  cost_usd: number | null;
  error: string | null;
  created_at: string;
}

const cli = (args: string[]): Promise<CapturedRun> => runCliCaptured(args);

/** The run id `run` reports on stderr (`run <uuid>: ok (…)`). */
function runIdOf(run: CapturedRun): string {
  const m = /^run ([0-9a-f-]{36}): /m.exec(run.stderr);
  if (!m) throw new Error(`no run id in stderr: ${run.stderr}`);
  return m[1]!;
}

/** `assess run <seed> --provider replay` into `db`; `extra` adds flags. */
async function runSeed(db: string, extra: string[] = []): Promise<CapturedRun & { runId: string }> {
  const run = await cli(['run', SEED_EVENT, '--provider', 'replay', '--no-progress', '--db', db, ...extra]);
  return { ...run, runId: runIdOf(run) };
}

/** Bad input: exit 2, nothing on stdout, exactly one `assess: …` line on stderr matching `pattern`. */
function expectUsageError(run: CapturedRun, pattern: RegExp): void {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stdout).toBe('');
  const lines = linesOf(run.stderr);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^assess: /);
  expect(lines[0]).toMatch(pattern);
}

async function listJson(db: string, args: string[] = []): Promise<ListedRun[]> {
  const r = await cli(['runs', 'list', '--format', 'json', '--db', db, ...args]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as ListedRun[];
}

async function searchJson(db: string, query: string, args: string[] = []): Promise<Hit[]> {
  const r = await cli(['search', query, '--format', 'json', '--db', db, ...args]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Hit[];
}

async function showJson(db: string, id: string): Promise<Report> {
  const r = await cli(['runs', 'show', id, '--format', 'json', '--db', db]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** A desk as stored in runs.desks_json: its definition inline, or by hash into `texts` (stored once). */
interface StoredDesk {
  agentId: string;
  provider: string;
  model: string;
  definition?: AgentDefinition;
  definitionHash?: string;
}

/** The desks of a runs row with their definitions resolved, whichever way they are stored. */
function storedDesks(db: string, desksJson: string): (StoredDesk & { definition: AgentDefinition | undefined })[] {
  const desks = JSON.parse(desksJson) as StoredDesk[];
  return withRaw(
    db,
    (d) =>
      desks.map((desk) => {
        if (desk.definitionHash === undefined) return { ...desk, definition: desk.definition };
        const body = d.prepare('SELECT body FROM texts WHERE hash = ?').pluck().get(desk.definitionHash) as string | undefined;
        expect(body, `texts row for ${desk.agentId}'s definition`).toBeDefined();
        expect(sha256(body!)).toBe(desk.definitionHash);
        return { ...desk, definition: JSON.parse(body!) as AgentDefinition };
      }),
    { readonly: true },
  );
}

// ── 1 & 2. Round trip ──────────────────────────────────────────────────────────────────────────

describe('round trip: `run` → rows in the archive → `runs show`', () => {
  const RUN_FLAGS = ['--concurrency', '3', '--call-timeout', '60', '--repairs', '1', '--max-output-tokens', '4000', '--retries', '2'];
  let tmp: ReturnType<typeof tempDir>;
  let db: string;
  let report: Report;
  let jsonRun: CapturedRun & { runId: string };
  let mdRun: CapturedRun & { runId: string };
  let textsAfterFirstRun: number;
  let agents: AgentDefinition[];

  beforeAll(async () => {
    tmp = tempDir('roundtrip');
    db = join(tmp.dir, 'a.db');
    agents = await loadAgents(join(ROOT, 'agents'));
    jsonRun = await runSeed(db, [...RUN_FLAGS, '--format', 'json']);
    expect(jsonRun.code, jsonRun.stderr).toBe(0);
    report = JSON.parse(jsonRun.stdout) as Report;
    textsAfterFirstRun = withRaw(db, (d) => (d.prepare('SELECT COUNT(*) AS n FROM texts').get() as { n: number }).n, { readonly: true });
    // The same run again, printed as Markdown this time.
    mdRun = await runSeed(db, [...RUN_FLAGS, '--format', 'md']);
    expect(mdRun.code, mdRun.stderr).toBe(0);
  }, HOOK_TIMEOUT);

  afterAll(() => tmp.cleanup());

  it('`run` says where it archived the run', () => {
    expect(jsonRun.stderr).toContain(`archived in ${db} (assess runs show ${jsonRun.runId.slice(0, 8)})`);
    expect(report.runId).toBe(jsonRun.runId);
  });

  it('the runs row holds the event, every desk with its full definition, models, prompt hashes, options, times and status', () => {
    const row = withRaw(db, (d) => d.prepare('SELECT * FROM runs WHERE id = ?').get(report.runId), { readonly: true }) as RunsRow;
    expect(row.id).toBe(report.runId);
    expect(row.event_id).toBe(SEED_ID);
    expect(row.event_id).toBe(report.event.id);
    expect(row.event_title).toBe(SEED_TITLE);
    const { id: _eventId, ...event } = report.event;
    expect(JSON.parse(row.event_json)).toEqual(event);
    expect(JSON.parse(row.event_json)).toMatchObject({ title: SEED_TITLE, publishedAt: '2025-09-26T00:00:00.000Z', language: 'en' });

    const desks = storedDesks(db, row.desks_json);
    expect(desks.map((d) => d.agentId)).toEqual(DESKS);
    for (const desk of desks) {
      expect(desk.provider).toBe('replay');
      expect(desk.model).toBe(report.desks.find((d) => d.agentId === desk.agentId)?.model);
      expect(desk.model).toBe('replay');
      const definition = agents.find((a) => a.id === desk.agentId);
      expect(desk.definition).toEqual(definition);
      expect(desk.definition!.brief.split(/\s+/).length).toBeGreaterThanOrEqual(150);
    }
    expect(JSON.parse(row.synthesis_model_json)).toEqual({ provider: 'replay', model: 'replay' });
    expect(JSON.parse(row.prompt_hashes_json)).toEqual(report.promptHashes);
    expect(report.promptHashes.desk).toMatch(/^[0-9a-f]{12}$/);
    expect(JSON.parse(row.options_json)).toEqual({
      concurrency: 3,
      timeoutMs: 60_000,
      // --timeout was not given: the default whole-run limit, 30 minutes.
      runTimeoutMs: 1_800_000,
      maxRepairs: 1,
      maxOutputTokens: 4000,
      retry: expect.objectContaining({ maxRetries: 2 }),
    });
    expect(row.started_at).toMatch(ISO);
    expect(row.finished_at).toMatch(ISO);
    expect(row.started_at).toBe(report.startedAt);
    expect(row.finished_at).toBe(report.finishedAt);
    expect(row.finished_at! >= row.started_at).toBe(true);
    expect(row.status).toBe('ok');
    expect(row.pid).toBeNull();
    expect(row.host).toBe(hostname());
  });

  it('calls: one row per model call with its prompt texts, raw answer, tokens, latency and cost', () => {
    const { calls, texts } = withRaw(
      db,
      (d) => ({
        calls: d.prepare('SELECT * FROM calls WHERE run_id = ? ORDER BY id').all(report.runId) as CallsRow[],
        texts: new Map((d.prepare('SELECT hash, body FROM texts').all() as { hash: string; body: string }[]).map((t) => [t.hash, t.body])),
      }),
      { readonly: true },
    );
    expect(calls).toHaveLength(9);
    expect(calls.map((c) => c.agent_id ?? 'synthesis').sort()).toEqual([...DESKS, 'synthesis']);
    // The synthesizer runs after every desk.
    expect(calls.at(-1)!.agent_id).toBeNull();

    for (const call of calls) {
      const agentId = call.agent_id;
      const recording = seedRecording(agentId === null ? 'synthesis' : `desk-${agentId}`);
      expect(call).toMatchObject({
        run_id: report.runId,
        round: 0,
        purpose: agentId === null ? 'synthesis' : `desk/${agentId}`,
        attempt: 1,
        kind: 'initial',
        provider: 'replay',
        model: recording.model,
        finish_reason: 'stop',
        issues_json: '[]',
        input_tokens: recording.usage.inputTokens,
        output_tokens: recording.usage.outputTokens,
        cache_read_tokens: 0,
        cache_write_tokens: 0,
        cost_usd: null, // replay models have no price
        error: null,
      });
      expect(JSON.parse(call.raw_text!)).toEqual(recording.output);
      // The accepted output is flagged; raw_text (checked above) is its parsed value.
      expect(call.valid).toBe(1);
      expect('parsed_json' in call).toBe(false);
      expect(Number.isInteger(call.latency_ms) && call.latency_ms >= 0).toBe(true);
      expect(call.created_at).toMatch(ISO);

      const system = texts.get(call.system_hash);
      const messagesBody = texts.get(call.messages_hash);
      expect(system).toBeDefined();
      expect(messagesBody).toBeDefined();
      expect(sha256(system!)).toBe(call.system_hash);
      expect(sha256(messagesBody!)).toBe(call.messages_hash);
      const messages = JSON.parse(messagesBody!) as { role: string; content: string }[];
      expect(messages).toHaveLength(1);
      expect(messages[0]!.role).toBe('user');
      if (agentId !== null) {
        const agent = agents.find((a) => a.id === agentId)!;
        // The desk's identity and brief follow the event; the system prompt is every desk's.
        expect(system).toContain('You are a country desk');
        expect(messages[0]!.content).toContain(`You are ${agentId}, the ${agent.name}`);
        expect(messages[0]!.content).toContain(agent.brief);
        expect(messages[0]!.content).toContain(`Title: ${SEED_TITLE}`);
        expect(messages[0]!.content).toContain(report.event.summary);
      } else {
        expect(system).toContain('You are the synthesizer');
        for (const id of DESKS) expect(messages[0]!.content).toContain(`"agentId": "${id}"`);
      }
    }

    // The same numbers as the report's usage section, call for call.
    expect(
      calls.map((c) => ({
        purpose: c.purpose,
        attempt: c.attempt,
        provider: c.provider,
        model: c.model,
        inputTokens: c.input_tokens,
        outputTokens: c.output_tokens,
        cacheReadTokens: c.cache_read_tokens,
        cacheWriteTokens: c.cache_write_tokens,
        costUsd: c.cost_usd,
        latencyMs: c.latency_ms,
        error: c.error,
      })),
    ).toEqual(report.usage.calls);
  });

  it('texts are stored once: an identical second run adds no texts and reuses the same hashes', () => {
    const { total, first, second, desksFirst, desksSecond } = withRaw(
      db,
      (d) => {
        const hashes = (runId: string) =>
          d.prepare('SELECT purpose, system_hash, messages_hash FROM calls WHERE run_id = ? ORDER BY purpose').all(runId) as {
            purpose: string;
            system_hash: string;
            messages_hash: string;
          }[];
        return {
          total: (d.prepare('SELECT COUNT(*) AS n FROM texts').get() as { n: number }).n,
          first: hashes(jsonRun.runId),
          second: hashes(mdRun.runId),
          desksFirst: (d.prepare('SELECT desks_json FROM runs WHERE id = ?').pluck().get(jsonRun.runId) as string),
          desksSecond: (d.prepare('SELECT desks_json FROM runs WHERE id = ?').pluck().get(mdRun.runId) as string),
        };
      },
      { readonly: true },
    );
    expect(first).toHaveLength(9);
    expect(second).toEqual(first);
    // The desks share one system prompt, so it is stored once for all of them.
    expect(new Set(first.filter((c) => c.purpose.startsWith('desk/')).map((c) => c.system_hash)).size).toBe(1);
    // Desk definitions kept by reference count among the texts too.
    const definitionHashes = (JSON.parse(desksFirst) as StoredDesk[]).flatMap((d) => (d.definitionHash ? [d.definitionHash] : []));
    expect(desksSecond).toBe(desksFirst);
    const distinct = new Set([...first.flatMap((c) => [c.system_hash, c.messages_hash]), ...definitionHashes]).size;
    expect(textsAfterFirstRun).toBe(distinct);
    expect(total).toBe(textsAfterFirstRun);
    const synthesis = first.find((c) => c.purpose === 'synthesis')!;
    const n = withRaw(db, (d) => (d.prepare('SELECT COUNT(*) AS n FROM texts WHERE hash = ?').get(synthesis.system_hash) as { n: number }).n, {
      readonly: true,
    });
    expect(n).toBe(1);
  });

  it('desk_results: eight ok rows whose assessments equal the report', () => {
    const rows = withRaw(
      db,
      (d) => d.prepare('SELECT * FROM desk_results WHERE run_id = ? ORDER BY agent_id').all(report.runId),
      { readonly: true },
    ) as { agent_id: string; round: number; status: string; assessment_json: string; failure_kind: string | null; failure_reason: string | null; finished_at: string }[];
    expect(rows.map((r) => r.agent_id)).toEqual(DESKS);
    for (const row of rows) {
      expect(row).toMatchObject({ round: 0, status: 'ok', failure_kind: null, failure_reason: null });
      expect(row.finished_at).toMatch(ISO);
      expect(JSON.parse(row.assessment_json)).toEqual(report.assessments.find((a) => a.agentId === row.agent_id));
    }
  });

  it('syntheses: version 1 with the overall risk level and the risk view of the report', () => {
    const rows = withRaw(db, (d) => d.prepare('SELECT * FROM syntheses WHERE run_id = ?').all(report.runId), { readonly: true }) as {
      version: number;
      overall_risk: string;
      risk_view_json: string;
      error: string | null;
      created_at: string;
    }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.version).toBe(1);
    expect(rows[0]!.overall_risk).toBe(report.synthesis!.overallRisk.level);
    expect(JSON.parse(rows[0]!.risk_view_json)).toEqual(report.synthesis);
    expect(rows[0]!.error).toBeNull();
    expect(rows[0]!.created_at).toMatch(ISO);
  });

  it('`runs show --format json` equals what `run --format json` printed, plus the archive\'s reviews (none yet)', async () => {
    expect(await showJson(db, report.runId)).toEqual({ ...report, reviews: [] });
  });

  it('`runs show` (Markdown) equals the Markdown `run` printed', async () => {
    const shown = await cli(['runs', 'show', mdRun.runId, '--db', db]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toBe(mdRun.stdout);
    expect(shown.stderr).toBe('');
  });

  it('`runs show --agent JP-01` prints only that desk, exactly as in the full report', async () => {
    const shown = await cli(['runs', 'show', mdRun.runId, '--agent', 'jp-01', '--db', db]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout.startsWith('## JP-01 — Japan Desk\n')).toBe(true);
    expect(mdRun.stdout).toContain(shown.stdout);
    expect(shown.stdout).toContain(report.assessments.find((a) => a.agentId === 'JP-01')!.bottomLine);
    expect(shown.stdout).toContain('— JP-01, Japan Desk');
    for (const other of DESKS.filter((d) => d !== 'JP-01')) expect(shown.stdout).not.toContain(`## ${other} —`);
    expect(shown.stdout).not.toContain('Consolidated risk view');
    expect(shown.stdout).not.toContain(SEED_TITLE);

    const json = await cli(['runs', 'show', report.runId, '--agent', 'JP-01', '--format', 'json', '--db', db]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(report.assessments.find((a) => a.agentId === 'JP-01'));
  });

  it('`runs show --calls` lists every attempt with tokens, latency and the raw response', async () => {
    const calls = withRaw(db, (d) => d.prepare('SELECT * FROM calls WHERE run_id = ? ORDER BY id').all(report.runId), { readonly: true }) as CallsRow[];
    const shown = await cli(['runs', 'show', report.runId, '--calls', '--db', db]);
    expect(shown.code, shown.stderr).toBe(0);
    const log = shown.stdout;
    expect(log.startsWith('# Call log\n')).toBe(true);
    expect([...log.matchAll(/^## (desk\/[A-Z]{2}-01|synthesis) · attempt 1 \(initial\)$/gm)].map((m) => m[1])).toEqual(calls.map((c) => c.purpose));
    for (const c of calls) {
      expect(log).toContain(`- model: replay/${c.model}`);
      expect(log).toContain(`- finish: stop · ${c.input_tokens} in / ${c.output_tokens} out · ${c.latency_ms} ms`);
      expect(log).toContain(`- at: ${c.created_at}`);
      expect(log).toContain(`\`\`\`json\n${c.raw_text}\n\`\`\``);
    }
    expect(log.match(/^- output: valid$/gm)).toHaveLength(9);

    const jp = await cli(['runs', 'show', report.runId, '--calls', '--agent', 'JP-01', '--db', db]);
    expect(jp.code).toBe(0);
    expect(jp.stdout.match(/^## /gm)).toHaveLength(1);
    expect(jp.stdout).toContain('## desk/JP-01 · attempt 1 (initial)');
    expect(jp.stdout).toContain('- finish: stop · 2412 in / 4012 out · ');
    expect(jp.stdout).not.toContain('desk/CN-01');
  });

  it('`runs show --agent XX-99` exits 2 with one line naming the desks the run has', async () => {
    const r = await cli(['runs', 'show', report.runId, '--agent', 'XX-99', '--db', db]);
    expectUsageError(r, new RegExp(`run ${report.runId.slice(0, 8)} has no desk XX-99; its desks: ${DESKS.join(', ')}`));
  });
});

// ── 3. runs list ───────────────────────────────────────────────────────────────────────────────

describe('`runs list`: newest first, columns, filters', () => {
  const OLD_STARTED = '2025-01-15T10:00:00.000Z';
  const OLD_EVENT = '0123456789abcdef';
  const OLD_TITLE = 'Old story: tariff talks stall';
  let tmp: ReturnType<typeof tempDir>;
  let db: string;
  let full: Report;
  let degraded: Report;
  let degradedRun: CapturedRun;
  let oldId: string;

  beforeAll(async () => {
    tmp = tempDir('list');
    db = join(tmp.dir, 'a.db');
    const fullRun = await runSeed(db, ['--format', 'json']);
    expect(fullRun.code).toBe(0);
    full = JSON.parse(fullRun.stdout) as Report;
    // An old run (another event, January 2025): a copy of the real one, written directly.
    oldId = randomUUID();
    withRaw(db, (d) =>
      copyRun(
        d,
        full.runId,
        { id: oldId, event_id: OLD_EVENT, event_title: OLD_TITLE, started_at: OLD_STARTED, finished_at: '2025-01-15T10:01:00.000Z' },
        { withSynthesis: true },
      ),
    );
    // US-01's recording is missing: that desk fails, the run is degraded (exit 3).
    const replay = makeReplayDir(tmp.dir, SEED_ID, { drop: ['desk-US-01'] });
    degradedRun = await runSeed(db, ['--agents', 'JP-01,US-01', '--replay-dir', replay, '--format', 'json']);
    degraded = JSON.parse(degradedRun.stdout) as Report;
  }, HOOK_TIMEOUT);

  afterAll(() => tmp.cleanup());

  const ids = (runs: ListedRun[]): string[] => runs.map((r) => r.runId);

  it('a run with a failed desk is archived as degraded (exit 3) with the failure recorded', () => {
    expect(degradedRun.code).toBe(3);
    expect(degraded.status).toBe('degraded');
    expect(degraded.failures.map((f) => [f.agentId, f.kind])).toEqual([['US-01', 'provider']]);
    const rows = withRaw(db, (d) => d.prepare('SELECT agent_id, status, failure_kind, failure_reason FROM desk_results WHERE run_id = ? ORDER BY agent_id').all(degraded.runId), {
      readonly: true,
    }) as { agent_id: string; status: string; failure_kind: string | null; failure_reason: string | null }[];
    expect(rows.map((r) => [r.agent_id, r.status, r.failure_kind])).toEqual([
      ['JP-01', 'ok', null],
      ['US-01', 'failed', 'provider'],
    ]);
    expect(rows[1]!.failure_reason).toContain('no recording for desk/US-01');
  });

  it('lists newest first with the RUN, STARTED, STATUS, DESKS OK/FAILED, RISK, COST, EVENT columns', async () => {
    const r = await cli(['runs', 'list', '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    const lines = linesOf(r.stdout);
    expect(lines[0]!.split(/\s{2,}/)).toEqual(['RUN', 'STARTED', 'STATUS', 'DESKS OK/FAILED', 'RISK', 'COST', 'EVENT']);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/))).toEqual([
      [degraded.runId.slice(0, 8), degraded.startedAt.slice(0, 16).replace('T', ' '), 'degraded', '1/1', degraded.synthesis!.overallRisk.level, '—', SEED_TITLE],
      [full.runId.slice(0, 8), full.startedAt.slice(0, 16).replace('T', ' '), 'ok', '8/0', full.synthesis!.overallRisk.level, '—', SEED_TITLE],
      [oldId.slice(0, 8), '2025-01-15 10:00', 'ok', '8/0', full.synthesis!.overallRisk.level, '—', OLD_TITLE],
    ]);
    // Columns line up: every row's STATUS starts where the header's does.
    const at = lines[0]!.indexOf('STATUS');
    for (const line of lines.slice(1)) expect(line.slice(at)).toMatch(/^(ok|degraded) /);
  });

  it('--format json gives the fields per run', async () => {
    const runs = await listJson(db);
    expect(ids(runs)).toEqual([degraded.runId, full.runId, oldId]);
    expect(runs[0]).toEqual({
      runId: degraded.runId,
      startedAt: degraded.startedAt,
      finishedAt: degraded.finishedAt,
      eventId: SEED_ID,
      eventTitle: SEED_TITLE,
      status: 'degraded',
      desksRequested: 2,
      desksOk: 1,
      desksFailed: 1,
      overallRisk: degraded.synthesis!.overallRisk.level,
      costUsd: null,
    });
    expect(runs[1]).toEqual({
      runId: full.runId,
      startedAt: full.startedAt,
      finishedAt: full.finishedAt,
      eventId: SEED_ID,
      eventTitle: SEED_TITLE,
      status: 'ok',
      desksRequested: 8,
      desksOk: 8,
      desksFailed: 0,
      overallRisk: full.synthesis!.overallRisk.level,
      costUsd: null,
    });
    expect(runs[2]).toMatchObject({ runId: oldId, eventId: OLD_EVENT, eventTitle: OLD_TITLE, startedAt: OLD_STARTED, status: 'ok', desksOk: 8 });
  });

  it('--agent keeps runs that have that desk', async () => {
    expect(ids(await listJson(db, ['--agent', 'KR-01']))).toEqual([full.runId, oldId]);
    expect(ids(await listJson(db, ['--agent', 'jp-01']))).toEqual([degraded.runId, full.runId, oldId]);
  });

  it('--since / --until take ISO dates, date-times and durations', async () => {
    expect(ids(await listJson(db, ['--since', '7d']))).toEqual([degraded.runId, full.runId]);
    expect(ids(await listJson(db, ['--until', '7d']))).toEqual([oldId]);
    expect(ids(await listJson(db, ['--since', '24h']))).toEqual([degraded.runId, full.runId]);
    // A bare --until date means the whole of that day.
    expect(ids(await listJson(db, ['--since', '2025-01-15', '--until', '2025-01-15']))).toEqual([oldId]);
    expect(ids(await listJson(db, ['--since', '2025-01-15T10:00:01Z']))).toEqual([degraded.runId, full.runId]);
    expect(ids(await listJson(db, ['--until', '2025-01-15T09:59:59Z']))).toEqual([]);
    const none = await cli(['runs', 'list', '--until', '2025-01-14', '--db', db]);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('');
    expect(none.stderr).toBe('no runs match\n');
  });

  it('--status, --event (id prefix or title text) and --limit', async () => {
    expect(ids(await listJson(db, ['--status', 'degraded']))).toEqual([degraded.runId]);
    expect(ids(await listJson(db, ['--status', 'OK']))).toEqual([full.runId, oldId]);
    expect(ids(await listJson(db, ['--status', 'failed']))).toEqual([]);
    expect(ids(await listJson(db, ['--event', SEED_ID.slice(0, 6)]))).toEqual([degraded.runId, full.runId]);
    expect(ids(await listJson(db, ['--event', OLD_EVENT.slice(0, 8)]))).toEqual([oldId]);
    expect(ids(await listJson(db, ['--event', 'unveils']))).toEqual([degraded.runId, full.runId]);
    expect(ids(await listJson(db, ['--event', 'tariff talks']))).toEqual([oldId]);
    expect(ids(await listJson(db, ['--limit', '1']))).toEqual([degraded.runId]);
    expect(ids(await listJson(db, ['--limit', '2']))).toEqual([degraded.runId, full.runId]);
    expect(ids(await listJson(db, ['--agent', 'JP-01', '--status', 'ok', '--limit', '1']))).toEqual([full.runId]);
  });

  it.each([
    [['--since', 'yesterday'], /--since yesterday: expected a date/],
    [['--until', '2025-02-30'], /--until 2025-02-30: expected a date/],
    [['--status', 'weird'], /--status weird: expected one of ok, degraded, failed, cancelled, running, incomplete/],
    [['--limit', '0'], /--limit 0: expected a whole number/],
    [['--limit', 'ten'], /--limit ten: expected a whole number/],
    [['--agent', 'japan'], /--agent japan: expected a desk id such as JP-01/],
    [['--since', '2025-02-01', '--until', '2025-01-01'], /--since is after --until/],
  ])('%j exits 2 with one line', async (args, pattern) => {
    expectUsageError(await cli(['runs', 'list', '--db', db, ...args]), pattern);
    expectUsageError(await cli(['search', 'JBIC', '--db', db, ...args]), pattern);
  });
});

// ── 4. Run ids and prefixes ────────────────────────────────────────────────────────────────────

describe('run ids: unique prefixes, unknown, malformed and ambiguous ids', () => {
  const AMBIGUOUS_A = 'aaaa1111-0000-4000-8000-000000000001';
  const AMBIGUOUS_B = 'aaaa2222-0000-4000-8000-000000000002';
  let tmp: ReturnType<typeof tempDir>;
  let db: string;
  let a: string;
  let b: string;

  beforeAll(async () => {
    tmp = tempDir('ids');
    db = join(tmp.dir, 'a.db');
    a = (await runSeed(db, ['--agents', 'JP-01,US-01,CN-01'])).runId;
    b = (await runSeed(db)).runId;
    withRaw(db, (d) => {
      copyRun(d, a, { id: AMBIGUOUS_A }, { withSynthesis: true });
      copyRun(d, a, { id: AMBIGUOUS_B }, { withSynthesis: true });
    });
  }, HOOK_TIMEOUT);

  afterAll(() => tmp.cleanup());

  it('a unique 6-character prefix works for show, export and diff', async () => {
    const [pa, pb] = [a.slice(0, 6), b.slice(0, 6)];
    const all = withRaw(db, (d) => (d.prepare('SELECT id FROM runs').all() as { id: string }[]).map((r) => r.id), { readonly: true });
    expect(all.filter((id) => id.startsWith(pa))).toEqual([a]);
    expect(all.filter((id) => id.startsWith(pb))).toEqual([b]);

    expect((await showJson(db, pa)).runId).toBe(a);
    expect((await showJson(db, pa.toUpperCase())).runId).toBe(a);
    const exported = await cli(['runs', 'export', pb, '--format', 'json', '--db', db]);
    expect(exported.code).toBe(0);
    expect((JSON.parse(exported.stdout) as Report).runId).toBe(b);
    const diff = await cli(['runs', 'diff', pa, pb, '--format', 'json', '--db', db]);
    expect(diff.code, diff.stderr).toBe(0);
    expect(JSON.parse(diff.stdout)).toMatchObject({ runIdA: a, runIdB: b });
  });

  it('the full id works, and a prefix that is unique among similar ids works', async () => {
    expect((await showJson(db, b)).runId).toBe(b);
    expect((await showJson(db, 'aaaa2')).runId).toBe(AMBIGUOUS_B);
    expect((await showJson(db, AMBIGUOUS_A)).runId).toBe(AMBIGUOUS_A);
  });

  it('an unknown id exits 2 with one line', async () => {
    const unknown = '0123456789ab';
    expect([a, b].some((id) => id.startsWith(unknown))).toBe(false);
    expectUsageError(await cli(['runs', 'show', unknown, '--db', db]), /unknown run 0123456789ab/);
    expectUsageError(await cli(['runs', 'export', unknown, '--db', db]), /unknown run 0123456789ab/);
    expectUsageError(await cli(['runs', 'diff', a, unknown, '--db', db]), /unknown run 0123456789ab/);
  });

  it('a malformed id exits 2 with one line', async () => {
    expectUsageError(await cli(['runs', 'show', 'not-a-run!', '--db', db]), /invalid run id not-a-run!/);
    expectUsageError(await cli(['runs', 'export', 'xyz', '--db', db]), /invalid run id xyz/);
    expectUsageError(await cli(['runs', 'diff', "a'; DROP TABLE runs; --", b, '--db', db]), /invalid run id/);
    expect(withRaw(db, (d) => (d.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number }).n, { readonly: true })).toBe(4);
  });

  it('an ambiguous prefix exits 2 naming it ambiguous and the candidates', async () => {
    for (const args of [['runs', 'show', 'aaaa'], ['runs', 'export', 'AAAA'], ['runs', 'diff', 'aaaa', b]]) {
      const r = await cli([...args, '--db', db]);
      expectUsageError(r, /run id prefix (aaaa|AAAA) is ambiguous/);
      expect(r.stderr).toContain('aaaa1111-000');
      expect(r.stderr).toContain('aaaa2222-000');
    }
  });
});

// ── 5. Search ──────────────────────────────────────────────────────────────────────────────────

describe('`search`: English and Japanese, snippets, filters', () => {
  const JA_TITLE = '日本、JBICに5500億ドル対米投資の新枠組み';
  const JA_BODY =
    '財務省は2025年9月26日、国際協力銀行（JBIC）に5500億ドル規模の対米投資を実行するための新たな枠組みを設けると発表した。\n' +
    '半導体、医薬品、エネルギー、造船などが対象で、日本貿易保険（NEXI）の保証も活用する。「関税合意」の履行が焦点となる。';
  const JA_BOTTOM_LINE =
    '要するに、今回の枠組みは日本の対米戦略を象徴する大胆な一手だ。ただし米側が利益配分を握る「ブーメラン条項」と監督権限が、JBICの判断の独立性を損なう恐れがある。';
  const JA_RISK = '米国の「ブーメラン条項」により、案件の利益配分が米側に偏る恐れがある。自動車関税の引き下げが約束通り実現するかも不透明だ。';
  let tmp: ReturnType<typeof tempDir>;
  let db: string;
  let seedRun: string;
  let jaRun: string;
  let jaEvent: string;

  beforeAll(async () => {
    tmp = tempDir('search');
    db = join(tmp.dir, 'a.db');
    seedRun = (await runSeed(db)).runId;
    jaEvent = eventId({ title: JA_TITLE, summary: JA_BODY });
    // JP-01 answers the Japanese event with Japanese prose in its bottom line and first risk.
    const replay = makeReplayDir(tmp.dir, jaEvent, {
      edit: {
        'desk-JP-01': (rec: Recording): Recording => {
          const risks = rec.output['risks'] as Record<string, unknown>[];
          return { ...rec, output: { ...rec.output, bottomLine: JA_BOTTOM_LINE, risks: [{ ...risks[0], description: JA_RISK }, ...risks.slice(1)] } };
        },
      },
    });
    const ja = await cli(
      ['run', '--title', JA_TITLE, '--text', JA_BODY, '--language', 'ja', '--agents', 'JP-01', '--provider', 'replay', '--replay-dir', replay, '--no-progress', '--db', db],
    );
    expect(ja.code, ja.stderr).toBe(0);
    jaRun = runIdOf(ja);
  }, HOOK_TIMEOUT);

  afterAll(() => tmp.cleanup());

  it('English: "boomerang clause" finds JP-01 of the seed run with the words highlighted', async () => {
    const hits = await searchJson(db, 'boomerang clause');
    const hit = hits.find((h) => h.runId === seedRun);
    expect(hit).toMatchObject({ runId: seedRun, agentId: 'JP-01', eventTitle: SEED_TITLE, status: 'ok' });
    // The text reads `("boomerang" clause)` where it first matches: both words are highlighted.
    expect(hit!.snippet).toMatch(/\*\*boomerang\*\*"? \*\*clause\*\*/);
    expect(hits.every((h) => h.agentId === 'JP-01')).toBe(true);

    const text = await cli(['search', 'boomerang clause', '--db', db]);
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith(seedRun.slice(0, 8)));
    expect(lines[at]).toMatch(new RegExp(`^${seedRun.slice(0, 8)}  \\d{4}-\\d{2}-\\d{2}  JP-01   ${SEED_TITLE.replace(/[$.]/g, '\\$&')}$`));
    expect(lines[at + 1]).toBe(`    ${hit!.snippet}`);
  });

  it('Japanese: "国際協力銀行" finds the event itself, snippet in the original script', async () => {
    const hits = await searchJson(db, '国際協力銀行');
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ runId: jaRun, agentId: null, eventTitle: JA_TITLE, status: 'ok' });
    // Original text (full-width brackets, no bigram split), the match in **.
    expect(hits[0]!.snippet).toContain('日、**国際協力銀行**（JBIC）に5500億ドル規模');
    expect(hits[0]!.snippet).not.toContain('国際 際協');
  });

  it('Japanese: "ブーメラン条項" finds JP-01 of the Japanese run', async () => {
    const hits = await searchJson(db, 'ブーメラン条項');
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ runId: jaRun, agentId: 'JP-01', eventTitle: JA_TITLE });
    expect(hits[0]!.snippet).toContain('米側が利益配分を握る「**ブーメラン条項**」と監督権限が');
  });

  it('Japanese: a two-character query "関税" matches the event and JP-01', async () => {
    const hits = await searchJson(db, '関税');
    expect(hits.map((h) => `${h.runId} ${h.agentId ?? 'event'}`).sort()).toEqual([`${jaRun} JP-01`, `${jaRun} event`]);
    expect(hits.find((h) => h.agentId === null)!.snippet).toContain('「**関税**合意」の履行が焦点となる');
    expect(hits.find((h) => h.agentId === 'JP-01')!.snippet).toContain('自動車**関税**の引き下げ');
  });

  it('filters apply to search: --agent, --event, --limit', async () => {
    const all = await searchJson(db, 'JBIC', ['--limit', '100']);
    expect(new Set(all.map((h) => h.runId))).toEqual(new Set([seedRun, jaRun]));
    expect(all.some((h) => h.runId === jaRun && h.agentId === null)).toBe(true);

    const jaOnly = await searchJson(db, 'JBIC', ['--event', jaEvent.slice(0, 6), '--limit', '100']);
    expect(jaOnly.length).toBeGreaterThan(0);
    expect(jaOnly.every((h) => h.runId === jaRun)).toBe(true);
    expect(jaOnly).toHaveLength(all.filter((h) => h.runId === jaRun).length);

    const byTitle = await searchJson(db, 'JBIC', ['--event', 'Unveils', '--limit', '100']);
    expect(byTitle.length).toBeGreaterThan(0);
    expect(byTitle.every((h) => h.runId === seedRun)).toBe(true);

    const jp = await searchJson(db, 'JBIC', ['--agent', 'JP-01', '--limit', '100']);
    expect(jp.map((h) => h.runId).sort()).toEqual([seedRun, jaRun].sort());
    expect(jp.every((h) => h.agentId === 'JP-01')).toBe(true);

    expect(await searchJson(db, 'JBIC', ['--limit', '1'])).toHaveLength(1);

    expect(await searchJson(db, 'ブーメラン条項', ['--agent', 'CN-01'])).toEqual([]);
    const none = await cli(['search', 'ブーメラン条項', '--agent', 'CN-01', '--db', db]);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('');
    expect(none.stderr).toBe('no matches for "ブーメラン条項"\n');
  });

  it('a query of only punctuation exits 2 with one line', async () => {
    expectUsageError(await cli(['search', '!!! ... ???', '--db', db]), /search needs some words/);
    expectUsageError(await cli(['search', '「」、。', '--db', db]), /search needs some words/);
  });
});

describe('`search`: Japanese text as newspapers write it', () => {
  const TITLE = '政府、対米投資で様々な支援策';
  const BODY = '国際協力銀行（ＪＢＩＣ）は２６日、半導体など様々な分野で対米投資を支援すると発表した…詳細は今後詰める。';
  let tmp: ReturnType<typeof tempDir>;
  let db: string;
  let runId: string;

  beforeAll(async () => {
    tmp = tempDir('search-ja');
    db = join(tmp.dir, 'a.db');
    const replay = makeReplayDir(tmp.dir, eventId({ title: TITLE, summary: BODY }));
    const run = await cli(['run', '--title', TITLE, '--text', BODY, '--language', 'ja', '--agents', 'JP-01', '--provider', 'replay', '--replay-dir', replay, '--no-progress', '--db', db]);
    expect(run.code, run.stderr).toBe(0);
    runId = runIdOf(run);
  }, HOOK_TIMEOUT);

  afterAll(() => tmp.cleanup());

  it('the event is indexed: "対米投資" finds it with the match highlighted', async () => {
    const hits = await searchJson(db, '対米投資');
    expect(hits.map((h) => [h.runId, h.agentId])).toEqual([[runId, null]]);
    expect(hits[0]!.snippet).toContain('様々な分野で**対米投資**を支援する');
  });

  // Regression: 々 (U+3005, also 〆 〇) was outside the CJK class, so 様々, 人々, 佐々木 were never found.
  it('a word written with the iteration mark 々 ("様々な") is found', async () => {
    const hits = await searchJson(db, '様々な');
    expect(hits.map((h) => [h.runId, h.agentId])).toEqual([[runId, null]]);
    expect(hits[0]!.snippet).toContain('半導体など**様々な**分野で');
  });

  // Regression: once NFKC changed the text's length, matches were looked for in un-normalised text.
  it('a full-width "ＪＢＩＣ" in text that also has "…" is highlighted for the query JBIC', async () => {
    const hits = await searchJson(db, 'JBIC', ['--event', TITLE.slice(0, 5)]);
    const event = hits.find((h) => h.agentId === null);
    expect(event).toBeDefined();
    expect(event!.snippet).toContain('国際協力銀行（**ＪＢＩＣ**）は２６日');
  });
});

// ── 6. Export ──────────────────────────────────────────────────────────────────────────────────

describe('`runs export`', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: string;
  let run: CapturedRun & { runId: string };
  let report: Report;
  let html: string;

  beforeAll(async () => {
    tmp = tempDir('export');
    db = join(tmp.dir, 'a.db');
    run = await runSeed(db);
    expect(run.code).toBe(0);
    report = await showJson(db, run.runId);
    const exported = await cli(['runs', 'export', run.runId.slice(0, 6), '--format', 'html', '--db', db]);
    expect(exported.code, exported.stderr).toBe(0);
    html = exported.stdout;
  }, HOOK_TIMEOUT);

  afterAll(() => tmp.cleanup());

  it('--format html has every desk heading and sign-off and the consolidated view', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(`<h1>${escapeHtml(SEED_TITLE)}</h1>`);
    expect(report.assessments.map((a) => a.agentId)).toEqual(DESKS);
    for (const a of report.assessments) {
      expect(html).toContain(`>${escapeHtml(`${a.agentId} — ${a.agentName}`)}</h2>`);
      expect(html).toContain(`<p class="signoff">— ${escapeHtml(a.signOff)}</p>`);
    }
    expect(html).toContain('<section id="consolidated"');
    expect(html).toContain('Consolidated risk view');
  });

  it('--format html runs no script and loads nothing from outside', () => {
    expect(html.toLowerCase()).not.toContain('<script');
    expect(html.toLowerCase()).not.toMatch(/\son[a-z]+\s*=/);
    const targets = [...html.matchAll(/\s(?:src|href|action|poster|srcset)\s*=\s*["']?([^"'\s>]*)/gi)].map((m) => m[1]!);
    expect(targets.length).toBeGreaterThan(0);
    for (const t of targets) expect(t).toMatch(/^#/);
    expect(html).not.toMatch(/url\(\s*['"]?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import/i);
  });

  it('--format md equals `runs show` and the report `run` printed; --format json equals `runs show --format json`', async () => {
    const md = await cli(['runs', 'export', run.runId, '--format', 'md', '--db', db]);
    const shown = await cli(['runs', 'show', run.runId, '--db', db]);
    expect(md.code).toBe(0);
    expect(md.stdout).toBe(shown.stdout);
    expect(md.stdout).toBe(run.stdout);
    const json = await cli(['runs', 'export', run.runId, '--format', 'json', '--db', db]);
    expect(JSON.parse(json.stdout)).toEqual(report);
  });

  it('--out writes the file and nothing to stdout; an unwritable --out exits 2', async () => {
    const out = join(tmp.dir, 'report.html');
    const r = await cli(['runs', 'export', run.runId, '--format', 'html', '--out', out, '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`wrote ${out}\n`);
    expect(readFileSync(out, 'utf8')).toBe(html);

    const bad = await cli(['runs', 'export', run.runId, '--out', join(tmp.dir, 'missing', 'r.md'), '--db', db]);
    expectUsageError(bad, /cannot write \(ENOENT\)/);
  });
});

// ── 7. Diff through the CLI ────────────────────────────────────────────────────────────────────

describe('`runs diff`', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: string;
  let a: string;
  let b: string;

  beforeAll(async () => {
    tmp = tempDir('diff');
    db = join(tmp.dir, 'a.db');
    a = (await runSeed(db, ['--agents', 'JP-01,US-01,CN-01'])).runId;
    b = (await runSeed(db)).runId;
  }, HOOK_TIMEOUT);

  afterAll(() => tmp.cleanup());

  it('two runs with different desk sets: the desks only in B are reported', async () => {
    const md = await cli(['runs', 'diff', a, b, '--db', db]);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toContain(`# Run diff: ${a.slice(0, 8)} → ${b.slice(0, 8)}`);
    expect(md.stdout).toContain(`**Only in ${b.slice(0, 8)}:** EU-01, GB-01, IN-01, KR-01, TW-01`);
    expect(md.stdout).not.toContain(`**Only in ${a.slice(0, 8)}:**`);
    expect(md.stdout).toContain(`Event: ${SEED_TITLE} (\`${SEED_ID}\`)`);

    const json = await cli(['runs', 'diff', a, b, '--format', 'json', '--db', db]);
    const diff = JSON.parse(json.stdout) as { onlyInA: string[]; onlyInB: string[]; event: { same: boolean }; changed: boolean };
    expect(diff.onlyInA).toEqual([]);
    expect([...diff.onlyInB].sort()).toEqual(['EU-01', 'GB-01', 'IN-01', 'KR-01', 'TW-01']);
    expect(diff.event.same).toBe(true);
    expect(diff.changed).toBe(true);
  });

  it('--agents JP-01,CN-01 compares two desks of one run: skeptical vs opposed', async () => {
    const md = await cli(['runs', 'diff', a.slice(0, 6), '--agents', 'JP-01,CN-01', '--db', db]);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toContain('## JP-01 — Japan Desk vs CN-01 — China Desk');
    expect(md.stdout).toContain('**Stance:** skeptical (JP-01) vs opposed (CN-01)');

    const json = await cli(['runs', 'diff', a, '--agents', 'jp-01, cn-01', '--format', 'json', '--db', db]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      agentIdA: 'JP-01',
      agentIdB: 'CN-01',
      stance: { labelA: 'skeptical', labelB: 'opposed', changed: true },
    });
  });

  it('--agents with one desk, --agents with two runs, or one run alone exit 2 with one line', async () => {
    expectUsageError(await cli(['runs', 'diff', a, '--agents', 'JP-01', '--db', db]), /--agents JP-01: expected exactly two desks/);
    expectUsageError(await cli(['runs', 'diff', a, b, '--agents', 'JP-01,CN-01', '--db', db]), /either two runs, or one run with --agents/);
    expectUsageError(await cli(['runs', 'diff', a, '--db', db]), /needs two run ids/);
  });
});

// ── 8. Migrations and foreign files ────────────────────────────────────────────────────────────

describe('migrations and files that are not assess archives', () => {
  let tmp: ReturnType<typeof tempDir>;

  beforeAll(() => {
    tmp = tempDir('migrate');
  });

  afterAll(() => tmp.cleanup());

  /** Everything an archive command could do to `path`, each refused with `pattern`; the file is left alone. */
  async function expectRefused(path: string, pattern: RegExp): Promise<void> {
    const before = sha256File(path);
    expectUsageError(await cli(['runs', 'list', '--db', path]), pattern);
    expectUsageError(await cli(['runs', 'show', 'abcdef', '--db', path]), pattern);
    expectUsageError(await cli(['search', 'JBIC', '--db', path]), pattern);
    const run = await cli(['run', SEED_EVENT, '--provider', 'replay', '--no-progress', '--db', path]);
    expectUsageError(run, pattern);
    expect(sha256File(path)).toBe(before);
    expect(existsSync(`${path}-wal`)).toBe(false);
    expect(existsSync(`${path}-journal`)).toBe(false);
  }

  it('an empty v1 archive is migrated to the latest version on first open, then archives and searches', async () => {
    const path = join(tmp.dir, 'empty-v1.db');
    createArchiveAtVersion(path, 1).close();
    const list = await cli(['runs', 'list', '--db', path]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stderr).toBe('no runs match\n');
    expect(withRaw(path, (d) => d.pragma('user_version', { simple: true }), { readonly: true })).toBe(LATEST_VERSION);
    const run = await runSeed(path, ['--agents', 'JP-01']);
    expect(run.code, run.stderr).toBe(0);
    expect((await searchJson(path, 'boomerang')).map((h) => [h.runId, h.agentId])).toEqual([[run.runId, 'JP-01']]);
  });

  // Regression: the v2 backfill wrote while iterating a read on the same connection and rolled back.
  it('a v1 archive holding runs is migrated to the latest version on open; its runs are listed, shown and searchable', async () => {
    const source = join(tmp.dir, 'source.db');
    const original = await runSeed(source, ['--agents', 'JP-01,CN-01']);
    expect(original.code).toBe(0);
    const originalReport = await showJson(source, original.runId);

    const v1Path = join(tmp.dir, 'v1.db');
    const v1 = createArchiveAtVersion(v1Path, 1);
    try {
      v1.prepare('ATTACH DATABASE ? AS src').run(source);
      v1.transaction(() => {
        for (const table of ['runs', 'texts', 'calls', 'desk_results', 'syntheses']) {
          const columns = (v1.pragma(`main.table_info(${table})`) as { name: string }[]).map((c) => c.name).join(', ');
          v1.exec(`INSERT INTO main.${table} (${columns}) SELECT ${columns} FROM src.${table}`);
        }
      })();
      v1.exec('DETACH DATABASE src');
      expect(v1.pragma('user_version', { simple: true })).toBe(1);
      expect(v1.prepare("SELECT name FROM sqlite_master WHERE name = 'search_docs'").get()).toBeUndefined();
    } finally {
      v1.close();
    }

    const runs = await listJson(v1Path);
    expect(runs.map((r) => [r.runId, r.status, r.desksOk, r.desksFailed])).toEqual([[original.runId, 'ok', 2, 0]]);
    const { version, appId } = withRaw(
      v1Path,
      (d) => ({ version: d.pragma('user_version', { simple: true }), appId: d.pragma('application_id', { simple: true }) }),
      { readonly: true },
    );
    expect(version).toBe(LATEST_VERSION);
    expect(appId).toBe(APPLICATION_ID);

    // The same report, except for its thread: the copy lost the run's thread rows, so the upgrade
    // (migration 7) gave its event a thread of its own, named after the event id.
    const backfilled = 'th-a650d00f1a';
    expect(await showJson(v1Path, original.runId)).toEqual({
      ...originalReport,
      thread: {
        id: backfilled,
        title: 'Japan Unveils $550B U.S. Investment',
        events: 1,
        link: { threadId: backfilled, method: 'backfill', score: null, runnerUp: null, detail: {}, decidedAt: originalReport.startedAt },
      },
    });
    const desk = await searchJson(v1Path, 'boomerang clause');
    expect(desk.map((h) => [h.runId, h.agentId])).toEqual([[original.runId, 'JP-01']]);
    expect(desk[0]!.snippet).toMatch(/\*\*boomerang\*\*"? \*\*clause\*\*/);
    const event = await searchJson(v1Path, 'Unveils');
    expect(event.map((h) => [h.runId, h.agentId])).toEqual([[original.runId, null]]);
    expect(event[0]!.snippet).toContain('Japan **Unveils** $550B');
  });

  it('a plain text file is refused ("not an assess database") and left unchanged', async () => {
    const path = join(tmp.dir, 'notes.txt');
    writeFileSync(path, 'Shopping list\n- rice\n- miso\n- nori\n');
    await expectRefused(path, /notes\.txt: not an assess database/);
  });

  it('a binary (PNG-like) file is refused and left unchanged', async () => {
    const path = join(tmp.dir, 'picture.png');
    const bytes = Buffer.alloc(512);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]).copy(bytes);
    for (let i = 16; i < bytes.length; i++) bytes[i] = (i * 37) % 256;
    writeFileSync(path, bytes);
    await expectRefused(path, /picture\.png: not an assess database/);
  });

  it('a SQLite database of another application is refused and left unchanged', async () => {
    const path = join(tmp.dir, 'other-app.db');
    const other = new DatabaseConstructor(path);
    other.exec("CREATE TABLE foo (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO foo (name) VALUES ('bar');");
    other.close();
    await expectRefused(path, /other-app\.db: not an assess database/);
    withRaw(
      path,
      (d) => {
        expect(d.pragma('user_version', { simple: true })).toBe(0);
        expect(d.pragma('application_id', { simple: true })).toBe(0);
        expect(d.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([{ name: 'foo' }]);
      },
      { readonly: true },
    );
  });

  it('an archive written by a newer assess is refused ("newer version") and left unchanged', async () => {
    const path = join(tmp.dir, 'newer.db');
    const newer = createArchiveAtVersion(path, LATEST_VERSION);
    newer.pragma(`user_version = ${LATEST_VERSION + 1}`);
    newer.close();
    await expectRefused(path, /newer\.db: written by a newer version of assess/);
    expect(withRaw(path, (d) => d.pragma('user_version', { simple: true }), { readonly: true })).toBe(LATEST_VERSION + 1);
  });

  it('review commands on a missing archive exit 2 "no archive here yet" and create nothing', async () => {
    expectUsageError(await cli(['runs', 'list', '--db', '/nonexistent/a.db']), /\/nonexistent\/a\.db: no archive here yet/);
    expect(existsSync('/nonexistent')).toBe(false);
    const missing = join(tmp.dir, 'nowhere', 'a.db');
    expectUsageError(await cli(['runs', 'show', 'abcdef', '--db', missing]), /no archive here yet/);
    expectUsageError(await cli(['search', 'JBIC', '--db', missing]), /no archive here yet/);
    expectUsageError(await cli(['runs', 'export', 'abcdef', '--db', missing]), /no archive here yet/);
    expect(existsSync(join(tmp.dir, 'nowhere'))).toBe(false);
  });
});

// ── 9. Archive failures never lose the report ─────────────────────────────────────────────────

describe('archive failures do not lose the report', () => {
  let tmp: ReturnType<typeof tempDir>;

  beforeAll(() => {
    tmp = tempDir('archive-fail');
  });

  afterAll(() => tmp.cleanup());

  it('an archive path under a regular file: full report on stdout, one "assess: archive" line, exit 4', async () => {
    const file = join(tmp.dir, 'file.txt');
    writeFileSync(file, 'not a folder\n');
    const r = await cli(['run', SEED_EVENT, '--provider', 'replay', '--no-progress', '--db', join(file, 'a.db')]);
    expect(r.code).toBe(4);
    const unarchived = await cli(['run', SEED_EVENT, '--provider', 'replay', '--no-progress', '--no-archive']);
    expect(unarchived.code).toBe(0);
    // The very report an unarchived run prints, but for its run id.
    expect(r.stdout.replaceAll(runIdOf(r), '<run>')).toBe(unarchived.stdout.replaceAll(runIdOf(unarchived), '<run>'));
    expect(r.stdout).toContain(`# ${SEED_TITLE}`);
    for (const id of DESKS) expect(r.stdout).toContain(`## ${id} — `);
    expect(r.stdout).toContain('## Consolidated risk view');

    const errors = linesOf(r.stderr).filter((l) => l.startsWith('assess:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^assess: archive .*file\.txt\/a\.db: .+; the report above was not archived$/);
    expect(r.stderr).not.toContain('archived in');
    expect(readFileSync(file, 'utf8')).toBe('not a folder\n');
  });

  it('--no-archive exits 0 and creates no database', async () => {
    const path = join(tmp.dir, 'never', 'a.db');
    const r = await cli(['run', SEED_EVENT, '--provider', 'replay', '--no-progress', '--no-archive', '--db', path]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('## Consolidated risk view');
    expect(r.stderr).not.toContain('archived in');
    expect(existsSync(path)).toBe(false);
    expect(existsSync(join(tmp.dir, 'never'))).toBe(false);
  });
});

// ── 10. Incomplete runs ───────────────────────────────────────────────────────────────────────

describe('incomplete runs (the process died mid-run)', () => {
  const NEVER_FINISHED = 'never finished: the run was interrupted (assess resume completes it)';
  let tmp: ReturnType<typeof tempDir>;
  let db: string;
  let template: string;
  let incomplete: string;
  let live: string;
  let elsewhere: string;

  beforeAll(async () => {
    tmp = tempDir('incomplete');
    db = join(tmp.dir, 'a.db');
    template = (await runSeed(db, ['--agents', 'JP-01,US-01,CN-01'])).runId;
    const pid = await deadPid();
    incomplete = randomUUID();
    live = randomUUID();
    elsewhere = randomUUID();
    const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
    withRaw(db, (d) => {
      // Died after JP-01 finished: status still 'running', its pid gone.
      copyRun(d, template, { id: incomplete, status: 'running', pid, host: hostname(), finished_at: null, started_at: at(1000) }, { desks: ['JP-01'] });
      // Still running in this very process.
      copyRun(d, template, { id: live, status: 'running', pid: process.pid, host: hostname(), finished_at: null, started_at: at(2000) }, { desks: [] });
      // Started on another host: its liveness cannot be checked.
      copyRun(d, template, { id: elsewhere, status: 'running', pid: process.pid, host: 'another-host.invalid', finished_at: null, started_at: at(3000) }, { desks: [] });
    });
  }, HOOK_TIMEOUT);

  afterAll(() => tmp.cleanup());

  it('`runs list` shows a dead run as incomplete, with its finished desks counted', async () => {
    const runs = await listJson(db);
    expect(runs.map((r) => [r.runId, r.status])).toEqual([
      [elsewhere, 'incomplete'],
      [live, 'running'],
      [incomplete, 'incomplete'],
      [template, 'ok'],
    ]);
    expect(runs.find((r) => r.runId === incomplete)).toMatchObject({ desksRequested: 3, desksOk: 1, desksFailed: 0, overallRisk: null, finishedAt: null });

    const text = await cli(['runs', 'list', '--db', db]);
    const row = linesOf(text.stdout).find((l) => l.startsWith(incomplete.slice(0, 8)))!;
    expect(row.split(/\s{2,}/).slice(2, 6)).toEqual(['incomplete', '1/0 of 3', '—', '—']);
  });

  it('--status incomplete finds it; --status running finds only the live one', async () => {
    expect((await listJson(db, ['--status', 'incomplete'])).map((r) => r.runId)).toEqual([elsewhere, incomplete]);
    expect((await listJson(db, ['--status', 'running'])).map((r) => r.runId)).toEqual([live]);
  });

  it('`runs show` reports the finished desk and lists the others as unfinished', async () => {
    const md = await cli(['runs', 'show', incomplete, '--db', db]);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toContain('status **incomplete**');
    expect(md.stdout).toContain('## JP-01 — Japan Desk');
    expect(md.stdout).not.toContain('## US-01 —');
    expect(md.stdout).toContain('## Desks that failed');
    expect(md.stdout).toContain(`- **US-01** (unfinished): ${NEVER_FINISHED}`);
    expect(md.stdout).toContain(`- **CN-01** (unfinished): ${NEVER_FINISHED}`);
    expect(md.stdout).toContain('_No synthesis: no synthesis: the run was interrupted._');

    const report = await showJson(db, incomplete);
    expect(report.status).toBe('incomplete');
    expect(report.assessments.map((a) => a.agentId)).toEqual(['JP-01']);
    expect(report.failures).toEqual([
      { agentId: 'US-01', kind: 'unfinished', reason: NEVER_FINISHED },
      { agentId: 'CN-01', kind: 'unfinished', reason: NEVER_FINISHED },
    ]);
    expect(report.synthesis).toBeNull();

    const desk = await cli(['runs', 'show', incomplete, '--agent', 'US-01', '--db', db]);
    expect(desk.stdout).toBe(`## US-01\n\n_Failed (unfinished): ${NEVER_FINISHED}_\n`);
  });

  it('a run whose process is alive shows its desks as still running', async () => {
    const report = await showJson(db, live);
    expect(report.status).toBe('running');
    expect(report.failures.map((f) => [f.agentId, f.kind, f.reason])).toEqual([
      ['JP-01', 'unfinished', 'still running'],
      ['US-01', 'unfinished', 'still running'],
      ['CN-01', 'unfinished', 'still running'],
    ]);
    expect(report.synthesisError).toBe('still running');
  });
});
