/**
 * The watch configuration (`assess.feeds.yaml`): which feeds to poll, how often, which desks
 * read their items, which thread their stories join, and what the watcher may spend per UTC day. Every error is an InputError of one line naming the file, the line and the
 * field, e.g. `assess.feeds.yaml:7: feeds[0].every: must be a duration like 15m, 2h or 1d`.
 */
import { readFile } from 'node:fs/promises';
import type { Cron } from 'croner';
import * as z from 'zod';
import { AGENT_ID_PATTERN } from '../agents/agent-id.js';
import { InputError } from '../errors/index.js';
import { fieldName, readYamlDocument, type YamlDocument } from '../yaml/yaml-document.js';
import { makeCron } from './schedule.js';
import type { FeedConfig, FeedThreadSetting, PollSchedule, WatchConfig } from './types.js';
import { ONE_SHOT_PARSE } from '../validation/one-shot-parse.js';

/** Feeds are polled at most once a minute; anything faster is a mistake or abuse of the server. */
export const MIN_POLL_MS = 60_000;

/** Built-in fallbacks when neither the feed nor `defaults:` sets a field. */
export const WATCH_DEFAULTS = {
  everyMs: 30 * 60_000,
  agents: 'auto' as const,
  maxItemsPerPoll: 20,
  fetchArticle: false,
  thread: 'auto' as const,
} satisfies { everyMs: number; agents: 'auto'; maxItemsPerPoll: number; fetchArticle: boolean; thread: 'auto' };

/** Upper bound on items taken from one poll: each item can cost one model call per desk. */
export const MAX_ITEMS_PER_POLL = 500;

const DURATION_UNITS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 };
const DURATION = /^(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?$/;

/**
 * Milliseconds in `30s`, `15m`, `2h`, `1d` or a combination in descending order (`1h30m`,
 * `1d 12h`); undefined for anything else (a bare number is ambiguous, so it is refused). The
 * polling minimum is checked by the schema, not here.
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === '') return undefined;
  const match = DURATION.exec(trimmed);
  if (!match) return undefined;
  const parts = match.slice(1);
  if (parts.every((p) => p === undefined)) return undefined;
  const units = ['d', 'h', 'm', 's'] as const;
  let ms = 0;
  parts.forEach((value, i) => {
    if (value !== undefined) ms += Number(value) * (DURATION_UNITS[units[i] ?? 's'] ?? 0);
  });
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** Why a cron expression is unusable, or undefined when it is fine. */
function cronProblem(expression: string): string | undefined {
  let job: Cron;
  try {
    job = makeCron(expression);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern:\s*/, '') : String(error);
    return `not a valid cron expression like "*/15 * * * *" (${reason})`;
  }
  if (job.nextRun(new Date(0)) === null) return 'cron expression never fires (check the day and month fields)';
  return undefined;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const DURATION_MESSAGE = 'must be a duration like 15m, 2h or 1d';

const Every = z.string({ error: DURATION_MESSAGE }).transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.issues.push({ code: 'custom', message: DURATION_MESSAGE, input: text });
    return z.NEVER;
  }
  if (ms < MIN_POLL_MS) {
    ctx.issues.push({ code: 'custom', message: 'must be at least 1m: feeds are polled at most once a minute', input: text });
    return z.NEVER;
  }
  return ms;
});

