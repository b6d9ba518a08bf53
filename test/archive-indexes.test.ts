import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listRunsSql } from '../src/archive/list-runs.js';
import { openArchive } from '../src/archive/open-archive.js';

const dir = mkdtempSync(join(tmpdir(), 'assess-indexes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runs list reads its per-run figures from indexes', () => {
  it('the cost and desk counts come from covering indexes, not the large calls and desk_results rows', () => {
    const db = openArchive(join(dir, 'a.db'));
    try {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${listRunsSql('')}`).all({ limit: 50 }) as { detail: string }[]).map((r) => r.detail);
      expect(plan).toContain('SEARCH c USING COVERING INDEX calls_run_cost (run_id=?)');
      expect(plan).toContain('SEARCH d USING COVERING INDEX desk_results_run_status (run_id=? AND status=?)');
      // The rows themselves are never read for these columns.
      expect(plan.filter((d) => /^SEARCH (c|d) USING INDEX /.test(d))).toEqual([]);
    } finally {
      db.close();
    }
  });
});
