import type { CallRecord } from '../llm/generate-object.js';
import { thousands } from '../format/thousands.js';

/**
 * What several runs spend together (the runs of one `assess run` batch). When a run's limits
 * carry one, the limits apply to its totals — this run's calls included — rather than to the run's
 * own spend, and the reason names the scope.
 */
export interface SharedSpend {
  /** Everything the runs sharing the budget have spent so far, this run's calls included. */
  spent(): { usd: number; tokens: number };
  /** How the reason names the scope: `across the batch`. */
  readonly scope: string;
}

/** Limits for one run. Costs count only calls whose model has a known price. */
export interface BudgetLimits {
  maxCostUsd?: number;
  /** Input plus output tokens over every call of the run. */
  maxTokens?: number;
  /**
   * Spend shared with other runs. Set it non-enumerable (Object.defineProperty): the limits are
   * archived with the run's options as JSON and copied into reports, and it is neither.
   */
  shared?: SharedSpend;
}

export interface BudgetReport {
  maxCostUsd?: number;
  maxTokens?: number;
  /** This run's own spend. */
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
    const { maxCostUsd, maxTokens, shared } = this.limits;
    const spent = shared ? shared.spent() : { usd: this.spentUsd, tokens: this.spentTokens };
    const scope = shared ? ` ${shared.scope}` : '';
    if (maxCostUsd !== undefined && spent.usd >= maxCostUsd) {
      this.reason = `budget reached: $${spent.usd.toFixed(4)} spent of $${maxCostUsd.toFixed(4)} allowed${scope}`;
    } else if (maxTokens !== undefined && spent.tokens >= maxTokens) {
      this.reason = `budget reached: ${thousands(spent.tokens)} tokens spent of ${thousands(maxTokens)} allowed${scope}`;
    }
    return this.reason;
  }

  report(): BudgetReport {
    const { maxCostUsd, maxTokens } = this.limits;
    return {
      ...(maxCostUsd !== undefined ? { maxCostUsd } : {}),
      ...(maxTokens !== undefined ? { maxTokens } : {}),
      spentUsd: Math.round(this.spentUsd * 1e6) / 1e6,
      spentTokens: this.spentTokens,
      exceeded: this.exceeded(),
    };
  }
}