const CronExpr = z
  .string({ error: 'must be a cron expression in quotes, like "*/15 * * * *"' })
  .trim()
  .superRefine((text, ctx) => {
    const problem = cronProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const DeskId = z
  .string({ error: 'must be a desk id like JP-01' })
  .trim()
  .toUpperCase()
  .regex(AGENT_ID_PATTERN, 'must be a desk id like JP-01');

const Agents = z.union(
  [
    z.literal('auto'),
    // No transform here: a piped option would hide which list entry is wrong behind the union message.
    z.array(DeskId).min(1, 'list at least one desk id, or use auto'),
  ],
  { error: 'must be auto or a list of desk ids like [JP-01, US-01]' },
);

const Keywords = z.array(z.string({ error: 'must be a keyword (text)' }).trim().min(1, 'must not be empty'), {
  error: 'must be a list of keywords like [tariff, investment]',
});

const THREAD_MESSAGE = 'must be auto, new or a thread id like th-3f2a9c';

/** `auto`, `new`, or a thread id (`th-` may be left out, as `assess threads` accepts it). */
const Thread = z
  .string({ error: THREAD_MESSAGE })
  .trim()
  .toLowerCase()
  .regex(/^(?:auto|new|(?:th-)?[0-9a-z_-]{1,64})$/, THREAD_MESSAGE);

const MaxItems = z
  .int({ error: 'must be a whole number' })
  .min(1, 'must be at least 1')
  .max(MAX_ITEMS_PER_POLL, `must be at most ${MAX_ITEMS_PER_POLL} (each item can cost one model call per desk)`);

/** Fields a feed and `defaults:` share. */
const sharedFields = {
  every: Every.optional(),
  cron: CronExpr.optional(),
  agents: Agents.optional(),
  include: Keywords.optional(),
  exclude: Keywords.optional(),
  maxItemsPerPoll: MaxItems.optional(),
  fetchArticle: z.boolean({ error: 'must be true or false' }).optional(),
  thread: Thread.optional(),
};

function exclusiveSchedule(value: { every?: number | undefined; cron?: string | undefined }, ctx: z.RefinementCtx): void {
  if (value.every !== undefined && value.cron !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['cron'], message: 'set either every or cron, not both' });
  }
}

const FEED_NAME = /^[A-Za-z0-9_-]+$/;

const FeedSchema = z
  .strictObject({
    name: z
      .string({ error: 'is required: a short name like economy' })
      .trim()
      .regex(FEED_NAME, 'must use only letters, digits, - and _ (it names the feed in status and the archive)'),
    url: z
      .string({ error: 'is required: the feed URL' })
      .trim()
      .refine(isHttpUrl, 'must be an http(s) URL'),
    ...sharedFields,
  })
  .superRefine(exclusiveSchedule);

const DefaultsSchema = z.strictObject(sharedFields).superRefine(exclusiveSchedule);

const BUDGET_FIELDS = ['maxCostPerDay', 'maxTokensPerDay'] as const;

/** `budget:` — limits per UTC day over all runs the watcher starts. */
const BudgetSchema = z
  .strictObject(
    {
      maxCostPerDay: z
        .number({ error: 'must be a number of US dollars, like 5.00' })
        .positive('must be more than 0')
        .optional(),
      maxTokensPerDay: z
        .int({ error: 'must be a whole number of tokens, like 2000000' })
        .min(1, 'must be at least 1')
        .optional(),
    },
    { error: 'must be a mapping like { maxCostPerDay: 5.00, maxTokensPerDay: 2000000 }' },
  )
  .superRefine((budget, ctx) => {
    if (budget.maxCostPerDay === undefined && budget.maxTokensPerDay === undefined) {
      ctx.addIssue({ code: 'custom', message: `set ${BUDGET_FIELDS.join(' or ')} (or both)` });
    }
  });

const WatchFileSchema = z
  .strictObject({
    feeds: z.array(FeedSchema, { error: 'must be a list of feeds (each with name and url)' }).min(1, 'add at least one feed'),
    defaults: DefaultsSchema.optional(),
    budget: BudgetSchema.optional(),
  })
  .superRefine((file, ctx) => {
    const seen = new Map<string, number>();
    file.feeds.forEach((feed, i) => {
      const first = seen.get(feed.name.toLowerCase());
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['feeds', i, 'name'],
          message: `duplicate feed name ${feed.name} (already used by feeds[${first}])`,
        });
      } else {
        seen.set(feed.name.toLowerCase(), i);
      }
    });
  });

type WatchFile = z.output<typeof WatchFileSchema>;
type Shared = z.output<typeof DefaultsSchema>;

