import type { Database } from 'better-sqlite3';
import type { AgentAssessment } from '../assessment/schema.js';
import type { NewsEvent } from '../event/schema.js';
import { safeParseJson } from '../llm/extract-json.js';
import type { CallRecord } from '../llm/generate-object.js';
import type { DeskFailure, FailureKind, RunOptions, RunResult, RunStatus } from '../pipeline/run-event.js';
import { summarizeUsage } from '../pipeline/usage.js';
import type { RiskView } from '../synthesis/schema.js';
import { displayStatus } from './liveness.js';
import type { AgentDefinition } from '../agents/definition.js';
import type { ArchivedDesk, StoredDesk } from './recorder.js';
import type { ThreadContext } from '../threads/context.js';
import { parseStoredContext, storedThreadRef } from './stored-thread.js';

/** A `runs` row as stored. */
export interface RunRow {
  id: string;
  event_id: string;
  event_title: string;
  event_json: string;
  desks_json: string;
  synthesis_model_json: string;
  prompt_hashes_json: string;
  options_json: string;
  started_at: string;
  finished_at: string | null;
  status: string;
  pid: number | null;
  host: string | null;
  /** Migration 7; null for a run in no thread (--no-archive never writes a row). */
  thread_id: string | null;
  thread_context_json: string | null;
}

interface DeskRow {
  agent_id: string;
  round: number;
  status: 'ok' | 'failed';
  assessment_json: string | null;
  failure_kind: string | null;
  failure_reason: string | null;
}

