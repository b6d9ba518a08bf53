import type { Database } from 'better-sqlite3';
import { runsInFlight, type RunInFlight } from '../archive/runs-in-flight.js';
import { WatcherSpend, describeSpend, reachedLimit, utcDay } from './daily-budget.js';
import { MAX_ITEM_ATTEMPTS } from './item-attempts.js';
import type { DailyBudgetLimits, WatchConfig } from './types.js';
import { failedItems, feedRows, queueCounts, recentDecisions, retryingItems, runningItems, type ItemAttention, type QueueCounts, type RecentItem } from './watch-store.js';

/**
 * The watcher's status as `assess feeds status` assembles it (same read models, same fields), for
 * the workspace's `/feeds`: per feed health and counters, the queue, items retrying and failed,
 * items being assessed with their runs' desk progress, today's spend, recent decisions. The feeds
 * file is optional: without it, what the archive knows (feeds it has polled; spend without limits).
 */
export interface FeedStatus {
  name: string;
  url: string | null;
  /** null without a feeds file. */
  configured: boolean | null;
  lastPollAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  consecutiveFailures: number;
  nextPollAt: string | null;
  itemsSeen: number;
  itemsAssessed: number;
  itemsSkipped: number;
  warning: string | null;
}

export interface WatchStatus {
  feeds: FeedStatus[];
  queue: QueueCounts;
  /** Items being assessed, each with its run's desk progress when the run is in flight. */
  inFlight: { id: number; feed: string; title: string; runId: string | null; since: string; progress: RunInFlight | null }[];
  /** Every run in flight (watcher's, `assess run`'s, the workspace's), with desk progress. */
  runs: RunInFlight[];
  maxAttempts: number;
  retrying: ItemAttention[];
  failed: ItemAttention[];
  budget: BudgetStatus;
  recent: RecentItem[];
}

/** Today's watcher spend (UTC day) against the feeds file's daily limits, with its one-line summary. */
export interface BudgetStatus {
  day: string;
  maxCostPerDay: number | null;
  maxTokensPerDay: number | null;
  /** Unknown prices are unknown, not zero: null when no call had a price; a lower bound when some had none. */
  spentUsd: number | null;
  spentTokens: number;
  calls: number;
  unpricedCalls: number;
  reached: string | null;
  text: string;
}

export function budgetStatus(db: Database, limits: DailyBudgetLimits, now: Date): BudgetStatus {
  const spend = new WatcherSpend(db).on(utcDay(now));
  return {
    day: spend.day,
    maxCostPerDay: limits.maxCostUsd ?? null,
    maxTokensPerDay: limits.maxTokens ?? null,
    spentUsd: spend.unpricedCalls > 0 && spend.costUsd === 0 ? null : Math.round(spend.costUsd * 1e6) / 1e6,
    spentTokens: spend.tokens,
    calls: spend.calls,
    unpricedCalls: spend.unpricedCalls,
    reached: reachedLimit(spend, limits),
    text: describeSpend(spend, limits),
  };
}

/**
 * Each feed the archive or the feeds file knows, as `feeds status` and `/feeds` show it: health
 * and counters from the archive, `configured` only when a feeds file was read.
 */
export function feedStatuses(db: Database, config: WatchConfig | undefined): FeedStatus[] {
  const rows = new Map(feedRows(db).map((r) => [r.name, r]));
  const names = [...new Set([...(config?.feeds.map((f) => f.name) ?? []), ...rows.keys()])];
  return names.map((name) => {
    const r = rows.get(name);
    return {
      name,
      url: r?.url ?? config?.feeds.find((f) => f.name === name)?.url ?? null,
      configured: config ? config.feeds.some((f) => f.name === name) : null,
      lastPollAt: r?.last_poll_at ?? null,
      lastStatus: r?.last_status ?? null,
      lastError: r?.last_error ?? null,
      consecutiveFailures: r?.consecutive_failures ?? 0,
      nextPollAt: r?.next_poll_at ?? null,
      itemsSeen: r?.items_seen ?? 0,
      itemsAssessed: r?.items_assessed ?? 0,
      itemsSkipped: r?.items_skipped ?? 0,
      // The last poll read the feed although it was not well-formed: what was recovered, and why.
      warning: r?.parse_warning ?? null,
    };
  });
}

export function watchStatus(db: Database, now: Date, options: { config?: WatchConfig; recent?: number } = {}): WatchStatus {
  const config = options.config;
  const runs = runsInFlight(db);
  return {
    feeds: feedStatuses(db, config),
    queue: queueCounts(db, now.toISOString()),
    inFlight: runningItems(db).map((item) => ({ ...item, progress: runs.find((r) => r.runId === item.runId) ?? null })),
    runs,
    maxAttempts: MAX_ITEM_ATTEMPTS,
    retrying: retryingItems(db),
    failed: failedItems(db),
    budget: budgetStatus(db, config?.budget ?? {}, now),
    recent: recentDecisions(db, options.recent ?? 10),
  };
}
