import type { CallRecord } from '../llm/generate-object.js';

export interface CallUsage {
  purpose: string;
  attempt: number;
  provider: string;
  model: string;
  /** Every input token, cached or not. */
  inputTokens: number;
  outputTokens: number;
  /** Of inputTokens, read from the provider's prompt cache. */
  cacheReadTokens: number;
  /** Of inputTokens, written to the provider's prompt cache. */
  cacheWriteTokens: number;
  costUsd: number | null;
  latencyMs: number;
  error: string | null;
}

export interface UsageReport {
  calls: CallUsage[];
  total: {
    calls: number;
    inputTokens: number;
    outputTokens: number;
    cacheReadTokens: number;
    cacheWriteTokens: number;
    /** Sum over calls whose model price is known; null when none is. */
    costUsd: number | null;
    /** False when some calls' models have no known price, so costUsd is a lower bound. */
    costComplete: boolean;
  };
}

/** Tokens per call and in total, with the estimated cost where the model's price is known. */
export function summarizeUsage(records: CallRecord[]): UsageReport {
  const calls = records.map((r) => ({
    purpose: r.purpose,
    attempt: r.attempt,
    provider: r.provider,
    model: r.model,
    inputTokens: r.usage?.inputTokens ?? 0,
    outputTokens: r.usage?.outputTokens ?? 0,
    cacheReadTokens: r.usage?.cacheReadTokens ?? 0,
    cacheWriteTokens: r.usage?.cacheWriteTokens ?? 0,
    costUsd: r.costUsd,
    latencyMs: r.latencyMs,
    error: r.error,
  }));
  const priced = calls.filter((c) => c.costUsd !== null);
  const answered = calls.filter((c) => c.error === null || c.inputTokens > 0);
  return {
    calls,
    total: {
      calls: calls.length,
      inputTokens: calls.reduce((s, c) => s + c.inputTokens, 0),
      outputTokens: calls.reduce((s, c) => s + c.outputTokens, 0),
      cacheReadTokens: calls.reduce((s, c) => s + c.cacheReadTokens, 0),
      cacheWriteTokens: calls.reduce((s, c) => s + c.cacheWriteTokens, 0),
      costUsd: priced.length > 0 ? Math.round(priced.reduce((s, c) => s + (c.costUsd ?? 0), 0) * 1e6) / 1e6 : null,
      costComplete: answered.every((c) => c.costUsd !== null),
    },
  };
}
