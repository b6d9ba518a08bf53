import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { Database, Statement } from 'better-sqlite3';
import type { AgentDefinition } from '../agents/definition.js';
import type { IdentifiedEvent } from '../event/schema.js';
import type { CallRecord } from '../llm/generate-object.js';
import type { LifecycleEvent, LifecycleListener } from '../pipeline/lifecycle.js';
import type { RunOptions, RunStatus } from '../pipeline/run-event.js';
import type { ThreadContext } from '../threads/context.js';
import { redactSecrets } from '../errors/index.js';
import { ArchiveUnavailableError } from './errors.js';
import { searchDocInserter } from './migrations.js';
import { assessmentSearchText, eventSearchText } from './search-documents.js';

/** A desk as archived: its definition at run time (so resume uses the same brief) and its model. */
export interface ArchivedDesk {
  agentId: string;
  provider: string;
  model: string;
  definition: AgentDefinition;
}

/** A desk as the runs row keeps it: the definition by reference into `texts`. */
export interface StoredDesk {
  agentId: string;
  provider: string;
  model: string;
  definitionHash: string;
}

export interface RunHeader {
  runId: string;
  event: IdentifiedEvent;
  desks: ArchivedDesk[];
  synthesisModel: { provider: string; model: string };
  promptHashes: { desk: string; synthesis: string };
  options: RunOptions;
  startedAt: string;
  /**
   * The thread the event is in and what its desks are shown (absent with no thread): stored with
   * the run so reports name the thread and resume shows the desks exactly the same memory.
   */
  thread?: ThreadContext;
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Writes a run to the archive as it happens: the run row first, then each model call, desk
 * result and synthesis the moment the pipeline reports it, each in its own small transaction,
 * so a process killed mid-run leaves everything validated so far on disk.
 *
 * Archive trouble never stops the run: the first write error is kept in `failure`, later writes
 * are skipped, and the caller reports it after the report is out.
 */
export class ArchiveRecorder {
  failure: ArchiveUnavailableError | null = null;
  private synthesisVersion = 0;
  private readonly storedTexts = new Map<string, string>();
  private addSearchDoc: ((runId: string, agentId: string | null, text: string) => void) | undefined;
  private readonly statements: {
    text: Statement;
    call: Statement;
    desk: Statement;
    synthesis: Statement;
  };

