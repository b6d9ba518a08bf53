import { loadQuestion, type QuestionDetail } from '../../archive/forecasts.js';
import { withArchive } from '../archive-access.js';
import { checkFormat } from '../check-format.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';

export interface QuestionsShowOptions {
  db?: string;
  format: string;
}

const pct = (p: number | undefined): string => (p === undefined ? '—' : `${Math.round(p * 100)}%`);

export function renderQuestionMarkdown(q: QuestionDetail): string {
  const out: string[] = [`# ${q.id}: ${q.title}`, '', `- Type: ${q.type}`, `- Thread: ${q.threadId}`, `- Resolve by: ${q.resolveBy ?? '—'}`];
  const r = q.resolution;
  out.push(
    `- Resolution: ${r === null ? 'unresolved' : `${r.outcome === null ? 'void' : r.outcome} (at ${r.at}, recorded ${r.recordedAt})${r.evidence ? ` ${r.evidence}` : ''}${r.note ? ` — ${r.note}` : ''}`}`,
  );
  if (q.resolutionHistory.length > 1) {
    out.push('', '## Resolution history', '', 'Oldest first; the last entry is in force.', '');
    for (const h of q.resolutionHistory) {
      out.push(`- recorded ${h.recordedAt}: ${h.outcome === null ? 'void' : h.outcome} (at ${h.at})${h.evidence ? ` ${h.evidence}` : ''}${h.note ? ` — ${h.note}` : ''}`);
    }
  }
  out.push('', '## Options', '', ...q.options.map((o) => `- \`${o.id}\` ${o.label}`), '', '## Criteria', '', q.criteria, '', '## Forecasts', '');
  if (q.forecasts.length === 0) out.push('none yet');
  else {
    const header = ['MADE', 'RUN', 'FORECASTER', ...q.options.map((o) => o.id)];
    const rows = q.forecasts.map((f) => [f.madeAt.slice(0, 16).replace('T', ' '), f.runId.slice(0, 8), f.forecaster, ...q.options.map((o) => pct(f.probabilities[o.id]))]);
    out.push(`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`));
  }
  return `${out.join('\n')}\n`;
}

/**
 * `assess questions show Q`: a question with its options, criteria, resolve-by, every forecast
 * made on it and its resolution. JSON: `{ id, type, options: [{ id, label }], criteria, resolveBy,
 * forecasts: [{ forecaster, runId, madeAt, probabilities }], resolution }` plus threadId, title and
 * resolutionHistory. An unknown question is exit 2.
 */
export async function questionsShowCommand(id: string, options: QuestionsShowOptions, io: CliIo): Promise<ExitCode> {
  checkFormat(options.format, ['md', 'json']);
  return withArchive(options, io, (db) => {
    const question = loadQuestion(db, id.trim());
    io.stdout.write(options.format === 'json' ? `${JSON.stringify(question, null, 2)}\n` : renderQuestionMarkdown(question));
    return EXIT.ok;
  });
}
