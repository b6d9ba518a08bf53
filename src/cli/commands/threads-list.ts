import { listThreads, type ThreadSummary } from '../../archive/list-threads.js';
import { InputError } from '../../errors/index.js';
import { ACTIVE_THREAD_DAYS } from '../../threads/context.js';
import { withArchive } from '../archive-access.js';
import { checkFormat } from '../check-format.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { shortTitle, textTable } from '../text-table.js';

export interface ThreadsListOptions {
  db?: string;
  active?: boolean;
  limit?: string;
  format: string;
}

/** Threads listed unless --limit says otherwise. */
const DEFAULT_LIMIT = 50;

function parseLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LIMIT;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1) throw new InputError(`--limit ${value}: expected a whole number of 1 or more`);
  return n;
}

export function renderThreadList(threads: ThreadSummary[]): string {
  const header = ['THREAD', 'LAST EVENT', 'EVENTS', 'RUNS', 'RISK', 'TITLE'];
  const rows = threads.map((t) => [
    `${t.id}${t.active ? '' : ' ·'}`,
    t.lastEventAt.slice(0, 10),
    String(t.events),
    String(t.runs),
    t.latestRun?.overallRisk ?? '—',
    shortTitle(t.title),
  ]);
  const inactive = threads.some((t) => !t.active) ? `\n· no event in the last ${ACTIVE_THREAD_DAYS} days: new events no longer join it by similarity\n` : '';
  return `${textTable(header, rows)}${inactive}`;
}

/** `assess threads list`: threads, newest activity first (JSON: `{ id, title, events, lastEventAt, createdAt, runs, active, latestRun }`). */
export async function threadsListCommand(options: ThreadsListOptions, io: CliIo): Promise<ExitCode> {
  checkFormat(options.format, ['md', 'text', 'json']);
  const limit = parseLimit(options.limit);
  const threads = await withArchive(options, io, (db) => listThreads(db, { active: options.active ?? false, limit, now: new Date() }));
  if (options.format === 'json') io.stdout.write(`${JSON.stringify(threads, null, 2)}\n`);
  else if (threads.length === 0) io.stderr.write(options.active ? `no active threads (none with an event in the last ${ACTIVE_THREAD_DAYS} days)\n` : 'no threads yet\n');
  else io.stdout.write(renderThreadList(threads));
  return EXIT.ok;
}
