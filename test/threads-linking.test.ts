import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createArchiveAtVersion, openArchive } from '../src/archive/open-archive.js';
import { rankThreads, recordEventFeatures } from '../src/archive/thread-features.js';
import { ACTIVE_THREAD_DAYS } from '../src/threads/context.js';
import { eventEntities, extractEntities } from '../src/threads/entities.js';
import { decideLink, DEFAULT_LINK_THRESHOLDS, type ThreadCandidate } from '../src/threads/link-decision.js';
import {
  combinedScore,
  cosine,
  COSINE_WEIGHT,
  DECAY_FLOOR,
  DECAY_HALF_LIFE_DAYS,
  ENTITY_WEIGHT,
  entityOverlap,
  timeDecay,
} from '../src/threads/similarity.js';
import { eventTerms, tokenize } from '../src/threads/tokenize.js';
import { tempDir } from './support/archive-fixtures.js';
import { addToThread, memoryArchive } from './support/thread-archive.js';

describe('tokenize', () => {
  it('lower-cases, drops stopwords and stems English with the Porter stemmer', () => {
    expect(tokenize('The sanctions were sanctioned, and sanctioning continues')).toEqual(['sanction', 'sanction', 'sanction', 'continu']);
    expect(tokenize('Officials said the bank will lend to exporters')).toEqual(['offici', 'bank', 'lend', 'export']);
  });

  it('keeps acronyms and dotted abbreviations that would otherwise be stopwords', () => {
    expect(tokenize('U.S. and IT firms; JBIC lends to us')).toEqual(['us', 'it', 'firm', 'jbic', 'lend']);
  });

  it('splits a number from the unit glued to it, so $550bn meets $550 billion', () => {
    expect(tokenize('$550bn facility')).toEqual(['550', 'bn', 'facil']);
    expect(tokenize('$550 billion facility')).toEqual(['550', 'billion', 'facil']);
  });

  it('turns Japanese kanji and katakana runs into bigrams and drops hiragana particles', () => {
    expect(tokenize('国際協力銀行')).toEqual(['国際', '際協', '協力', '力銀', '銀行']);
    // の and が are particles: no bigram spans them, and they are not terms.
    expect(tokenize('日本の国際協力銀行が融資')).toEqual(['日本', '国際', '際協', '協力', '力銀', '銀行', '融資']);
    expect(tokenize('アラスカのガス事業')).toEqual(['アラ', 'ラス', 'スカ', 'ガス', '事業']);
    // A lone kanji between particles is a word of its own (高 of 高い, "high").
    expect(tokenize('米が高い')).toEqual(['米', '高']);
  });

  it('bigrams Chinese and Korean, and NFKC-normalises full-width Latin', () => {
    expect(tokenize('美国财政部')).toEqual(['美国', '国财', '财政', '政部']);
    expect(tokenize('한국은행 금리')).toEqual(['한국', '국은', '은행', '금리']);
    expect(tokenize('ＪＢＩＣが融資')).toEqual(['jbic', '融資']);
  });

  it('counts title terms twice and summary terms once', () => {
    const terms = eventTerms({ title: 'Rice prices soar', summary: 'Rice shortage hits shops' });
    expect(Object.fromEntries(terms)).toEqual({ rice: 3, price: 2, soar: 2, shortag: 1, hit: 1, shop: 1 });
  });
});

