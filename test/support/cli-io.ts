import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/program.js';

export interface CapturedRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs archive into a throwaway database per test file unless a test sets ASSESS_DB itself, so
 * no test ever writes to the real user data directory.
 */
const scratch = mkdtempSync(join(tmpdir(), 'assess-test-db-'));
export const TEST_DB = join(scratch, 'assess.db');
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

/**
 * Runs the CLI in-process with captured output. The environment starts empty (no real keys or
 * .env leak in) and the working directory defaults to a folder with no .env.
 */
export async function runCliCaptured(
  argv: string[],
  options: { env?: Record<string, string>; stdin?: string; cwd?: string; fetch?: typeof fetch; signal?: AbortSignal } = {},
): Promise<CapturedRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    stdin: Readable.from(options.stdin !== undefined ? [Buffer.from(options.stdin, 'utf8')] : []),
    env: { ASSESS_DB: TEST_DB, ...options.env },
    cwd: options.cwd ?? process.cwd(),
    signal: options.signal ?? new AbortController().signal,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}
