import { InputError } from '../../errors/index.js';
import { MAX_ITEM_ATTEMPTS } from '../../feeds/item-attempts.js';
import { failedItems, itemById, requeueFailedItems } from '../../feeds/watch-store.js';
import { withArchive } from '../archive-access.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';

export interface FeedsRetryOptions {
  db?: string;
  allFailed?: boolean;
}

/** `12` or `#12` (as `feeds status` prints it) → 12. */
function parseItemId(text: string): number {
  const match = /^#?(\d{1,15})$/.exec(text.trim());
  if (!match) throw new InputError(`${JSON.stringify(text)} is not a feed item id (a number, as \`assess feeds status\` lists them, e.g. 12)`);
  return Number(match[1]);
}

/**
 * `assess feeds retry <id>… | --all-failed`: failed feed items back in the queue, due at once and
 * with a fresh set of attempts. The next `watch` (a running one within a minute) takes them, and
 * an item whose run exists continues it: only its missing desks and the synthesis are paid for.
 * Every id is checked before anything changes, so a typo requeues nothing.
 */
export async function feedsRetryCommand(ids: string[], options: FeedsRetryOptions, io: CliIo): Promise<ExitCode> {
  if (options.allFailed && ids.length > 0) throw new InputError('give item ids or --all-failed, not both');
  if (!options.allFailed && ids.length === 0) {
    throw new InputError('which items? give their ids (`assess feeds status` lists failed items) or --all-failed');
  }
  const wanted = [...new Set(ids.map(parseItemId))];

  return withArchive(options, io, (db) => {
    let targets: number[];
    if (options.allFailed) {
      targets = failedItems(db).map((i) => i.id);
      if (targets.length === 0) {
        io.stderr.write('no failed feed items; nothing to retry\n');
        return EXIT.ok;
      }
    } else {
      for (const id of wanted) {
        const item = itemById(db, id);
        if (!item) throw new InputError(`no feed item ${id} in this archive`);
        if (item.status !== 'failed') {
          throw new InputError(`feed item ${id} is ${item.status}, not failed; only failed items can be retried`);
        }
      }
      targets = wanted;
    }
    const requeued = requeueFailedItems(db, targets, new Date().toISOString());
    for (const item of requeued) {
      const run = item.runId ? `; run ${item.runId.slice(0, 8)} will be continued` : '';
      io.stdout.write(`requeued #${item.id} "${item.title}" (${item.feed})${run}\n`);
    }
    io.stderr.write(
      `${requeued.length} item(s) back in the queue with ${MAX_ITEM_ATTEMPTS} fresh attempts; the next \`assess watch\` assesses them\n`,
    );
    return EXIT.ok;
  });
}