describe('entities', () => {
  it('finds countries in English by name, demonym and capital, normalised to ISO codes', () => {
    expect(extractEntities('Japanese officials met their counterparts in Washington and Beijing').countries).toEqual(['CN', 'JP', 'US']);
    expect(extractEntities('North Korea fired missiles toward South Korea and Japan').countries).toEqual(['JP', 'KP', 'KR']);
    expect(extractEntities('The U.S. and the UK').countries).toEqual(['GB', 'US']);
    // Lower-case "us" is a pronoun, not the United States.
    expect(extractEntities('a deal that helps us').countries).toEqual([]);
  });

  it('finds countries in Japanese, Chinese and Korean, including 日米-style compounds', () => {
    expect(extractEntities('日米両政府は中国と韓国に説明した').countries).toEqual(['CN', 'JP', 'KR', 'US']);
    expect(extractEntities('アメリカとインドネシア').countries).toEqual(['ID', 'US']);
    expect(extractEntities('美国和日本').countries).toEqual(['JP', 'US']);
    expect(extractEntities('미국과 일본').countries).toEqual(['JP', 'US']);
    // タイ inside a longer katakana word is not Thailand.
    expect(extractEntities('発表のタイミング').countries).toEqual([]);
    expect(extractEntities('タイ政府').countries).toEqual(['TH']);
  });

  it('finds organisations by acronym, full name and Japanese name, one key each', () => {
    expect(extractEntities('JBIC, the IMF and the MoF met').organisations).toEqual(['IMF', 'JBIC', 'MOF']);
    expect(extractEntities('the Japan Bank for International Cooperation and the Bank of Japan').organisations).toEqual(['BOJ', 'JBIC']);
    expect(extractEntities('国際協力銀行と財務省、日銀').organisations).toEqual(['BOJ', 'JBIC', 'MOF']);
    // Units and currencies are not organisations.
    expect(extractEntities('GDP grew while the CEO sold USD').organisations).toEqual([]);
  });

  it('finds people after titles, and other capitalised names, titles and company forms dropped', () => {
    const e = extractEntities('Finance Minister Katsunobu Kato met Governor Ueda and executives of Mitsui Fudosan Co. in Tokyo.');
    expect(e.names).toEqual(['katsunobu kato', 'mitsui fudosan', 'ueda']);
    // A qualifier is not a title: the Defense Department is not a person called Department.
    expect(extractEntities('a U.S. Defense Department contract').names).toEqual([]);
    // Sentence-opening words are not part of a name.
    expect(extractEntities('The Constitutional Court ruled.').names).toEqual(['constitutional court']);
  });

  it('does not read a title-case headline as a string of names', () => {
    const e = eventEntities({ title: 'Japan Sets Up Huge New Facility For Investment Pledge', summary: '' });
    expect(e).toEqual({ countries: ['JP'], organisations: [], names: [] });
  });
});

describe('similarity', () => {
  it('decays with a half-life above a floor, and never links beyond the active window', () => {
    expect(timeDecay(0)).toBe(1);
    expect(timeDecay(DECAY_HALF_LIFE_DAYS)).toBeCloseTo(DECAY_FLOOR + (1 - DECAY_FLOOR) / 2, 10);
    expect(timeDecay(7)).toBeGreaterThan(timeDecay(14));
    expect(timeDecay(ACTIVE_THREAD_DAYS)).toBeGreaterThan(DECAY_FLOOR);
    expect(timeDecay(ACTIVE_THREAD_DAYS + 0.01)).toBe(0);
    // A late report of an earlier development is not penalised.
    expect(timeDecay(-3)).toBe(1);
    expect(timeDecay(Number.NaN)).toBe(0);
  });

  it('scores cosine on sparse vectors', () => {
    expect(cosine(new Map([['a', 1]]), new Map([['a', 2]]))).toBeCloseTo(1, 10);
    expect(cosine(new Map([['a', 1]]), new Map([['b', 1]]))).toBe(0);
    expect(cosine(new Map(), new Map([['b', 1]]))).toBe(0);
    expect(cosine(new Map([['a', 1], ['b', 1]]), new Map([['a', 1]]))).toBeCloseTo(Math.SQRT1_2, 10);
  });

  it('overlaps entities as a weighted Jaccard: a shared country counts less than a shared organisation', () => {
    const none = { countries: [], organisations: [], names: [] };
    const japan = { ...none, countries: ['JP'] };
    const jbic = { ...none, countries: ['JP'], organisations: ['JBIC'] };
    expect(entityOverlap(japan, japan)).toBe(0.25);
    expect(entityOverlap(jbic, jbic)).toBe(0.75);
    // Shared JBIC (1) over everything either names (JP 0.5 + JBIC 1 + ID 0.5), at least 2.
    expect(entityOverlap(jbic, { ...none, countries: ['ID'], organisations: ['JBIC'] })).toBe(0.5);
    expect(entityOverlap(jbic, { ...none, countries: ['ID'] })).toBe(0);
    // Naming nothing is no evidence either way.
    expect(entityOverlap(none, jbic)).toBeNull();
  });

  it('matches a short name with the full one, in either order of names', () => {
    const none = { countries: [], organisations: [], names: [] };
    expect(entityOverlap({ ...none, names: ['ueda'] }, { ...none, names: ['kazuo ueda'] })).toBe(0.5);
    expect(entityOverlap({ ...none, names: ['yoon'] }, { ...none, names: ['yoon suk yeol'] })).toBe(0.5);
    expect(entityOverlap({ ...none, names: ['yoon'] }, { ...none, names: ['suk-hee'] })).toBe(0);
  });

  it('combines cosine and entities, and falls back to the cosine when there are no entities', () => {
    expect(combinedScore({ cosine: 0.4, entities: 0.5, decay: 0.5 })).toBeCloseTo(0.5 * (COSINE_WEIGHT * 0.4 + ENTITY_WEIGHT * 0.5), 10);
    expect(combinedScore({ cosine: 0.4, entities: null, decay: 0.5 })).toBeCloseTo(0.2, 10);
    expect(COSINE_WEIGHT + ENTITY_WEIGHT).toBeCloseTo(1, 10);
  });
});

