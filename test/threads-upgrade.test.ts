import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArchiveAtVersion } from '../src/archive/open-archive.js';
import { tempDir, withRaw } from './support/archive-fixtures.js';
import { runCliCaptured } from './support/cli-io.js';
import { REPLAY_DIR, SEED_EVENT } from './support/paths.js';
import { deskAssessment, riskView } from './support/thread-store-fixtures.js';

/**
 * An archive written before threads (schema v6) is upgraded by the first command that opens it
 * (migration 7): each event archived before becomes a thread of its own, `th-` + the first 10 hex of
 * its event id, with a `backfill` decision; every run is kept as it was, now naming its thread.
 */

const SEED_ID = 'a650d00f1aebde57';
const OTHER_ID = '0123456789abcdef';
let work: { dir: string; cleanup: () => void };
let path: string;

const RUN_COLUMNS = 'id, event_id, event_title, event_json, desks_json, synthesis_model_json, prompt_hashes_json, options_json, started_at, finished_at, status';

beforeAll(() => {
  work = tempDir('threads-upgrade');
  path = join(work.dir, 'v6.db');
  const db = createArchiveAtVersion(path, 6);
  try {
    const run = db.prepare(`INSERT INTO runs (${RUN_COLUMNS}) VALUES (?, ?, ?, ?, '[]', '{}', '{}', '{}', ?, ?, 'ok')`);
    const seedEvent = JSON.stringify({ title: 'Japan Unveils $550B U.S. Investment', summary: 'Japan sets up a JBIC facility.', publishedAt: '2025-09-26T00:00:00.000Z', tags: [] });
    run.run('11111111-0000-0000-0000-000000000001', SEED_ID, 'Japan Unveils $550B U.S. Investment', seedEvent, '2025-09-27T08:00:00.000Z', '2025-09-27T08:05:00.000Z');
    run.run('11111111-0000-0000-0000-000000000002', SEED_ID, 'Japan Unveils $550B U.S. Investment', seedEvent, '2025-09-28T08:00:00.000Z', '2025-09-28T08:05:00.000Z');
    // No date, and a damaged event row: the thread is still made, dated by the first run.
    run.run('22222222-0000-0000-0000-000000000001', OTHER_ID, 'Undated story', '{not json', '2025-09-20T08:00:00.000Z', '2025-09-20T08:05:00.000Z');
    const desk = db.prepare(`INSERT INTO desk_results (run_id, agent_id, round, status, assessment_json, finished_at) VALUES (?, 'JP-01', 0, 'ok', ?, ?)`);
    desk.run('11111111-0000-0000-0000-000000000001', JSON.stringify(deskAssessment('JP-01', 'cautiously-supportive', [0.6, 0.4])), '2025-09-27T08:04:00.000Z');
    desk.run('11111111-0000-0000-0000-000000000002', JSON.stringify(deskAssessment('JP-01', 'mixed', [0.5, 0.5])), '2025-09-28T08:04:00.000Z');
    const synthesis = db.prepare(`INSERT INTO syntheses (run_id, version, risk_view_json, overall_risk, created_at) VALUES (?, 1, ?, 'elevated', ?)`);
    synthesis.run('11111111-0000-0000-0000-000000000001', JSON.stringify(riskView([{ name: 'Modest success', p: 0.6 }, { name: 'Stall', p: 0.4 }])), '2025-09-27T08:05:00.000Z');
    synthesis.run('11111111-0000-0000-0000-000000000002', JSON.stringify(riskView([{ name: 'modest  success', p: 0.7 }, { name: 'Stall', p: 0.3 }])), '2025-09-28T08:05:00.000Z');
  } finally {
    db.close();
  }
});
afterAll(() => work.cleanup());

const assess = (args: string[]) => runCliCaptured([...args, '--db', path], { cwd: work.dir });

