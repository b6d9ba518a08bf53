import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LATEST_VERSION, createArchiveAtVersion } from '../src/archive/index.js';
import { withRaw } from './support/archive-fixtures.js';
import { runCliCaptured } from './support/cli-io.js';
import { useWatchWorkspace } from './support/watch-harness.js';

/**
 * An archive written before feed items had attempts and a `failed` status (schema v4) is upgraded
 * in place by the first command that opens it: every row kept, ids and dedupe keys intact, and the
 * items earlier versions wrongly counted as assessed (done with a failed run, or set aside as
 * skipped after repeated failures) turned into `failed` items a person can retry.
 */

const work = useWatchWorkspace('watch-upgrade');

const RUN_COLUMNS = 'id, event_id, event_title, event_json, desks_json, synthesis_model_json, prompt_hashes_json, options_json, started_at, status';

/** A v4 archive holding every kind of feed item an earlier watcher could leave behind. */
function writeV4Archive(path: string): void {
  const db = createArchiveAtVersion(path, 4);
  try {
    const run = db.prepare(`INSERT INTO runs (${RUN_COLUMNS}) VALUES (?, 'e', ?, '{}', '[]', '{}', '{}', '{}', '2025-10-01T06:00:00Z', ?)`);
    run.run('run-ok', 'ok story', 'ok');
    run.run('run-degraded-synth', 'degraded story with synthesis', 'degraded');
    run.run('run-degraded-none', 'degraded story without synthesis', 'degraded');
    run.run('run-failed', 'failed story', 'failed');
    const synthesis = db.prepare("INSERT INTO syntheses (run_id, version, risk_view_json, error, created_at) VALUES (?, ?, ?, ?, '2025-10-01T06:05:00Z')");
    synthesis.run('run-ok', 1, '{}', null);
    synthesis.run('run-degraded-synth', 1, '{}', null);
    // A synthesis that worked once and then failed on a resume is no assessment: the latest version counts.
    synthesis.run('run-degraded-none', 1, '{}', null);
    synthesis.run('run-degraded-none', 2, null, 'no synthesis: budget reached');
    synthesis.run('run-failed', 1, null, 'no desk produced a valid assessment');
    db.prepare("INSERT INTO feeds (name, url, items_seen, items_assessed, items_skipped) VALUES ('economy', 'https://feeds.test/economy.rss', 8, 4, 2)").run();
    const item = db.prepare(`INSERT INTO feed_items (id, feed, title_fingerprint, title, first_seen_at, sources_json, event_json, event_id,
      text_source, route_json, status, skip_reason, run_id, updated_at)
      VALUES (?, 'economy', ?, ?, '2025-10-01T06:00:00Z', '[]', '{}', 'e', 'feed', ?, ?, ?, ?, '2025-10-01T06:00:00Z')`);
    const route = '{"agents":["JP-01"],"method":"auto","reason":"JP-01: Japan"}';
    item.run(1, 'a', 'ok story', route, 'done', null, 'run-ok');
    item.run(2, 'b', 'degraded story with synthesis', route, 'done', null, 'run-degraded-synth');
    item.run(3, 'c', 'degraded story without synthesis', route, 'done', null, 'run-degraded-none');
    item.run(4, 'd', 'failed story', route, 'done', null, 'run-failed');
    item.run(5, 'e', 'set-aside story', route, 'skipped', 'failed 3 times: HTTP 500 upstream', null);
    item.run(6, 'f', 'filtered story', null, 'skipped', 'excluded by filter "sports"', null);
    item.run(7, 'g', 'queued story', route, 'queued', null, null);
    item.run(8, 'h', 'running story', route, 'running', null, null);
    const key = db.prepare('INSERT INTO feed_item_keys (key, item_id) VALUES (?, ?)');
    for (let id = 1; id <= 8; id++) {
      key.run(`economy|guid:${id}`, id);
      key.run(`link:https://news.test/${id}`, id);
    }
  } finally {
    db.close();
  }
}

