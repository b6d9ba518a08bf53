/**
 * Part of `npm run bench` (issue 13, "Speed"): what linking a new event into a thread costs with
 * 10,000 archived events, against a target of 50 ms. Per new event: rankThreads (the index read,
 * exact cosine on the candidates, entity overlap, decay) + decideLink + recordEventFeatures (the
 * write that makes it findable), as the thread store runs them when a run starts.
 *
 * The archive holds `events` events (default 10,000) in `threads` threads (default 1,000) of
 * world-news text generated from templates, English and about 15% Japanese: each story fixes a
 * country, partner, institution, company, organisation, minister and topic drawn from lists of
 * tens each, and its events vary the stage and wording over a few weeks of one year. The
 * vocabulary is small (about 1,300 distinct terms, where a real archive of this size has tens of
 * thousands), so posting lists are longer than a real archive's and the figure errs slow.
 * It is seeded once into BENCH_DIR (default /tmp/assess-bench) and reused; every measurement runs
 * on a fresh copy, so the events recorded while measuring never accumulate.
 *
 * Each sample opens a new connection first (untimed): an `assess run` is a new process, so its
 * linking prepares its statements and reads pages the connection has not cached. The warm figure
 * (same connection, statements prepared) is a diagnostic.
 *
 * Run alone: `node --import tsx test/bench/thread-linking.ts`.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from 'better-sqlite3';
import { openArchive } from '../../src/archive/open-archive.js';
import { FEATURES_VERSION, rankThreads, recordEventFeatures } from '../../src/archive/thread-features.js';
import { decideLink } from '../../src/threads/link-decision.js';
import { median, MIN_REPS, ofSamples, type Figure } from './figure.js';
import { requireDist, spawnCli } from './spawn-cli.js';
import { seededRandom } from '../support/fault-server.js';

const BENCH_DIR = process.env['BENCH_DIR'] ?? '/tmp/assess-bench';
const DAY_MS = 86_400_000;
/** The seeded year: threads start within it; new events arrive at its end. */
const YEAR_START = Date.UTC(2025, 0, 1);
const NOW = YEAR_START + 365 * DAY_MS;

/** Deterministic pseudo-random numbers (the fault server's mulberry32), so every seeding writes the same archive. */
const random = seededRandom;

