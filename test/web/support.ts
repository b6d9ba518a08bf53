import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openArchive } from '../../src/archive/open-archive.js';
import { DEFAULT_ASSETS_DIR } from '../../src/web/assets.js';
import { createWebApp } from '../../src/web/app.js';
import type { WebDeps } from '../../src/web/deps.js';
import { buildForecastArchive } from '../support/forecast-archive.js';

/**
 * A workspace over a throwaway archive made from the two demo events (replay, through the built
 * CLI): `request()` calls the app in-process, Hono's own test harness, no network. Cookies are
 * kept like a browser keeps them, so CSRF-protected forms can be posted.
 */
export interface WebFixture {
  dir: string;
  db: string;
  threadId: string;
  runs: string[];
  deps: WebDeps;
  request: (path: string, init?: RequestInit & { cookies?: boolean }) => Promise<Response>;
  /** The CSRF token the last page set (from the cookie jar). */
  csrf: () => string;
  close: () => void;
}

export function webFixture(options: { token?: string | null; build?: boolean } = {}): WebFixture {
  const dir = mkdtempSync(join(tmpdir(), 'assess-web-'));
  const db = join(dir, 'assess.db');
  const built = options.build === false ? { threadId: '', runs: [] } : buildForecastArchive(db);
  const write = openArchive(db);
  const read = new Database(db, { readonly: true, fileMustExist: true });
  const deps: WebDeps = { dbPath: db, read, write, token: options.token ?? null, now: () => new Date(), assetsDir: DEFAULT_ASSETS_DIR };
  const { fetch } = createWebApp(deps);
  const jar = new Map<string, string>();
  const request = async (path: string, init: RequestInit & { cookies?: boolean } = {}) => {
    const headers = new Headers(init.headers);
    if (init.cookies !== false && jar.size > 0) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(new Request(`http://127.0.0.1${path}`, { ...init, headers }));
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
    return response;
  };
  return {
    dir,
    db,
    threadId: built.threadId,
    runs: built.runs,
    deps,
    request,
    csrf: () => jar.get('assess_csrf') ?? '',
    close: () => {
      read.close();
      write.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