interface Row {
  id: number;
  title: string;
  status: string;
  attempts: number;
  last_error: string | null;
  skip_reason: string | null;
  run_id: string | null;
}

describe('upgrading a v4 archive', () => {
  it('keeps every item and key, fails what was never assessed, and fixes the counters; feeds retry then requeues those', async () => {
    const path = join(work.dir, 'old.db');
    writeV4Archive(path);
    const env = { ASSESS_DB: path };

    // Any command opening the archive upgrades it.
    const status = await runCliCaptured(['feeds', 'status', '--format', 'json'], { env, cwd: work.dir });
    expect(status.code, status.stderr).toBe(0);

    const after = withRaw(
      path,
      (db) => ({
        version: db.pragma('user_version', { simple: true }) as number,
        integrity: db.pragma('integrity_check', { simple: true }) as string,
        foreignKeys: db.pragma('foreign_key_check') as unknown[],
        rows: db.prepare('SELECT id, title, status, attempts, last_error, skip_reason, run_id FROM feed_items ORDER BY id').all() as Row[],
        keys: db.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT item_id) AS items FROM feed_item_keys').get() as { n: number; items: number },
        feed: db.prepare('SELECT items_seen, items_assessed, items_skipped, parse_warning FROM feeds').get(),
        keysSchema: db.prepare("SELECT sql FROM sqlite_master WHERE name = 'feed_item_keys'").pluck().get() as string,
      }),
      { readonly: true },
    );
    expect(after.version).toBe(LATEST_VERSION);
    expect(after.integrity).toBe('ok');
    expect(after.foreignKeys).toEqual([]);
    expect(after.keysSchema).toMatch(/REFERENCES "?feed_items"?\(id\)/);
    expect(after.keys).toEqual({ n: 16, items: 8 });
    expect(after.feed).toEqual({ items_seen: 8, items_assessed: 2, items_skipped: 1, parse_warning: null });
    expect(after.rows.map((r) => [r.id, r.status, r.attempts, r.run_id])).toEqual([
      [1, 'done', 0, 'run-ok'],
      [2, 'done', 0, 'run-degraded-synth'],
      [3, 'failed', 1, 'run-degraded-none'],
      [4, 'failed', 1, 'run-failed'],
      [5, 'failed', 3, null],
      [6, 'skipped', 0, null],
      [7, 'queued', 0, null],
      [8, 'running', 0, null],
    ]);
    expect(after.rows[2]).toMatchObject({ last_error: 'its run ended degraded without a synthesis (marked done by an earlier version of assess)' });
    expect(after.rows[3]).toMatchObject({ last_error: 'its run ended failed without a synthesis (marked done by an earlier version of assess)' });
    expect(after.rows[4]).toMatchObject({ last_error: 'failed 3 times: HTTP 500 upstream', skip_reason: null });
    expect(after.rows[5]).toMatchObject({ skip_reason: 'excluded by filter "sports"', last_error: null });

    const json = JSON.parse(status.stdout) as { failed: { id: number }[]; queue: Record<string, number> };
    expect(json.failed.map((f) => f.id)).toEqual([3, 4, 5]);
    expect(json.queue).toEqual({ queued: 1, retrying: 0, running: 1, done: 2, skipped: 1, failed: 3 });

    const retried = await runCliCaptured(['feeds', 'retry', '--all-failed'], { env, cwd: work.dir });
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stdout).toBe(
      [
        'requeued #3 "degraded story without synthesis" (economy); run run-degr will be continued',
        'requeued #4 "failed story" (economy); run run-fail will be continued',
        'requeued #5 "set-aside story" (economy)',
        '',
      ].join('\n'),
    );
    const statuses = withRaw(path, (db) => db.prepare('SELECT status FROM feed_items ORDER BY id').pluck().all(), { readonly: true });
    expect(statuses).toEqual(['done', 'done', 'queued', 'queued', 'queued', 'skipped', 'queued', 'running']);
  });
});