const candidate = (threadId: string, score: number): ThreadCandidate => ({
  threadId,
  score,
  parts: { cosine: score, entities: 0, decay: 1 },
  eventId: `ev-${threadId}`,
});
const NOW = new Date('2025-10-20T00:00:00Z');

describe('decideLink', () => {
  it('joins at 0.26 and starts a new thread at 0.259', () => {
    // Literal scores on purpose: this goes red when JOIN_THRESHOLD moves either way, so a move is a
    // decision someone makes (and re-checks against the labelled pairs), not an accident.
    expect(decideLink([candidate('th-a', 0.26)], undefined, NOW)).toMatchObject({ threadId: 'th-a', method: 'similarity', score: 0.26 });
    expect(decideLink([candidate('th-a', 0.259)], undefined, NOW)).toMatchObject({ threadId: null, method: 'new', score: null });
  });

  it('joins the best thread and names the second as what it beat', () => {
    const d = decideLink([candidate('th-b', 0.31), candidate('th-a', 0.62), candidate('th-c', 0.05)], undefined, NOW);
    expect(d).toMatchObject({ threadId: 'th-a', method: 'similarity', score: 0.62, runnerUp: { threadId: 'th-b', score: 0.31 } });
    expect(d.detail).toMatchObject({ matchedEventId: 'ev-th-a', candidates: 3, ambiguous: false, join: DEFAULT_LINK_THRESHOLDS.join });
    expect(d.decidedAt).toBe('2025-10-20T00:00:00.000Z');
  });

  it('starts a new thread with nothing to compare, or names the best thread it did not join', () => {
    expect(decideLink([], undefined, NOW)).toMatchObject({ threadId: null, method: 'new', score: null, runnerUp: null, detail: { candidates: 0 } });
    expect(decideLink([candidate('th-a', 0.05)], undefined, NOW)).toMatchObject({ threadId: null, runnerUp: { threadId: 'th-a', score: 0.05 } });
  });

  it('marks scores in the ambiguous band, on either side of the join threshold', () => {
    const { low, high } = DEFAULT_LINK_THRESHOLDS.ambiguous;
    expect(decideLink([candidate('th-a', low)], undefined, NOW).detail['ambiguous']).toBe(true);
    expect(decideLink([candidate('th-a', (DEFAULT_LINK_THRESHOLDS.join + high) / 2)], undefined, NOW).detail['ambiguous']).toBe(true);
    expect(decideLink([candidate('th-a', high)], undefined, NOW).detail['ambiguous']).toBe(false);
    expect(decideLink([candidate('th-a', low - 0.01)], undefined, NOW).detail['ambiguous']).toBe(false);
  });

  it('breaks ties by thread id, and takes other thresholds', () => {
    expect(decideLink([candidate('th-b', 0.5), candidate('th-a', 0.5)], undefined, NOW).threadId).toBe('th-a');
    expect(decideLink([candidate('th-a', 0.5)], { join: 0.6, ambiguous: { low: 0.4, high: 0.7 } }, NOW).threadId).toBeNull();
  });

  it('refuses thresholds whose band does not contain the join threshold', () => {
    expect(() => decideLink([], { join: 0.3, ambiguous: { low: 0.35, high: 0.4 } }, NOW)).toThrow(/contain the join threshold 0.3/);
    expect(() => decideLink([], { join: 1.5, ambiguous: { low: 0, high: 1 } }, NOW)).toThrow(/join threshold must be a number from 0 to 1/);
  });
});

