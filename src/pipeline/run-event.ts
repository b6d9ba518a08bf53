import PQueue from 'p-queue';
import type { AgentDefinition } from '../agents/definition.js';
import type { AgentAssessment } from '../assessment/schema.js';
import { BudgetExceededError, CancelledError, IncompleteOutputError, InvalidOutputError, ProviderError, describeError } from '../errors/index.js';
import type { IdentifiedEvent } from '../event/schema.js';
import { generateObject, type CallRecord, type GenerateRequest, type GenerateResult } from '../llm/generate-object.js';
import { toProviderJsonSchema } from '../llm/json-schema.js';
import type { RetryPolicy, Sleep } from '../llm/retry.js';
import type { StructuredModel } from '../llm/types.js';
import type { PromptSet } from '../prompts/load-prompts.js';
import { renderRepairPrompt, renderSynthesisPrompt } from '../prompts/render-prompts.js';
import { buildRiskView } from '../synthesis/build-risk-view.js';
import { withSinceLast } from '../synthesis/since-last.js';
import { SynthesisDraftSchema, type RiskView } from '../synthesis/schema.js';
import type { LifecycleListener } from './lifecycle.js';
import { Budget, type BudgetLimits, type BudgetReport } from './budget.js';
import { scopedSignal } from '../signals/scoped-signal.js';
import { summarizeUsage, type UsageReport } from './usage.js';
import { deskRequestFor } from './desk-step.js';
import type { ThreadContext, ThreadRef } from '../threads/context.js';

export interface RunOptions {
  /** Desks assessed at once. @default 8 */
  concurrency: number;
  /** Per model call, in milliseconds. */
  timeoutMs: number;
  /**
   * The whole run, in milliseconds (`--timeout`): when it passes, nothing new starts, calls in
   * flight are aborted, finished desks are kept and the run ends failed (resumable).
   */
  runTimeoutMs?: number;
  /** Repair turns after an invalid output. @default 2 */
  maxRepairs: number;
  maxOutputTokens: number;
  retry: RetryPolicy;
  disagreementThreshold?: number;
  /** Cost/token limits for the whole run (`--max-cost`, `--max-run-tokens`). */
  budget?: BudgetLimits;
}

/** `unfinished`: the archive shows the desk never finished (the process died mid-run). */
export type FailureKind = 'refusal' | 'truncated' | 'invalid' | 'provider' | 'cancelled' | 'unfinished' | 'budget' | 'timeout';

export interface DeskFailure {
  agentId: string;
  kind: FailureKind;
  reason: string;
}

/**
 * runEvent ends in ok, degraded, failed or cancelled (interrupted on purpose; resumable). The
 * archive adds `running` (in progress) and `incomplete` (its process died before finishing);
 * `assess resume` completes cancelled and incomplete runs alike.
 */
export type RunStatus = 'ok' | 'degraded' | 'failed' | 'cancelled' | 'running' | 'incomplete';

export interface RunResult {
  runId: string;
  status: RunStatus;
  event: IdentifiedEvent;
  startedAt: string;
  finishedAt: string;
  desks: { agentId: string; provider: string; model: string }[];
  promptHashes: { desk: string; synthesis: string };
  assessments: AgentAssessment[];
  failures: DeskFailure[];
  synthesis: RiskView | null;
  synthesisError: string | null;
  usage: UsageReport;
  /** Present when the run had a budget: limits, what was spent, and whether it was reached. */
  budget?: BudgetReport;
  /** The thread the event was in when the run started (absent with --no-archive). */
  thread?: ThreadRef;
}

export interface RunInput {
  runId: string;
  event: IdentifiedEvent;
  agents: AgentDefinition[];
  /** The model each desk talks to (after per-desk overrides). */
  modelFor: (agent: AgentDefinition) => StructuredModel;
  synthesisModel: StructuredModel;
  /** Models tried in order when a desk's (null: the synthesizer's) model fails after its retries. */
  fallbacksFor?: (agent: AgentDefinition | null) => StructuredModel[];
  prompts: PromptSet;
  options: RunOptions;
  signal: AbortSignal;
  onEvent?: LifecycleListener;
  now?: () => number;
  sleep?: Sleep;
  /**
   * Desks already assessed (resuming an archived run): they are not run again, and the synthesis
   * covers them together with the desks that run now.
   */
  existing?: AgentAssessment[];
  /** When the run started, if it started before this call (resume) or was stamped by the caller. */
  startedAt?: string;
  /**
   * The story this event belongs to: evidence ids, each desk's memory and the last consolidated
   * view. Absent with --no-archive (no thread can be known).
   */
  thread?: ThreadContext;
}

