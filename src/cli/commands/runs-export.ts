import { writeFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { loadTrackRecords } from '../../archive/forecast-scores.js';
import { loadRun } from '../../archive/load-run.js';
import { resolveRunId } from '../../archive/resolve-run-id.js';
import { loadRunReviews } from '../../archive/reviews.js';
import { InputError } from '../../errors/index.js';
import { renderRunHtml } from '../../report/html.js';
import { renderRunJson } from '../../report/json.js';
import { renderRunMarkdown } from '../../report/markdown.js';
import { withArchive } from '../archive-access.js';
import { checkFormat } from '../check-format.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';

/** `assess runs export <id> --format md|json|html [--out FILE]`. */
export async function runsExportCommand(id: string, options: { db?: string; format: string; out?: string }, io: CliIo): Promise<ExitCode> {
  checkFormat(options.format, ['md', 'json', 'html']);
  const text = await withArchive(options, io, (db) => {
    const runId = resolveRunId(db, id);
    const { result } = loadRun(db, runId);
    const reviews = loadRunReviews(db, runId);
    if (options.format === 'json') return renderRunJson(result, reviews);
    const report = { trackRecords: loadTrackRecords(db), reviews };
    return options.format === 'html' ? renderRunHtml(result, report) : renderRunMarkdown(result, report);
  });
  if (options.out) {
    const path = isAbsolute(options.out) ? options.out : resolve(io.cwd, options.out);
    await writeFile(path, text).catch((error: NodeJS.ErrnoException) => {
      throw new InputError(`${options.out}: cannot write (${error.code ?? 'error'})`);
    });
    io.stderr.write(`wrote ${options.out}\n`);
  } else {
    io.stdout.write(text);
  }
  return EXIT.ok;
}

