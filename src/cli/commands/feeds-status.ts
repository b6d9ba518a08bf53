import { MAX_ITEM_ATTEMPTS } from '../../feeds/item-attempts.js';
import { budgetStatus, feedStatuses, type BudgetStatus } from '../../feeds/watch-status.js';
import { failedItems, queueCounts, recentDecisions, retryingItems, runningItems, type ItemAttention } from '../../feeds/watch-store.js';
import { withArchive } from '../archive-access.js';
import { optionalFeedsFile } from '../feeds-file.js';
import { checkFormat } from '../check-format.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';

export interface FeedsStatusOptions {
  db?: string;
  config?: string;
  format: string;
  recent?: string;
}

const when = (iso: string | null): string => (iso ? iso.slice(0, 16).replace('T', ' ') : '—');

/** Items listed one per line in the text output; `--format json` lists them all. */
const MAX_LISTED = 20;

/** `#12 "Title" (economy) — 2 attempts, next 10:45: run failed: …` */
function attentionLine(item: ItemAttention): string {
  const attempts = `${item.attempts} attempt${item.attempts === 1 ? '' : 's'}`;
  const next = item.status === 'queued' && item.nextAttemptAt ? `, next ${when(item.nextAttemptAt)}` : '';
  return `  #${item.id} "${item.title}" (${item.feed}) — ${attempts}${next}: ${item.lastError ?? 'no reason recorded'}`;
}

function listed(items: ItemAttention[]): string[] {
  const lines = items.slice(0, MAX_LISTED).map(attentionLine);
  if (items.length > MAX_LISTED) lines.push(`  … and ${items.length - MAX_LISTED} more (--format json lists them all)`);
  return lines;
}

/** The budget as `--format json` shows it: the figures; the text line is the text output's. */
function budgetFigures({ text: _text, ...figures }: BudgetStatus): Omit<BudgetStatus, 'text'> {
  return figures;
}

/** `assess feeds status`: per feed health and counters, the queue, runs in flight, recent routing. */
export async function feedsStatusCommand(options: FeedsStatusOptions, io: CliIo): Promise<ExitCode> {
  checkFormat(options.format, ['text', 'json']);
  const recent = options.recent === undefined ? 10 : Number(options.recent);
  // The config is optional here: without it, status shows what the archive knows.
  const config = await optionalFeedsFile(options.config, io.cwd);

  const { budgetText, ...status } = await withArchive(options, io, (db) => {
    // The same figures /feeds shows; the text goes on the text output's budget line only.
    const budget = config?.budget ? budgetStatus(db, config.budget, new Date()) : null;
    return {
      feeds: feedStatuses(db, config),
      queue: queueCounts(db, new Date().toISOString()),
      inFlight: runningItems(db),
      maxAttempts: MAX_ITEM_ATTEMPTS,
      retrying: retryingItems(db),
      failed: failedItems(db),
      budget: budget === null ? null : budgetFigures(budget),
      budgetText: budget?.text ?? '',
      recent: recentDecisions(db, Number.isInteger(recent) && recent > 0 ? recent : 10),
    };
  });

  if (options.format === 'json') {
    io.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    return EXIT.ok;
  }
  const out: string[] = [];
  for (const f of status.feeds) {
    out.push(`${f.name}${f.configured === false ? ' (no longer configured)' : ''}  ${f.url ?? ''}`);
    out.push(
      `  last poll ${when(f.lastPollAt)}  HTTP ${f.lastStatus ?? '—'}  next ${when(f.nextPollAt)}  seen ${f.itemsSeen} · assessed ${f.itemsAssessed} · skipped ${f.itemsSkipped}`,
    );
    if (f.warning) out.push(`  warning: ${f.warning}`);
    if (f.lastError) out.push(`  error: ${f.lastError}${f.consecutiveFailures > 1 ? ` (${f.consecutiveFailures} failures in a row)` : ''}`);
  }
  const q = status.queue;
  out.push(
    '',
    `queue: ${q.queued} waiting · ${q.retrying} waiting to retry · ${q.running} running · ${q.done} done · ${q.skipped} skipped · ${q.failed} failed`,
  );
  for (const item of status.inFlight) out.push(`  running: "${item.title}" (${item.feed}, run ${item.runId?.slice(0, 8) ?? '—'}, since ${when(item.since)})`);
  if (status.retrying.length > 0) {
    out.push(`to retry (each item gets ${status.maxAttempts} attempts, then fails):`, ...listed(status.retrying));
  }
  if (status.failed.length > 0) {
    out.push('failed (`assess feeds retry <id>` or `assess feeds retry --all-failed` puts them back in the queue):', ...listed(status.failed));
  }
  if (status.budget) {
    const b = status.budget;
    const held = b.reached ? ` — reached; queued items wait until 00:00 UTC` : '';
    out.push(`budget today (${b.day} UTC): ${budgetText}${held}`);
  }
  if (status.recent.length > 0) {
    out.push('', 'recent items:');
    for (const d of status.recent) {
      const routing =
        d.status === 'skipped'
          ? `skipped: ${d.skipReason}`
          : d.status === 'failed'
            ? `failed after ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}: ${d.lastError ?? 'no reason recorded'}`
            : `${d.route?.agents.join(', ')} (${d.route?.method}: ${d.route?.reason})`;
      out.push(`  [${d.status}] ${d.title} — ${routing}${d.sources > 1 ? ` · ${d.sources} sources` : ''}`);
    }
  }
  io.stdout.write(`${out.join('\n')}\n`);
  return EXIT.ok;
}
