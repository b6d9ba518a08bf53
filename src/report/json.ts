import type { Review } from '../archive/reviews.js';
import type { RunResult } from '../pipeline/run-event.js';

/**
 * The run as one JSON document for scripts. The event is flattened so `event.id` sits beside its fields.
 * With `reviews` (from the archive: `runs show`, `runs export`, the run page's twin) it carries them
 * as `reviews`, oldest first; without (a run just made, --no-archive) the document is as before.
 */
export function toRunJson(run: RunResult, reviews?: readonly Review[]) {
  return {
    runId: run.runId,
    status: run.status,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    event: { id: run.event.id, ...run.event.event },
    desks: run.desks,
    promptHashes: run.promptHashes,
    assessments: run.assessments,
    failures: run.failures,
    synthesis: run.synthesis,
    synthesisError: run.synthesisError,
    usage: run.usage,
    budget: run.budget ?? null,
    // The thread the event was in when the run started: { id, title, events, link }; null with --no-archive.
    thread: run.thread ?? null,
    ...(reviews ? { reviews } : {}),
  };
}

export function renderRunJson(run: RunResult, reviews?: readonly Review[]): string {
  return `${JSON.stringify(toRunJson(run, reviews), null, 2)}\n`;
}