// Computed once: the schemas never change while the process runs (the desks' are in desk-step.ts).
const SYNTHESIS_JSON_SCHEMA = toProviderJsonSchema(SynthesisDraftSchema);

function classify(error: Error): FailureKind {
  if (error instanceof BudgetExceededError) return 'budget';
  if (error instanceof IncompleteOutputError) return error.kind;
  if (error instanceof InvalidOutputError) return 'invalid';
  if (error instanceof CancelledError) return 'cancelled';
  return 'provider';
}

/**
 * Streams deliver dozens of pieces a second; listeners (the progress table) need a few. The first
 * piece is always reported, so "receiving" shows as soon as the answer starts.
 */
function everyFewTimesASecond(now: () => number, report: (chars: number) => void, intervalMs = 250): (chars: number) => void {
  let last = -Infinity;
  return (chars) => {
    const t = now();
    if (t - last < intervalMs) return;
    last = t;
    report(chars);
  };
}

const label = (model: StructuredModel): string => `${model.provider}/${model.model}`;

/**
 * generateObject on each model of `chain` in turn: the next is tried only when the previous one
 * failed as a provider (unreachable, or still failing after its retries) — not on refusals,
 * truncation or invalid output, which another model would not make less likely to recur in the
 * same way, and not once the run is cancelled or out of budget. Every hop is reported.
 */
async function generateWithFallbacks<T>(
  chain: StructuredModel[],
  request: Omit<GenerateRequest<T>, 'model'>,
  signal: AbortSignal,
  onHop: (hop: { from: string; to: string; reason: string }) => void,
): Promise<{ result: GenerateResult<T>; model: StructuredModel }> {
  let calls: CallRecord[] = [];
  for (let i = 0; ; i++) {
    const model = chain[i]!;
    const result = await generateObject({ ...request, model, attemptOffset: calls.length });
    calls = [...calls, ...result.calls];
    const next = chain[i + 1];
    if (result.ok || !next || !(result.error instanceof ProviderError) || signal.aborted) return { result: { ...result, calls }, model };
    onHop({ from: label(model), to: label(next), reason: describeError(result.error) });
  }
}

/**
 * Runs one event end to end: every desk concurrently (bounded by p-queue), each validated and
 * repaired on its own, then the synthesizer over the desks that succeeded. A desk's failure never
 * sinks the run. Reports lifecycle events to `onEvent`; never prints.
 */
