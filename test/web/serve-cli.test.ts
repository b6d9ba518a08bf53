/**
 * `assess serve` as a user starts it (the built CLI in a child process): it prints its URL, serves
 * the archive, refuses requests without the token on a non-loopback bind, exits 130 on Ctrl-C,
 * and bad options are exit 2 with one line. Run `npm run build` after changing src/.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../bench/spawn-cli.js';
import { ROOT } from '../support/paths.js';

function startServe(args: string[]): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' } });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL: ${stderr}`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('http://'));
      if (line) {
        clearTimeout(timer);
        resolve({ child, url: line.trim(), stderr: () => stderr });
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
}

const exitCode = (child: ChildProcess): Promise<number | null> => new Promise((resolve) => child.once('exit', (code) => resolve(code)));

describe('assess serve', () => {
  let dir: string;
  let db: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'assess-serve-'));
    db = join(dir, 'assess.db');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints its loopback URL, serves pages, and exits 130 on SIGINT', async () => {
    const { child, url, stderr } = await startServe(['--db', db, '--port', '0']);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h1>Runs</h1>');
    const exited = exitCode(child);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr()).toContain('assess serve: stopped');
  });

  it('on a non-loopback host: a token is generated and printed once in the URL; requests without it get 401', async () => {
    const { child, url } = await startServe(['--db', db, '--port', '0', '--host', '0.0.0.0']);
    const match = /^http:\/\/0\.0\.0\.0:(\d+)\/\?token=([A-Za-z0-9_-]{43})$/.exec(url);
    expect(match, url).not.toBeNull();
    const base = `http://127.0.0.1:${match![1]}/`;
    const refused = await fetch(base);
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('access token is required');
    const allowed = await fetch(base, { headers: { authorization: `Bearer ${match![2]}` } });
    expect(allowed.status).toBe(200);
    const exited = exitCode(child);
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
  });

  it('bad options: exit 2 with one line', () => {
    for (const [args, message] of [
      [['--port', '70000'], '--port 70000: expected a port number from 0 to 65535'],
      [['--token', 'short'], '--token: use at least 16 characters'],
      [['--host', '203.0.113.77', '--port', '0'], '--host 203.0.113.77: not an address of this machine'],
      [['--feeds', 'no-such-feeds.yaml', '--port', '0'], 'no-such-feeds.yaml'],
    ] as [string[], string][]) {
      const r = spawnSync(process.execPath, [CLI, 'serve', '--db', db, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 15_000 });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(message);
    }
  });
});
