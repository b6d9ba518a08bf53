import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/errors/index.js';
import {
  feedNameFromUrl,
  loadWatchConfig,
  parseDuration,
  parseWatchConfig,
  singleFeedConfig,
} from '../src/feeds/config.js';

const LABEL = 'assess.feeds.yaml';

const VALID = `# two feeds, one falling back to the defaults
feeds:
  - name: economy
    url: https://news.example.org/economy.rss
    every: 15m            # or cron
    agents: auto
    include: [tariff, investment]
    exclude: [sports]
    maxItemsPerPoll: 20
    fetchArticle: false
  - name: asia-wire
    url: http://wire.example.com/asia.xml
    cron: "0 9 * * 1-5"
    agents: [jp-01, US-01, JP-01]
  - name: plain_feed
    url: https://example.net/feed.json
defaults:
  every: 1h30m
  include: [trade]
  maxItemsPerPoll: 5
  fetchArticle: true
`;

/** The one-line message of the InputError that `fn` throws. */
function inputError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    const message = (error as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    return message;
  }
  throw new Error('expected an InputError');
}

/** A file with one feed whose body lines (under `- name: a`) are `lines`. */
const oneFeed = (...lines: string[]): string =>
  ['feeds:', '  - name: a', '    url: https://x.example/a.rss', ...lines.map((l) => `    ${l}`), ''].join('\n');

describe('parseWatchConfig: valid files', () => {
  it('applies the feed, then defaults:, then the built-in fallbacks', () => {
    const config = parseWatchConfig(VALID, LABEL);
    expect(config.feeds).toEqual([
      {
        name: 'economy',
        url: 'https://news.example.org/economy.rss',
        schedule: { everyMs: 15 * 60_000 },
        agents: 'auto',
        include: ['tariff', 'investment'],
        exclude: ['sports'],
        maxItemsPerPoll: 20,
        fetchArticle: false,
      },
      {
        name: 'asia-wire',
        url: 'http://wire.example.com/asia.xml',
        // A feed's cron overrides a default `every`: the schedule falls back as a unit.
        schedule: { cron: '0 9 * * 1-5' },
        // Ids are upper-cased and de-duplicated, order kept.
        agents: ['JP-01', 'US-01'],
        include: ['trade'],
        exclude: [],
        maxItemsPerPoll: 5,
        fetchArticle: true,
      },
      {
        name: 'plain_feed',
        url: 'https://example.net/feed.json',
        schedule: { everyMs: 90 * 60_000 },
        agents: 'auto',
        include: ['trade'],
        exclude: [],
        maxItemsPerPoll: 5,
        fetchArticle: true,
      },
    ]);
  });

  it('uses every 30m, agents auto, 20 items and no article fetch when nothing is set', () => {
    const config = parseWatchConfig('feeds:\n  - name: only\n    url: https://a.example/rss\n', LABEL);
    expect(config.feeds[0]).toEqual({
      name: 'only',
      url: 'https://a.example/rss',
      schedule: { everyMs: 30 * 60_000 },
      agents: 'auto',
      include: [],
      exclude: [],
      maxItemsPerPoll: 20,
      fetchArticle: false,
    });
  });

  it('takes a cron schedule and agents list from defaults:', () => {
    const config = parseWatchConfig(
      'feeds:\n  - name: a\n    url: https://a.example/rss\ndefaults:\n  cron: "*/20 * * * *"\n  agents: [CN-01]\n',
      LABEL,
    );
    expect(config.feeds[0]?.schedule).toEqual({ cron: '*/20 * * * *' });
    expect(config.feeds[0]?.agents).toEqual(['CN-01']);
  });

  it('ignores a byte-order mark', () => {
    expect(parseWatchConfig(`\uFEFF${oneFeed('every: 2h')}`, LABEL).feeds[0]?.schedule).toEqual({ everyMs: 7_200_000 });
  });
});

