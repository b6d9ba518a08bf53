/**
 * The workspace reads the archive while others write it (issue 15 §1): pages answer while another
 * connection holds the write lock (WAL: readers never wait for a writer), and a run archived by
 * another process after the server started shows on the next request, with no restart.
 */
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../bench/spawn-cli.js';
import { ROOT, SEED_EVENT } from '../support/paths.js';
import { webFixture, type WebFixture } from './support.js';

describe('pages while the archive is being written', () => {
  let fx: WebFixture;
  beforeAll(() => {
    fx = webFixture();
  }, 120_000);
  afterAll(() => fx?.close());

  it('answers while another connection holds the write lock', async () => {
    const writer = new Database(fx.db, { timeout: 0 });
    try {
      writer.exec('BEGIN IMMEDIATE');
      writer.prepare("UPDATE runs SET host = host WHERE id = ?").run(fx.runs[0]);
      const started = performance.now();
      const list = await fx.request('/index.json');
      const run = await fx.request(`/runs/${fx.runs[0]}`);
      expect(list.status).toBe(200);
      expect(run.status).toBe(200);
      // No busy wait: a reader in WAL mode does not queue behind the writer.
      expect(performance.now() - started).toBeLessThan(2000);
      writer.exec('COMMIT');
    } finally {
      writer.close();
    }
  });

  it('shows a run another process archived after the server opened the archive', async () => {
    const before = ((await (await fx.request('/index.json')).json()) as { runs: { runId: string }[] }).runs.length;
    const r = spawnSync(process.execPath, [CLI, 'run', SEED_EVENT, '--provider', 'replay', '--db', fx.db, '--format', 'json', '--no-progress'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(r.status, r.stderr).toBe(0);
    const runId = (JSON.parse(r.stdout) as { runId: string }).runId;
    const after = ((await (await fx.request('/index.json')).json()) as { runs: { runId: string }[] }).runs;
    expect(after).toHaveLength(before + 1);
    expect(after[0]!.runId).toBe(runId);
    expect((await fx.request(`/runs/${runId}`)).status).toBe(200);
  });
});
