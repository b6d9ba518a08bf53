import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/paths.js';

/**
 * The shipped CLI (`node dist/cli/main.js`, the esbuild bundle, no TypeScript loader) in a child
 * process, as a user runs it: wall time from spawn to exit, and the child's own peak RSS and CPU
 * time as it reports them at exit (test/bench/report-peak-rss.mjs).
 */
export interface CliProcess {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Peak resident set size of the child, MiB (null when it died before reporting). */
  peakRssMiB: number | null;
  /** User + system CPU time of the child, ms. */
  cpuMs: number | null;
  /** When the child was spawned, on `benchClock` (so a local server can time its requests from it). */
  spawnedAt: number;
}

/**
 * Epoch milliseconds with sub-millisecond resolution, for comparing a spawn time with a fake
 * server's request times in this process (pass it as the server's clock).
 */
export const benchClock = (): number => performance.timeOrigin + performance.now();

export const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const REPORTER = join(ROOT, 'test', 'bench', 'report-peak-rss.mjs');

/** Throws unless dist/ is built: whole-process figures measure the shipped bundle, never src/. */
export function requireDist(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (the whole-process figures run the shipped CLI)`);
}

export interface SpawnOptions {
  killAfterMs?: number;
  cwd?: string;
  /**
   * Load the reporter of peak RSS and CPU into the child (default true). Off, the child is exactly
   * `node dist/cli/main.js …` as a user starts it (for wall-time figures); peakRssMiB and cpuMs are null.
   */
  usage?: boolean;
}

export function spawnCli(args: readonly string[], env: Record<string, string> = {}, options: SpawnOptions = {}): Promise<CliProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'assess-bench-proc-'));
  const file = join(dir, 'process.json');
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    const spawnedAt = benchClock();
    const preload = options.usage === false ? [] : ['--import', REPORTER];
    const child = spawn(process.execPath, [...preload, CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      // A clean environment: no developer keys, no ASSESS_* settings leaking in.
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, BENCH_PROCESS_FILE: file, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const watchdog = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 600_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(watchdog);
      const wallMs = benchClock() - spawnedAt;
      let peakRssMiB: number | null = null;
      let cpuMs: number | null = null;
      try {
        const usage = JSON.parse(readFileSync(file, 'utf8')) as { maxRssKiB: number; userCpuUs: number; systemCpuUs: number };
        peakRssMiB = usage.maxRssKiB / 1024;
        cpuMs = (usage.userCpuUs + usage.systemCpuUs) / 1000;
      } catch {
        // Killed before its exit handler ran.
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, signal, stdout, stderr, wallMs, peakRssMiB, cpuMs, spawnedAt });
    };
    child.on('error', (error) => {
      stderr += `spawn error: ${error.message}\n`;
      finish(null, null);
    });
    child.on('close', finish);
  });
}
