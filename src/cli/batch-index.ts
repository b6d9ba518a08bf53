import type { RunResult, RunStatus } from '../pipeline/run-event.js';
import { cell, usd } from '../report/format.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { exitCodeFor } from './run-setup.js';

/**
 * What became of each input of a batch, the exit code they add up to, and the index written
 * beside the reports (`--out DIR`: DIR/index.md and DIR/index.json).
 */

/** A run that finished (whatever its status), an input that was not an event, or one never started. */
export type BatchOutcome =
  | { n: number; label: string; kind: 'run'; run: RunResult; deskCount: number; folder?: string; archiveFailure: string | null }
  | { n: number; label: string; kind: 'skipped'; reason: string }
  | { n: number; label: string; kind: 'not-started'; reason: string; cause: 'budget' | 'cancelled' };

/**
 * Exit codes from the least to the most severe: what `assess run` with several events exits with
 * is the worst over its inputs. An interruption outranks everything (the user asked to stop);
 * an archive failure loses data; a failed run, then a bad input that was skipped, then a run
 * that completed degraded (or an event a reached budget left unstarted).
 */
export const EXIT_SEVERITY: readonly ExitCode[] = [EXIT.ok, EXIT.degraded, EXIT.usage, EXIT.failed, EXIT.archive, EXIT.cancelled];

export function worstExitCode(codes: Iterable<ExitCode>): ExitCode {
  let worst: ExitCode = EXIT.ok;
  for (const code of codes) if (EXIT_SEVERITY.indexOf(code) > EXIT_SEVERITY.indexOf(worst)) worst = code;
  return worst;
}

export function outcomeExitCode(outcome: BatchOutcome): ExitCode {
  switch (outcome.kind) {
    case 'run':
      return outcome.archiveFailure !== null ? worstExitCode([EXIT.archive, exitCodeFor(outcome.run)]) : exitCodeFor(outcome.run);
    case 'skipped':
      return EXIT.usage;
    case 'not-started':
      // A budget that stops the batch is what a budget is for: the run it stopped is degraded, so is the batch.
      return outcome.cause === 'budget' ? EXIT.degraded : EXIT.cancelled;
  }
}

/**
 * A folder name for the report of input `n`: the number (zero-padded to sort) and the title in
 * ASCII, or the event id when the title has no Latin letters or digits (Japanese, say).
 */
const SLUG_MAX = 48;

export function reportFolderName(n: number, total: number, title: string, eventId: string): string {
  const number = String(n).padStart(Math.max(2, String(total).length), '0');
  let slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length > SLUG_MAX) {
    // Cut at a word boundary when there is one.
    slug = slug.slice(0, SLUG_MAX);
    const dash = slug.lastIndexOf('-');
    if (dash > 0) slug = slug.slice(0, dash);
  }
  return `${number}-${slug || eventId}`;
}

/** A finished run's status (runEvent never returns `running` or `incomplete`), or what kept an input from running. */
export type IndexStatus = Exclude<RunStatus, 'running' | 'incomplete'> | 'skipped' | 'not-started';

const finishedStatus = (status: RunStatus): IndexStatus => (status === 'running' || status === 'incomplete' ? 'failed' : status);

export interface IndexEntry {
  n: number;
  source: string;
  status: IndexStatus;
  /** Why an input was skipped or not started. */
  reason: string | null;
  runId: string | null;
  eventId: string | null;
  title: string | null;
  desks: { ok: number; failed: number; total: number } | null;
  overallRisk: string | null;
  /** Sum over calls with a known price; null when none had one (or nothing ran). */
  costUsd: number | null;
  /** The report's folder under the output folder. */
  folder: string | null;
}

export interface BatchIndex {
  exitCode: ExitCode;
  counts: Record<IndexStatus, number>;
  /** Across every run, when the batch had a budget. */
  budget: { maxCostUsd?: number; maxTokens?: number; spentUsd: number; spentTokens: number; reached: string | null } | null;
  events: IndexEntry[];
}

export function indexEntry(outcome: BatchOutcome): IndexEntry {
  const base = { n: outcome.n, source: outcome.label };
  if (outcome.kind !== 'run') {
    return {
      ...base,
      status: outcome.kind,
      reason: outcome.reason,
      runId: null,
      eventId: null,
      title: null,
      desks: null,
      overallRisk: null,
      costUsd: null,
      folder: null,
    };
  }
  const { run } = outcome;
  return {
    ...base,
    status: finishedStatus(run.status),
    reason: null,
    runId: run.runId,
    eventId: run.event.id,
    title: run.event.event.title,
    desks: { ok: run.assessments.length, failed: run.failures.length, total: outcome.deskCount },
    overallRisk: run.synthesis?.overallRisk.level ?? null,
    costUsd: run.usage.total.costUsd,
    folder: outcome.folder ?? null,
  };
}

export function buildIndex(outcomes: BatchOutcome[], budget: BatchIndex['budget']): BatchIndex {
  const events = outcomes.map(indexEntry);
  const counts: Record<IndexStatus, number> = { ok: 0, degraded: 0, failed: 0, cancelled: 0, skipped: 0, 'not-started': 0 };
  for (const e of events) counts[e.status]++;
  return { exitCode: worstExitCode(outcomes.map(outcomeExitCode)), counts, budget, events };
}

/** `2 ok, 1 degraded, 1 skipped`: the non-zero counts, in a fixed order. */
export function describeCounts(counts: BatchIndex['counts']): string {
  const order: IndexStatus[] = ['ok', 'degraded', 'failed', 'cancelled', 'skipped', 'not-started'];
  return order
    .filter((status) => counts[status] > 0)
    .map((status) => `${counts[status]} ${status === 'not-started' ? 'not started' : status}`)
    .join(', ');
}

export function renderIndexJson(index: BatchIndex): string {
  return `${JSON.stringify(index, null, 2)}\n`;
}

export function renderIndexMarkdown(index: BatchIndex): string {
  const rows = index.events.map((e) => {
    const report = e.folder ? `[${e.folder}](${encodeURI(e.folder)}/report.md)` : cell(e.reason ?? '');
    return [
      String(e.n),
      cell(e.source),
      e.status === 'not-started' ? 'not started' : e.status,
      e.runId ? e.runId.slice(0, 8) : '',
      cell(e.title ?? ''),
      e.desks ? `${e.desks.ok}/${e.desks.total}${e.desks.failed ? ` (${e.desks.failed} failed)` : ''}` : '',
      e.overallRisk ?? '',
      e.costUsd === null ? (e.runId ? 'unknown' : '') : usd(e.costUsd),
      report,
    ];
  });
  const lines = [
    `# assess: ${index.events.length} input(s)`,
    '',
    `${describeCounts(index.counts)}; exit code ${index.exitCode}.`,
    '',
    '| # | source | status | run | title | desks ok | overall risk | cost | report |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
  ];
  if (index.budget?.reached) lines.push(`Budget: ${index.budget.reached}; nothing new was started after that.`, '');
  return lines.join('\n');
}
