/**
 * Reviews in the archive (issue 15 §3): migration 10, addReview's checks (each refusal one line,
 * nothing written) and loadRunReviews. The archive is the seed event run through the built CLI
 * (`npm run build` after changing src/).
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATEST_VERSION, openArchive } from '../src/archive/index.js';
import { addReview, currentRatings, isSupersededRating, loadRunReviews, reviewsOf, type ReviewInput } from '../src/archive/reviews.js';
import { InputError } from '../src/errors/index.js';
import { tempDir, withRaw } from './support/archive-fixtures.js';
import { assess } from './support/forecast-archive.js';
import { SEED_EVENT } from './support/paths.js';

describe('reviews in the archive', () => {
  const { dir, cleanup } = tempDir('reviews');
  const path = join(dir, 'assess.db');
  let db: Database;
  let runId = '';
  const at = new Date('2027-01-02T03:04:05.000Z');

  beforeAll(() => {
    const r = assess(['run', SEED_EVENT, '--provider', 'replay', '--db', path, '--format', 'json', '--no-progress']);
    if (r.code !== 0) throw new Error(`assess run failed (${r.code}): ${r.stderr}`);
    runId = (JSON.parse(r.stdout) as { runId: string }).runId;
    db = openArchive(path);
  });
  afterAll(() => {
    db.close();
    cleanup();
  });

  const count = (): number => db.prepare('SELECT COUNT(*) FROM reviews').pluck().get() as number;

  it('records a desk rating with a note, a flag on a merged risk, a note on a scenario, a desk trajectory and the run; loads them oldest first', () => {
    const before = count();
    const rating = addReview(db, { runId, kind: 'desk', ref: 'jp-01', author: ' Aiko ', rating: 4, note: 'Solid **facts**.', now: at });
    expect(rating).toMatchObject({ runId, kind: 'desk', ref: 'JP-01', author: 'Aiko', rating: 4, flag: null, note: 'Solid **facts**.', createdAt: at.toISOString() });
    addReview(db, { runId, kind: 'risk', ref: 'RR1', author: 'Ben', flag: 'missed-angle', now: at });
    addReview(db, { runId, kind: 'risk', ref: 'JP-01:R1', author: 'Ben', flag: 'unsupported-fact', now: at });
    addReview(db, { runId, kind: 'trajectory', ref: 'S1', author: 'Ben', note: 'Too optimistic', now: at });
    addReview(db, { runId, kind: 'trajectory', ref: 'JP-01:T1', author: 'Ben', flag: 'wrong-stance', now: at });
    addReview(db, { runId, kind: 'run', ref: '', author: 'Chloe', note: 'Good run overall', now: at });
    expect(count()).toBe(before + 6);

    const all = loadRunReviews(db, runId);
    expect(all.map((r) => [r.kind, r.ref, r.author])).toEqual([
      ['desk', 'JP-01', 'Aiko'],
      ['risk', 'RR1', 'Ben'],
      ['risk', 'JP-01:R1', 'Ben'],
      ['trajectory', 'S1', 'Ben'],
      ['trajectory', 'JP-01:T1', 'Ben'],
      ['run', null, 'Chloe'],
    ]);
    expect(all[1]!.flag).toBe('missed-angle');
    expect(reviewsOf(all, 'run', null).map((r) => r.note)).toEqual(['Good run overall']);
    expect(loadRunReviews(db, 'no-such-run')).toEqual([]);
  });

  it('a newer rating by the same author supersedes the older as the current rating; both are kept', () => {
    addReview(db, { runId, kind: 'desk', ref: 'US-01', author: 'Aiko', rating: 2, now: at });
    addReview(db, { runId, kind: 'desk', ref: 'US-01', author: 'Dan', rating: 5, now: at });
    addReview(db, { runId, kind: 'desk', ref: 'US-01', author: 'Aiko', rating: 3, now: at });
    const us = reviewsOf(loadRunReviews(db, runId), 'desk', 'US-01');
    expect(us.map((r) => r.rating)).toEqual([2, 5, 3]);
    expect(currentRatings(us).map((r) => `${r.author} ${r.rating}`)).toEqual(['Dan 5', 'Aiko 3']);
    expect(us.map((r) => isSupersededRating(r, us))).toEqual([true, false, false]);
  });

  const refusals: [string, Partial<ReviewInput>, RegExp][] = [
    ['unknown run', { runId: 'ffffffff-0000-0000-0000-000000000000' }, /^unknown run/],
    ['unknown kind', { kind: 'thread' }, /^unknown review kind "thread"/],
    ['empty author', { author: '   ' }, /^author must be 1 to 80 characters \(got 0\)/],
    ['long author', { author: 'x'.repeat(81) }, /^author must be 1 to 80 characters \(got 81\)/],
    ['author with a line break', { author: 'a\nb' }, /control characters/],
    ['rating 7', { rating: 7 }, /^rating must be a whole number from 1 to 5 \(got "7"\)/],
    ['rating 0', { rating: 0 }, /^rating must be a whole number/],
    ['rating 2.5', { rating: 2.5 }, /^rating must be a whole number/],
    ['rating NaN', { rating: Number.NaN }, /^rating must be a whole number/],
    ['rating a risk', { kind: 'risk', ref: 'RR1', rating: 3 }, /^only a desk's assessment can be rated/],
    ['rating the run', { kind: 'run', ref: null, rating: 3 }, /^only a desk's assessment can be rated/],
    ['unknown flag', { flag: 'rude' }, /^unknown flag "rude"/],
    ['long note', { rating: null, note: 'x'.repeat(10_001) }, /^note is 10001 characters; at most 10000/],
    ['nothing to say', { rating: null, flag: '', note: '  ' }, /^a review needs a rating, a flag or a note$/],
    ['unknown desk', { ref: 'XX-99' }, /^run [0-9a-f]{8} has no desk "XX-99"; its desks: .*JP-01/],
    ['desk without ref', { ref: null }, /^a desk review names its desk/],
    ['unknown risk', { kind: 'risk', ref: 'RR999', rating: null, note: 'n' }, /has no risk "RR999"/],
    ['a trajectory id as a risk', { kind: 'risk', ref: 'JP-01:T1', rating: null, note: 'n' }, /has no risk "JP-01:T1"/],
    ['unknown trajectory', { kind: 'trajectory', ref: 'S99', rating: null, note: 'n' }, /has no trajectory "S99"/],
    ['a run review with a ref', { kind: 'run', ref: 'JP-01', rating: null, note: 'n' }, /^a review of the run names no target/],
  ];

  it.each(refusals)('refuses %s with one line of InputError and writes nothing', (_name, change, message) => {
    const before = count();
    const input: ReviewInput = { runId, kind: 'desk', ref: 'JP-01', author: 'Aiko', rating: 4, now: at, ...change };
    let caught: unknown;
    try {
      addReview(db, input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    const text = (caught as Error).message;
    expect(text).toMatch(message);
    expect(text.split('\n')).toHaveLength(1);
    expect(count()).toBe(before);
  });

  it('a note of exactly 10,000 characters is kept whole', () => {
    const note = 'n'.repeat(10_000);
    const saved = addReview(db, { runId, kind: 'run', author: 'Aiko', note, now: at });
    expect(loadRunReviews(db, runId).find((r) => r.id === saved.id)?.note).toHaveLength(10_000);
  });

  it('the table refuses what addReview would (CHECKs), and rows are never updated', () => {
    const insert = db.prepare('INSERT INTO reviews (run_id, kind, ref, author, created_at, rating, flag, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    expect(() => insert.run(runId, 'desk', 'JP-01', 'a', at.toISOString(), 6, null, null)).toThrow(/CHECK/);
    expect(() => insert.run(runId, 'desk', 'JP-01', 'a', at.toISOString(), null, null, null)).toThrow(/CHECK/);
    expect(() => insert.run(runId, 'desk', 'JP-01', 'a', at.toISOString(), null, 'rude', null)).toThrow(/CHECK/);
    expect(() => insert.run(runId, 'run', 'JP-01', 'a', at.toISOString(), null, null, 'x')).toThrow(/CHECK/);
    expect(() => insert.run('no-run', 'run', null, 'a', at.toISOString(), null, null, 'x')).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare('UPDATE reviews SET rating = 1').run()).toThrow(/insert-only/);
  });

  it('migration 10 applies to an archive written before it (version 9): its runs stay, reviews can be added', () => {
    const old = join(dir, 'v9.db');
    db.pragma('wal_checkpoint(TRUNCATE)');
    copyFileSync(path, old);
    // The seed archive as version 9 wrote it: the same runs, no reviews table.
    withRaw(old, (d) => {
      d.exec('DROP TABLE reviews');
      // Later migrations' additions go too, so every migration after 9 runs again.
      d.exec('DROP INDEX IF EXISTS feed_items_run');
      d.pragma('user_version = 9');
    });
    const upgraded = openArchive(old);
    try {
      expect(upgraded.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
      expect(LATEST_VERSION).toBeGreaterThanOrEqual(10);
      expect(upgraded.prepare('SELECT COUNT(*) FROM runs').pluck().get()).toBe(1);
      expect(loadRunReviews(upgraded, runId)).toEqual([]);
      addReview(upgraded, { runId, kind: 'desk', ref: 'CN-01', author: 'Eve', rating: 1, flag: 'invented-source', now: at });
      expect(loadRunReviews(upgraded, runId).map((r) => [r.ref, r.rating, r.flag])).toEqual([['CN-01', 1, 'invented-source']]);
      const indexes = upgraded.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reviews'").pluck().all();
      expect(indexes).toContain('reviews_run');
    } finally {
      upgraded.close();
    }
  });
});
