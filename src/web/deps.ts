import type { Database } from 'better-sqlite3';
import type { Context } from 'hono';
import type { WatchConfig } from '../feeds/types.js';
import type { SecurityVariables } from './security.js';

/**
 * What the workspace is given (everything passed in, so tests build it around a temporary archive):
 * the archive connections, the access token, the clock, and the launcher `/new` starts runs with.
 */
export interface WebDeps {
  /** The archive file, for messages. */
  dbPath: string;
  /**
   * Read-only connection for pages. In WAL mode it sees every commit `watch` or `run` makes and
   * never blocks them.
   */
  read: Database;
  /** Read-write connection for what the workspace records: reviews and resolutions. */
  write: Database;
  /** Required on every request when set; null on a loopback bind without --token. */
  token: string | null;
  now: () => Date;
  /** Folder of app.css and app.js. */
  assetsDir: string;
  /**
   * The feeds file `watch` runs from (feeds, schedules, daily limits), for `/feeds` as `assess feeds
   * status` reads it; absent, `/feeds` shows what the archive knows.
   */
  feedsConfig?: WatchConfig;
  /** Starts assessments for `/new`; absent, the page says it is unavailable. */
  launcher?: AssessmentLauncher;
}

/** `/new`: start an assessment with the CLI's pipeline, budget and rate limits, and follow it. */
export interface AssessmentLauncher {
  /** Desks that can be chosen. */
  desks(): { id: string; name: string }[];
  /** Why no run can start (no usable provider, e.g. no API key), in one line; null when runs can start. */
  unavailable(): string | null;
  /** Starts a run; resolves once it has an id for the progress page. */
  start(input: LaunchInput): Promise<{ jobId: string }>;
  /** A job's progress now, or null when unknown. */
  status(jobId: string): JobStatus | null;
  /** Progress events of a job until it ends; the function returned unsubscribes. */
  subscribe(jobId: string, listener: (status: JobStatus) => void): () => void;
  /** Server shutdown: aborts the run in flight (archived as cancelled, resumable) and waits for it. */
  close(): Promise<void>;
}

export interface LaunchInput {
  title?: string;
  text?: string;
  /** An http(s) news page, fetched and read as `assess run <URL>` reads it. */
  url?: string;
  /** An uploaded event file; its name's extension gives the format (.md, .txt, .json, .yaml). */
  file?: { name: string; bytes: Uint8Array };
  desks: string[];
}

export interface JobStatus {
  jobId: string;
  /** The event's title, as read. */
  title: string;
  state: 'starting' | 'running' | 'done' | 'failed';
  runId: string | null;
  desks: { id: string; state: 'queued' | 'running' | 'ok' | 'failed' }[];
  message: string | null;
}

export type WebEnv = { Variables: SecurityVariables };
export type WebContext = Context<WebEnv>;
export type PageHandler = (c: WebContext, deps: WebDeps) => Response | Promise<Response>;
