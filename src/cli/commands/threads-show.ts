import { loadThreadQuestions } from '../../archive/forecasts.js';
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
 * events oldest first, plus `questions: [{ id, type, title, resolveBy, latest: { forecaster: { option: p } }, resolution }]`).
 */
export async function threadsShowCommand(id: string, options: ThreadsShowOptions, io: CliIo): Promise<ExitCode> {
  checkFormat(options.format, ['md', 'json']);
  return withArchive(options, io, (db) => {
    const view = loadThreadView(db, id);
    if (view.note) io.stderr.write(`${view.note}\n`);
    for (const warning of view.warnings) io.stderr.write(`warning: ${warning}\n`);
    const questions = loadThreadQuestions(db, view.id);
    const json = { ...view, questions: questions.map((q) => ({ id: q.id, type: q.type, title: q.title, resolveBy: q.resolveBy, latest: q.latest, resolution: q.resolution })) };
    io.stdout.write(options.format === 'json' ? `${JSON.stringify(json, null, 2)}\n` : renderThreadMarkdown(view, questions));
    return EXIT.ok;
  });
}
