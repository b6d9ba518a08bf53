import { describe, expect, it } from 'vitest';
import { createProgress } from '../src/cli/progress.js';

/** The progress display on stderr: a live table on a terminal, plain lines otherwise. */

function stream(tty: boolean) {
  const chunks: string[] = [];
  return {
    out: { write: (s: string) => chunks.push(s), isTTY: tty, ...(tty ? { columns: 100, rows: 40 } : {}) },
    text: () => chunks.join(''),
  };
}

describe('progress', () => {
  it('on a terminal: a streamed answer shows as receiving, with the characters so far', () => {
    let t = 0;
    const s = stream(true);
    const progress = createProgress(s.out, 'assessing', ['JP-01', 'US-01'], () => t);
    progress.onEvent({ type: 'desk-started', agentId: 'JP-01', provider: 'anthropic', model: 'claude-sonnet-4-6' });
    t = 1500;
    progress.onEvent({ type: 'desk-receiving', agentId: 'JP-01', chars: 2345 });
    progress.stop();
    const last = s.text().split('assessing').at(-1) ?? '';
    expect(last).toMatch(/JP-01\s+receiving\s+1\.5s\s+2\.3k chars/);
    expect(last).toMatch(/US-01\s+queued/);
  });

  it('in plain output: one line when an answer starts arriving, not one per piece; again after a retry', () => {
    let t = 0;
    const s = stream(false);
    const progress = createProgress(s.out, 'assessing', ['JP-01'], () => t);
    for (const chars of [10, 900, 4000]) {
      t += 250;
      progress.onEvent({ type: 'desk-receiving', agentId: 'JP-01', chars });
    }
    progress.onEvent({ type: 'desk-retrying', agentId: 'JP-01', retry: 1, delayMs: 500, reason: 'anthropic stream ended before the message did' });
    progress.onEvent({ type: 'desk-receiving', agentId: 'JP-01', chars: 12 });
    progress.onEvent({ type: 'synthesis-receiving', chars: 40 });
    progress.onEvent({ type: 'synthesis-repairing', turn: 1, issues: ['trajectories: must sum to 1'] });
    progress.onEvent({ type: 'synthesis-receiving', chars: 8 });
    progress.stop();
    const lines = s.text().trim().split('\n');
    expect(lines.map((l) => l.replace(/^\[\s*[\d.]+s\] /, ''))).toEqual([
      'assessing',
      'JP-01 receiving its answer',
      'JP-01 retrying in 0.5s: anthropic stream ended before the message did',
      'JP-01 receiving its answer',
      'synthesis receiving its answer',
      'synthesis repairing (turn 1): trajectories: must sum to 1',
      'synthesis receiving its answer',
    ]);
  });
});
