import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { http, HttpResponse } from 'msw';
import { setupServer, type SetupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { AgentDefinition } from '../../src/agents/definition.js';
import { loadAgents } from '../../src/agents/load-agents.js';
import { openArchive } from '../../src/archive/open-archive.js';
import { DEFAULT_PATHS } from '../../src/cli/paths.js';
import { buildModels, type Models } from '../../src/config/build-models.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import type { FeedConfig, WatchConfig } from '../../src/feeds/types.js';
import { Watcher, type WatcherDeps, type WatchEvent } from '../../src/feeds/watcher.js';
import type { RunOptions } from '../../src/pipeline/run-event.js';
import { loadPrompts, type PromptSet } from '../../src/prompts/load-prompts.js';
import { tempDir, withRaw } from './archive-fixtures.js';
import { closeServer } from './close-server.js';
import { runCliCaptured, type CapturedRun } from './cli-io.js';
import { fakeLlm, type FakeLlm, type FakeLlmOptions } from './fake-apis.js';
import { FEED_CONTENT_TYPES, atomFeed, rssFeed, type FixtureItem } from './feed-fixtures.js';

/**
 * Set-up shared by the `assess watch` tests (test/watch*.test.ts): an msw server for feeds and
 * the fake LLM, a per-test workspace with the feeds file and the archive, the CLI run against
 * that workspace, and Watchers built directly as watch.ts builds them. Each `use…` function
 * registers its vitest hooks: call it at the top level of a test file.
 */

/** Where the fake feeds live; the feeds files the tests write point here. */
export const FEEDS = 'https://feeds.test';

/** Stories both watch suites feed; routing (agents: auto) checked against the shipped desks. */
export const WATCH_STORIES = {
  /** → JP-01 (Japan, Tokyo), US-01 (U.S., tariff); published before `boj`, so assessed first. */
  jpUs: {
    title: 'Japan and U.S. agree on $550B investment package',
    summary: 'Tokyo commits funds in exchange for lower tariffs on cars.',
    link: 'https://news.test/2025/10/japan-us-investment',
    publishedAt: '2025-10-01T06:00:00Z',
  },
  /** → JP-01 (Bank of Japan, yen) */
  boj: {
    title: 'Bank of Japan holds rates as yen weakens',
    summary: 'The policy board keeps the short-term rate unchanged.',
    link: 'https://news.test/2025/10/boj-holds',
    publishedAt: '2025-10-01T07:00:00Z',
  },
} satisfies Record<string, FixtureItem>;

// ---------------------------------------------------------------------------------------------
// msw: feeds and the fake LLM.

/** One msw server for the test file that fails any request nothing answers; handlers reset after each test. */
export function useMswServer(): SetupServer {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}

/** Installs a fake LLM (desks and synthesizer) on `server`, so the test can script and inspect its calls. */
export function serveFakeLlm(server: SetupServer, options: FakeLlmOptions = {}): FakeLlm {
  const fake = fakeLlm(options);
  server.use(...fake.handlers);
  return fake;
}

/** A response body with its Content-Type (and any extra headers), as a feed or article server sends it. */
export const feedBody = (text: string, contentType: string, headers: Record<string, string> = {}): HttpResponse<string> =>
  new HttpResponse(text, { headers: { 'Content-Type': contentType, ...headers } });

/** One feed request as the fake feed server saw it: enough to check conditional GETs and the User-Agent. */
export interface FeedHit {
  path: string;
  ifNoneMatch: string | null;
  ifModifiedSince: string | null;
  userAgent: string | null;
}

/** Feeds served under one base URL, with every request recorded. */
export interface FeedServer {
  /** Requests so far in this test, oldest first (cleared before each test). */
  readonly hits: FeedHit[];
  hitsFor(path: string): FeedHit[];
  serveFeed(path: string, respond: (request: Request) => Response | Promise<Response>): void;
  serveRss(path: string, items: FixtureItem[]): void;
  serveAtom(path: string, items: FixtureItem[]): void;
}

/** Serves feeds at `base` + path on `server` and records each request, so tests can say what was fetched and how. */
export function useFeedServer(server: SetupServer, base: string = FEEDS): FeedServer {
  const hits: FeedHit[] = [];
  beforeEach(() => {
    hits.length = 0;
  });
  const serveFeed: FeedServer['serveFeed'] = (path, respond) => {
    server.use(
      http.get(`${base}${path}`, ({ request }) => {
        hits.push({
          path,
          ifNoneMatch: request.headers.get('if-none-match'),
          ifModifiedSince: request.headers.get('if-modified-since'),
          userAgent: request.headers.get('user-agent'),
        });
        return respond(request);
      }),
    );
  };
  return {
    hits,
    hitsFor: (path) => hits.filter((h) => h.path === path),
    serveFeed,
    serveRss: (path, items) => serveFeed(path, () => feedBody(rssFeed(items), FEED_CONTENT_TYPES.rss)),
    serveAtom: (path, items) => serveFeed(path, () => feedBody(atomFeed(items), FEED_CONTENT_TYPES.atom)),
  };
}

/** Feeds served over real HTTP on 127.0.0.1, for watchers in child processes (msw only reaches this process). */
export interface LocalFeedServer {
  /** `http://127.0.0.1:<port><path>` */
  url(path: string): string;
  /** Serves `body` at `path` from now on (200, with `contentType`). */
  serve(path: string, body: string, contentType: string): void;
  /** Requests per path so far. */
  hits(path: string): number;
}

/** A local feed server for the test file: listening in beforeAll, closed (open sockets destroyed) in afterAll. */
export function useLocalFeedServer(): LocalFeedServer {
  const bodies = new Map<string, { body: string; contentType: string }>();
  const hits = new Map<string, number>();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? '/';
      hits.set(path, (hits.get(path) ?? 0) + 1);
      const feed = bodies.get(path);
      if (!feed) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': feed.contentType }).end(feed.body);
    });
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('local feed server: no port');
    port = address.port;
  });
  afterAll(async () => {
    if (server) await closeServer(server, sockets);
  });
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    serve: (path, body, contentType) => void bodies.set(path, { body, contentType }),
    hits: (path) => hits.get(path) ?? 0,
  };
}