function scheduleOf(feed: Shared, defaults: Shared | undefined): PollSchedule {
  // The schedule falls back as a unit: a feed's cron overrides a default `every` and vice versa.
  for (const source of [feed, defaults]) {
    if (source?.cron !== undefined) return { cron: source.cron };
    if (source?.every !== undefined) return { everyMs: source.every };
  }
  return { everyMs: WATCH_DEFAULTS.everyMs };
}

function uniqueAgents(agents: 'auto' | string[]): 'auto' | string[] {
  return agents === 'auto' ? agents : [...new Set(agents)];
}

/** A feed's `thread:` (else the default's), with where the file set an id, for the error if it is unknown. */
function threadOf(file: WatchFile, i: number, doc: YamlDocument): { thread?: FeedThreadSetting } {
  const own = file.feeds[i]?.thread;
  const value = own ?? file.defaults?.thread ?? WATCH_DEFAULTS.thread;
  // `auto` is left out: the default, as for a feed config built in code.
  if (value === 'auto') return {};
  if (value === 'new') return { thread: value };
  const path = own !== undefined ? ['feeds', i, 'thread'] : ['defaults', 'thread'];
  return { thread: { threadId: value, line: doc.lineAt(path), field: fieldName(path) } };
}

function toWatchConfig(file: WatchFile, doc: YamlDocument): WatchConfig {
  const d = file.defaults;
  const config: WatchConfig = {
    feeds: file.feeds.map(
      (feed, i): FeedConfig => ({
        name: feed.name,
        url: feed.url,
        schedule: scheduleOf(feed, d),
        agents: uniqueAgents(feed.agents ?? d?.agents ?? WATCH_DEFAULTS.agents),
        include: feed.include ?? d?.include ?? [],
        exclude: feed.exclude ?? d?.exclude ?? [],
        maxItemsPerPoll: feed.maxItemsPerPoll ?? d?.maxItemsPerPoll ?? WATCH_DEFAULTS.maxItemsPerPoll,
        fetchArticle: feed.fetchArticle ?? d?.fetchArticle ?? WATCH_DEFAULTS.fetchArticle,
        ...threadOf(file, i, doc),
      }),
    ),
  };
  const budget = file.budget;
  if (budget) {
    config.budget = {
      ...(budget.maxCostPerDay !== undefined ? { maxCostUsd: budget.maxCostPerDay } : {}),
      ...(budget.maxTokensPerDay !== undefined ? { maxTokens: budget.maxTokensPerDay } : {}),
    };
  }
  return config;
}

interface Located {
  line: number;
  unknownField?: boolean;
  field: string;
  message: string;
}

const KNOWN_FIELDS: Record<string, readonly string[]> = {
  root: ['feeds', 'defaults', 'budget'],
  feed: ['name', 'url', ...Object.keys(sharedFields)],
  defaults: Object.keys(sharedFields),
  budget: BUDGET_FIELDS,
};

function locate(issue: z.core.$ZodIssue, doc: YamlDocument): Located {
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const top = issue.path[0];
    const where = issue.path.length === 0 ? 'root' : top === 'defaults' || top === 'budget' ? top : 'feed';
    return {
      line: doc.keyLine(issue.path, key),
      field: fieldName([...issue.path, key]),
      unknownField: true,
      message: `unknown field; expected one of ${(KNOWN_FIELDS[where] ?? []).join(', ')}`,
    };
  }
  let message = issue.message;
  if (issue.code === 'invalid_type' && message.startsWith('Invalid input: expected')) {
    message = issue.input === undefined ? 'is required' : `must be ${issue.expected}`;
  }
  return { line: doc.lineAt(issue.path), field: fieldName(issue.path) || '(file)', message };
}

export interface ParseWatchOptions {
  /** Known desk ids: when given, a feed listing another id is an error at its line. */
  deskIds?: readonly string[];
}

/**
 * Parses and validates watch configuration text. `label` names the file in errors. Reports the
 * first problem in document order.
 */
