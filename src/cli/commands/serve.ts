import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { openArchive } from '../../archive/open-archive.js';
import { InputError } from '../../errors/index.js';
import { DEFAULT_ASSETS_DIR } from '../../web/assets.js';
import { isLoopbackHost, newToken } from '../../web/security.js';
import { startWebServer } from '../../web/server.js';
import { archivePath } from '../archive-access.js';
import { optionalFeedsFile } from '../feeds-file.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { interruptExitCode } from '../interrupt.js';
import type { CliIo } from '../io.js';
import { environmentWithDotenv } from '../load-env.js';
import { loadDesksAndPrompts, resolveRunConfig } from '../plan-run.js';
import type { Database as ArchiveDb } from 'better-sqlite3';
import type { ConfigFlags } from '../../config/resolve-config.js';
import { withAbsolutePaths } from '../../config/resolve-config.js';
import { createLauncher } from '../../web/launcher.js';
import type { AssessmentLauncher } from '../../web/deps.js';

export interface ServeOptions extends ConfigFlags {
  db?: string;
  port?: string;
  host?: string;
  open?: boolean;
  token?: string;
  /** The feeds file for /feeds (default: assess.feeds.yaml here, if it exists). */
  feeds?: string;
}

export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '127.0.0.1';

function parsePort(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PORT;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InputError(`--port ${value}: expected a port number from 0 to 65535`);
  return n;
}

/** Opens the URL in the system browser; a machine without one just does not open it. */
function openInBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // Best effort: the URL is printed anyway.
  }
}

/**
 * The launcher `/new` starts runs with, configured as `assess run` is (flags > environment and
 * .env > settings file > defaults), writing to the workspace's archive connection. Bad settings
 * (an unknown provider, a broken desk file) stop the server at start like they stop a run; a
 * missing API key only makes `/new` say so.
 */
export async function launcherFor(options: ServeOptions, io: CliIo, db: ArchiveDb): Promise<AssessmentLauncher> {
  const { config, abs } = resolveRunConfig({ ...options, format: 'md' }, io);
  const { agents, prompts } = await loadDesksAndPrompts(config, abs, {});
  return createLauncher({ config: withAbsolutePaths(config, abs), agents, prompts, db, stderr: io.stderr, ...(io.fetch ? { fetch: io.fetch } : {}) });
}

/**
 * `assess serve [--db FILE] [--port 8080] [--host 127.0.0.1] [--token T] [--open]`: the browser
 * workspace over the archive, until Ctrl-C (exit 130; SIGTERM 143). On a host other than loopback
 * an access token is required: `--token` or $ASSESS_SERVE_TOKEN, else one is generated and printed
 * once, in the URL. Pages read through a read-only connection, so `watch` keeps writing meanwhile.
 */
export async function serveCommand(options: ServeOptions, io: CliIo): Promise<ExitCode> {
  const port = parsePort(options.port);
  const host = (options.host ?? DEFAULT_HOST).trim();
  if (host === '') throw new InputError('--host is empty');
  const env = environmentWithDotenv(io.env, io.cwd);
  const given = (options.token ?? env['ASSESS_SERVE_TOKEN'] ?? '').trim();
  if (given !== '' && given.length < 16) throw new InputError('--token: use at least 16 characters');
  const token = given !== '' ? given : isLoopbackHost(host) ? null : newToken();

  // The feeds file, as `assess feeds status` finds it: --feeds, else assess.feeds.yaml here if it exists.
  const feedsConfig = await optionalFeedsFile(options.feeds, io.cwd);

  const path = await archivePath(options, io);
  // The write connection creates and migrates the archive first; the read connection needs it to exist.
  const write = openArchive(path);
  const read = new Database(path, { readonly: true, fileMustExist: true });
  let server;
  let launcher: AssessmentLauncher | undefined;
  try {
    launcher = await launcherFor({ ...options, db: path }, io, write);
    server = await startWebServer(
      { dbPath: path, read, write, token, now: () => new Date(), assetsDir: DEFAULT_ASSETS_DIR, launcher, ...(feedsConfig ? { feedsConfig } : {}) },
      host,
      port,
    );
  } catch (error) {
    await launcher?.close();
    read.close();
    write.close();
    throw error;
  }
  const url = token !== null && given === '' ? `${server.url}?token=${token}` : server.url;
  io.stdout.write(`${url}\n`);
  io.stderr.write(
    `assess serve: ${path}${token !== null ? (given === '' ? '; access token generated (shown once, in the URL above)' : '; access token required') : ''}; Ctrl-C stops\n`,
  );
  if (options.open) openInBrowser(url);
  const unavailable = launcher.unavailable();
  if (unavailable) io.stderr.write(`assess serve: ${unavailable}\n`);

  const code = await new Promise<ExitCode>((resolve) => {
    const done = () => resolve(interruptExitCode(io.signal) ?? EXIT.cancelled);
    if (io.signal.aborted) done();
    else io.signal.addEventListener('abort', done, { once: true });
  });
  // Runs in flight are cut and archived as cancelled (resumable) before the connections close.
  await launcher.close();
  await server.close();
  read.close();
  write.close();
  io.stderr.write('assess serve: stopped\n');
  return code;
}