// ---------------------------------------------------------------------------------------------
// The per-test workspace and the CLI run in it.

/** The current test's folder (for the feeds file) and archive path; both change before each test. */
export interface WatchWorkspace {
  dir: string;
  dbPath: string;
}

/** A fresh temp folder per test with `archive.db` as the archive, removed after the test, so tests share no state. */
export function useWatchWorkspace(prefix: string): WatchWorkspace {
  const work: WatchWorkspace = { dir: '', dbPath: '' };
  let cleanup = (): void => undefined;
  beforeEach(() => {
    const temp = tempDir(prefix);
    work.dir = temp.dir;
    work.dbPath = join(temp.dir, 'archive.db');
    cleanup = temp.cleanup;
  });
  afterEach(() => cleanup());
  return work;
}

/** Writes a feeds file into the workspace and returns its path, for `--config`. */
export function writeFeedsFile(work: WatchWorkspace, yaml: string, name = 'assess.feeds.yaml'): string {
  const path = join(work.dir, name);
  writeFileSync(path, yaml);
  return path;
}

/** Rows of `sql` read from the workspace's archive opened read-only (closed again, so the CLI never waits on it). */
export function queryArchive<T>(work: WatchWorkspace, sql: string, ...params: unknown[]): T[] {
  return withRaw(work.dbPath, (db) => db.prepare(sql).all(...params) as T[], { readonly: true });
}

/** The row titled `title`, failing the test with the titles there are when there is none. */
export function rowTitled<T extends { title: string }>(rows: T[], title: string): T {
  const row = rows.find((r) => r.title === title);
  if (!row) throw new Error(`no feed item titled ${JSON.stringify(title)}; have ${JSON.stringify(rows.map((r) => r.title))}`);
  return row;
}

/** The CLI as the watch tests run it. */
export interface WatchCli {
  /** Any command, in the workspace, against the fake OpenAI endpoint and the workspace's archive. */
  run(args: string[]): Promise<CapturedRun>;
  /** `watch --once` without retries and with a short timeout, so a fake's answer is final; `extra` appended. */
  watchOnce(configPath: string, extra?: string[]): Promise<CapturedRun>;
  /** `feeds status`, with `--format` only when given. */
  feedsStatus(configPath: string, format?: 'text' | 'json'): Promise<CapturedRun>;
}