describe('parseWatchConfig: errors name the file, the line and the field', () => {
  it('bad duration', () => {
    expect(inputError(() => parseWatchConfig(oneFeed('every: soon'), LABEL))).toBe(
      'assess.feeds.yaml:4: feeds[0].every: must be a duration like 15m, 2h or 1d',
    );
    // A bare number is ambiguous (minutes? seconds?) and refused the same way.
    expect(inputError(() => parseWatchConfig(oneFeed('every: 15'), LABEL))).toBe(
      'assess.feeds.yaml:4: feeds[0].every: must be a duration like 15m, 2h or 1d',
    );
  });

  it('a duration under one minute', () => {
    expect(inputError(() => parseWatchConfig(oneFeed('every: 30s'), LABEL))).toBe(
      'assess.feeds.yaml:4: feeds[0].every: must be at least 1m: feeds are polled at most once a minute',
    );
  });

  it('both every and cron', () => {
    expect(inputError(() => parseWatchConfig(oneFeed('every: 15m', 'cron: "*/15 * * * *"'), LABEL))).toBe(
      'assess.feeds.yaml:5: feeds[0].cron: set either every or cron, not both',
    );
    expect(
      inputError(() => parseWatchConfig(`${oneFeed()}defaults:\n  every: 1h\n  cron: "0 * * * *"\n`, LABEL)),
    ).toBe('assess.feeds.yaml:6: defaults.cron: set either every or cron, not both');
  });

  it('bad cron, with croner’s reason', () => {
    expect(inputError(() => parseWatchConfig(oneFeed('cron: "61 * * * *"'), LABEL))).toBe(
      'assess.feeds.yaml:4: feeds[0].cron: not a valid cron expression like "*/15 * * * *" (Invalid value for minute: 61)',
    );
    const sixFields = inputError(() => parseWatchConfig(oneFeed('cron: "*/5 * * * * *"'), LABEL));
    expect(sixFields).toMatch(/^assess\.feeds\.yaml:4: feeds\[0\]\.cron: not a valid cron expression .*exactly 5 parts/);
    expect(inputError(() => parseWatchConfig(oneFeed('cron: "0 0 30 2 *"'), LABEL))).toBe(
      'assess.feeds.yaml:4: feeds[0].cron: cron expression never fires (check the day and month fields)',
    );
  });

  it('unknown key, at the key’s own line, listing the known ones', () => {
    expect(inputError(() => parseWatchConfig(oneFeed('maxItems: 5', 'every: 1h'), LABEL))).toBe(
      'assess.feeds.yaml:4: feeds[0].maxItems: unknown field; expected one of name, url, every, cron, agents, include, exclude, maxItemsPerPoll, fetchArticle, thread',
    );
    // A misspelt required field is reported as the typo, not as the missing field.
    expect(inputError(() => parseWatchConfig('feeds:\n  - name: a\n    ulr: https://a.example/\n', LABEL))).toBe(
      'assess.feeds.yaml:3: feeds[0].ulr: unknown field; expected one of name, url, every, cron, agents, include, exclude, maxItemsPerPoll, fetchArticle, thread',
    );
    expect(inputError(() => parseWatchConfig(`${oneFeed()}default:\n  every: 1h\n`, LABEL))).toBe(
      'assess.feeds.yaml:4: default: unknown field; expected one of feeds, defaults, budget',
    );
  });

  it('duplicate names, case-insensitively, at the second one', () => {
    const text = `feeds:
  - name: economy
    url: https://a.example/1
  - name: Economy
    url: https://a.example/2
`;
    expect(inputError(() => parseWatchConfig(text, LABEL))).toBe(
      'assess.feeds.yaml:4: feeds[1].name: duplicate feed name Economy (already used by feeds[0])',
    );
  });

  it('names with other characters', () => {
    expect(inputError(() => parseWatchConfig('feeds:\n  - name: my feed\n    url: https://a.example/\n', LABEL))).toBe(
      'assess.feeds.yaml:2: feeds[0].name: must use only letters, digits, - and _ (it names the feed in status and the archive)',
    );
  });

  it('bad url, and a missing one', () => {
    expect(inputError(() => parseWatchConfig('feeds:\n  - name: a\n    url: ftp://a.example/feed\n', LABEL))).toBe(
      'assess.feeds.yaml:3: feeds[0].url: must be an http(s) URL',
    );
    expect(inputError(() => parseWatchConfig('feeds:\n  - name: a\n    url: news.example.org/rss\n', LABEL))).toBe(
      'assess.feeds.yaml:3: feeds[0].url: must be an http(s) URL',
    );
    expect(inputError(() => parseWatchConfig('feeds:\n  - name: a\n    every: 1h\n', LABEL))).toBe(
      'assess.feeds.yaml:2: feeds[0].url: is required: the feed URL',
    );
  });

  it('desk ids that do not look like JP-01, and other agents values', () => {
    expect(inputError(() => parseWatchConfig(oneFeed('agents: [JP-01, Japan]'), LABEL))).toBe(
      'assess.feeds.yaml:4: feeds[0].agents[1]: must be a desk id like JP-01',
    );
    const multiLine = `feeds:
  - name: a
    url: https://a.example/
    agents:
      - JP-01
      - US1
`;
    expect(inputError(() => parseWatchConfig(multiLine, LABEL))).toBe(
      'assess.feeds.yaml:6: feeds[0].agents[1]: must be a desk id like JP-01',
    );
    expect(inputError(() => parseWatchConfig(oneFeed('agents: all'), LABEL))).toBe(
      'assess.feeds.yaml:4: feeds[0].agents: must be auto or a list of desk ids like [JP-01, US-01]',
    );
    expect(inputError(() => parseWatchConfig(oneFeed('agents: []'), LABEL))).toBe(
      'assess.feeds.yaml:4: feeds[0].agents: list at least one desk id, or use auto',
    );
  });

  it('unknown desks when the known ids are given', () => {
    const text = oneFeed('agents: [JP-01, XX-99]');
    expect(parseWatchConfig(text, LABEL).feeds[0]?.agents).toEqual(['JP-01', 'XX-99']);
    expect(inputError(() => parseWatchConfig(text, LABEL, { deskIds: ['US-01', 'JP-01'] }))).toBe(
      'assess.feeds.yaml:4: feeds[0].agents[1]: unknown desk XX-99; known desks: JP-01, US-01',
    );
  });

  it('other field types', () => {
    expect(inputError(() => parseWatchConfig(oneFeed('maxItemsPerPoll: 0'), LABEL))).toBe(
      'assess.feeds.yaml:4: feeds[0].maxItemsPerPoll: must be at least 1',
    );
    expect(inputError(() => parseWatchConfig(oneFeed('maxItemsPerPoll: 2.5'), LABEL))).toBe(
      'assess.feeds.yaml:4: feeds[0].maxItemsPerPoll: must be a whole number',
    );
    expect(inputError(() => parseWatchConfig(oneFeed('fetchArticle: yes please'), LABEL))).toBe(
      'assess.feeds.yaml:4: feeds[0].fetchArticle: must be true or false',
    );
    expect(inputError(() => parseWatchConfig(oneFeed('include: tariff'), LABEL))).toBe(
      'assess.feeds.yaml:4: feeds[0].include: must be a list of keywords like [tariff, investment]',
    );
  });

  it('reports the earliest problem in the file', () => {
    const text = `feeds:
  - name: a
    url: https://a.example/
    every: later
  - name: b
    url: gopher://b.example/
`;
    expect(inputError(() => parseWatchConfig(text, LABEL))).toBe(
      'assess.feeds.yaml:4: feeds[0].every: must be a duration like 15m, 2h or 1d',
    );
  });

  it('empty files, empty lists and the wrong shape', () => {
    expect(inputError(() => parseWatchConfig('', LABEL))).toBe(
      'assess.feeds.yaml:1: the file is empty; add a feeds: list (each feed with name and url)',
    );
    expect(inputError(() => parseWatchConfig('# nothing yet\n', LABEL))).toMatch(/^assess\.feeds\.yaml:1: the file is empty/);
    expect(inputError(() => parseWatchConfig('feeds: []\n', LABEL))).toBe('assess.feeds.yaml:1: feeds: add at least one feed');
    expect(inputError(() => parseWatchConfig('- https://a.example/rss\n', LABEL))).toBe(
      'assess.feeds.yaml:1: expected a mapping with a feeds: list',
    );
  });

  it('malformed YAML with line and column', () => {
    expect(inputError(() => parseWatchConfig('feeds:\n  - name: [economy\n    url: https://a.example/\n', LABEL))).toMatch(
      /^assess\.feeds\.yaml:3:\d+: malformed YAML \(.+\)$/,
    );
    expect(inputError(() => parseWatchConfig('feeds:\n  - name: a\n    url: x\n    url: y\n', LABEL))).toBe(
      'assess.feeds.yaml:4:5: malformed YAML (Map keys must be unique)',
    );
    expect(inputError(() => parseWatchConfig('feeds:\n\t- name: a\n', LABEL))).toBe(
      'assess.feeds.yaml:2:1: malformed YAML (Tabs are not allowed as indentation)',
    );
  });
});