const COUNTRIES = [
  'Japan', 'China', 'South Korea', 'Taiwan', 'India', 'Indonesia', 'Vietnam', 'the Philippines', 'Thailand', 'Malaysia',
  'Singapore', 'Australia', 'New Zealand', 'the United States', 'Canada', 'Mexico', 'Brazil', 'Argentina', 'Chile', 'Peru',
  'Britain', 'France', 'Germany', 'Italy', 'Spain', 'Poland', 'the Netherlands', 'Sweden', 'Norway', 'Ukraine', 'Russia',
  'Turkey', 'Saudi Arabia', 'the United Arab Emirates', 'Qatar', 'Iran', 'Iraq', 'Israel', 'Egypt', 'Nigeria', 'Kenya',
  'Ethiopia', 'South Africa', 'Pakistan', 'Bangladesh', 'Sri Lanka', 'Kazakhstan', 'Mongolia', 'Myanmar', 'Cambodia',
];
const INSTITUTIONS = [
  'central bank', 'finance ministry', 'trade ministry', 'defence ministry', 'foreign ministry', 'energy regulator',
  'competition authority', 'export credit agency', 'sovereign wealth fund', 'development bank', 'securities regulator',
  'parliament', 'supreme court', 'election commission', 'health ministry', 'agriculture ministry', 'port authority',
  'state oil company', 'nuclear regulator', 'space agency', 'coast guard', 'statistics office', 'labour union', 'cabinet',
];
const ORGS = [
  'IMF', 'World Bank', 'ADB', 'WTO', 'OPEC', 'NATO', 'ASEAN', 'G7', 'G20', 'JBIC', 'BOJ', 'ECB', 'Fed', 'IEA', 'WHO',
  'UNHCR', 'AIIB', 'EBRD', 'OECD', 'IAEA', 'APEC', 'BRICS', 'African Union', 'European Commission', 'Gulf Cooperation Council',
];
const COMPANIES = [
  'Toyota', 'Sony', 'Hitachi', 'Mitsubishi Heavy', 'Nippon Steel', 'SoftBank', 'Panasonic', 'Toshiba', 'Honda', 'Nissan',
  'TSMC', 'Samsung', 'SK Hynix', 'Hyundai', 'LG Energy', 'Foxconn', 'Huawei', 'BYD', 'CATL', 'Alibaba', 'Tencent',
  'Reliance', 'Tata', 'Adani', 'Infosys', 'Siemens', 'Airbus', 'Boeing', 'Intel', 'Nvidia', 'Micron', 'ExxonMobil',
  'Shell', 'BP', 'TotalEnergies', 'Aramco', 'Rio Tinto', 'BHP', 'Glencore', 'Vale', 'Maersk', 'Volkswagen', 'Stellantis',
  'Tesla', 'Ford', 'General Motors', 'Rosneft', 'Gazprom', 'Petrobras', 'Pemex',
];
const PEOPLE = [
  'Tanaka', 'Suzuki', 'Watanabe', 'Nakamura', 'Kobayashi', 'Yoshida', 'Yamamoto', 'Sasaki', 'Matsumoto', 'Inoue',
  'Kimura', 'Hayashi', 'Shimizu', 'Mori', 'Ikeda', 'Hashimoto', 'Ishikawa', 'Ogawa', 'Okada', 'Fujita', 'Kim', 'Park',
  'Choi', 'Jung', 'Kang', 'Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Wu', 'Sharma', 'Patel', 'Singh',
  'Gupta', 'Nguyen', 'Tran', 'Santos', 'Silva', 'Garcia', 'Martinez', 'Lopez', 'Muller', 'Schmidt', 'Fischer', 'Dubois',
  'Moreau', 'Rossi', 'Bianchi', 'Kowalski', 'Novak', 'Ivanov', 'Petrov', 'Smith', 'Johnson', 'Williams', 'Brown',
];
const TOPICS = [
  'semiconductor plant', 'LNG terminal', 'rare earth mine', 'shipbuilding yard', 'wheat exports', 'pension reform',
  'fiscal stimulus', 'bond yields', 'currency intervention', 'interest rate decision', 'tariff agreement', 'export controls',
  'nuclear restart', 'offshore wind farm', 'high-speed rail line', 'copper smelter', 'battery factory', 'data centre',
  'fishing rights', 'border dispute', 'missile test', 'naval exercise', 'refugee flows', 'drought relief', 'flood defences',
  'earthquake recovery', 'wildfire season', 'heatwave', 'bird flu outbreak', 'vaccine rollout', 'election recount',
  'corruption probe', 'coalition talks', 'budget vote', 'minimum wage', 'rice prices', 'fuel subsidies', 'power outages',
  'debt restructuring', 'sovereign rating', 'bank rescue', 'property slump', 'stock market rally', 'crypto rules',
  'satellite launch', 'undersea cable', 'airport expansion', 'port concession', 'steel tariffs', 'auto emissions rules',
  'hydrogen pipeline', 'coal phase-out', 'gas price cap', 'oil output cut', 'sanctions package', 'ceasefire talks',
  'hostage release', 'peace summit', 'military aid', 'arms deal', 'cyber attack', 'AI regulation', 'chip subsidies',
  'tourism rebound', 'labour shortage', 'immigration bill', 'housing shortage', 'water rights', 'deforestation',
  'lithium deposits', 'nickel exports', 'cobalt supply', 'fertiliser prices', 'shipping rates', 'canal drought',
];
const STAGES = [
  ['announces', 'plan for'], ['opens talks on', 'proposal for'], ['signs deal on', 'agreement on'], ['delays', 'decision on'],
  ['approves', 'funding for'], ['faces protests over', 'opposition to'], ['expands', 'programme for'], ['suspends', 'work on'],
  ['confirms', 'details of'], ['reviews', 'terms of'], ['completes', 'first phase of'], ['warns of risks to', 'outlook for'],
];
const FILLER = [
  'officials', 'analysts', 'investors', 'lawmakers', 'residents', 'executives', 'diplomats', 'economists', 'traders',
  'unions', 'regulators', 'ministers', 'negotiators', 'exporters', 'farmers', 'shippers', 'lenders', 'insurers',
  'expected', 'cautioned', 'welcomed', 'criticised', 'questioned', 'estimated', 'forecast', 'warned', 'noted',
  'quarter', 'month', 'year', 'decade', 'capacity', 'supply', 'demand', 'prices', 'costs', 'revenue', 'jobs', 'growth',
  'inflation', 'security', 'stability', 'competition', 'investment', 'financing', 'guarantees', 'loans', 'subsidies',
];
const JA_COUNTRIES = ['日本', '米国', '中国', '韓国', '台湾', 'インド', 'ベトナム', 'ドイツ', 'フランス', '英国', 'ロシア', 'ウクライナ', 'サウジアラビア', 'ブラジル', 'オーストラリア', 'インドネシア'];
const JA_ORGS = ['財務省', '日本銀行', '経済産業省', '外務省', '防衛省', '国際協力銀行', '農林水産省', '国土交通省', '金融庁', '公正取引委員会', '気象庁', '原子力規制委員会'];
const JA_TOPICS = ['半導体工場', '液化天然ガス', 'レアアース', '造船', '年金改革', '経済対策', '長期金利', '為替介入', '関税交渉', '輸出規制', '原発再稼働', '洋上風力', '新幹線', '蓄電池', 'データセンター', '最低賃金', 'コメ価格', '電気料金', '円安', '株価', '少子化対策', '防衛費', '地震', '豪雨', '観光客', '人手不足'];
const JA_STAGES = ['計画を発表', '協議を開始', '合意に署名', '判断を先送り', '予算を承認', '反対が拡大', '支援を拡充', '工事を中断', '詳細を公表', '条件を見直し'];
const JA_PLACES = ['東京', '大阪', '名古屋', '福岡', '札幌', '仙台', '広島', '熊本', '北海道', '沖縄', '九州', '北陸', '新潟', '横浜', '神戸'];

