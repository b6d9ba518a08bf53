import type { Database } from 'better-sqlite3';
import type { CallRecord } from '../llm/generate-object.js';
import type { BudgetLimits } from '../pipeline/budget.js';
import type { DailyBudgetLimits } from './types.js';
import { thousands } from '../format/thousands.js';

/**
 * The watcher's budget per UTC day (`budget:` in the feeds file).
 *
 * What counts: every model call archived for a run that the watcher started for a feed item (the
 * item → run link in `feed_items.run_id`, written before the run's first call), whose `created_at`
 * falls in the current UTC day — resumed runs included, by any process on the same archive. The
 * archive is the ledger, so a restart does not reset the day's spend.
 *
 * Between reads of the archive, the calls of this process's runs in flight are added as they
 * arrive, and each run's limits are live: `remaining today + what this run has spent`, so every
 * run stops dispatching as soon as the day's total reaches the limit, whichever run got it there.
 * What cannot be stopped are calls already sent when the limit is crossed.
 */

const DAY_MS = 86_400_000;

export interface UtcDay {
  /** `2025-10-01` */
  date: string;
  /** ISO instant of 00:00 UTC that day (inclusive). */
  start: string;
  /** ISO instant of 00:00 UTC the next day (exclusive). */
  end: string;
}

export function utcDay(at: Date): UtcDay {
  const start = Math.floor(at.getTime() / DAY_MS) * DAY_MS;
  return {
    date: new Date(start).toISOString().slice(0, 10),
    start: new Date(start).toISOString(),
    end: new Date(start + DAY_MS).toISOString(),
  };
}

/** What the watcher's runs spent in one UTC day. */
export interface DaySpend {
  day: string;
  /** Sum over calls whose model has a known price (a lower bound when `unpricedCalls` > 0). */
  costUsd: number;
  /** Input plus output tokens over all calls. */
  tokens: number;
  calls: number;
  /** Calls that used tokens on a model without a known price: their cost is unknown, not zero. */
  unpricedCalls: number;
}

/**
 * Call timestamps are taken just before the row is inserted, so they grow with the call id; this
 * much slack covers clock steps and several hosts sharing an archive. Only where the scan starts
 * depends on it: rows are still filtered on their timestamp.
 */
const ORDER_SLACK_MS = 3_600_000;

/** The lowest call id whose row (or any later row) may have `created_at >= iso`, found by bisection on the rowid. */
function firstCallIdFrom(db: Database, iso: string): number {
  // Two statements: SQLite answers MIN(id) or MAX(id) alone from the b-tree, but not both in one.
  const min = db.prepare('SELECT MIN(id) FROM calls').pluck().get() as number | null;
  const max = db.prepare('SELECT MAX(id) FROM calls').pluck().get() as number | null;
  if (min === null || max === null) return 0;
  const at = db.prepare('SELECT id, created_at AS createdAt FROM calls WHERE id >= ? ORDER BY id LIMIT 1');
  let lo = min;
  let hi = max + 1;
  // Every call below `lo` was created before `iso`; the answer is at most `hi`.
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const row = at.get(mid) as { id: number; createdAt: string } | undefined;
    if (!row || row.createdAt >= iso) hi = mid;
    else lo = row.id + 1;
  }
  return lo;
}

/**
 * Reads a day's watcher spend from the archive. Cost is proportional to that day's calls, not to
 * the archive's size: the calls are found by bisection on their id, and whether a run belongs to
 * the watcher is asked once per run id (feed_items has no index on run_id, so that lookup scans).
 */
export class WatcherSpend {
  private readonly watcherRuns = new Map<string, boolean>();

  constructor(private readonly db: Database) {}

  /** A run started for a feed item by this process: known without asking the archive. */
  markWatcherRun(runId: string): void {
    this.watcherRuns.set(runId, true);
  }

