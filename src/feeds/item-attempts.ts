/**
 * How often a feed item is tried before a person has to look at it, and how long it waits
 * between tries. An attempt is one run of the item that ended without an assessment (no
 * synthesis), or a watcher process that died while assessing it.
 */

/**
 * Attempts before an item becomes `failed`. With the backoff below the sixth attempt comes about
 * 2.5 hours after the first (5 + 10 + 20 + 40 + 80 minutes), which rides out a typical provider
 * outage; an item that still fails then most likely fails for a reason of its own.
 */
export const MAX_ITEM_ATTEMPTS = 6;

/** Wait after the first failed attempt; each further failure doubles it. */
export const FIRST_RETRY_DELAY_MS = 5 * 60_000;

/** No wait is longer than this, however many attempts failed. */
export const MAX_RETRY_DELAY_MS = 6 * 3_600_000;

/**
 * The wait before attempt `failedAttempts + 1`: 5 min, 10 min, 20 min, … capped at 6 h. No jitter:
 * items that failed together in an outage are meant to be retried together once it is over, and
 * the rate limiter paces their calls.
 */
export function retryDelayMs(failedAttempts: number): number {
  const doublings = Math.max(0, failedAttempts - 1);
  return Math.min(MAX_RETRY_DELAY_MS, FIRST_RETRY_DELAY_MS * 2 ** Math.min(doublings, 30));
}
