import { describe, expect, it } from 'vitest';
import { openArchive } from '../src/archive/open-archive.js';
import { feedThreadOverrides } from '../src/cli/feed-threads.js';
import { parseWatchConfig } from '../src/feeds/config.js';
import { InputError } from '../src/errors/index.js';
import { linesOf } from './support/archive-fixtures.js';
import { putInThread, testEvent } from './support/thread-store-fixtures.js';
import {
  FEEDS,
  WATCH_STORIES,
  queryArchive,
  serveFakeLlm,
  useFeedServer,
  useMswServer,
  useWatchWorkspace,
  watchCli,
  writeFeedsFile,
} from './support/watch-harness.js';

/**
 * Threads in `assess watch`: every story a watcher archives is in a thread, and a feed's `thread:`
 * setting decides which (auto: by similarity; new: one thread per story; an id: that thread).
 */

const OPENAI_KEY = 'sk-test-1234567890';
const LABEL = 'assess.feeds.yaml';
const server = useMswServer();
const work = useWatchWorkspace('threads-watch');
const { watchOnce } = watchCli(OPENAI_KEY, work);
const { serveRss, serveAtom } = useFeedServer(server);

const STORIES = {
  ...WATCH_STORIES,
  /** → KR-01, US-01 */
  shipbuilding: {
    title: 'Seoul and Washington discuss shipbuilding cooperation',
    summary: 'Korean yards offer capacity to the U.S. Navy.',
    link: 'https://asia.test/korea/shipbuilding',
    publishedAt: '2025-10-01T04:00:00Z',
  },
  /** → CN-01 */
  rareEarths: {
    title: 'China tightens rare earths export control',
    summary: 'Beijing adds licensing requirements for processing technology.',
    link: 'https://asia.test/china/rare-earths',
    publishedAt: '2025-10-01T05:00:00Z',
  },
};

function inputError(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('the feeds file: thread:', () => {
  const feed = (extra: string) => `feeds:\n  - name: economy\n    url: ${FEEDS}/economy.rss\n${extra}`;

  it('reads auto (the default, left out), new and a thread id, per feed or from defaults, with where an id was set', () => {
    expect(parseWatchConfig(feed(''), LABEL).feeds[0]!.thread).toBeUndefined();
    expect(parseWatchConfig(feed('    thread: auto\n'), LABEL).feeds[0]!.thread).toBeUndefined();
    expect(parseWatchConfig(feed('    thread: New\n'), LABEL).feeds[0]!.thread).toBe('new');
    expect(parseWatchConfig(feed('    thread: th-3F2A9C\n'), LABEL).feeds[0]!.thread).toEqual({ threadId: 'th-3f2a9c', line: 4, field: 'feeds[0].thread' });
    const withDefault = parseWatchConfig(`defaults:\n  thread: 3f2a9c\n${feed('')}  - name: asia\n    url: ${FEEDS}/asia.atom\n    thread: auto\n`, LABEL);
    expect(withDefault.feeds.map((f) => f.thread)).toEqual([{ threadId: '3f2a9c', line: 2, field: 'defaults.thread' }, undefined]);
  });

  it('refuses anything else at its line', () => {
    expect(inputError(() => parseWatchConfig(feed('    thread: [a, b]\n'), LABEL))).toBe(
      'assess.feeds.yaml:4: feeds[0].thread: must be auto, new or a thread id like th-3f2a9c',
    );
    expect(inputError(() => parseWatchConfig(feed('    thread: "same story"\n'), LABEL))).toBe(
      'assess.feeds.yaml:4: feeds[0].thread: must be auto, new or a thread id like th-3f2a9c',
    );
    expect(inputError(() => parseWatchConfig(feed('    threads: new\n'), LABEL))).toMatch(/^assess\.feeds\.yaml:4: feeds\[0\]\.threads: unknown field; expected one of .*thread/);
  });

  it('resolves ids against the archive when the watcher starts: unknown at its line, a merged one to where it went', () => {
    const db = openArchive(work.dbPath);
    try {
      const kept = putInThread(db, testEvent('Kept', undefined), null).threadId;
      const config = parseWatchConfig(feed(`    thread: ${kept}\n`) + `  - name: asia\n    url: ${FEEDS}/asia.atom\n    thread: new\n`, LABEL);
      const { overrides, notes } = feedThreadOverrides(db, config, LABEL);
      expect([...overrides.entries()]).toEqual([
        ['economy', { threadId: kept }],
        ['asia', { newThread: true }],
      ]);
      expect(notes).toEqual([]);
      const unknown = parseWatchConfig(feed('    thread: th-0000000000\n'), LABEL);
      expect(inputError(() => feedThreadOverrides(db, unknown, LABEL))).toBe(
        'assess.feeds.yaml:4: feeds[0].thread: unknown thread th-0000000000 (assess threads list shows them)',
      );
    } finally {
      db.close();
    }
  });
});

describe('watch --once with thread settings', () => {
  it('puts a `thread: new` feed\'s stories in a thread each and a `thread: <id>` feed\'s stories in that thread', async () => {
    const db = openArchive(work.dbPath);
    const target = putInThread(db, testEvent('Asia desk story', '2025-09-30T00:00:00.000Z'), null).threadId;
    db.close();
    serveRss('/economy.rss', [STORIES.boj, STORIES.jpUs]);
    serveAtom('/asia.atom', [STORIES.shipbuilding, STORIES.rareEarths]);
    serveFakeLlm(server);
    const config = writeFeedsFile(
      work,
      `feeds:\n  - name: economy\n    url: ${FEEDS}/economy.rss\n    thread: new\n  - name: asia\n    url: ${FEEDS}/asia.atom\n    thread: ${target.slice(0, 8)}\n`,
    );
    const result = await watchOnce(config);
    expect(result.code, result.stderr).toBe(0);

    const rows = queryArchive<{ feed: string; title: string; thread_id: string; method: string; context: string }>(
      work,
      `SELECT i.feed, i.title, r.thread_id, l.method, r.thread_context_json AS context FROM feed_items i JOIN runs r ON r.id = i.run_id
       JOIN thread_links l ON l.event_id = i.event_id ORDER BY i.id`,
    );
    expect(rows).toHaveLength(4);
    const economy = rows.filter((r) => r.feed === 'economy');
    expect(economy.map((r) => r.method)).toEqual(['override-new', 'override-new']);
    expect(new Set(economy.map((r) => r.thread_id)).size).toBe(2);
    expect(economy.every((r) => r.thread_id !== target)).toBe(true);
    const asia = rows.filter((r) => r.feed === 'asia');
    expect(asia.map((r) => [r.thread_id, r.method])).toEqual([
      [target, 'override'],
      [target, 'override'],
    ]);
    // The stored context names the thread; its earlier event is shown to the desks as E2.
    const context = JSON.parse(asia[0]!.context) as { thread: { id: string }; evidence: { id: string; title: string }[] };
    expect(context.thread.id).toBe(target);
    expect(context.evidence.map((e) => e.title)).toContain('Asia desk story');
  });

  it('exits 2 with the line of an unknown thread id before polling anything', async () => {
    openArchive(work.dbPath).close();
    const config = writeFeedsFile(work, `feeds:\n  - name: economy\n    url: ${FEEDS}/economy.rss\n    thread: th-0000000000\n`);
    const result = await watchOnce(config);
    expect(result.code).toBe(2);
    expect(linesOf(result.stderr)).toEqual([`assess: ${config}:4: feeds[0].thread: unknown thread th-0000000000 (assess threads list shows them)`]);
    expect(queryArchive(work, 'SELECT * FROM feeds')).toEqual([]);
  });
});
