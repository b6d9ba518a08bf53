import type { RememberedLimits } from './rate-limit-memory.js';
import { RateLimiter, type RateLimiterOptions, type RateLimiterStats, type RateLimits } from './rate-limiter.js';
import type { StructuredModel } from './types.js';

/**
 * One rate limiter per provider+model for the whole process: every desk, the synthesizer, triage
 * and every run of a watcher that talk to the same model share its limits, the way the provider
 * counts them.
 */
export class RateLimiters {
  private readonly limiters = new Map<string, { provider: string; model: string; limiter: RateLimiter }>();

  /**
   * `options` (the user's --rpm/--tpm, and the period in tests) apply to every provider+model;
   * `perModel` (keyed `provider:model`) replaces them for one.
   */
  constructor(
    private readonly options: RateLimiterOptions = {},
    private readonly perModel: Record<string, RateLimits> = {},
    /** Limits an earlier run saw advertised for this provider+model (see RateLimitMemory). */
    private readonly recall: (provider: string, model: string) => RememberedLimits | undefined = () => undefined,
  ) {}

  for(provider: string, model: string): RateLimiter {
    const key = `${provider}\u0000${model}`;
    let entry = this.limiters.get(key);
    if (!entry) {
      const remembered = this.recall(provider, model);
      const options = { ...this.options, ...(this.perModel[`${provider}:${model}`] ?? {}), ...(remembered ? { remembered } : {}) };
      entry = { provider, model, limiter: new RateLimiter(options) };
      this.limiters.set(key, entry);
    }
    return entry.limiter;
  }

  /** Every provider+model's advertised limits, to remember for the next run. */
  advertised(): { provider: string; model: string; limits: RememberedLimits }[] {
    return [...this.limiters.values()].map(({ provider, model, limiter }) => ({ provider, model, limits: limiter.advertised() }));
  }

  /** The model with its limiter attached; calls through generateObject wait for it. */
  attach(model: StructuredModel): StructuredModel {
    const limiter = this.for(model.provider, model.model);
    return { provider: model.provider, model: model.model, limiter, complete: (request) => model.complete(request) };
  }

  stats(): { provider: string; model: string; stats: RateLimiterStats }[] {
    return [...this.limiters.values()].map(({ provider, model, limiter }) => ({ provider, model, stats: limiter.stats() }));
  }
}
