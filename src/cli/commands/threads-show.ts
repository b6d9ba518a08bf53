import { loadThreadView } from '../../archive/thread-view.js';
import { renderThreadMarkdown } from '../../report/thread-markdown.js';
import { withArchive } from '../archive-access.js';
import { checkFormat } from '../check-format.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';

export interface ThreadsShowOptions {
  db?: string;
  format: string;
}

/**
 * `assess threads show ID`: the thread's events in time order with their runs and link decisions,
 * each desk's stance history and each scenario's pooled probability history (JSON: the ThreadView,
 * events oldest first).
 */
export async function threadsShowCommand(id: string, options: ThreadsShowOptions, io: CliIo): Promise<ExitCode> {
  checkFormat(options.format, ['md', 'json']);
  return withArchive(options, io, (db) => {
    const view = loadThreadView(db, id);
    if (view.note) io.stderr.write(`${view.note}\n`);
    for (const warning of view.warnings) io.stderr.write(`warning: ${warning}\n`);
    io.stdout.write(options.format === 'json' ? `${JSON.stringify(view, null, 2)}\n` : renderThreadMarkdown(view));
    return EXIT.ok;
  });
}
