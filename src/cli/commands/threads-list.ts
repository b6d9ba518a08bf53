import { listThreads, type ThreadSummary } from '../../archive/list-threads.js';
import { InputError } from '../../errors/index.js';
import { ACTIVE_THREAD_DAYS } from '../../threads/context.js';
import { withArchive } from '../archive-access.js';
import { checkFormat } from '../check-format.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';

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

const shortTitle = (title: string, max = 60): string => (title.length > max ? `${title.slice(0, max - 1)}…` : title);

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
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cols: string[]) => cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  const inactive = threads.some((t) => !t.active) ? `\n· no event in the last ${ACTIVE_THREAD_DAYS} days: new events no longer join it by similarity\n` : '';
  return `${[line(header), ...rows.map(line)].join('\n')}\n${inactive}`;
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
