import type { LifecycleListener } from '../pipeline/lifecycle.js';
import type { OutStream } from './io.js';
import { createProgress, openLiveTable } from './progress.js';

/**
 * Progress of a batch on stderr, every event at once. On a terminal, one live table with a row per
 * input (desks finished of the total, state, time); otherwise each run's plain progress lines
 * (progress.ts, unchanged), each prefixed with the event's number (`2/5 `) so interleaved runs can
 * be told apart. log-update is imported only on a terminal: it costs start-up time.
 */

export type BatchRowState = 'queued' | 'running' | 'synthesis' | 'ok' | 'degraded' | 'failed' | 'cancelled' | 'skipped' | 'not started';

export interface BatchProgress {
  /** Input `n` starts its run: the listener for the run's lifecycle events. */
  started(n: number, title: string): LifecycleListener;
  /** Input `n` ended (or will never start). */
  finished(n: number, state: BatchRowState): void;
  stop(): void;
}

export interface BatchProgressRow {
  n: number;
  /** What the row shows before the event's title is known: the input as given. */
  label: string;
  state: BatchRowState;
}

const ICONS: Record<BatchRowState, string> = {
  queued: '·',
  running: '▸',
  synthesis: '▸',
  ok: '✓',
  degraded: '!',
  failed: '✗',
  cancelled: '✗',
  skipped: '✗',
  'not started': '·',
};

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

/** Writes every line of what it is given with `prefix` in front. */
function prefixed(stream: OutStream, prefix: string): OutStream {
  return { write: (chunk: string) => stream.write(chunk.replace(/^(?=.)/gm, prefix)), isTTY: false };
}

/** `Japan Unveils…` within `width` characters. */
function fit(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text.padEnd(width + text.length - chars.length) : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

export async function createBatchProgress(
  stderr: OutStream,
  header: string,
  rows: BatchProgressRow[],
  deskIds: string[],
  now: () => number = Date.now,
): Promise<BatchProgress> {
  const total = rows.length;
  const tag = (n: number) => `${n}/${total}`;
  const deskHeader = (title: string) => `assess · ${title} · ${deskIds.length} desk(s)`;

  const update = await openLiveTable(stderr);
  if (!update) {
    const start = now();
    stderr.write(`[${seconds(now() - start).padStart(6)}] ${header}\n`);
    return {
      started: (n, title) => createProgress(prefixed(stderr, `${tag(n)} `), deskHeader(title), deskIds, now).onEvent,
      finished: () => undefined,
      stop: () => undefined,
    };
  }

  interface Row extends BatchProgressRow {
    title: string;
    done: number;
    failed: number;
    startedAt?: number;
    elapsedMs?: number;
  }
  const table = new Map<number, Row>(rows.map((r) => [r.n, { ...r, title: r.label, done: 0, failed: 0 }]));
  const columns = stderr.columns ?? 80;
  const render = () => {
    const t = now();
    const tagWidth = 2 * String(total).length + 1;
    // What the other columns take (icon, number, desks, state, time, failures): rows never wrap.
    const titleWidth = Math.max(12, Math.min(60, columns - 50 - tagWidth));
    const fmt = (r: Row) => {
      const elapsed = r.elapsedMs ?? (r.startedAt !== undefined ? t - r.startedAt : undefined);
      const desks = r.state === 'skipped' || r.state === 'not started' ? ''.padEnd(11) : `${r.done + r.failed}/${deskIds.length} desks`.padEnd(11);
      const failed = r.failed > 0 ? `  ${r.failed} failed` : '';
      return `  ${ICONS[r.state]} ${tag(r.n).padStart(tagWidth)}  ${fit(r.title, titleWidth)}  ${desks} ${r.state.padEnd(11)} ${elapsed !== undefined ? seconds(elapsed).padStart(7) : ''.padStart(7)}${failed}`;
    };
    update([header, ...[...table.values()].map(fmt)].join('\n'));
  };
  const timer = setInterval(render, 200);
  timer.unref();
  render();

  const set = (n: number, patch: Partial<Row>) => {
    const row = table.get(n);
    if (row) table.set(n, { ...row, ...patch });
  };
  return {
    started: (n, title) => {
      set(n, { title, state: 'running', startedAt: now() });
      render();
      return (e) => {
        const row = table.get(n);
        if (!row) return;
        if (e.type === 'desk-done') set(n, { done: row.done + 1 });
        else if (e.type === 'desk-failed') set(n, { failed: row.failed + 1 });
        else if (e.type === 'synthesis-started') set(n, { state: 'synthesis' });
        else return;
        render();
      };
    },
    finished: (n, state) => {
      const row = table.get(n);
      set(n, { state, ...(row?.startedAt !== undefined ? { elapsedMs: now() - row.startedAt } : {}) });
      render();
    },
    stop: () => {
      clearInterval(timer);
      render();
      update.done();
    },
  };
}
