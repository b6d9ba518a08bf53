import type * as z from 'zod';
import { BudgetExceededError, CancelledError, IncompleteOutputError, InvalidOutputError, ProviderError, describeError } from '../errors/index.js';
import { safeParseJson } from './extract-json.js';
import { BUILT_IN_PRICES } from './pricing.js';
import { estimateInputTokens } from './estimate-tokens.js';
import { scopedSignal } from '../signals/scoped-signal.js';
import { toProviderError } from './provider-errors.js';
import type { Permit, RateLimiter } from './rate-limiter.js';
import { withRetry, type RetryPolicy, type Sleep } from './retry.js';
import type { ChatMessage, StructuredModel, TokenUsage } from './types.js';
import { ONE_SHOT_PARSE } from '../validation/one-shot-parse.js';

/** One model call, successful or not: what the archive and the usage report are built from. */
export interface CallRecord {
  purpose: string;
  /** 1-based count of calls for this purpose, across retries and repairs. */
  attempt: number;
  kind: 'initial' | 'repair';
  provider: string;
  model: string;
  system: string;
  messages: ChatMessage[];
  rawText: string | null;
  finishReason: string | null;
  usage: TokenUsage | null;
  costUsd: number | null;
  latencyMs: number;
  /** The validated value, on the call whose output was accepted; null otherwise. */
  parsed: unknown;
  /** Validation issues of this output, empty when it validated or never arrived. */
  issues: string[];
  error: string | null;
}

export interface GenerateRequest<T> {
  model: StructuredModel;
  schema: z.ZodType<T>;
  schemaName: string;
  jsonSchema: Record<string, unknown>;
  purpose: string;
  scope: string;
  system: string;
  user: string;
  /** Leading characters of `user` shared with the run's other calls (see StructuredRequest). */
  sharedPrefixChars?: number;
  /** Renders the repair turn from the invalid output and its issues. */
  renderRepair: (rawText: string, issues: string[]) => string;
  maxRepairs: number;
  maxOutputTokens: number;
  timeoutMs: number;
  retry: RetryPolicy;
  signal: AbortSignal;
  hooks?: GenerateHooks;
  /** Calls already made for this purpose by an earlier model (a fallback continues the count). */
  attemptOffset?: number;
  now?: () => number;
  sleep?: Sleep;
}

export interface GenerateHooks {
  /** Asked before every call (first try, retry, repair): a reason stops the call from starting. */
  mayStart?: () => string | null;
  onCall?: (record: CallRecord) => void;
  onRepair?: (info: { turn: number; issues: string[] }) => void;
  onRetry?: (info: { retry: number; delayMs: number; reason: string }) => void;
  /** A call starts waiting for a rate-limit slot (`true`), or got its slot after waiting (`false`). */
  onThrottle?: (waiting: boolean) => void;
  /** Answer text arriving on a streamed call: characters received so far in this call. */
  onText?: (receivedChars: number) => void;
}

export type GenerateResult<T> =
  | { ok: true; value: T; calls: CallRecord[] }
  | { ok: false; error: Error; calls: CallRecord[] };

const MAX_ISSUES_SHOWN = 20;

/** Zod issues as `path: message` lines the model (and a person) can act on. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.slice(0, MAX_ISSUES_SHOWN).map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return `${path}: ${issue.message}`;
  });
}

/**
 * Asks the model for a structured object and does not trust what comes back: refusals and
 * truncation are detected before parsing; invalid JSON and schema violations get up to
 * `maxRepairs` repair turns showing the model its output and the issues; transient provider
 * errors are retried (the only retry layer). Never throws: failures come back with the call log.
 */
