import { moveEvent } from '../../archive/thread-store.js';
import { InputError } from '../../errors/index.js';
import { withArchive } from '../archive-access.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';

/**
 * `assess threads move EVENT --to THREAD|new`: one event to another thread, or to a thread of its
 * own. Its archived runs keep the thread and memory they had; later runs see the new grouping.
 */
export async function threadsMoveCommand(eventId: string, options: { db?: string; to?: string }, io: CliIo): Promise<ExitCode> {
  if (options.to === undefined || options.to.trim() === '') throw new InputError('where to? give --to THREAD (an id, e.g. th-3f2a9c) or --to new');
  const to = options.to;
  return withArchive(options, io, (db) => {
    const result = moveEvent(db, eventId, to, new Date().toISOString());
    for (const note of result.notes) io.stderr.write(`${note}\n`);
    io.stdout.write(`moved event ${result.eventId} ("${result.title}") from ${result.from} to ${result.created ? 'a new thread ' : ''}${result.to}\n`);
    return EXIT.ok;
  });
}
