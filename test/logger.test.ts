import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/cli/logger.js';

function stderr() {
  const lines: string[] = [];
  return { out: { write: (s: string) => lines.push(s), isTTY: false }, lines };
}

describe('the command logger', () => {
  it('writes JSON lines at or above its level, in order, once flushed; below it, nothing', async () => {
    const s = stderr();
    const logger = createLogger('warn', s.out);
    logger.info({ runId: 'r1' }, 'run started');
    logger.warn({ agentId: 'JP-01', reason: 'refused' }, 'desk failed');
    logger.error({ agentId: 'US-01' }, 'second');
    await logger.flush();
    const records = s.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((r) => [r['level'], r['msg']])).toEqual([
      [40, 'desk failed'],
      [50, 'second'],
    ]);
    expect(records[0]).toMatchObject({ agentId: 'JP-01', reason: 'refused' });
  });

  it('a child carries its bindings; debug shows at debug level', async () => {
    const s = stderr();
    const logger = createLogger('debug', s.out);
    logger.child({ runId: 'r2' }).debug({ purpose: 'desk/JP-01' }, 'model call');
    await logger.flush();
    expect(JSON.parse(s.lines[0]!)).toMatchObject({ level: 20, runId: 'r2', purpose: 'desk/JP-01', msg: 'model call' });
  });

  it('masks keys in any field and the run\'s own secret values', async () => {
    const s = stderr();
    const logger = createLogger('info', s.out, ['local-secret-value']);
    logger.warn({ apiKey: 'whatever', reason: 'echoed sk-abcdefghijklmnop and local-secret-value', headers: { authorization: 'Bearer abcdefghijkl' } }, 'desk failed');
    await logger.flush();
    const text = s.lines.join('');
    expect(text).not.toMatch(/sk-abcdefghijklmnop|local-secret-value|abcdefghijkl|whatever/);
    expect(text).toContain('[redacted]');
  });

  it('silent writes nothing and never loads pino', async () => {
    const s = stderr();
    const logger = createLogger('silent', s.out);
    logger.error({}, 'nope');
    await logger.flush();
    expect(s.lines).toEqual([]);
  });
});
