import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { openArchive } from '../../archive/open-archive.js';
import { InputError } from '../../errors/index.js';
import { DEFAULT_ASSETS_DIR } from '../../web/assets.js';
import { isLoopbackHost, newToken } from '../../web/security.js';
import { startWebServer } from '../../web/server.js';
import { archivePath } from '../archive-access.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { interruptExitCode } from '../interrupt.js';
import type { CliIo } from '../io.js';
import { environmentWithDotenv } from '../load-env.js';

export interface ServeOptions {
  db?: string;
  port?: string;
  host?: string;
  open?: boolean;
  token?: string;
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

  const path = await archivePath(options, io);
  // The write connection creates and migrates the archive first; the read connection needs it to exist.
  const write = openArchive(path);
  const read = new Database(path, { readonly: true, fileMustExist: true });
  let server;
  try {
    server = await startWebServer({ dbPath: path, read, write, token, now: () => new Date(), assetsDir: DEFAULT_ASSETS_DIR }, host, port);
  } catch (error) {
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

  const code = await new Promise<ExitCode>((resolve) => {
    const done = () => resolve(interruptExitCode(io.signal) ?? EXIT.cancelled);
    if (io.signal.aborted) done();
    else io.signal.addEventListener('abort', done, { once: true });
  });
  await server.close();
  read.close();
  write.close();
  io.stderr.write('assess serve: stopped\n');
  return code;
}
