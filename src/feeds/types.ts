/** Shared shapes of the feeds module: what a feed yields, how a feed is configured, how items route. */

/** One item of a feed, normalised across RSS 2.0, RSS 1.0 (RDF), Atom and JSON Feed. */
export interface FeedItem {
  /** guid / id as the feed gives it, trimmed; absent when the feed has none. */
  guid?: string;
  /** Absolute URL of the item (relative links resolved against xml:base / the feed URL). */
  link?: string;
  /** Plain text: entities decoded, markup removed, whitespace collapsed. Never empty. */
  title: string;
  /** Plain text summary/description/content (content:encoded preferred when longer); may be empty. */
  summary: string;
  /** ISO 8601 (UTC) when the feed dates the item (pubDate, dc:date, updated, published, date_published). */
  publishedAt?: string;
  author?: string;
  /** The feed gave the item no title: `title` is the start of its summary. */
  titleFromSummary?: true;
}

export type FeedFormat = 'rss' | 'atom' | 'rdf' | 'json';

export type FetchedFeed =
  | { notModified: true; httpStatus: 304; etag?: string; lastModified?: string }
  | {
      notModified: false;
      httpStatus: number;
      etag?: string;
      lastModified?: string;
      format: FeedFormat;
      title?: string;
      items: FeedItem[];
      /** The document was not well-formed but items were recovered: `malformed XML: recovered 2 items (…)`. */
      warning?: string;
    };

/** A feed that could not be fetched or parsed. One line for status; `retryable` drives backoff. */
export class FeedError extends Error {
  override readonly name = 'FeedError';
  readonly httpStatus: number | undefined;
  readonly retryable: boolean;
  constructor(message: string, details: { httpStatus?: number; retryable: boolean; cause?: unknown }) {
    super(message, { cause: details.cause });
    this.httpStatus = details.httpStatus;
    this.retryable = details.retryable;
  }
}

export interface HttpOptions {
  fetch: typeof fetch;
  timeoutMs: number;
  /** Bodies larger than this are refused (a feed is not a video). */
  maxBytes: number;
  userAgent: string;
  signal: AbortSignal;
}

/** How often a feed is polled: a fixed interval or a cron expression. */
export type PollSchedule = { everyMs: number } | { cron: string };

export interface FeedConfig {
  name: string;
  url: string;
  schedule: PollSchedule;
  /** `auto`: desks picked by keywords; or an explicit list of desk ids. */
  agents: 'auto' | string[];
  /** Case-insensitive keywords; an item must contain one of `include` (if any) and none of `exclude`. */
  include: string[];
  exclude: string[];
  maxItemsPerPoll: number;
  /** Fetch the linked article and extract its main text when the feed only has a headline. */
  fetchArticle: boolean;
  /** Which thread the feed's stories join (`thread:`); absent means `auto`. */
  thread?: FeedThreadSetting;
}

/**
 * `thread:` in the feeds file. `auto`: each story joins the most similar active thread, or starts
 * one. `new`: every story starts a thread of its own. A thread id: every story joins that thread
 * (checked against the archive when the watcher starts; `line` and `field` locate it for that error).
 */
export type FeedThreadSetting = 'auto' | 'new' | { threadId: string; line: number; field: string };

/**
 * The watcher's spending limits per UTC day (`budget:` in the feeds file), over every model call
 * of the runs it starts. Absent fields are unlimited.
 */
export interface DailyBudgetLimits {
  /** US dollars a UTC day (`maxCostPerDay`). */
  maxCostUsd?: number;
  /** Input plus output tokens a UTC day (`maxTokensPerDay`). */
  maxTokens?: number;
}

export interface WatchConfig {
  feeds: FeedConfig[];
  /** Present only when the feeds file sets `budget:`. */
  budget?: DailyBudgetLimits;
}

/** Which desks assess an item, and why; archived with the item. */
export interface RouteDecision {
  agents: string[];
  method: 'auto' | 'list' | 'triage';
  reason: string;
}
