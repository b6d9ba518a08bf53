import type { Database } from 'better-sqlite3';
import type { AgentDefinition } from '../agents/definition.js';
import { ArchiveUnavailableError } from '../archive/errors.js';
import { displayStatus } from '../archive/liveness.js';
import { assessItem, type AssessDeps, type AssessOutcome } from './assess-item.js';
import { DailyBudget, type DaySpend } from './daily-budget.js';
import { pollFeed, type PollResult, type Triage } from './poll-feed.js';
import type { DailyBudgetLimits, HttpOptions, WatchConfig } from './types.js';
import { redactSecrets } from '../errors/index.js';
import {
  claimNextItem,
  ensureFeeds,
  feedRows,
  nextRetryAt,
  queuedCount,
  recordFailedAttempt,
  requeueItem,
  runningItems,
  type AttemptResult,
} from './watch-store.js';

export type WatchEvent =
  | { type: 'poll'; result: PollResult }
  | { type: 'item-started'; itemId: number; title: string; agents: string[] }
  | { type: 'item-finished'; title: string; outcome: AssessOutcome }
  /** Assessing the item threw (not a run outcome): `attempt` says where the item stands now. */
  | { type: 'item-error'; itemId: number; title: string; error: string; attempt: AttemptResult | null }
  /**
   * Items a dead watcher process left `running`, back in the queue (their runs are continued);
   * each such interruption counts as an attempt, and `failed` of them had no attempt left.
   */
  | { type: 'requeued-after-crash'; count: number; failed: number }
  /**
   * The daily budget is used up: queued items stay queued until the UTC day rolls over. Emitted
   * once per UTC day, when the first item is held back; `message` is the line to log.
   */
  | { type: 'budget-reached'; day: string; spend: DaySpend; limits: DailyBudgetLimits; deferred: number; message: string };

export interface WatcherDeps {
  db: Database;
  config: WatchConfig;
  desks: AgentDefinition[];
  http: Omit<HttpOptions, 'signal'>;
  assess: Pick<AssessDeps, 'models' | 'prompts' | 'runOptions' | 'onEvent' | 'threadFor' | 'onThreadNote'>;
  /** Stories assessed at once. */
  concurrency: number;
  now?: () => Date;
  triage?: Triage | undefined;
  /** The event size cap (`--max-event-chars`); the default cap otherwise. */
  maxEventChars?: number | undefined;
  onEvent?: (event: WatchEvent) => void;
}

/** Longest nap between checks, so a feed added to the schedule is never starved by a far-off timer. */
const MAX_SLEEP_MS = 60_000;

/**
 * The watch loop: polls feeds when due, queues new stories in the archive, and assesses them
 * oldest first with bounded concurrency. Polling and assessing are decoupled by the persistent
 * queue, so when the models are slower than the feeds items wait and are never dropped.
 */
export class Watcher {
  private readonly now: () => Date;
  /** Stops polling and article fetches at once on shutdown. */
  private readonly pollAbort = new AbortController();
  /** Cuts runs in flight short when the grace period is over. */
  private readonly runAbort = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;
  private wakeUp: (() => void) | undefined;
  private sleepTimer: NodeJS.Timeout | undefined;
  /** Serialises the dedupe-then-insert of items whose handling awaits (article fetch, triage). */
  private itemLock: Promise<unknown> = Promise.resolve();
  /**
   * Set by `once()`: items waiting for a retry are tried anyway, unless already tried since this
   * instant (a cron job's schedule spaces the attempts; one invocation tries an item once).
   */
  private onceStartedAt: string | undefined;
  /** Set when the archive itself fails: nothing more can be recorded, so the watcher stops. */
  fatal: Error | undefined;
  /** The feeds file's `budget:`, per UTC day over all the watcher's runs. */
  private readonly budget: DailyBudget | undefined;
  /** The UTC day whose budget-reached line was emitted (once a day, not once per item or poll). */
  private budgetReportedDay: string | undefined;

  constructor(private readonly deps: WatcherDeps) {
    this.now = deps.now ?? (() => new Date());
    ensureFeeds(deps.db, deps.config.feeds);
    this.budget = deps.config.budget ? new DailyBudget(deps.db, deps.config.budget, this.now) : undefined;
  }

  private emit(event: WatchEvent): void {
    this.deps.onEvent?.(event);
  }

