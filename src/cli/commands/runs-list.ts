import { parseFilters, type RawFilters } from '../../archive/filters.js';
import { listRuns, type RunSummary } from '../../archive/list-runs.js';
import { usd } from '../../report/format.js';
import { withArchive } from '../archive-access.js';
import { checkFormat } from '../check-format.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { shortTitle, textTable } from '../text-table.js';


export function renderRunList(runs: RunSummary[]): string {
  return textTable(
    ['RUN', 'STARTED', 'STATUS', 'DESKS OK/FAILED', 'RISK', 'COST', 'EVENT'],
    runs.map((r) => [
      r.runId.slice(0, 8),
      r.startedAt.slice(0, 16).replace('T', ' '),
      r.status,
      `${r.desksOk}/${r.desksFailed}${r.desksOk + r.desksFailed < r.desksRequested ? ` of ${r.desksRequested}` : ''}`,
      r.overallRisk ?? '—',
      r.costUsd === null ? '—' : usd(r.costUsd),
      shortTitle(r.eventTitle),
    ]),
  );
}

/** `assess runs list`: newest first, filtered. */
export async function runsListCommand(options: RawFilters & { db?: string; format: string }, io: CliIo): Promise<ExitCode> {
  checkFormat(options.format, ['text', 'json']);
  const filters = parseFilters(options);
  const runs = await withArchive(options, io, (db) => listRuns(db, filters));
  if (options.format === 'json') io.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
  else if (runs.length === 0) io.stderr.write('no runs match\n');
  else io.stdout.write(renderRunList(runs));
  return EXIT.ok;
}