interface Story {
  japanese: boolean;
  pick: (r: () => number) => { title: string; summary: string };
}

const pickOf = <T>(list: readonly T[], r: () => number): T => list[Math.floor(r() * list.length)]!;

/** A story: the actors and topic fixed for all its events, the stage and wording varying. */
function makeStory(r: () => number): Story {
  if (r() < 0.15) {
    const country = pickOf(JA_COUNTRIES, r);
    const org = pickOf(JA_ORGS, r);
    const topic = pickOf(JA_TOPICS, r);
    const place = pickOf(JA_PLACES, r);
    const amount = 100 + Math.floor(r() * 9000);
    return {
      japanese: true,
      pick: (rr) => ({
        title: `${org}、${country}との${topic}で${pickOf(JA_STAGES, rr)}`,
        summary: `${org}は${place}で${topic}について${amount}億円規模の${pickOf(JA_STAGES, rr)}した。${country}政府の対応が焦点となる。関係者によると${pickOf(JA_TOPICS, rr)}への影響も懸念されている。`,
      }),
    };
  }
  const country = pickOf(COUNTRIES, r);
  const partner = pickOf(COUNTRIES, r);
  const company = pickOf(COMPANIES, r);
  const org = pickOf(ORGS, r);
  const institution = pickOf(INSTITUTIONS, r);
  const topic = pickOf(TOPICS, r);
  const person = pickOf(PEOPLE, r);
  const amount = 1 + Math.floor(r() * 900);
  return {
    japanese: false,
    pick: (rr) => {
      const [verb, noun] = pickOf(STAGES, rr);
      const filler = Array.from({ length: 6 }, () => pickOf(FILLER, rr)).join(' ');
      return {
        title: `${country}'s ${institution} ${verb} ${topic} with ${company}`,
        summary:
          `The ${institution} of ${country} ${verb} the ${noun} the ${topic}, a $${amount} billion project involving ${company} and partners from ${partner}. ` +
          `Minister ${person} said the ${org} had been consulted; ${filler}.`,
      };
    },
  };
}

/** The seeded archive's path: reused while it holds the same events with this version's features. */
const seededPath = (events: number, threads: number): string => join(BENCH_DIR, `threads-${events}-${threads}.db`);

function isSeeded(path: string, events: number): boolean {
  if (!existsSync(path)) return false;
  const db = openArchive(path);
  try {
    const row = db.prepare('SELECT COUNT(*) AS n FROM thread_event_features WHERE version = ?').get(FEATURES_VERSION) as { n: number };
    return row.n === events;
  } finally {
    db.close();
  }
}