export async function runEvent(input: RunInput): Promise<RunResult> {
  const now = input.now ?? Date.now;
  const emit: LifecycleListener = (e) => input.onEvent?.(e);
  const startedAt = input.startedAt ?? new Date(now()).toISOString();
  const calls: CallRecord[] = [];
  const budget = input.options.budget ? new Budget(input.options.budget) : undefined;
  const onCall = (agentId: string | null) => (record: CallRecord) => {
    calls.push(record);
    budget?.record(record);
    emit({ type: 'call', agentId, record });
  };
  const mayStart = () => budget?.exceeded() ?? null;
  // The run's own deadline sits under the caller's signal: aborting either stops every call.
  const deadline = input.options.runTimeoutMs !== undefined ? scopedSignal(input.signal, input.options.runTimeoutMs) : undefined;
  const signal = deadline?.signal ?? input.signal;
  const timedOut = () => deadline?.timedOut() ?? false;
  const timeoutReason = () => `run timed out after ${formatDuration(input.options.runTimeoutMs ?? 0)}`;

  // What every model call of this run shares: desks and synthesizer are validated, repaired,
  // retried and timed out alike.
  const callSettings = {
    scope: input.event.id,
    renderRepair: (_raw: string, issues: string[]) => renderRepairPrompt(input.prompts, issues),
    maxRepairs: input.options.maxRepairs,
    maxOutputTokens: input.options.maxOutputTokens,
    timeoutMs: input.options.timeoutMs,
    retry: input.options.retry,
    signal,
    now,
    ...(input.sleep ? { sleep: input.sleep } : {}),
  };

  const assessments = new Map<string, AgentAssessment>((input.existing ?? []).map((a) => [a.agentId, a]));
  const failures: DeskFailure[] = [];
  const queue = new PQueue({ concurrency: input.options.concurrency });
  const desks = input.agents.map((agent) => {
    const model = input.modelFor(agent);
    return { agent, model };
  });
  const toRun = desks.filter(({ agent }) => !assessments.has(agent.id));

  for (const { agent } of toRun) emit({ type: 'desk-queued', agentId: agent.id });

  await Promise.all(
    toRun.map(({ agent, model }) =>
      queue.add(async () => {
        const started = now();
        if (signal.aborted) {
          const failure = timedOut()
            ? { agentId: agent.id, kind: 'timeout' as const, reason: `${timeoutReason()} before the desk started` }
            : { agentId: agent.id, kind: 'cancelled' as const, reason: 'run cancelled before the desk started' };
          failures.push(failure);
          emit({ type: 'desk-failed', agentId: agent.id, kind: failure.kind, reason: failure.reason, elapsedMs: 0 });
          return;
        }
        emit({ type: 'desk-started', agentId: agent.id, provider: model.provider, model: model.model });
        // The thread decides the request: evidence shown, memory (and its schema) when the desk has an earlier view.
        const request = deskRequestFor(agent, input.prompts, input.event, input.thread);
        const { result, model: used } = await generateWithFallbacks(
          [model, ...(input.fallbacksFor?.(agent) ?? [])],
          {
            schema: request.schema,
            schemaName: request.schemaName,
            jsonSchema: request.jsonSchema,
            purpose: `desk/${agent.id}`,
            ...callSettings,
            system: request.system,
            user: request.user,
            sharedPrefixChars: request.sharedPrefixChars,
            hooks: {
              mayStart,
              onCall: onCall(agent.id),
              onRepair: ({ turn, issues }) => emit({ type: 'desk-repairing', agentId: agent.id, turn, issues }),
              onRetry: ({ retry, delayMs, reason }) => emit({ type: 'desk-retrying', agentId: agent.id, retry, delayMs, reason }),
              onThrottle: (waiting) => emit({ type: 'desk-throttled', agentId: agent.id, waiting }),
              onText: everyFewTimesASecond(now, (chars) => emit({ type: 'desk-receiving', agentId: agent.id, chars })),
            },
          },
          signal,
          (hop) => emit({ type: 'desk-fallback', agentId: agent.id, ...hop }),
        );
        const elapsedMs = now() - started;
        if (result.ok) {
          const assessment = request.finalize(result.value, {
            eventId: input.event.id,
            provider: used.provider,
            model: result.calls.at(-1)?.model ?? used.model,
            promptHash: input.prompts.deskHash,
            attempts: result.calls.length,
          });
          assessments.set(agent.id, assessment);
          emit({ type: 'desk-done', agentId: agent.id, elapsedMs, assessment });
        } else {
          const kind = classify(result.error);
          // A call aborted by the run's deadline reads as cancelled from inside; say what happened.
          const failure =
            kind === 'cancelled' && timedOut()
              ? { agentId: agent.id, kind: 'timeout' as const, reason: timeoutReason() }
              : { agentId: agent.id, kind, reason: describeError(result.error) };
          failures.push(failure);
          emit({ type: 'desk-failed', agentId: agent.id, kind: failure.kind, reason: failure.reason, elapsedMs });
        }
      }),
    ),
  );

  // Keep the order the desks were asked for, whatever order they finished in.
  const succeeded = input.agents.map((a) => assessments.get(a.id)).filter((a): a is AgentAssessment => a !== undefined);
  const orderedFailures = input.agents
    .map((a) => failures.find((f) => f.agentId === a.id))
    .filter((f): f is DeskFailure => f !== undefined);

  let synthesis: RiskView | null = null;
  let synthesisError: string | null = null;
  if (succeeded.length === 0) {
    synthesisError = 'no desk produced a valid assessment';
  } else if (timedOut()) {
    synthesisError = `${timeoutReason()} before synthesis`;
  } else if (signal.aborted) {
    synthesisError = 'run cancelled before synthesis';
  } else if (budget?.exceeded()) {
    synthesisError = `no synthesis: ${budget.exceeded()}`;
  } else {
    const missing = orderedFailures.map((f) => ({ agentId: f.agentId, reason: f.reason }));
    emit({ type: 'synthesis-started', provider: input.synthesisModel.provider, model: input.synthesisModel.model });
    const started = now();
    const prompt = renderSynthesisPrompt(input.prompts, input.event, succeeded, missing);
    const { result, model: synthUsed } = await generateWithFallbacks(
      [input.synthesisModel, ...(input.fallbacksFor?.(null) ?? [])],
      {
        schema: SynthesisDraftSchema,
        schemaName: 'risk_view',
        jsonSchema: SYNTHESIS_JSON_SCHEMA,
        purpose: 'synthesis',
        ...callSettings,
        system: prompt.system,
        user: prompt.user,
        hooks: {
          mayStart,
          onCall: onCall(null),
          onRepair: ({ turn, issues }) => emit({ type: 'synthesis-repairing', turn, issues }),
          onRetry: ({ retry, delayMs, reason }) => emit({ type: 'synthesis-retrying', retry, delayMs, reason }),
          onThrottle: (waiting) => emit({ type: 'synthesis-throttled', waiting }),
          onText: everyFewTimesASecond(now, (chars) => emit({ type: 'synthesis-receiving', chars })),
        },
      },
      signal,
      (hop) => emit({ type: 'synthesis-fallback', ...hop }),
    );
    if (result.ok) {
      synthesis = buildRiskView(
        succeeded,
        result.value,
        { included: succeeded.map((a) => a.agentId), missing },
        {
          provider: synthUsed.provider,
          model: result.calls.at(-1)?.model ?? synthUsed.model,
          promptHash: input.prompts.synthesisHash,
          attempts: result.calls.length,
        },
        input.options.disagreementThreshold !== undefined
          ? { disagreementThreshold: input.options.disagreementThreshold }
          : {},
      );
      // Scenario lineage and "since the last consolidated view" are computed before the view is
      // reported, so the archive and every report carry them.
      if (input.thread) synthesis = withSinceLast(synthesis, succeeded, input.thread.previousSynthesis);
      emit({ type: 'synthesis-done', elapsedMs: now() - started, warnings: synthesis.warnings, view: synthesis });
    } else {
      synthesisError = result.error instanceof CancelledError && timedOut() ? `${timeoutReason()} during synthesis` : describeError(result.error);
      emit({ type: 'synthesis-failed', reason: synthesisError, elapsedMs: now() - started });
    }
  }

  deadline?.dispose();
  // Cancelled (Ctrl-C, SIGTERM, a watcher's grace running out) only when the cancellation cost
  // something: a desk or the synthesis did not happen because of it. The run stays resumable.
  const cancelled =
    input.signal.aborted && !timedOut() && (orderedFailures.some((f) => f.kind === 'cancelled') || (synthesis === null && succeeded.length > 0));
  // A run stopped by its budget is degraded (it did what it was allowed to), not failed.
  const budgetStopped = budget?.exceeded() != null && succeeded.length > 0;
  const status: RunStatus = cancelled
    ? 'cancelled'
    : budgetStopped
      ? 'degraded'
      : synthesis === null
        ? 'failed'
        : orderedFailures.length > 0
          ? 'degraded'
          : 'ok';
  return {
    runId: input.runId,
    status,
    event: input.event,
    startedAt,
    finishedAt: new Date(now()).toISOString(),
    desks: desks.map(({ agent, model }) => ({ agentId: agent.id, provider: model.provider, model: model.model })),
    promptHashes: { desk: input.prompts.deskHash, synthesis: input.prompts.synthesisHash },
    assessments: succeeded,
    failures: orderedFailures,
    synthesis,
    synthesisError,
    usage: summarizeUsage(calls),
    ...(budget ? { budget: budget.report() } : {}),
    ...(input.thread ? { thread: input.thread.thread } : {}),
  };
}

/** `90s`, `30m`, `1h30m`: how a run timeout reads in a failure reason. */
function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${Number((ms / 1000).toFixed(1))}s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}
