import { describe, expect, it } from 'vitest';
import { createBatchProgress } from '../src/cli/batch-progress.js';
import { createProgress, openLiveTable } from '../src/cli/progress.js';

/** The progress display on stderr: a live table on a terminal, plain lines otherwise. */

function stream(tty: boolean) {
  const chunks: string[] = [];
  return {
    out: { write: (s: string) => chunks.push(s), isTTY: tty, ...(tty ? { columns: 100, rows: 40 } : {}) },
    text: () => chunks.join(''),
  };
}

describe('progress', () => {
  it('on a terminal: a streamed answer shows as receiving, with the characters so far', async () => {
    let t = 0;
    const s = stream(true);
    const progress = createProgress(s.out, 'assessing', ['JP-01', 'US-01'], () => t, await openLiveTable(s.out));
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

describe('batch progress: every event at once', () => {
  it('on a terminal: one row per input with its desks finished, state and failures', async () => {
    let t = 0;
    const s = stream(true);
    const progress = await createBatchProgress(
      s.out,
      'batch header',
      [
        { n: 1, label: 'a.md', state: 'queued' },
        { n: 2, label: 'https://news.example.org/story', state: 'queued' },
        { n: 3, label: 'bad.json', state: 'skipped' },
        { n: 4, label: 'd.md', state: 'queued' },
      ],
      ['JP-01', 'US-01', 'CN-01'],
      () => t,
    );
    const first = progress.started(1, 'Japan Unveils $550B U.S. Investment');
    const second = progress.started(2, 'Manila and Tokyo sign reciprocal access pact');
    t = 2500;
    first({ type: 'desk-done', agentId: 'JP-01', elapsedMs: 1, assessment: {} as never });
    first({ type: 'desk-done', agentId: 'US-01', elapsedMs: 1, assessment: {} as never });
    first({ type: 'desk-failed', agentId: 'CN-01', kind: 'provider', reason: 'HTTP 500', elapsedMs: 1 });
    second({ type: 'desk-done', agentId: 'JP-01', elapsedMs: 1, assessment: {} as never });
    second({ type: 'synthesis-started', provider: 'openai', model: 'gpt-4.1' });
    progress.finished(1, 'degraded');
    progress.stop();
    // log-update redraws only the lines that changed: each row as last drawn, escape codes removed.
    const drawn = s.text().replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '\n').split('\n');
    const frame = [1, 2, 3, 4].map((n) => drawn.filter((l) => l.includes(` ${n}/4 `)).at(-1) ?? '');
    expect(frame[0]).toMatch(/! 1\/4 +Japan Unveils \$550B U\.S\. Investment +3\/3 desks +degraded +2\.5s +1 failed/);
    expect(frame[1]).toMatch(/▸ 2\/4 +Manila and Tokyo sign reciprocal access pact +1\/3 desks +synthesis +2\.5s/);
    expect(frame[2]).toMatch(/✗ 3\/4 +bad\.json +skipped/);
    expect(frame[3]).toMatch(/· 4\/4 +d\.md +0\/3 desks +queued/);
  });

  it('in plain output: each run\'s lines as for one event, prefixed with the event\'s number', async () => {
    const s = stream(false);
    const progress = await createBatchProgress(s.out, 'batch header', [{ n: 1, label: 'a.md', state: 'queued' }, { n: 2, label: 'b.md', state: 'queued' }], ['JP-01'], () => 0);
    const a = progress.started(1, 'First story');
    const b = progress.started(2, 'Second story');
    a({ type: 'desk-started', agentId: 'JP-01', provider: 'replay', model: 'replay' });
    b({ type: 'desk-started', agentId: 'JP-01', provider: 'replay', model: 'replay' });
    b({ type: 'desk-done', agentId: 'JP-01', elapsedMs: 1200, assessment: {} as never });
    progress.stop();
    expect(s.text().trim().split('\n')).toEqual([
      '[  0.0s] batch header',
      '1/2 [  0.0s] assess · First story · 1 desk(s)',
      '2/2 [  0.0s] assess · Second story · 1 desk(s)',
      '1/2 [  0.0s] JP-01 running (replay/replay)',
      '2/2 [  0.0s] JP-01 running (replay/replay)',
      '2/2 [  0.0s] JP-01 done in 1.2s',
    ]);
  });
});
