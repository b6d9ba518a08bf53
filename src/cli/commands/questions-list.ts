import { listQuestions, type QuestionSummary } from '../../archive/forecasts.js';
import { resolveThreadId } from '../../archive/resolve-thread-id.js';
import { withArchive } from '../archive-access.js';
import { checkFormat } from '../check-format.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { shortTitle, textTable } from '../text-table.js';

export interface QuestionsListOptions {
  db?: string;
  due?: boolean;
  thread?: string;
  format: string;
}

function resolutionText(q: QuestionSummary): string {
  if (q.resolution === null) return '—';
  return q.resolution.outcome === null ? 'void' : q.resolution.outcome;
}

export function renderQuestionList(questions: QuestionSummary[]): string {
  const header = ['QUESTION', 'TYPE', 'RESOLVE BY', 'RUNS', 'RESOLVED', 'TITLE'];
  const rows = questions.map((q) => [q.id, q.type, q.resolveBy ?? '—', String(q.runs), resolutionText(q), shortTitle(q.title)]);
  return textTable(header, rows);
}

/**
 * `assess questions list [--due] [--thread ID]`: forecast questions, soonest resolve-by first
 * (JSON: `{ id, type, threadId, title, resolveBy, options, runs, lastForecastAt, resolution }`).
 */
export async function questionsListCommand(options: QuestionsListOptions, io: CliIo): Promise<ExitCode> {
  checkFormat(options.format, ['md', 'json']);
  const questions = await withArchive(options, io, (db) => {
    const threadId = options.thread === undefined ? undefined : resolveThreadId(db, options.thread).id;
    return listQuestions(db, { due: options.due ?? false, ...(threadId !== undefined ? { threadId } : {}), now: new Date() });
  });
  if (options.format === 'json') io.stdout.write(`${JSON.stringify(questions, null, 2)}\n`);
  else if (questions.length === 0) io.stderr.write(options.due ? 'no questions due (resolve-by passed and unresolved)\n' : 'no questions yet\n');
  else io.stdout.write(renderQuestionList(questions));
  return EXIT.ok;
}