  /**
   * After a crash: stories left `running` by a process that is gone go back to the queue with
   * their run id, so their runs are resumed rather than repeated; due at once, but counted as an
   * attempt, so a story that kills the watcher every time ends `failed` instead of killing it
   * forever. Another live watcher's work is left alone.
   */
  recoverInterrupted(): number {
    const status = this.deps.db.prepare('SELECT status, pid, host FROM runs WHERE id = ?');
    let count = 0;
    let failed = 0;
    for (const item of runningItems(this.deps.db)) {
      const run = item.runId ? (status.get(item.runId) as { status: string; pid: number | null; host: string | null } | undefined) : undefined;
      if (run && displayStatus(run.status, run.pid, run.host) === 'running') continue;
      const result = recordFailedAttempt(this.deps.db, item.id, {
        at: this.now(),
        reason: 'interrupted: the watcher process assessing it ended (crash or kill)',
        retryNow: true,
      });
      if (result.status === 'failed') failed++;
      count++;
    }
    if (count > 0) this.emit({ type: 'requeued-after-crash', count, failed });
    return count;
  }

  /** Polls the given feeds (all due ones by default) concurrently; one feed's failure never touches another. */
  async poll(onlyDue = true): Promise<PollResult[]> {
    const now = this.now();
    const rows = new Map(feedRows(this.deps.db).map((r) => [r.name, r]));
    const due = this.deps.config.feeds.filter((f) => {
      const next = rows.get(f.name)?.next_poll_at;
      return !onlyDue || next === null || next === undefined || Date.parse(next) <= now.getTime();
    });
    const results = await Promise.all(
      due.map(async (feed) => {
        try {
          return await pollFeed(
            {
              db: this.deps.db,
              desks: this.deps.desks,
              http: { ...this.deps.http, signal: this.pollAbort.signal },
              now: this.now,
              triage: this.deps.triage,
              maxEventChars: this.deps.maxEventChars,
              exclusive: (work) => this.exclusive(work),
            },
            feed,
          );
        } catch (error) {
          // pollFeed records a feed's own failures; this is the archive itself failing.
          const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
          return { feed: feed.name, ok: false, notModified: false, error: message, queued: 0, skipped: 0, duplicates: 0, nextPollAt: '' };
        }
      }),
    );
    for (const result of results) this.emit({ type: 'poll', result });
    return results;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.itemLock.then(work, work);
    this.itemLock = result.catch(() => undefined);
    return result;
  }

  /**
   * True when today's budget is used up and items are waiting: they stay queued (not failed, not
   * done) and start once the UTC day rolls over. Says so once a day.
   */
  private budgetHoldsBack(budget: DailyBudget): boolean {
    const waiting = queuedCount(this.deps.db);
    if (waiting === 0) return false;
    const reached = budget.reached();
    if (!reached) return false;
    if (this.budgetReportedDay !== reached.spend.day) {
      this.budgetReportedDay = reached.spend.day;
      this.emit({
        type: 'budget-reached',
        day: reached.spend.day,
        spend: reached.spend,
        limits: budget.limits,
        deferred: waiting,
        message: `daily budget reached: ${reached.limit}; ${waiting} item(s) deferred until 00:00 UTC`,
      });
    }
    return true;
  }

