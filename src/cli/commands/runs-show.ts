import { loadTrackRecords } from '../../archive/forecast-scores.js';
import { loadCalls, loadRun } from '../../archive/load-run.js';
import { resolveRunId } from '../../archive/resolve-run-id.js';
import { loadRunReviews } from '../../archive/reviews.js';
import { InputError } from '../../errors/index.js';
import { renderCallLogMarkdown } from '../../report/call-log.js';
import { renderRunJson } from '../../report/json.js';
import { renderAssessmentMarkdown, renderRunMarkdown } from '../../report/markdown.js';
import { withArchive } from '../archive-access.js';
import { checkFormat } from '../check-format.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';

/**
 * `assess runs show <id>`: the report `run` printed (each desk with its track record on the archive's
 * resolved questions), one desk of it, or the call log.
 */
export async function runsShowCommand(
  id: string,
  options: { db?: string; agent?: string; calls?: boolean; format: string },
  io: CliIo,
): Promise<ExitCode> {
  checkFormat(options.format, ['md', 'json']);
  return withArchive(options, io, (db) => {
    const runId = resolveRunId(db, id);
    const { result } = loadRun(db, runId);
    const agent = options.agent?.trim().toUpperCase();
    if (agent && !result.desks.some((d) => d.agentId === agent)) {
      throw new InputError(`run ${runId.slice(0, 8)} has no desk ${options.agent}; its desks: ${result.desks.map((d) => d.agentId).join(', ')}`);
    }
    if (options.calls) {
      const calls = loadCalls(db, runId);
      io.stdout.write(options.format === 'json' ? `${JSON.stringify(agent ? calls.filter((c) => c.agentId === agent) : calls, null, 2)}\n` : renderCallLogMarkdown(calls, agent));
      return EXIT.ok;
    }
    if (agent) {
      const assessment = result.assessments.find((a) => a.agentId === agent);
      const failure = result.failures.find((f) => f.agentId === agent);
      if (options.format === 'json') io.stdout.write(`${JSON.stringify(assessment ?? failure, null, 2)}\n`);
      else io.stdout.write(assessment ? renderAssessmentMarkdown(assessment) : `## ${agent}\n\n_Failed (${failure?.kind}): ${failure?.reason}_\n`);
      return EXIT.ok;
    }
    // Reviews ride along in both formats: `reviews` is always there in JSON (empty when none).
    const reviews = loadRunReviews(db, runId);
    io.stdout.write(options.format === 'json' ? renderRunJson(result, reviews) : renderRunMarkdown(result, { trackRecords: loadTrackRecords(db), reviews }));
    return EXIT.ok;
  });
}

