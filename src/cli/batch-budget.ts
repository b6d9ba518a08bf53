import type { CallRecord } from '../llm/generate-object.js';
import type { BudgetLimits } from '../pipeline/budget.js';

/**
 * One budget (`--max-cost`, `--max-tokens`) for every run of a batch, the way the watcher's daily
 * budget spans its runs (feeds/daily-budget.ts). Each run gets limits that are live views of
 * "the batch's limit − what the other runs spent", read by the pipeline's Budget before every
 * call, so every run in flight stops dispatching as soon as the batch's total reaches the limit,
 * whichever run got it there; the batch runner starts no further run once `reached()`. What
 * cannot be stopped are the calls already sent at that moment.
 */
export class BatchBudget {
  private spentUsd = 0;
  private spentTokens = 0;

  constructor(private readonly limits: BudgetLimits | undefined) {}

  /** Null while within the limits; otherwise what was spent of which limit. */
  reached(): string | null {
    const { maxCostUsd, maxTokens } = this.limits ?? {};
    if (maxCostUsd !== undefined && this.spentUsd >= maxCostUsd) {
      return `budget reached: $${this.spentUsd.toFixed(4)} spent of $${maxCostUsd.toFixed(4)} allowed across the batch`;
    }
    if (maxTokens !== undefined && this.spentTokens >= maxTokens) {
      return `budget reached: ${this.spentTokens.toLocaleString('en-US')} tokens spent of ${maxTokens.toLocaleString('en-US')} allowed across the batch`;
    }
    return null;
  }

  /** What every run of the batch spent so far (costs of calls with a known price). */
  spent(): { usd: number; tokens: number } {
    return { usd: Math.round(this.spentUsd * 1e6) / 1e6, tokens: this.spentTokens };
  }

  /**
   * Limits for a run about to start (undefined without a budget), and the listener for its `call`
   * events. The limits are getters: the pipeline's Budget keeps the object and reads it at each
   * check (test/watch-budget.test.ts and test/run-batch.test.ts fail if it ever copies the values).
   */
  forRun(): { limits: BudgetLimits | undefined; record: (call: CallRecord) => void } {
    let ownUsd = 0;
    let ownTokens = 0;
    const record = (call: CallRecord) => {
      const tokens = (call.usage?.inputTokens ?? 0) + (call.usage?.outputTokens ?? 0);
      ownUsd += call.costUsd ?? 0;
      ownTokens += tokens;
      this.spentUsd += call.costUsd ?? 0;
      this.spentTokens += tokens;
    };
    if (!this.limits) return { limits: undefined, record };
    const limits: BudgetLimits = {};
    // This run may spend the batch's limit less what the others spent: it stops once the total reaches the limit.
    const live = (limit: number, own: () => number, total: () => number) => () => Math.max(0, limit - (total() - own()));
    const { maxCostUsd, maxTokens } = this.limits;
    if (maxCostUsd !== undefined) {
      Object.defineProperty(limits, 'maxCostUsd', { enumerable: true, get: live(maxCostUsd, () => ownUsd, () => this.spentUsd) });
    }
    if (maxTokens !== undefined) {
      Object.defineProperty(limits, 'maxTokens', { enumerable: true, get: live(maxTokens, () => ownTokens, () => this.spentTokens) });
    }
    return { limits, record };
  }
}