describe('parseWatchConfig: budget:', () => {
  /** One feed, then a budget block whose lines (under `budget:`, line 4 on) are `lines`. */
  const withBudget = (...lines: string[]): string => `${oneFeed()}budget:\n${lines.map((l) => `  ${l}\n`).join('')}`;

  it('reads a daily cost and token limit (per UTC day); no budget: block, no budget', () => {
    expect(parseWatchConfig(withBudget('maxCostPerDay: 5.00', 'maxTokensPerDay: 2000000'), LABEL).budget).toEqual({
      maxCostUsd: 5,
      maxTokens: 2_000_000,
    });
    expect(parseWatchConfig(withBudget('maxTokensPerDay: 2e6'), LABEL).budget).toEqual({ maxTokens: 2_000_000 });
    expect(parseWatchConfig(`${oneFeed()}budget: { maxCostPerDay: 0.25 }\n`, LABEL).budget).toEqual({ maxCostUsd: 0.25 });
    expect(parseWatchConfig(oneFeed(), LABEL)).not.toHaveProperty('budget');
  });

  it('errors name the file, the line and the field', () => {
    const cases: [string, string][] = [
      [withBudget('maxCostPerDay: 0'), 'assess.feeds.yaml:5: budget.maxCostPerDay: must be more than 0'],
      [withBudget('maxCostPerDay: -1'), 'assess.feeds.yaml:5: budget.maxCostPerDay: must be more than 0'],
      [withBudget('maxCostPerDay: $5'), 'assess.feeds.yaml:5: budget.maxCostPerDay: must be a number of US dollars, like 5.00'],
      [withBudget('maxCostPerDay: "5"'), 'assess.feeds.yaml:5: budget.maxCostPerDay: must be a number of US dollars, like 5.00'],
      [withBudget('maxCostPerDay: .inf'), 'assess.feeds.yaml:5: budget.maxCostPerDay: must be a number of US dollars, like 5.00'],
      [withBudget('maxCostPerDay: 1', 'maxTokensPerDay: 1500.5'), 'assess.feeds.yaml:6: budget.maxTokensPerDay: must be a whole number of tokens, like 2000000'],
      [withBudget('maxTokensPerDay: 0'), 'assess.feeds.yaml:5: budget.maxTokensPerDay: must be at least 1'],
      [withBudget('maxTokensPerDay: 2_000_000'), 'assess.feeds.yaml:5: budget.maxTokensPerDay: must be a whole number of tokens, like 2000000'],
      [
        withBudget('maxCostPerDay: 5', 'maxCostPerDays: 5'),
        'assess.feeds.yaml:6: budget.maxCostPerDays: unknown field; expected one of maxCostPerDay, maxTokensPerDay',
      ],
      [
        withBudget('max_cost_per_day: 5'),
        'assess.feeds.yaml:5: budget.max_cost_per_day: unknown field; expected one of maxCostPerDay, maxTokensPerDay',
      ],
      [`${oneFeed()}budget: {}\n`, 'assess.feeds.yaml:4: budget: set maxCostPerDay or maxTokensPerDay (or both)'],
      [`${oneFeed()}budget:\n`, 'assess.feeds.yaml:4: budget: must be a mapping like { maxCostPerDay: 5.00, maxTokensPerDay: 2000000 }'],
      [`${oneFeed()}budget: 5\n`, 'assess.feeds.yaml:4: budget: must be a mapping like { maxCostPerDay: 5.00, maxTokensPerDay: 2000000 }'],
    ];
    for (const [text, message] of cases) expect(inputError(() => parseWatchConfig(text, LABEL)), text).toBe(message);
  });
});

