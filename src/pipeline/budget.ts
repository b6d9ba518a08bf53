import type { CallRecord } from '../llm/generate-object.js';

/** Limits for one run. Costs count only calls whose model has a known price. */
export interface BudgetLimits {
  maxCostUsd?: number;
  /** Input plus output tokens over every call of the run. */
  maxTokens?: number;
}

export interface BudgetReport extends BudgetLimits {
  spentUsd: number;
  spentTokens: number;
  /** Why the run stopped dispatching, when it did. */
  exceeded: string | null;
}

/**
 * Tracks what a run has spent, call by call, and says when nothing new may start. Calls already
 * in flight finish (their tokens are spent either way); new desks, repair turns, retries and the
 * synthesis do not start once a limit is reached.
 */
export class Budget {
  private spentUsd = 0;
  private spentTokens = 0;
  private reason: string | null = null;

  constructor(private readonly limits: BudgetLimits) {}

  record(call: CallRecord): void {
    this.spentUsd += call.costUsd ?? 0;
    this.spentTokens += (call.usage?.inputTokens ?? 0) + (call.usage?.outputTokens ?? 0);
  }

  /** Null while within budget; otherwise the reason, fixed at the first time it was reached. */
  exceeded(): string | null {
    if (this.reason) return this.reason;
    const { maxCostUsd, maxTokens } = this.limits;
    if (maxCostUsd !== undefined && this.spentUsd >= maxCostUsd) {
      this.reason = `budget reached: $${this.spentUsd.toFixed(4)} spent of $${maxCostUsd.toFixed(4)} allowed`;
    } else if (maxTokens !== undefined && this.spentTokens >= maxTokens) {
      this.reason = `budget reached: ${this.spentTokens.toLocaleString('en-US')} tokens spent of ${maxTokens.toLocaleString('en-US')} allowed`;
    }
    return this.reason;
  }

  report(): BudgetReport {
    return { ...this.limits, spentUsd: Math.round(this.spentUsd * 1e6) / 1e6, spentTokens: this.spentTokens, exceeded: this.exceeded() };
  }
}