/** Seeds `events` events in `threads` threads, written as the thread store writes them. */
function seed(path: string, events: number, threads: number): Story[] {
  const r = random(13);
  const stories = Array.from({ length: threads }, () => makeStory(r));
  if (isSeeded(path, events)) return stories;
  rmSync(path, { force: true });
  rmSync(`${path}-wal`, { force: true });
  rmSync(`${path}-shm`, { force: true });
  mkdirSync(BENCH_DIR, { recursive: true });
  const db = openArchive(path);
  const thread = db.prepare('INSERT INTO threads (id, title, created_at, last_event_at) VALUES (?, ?, ?, ?)');
  const member = db.prepare('INSERT INTO thread_events (event_id, thread_id, title, summary, event_at, added_at) VALUES (?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let t = 0; t < threads; t++) {
      const story = stories[t]!;
      const start = YEAR_START + Math.floor(r() * 340) * DAY_MS;
      const count = Math.floor(events / threads) + (t < events % threads ? 1 : 0);
      const dates = Array.from({ length: count }, () => start + Math.floor(r() * 40 * DAY_MS)).sort((a, b) => a - b);
      const first = story.pick(r);
      thread.run(`th-${t}`, first.title, new Date(dates[0]!).toISOString(), new Date(dates.at(-1)!).toISOString());
      for (let i = 0; i < count; i++) {
        const e = i === 0 ? first : story.pick(r);
        const at = new Date(dates[i]!).toISOString();
        const id = `ev-${t}-${i}`;
        member.run(id, `th-${t}`, e.title, e.summary, at, at);
        recordEventFeatures(db, id, e);
      }
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return stories;
}

export interface LinkingOptions {
  events?: number;
  threads?: number;
  /** New events measured (each a sample). */
  reps?: number;
}

/**
 * Linking cost per new event with a 10,000-event archive, inside one process: a new connection per
 * event, and a warm one. Diagnostics: the target is checked on whole processes (linkingProcessFigures).
 */
export async function linkingFigures(options: LinkingOptions = {}): Promise<Figure[]> {
  const events = options.events ?? 10_000;
  const threads = options.threads ?? 1_000;
  const reps = Math.max(options.reps ?? 9, MIN_REPS);
  const source = seededPath(events, threads);
  const stories = seed(source, events, threads);
  const work = join(BENCH_DIR, `threads-work-${process.pid}.db`);
  copyFileSync(source, work);
  const r = random(99);
  const cold: number[] = [];
  const warm: number[] = [];
  let joined = 0;
  try {
    const measure = (db: Database, n: number): number => {
      // Half follow up a story (its thread may or may not still be active), half are new stories.
      const event = n % 2 === 0 ? pickOf(stories, r).pick(r) : makeStory(r).pick(r);
      const at = new Date(NOW + n * 60_000).toISOString();
      const started = performance.now();
      const ranked = rankThreads(db, event, at);
      const decision = decideLink(ranked, undefined, new Date(at));
      recordEventFeatures(db, `bench-new-${n}`, event);
      const elapsed = performance.now() - started;
      if (decision.threadId !== null) joined++;
      return elapsed;
    };
    for (let n = 0; n < reps; n++) {
      const db = openArchive(work);
      try {
        cold.push(measure(db, n));
      } finally {
        db.close();
      }
    }
    const db = openArchive(work);
    try {
      measure(db, reps); // prepares the statements
      for (let n = 0; n < reps; n++) warm.push(measure(db, reps + 1 + n));
    } finally {
      db.close();
    }
  } finally {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${work}${suffix}`, { force: true });
  }
  const detail =
    `rankThreads + decideLink + recordEventFeatures for one new event, ${events.toLocaleString('en')} archived events in ` +
    `${threads.toLocaleString('en')} threads (templated English and Japanese news, one year; new events at its end), ` +
    `${reps} new events (half follow-ups, half new stories; ${joined} of ${2 * reps + 1} joined a thread), ${cpus().length} CPUs`;
  return [
    {
      id: 'threads.linking-ms',
      name: '  of which linking in-process (10,000 events, new connection; diagnostic)',
      unit: 'ms',
      ...ofSamples(cold, 2),
      detail: `${detail}; each sample on a newly opened connection, as a run's process does`,
    },
    {
      id: 'threads.linking-warm-ms',
      name: 'thread linking per new event (warm connection)',
      unit: 'ms',
      ...ofSamples(warm, 2),
      detail: `${detail}; one connection, statements prepared (diagnostic)`,
    },
  ];
}