describe('upgrading an archive made before threads', () => {
  it('gives every archived event a thread of its own, th- + its event id, with a backfill decision; runs keep everything and name the thread', async () => {
    const before = withRaw(path, (db) => ({
      desks: db.prepare('SELECT * FROM desk_results ORDER BY run_id').all(),
      syntheses: db.prepare('SELECT * FROM syntheses ORDER BY run_id').all(),
    }));
    const list = await assess(['threads', 'list', '--format', 'json']);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject([
      { id: 'th-a650d00f1a', title: 'Japan Unveils $550B U.S. Investment', events: 1, runs: 2, lastEventAt: '2025-09-26T00:00:00.000Z', createdAt: '2025-09-27T08:00:00.000Z' },
      { id: 'th-0123456789', title: 'Undated story', events: 1, runs: 1, lastEventAt: '2025-09-20T08:00:00.000Z' },
    ]);
    const rows = withRaw(path, (db) => ({
      version: db.pragma('user_version', { simple: true }),
      runs: db.prepare('SELECT id, thread_id, thread_context_json FROM runs ORDER BY id').all(),
      links: db.prepare('SELECT event_id, thread_id, method FROM thread_links ORDER BY event_id').all(),
      desks: db.prepare('SELECT * FROM desk_results ORDER BY run_id').all(),
      syntheses: db.prepare('SELECT * FROM syntheses ORDER BY run_id').all(),
    }));
    expect(rows.version).toBeGreaterThanOrEqual(7);
    expect(rows.runs).toEqual([
      { id: '11111111-0000-0000-0000-000000000001', thread_id: 'th-a650d00f1a', thread_context_json: null },
      { id: '11111111-0000-0000-0000-000000000002', thread_id: 'th-a650d00f1a', thread_context_json: null },
      { id: '22222222-0000-0000-0000-000000000001', thread_id: 'th-0123456789', thread_context_json: null },
    ]);
    expect(rows.links).toEqual([
      { event_id: OTHER_ID, thread_id: 'th-0123456789', method: 'backfill' },
      { event_id: SEED_ID, thread_id: 'th-a650d00f1a', method: 'backfill' },
    ]);
    expect({ desks: rows.desks, syntheses: rows.syntheses }).toEqual(before);
  });

  it('shows an old run\'s thread in its report, and an old thread\'s history with scenarios matched by name', async () => {
    const shown = await assess(['runs', 'show', '11111111-0000-0000-0000-000000000001', '--format', 'json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect((JSON.parse(shown.stdout) as { thread: unknown }).thread).toMatchObject({
      id: 'th-a650d00f1a',
      title: 'Japan Unveils $550B U.S. Investment',
      events: 1,
      link: { method: 'backfill', threadId: 'th-a650d00f1a' },
    });
    const view = await assess(['threads', 'show', 'a650d00f1a', '--format', 'json']);
    expect(view.code, view.stderr).toBe(0);
    const parsed = JSON.parse(view.stdout) as {
      events: { runIds: string[]; link: { method: string } }[];
      stances: Record<string, { stance: string }[]>;
      scenarios: { lineageId: string | null; name: string; history: { probability: number }[] }[];
    };
    expect(parsed.events.map((e) => [e.runIds.length, e.link.method])).toEqual([[2, 'backfill']]);
    expect(parsed.stances['JP-01']!.map((s) => s.stance)).toEqual(['cautiously-supportive', 'mixed']);
    expect(parsed.scenarios.map((s) => [s.lineageId, s.name, s.history.map((h) => h.probability)])).toEqual([
      [null, 'Modest success', [0.6, 0.7]],
      [null, 'Stall', [0.4, 0.3]],
    ]);
    const md = await assess(['threads', 'show', 'th-a650d00f1a']);
    expect(md.stdout).toContain('archived before threads: a thread of its own');
    expect(md.stdout).toMatch(/\| Modest success \| [▁▂▃▄▅▆▇█]{2} \| 60% \(2025-09-27\) → 70% \(2025-09-28\) \|/);
  });

  it('a new run of an event archived before threads joins that event\'s backfilled thread', async () => {
    const manifest = JSON.parse(readFileSync(join(REPLAY_DIR, 'manifest.json'), 'utf8')) as { eventId: string };
    expect(manifest.eventId).toBe(SEED_ID);
    const r = await assess(['run', SEED_EVENT, '--provider', 'replay', '--agents', 'JP-01', '--no-progress', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { thread: unknown }).thread).toMatchObject({ id: 'th-a650d00f1a', events: 1, link: { method: 'existing', detail: { linkedBy: 'backfill' } } });
  });
});