interface CallRow {
  agent_id: string | null;
  round: number;
  purpose: string;
  attempt: number;
  kind: 'initial' | 'repair';
  provider: string;
  model: string;
  system: string;
  messages: string;
  raw_text: string | null;
  finish_reason: string | null;
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

/** A model call as archived, with the round (0 = original run, 1.. = resumes) it belongs to. */
export interface ArchivedCall extends CallRecord {
  agentId: string | null;
  round: number;
  createdAt: string;
}

/** A run read back from the archive: the RunResult the reports take, plus what resume needs. */
export interface ArchivedRun {
  result: RunResult;
  desks: ArchivedDesk[];
  synthesisModel: { provider: string; model: string };
  options: RunOptions;
  /** Synthesis versions recorded for this run (resume adds one each time). */
  synthesisVersions: number;
  /** What the run's desks were shown of its thread (resume shows them the same); null when none was stored. */
  threadContext: ThreadContext | null;
}

function parsedOrNull(raw: string): unknown {
  const parsed = safeParseJson(raw);
  return parsed.ok ? parsed.value : null;
}

/** All calls of a run in the order they were made. */
export function loadCalls(db: Database, runId: string): ArchivedCall[] {
  const rows = db
    .prepare(
      `SELECT c.agent_id, c.round, c.purpose, c.attempt, c.kind, c.provider, c.model, s.body AS system, m.body AS messages,
        c.raw_text, c.finish_reason, c.valid, c.issues_json, c.input_tokens, c.output_tokens, c.cache_read_tokens,
        c.cache_write_tokens, c.latency_ms, c.cost_usd, c.error, c.created_at
       FROM calls c JOIN texts s ON s.hash = c.system_hash JOIN texts m ON m.hash = c.messages_hash
       WHERE c.run_id = ? ORDER BY c.id`,
    )
    .all(runId) as CallRow[];
  return rows.map((r) => ({
    agentId: r.agent_id,
    round: r.round,
    purpose: r.purpose,
    attempt: r.attempt,
    kind: r.kind,
    provider: r.provider,
    model: r.model,
    system: r.system,
    messages: JSON.parse(r.messages) as CallRecord['messages'],
    rawText: r.raw_text,
    finishReason: r.finish_reason,
    parsed: r.valid === 1 && r.raw_text !== null ? parsedOrNull(r.raw_text) : null,
    issues: JSON.parse(r.issues_json) as string[],
    usage:
      r.input_tokens === null
        ? null
        : {
            inputTokens: r.input_tokens,
            outputTokens: r.output_tokens ?? 0,
            ...(r.cache_read_tokens ? { cacheReadTokens: r.cache_read_tokens } : {}),
            ...(r.cache_write_tokens ? { cacheWriteTokens: r.cache_write_tokens } : {}),
          },
    costUsd: r.cost_usd,
    latencyMs: r.latency_ms,
    error: r.error,
    createdAt: r.created_at,
  }));
}

/**
 * Rebuilds a run from the archive. Each desk's latest round wins (a resumed desk's success
 * replaces its earlier failure); desks with no result at all never finished. The latest synthesis
 * version is the consolidated view.
 */
export function loadRun(db: Database, runId: string): ArchivedRun {
  const row = db.prepare('SELECT * FROM runs WHERE id = ?').get(runId) as RunRow | undefined;
  if (!row) throw new Error(`run ${runId} vanished from the archive`);
  const text = db.prepare('SELECT body FROM texts WHERE hash = ?').pluck();
  const desks: ArchivedDesk[] = (JSON.parse(row.desks_json) as StoredDesk[]).map((d) => ({
    agentId: d.agentId,
    provider: d.provider,
    model: d.model,
    definition: JSON.parse(text.get(d.definitionHash) as string) as AgentDefinition,
  }));
  const results = db
    .prepare('SELECT agent_id, round, status, assessment_json, failure_kind, failure_reason FROM desk_results WHERE run_id = ? ORDER BY round')
    .all(runId) as DeskRow[];
  const latest = new Map<string, DeskRow>();
  for (const r of results) latest.set(r.agent_id, r);

  const status = displayStatus(row.status, row.pid, row.host) as RunStatus;
  const assessments: AgentAssessment[] = [];
  const failures: DeskFailure[] = [];
  for (const desk of desks) {
    const r = latest.get(desk.agentId);
    if (r?.status === 'ok' && r.assessment_json) assessments.push(JSON.parse(r.assessment_json) as AgentAssessment);
    else if (r) failures.push({ agentId: desk.agentId, kind: (r.failure_kind ?? 'provider') as FailureKind, reason: r.failure_reason ?? 'failed' });
    else {
      const reason = status === 'running' ? 'still running' : 'never finished: the run was interrupted (assess resume completes it)';
      failures.push({ agentId: desk.agentId, kind: 'unfinished', reason });
    }
  }

  const synth = db
    .prepare('SELECT version, risk_view_json, error FROM syntheses WHERE run_id = ? ORDER BY version DESC LIMIT 1')
    .get(runId) as { version: number; risk_view_json: string | null; error: string | null } | undefined;
  const calls = loadCalls(db, runId);
  const threadContext = parseStoredContext(row.thread_context_json);
  const thread = storedThreadRef(db, row, threadContext);
  const hashes = JSON.parse(row.prompt_hashes_json) as RunResult['promptHashes'];
  return {
    result: {
      runId: row.id,
      status,
      event: { id: row.event_id, event: JSON.parse(row.event_json) as NewsEvent },
      startedAt: row.started_at,
      finishedAt: row.finished_at ?? '',
      desks: desks.map((d) => ({ agentId: d.agentId, provider: d.provider, model: d.model })),
      promptHashes: hashes,
      assessments,
      failures,
      synthesis: synth?.risk_view_json ? (JSON.parse(synth.risk_view_json) as RiskView) : null,
      synthesisError: synth ? synth.error : status === 'running' ? 'still running' : 'no synthesis: the run was interrupted',
      usage: summarizeUsage(calls),
      ...(thread ? { thread } : {}),
    },
    desks,
    synthesisModel: JSON.parse(row.synthesis_model_json) as ArchivedRun['synthesisModel'],
    options: JSON.parse(row.options_json) as RunOptions,
    synthesisVersions: synth?.version ?? 0,
    threadContext,
  };
}
