import type { Models } from '../config/build-models.js';
import type { RateLimiters } from '../llm/rate-limiters.js';
import type { CliIo } from './io.js';

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

/**
 * Saves the limits the providers advertised during this command for the next run to start from.
 * A failure costs only that head start, so it is one line on stderr, never a failed command.
 */
export async function rememberRateLimits(models: Pick<Models, 'rememberRateLimits'>, io: Pick<CliIo, 'stderr'>): Promise<void> {
  const error = await models.rememberRateLimits?.();
  if (error) io.stderr.write(`assess: could not save the providers' rate limits for the next run: ${error.message}\n`);
}