const jbic = {
  title: 'JBIC signs first loan under $550 billion U.S. investment facility',
  summary: 'The Japan Bank for International Cooperation lent $2.1 billion for a Texas power plant under the facility.',
};
const jbicFollowUp = {
  title: 'JBIC approves second loan from $550 billion U.S. investment facility',
  summary: 'The Japan Bank for International Cooperation approved financing for the Alaska pipeline under the same facility.',
};
const unrelated = { title: 'Typhoon lashes Okinawa', summary: 'Flights were cancelled and power was cut to thousands of homes.' };

describe('rankThreads', () => {
  it('ranks active threads and ignores merged and inactive ones', () => {
    const db = memoryArchive();
    const at = '2025-11-20T00:00:00.000Z';
    addToThread(db, { eventId: 'e-active', threadId: 'th-active', ...jbic, at: '2025-11-12T00:00:00.000Z' });
    addToThread(db, { eventId: 'e-stale', threadId: 'th-stale', ...jbic, at: '2025-08-01T00:00:00.000Z' });
    addToThread(db, { eventId: 'e-merged', threadId: 'th-merged', ...jbic, at: '2025-11-19T00:00:00.000Z' });
    addToThread(db, { eventId: 'e-typhoon', threadId: 'th-typhoon', ...unrelated, at: '2025-11-19T00:00:00.000Z' });
    db.prepare("UPDATE threads SET merged_into = 'th-active' WHERE id = 'th-merged'").run();

    const ranked = rankThreads(db, jbicFollowUp, at);
    expect(ranked.map((r) => r.threadId)).toEqual(['th-active']);
    const [best] = ranked;
    expect(best!.eventId).toBe('e-active');
    expect(best!.lastEventAt).toBe('2025-11-12T00:00:00.000Z');
    expect(best!.parts.decay).toBeCloseTo(timeDecay(8), 10);
    expect(best!.parts.cosine).toBeGreaterThan(0.3);
    expect(best!.parts.entities).toBe(0.75); // JP and JBIC, both named by both
    expect(best!.score).toBeCloseTo(combinedScore(best!.parts), 10);
    expect(decideLink(ranked, undefined, new Date(at)).threadId).toBe('th-active');
    db.close();
  });

  it('scores a thread by its best-matching event and never ranks an event against itself', () => {
    const db = memoryArchive();
    addToThread(db, { eventId: 'e1', threadId: 'th-1', ...unrelated, at: '2025-11-10T00:00:00.000Z' });
    addToThread(db, { eventId: 'e2', threadId: 'th-1', ...jbic, at: '2025-11-12T00:00:00.000Z' });
    const ranked = rankThreads(db, jbicFollowUp, '2025-11-13T00:00:00.000Z');
    expect(ranked).toHaveLength(1);
    expect(ranked[0]).toMatchObject({ threadId: 'th-1', eventId: 'e2' });
    // Without e2 the thread is left with the typhoon report, which shares only "power" with it.
    const without = rankThreads(db, jbic, '2025-11-13T00:00:00.000Z', { excludeEventId: 'e2' });
    expect(without.map((r) => r.eventId)).toEqual(['e1']);
    expect(without[0]!.score).toBeLessThan(0.05);
    db.close();
  });

  it('returns nothing from an empty archive or for an event with no terms', () => {
    const db = memoryArchive();
    expect(rankThreads(db, jbic, '2025-11-13T00:00:00.000Z')).toEqual([]);
    addToThread(db, { eventId: 'e1', threadId: 'th-1', ...jbic, at: '2025-11-12T00:00:00.000Z' });
    expect(rankThreads(db, { title: 'の', summary: '' }, '2025-11-13T00:00:00.000Z')).toEqual([]);
    expect(() => rankThreads(db, jbic, 'yesterday')).toThrow(/eventAt must be an ISO date/);
    db.close();
  });

  it('counts a re-recorded event once in the document frequencies and the index', () => {
    const db = memoryArchive();
    addToThread(db, { eventId: 'e1', threadId: 'th-1', ...jbic, at: '2025-11-12T00:00:00.000Z' });
    recordEventFeatures(db, 'e1', jbic);
    recordEventFeatures(db, 'e1', unrelated);
    const df = (term: string): number | undefined => (db.prepare('SELECT df FROM thread_term_df WHERE term = ?').get(term) as { df: number } | undefined)?.df;
    expect(df('jbic')).toBeUndefined();
    expect(df('typhoon')).toBe(1);
    const postings = db.prepare("SELECT COUNT(*) AS n FROM thread_term_postings WHERE event_id = 'e1'").get() as { n: number };
    const features = db.prepare("SELECT term_count, entities_json FROM thread_event_features WHERE event_id = 'e1'").get() as { term_count: number; entities_json: string };
    expect(postings.n).toBe(features.term_count);
    expect(features.term_count).toBe(eventTerms(unrelated).size);
    expect(JSON.parse(features.entities_json)).toEqual(eventEntities(unrelated));
    db.close();
  });

  it('leaves out an event whose stored features cannot be read, and re-records it cleanly', () => {
    const db = memoryArchive();
    addToThread(db, { eventId: 'e-bad', threadId: 'th-bad', ...jbic, at: '2025-11-12T00:00:00.000Z' });
    addToThread(db, { eventId: 'e-good', threadId: 'th-good', ...jbic, at: '2025-11-12T00:00:00.000Z' });
    db.prepare("UPDATE thread_event_features SET terms_json = '{not json', entities_json = 'null' WHERE event_id = 'e-bad'").run();
    expect(rankThreads(db, jbicFollowUp, '2025-11-13T00:00:00.000Z').map((r) => r.threadId)).toEqual(['th-good']);
    recordEventFeatures(db, 'e-bad', jbic);
    expect(rankThreads(db, jbicFollowUp, '2025-11-13T00:00:00.000Z').map((r) => r.threadId).sort()).toEqual(['th-bad', 'th-good']);
    // The damaged row's postings were taken out before the new ones went in: 'jbic' is in two events.
    expect((db.prepare("SELECT df FROM thread_term_df WHERE term = 'jbic'").get() as { df: number }).df).toBe(2);
    db.close();
  });

  it('gives events archived before migration 8 their features, so new events can join their threads', () => {
    const { dir, cleanup } = tempDir('thread-features');
    try {
      const path = join(dir, 'archive.db');
      const old = createArchiveAtVersion(path, 7);
      old.prepare("INSERT INTO threads (id, title, created_at, last_event_at) VALUES ('th-old', ?, '2025-11-12T00:00:00.000Z', '2025-11-12T00:00:00.000Z')").run(jbic.title);
      old
        .prepare("INSERT INTO thread_events (event_id, thread_id, title, summary, event_at, added_at) VALUES ('e-old', 'th-old', ?, ?, '2025-11-12T00:00:00.000Z', '2025-11-12T00:00:00.000Z')")
        .run(jbic.title, jbic.summary);
      old.close();

      const db = openArchive(path);
      const row = db.prepare("SELECT terms_json, version FROM thread_event_features WHERE event_id = 'e-old'").get() as { terms_json: string; version: number };
      expect(JSON.parse(row.terms_json)).toEqual(Object.fromEntries(eventTerms(jbic)));
      expect(rankThreads(db, jbicFollowUp, '2025-11-13T00:00:00.000Z').map((r) => r.threadId)).toEqual(['th-old']);
      db.close();
    } finally {
      cleanup();
    }
  });
});
