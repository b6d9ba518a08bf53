import { parseFilters, type RawFilters } from '../../archive/filters.js';
import { searchArchive } from '../../archive/search.js';
import { InputError } from '../../errors/index.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { withArchive } from '../archive-access.js';

/** `assess search "<text>"`: full-text search over archived events and assessments. */
export async function searchCommand(query: string, options: RawFilters & { db?: string; format: string }, io: CliIo): Promise<ExitCode> {
  if (options.format !== 'text' && options.format !== 'json') throw new InputError(`unknown format ${options.format}; use text or json`);
  const filters = parseFilters(options);
  const hits = await withArchive(options, io, (db) => searchArchive(db, query, filters));
  if (options.format === 'json') {
    io.stdout.write(`${JSON.stringify(hits, null, 2)}\n`);
    return EXIT.ok;
  }
  if (hits.length === 0) {
    io.stderr.write(`no matches for ${JSON.stringify(query)}\n`);
    return EXIT.ok;
  }
  const lines = hits.map(
    (h) =>
      `${h.runId.slice(0, 8)}  ${h.startedAt.slice(0, 10)}  ${(h.agentId ?? 'event').padEnd(6)}  ${h.eventTitle}\n    ${h.snippet}`,
  );
  io.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}
