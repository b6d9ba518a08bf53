import type { CallRecord } from '../llm/generate-object.js';
import type { BudgetLimits, SharedSpend } from '../pipeline/budget.js';
import { thousands } from '../format/thousands.js';

/**
 * One budget (`--max-cost`, `--max-tokens`) for every run of a batch. Each run's limits are the
 * batch's, with the batch's spend attached (BudgetLimits.shared): the pipeline's Budget compares
 * the batch's total with them before every call, so every run in flight stops dispatching as
 * soon as the total reaches a limit, whichever run got it there; the batch runner starts no
 * further run once `reached()`. What cannot be stopped are the calls already sent at that moment.
 */
export const BATCH_SCOPE = 'across the batch';

export class BatchBudget {
  private spentUsd = 0;
  private spentTokens = 0;
  private readonly shared: SharedSpend = { spent: () => ({ usd: this.spentUsd, tokens: this.spentTokens }), scope: BATCH_SCOPE };

  constructor(private readonly limits: BudgetLimits | undefined) {}

  /** Null while within the limits; otherwise what was spent of which limit (as a run's Budget words it). */
  reached(): string | null {
    const { maxCostUsd, maxTokens } = this.limits ?? {};
    if (maxCostUsd !== undefined && this.spentUsd >= maxCostUsd) {
      return `budget reached: $${this.spentUsd.toFixed(4)} spent of $${maxCostUsd.toFixed(4)} allowed ${BATCH_SCOPE}`;
    }
    if (maxTokens !== undefined && this.spentTokens >= maxTokens) {
      return `budget reached: ${thousands(this.spentTokens)} tokens spent of ${thousands(maxTokens)} allowed ${BATCH_SCOPE}`;
    }
    return null;
  }

  /** What every run of the batch spent so far (costs of calls with a known price). */
  spent(): { usd: number; tokens: number } {
    return { usd: Math.round(this.spentUsd * 1e6) / 1e6, tokens: this.spentTokens };
  }

  /** Adds one call of any run of the batch (each `call` event, as it arrives). */
  record(call: CallRecord): void {
    this.spentUsd += call.costUsd ?? 0;
    this.spentTokens += (call.usage?.inputTokens ?? 0) + (call.usage?.outputTokens ?? 0);
  }

  /**
   * Limits for a run about to start (undefined without a budget): the batch's, sharing its spend.
   * A fresh object per run, with `shared` non-enumerable so the archived options and the reports
   * carry only the numbers.
   */
  limitsForRun(): BudgetLimits | undefined {
    if (!this.limits) return undefined;
    const { maxCostUsd, maxTokens } = this.limits;
    const limits: BudgetLimits = { ...(maxCostUsd !== undefined ? { maxCostUsd } : {}), ...(maxTokens !== undefined ? { maxTokens } : {}) };
    Object.defineProperty(limits, 'shared', { value: this.shared, enumerable: false });
    return limits;
  }
}
