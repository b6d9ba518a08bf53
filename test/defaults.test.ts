import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../src/cli/io.js';
import { runCli } from '../src/cli/program.js';
import { rssFeed } from './support/feed-fixtures.js';
import { REPLAY_DIR } from './support/paths.js';

/**
 * Defaults that only show when something happens: the grace the watcher gives runs in flight
 * when it is told to stop. Driven in-process through `assess watch` with an AbortSignal standing
 * in for SIGINT, as src/cli/main.ts wires it.
 */

const FEED_URL = 'https://feeds.test/quiet.rss';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'assess-defaults-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `assess watch --feed …` that receives a stop signal as soon as it says it is watching; its stderr. */
async function watchUntilSignalled(extra: string[]): Promise<{ code: number; stderr: string }> {
  const stop = new AbortController();
  let stderr = '';
  const io: CliIo = {
    stdout: { write: () => true, isTTY: false },
    stderr: {
      write: (s: string) => {
        stderr += s;
        if (s.startsWith('watching ')) stop.abort();
        return true;
      },
      isTTY: false,
    },
    stdin: Readable.from([]),
    // The replay provider needs no key; a feed with no items gives the watcher nothing to run.
    env: { ASSESS_PROVIDER: 'replay', ASSESS_REPLAY_DIR: join(REPLAY_DIR, '..'), ASSESS_DB: join(dir, `watch-${extra.join('')}.db`) },
    cwd: dir,
    signal: stop.signal,
    fetch: async () => new Response(rssFeed([]), { headers: { 'content-type': 'application/rss+xml' } }),
  };
  const code = await runCli(['watch', '--feed', FEED_URL, ...extra], io);
  return { code, stderr };
}

describe('assess watch on a stop signal', () => {
  it('gives runs in flight 30 s by default', async () => {
    const { stderr } = await watchUntilSignalled([]);
    expect(stderr).toContain('\nstopping: no more polls; runs in flight get 30s (signal again to quit now)\n');
  });

  it('the line reports --grace when it is given (so the 30 s above is the default, not the wording)', async () => {
    const { stderr } = await watchUntilSignalled(['--grace', '5']);
    expect(stderr).toContain('\nstopping: no more polls; runs in flight get 5s (signal again to quit now)\n');
  });
});