export async function generateObject<T>(req: GenerateRequest<T>): Promise<GenerateResult<T>> {
  const now = req.now ?? Date.now;
  const calls: CallRecord[] = [];
  const first: ChatMessage = { role: 'user', content: req.user };
  // The schema travels with every call and counts against token limits like the prompt does.
  const schemaText = JSON.stringify(req.jsonSchema);
  let messages: ChatMessage[] = [first];

  const record = (
    partial: Omit<CallRecord, 'purpose' | 'attempt' | 'provider' | 'model' | 'system'> & { model?: string },
  ): CallRecord => {
    const call: CallRecord = {
      purpose: req.purpose,
      attempt: (req.attemptOffset ?? 0) + calls.length + 1,
      provider: req.model.provider,
      // What the provider says it ran (e.g. a dated snapshot), else what we asked for.
      model: partial.model || req.model.model,
      system: req.system,
      ...partial,
    };
    calls.push(call);
    req.hooks?.onCall?.(call);
    return call;
  };

  /**
   * Waits for the model's rate limiter. The wait comes before the call's own timer starts
   * (queueing is not hanging) and is bounded by the run's signal. The budget is asked again
   * afterwards: it may have run out while this call waited.
   */
  const waitForSlot = async (limiter: RateLimiter, turnMessages: ChatMessage[]): Promise<Permit> => {
    const inputTokens = limiter.countsTokens
      ? await estimateInputTokens(req.model.model, [req.system, ...turnMessages.map((m) => m.content), schemaText])
      : 0;
    const estimate = { inputTokens, maxOutputTokens: req.maxOutputTokens };
    const waits = limiter.wouldWait(estimate);
    if (waits) req.hooks?.onThrottle?.(true);
    const permit = await limiter.acquire(estimate, req.signal);
    if (waits) req.hooks?.onThrottle?.(false);
    const refused = req.hooks?.mayStart?.();
    if (refused) {
      limiter.release(permit);
      throw new BudgetExceededError(refused);
    }
    return permit;
  };

  try {
    for (let turn = 0; turn <= req.maxRepairs; turn++) {
      const kind = turn === 0 ? 'initial' : 'repair';
      const turnMessages = messages;
      const response = await withRetry(
        async () => {
          const refused = req.hooks?.mayStart?.();
          if (refused) throw new BudgetExceededError(refused);
          const limiter = req.model.limiter;
          const permit = limiter ? await waitForSlot(limiter, turnMessages) : undefined;
          const started = now();
          // One signal per attempt: the run's cancellation plus this call's own timeout.
          const { signal, timedOut, cancelled, dispose } = scopedSignal(req.signal, req.timeoutMs);
          try {
            const response = await req.model.complete({
              purpose: req.purpose,
              scope: req.scope,
              system: req.system,
              messages: turnMessages,
              schemaName: req.schemaName,
              jsonSchema: req.jsonSchema,
              maxOutputTokens: req.maxOutputTokens,
              signal,
              ...(req.sharedPrefixChars ? { sharedPrefixChars: req.sharedPrefixChars } : {}),
              ...(req.hooks?.onText ? { onText: req.hooks.onText } : {}),
            });
            if (permit) limiter?.succeeded(permit, response.usage, response.rateLimit);
            return { response, latencyMs: now() - started };
          } catch (raw) {
            const error = toProviderError(raw, {
              provider: req.model.provider,
              timedOut: timedOut(),
              cancelled: cancelled(),
              timeoutMs: req.timeoutMs,
            });
            if (permit && error instanceof ProviderError) limiter?.failed(permit, error);
            else if (permit) limiter?.release(permit);
            record({
              kind,
              messages: turnMessages,
              rawText: null,
              finishReason: null,
              usage: null,
              costUsd: null,
              latencyMs: now() - started,
              parsed: null,
              issues: [],
              error: error.message,
            });
            throw error;
          } finally {
            dispose();
          }
        },
        req.retry,
        req.signal,
        {
          ...(req.sleep ? { sleep: req.sleep } : {}),
          onRetry: ({ retry, delayMs, error }) => req.hooks?.onRetry?.({ retry, delayMs, reason: error.message }),
        },
      );

      const { text, finishReason, rawFinishReason, refusal, usage, model } = response.response;
      const base = {
        kind,
        model,
        messages: turnMessages,
        rawText: text,
        finishReason: rawFinishReason,
        usage,
        costUsd: (req.model.prices ?? BUILT_IN_PRICES).costOf(model || req.model.model, usage),
        latencyMs: response.latencyMs,
        parsed: null,
      } as const;

      if (finishReason === 'refusal' || finishReason === 'content_filter') {
        const why = refusal ? `: ${refusal.split('\n')[0]}` : '';
        const error = new IncompleteOutputError('refusal', `model refused${why}`, text);
        record({ ...base, issues: [], error: error.message });
        return { ok: false, error, calls };
      }
      if (finishReason === 'length') {
        const error = new IncompleteOutputError(
          'truncated',
          `output truncated at ${usage.outputTokens} tokens (limit ${req.maxOutputTokens}); raise --max-output-tokens`,
          text,
        );
        record({ ...base, issues: [], error: error.message });
        return { ok: false, error, calls };
      }

      const parsed = safeParseJson(text);
      let issues: string[];
      if (parsed.ok) {
        const validated = req.schema.safeParse(parsed.value, ONE_SHOT_PARSE);
        if (validated.success) {
          record({ ...base, parsed: validated.data, issues: [], error: null });
          return { ok: true, value: validated.data, calls };
        }
        issues = formatIssues(validated.error);
      } else {
        issues = [parsed.error];
      }
      record({ ...base, issues, error: null });

      if (turn === req.maxRepairs) {
        const error = new InvalidOutputError(
          `output still invalid after ${req.maxRepairs} repair turn(s): ${issues[0] ?? 'invalid'}`,
          text,
          issues,
        );
        return { ok: false, error, calls };
      }
      req.hooks?.onRepair?.({ turn: turn + 1, issues });
      // Only the latest bad output is shown, so repair prompts stay bounded in size.
      messages = [first, { role: 'assistant', content: text }, { role: 'user', content: req.renderRepair(text, issues) }];
    }
  } catch (error) {
    const typed =
      error instanceof ProviderError || error instanceof CancelledError || error instanceof BudgetExceededError
        ? error
        : new ProviderError(describeError(error), { retryable: false, cause: error });
    return { ok: false, error: typed, calls };
  }
  // Unreachable: the loop returns on its last turn.
  return { ok: false, error: new InvalidOutputError('no attempt made', '', []), calls };
}
