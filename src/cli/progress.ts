import type { createLogUpdate } from 'log-update';
import type { LifecycleEvent } from '../pipeline/lifecycle.js';
import type { OutStream } from './io.js';

type DeskState = 'queued' | 'waiting' | 'running' | 'receiving' | 'repairing' | 'retrying' | 'done' | 'failed';

interface DeskRow {
  id: string;
  state: DeskState;
  startedAt?: number;
  elapsedMs?: number;
  note?: string;
}

const ICONS: Record<DeskState, string> = {
  queued: '·',
  waiting: '…',
  running: '▸',
  receiving: '▸',
  repairing: '↻',
  retrying: '↻',
  done: '✓',
  failed: '✗',
};

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;
const kiloChars = (n: number): string => (n < 1000 ? `${n} chars` : `${(n / 1000).toFixed(1)}k chars`);

export interface Progress {
  onEvent: (event: LifecycleEvent) => void;
  stop: () => void;
}

/** A region of the terminal redrawn in place (log-update). */
export type LiveTable = ReturnType<typeof createLogUpdate>;

/** Whether stderr can show a table redrawn in place; a terminal that reports no size (some pseudo-terminals) cannot. */
export const canRedraw = (stderr: OutStream): boolean => stderr.isTTY === true && Boolean(stderr.columns);

/**
 * The live table for stderr on a terminal, else undefined. log-update is imported only here:
 * loading it (and the Intl.Segmenter its dependencies build) costs every run ~30 ms of start-up,
 * which logs, pipes and CI never need.
 */
export async function openLiveTable(stderr: OutStream): Promise<LiveTable | undefined> {
  if (!canRedraw(stderr)) return undefined;
  const { createLogUpdate } = await import('log-update');
  // log-update needs a real stream; on a TTY stderr is one.
  return createLogUpdate(stderr as unknown as NodeJS.WritableStream);
}

/**
 * Desk progress on stderr. With a live table (openLiveTable, on a terminal), a table redrawn in
 * place; otherwise one plain line per change, which reads well in CI logs and files.
 */