export function parseWatchConfig(text: string, label: string, options: ParseWatchOptions = {}): WatchConfig {
  const doc = readYamlDocument(text, label);
  const raw = doc.raw;
  if (raw === null || raw === undefined) {
    throw new InputError(`${label}:1: the file is empty; add a feeds: list (each feed with name and url)`);
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError(`${label}:${doc.lineAt([])}: expected a mapping with a feeds: list`);
  }
  const result = WatchFileSchema.safeParse(raw, ONE_SHOT_PARSE);
  if (!result.success) {
    const located = result.error.issues.map((issue) => locate(issue, doc));
    // An unknown field is usually a misspelt known one, whose absence is then also reported: name
    // the typo first. Otherwise the earliest line wins, and Zod's order decides within a line.
    located.sort((a, b) => (b.unknownField ? 1 : 0) - (a.unknownField ? 1 : 0) || a.line - b.line);
    const first = located[0];
    throw new InputError(
      first ? `${label}:${first.line}: ${first.field}: ${first.message}` : `${label}: invalid watch configuration`,
    );
  }
  const config = toWatchConfig(result.data, doc);
  if (options.deskIds) checkDesks(result.data, options.deskIds, label, doc);
  return config;
}

function checkDesks(file: WatchFile, deskIds: readonly string[], label: string, doc: YamlDocument): void {
  const known = new Set(deskIds);
  const lists: Array<{ path: PropertyKey[]; agents: 'auto' | string[] | undefined }> = [
    ...file.feeds.map((feed, i) => ({ path: ['feeds', i, 'agents'], agents: feed.agents })),
    { path: ['defaults', 'agents'], agents: file.defaults?.agents },
  ];
  const problems: Located[] = [];
  for (const { path, agents } of lists) {
    if (!Array.isArray(agents)) continue;
    agents.forEach((id, j) => {
      if (!known.has(id)) {
        problems.push({
          line: doc.lineAt([...path, j]),
          field: fieldName([...path, j]),
          message: `unknown desk ${id}; known desks: ${[...deskIds].sort().join(', ')}`,
        });
      }
    });
  }
  problems.sort((a, b) => a.line - b.line);
  const first = problems[0];
  if (first) throw new InputError(`${label}:${first.line}: ${first.field}: ${first.message}`);
}

/** Reads and validates the watch configuration file at `path`. */
export async function loadWatchConfig(path: string, options: ParseWatchOptions = {}): Promise<WatchConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${path}: no such file (create it, or use --feed URL)`, { cause: error });
    if (code === 'EISDIR') throw new InputError(`${path}: is a folder, not a watch configuration file`, { cause: error });
    throw new InputError(`${path}: cannot read the file (${code ?? 'unknown error'})`, { cause: error });
  }
  return parseWatchConfig(text, path, options);
}

/** A feed name from a URL's host: `https://www.news.example.org/x.rss` → `news-example-org`. */
export function feedNameFromUrl(url: string): string {
  const host = new URL(url).hostname.toLowerCase().replace(/^www\./, '');
  const name = host.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return name === '' ? 'feed' : name;
}

/** The configuration for `assess watch --feed URL [--every 10m]`: one feed, desks picked automatically. */
export function singleFeedConfig(url: string, every: string | undefined): WatchConfig {
  const trimmed = url.trim();
  if (!isHttpUrl(trimmed)) throw new InputError(`--feed: must be an http(s) URL, got ${JSON.stringify(url)}`);
  let everyMs: number = WATCH_DEFAULTS.everyMs;
  if (every !== undefined) {
    const ms = parseDuration(every);
    if (ms === undefined) throw new InputError(`--every: ${DURATION_MESSAGE}, got ${JSON.stringify(every)}`);
    if (ms < MIN_POLL_MS) throw new InputError('--every: must be at least 1m: feeds are polled at most once a minute');
    everyMs = ms;
  }
  return {
    feeds: [
      {
        name: feedNameFromUrl(trimmed),
        url: trimmed,
        schedule: { everyMs },
        agents: WATCH_DEFAULTS.agents,
        include: [],
        exclude: [],
        maxItemsPerPoll: WATCH_DEFAULTS.maxItemsPerPoll,
        fetchArticle: WATCH_DEFAULTS.fetchArticle,
      },
    ],
  };
}
