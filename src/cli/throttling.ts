import type { RateLimiters } from '../llm/rate-limiters.js';

/**
 * One line per provider+model whose calls were slowed by rate limits, for stderr after a run:
 * people should know a run was slow because of the provider's limits, not the desks.
 */
export function describeThrottling(limiters: RateLimiters | undefined): string[] {
  if (!limiters) return [];
  return limiters
    .stats()
    .filter(({ stats }) => stats.delayed > 0 || stats.rateLimited > 0)
    .map(({ provider, model, stats }) => {
      const limit = stats.effectiveRpm !== null ? `; pacing at ${Math.round(stats.effectiveRpm)} requests/min` : '';
      const rejected = stats.rateLimited > 0 ? `; ${stats.rateLimited} call(s) answered 429` : '';
      return `rate limits: ${provider}/${model}: ${stats.delayed} of ${stats.granted} call(s) waited ${(stats.waitedMs / 1000).toFixed(1)}s in total${limit}${rejected}`;
    });
}
