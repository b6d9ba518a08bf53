import { listQuestions, type QuestionSummary } from '../../archive/forecasts.js';
import { resolveThreadId } from '../../archive/resolve-thread-id.js';
import { withArchive } from '../archive-access.js';
import { checkFormat } from '../check-format.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';

export interface QuestionsListOptions {
  db?: string;
  due?: boolean;
  thread?: string;
  format: string;
}

const shortTitle = (title: string, max = 60): string => (title.length > max ? `${title.slice(0, max - 1)}…` : title);

function resolutionText(q: QuestionSummary): string {
  if (q.resolution === null) return '—';
  return q.resolution.outcome === null ? 'void' : q.resolution.outcome;
}

export function renderQuestionList(questions: QuestionSummary[]): string {
  const header = ['QUESTION', 'TYPE', 'RESOLVE BY', 'RUNS', 'RESOLVED', 'TITLE'];
  const rows = questions.map((q) => [q.id, q.type, q.resolveBy ?? '—', String(q.runs), resolutionText(q), shortTitle(q.title)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cols: string[]) => cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
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
