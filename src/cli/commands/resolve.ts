import { resolveQuestion } from '../../archive/resolve-question.js';
import { InputError } from '../../errors/index.js';
import { withArchive } from '../archive-access.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';

export interface ResolveOptions {
  db?: string;
  outcome?: string;
  void?: boolean;
  evidence?: string;
  note?: string;
  at?: string;
  force?: boolean;
}

/**
 * `assess resolve Q --outcome <option|yes|no> [--evidence URL] [--note TEXT] [--at DATE]` and
 * `assess resolve Q --void --note TEXT`: appends a resolution (history is kept; a correction is a
 * new row). Bad input is exit 2 with one line and no change to the archive.
 */
export async function resolveCommand(id: string, options: ResolveOptions, io: CliIo): Promise<ExitCode> {
  const hasOutcome = options.outcome !== undefined;
  if (hasOutcome && options.void) throw new InputError('give either --outcome or --void, not both');
  if (!hasOutcome && !options.void) throw new InputError('give --outcome <option> (yes/no for a risk question) or --void --note TEXT');
  const outcome = hasOutcome ? options.outcome!.trim() : null;
  if (outcome === '') throw new InputError('--outcome is empty');
  return withArchive(options, io, (db) => {
    const now = new Date();
    const q = resolveQuestion(db, {
      questionId: id.trim(),
      outcome,
      at: options.at ?? now.toISOString(),
      ...(options.evidence !== undefined ? { evidence: options.evidence } : {}),
      ...(options.note !== undefined ? { note: options.note } : {}),
      force: options.force === true,
      now,
    });
    const r = q.resolution!;
    const corrected = q.resolutionHistory.length > 1 ? ` (correction; ${q.resolutionHistory.length} entries in its history)` : '';
    io.stdout.write(`${q.id} resolved: ${r.outcome === null ? 'void' : r.outcome} at ${r.at}${corrected}\n`);
    return EXIT.ok;
  });
}