  on(day: UtcDay): DaySpend {
    // NOT INDEXED: a range of the rowid, not a walk of the whole calls_run_id index for GROUP BY.
    const from = firstCallIdFrom(this.db, new Date(Date.parse(day.start) - ORDER_SLACK_MS).toISOString());
    const rows = this.db
      .prepare(
        `SELECT run_id AS runId, COUNT(*) AS calls, COALESCE(SUM(cost_usd), 0) AS cost,
           COALESCE(SUM(COALESCE(input_tokens, 0) + COALESCE(output_tokens, 0)), 0) AS tokens,
           COALESCE(SUM(cost_usd IS NULL AND COALESCE(input_tokens, 0) + COALESCE(output_tokens, 0) > 0), 0) AS unpriced
         FROM calls NOT INDEXED WHERE id >= ? AND created_at >= ? AND created_at < ? GROUP BY run_id`,
      )
      .all(from, day.start, day.end) as { runId: string; calls: number; cost: number; tokens: number; unpriced: number }[];
    const unknown = rows.map((r) => r.runId).filter((id) => !this.watcherRuns.has(id));
    if (unknown.length > 0) {
      // A run is linked to its item before its first call, so the answer never changes later.
      const linked = new Set(
        this.db
          .prepare('SELECT DISTINCT run_id FROM feed_items WHERE run_id IN (SELECT value FROM json_each(?))')
          .pluck()
          .all(JSON.stringify(unknown)) as string[],
      );
      for (const id of unknown) this.watcherRuns.set(id, linked.has(id));
    }
    const spend: DaySpend = { day: day.date, costUsd: 0, tokens: 0, calls: 0, unpricedCalls: 0 };
    for (const row of rows) {
      if (!this.watcherRuns.get(row.runId)) continue;
      spend.costUsd += row.cost;
      spend.tokens += row.tokens;
      spend.calls += row.calls;
      spend.unpricedCalls += row.unpriced;
    }
    return spend;
  }
}

/** `5.00`, `0.03`, `0.0384`: cents when exact, else four decimals (as run budgets print). */
export function formatUsd(amount: number): string {
  const cents = amount * 100;
  return Math.abs(cents - Math.round(cents)) < 1e-6 ? amount.toFixed(2) : amount.toFixed(4);
}

const tokensText = thousands;

/** `$0.0384 of $0.03` or `8,400 of 8,000 tokens` for the limit that is reached, else null. */
export function reachedLimit(spend: DaySpend, limits: DailyBudgetLimits): string | null {
  if (limits.maxCostUsd !== undefined && spend.costUsd >= limits.maxCostUsd) {
    return `$${formatUsd(spend.costUsd)} of $${formatUsd(limits.maxCostUsd)}`;
  }
  if (limits.maxTokens !== undefined && spend.tokens >= limits.maxTokens) {
    return `${tokensText(spend.tokens)} of ${tokensText(limits.maxTokens)} tokens`;
  }
  return null;
}

/** `$0.0384 of $5.00 · 8,400 of 2,000,000 tokens` — spend against each limit that is set. */
export function describeSpend(spend: DaySpend, limits: DailyBudgetLimits): string {
  const unknownOnly = spend.unpricedCalls > 0 && spend.costUsd === 0;
  const cost = unknownOnly ? 'cost unknown' : `$${formatUsd(spend.costUsd)}`;
  const costLimit = limits.maxCostUsd !== undefined ? ` of $${formatUsd(limits.maxCostUsd)}` : '';
  const note = spend.unpricedCalls > 0 ? ` (${spend.unpricedCalls} call(s) at unknown prices${unknownOnly ? '' : ' not included'})` : '';
  const tokenLimit = limits.maxTokens !== undefined ? ` of ${tokensText(limits.maxTokens)}` : '';
  return `${cost}${costLimit}${note} · ${tokensText(spend.tokens)}${tokenLimit} tokens`;
}

/** One run's limits (live, see DailyBudget.forRun) and the listener that keeps them current. */
export interface RunBudget {
  limits: BudgetLimits;
  /** Every `call` event of the run, after the archive recorder has written it. */
  record: (call: CallRecord) => void;
}

/**
 * The day's ledger for one watcher process. `reached()` re-reads the archive (every process's
 * spend); between reads the calls of this process's runs are added as they arrive. The watcher
 * reports each call here only after the archive recorder wrote it, and reads the archive only
 * between calls, so no call is counted twice or missed.
 */