describe('loadWatchConfig', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'assess-feeds-config-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a file and names it in errors', async () => {
    const good = join(dir, 'assess.feeds.yaml');
    writeFileSync(good, VALID);
    expect((await loadWatchConfig(good)).feeds.map((f) => f.name)).toEqual(['economy', 'asia-wire', 'plain_feed']);

    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, oneFeed('every: 5 minutes'));
    await expect(loadWatchConfig(bad)).rejects.toThrow(
      new InputError(`${bad}:4: feeds[0].every: must be a duration like 15m, 2h or 1d`),
    );
  });

  it('passes known desk ids through', async () => {
    const file = join(dir, 'desks.yaml');
    writeFileSync(file, oneFeed('agents: [ZZ-01]'));
    await expect(loadWatchConfig(file, { deskIds: ['JP-01'] })).rejects.toThrow(/:4: feeds\[0\]\.agents\[0\]: unknown desk ZZ-01/);
  });

  it('a missing file says how to fix it', async () => {
    const missing = join(dir, 'nope.yaml');
    const error = await loadWatchConfig(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(`${missing}: no such file (create it, or use --feed URL)`);
  });

  it('a folder is not a file', async () => {
    await expect(loadWatchConfig(dir)).rejects.toThrow(`${dir}: is a folder, not a watch configuration file`);
  });
});

