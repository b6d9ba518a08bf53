/**
 * A token bucket that may go into debt: a request is admitted once the bucket holds its cost (or
 * is full, for a request larger than the whole bucket), and then takes its full cost even if that
 * leaves the level negative. Debt is what keeps the long-run rate at the limit when single
 * requests are large (a 20k-token prompt against a 30k tokens/minute limit), where a plain
 * bucket would either never admit them or admit them too often.
 */
export class TokenBucket {
  private level: number;
  private updatedAt: number;

  constructor(
    private ratePerMs: number,
    private capacity: number,
    now: number,
  ) {
    this.level = capacity;
    this.updatedAt = now;
  }

  /** The level after refilling up to `now` (may be negative while in debt). */
  current(now: number): number {
    this.refill(now);
    return this.level;
  }

  /** Milliseconds until a request costing `cost` is admitted; 0 when it is admitted now. */
  waitMs(cost: number, now: number): number {
    this.refill(now);
    const needed = Math.min(cost, this.capacity);
    if (this.level >= needed) return 0;
    return Math.ceil((needed - this.level) / this.ratePerMs);
  }

  take(cost: number, now: number): void {
    this.refill(now);
    this.level -= cost;
  }

  /** Gives back `amount` (a refund of an over-reservation), never above capacity. */
  give(amount: number, now: number): void {
    this.refill(now);
    this.level = Math.min(this.capacity, this.level + amount);
  }

  /** Never lets the level exceed what the server says remains. */
  clampTo(remaining: number, now: number): void {
    this.refill(now);
    this.level = Math.min(this.level, remaining);
  }

  /** Sets the level outright (negative is debt): used to make the next slot fall at a chosen time. */
  setLevel(level: number, now: number): void {
    this.refill(now);
    this.level = Math.min(this.capacity, level);
  }

  /** A new rate (the limit changed or was learned); the level carries over, clamped to the new capacity. */
  retune(ratePerMs: number, capacity: number, now: number): void {
    this.refill(now);
    this.ratePerMs = ratePerMs;
    this.capacity = capacity;
    this.level = Math.min(this.level, capacity);
  }

  private refill(now: number): void {
    if (now > this.updatedAt) {
      this.level = Math.min(this.capacity, this.level + (now - this.updatedAt) * this.ratePerMs);
      this.updatedAt = now;
    }
  }
}
