import { writeFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { exportForecasts, type ForecastExport } from '../../archive/forecast-export.js';
import { InputError } from '../../errors/index.js';
import { withArchive } from '../archive-access.js';
import { checkFormat } from '../check-format.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { csvLine } from '../../report/csv-field.js';

export interface ForecastsExportOptions {
  db?: string;
  format: string;
  out?: string;
}

// The quoter is shared with the workspace's /runs.csv (src/report/csv-field.ts).

export const CSV_COLUMNS = [
  'record',
  'question_id',
  'question_type',
  'thread_id',
  'question_title',
  'forecaster',
  'run_id',
  'synthesis_version',
  'made_at',
  'option_id',
  'probability',
  'outcome',
  'resolved_at',
  'recorded_at',
  'evidence_url',
  'note',
] as const;

/**
 * Long format: a `forecast` row per forecast and option (a missing option is probability 0), then a
 * `resolution` row per entry of every resolution history (outcome empty for void). CRLF line ends.
 */
export function renderForecastsCsv(data: ForecastExport): string {
  const questions = new Map(data.questions.map((q) => [q.id, q]));
  const lines: string[] = [csvLine(CSV_COLUMNS)];
  const line = (row: Partial<Record<(typeof CSV_COLUMNS)[number], string | number | null>>) => lines.push(csvLine(CSV_COLUMNS.map((c) => row[c])));
  for (const f of data.forecasts) {
    const q = questions.get(f.questionId);
    const optionIds = q ? q.options.map((o) => o.id) : Object.keys(f.probabilities);
    for (const option of optionIds) {
      line({
        record: 'forecast',
        question_id: f.questionId,
        question_type: q?.type ?? null,
        thread_id: q?.threadId ?? null,
        question_title: q?.title ?? null,
        forecaster: f.forecaster,
        run_id: f.runId,
        synthesis_version: f.synthesisVersion,
        made_at: f.madeAt,
        option_id: option,
        probability: f.probabilities[option] ?? 0,
      });
    }
  }
  for (const r of data.resolutions) {
    const q = questions.get(r.questionId);
    line({
      record: 'resolution',
      question_id: r.questionId,
      question_type: q?.type ?? null,
      thread_id: q?.threadId ?? null,
      question_title: q?.title ?? null,
      outcome: r.outcome ?? 'void',
      resolved_at: r.at,
      recorded_at: r.recordedAt,
      evidence_url: r.evidence,
      note: r.note,
    });
  }
  return lines.join('');
}

/** `assess forecasts export [--format csv|json] [--out FILE]`: every forecast and resolution row. */
export async function forecastsExportCommand(options: ForecastsExportOptions, io: CliIo): Promise<ExitCode> {
  checkFormat(options.format, ['csv', 'json']);
  const data = await withArchive(options, io, (db) => exportForecasts(db));
  const text = options.format === 'json' ? `${JSON.stringify(data, null, 2)}\n` : renderForecastsCsv(data);
  if (options.out) {
    const path = isAbsolute(options.out) ? options.out : resolve(io.cwd, options.out);
    await writeFile(path, text).catch((error: NodeJS.ErrnoException) => {
      throw new InputError(`${options.out}: cannot write (${error.code ?? 'error'})`);
    });
    io.stderr.write(`wrote ${options.out} (${data.forecasts.length} forecasts, ${data.resolutions.length} resolutions)\n`);
  } else {
    io.stdout.write(text);
  }
  return EXIT.ok;
}
