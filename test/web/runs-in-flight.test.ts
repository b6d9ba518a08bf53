/**
 * Runs in flight for `/feeds` (src/archive/runs-in-flight.ts): runs stored as running whose process
 * lives, with their planned desks and the desks that have a result; a run whose process died is
 * incomplete, not in flight.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openArchive } from '../../src/archive/open-archive.js';
import { runsInFlight } from '../../src/archive/runs-in-flight.js';
import { createWebApp } from '../../src/web/app.js';
import { DEFAULT_ASSETS_DIR } from '../../src/web/assets.js';

describe('runsInFlight', () => {
  it('lists live running runs with desk progress (a desk that failed then succeeded counts as ok), not dead or finished ones; /feeds shows them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'assess-inflight-'));
    const db = openArchive(join(dir, 'assess.db'));
    try {
      const insert = db.prepare(
        `INSERT INTO runs (id, event_id, event_title, event_json, desks_json, synthesis_model_json, prompt_hashes_json, options_json, started_at, status, pid, host)
         VALUES (?, 'e1', ?, '{}', ?, '{}', '{}', '{}', ?, ?, ?, ?)`,
      );
      const desks = JSON.stringify([{ agentId: 'JP-01' }, { agentId: 'US-01' }, { agentId: 'CN-01' }, { agentId: 'KR-01' }]);
      insert.run('live', 'Live <b>run</b>', desks, '2025-10-01T10:00:00Z', 'running', process.pid, hostname());
      insert.run('dead', 'Dead run', desks, '2025-10-01T09:00:00Z', 'running', 2 ** 22 + 12345, hostname());
      insert.run('over', 'Finished run', desks, '2025-10-01T08:00:00Z', 'ok', process.pid, hostname());
      const result = db.prepare(
        `INSERT INTO desk_results (run_id, agent_id, round, status, finished_at) VALUES ('live', ?, ?, ?, '2025-10-01T10:01:00Z')`,
      );
      result.run('JP-01', 1, 'ok');
      result.run('US-01', 1, 'failed');
      result.run('CN-01', 1, 'failed');
      result.run('CN-01', 2, 'ok');
      expect(runsInFlight(db)).toEqual([
        { runId: 'live', eventTitle: 'Live <b>run</b>', startedAt: '2025-10-01T10:00:00Z', desks: 4, ok: 2, failed: 1, pending: ['KR-01'] },
      ]);
      // The page shows it with its progress, the title as text.
      const read = new Database(join(dir, 'assess.db'), { readonly: true });
      try {
        const { fetch } = createWebApp({ dbPath: join(dir, 'assess.db'), read, write: db, token: null, now: () => new Date(), assetsDir: DEFAULT_ASSETS_DIR });
        const body = await (await fetch(new Request('http://127.0.0.1/feeds'))).text();
        expect(body).toContain('<span data-field="run-0-progress">3/4 desks (1 failed); waiting: KR-01</span>');
        expect(body).toContain('Live &lt;b&gt;run&lt;/b&gt;');
        expect(body).not.toContain('Dead run');
      } finally {
        read.close();
      }
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