  /** `round` 0 is the original run; each resume records under the next round. */
  constructor(
    private readonly db: Database,
    private readonly runId: string,
    private readonly round: number,
    /** Key values in use: masked in everything written, whatever a provider or model echoed. */
    private readonly secrets: readonly string[] = [],
    private readonly now: () => Date = () => new Date(),
  ) {
    this.statements = {
      text: db.prepare('INSERT OR IGNORE INTO texts (hash, body) VALUES (?, ?)'),
      call: db.prepare(`INSERT INTO calls (run_id, round, agent_id, purpose, attempt, kind, provider, model, system_hash,
        messages_hash, raw_text, finish_reason, valid, issues_json, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, latency_ms, cost_usd,
        error, created_at) VALUES (@runId, @round, @agentId, @purpose, @attempt, @kind, @provider, @model, @systemHash,
        @messagesHash, @rawText, @finishReason, @valid, @issuesJson, @inputTokens, @outputTokens, @cacheReadTokens, @cacheWriteTokens, @latencyMs, @costUsd,
        @error, @createdAt)`),
      desk: db.prepare(`INSERT OR REPLACE INTO desk_results (run_id, agent_id, round, status, assessment_json, failure_kind,
        failure_reason, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      synthesis: db.prepare(`INSERT INTO syntheses (run_id, version, risk_view_json, overall_risk, error, created_at)
        VALUES (?, ?, ?, ?, ?, ?)`),
    };
  }

  /**
   * Creates the run row (status `running`) before any model is called. `now` stamps what is
   * written (a watcher passes its clock, so its daily budget reads the calls on its own days).
   */
  static start(db: Database, header: RunHeader, secrets: readonly string[] = [], now?: () => Date): ArchiveRecorder {
    const recorder = new ArchiveRecorder(db, header.runId, 0, secrets, now);
    recorder.write(() => {
      // Desk definitions (briefs are long and rarely change) are stored once each, by hash.
      const desks: StoredDesk[] = header.desks.map((d) => ({
        agentId: d.agentId,
        provider: d.provider,
        model: d.model,
        definitionHash: recorder.storeText(JSON.stringify(d.definition)),
      }));
      db.prepare(
        `INSERT INTO runs (id, event_id, event_title, event_json, desks_json, synthesis_model_json, prompt_hashes_json,
          options_json, started_at, status, pid, host, thread_id, thread_context_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)`,
      ).run(
        header.runId,
        header.event.id,
        header.event.event.title,
        JSON.stringify(header.event.event),
        JSON.stringify(desks),
        JSON.stringify(header.synthesisModel),
        JSON.stringify(header.promptHashes),
        JSON.stringify(header.options),
        header.startedAt,
        process.pid,
        hostname(),
        header.thread?.thread.id ?? null,
        header.thread ? recorder.clean(JSON.stringify(header.thread)) : null,
      );
      searchDocInserter(db)(header.runId, null, eventSearchText(header.event.event));
    });
    return recorder;
  }

  /** Continues an archived run (resume): marks it running again under this process. */
  static resume(db: Database, runId: string, secrets: readonly string[] = [], now?: () => Date): ArchiveRecorder {
    const round =
      ((db.prepare('SELECT MAX(round) AS r FROM desk_results WHERE run_id = ?').get(runId) as { r: number | null }).r ?? 0) + 1;
    const recorder = new ArchiveRecorder(db, runId, round, secrets, now);
    recorder.write(() => {
      db.prepare("UPDATE runs SET status = 'running', finished_at = NULL, pid = ?, host = ? WHERE id = ?").run(
        process.pid,
        hostname(),
        runId,
      );
    });
    return recorder;
  }

  /** The pipeline listener: every lifecycle event that carries a result is written at once. */
  readonly listener: LifecycleListener = (event: LifecycleEvent) => {
    switch (event.type) {
      case 'call':
        return this.write(() => this.recordCall(event.agentId, event.record));
      case 'desk-done':
        return this.write(() => {
          this.statements.desk.run(this.runId, event.agentId, this.round, 'ok', this.clean(JSON.stringify(event.assessment)), null, null, this.stamp());
          this.addSearchDoc ??= searchDocInserter(this.db);
          this.addSearchDoc(this.runId, event.agentId, this.clean(assessmentSearchText(event.assessment)));
        });
      case 'desk-failed':
        return this.write(() =>
          this.statements.desk.run(this.runId, event.agentId, this.round, 'failed', null, event.kind, this.clean(event.reason), this.stamp()),
        );
      case 'synthesis-started':
        return this.write(() => {
          const row = this.db.prepare('SELECT MAX(version) AS v FROM syntheses WHERE run_id = ?').get(this.runId) as { v: number | null };
          this.synthesisVersion = (row.v ?? 0) + 1;
        });
      case 'synthesis-done':
        return this.write(() =>
          this.statements.synthesis.run(this.runId, this.synthesisVersion, this.clean(JSON.stringify(event.view)), event.view.overallRisk.level, null, this.stamp()),
        );
      case 'synthesis-failed':
        return this.write(() => this.statements.synthesis.run(this.runId, this.synthesisVersion, null, null, this.clean(event.reason), this.stamp()));
      default:
        return undefined;
    }
  };

  /** Final status and time; the run is no longer `running`. */
  finish(status: RunStatus, finishedAt: string): void {
    this.write(() => {
      this.db.prepare('UPDATE runs SET status = ?, finished_at = ?, pid = NULL WHERE id = ?').run(status, finishedAt, this.runId);
    });
  }

  private recordCall(agentId: string | null, record: CallRecord): void {
    const systemHash = this.storeOnce(record.system);
    const messagesHash = this.storeOnce(JSON.stringify(record.messages));
    this.statements.call.run({
      runId: this.runId,
      round: this.round,
      agentId,
      purpose: record.purpose,
      attempt: record.attempt,
      kind: record.kind,
      provider: record.provider,
      model: record.model,
      systemHash,
      messagesHash,
      rawText: record.rawText === null ? null : this.clean(record.rawText),
      finishReason: record.finishReason,
      valid: record.parsed === null || record.parsed === undefined ? 0 : 1,
      issuesJson: this.clean(JSON.stringify(record.issues)),
      inputTokens: record.usage?.inputTokens ?? null,
      outputTokens: record.usage?.outputTokens ?? null,
      cacheReadTokens: record.usage ? (record.usage.cacheReadTokens ?? 0) : null,
      cacheWriteTokens: record.usage ? (record.usage.cacheWriteTokens ?? 0) : null,
      latencyMs: Math.round(record.latencyMs),
      costUsd: record.costUsd,
      error: record.error === null ? null : this.clean(record.error),
      createdAt: this.stamp(),
    });
  }

  /** Each distinct text (prompt, desk definition) once, keyed by its SHA-256. */
  private storeText(body: string): string {
    const hash = sha256(body);
    this.statements.text.run(hash, body);
    return hash;
  }

  /**
   * A prompt text, cleaned and stored once per recorder: the desks of a run share one system
   * prompt and each desk resends its first message on every attempt, so most are repeats. (After
   * a failed write nothing more is written, so a remembered hash never points at a rolled-back row.)
   */
  private storeOnce(raw: string): string {
    let hash = this.storedTexts.get(raw);
    if (hash === undefined) {
      hash = this.storeText(this.clean(raw));
      this.storedTexts.set(raw, hash);
    }
    return hash;
  }

  private clean(text: string): string {
    return redactSecrets(text, this.secrets);
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  private write(action: () => void): void {
    if (this.failure) return;
    try {
      this.db.transaction(action)();
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      const why = code === 'SQLITE_FULL' ? 'disk full' : code === 'SQLITE_READONLY' ? 'read-only' : (error as Error).message.split('\n')[0];
      this.failure = new ArchiveUnavailableError(`archive write failed: ${why}`, { cause: error });
    }
  }
}
