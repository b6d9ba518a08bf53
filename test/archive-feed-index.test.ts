/**
 * Migration 11: runs are filtered and counted by the feed they came from (the workspace's feed
 * facet) through an index on feed_items.run_id, not a scan of every item the watcher saw.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { filterSql, openArchive, parseFilters } from '../src/archive/index.js';

describe('feed items indexed by run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'assess-feed-index-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the feed filter of runs list and the runs page searches the index', () => {
    const db = openArchive(join(dir, 'assess.db'));
    try {
      const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'feed_items'").all() as { name: string }[]).map((r) => r.name);
      expect(indexes).toContain('feed_items_run');
      const { where, params } = filterSql(parseFilters({ feed: 'nikkei' }));
      const plan = (db.prepare(`EXPLAIN QUERY PLAN SELECT r.id FROM runs r ${where}`).all(params) as { detail: string }[]).map((r) => r.detail).join(' | ');
      expect(plan).toContain('USING INDEX feed_items_run');
      expect(plan).not.toMatch(/SCAN fi\b/);
    } finally {
      db.close();
    }
  });
});
