import { loadRun } from '../../archive/load-run.js';
import { resolveRunId } from '../../archive/resolve-run-id.js';
import { diffDesksWithinRun, diffRuns } from '../../compare/diff-runs.js';
import { InputError } from '../../errors/index.js';
import { renderAssessmentDiffMarkdown, renderRunDiffMarkdown } from '../../report/diff-markdown.js';
import { withArchive } from '../archive-access.js';
import { checkFormat } from '../check-format.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';

/** `assess runs diff A B`, or `assess runs diff A --agents JP-01,CN-01` for two desks of one run. */
export async function runsDiffCommand(
  a: string,
  b: string | undefined,
  options: { db?: string; agents?: string; format: string },
  io: CliIo,
): Promise<ExitCode> {
  checkFormat(options.format, ['md', 'json']);
  return withArchive(options, io, (db) => {
    const runA = loadRun(db, resolveRunId(db, a)).result;
    if (options.agents !== undefined) {
      if (b !== undefined) throw new InputError('give either two runs, or one run with --agents A,B');
      const desks = options.agents.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
      if (desks.length !== 2) throw new InputError(`--agents ${options.agents}: expected exactly two desks, e.g. JP-01,CN-01`);
      const diff = diffDesksWithinRun(runA, desks[0]!, desks[1]!);
      io.stdout.write(options.format === 'json' ? `${JSON.stringify(diff, null, 2)}\n` : renderAssessmentDiffMarkdown(diff, { a: desks[0]!, b: desks[1]! }));
      return EXIT.ok;
    }
    if (b === undefined) throw new InputError('runs diff needs two run ids, or one run with --agents A,B');
    const runB = loadRun(db, resolveRunId(db, b)).result;
    const diff = diffRuns(runA, runB);
    io.stdout.write(
      options.format === 'json'
        ? `${JSON.stringify(diff, null, 2)}\n`
        : renderRunDiffMarkdown(diff, { a: runA.runId.slice(0, 8), b: runB.runId.slice(0, 8) }),
    );
    return EXIT.ok;
  });
}