describe('singleFeedConfig', () => {
  it('derives the name from the host, auto desks, built-in fallbacks', () => {
    expect(singleFeedConfig('https://www.News.Example.org:8443/economy.rss', '10m')).toEqual({
      feeds: [
        {
          name: 'news-example-org',
          url: 'https://www.News.Example.org:8443/economy.rss',
          schedule: { everyMs: 600_000 },
          agents: 'auto',
          include: [],
          exclude: [],
          maxItemsPerPoll: 20,
          fetchArticle: false,
        },
      ],
    });
    expect(singleFeedConfig('http://feeds.example.com/rss', undefined).feeds[0]?.schedule).toEqual({ everyMs: 1_800_000 });
    expect(feedNameFromUrl('http://127.0.0.1:8080/feed')).toBe('127-0-0-1');
  });

  it('refuses a bad URL or interval as flag errors', () => {
    expect(inputError(() => singleFeedConfig('news.example.org/rss', '10m'))).toBe(
      '--feed: must be an http(s) URL, got "news.example.org/rss"',
    );
    expect(inputError(() => singleFeedConfig('https://a.example/rss', 'often'))).toBe(
      '--every: must be a duration like 15m, 2h or 1d, got "often"',
    );
    expect(inputError(() => singleFeedConfig('https://a.example/rss', '20s'))).toBe(
      '--every: must be at least 1m: feeds are polled at most once a minute',
    );
  });
});

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1d 12h', 129_600_000],
    ['2h0m15s', 7_215_000],
    [' 45M ', 2_700_000],
    ['90m', 5_400_000],
    ['0m', 0],
  ])('%s → %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '15', 'm', '1.5h', '30m1h', '15 minutes', '1w', '-5m', '1h1h', 'PT15M'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
