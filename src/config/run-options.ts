import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../llm/retry.js';
import type { RunOptions } from '../pipeline/run-event.js';
import type { AssessConfig } from './resolve-config.js';

/** The retry policy every model call of a command uses: the user's retry count, the fixed backoff and cap. */
export function retryPolicyFrom(config: AssessConfig): RetryPolicy {
  return { ...DEFAULT_RETRY_POLICY, maxRetries: config.maxRetries };
}

/** How each run of `run` and `watch` is carried out, from the resolved configuration. */
export function runOptionsFrom(config: AssessConfig): RunOptions {
  const budget = {
    ...(config.maxCostUsd !== undefined ? { maxCostUsd: config.maxCostUsd } : {}),
    ...(config.maxRunTokens !== undefined ? { maxTokens: config.maxRunTokens } : {}),
  };
  return {
    concurrency: config.concurrency,
    timeoutMs: config.timeoutMs,
    runTimeoutMs: config.runTimeoutMs,
    maxRepairs: config.maxRepairs,
    maxOutputTokens: config.maxOutputTokens,
    retry: retryPolicyFrom(config),
    ...(Object.keys(budget).length > 0 ? { budget } : {}),
  };
}
