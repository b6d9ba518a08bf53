import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArchive } from '../src/archive/open-archive.js';
import { DailyBudget, utcDay } from '../src/feeds/daily-budget.js';

/**
 * The watcher's daily budget counts UTC days whatever the machine's time zone. Node reads
 * `process.env.TZ` when it is assigned, so each block below switches this worker process (vitest
 * runs every test file in its own fork) to a zone far from UTC, checks the zone is in effect,
 * and runs the real budget code against an archive whose calls straddle both the UTC and the
 * local midnight. Code that used local days would count another set of calls.
 */

const at = (iso: string) => new Date(iso);

/** Calls of one watcher run, each with a distinct token count so a sum names the exact set counted. */
const CALLS = [
  { createdAt: '2025-03-09T23:50:00.000Z', tokens: 1_000 }, // UTC 9 March
  { createdAt: '2025-03-10T00:10:00.000Z', tokens: 2_000 }, // UTC 10 March, just after midnight
  { createdAt: '2025-03-10T12:00:00.000Z', tokens: 4_000 },
  { createdAt: '2025-03-10T23:50:00.000Z', tokens: 8_000 }, // UTC 10 March, just before midnight
  { createdAt: '2025-03-11T00:10:00.000Z', tokens: 500 }, // UTC 11 March
];
/** 23:55 UTC on 10 March: 11 March in Auckland (UTC+13), still 10 March in Los Angeles (UTC−7), but late enough that its local day reaches 11 March UTC. */
const NOW = at('2025-03-10T23:55:00.000Z');

function seedArchive(db: Database): void {
  db.prepare("INSERT INTO texts (hash, body) VALUES ('h', 'prompt')").run();
  db.prepare(
    `INSERT INTO runs (id, event_id, event_title, event_json, desks_json, synthesis_model_json, prompt_hashes_json, options_json, started_at, status)
     VALUES ('run-1', 'e', 'Story', '{}', '[]', '{}', '{}', '{}', ?, 'ok')`,
  ).run(CALLS[0]!.createdAt);
  const call = db.prepare(
    `INSERT INTO calls (run_id, round, agent_id, purpose, attempt, kind, provider, model, system_hash, messages_hash, valid, issues_json,
       input_tokens, output_tokens, latency_ms, cost_usd, error, created_at)
     VALUES ('run-1', 0, 'JP-01', 'desk/JP-01', ?, 'initial', 'openai', 'gpt-4.1', 'h', 'h', 1, '[]', ?, 0, 100, 0.01, NULL, ?)`,
  );
  CALLS.forEach((c, i) => call.run(i + 1, c.tokens, c.createdAt));
  // The run belongs to the watcher: it is linked to a feed item.
  db.prepare(
    `INSERT INTO feed_items (feed, title_fingerprint, title, first_seen_at, sources_json, event_json, event_id, text_source, status, run_id, updated_at)
     VALUES ('economy', 'story', 'Story', ?, '[]', '{}', 'e', 'feed', 'done', 'run-1', ?)`,
  ).run(CALLS[0]!.createdAt, CALLS[0]!.createdAt);
}

describe.each(['Pacific/Auckland', 'America/Los_Angeles'])('daily budget days under TZ=%s', (zone) => {
  let savedTz: string | undefined;
  let dir = '';
  let db: Database;
  beforeAll(() => {
    savedTz = process.env['TZ'];
    process.env['TZ'] = zone;
    dir = mkdtempSync(join(tmpdir(), 'assess-budget-tz-'));
    db = openArchive(join(dir, 'assess.db'));
    seedArchive(db);
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
    if (savedTz === undefined) delete process.env['TZ'];
    else process.env['TZ'] = savedTz;
  });

  it('the zone is in effect: its local day at NOW is not the UTC day', () => {
    expect(NOW.getTimezoneOffset()).not.toBe(0);
    // Local midnight of NOW's local day is not a UTC midnight.
    const localMidnight = new Date(NOW.getFullYear(), NOW.getMonth(), NOW.getDate());
    expect(localMidnight.toISOString()).not.toMatch(/T00:00:00\.000Z$/);
  });

  it('utcDay is 00:00 to 24:00 UTC', () => {
    expect(utcDay(NOW)).toEqual({ date: '2025-03-10', start: '2025-03-10T00:00:00.000Z', end: '2025-03-11T00:00:00.000Z' });
    expect(utcDay(at('2025-03-11T00:00:00.000Z')).date).toBe('2025-03-11');
    expect(utcDay(at('2025-03-10T23:59:59.999Z')).date).toBe('2025-03-10');
  });

  it("today's spend is the calls of the UTC day, not of the local day", () => {
    const budget = new DailyBudget(db, { maxTokens: 1_000_000 }, () => NOW);
    const spend = budget.refresh();
    expect(spend.day).toBe('2025-03-10');
    // 2,000 + 4,000 + 8,000: the three calls of 10 March UTC, neither neighbour.
    expect(spend.tokens).toBe(14_000);
    expect(spend.calls).toBe(3);
  });

  it('the day turns at 00:00 UTC: the limit reached late on one UTC day is free again a millisecond after midnight', () => {
    let now = at('2025-03-10T23:59:59.999Z');
    const budget = new DailyBudget(db, { maxTokens: 14_000 }, () => now);
    expect(budget.reached()).toMatchObject({ spend: { day: '2025-03-10', tokens: 14_000 }, limit: '14,000 of 14,000 tokens' });
    now = at('2025-03-11T00:00:00.000Z');
    expect(budget.current()).toMatchObject({ day: '2025-03-11', tokens: 500, calls: 1 });
    expect(budget.reached()).toBeNull();
    // And 9 March UTC held only its own call.
    now = at('2025-03-09T12:00:00.000Z');
    expect(budget.refresh()).toMatchObject({ day: '2025-03-09', tokens: 1_000, calls: 1 });
  });
});
