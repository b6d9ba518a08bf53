import { mergeThreads } from '../../archive/thread-store.js';
import { withArchive } from '../archive-access.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';

/**
 * `assess threads merge A B`: B's events join A; B's id keeps resolving to A. Archived runs and
 * assessments are untouched: only what later runs of the thread are shown changes.
 */
export async function threadsMergeCommand(into: string, from: string, options: { db?: string }, io: CliIo): Promise<ExitCode> {
  return withArchive(options, io, (db) => {
    const result = mergeThreads(db, into, from, new Date().toISOString());
    for (const note of result.notes) io.stderr.write(`${note}\n`);
    io.stdout.write(`merged ${result.from} into ${result.into}: ${result.moved} event(s) moved\n`);
    return EXIT.ok;
  });
}