/** Runs the CLI in the workspace with `openaiKey`, the openai provider and the workspace's archive, as a user would. */
export function watchCli(openaiKey: string, work: WatchWorkspace): WatchCli {
  const run = (args: string[]): Promise<CapturedRun> =>
    runCliCaptured(args, { env: { OPENAI_API_KEY: openaiKey, ASSESS_PROVIDER: 'openai', ASSESS_DB: work.dbPath }, cwd: work.dir });
  return {
    run,
    watchOnce: (configPath, extra = []) => run(['watch', '--once', '--config', configPath, '--retries', '0', '--timeout', '10', ...extra]),
    feedsStatus: (configPath, format) => run(['feeds', 'status', '--config', configPath, ...(format ? ['--format', format] : [])]),
  };
}

// ---------------------------------------------------------------------------------------------
// Driving the Watcher directly (as watch.ts builds it).

/** A feed entry as the feeds file would give it (every 15m, agents: auto, no filters, no article fetch), served at `base` + `path`. */
export function feedConfig(name: string, path: string, overrides: Partial<FeedConfig> = {}, base: string = FEEDS): FeedConfig {
  return {
    name,
    url: `${base}${path}`,
    schedule: { everyMs: 15 * 60_000 },
    agents: 'auto',
    include: [],
    exclude: [],
    maxItemsPerPoll: 20,
    fetchArticle: false,
    ...overrides,
  };
}

/** The Watcher's HTTP settings in tests; `fetch` is looked up at call time, so msw's patched global fetch is the one used. */
export function watcherHttp(timeoutMs = 5_000): WatcherDeps['http'] {
  return { fetch: (input, init) => fetch(input, init), timeoutMs, maxBytes: 1_000_000, userAgent: 'assess-test/1.0' };
}

/** Run options without retries or repairs (a fake's answer is final), asking `concurrency` desks at once within a run. */
export function watchRunOptions(concurrency: number): RunOptions {
  return {
    concurrency,
    timeoutMs: 10_000,
    maxRepairs: 0,
    maxOutputTokens: 8192,
    retry: { maxRetries: 0, baseDelayMs: 10, maxDelayMs: 10 },
  };
}

/** What watch.ts hands the Watcher besides the archive and config: the shipped desks, prompts and models. */
export interface WatchEngine {
  desks: AgentDefinition[];
  prompts: PromptSet;
  models: Models;
}

/** Test Watchers over one engine. */
export interface Watchers {
  /** A Watcher on `db` with the test's settings; `overrides` replace any dependency. */
  make(db: Database, config: WatchConfig, overrides?: Partial<WatcherDeps>): Watcher;
  /** Runs `once()` on a fresh connection to the workspace's archive (a new process, as far as the watcher knows); returns its events. */
  once(config: WatchConfig, overrides?: Partial<WatcherDeps>): Promise<WatchEvent[]>;
}

/**
 * Builds the engine once for the file (beforeAll), as `--provider openai --retries 0 --timeout 10`
 * would, and returns Watchers over it: `runOptions` for each run, `concurrency` stories at once.
 */
export function useWatchers(options: { openaiKey: string; work: WatchWorkspace; runOptions: RunOptions; concurrency: number }): Watchers {
  let engine: WatchEngine | undefined;
  beforeAll(async () => {
    const desks = await loadAgents(DEFAULT_PATHS.agentsDir);
    const config = resolveConfig({ provider: 'openai', retries: '0', timeout: '10' }, { OPENAI_API_KEY: options.openaiKey }, DEFAULT_PATHS);
    engine = { desks, prompts: await loadPrompts(DEFAULT_PATHS.promptsDir), models: await buildModels(config, desks) };
  });
  const make: Watchers['make'] = (db, config, overrides = {}) => {
    if (!engine) throw new Error('useWatchers: the engine is built in beforeAll; make Watchers inside tests');
    return new Watcher({
      db,
      config,
      desks: engine.desks,
      http: watcherHttp(),
      assess: { models: engine.models, prompts: engine.prompts, runOptions: options.runOptions },
      concurrency: options.concurrency,
      ...overrides,
    });
  };
  const once: Watchers['once'] = async (config, overrides = {}) => {
    const events: WatchEvent[] = [];
    const db = openArchive(options.work.dbPath);
    try {
      await make(db, config, { onEvent: (e) => events.push(e), ...overrides }).once();
    } finally {
      db.close();
    }
    return events;
  };
  return { make, once };
}