/**
 * The same cost as a user meets it: whole `assess run` processes on a copy of the seeded archive,
 * one new event each, with linking (the default) and with `--new-thread` (no ranking; the event's
 * features are still recorded), interleaved. The replay provider has no recordings for these
 * events, so every desk fails at once and the run ends failed — after the event was linked, which
 * happens before any model is asked. The target is the difference of the two medians.
 */
export async function linkingProcessFigures(options: LinkingOptions = {}): Promise<Figure[]> {
  requireDist();
  const events = options.events ?? 10_000;
  const threads = options.threads ?? 1_000;
  const reps = Math.max(options.reps ?? 7, MIN_REPS);
  const source = seededPath(events, threads);
  const stories = seed(source, events, threads);
  const dir = mkdtempSync(join(tmpdir(), 'assess-bench-linking-'));
  const r = random(77);
  const linked: number[] = [];
  const unlinked: number[] = [];
  let joined = 0;
  try {
    const db = join(dir, 'archive.db');
    copyFileSync(source, db);
    const at = new Date(NOW).toISOString().slice(0, 10);
    const spawnRun = async (n: number, extra: string[]): Promise<number> => {
      // Both runs of a pair get the same kind of event: pairs alternate follow-ups and new stories.
      const event = Math.floor(n / 2) % 2 === 0 ? pickOf(stories, r).pick(r) : makeStory(r).pick(r);
      const file = join(dir, `event-${n}.md`);
      writeFileSync(file, `---\npublishedAt: ${at}\n---\n# ${event.title}\n\n${event.summary}\n`);
      const proc = await spawnCli(['run', file, '--provider', 'replay', '--db', db, '--format', 'json', ...extra], {}, { usage: false });
      // Exit 1: the run failed as expected (no recordings); anything else means it never got that far.
      if (proc.code !== 1 || !proc.stdout.includes('"thread"')) {
        throw new Error(`linking bench: assess run exited ${proc.code ?? proc.signal}: ${proc.stderr.trim().split('\n').slice(-2).join(' | ')}`);
      }
      const report = JSON.parse(proc.stdout) as { thread?: { link?: { method?: string } } | null };
      if (report.thread?.link?.method === 'similarity') joined++;
      return proc.wallMs;
    };
    await spawnRun(-1, []); // warm-up: the disk cache, the archive's first open by this version
    for (let n = 0; n < reps; n++) {
      linked.push(await spawnRun(2 * n, []));
      unlinked.push(await spawnRun(2 * n + 1, ['--new-thread']));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const command = `node dist/cli/main.js run <new event> --provider replay --db <copy of ${events.toLocaleString('en')} events in ${threads.toLocaleString('en')} threads>`;
  const difference = median(linked) - median(unlinked);
  return [
    {
      id: 'threads.linking-process-ms',
      name: 'thread linking per new event, whole `assess run` (median with − median with --new-thread)',
      unit: 'ms',
      value: Number(difference.toFixed(1)),
      target: { op: '<=', value: 50 },
      detail: `${command}, spawn to exit, ${reps} interleaved pairs: with linking ${median(linked).toFixed(0)} ms (${Math.min(...linked).toFixed(0)}–${Math.max(...linked).toFixed(0)}), with --new-thread ${median(unlinked).toFixed(0)} ms (${Math.min(...unlinked).toFixed(0)}–${Math.max(...unlinked).toFixed(0)}); ${joined} of ${reps} linked events joined a thread (pairs alternate a follow-up of a seeded story and a new story); desks fail at once (no recordings), after linking`,
    },
    {
      id: 'threads.linking-process-wall-ms',
      name: '  whole `assess run` with linking (diagnostic)',
      unit: 'ms',
      ...ofSamples(linked, 0),
      detail: command,
    },
  ];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const figures = [...(await linkingFigures()), ...(await linkingProcessFigures())];
  for (const f of figures) console.log(`${f.name}: ${f.value} ms (${f.min}–${f.max}) — ${f.detail}`);
}
