import type { Database } from 'better-sqlite3';
import type { AgentDefinition } from '../agents/definition.js';
import { ArchiveUnavailableError } from '../archive/errors.js';
import { openArchive } from '../archive/open-archive.js';
import type { Models } from '../config/build-models.js';
import type { AssessConfig } from '../config/resolve-config.js';
import { InputError } from '../errors/index.js';
import { pricedModelName } from '../llm/langchain-spec.js';
import { modelsWithoutPrice } from '../llm/pricing.js';
import type { RunResult } from '../pipeline/run-event.js';
import { EXIT, type ExitCode } from './exit-codes.js';

/** What `assess run` checks and opens once, whether it runs one event or many. */

export function exitCodeFor(run: Pick<RunResult, 'status'>): ExitCode {
  if (run.status === 'ok') return EXIT.ok;
  if (run.status === 'degraded') return EXIT.degraded;
  if (run.status === 'cancelled') return EXIT.cancelled;
  return EXIT.failed;
}

/**
 * A cost budget cannot be kept on a model whose price is unknown: say so rather than count it as
 * free. LangChain models are priced by the model after their integration prefix
 * (openai:gpt-4.1-mini as gpt-4.1-mini).
 */
export function checkCostBudgetPrices(config: Pick<AssessConfig, 'maxCostUsd'>, agents: AgentDefinition[], models: Models): void {
  if (config.maxCostUsd === undefined) return;
  const unpriced = modelsWithoutPrice([...agents.map((a) => models.forAgent(a)), models.synthesis].map((m) => pricedModelName(m.provider, m.model)), models.prices);
  if (unpriced.length > 0) {
    throw new InputError(`--max-cost needs known prices; no price for ${unpriced.join(', ')} (add it to a --prices file, or use --max-tokens instead)`);
  }
}

/**
 * Opens the archive for writing. Not an assess database, or a newer one: InputError (exit 2,
 * nothing run). Unusable (read-only, disk full): the runs go on unarchived and the caller
 * reports the failure after the report.
 */
export function openForWriting(path: string): { db: Database | null; failure: ArchiveUnavailableError | null } {
  try {
    return { db: openArchive(path), failure: null };
  } catch (error) {
    if (error instanceof ArchiveUnavailableError) return { db: null, failure: error };
    throw error;
  }
}

/** Events assessed at once by a batch unless `--runs` says otherwise (as `watch`). */
export const DEFAULT_BATCH_RUNS = 2;

/** `--runs`: 1 to 32 (validated for a single event too, where it changes nothing). */
export function parseRuns(value: string | undefined): number {
  if (value === undefined) return DEFAULT_BATCH_RUNS;
  const runs = Number(value);
  if (!/^\d+$/.test(value.trim()) || runs < 1 || runs > 32) {
    throw new InputError(`--runs ${value}: expected a whole number from 1 to 32`);
  }
  return runs;
}
