import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliCaptured } from './support/cli-io.js';
import { behave, SYNTHESIZER, useFakeOpenAIServer } from './support/fake-openai-server.js';
import { FEED_CONTENT_TYPES, rssFeed } from './support/feed-fixtures.js';
import { ROOT } from './support/paths.js';
import { WATCH_STORIES, useLocalFeedServer, useWatchWorkspace } from './support/watch-harness.js';

/**
 * `assess watch`'s exit codes from the real entry point (`node --import tsx src/cli/main.ts`): a
 * signal wins over whatever happened before it, 143 for SIGTERM and 130 for SIGINT, even after a
 * run failed (which alone would make `--once` exit 3). The model is a real OpenAI-compatible
 * server on 127.0.0.1 answering 500, the feed another local server; the child gets only PATH, a
 * fake key, their URLs and a throwaway archive. Every child is killed after each test.
 */

const API_KEY = 'sk-test-watch-signals-000000';
const models = useFakeOpenAIServer();
const feedServer = useLocalFeedServer();
const work = useWatchWorkspace('watch-signals');

interface Child {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}
const live = new Set<Child>();
afterEach(async () => {
  const running = [...live];
  for (const c of running) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  await Promise.all(running.map((c) => c.exited));
  models.answerAll();
});

const spawnWatch = (args: string[]): Child => spawnCli(['watch', ...args]);

function spawnCli(args: string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: models.url, ASSESS_DB: work.dbPath },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  child.stdout?.resume();
  const spawned: Child = {
    child,
    stderr: () => stderr,
    exited: new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal }))),
  };
  live.add(spawned);
  void spawned.exited.then(() => live.delete(spawned));
  return spawned;
}

/** Resolves once the child's stderr matches, failing with what it said if it exits or takes too long. */
async function stderrMatches(child: Child, pattern: RegExp, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(child.stderr())) {
    if (child.child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${pattern} on stderr; got:\n${child.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The feeds file: one local feed with one story for JP-01 and US-01. */
function feedsFile(): string {
  feedServer.serve('/economy.rss', rssFeed([WATCH_STORIES.jpUs]), FEED_CONTENT_TYPES.rss);
  const path = join(work.dir, 'assess.feeds.yaml');
  writeFileSync(path, `feeds:\n  - name: economy\n    url: ${feedServer.url('/economy.rss')}\n    every: 1h\n`);
  return path;
}

const watchArgs = (config: string, ...extra: string[]) => ['--config', config, '--provider', 'openai', '--retries', '0', '--timeout', '10', ...extra];

/** Every model call answers 500, so the watcher's run fails. */
const outage = () => models.set('JP-01', behave.fail(500, 'down')).set('US-01', behave.fail(500, 'down')).set(SYNTHESIZER, behave.fail(500, 'down'));

describe('watch exit codes: a signal wins', () => {
  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    it(`${signal} after a failed run exits ${code}`, async () => {
      outage();
      const watch = spawnWatch(watchArgs(feedsFile()));
      await stderrMatches(watch, /not assessed \(attempt 1 of 6\)/);
      watch.child.kill(signal);
      const exit = await watch.exited;
      expect(exit, watch.stderr()).toEqual({ code, signal: null });
      expect(watch.stderr()).toContain(`assess: ${signal}; winding down`);
      expect(watch.stderr()).toContain('stopping: no more polls');
    });
  }

  it('SIGTERM to watch --once during a run exits 143, not the 3 a failed run gives', async () => {
    // The one desk hangs, so the signal arrives while the run is in flight; grace 0 cuts it short.
    models.set('JP-01', behave.hang()).set('US-01', behave.fail(500, 'down'));
    const watch = spawnWatch(watchArgs(feedsFile(), '--once', '--grace', '0'));
    await stderrMatches(watch, /assessing "Japan and U\.S\. agree/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    watch.child.kill('SIGTERM');
    const exit = await watch.exited;
    expect(exit, watch.stderr()).toEqual({ code: 143, signal: null });
    expect(watch.stderr()).toMatch(/interrupted, requeued: "Japan and U\.S\. agree/);
  });

  it('without a signal, watch --once exits 3 after a failed run (the baseline the signal overrides)', async () => {
    outage();
    const watch = spawnWatch(watchArgs(feedsFile(), '--once'));
    expect(await watch.exited, watch.stderr()).toEqual({ code: 3, signal: null });
  });
});

describe('assess run keeps its own exit code', () => {
  it('SIGTERM during `assess run` still exits 130 (the run is cancelled, resumable)', async () => {
    models.set('JP-01', behave.hang());
    const before = models.count('JP-01');
    const run = spawnCli(['run', 'fixtures/events/jbic-550b.md', '--provider', 'openai', '--agents', 'JP-01', '--no-progress']);
    const deadline = Date.now() + 20_000;
    while (models.count('JP-01') === before && run.child.exitCode === null && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    run.child.kill('SIGTERM');
    expect(await run.exited, run.stderr()).toEqual({ code: 130, signal: null });
  });
});

describe('watch exit codes: the archive', () => {
  it('an archive that cannot be created exits 4 with one line, before any feed is fetched', async () => {
    const config = feedsFile();
    const before = feedServer.hits('/economy.rss');
    // A folder cannot be made under a regular file.
    const r = await runCliCaptured(['watch', '--once', '--config', config, '--db', join(config, 'archive.db')], {
      env: { OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: models.url },
      cwd: work.dir,
    });
    expect(r.code).toBe(4);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^assess: archive .*archive\.db: .*; the watcher needs the archive\n$/);
    expect(feedServer.hits('/economy.rss')).toBe(before);
  });
});