export class DailyBudget {
  private day: UtcDay | undefined;
  private spent: DaySpend | undefined;
  private readonly spend: WatcherSpend;

  constructor(
    private readonly db: Database,
    readonly limits: DailyBudgetLimits,
    private readonly now: () => Date,
  ) {
    this.spend = new WatcherSpend(db);
  }

  /** Today's spend as read from the archive now. */
  refresh(): DaySpend {
    this.day = utcDay(this.now());
    this.spent = this.spend.on(this.day);
    return this.spent;
  }

  /** Today's spend as last read plus the calls since; re-read when the UTC day has changed. */
  current(): DaySpend {
    if (!this.spent || !this.day || utcDay(this.now()).date !== this.day.date) return this.refresh();
    return this.spent;
  }

  /** Null while something remains today; otherwise what was spent of which limit. Re-reads the archive. */
  reached(): { spend: DaySpend; limit: string } | null {
    const spend = this.refresh();
    const limit = reachedLimit(spend, this.limits);
    return limit ? { spend, limit } : null;
  }

  private add(call: CallRecord): void {
    if (!this.spent || !this.day || utcDay(this.now()).date !== this.day.date) {
      // A new day: the archive (which already holds this call) is read afresh.
      this.refresh();
      return;
    }
    const tokens = (call.usage?.inputTokens ?? 0) + (call.usage?.outputTokens ?? 0);
    this.spent.costUsd += call.costUsd ?? 0;
    this.spent.tokens += tokens;
    this.spent.calls += 1;
    if (call.costUsd === null && tokens > 0) this.spent.unpricedCalls += 1;
  }

  /**
   * Limits for a run about to start for item `itemId`. They are getters: the pipeline's Budget
   * reads them before every call, and they answer `the daily limit − what everything else spent
   * today` (so: this run's spend + what remains), so the run stops dispatching as soon as the day's
   * total over all runs in flight reaches the limit. `perRun` (a run budget) applies as well.
   * This relies on the pipeline's Budget keeping the limits object and reading it at each check;
   * test/watch-budget.test.ts ("several runs in flight") fails if it ever copies the values.
   */
  forRun(itemId: number, perRun: BudgetLimits | undefined): RunBudget {
    let ownUsd = 0;
    let ownTokens = 0;
    let marked = false;
    const limits: BudgetLimits = {};
    // The day's limit less what everything else spent today (other runs, earlier runs): this run
    // may spend up to that, so it stops once the day's total reaches the limit. Never negative.
    const live = (daily: number | undefined, own: () => number, spentToday: (s: DaySpend) => number, cap: number | undefined) => () =>
      Math.min(cap ?? Infinity, daily === undefined ? Infinity : Math.max(0, daily - (spentToday(this.current()) - own())));
    if (this.limits.maxCostUsd !== undefined || perRun?.maxCostUsd !== undefined) {
      Object.defineProperty(limits, 'maxCostUsd', {
        enumerable: true,
        get: live(this.limits.maxCostUsd, () => ownUsd, (s) => s.costUsd, perRun?.maxCostUsd),
      });
    }
    if (this.limits.maxTokens !== undefined || perRun?.maxTokens !== undefined) {
      Object.defineProperty(limits, 'maxTokens', {
        enumerable: true,
        get: live(this.limits.maxTokens, () => ownTokens, (s) => s.tokens, perRun?.maxTokens),
      });
    }
    return {
      limits,
      record: (call) => {
        if (!marked) {
          // The item's run id is written before the run's first call.
          const runId = this.db.prepare('SELECT run_id FROM feed_items WHERE id = ?').pluck().get(itemId) as string | null | undefined;
          if (runId) this.spend.markWatcherRun(runId);
          marked = true;
        }
        ownUsd += call.costUsd ?? 0;
        ownTokens += (call.usage?.inputTokens ?? 0) + (call.usage?.outputTokens ?? 0);
        this.add(call);
      },
    };
  }
}