export function createProgress(
  stderr: OutStream,
  header: string,
  deskIds: string[],
  now: () => number = Date.now,
  live?: LiveTable,
): Progress {
  const rows = new Map<string, DeskRow>(deskIds.map((id) => [id, { id, state: 'queued' }]));
  let synth: DeskRow = { id: 'synthesis', state: 'queued' };
  const start = now();

  if (!live) {
    const line = (text: string) => stderr.write(`[${seconds(now() - start).padStart(6)}] ${text}\n`);
    line(header);
    // One line when an answer starts arriving, not one per streamed piece: logs stay readable.
    const receiving = new Set<string>();
    const firstPiece = (id: string, text: string) => {
      if (receiving.has(id)) return undefined;
      receiving.add(id);
      return line(text);
    };
    const answerEnded = (id: string) => receiving.delete(id);
    return {
      onEvent: (e) => {
        switch (e.type) {
          case 'desk-started':
            return line(`${e.agentId} running (${e.provider}/${e.model})`);
          case 'desk-repairing':
            answerEnded(e.agentId);
            return line(`${e.agentId} repairing (turn ${e.turn}): ${e.issues[0] ?? ''}`);
          case 'desk-retrying':
            answerEnded(e.agentId);
            return line(`${e.agentId} retrying in ${seconds(e.delayMs)}: ${e.reason}`);
          case 'desk-throttled':
            return e.waiting ? line(`${e.agentId} waiting for a rate-limit slot`) : undefined;
          case 'desk-receiving':
            return firstPiece(e.agentId, `${e.agentId} receiving its answer`);
          case 'synthesis-receiving':
            return firstPiece('synthesis', 'synthesis receiving its answer');
          case 'desk-fallback':
            return line(`${e.agentId} falling back from ${e.from} to ${e.to}: ${e.reason}`);
          case 'synthesis-fallback':
            return line(`synthesis falling back from ${e.from} to ${e.to}: ${e.reason}`);
          case 'synthesis-throttled':
            return e.waiting ? line('synthesis waiting for a rate-limit slot') : undefined;
          case 'desk-done':
            return line(`${e.agentId} done in ${seconds(e.elapsedMs)}`);
          case 'desk-failed':
            return line(`${e.agentId} failed after ${seconds(e.elapsedMs)}: ${e.reason}`);
          case 'synthesis-started':
            return line(`synthesis running (${e.provider}/${e.model})`);
          case 'synthesis-repairing':
            answerEnded('synthesis');
            return line(`synthesis repairing (turn ${e.turn}): ${e.issues[0] ?? ''}`);
          case 'synthesis-retrying':
            answerEnded('synthesis');
            return line(`synthesis retrying in ${seconds(e.delayMs)}: ${e.reason}`);
          case 'synthesis-done':
            return line(`synthesis done in ${seconds(e.elapsedMs)}${e.warnings.length ? ` (${e.warnings.length} note(s))` : ''}`);
          case 'synthesis-failed':
            return line(`synthesis failed: ${e.reason}`);
          default:
            return undefined;
        }
      },
      stop: () => undefined,
    };
  }

  const update = live;
  const render = () => {
    const t = now();
    const fmt = (r: DeskRow) => {
      const elapsed = r.elapsedMs ?? (r.startedAt !== undefined ? t - r.startedAt : undefined);
      const time = elapsed !== undefined ? seconds(elapsed).padStart(7) : ''.padStart(7);
      return `  ${ICONS[r.state]} ${r.id.padEnd(9)} ${r.state.padEnd(9)} ${time}${r.note ? `  ${r.note}` : ''}`;
    };
    update([header, ...[...rows.values()].map(fmt), fmt(synth)].join('\n'));
  };
  const timer = setInterval(render, 200);
  timer.unref();
  render();

  const set = (id: string, patch: Partial<DeskRow>) => {
    const row = rows.get(id);
    if (row) rows.set(id, { ...row, ...patch });
  };
  return {
    onEvent: (e) => {
      switch (e.type) {
        case 'desk-started':
          set(e.agentId, { state: 'running', startedAt: now(), note: `${e.provider}/${e.model}` });
          break;
        case 'desk-repairing':
          set(e.agentId, { state: 'repairing', note: `turn ${e.turn}: ${e.issues[0] ?? ''}`.slice(0, 70) });
          break;
        case 'desk-retrying':
          set(e.agentId, { state: 'retrying', note: e.reason.slice(0, 70) });
          break;
        case 'desk-fallback':
          set(e.agentId, { state: 'retrying', note: `→ ${e.to}`.slice(0, 70) });
          break;
        case 'desk-throttled':
          set(e.agentId, e.waiting ? { state: 'waiting', note: 'rate limit' } : { state: 'running', note: '' });
          break;
        case 'desk-receiving':
          set(e.agentId, { state: 'receiving', note: kiloChars(e.chars) });
          break;
        case 'synthesis-receiving':
          synth = { ...synth, state: 'receiving', note: kiloChars(e.chars) };
          break;
        case 'synthesis-throttled':
          synth = { ...synth, ...(e.waiting ? { state: 'waiting' as const, note: 'rate limit' } : { state: 'running' as const, note: '' }) };
          break;
        case 'desk-done':
          set(e.agentId, { state: 'done', elapsedMs: e.elapsedMs, note: '' });
          break;
        case 'desk-failed':
          set(e.agentId, { state: 'failed', elapsedMs: e.elapsedMs, note: e.reason.slice(0, 70) });
          break;
        case 'synthesis-started':
          synth = { ...synth, state: 'running', startedAt: now() };
          break;
        case 'synthesis-done':
          synth = { ...synth, state: 'done', elapsedMs: e.elapsedMs };
          break;
        case 'synthesis-failed':
          synth = { ...synth, state: 'failed', elapsedMs: e.elapsedMs, note: e.reason.slice(0, 70) };
          break;
        default:
          return;
      }
      render();
    },
    stop: () => {
      clearInterval(timer);
      render();
      update.done();
    },
  };
}