  /** Starts assessing queued stories until `concurrency` are in flight or the queue is empty. */
  private fillWorkers(): void {
    while (!this.stopping && this.inFlight.size < this.deps.concurrency) {
      if (this.budget && this.budgetHoldsBack(this.budget)) return;
      const item = claimNextItem(this.deps.db, this.now().toISOString(), this.onceStartedAt ? { triedBefore: this.onceStartedAt } : {});
      if (!item) return;
      this.emit({ type: 'item-started', itemId: item.id, title: item.event.title, agents: item.route.agents });
      const assess = this.deps.assess;
      // With a daily budget, the run's limits follow the day's total over every run in flight.
      const runBudget = this.budget?.forRun(item.id, assess.runOptions.budget);
      const work = assessItem(
        {
          ...assess,
          ...(runBudget
            ? {
                runOptions: { ...assess.runOptions, budget: runBudget.limits },
                // assessItem hands each event to the archive recorder first, then here.
                onEvent: (event) => {
                  if (event.type === 'call') runBudget.record(event.record);
                  assess.onEvent?.(event);
                },
              }
            : {}),
          db: this.deps.db,
          desks: this.deps.desks,
          signal: this.runAbort.signal,
          now: this.now,
          dailyBudgetReached: () => (this.budget?.reached() ?? null) !== null,
        },
        item,
      )
        .then((outcome) => this.emit({ type: 'item-finished', title: item.event.title, outcome }))
        .catch((error: unknown) => {
          const message = redactSecrets(error instanceof Error ? error.message.split('\n')[0]! : String(error), assess.models.secrets);
          let attempt: AttemptResult | null = null;
          try {
            if (error instanceof ArchiveUnavailableError) {
              // Not the item's fault and not lost: back in the queue for the next start.
              requeueItem(this.deps.db, item.id, this.now().toISOString());
            } else {
              // Anything else counts as an attempt, so an item that keeps throwing ends failed, not in a loop.
              attempt = recordFailedAttempt(this.deps.db, item.id, { at: this.now(), reason: `error: ${message}` });
            }
          } catch {
            // The archive cannot even take that; the item stays `running` and is recovered at the next start.
          }
          this.emit({ type: 'item-error', itemId: item.id, title: item.event.title, error: message, attempt });
          if (error instanceof ArchiveUnavailableError) {
            // Every further run would fail the same way: stop instead of calling the models in a loop.
            this.fatal = error;
            this.abortNow();
          }
        })
        .finally(() => {
          this.inFlight.delete(work);
          this.wake();
        });
      this.inFlight.add(work);
    }
  }

  private wake(): void {
    if (this.sleepTimer) clearTimeout(this.sleepTimer);
    this.sleepTimer = undefined;
    const wake = this.wakeUp;
    this.wakeUp = undefined;
    wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeUp = resolve;
      this.sleepTimer = setTimeout(() => this.wake(), ms);
    });
  }

  /** Until the next feed is due for a poll or the next retry is due, whichever comes first (at most MAX_SLEEP_MS). */
  private msUntilNextWork(): number {
    const at = this.now();
    const now = at.getTime();
    const next = feedRows(this.deps.db)
      .filter((r) => this.deps.config.feeds.some((f) => f.name === r.name))
      .map((r) => (r.next_poll_at ? Date.parse(r.next_poll_at) : now));
    // Only retries still in the future: a due item that was not claimed waits for a free worker
    // (which wakes the loop when it finishes) or for the daily budget, not for a busy loop.
    const retry = nextRetryAt(this.deps.db, at.toISOString());
    if (retry !== undefined) next.push(Date.parse(retry));
    const soonest = next.length > 0 ? Math.min(...next) : now + MAX_SLEEP_MS;
    return Math.max(0, Math.min(MAX_SLEEP_MS, soonest - now));
  }

  /**
   * `--once`: poll every feed now, assess everything queued, and return when nothing is left to
   * try. Items waiting for a retry are tried too (the cron schedule is their backoff), each at most
   * once per call: an item that fails again waits for the next invocation.
   */
  async once(): Promise<void> {
    this.onceStartedAt = this.now().toISOString();
    this.recoverInterrupted();
    await this.poll(false);
    for (;;) {
      this.fillWorkers();
      if (this.inFlight.size === 0) return;
      await Promise.race(this.inFlight);
    }
  }

  /** The long-running loop; resolves after `stop()` once in-flight runs have finished or been cut short. */
  async run(): Promise<void> {
    this.recoverInterrupted();
    while (!this.stopping) {
      await this.poll(true);
      if (this.stopping) break;
      this.fillWorkers();
      await this.sleep(this.msUntilNextWork());
    }
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Graceful stop: no more polls or new runs; runs in flight get `graceMs` to finish, then are cut
   * short (their items stay queued with their run ids, to be resumed at the next start).
   */
  async stop(graceMs: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.pollAbort.abort();
    this.wake();
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const finished = await Promise.race([Promise.allSettled([...this.inFlight]).then(() => 'done' as const), graceOver]);
    if (timer) clearTimeout(timer);
    if (finished === 'timeout') {
      this.runAbort.abort();
      await Promise.allSettled([...this.inFlight]);
    }
  }

  /** Cuts everything short now (a second signal). */
  abortNow(): void {
    this.stopping = true;
    this.pollAbort.abort();
    this.runAbort.abort();
    this.wake();
  }

  get runsInFlight(): number {
    return this.inFlight.size;
  }
}
