/**
 * Feed bodies for the watcher tests: RSS 2.0, Atom and JSON Feed documents holding the given
 * items, as a news site would serve them (newest first, as given).
 */

export interface FixtureItem {
  title: string;
  /** Absolute URL of the story. */
  link?: string;
  /** RSS <guid isPermaLink="false">, Atom <id>, JSON Feed `id`. Defaults to the link in Atom/JSON (both require an id). */
  guid?: string;
  summary?: string;
  /** ISO 8601 date-time. */
  publishedAt?: string;
}

export interface FixtureFeed {
  title?: string;
  /** The site's home page. */
  home?: string;
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** RFC 822 date as RSS wants it. */
function rfc822(iso: string): string {
  return new Date(iso).toUTCString();
}

export function rssFeed(items: FixtureItem[], feed: FixtureFeed = {}): string {
  const entries = items.map((item) =>
    [
      '  <item>',
      `    <title>${xml(item.title)}</title>`,
      item.link ? `    <link>${xml(item.link)}</link>` : '',
      item.summary !== undefined ? `    <description>${xml(item.summary)}</description>` : '',
      item.guid ? `    <guid isPermaLink="false">${xml(item.guid)}</guid>` : '',
      item.publishedAt ? `    <pubDate>${rfc822(item.publishedAt)}</pubDate>` : '',
      '  </item>',
    ]
      .filter(Boolean)
      .join('\n'),
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0">',
    '<channel>',
    `  <title>${xml(feed.title ?? 'Test News')}</title>`,
    `  <link>${xml(feed.home ?? 'https://news.test/')}</link>`,
    '  <description>Test feed</description>',
    ...entries,
    '</channel>',
    '</rss>',
    '',
  ].join('\n');
}

export function atomFeed(items: FixtureItem[], feed: FixtureFeed = {}): string {
  const updated = items.map((i) => i.publishedAt).find(Boolean) ?? '2025-10-01T00:00:00Z';
  const entries = items.map((item, index) =>
    [
      '  <entry>',
      `    <title>${xml(item.title)}</title>`,
      item.link ? `    <link rel="alternate" href="${xml(item.link)}"/>` : '',
      `    <id>${xml(item.guid ?? item.link ?? `urn:test:entry:${index}`)}</id>`,
      `    <updated>${item.publishedAt ?? updated}</updated>`,
      item.publishedAt ? `    <published>${item.publishedAt}</published>` : '',
      item.summary !== undefined ? `    <summary>${xml(item.summary)}</summary>` : '',
      '  </entry>',
    ]
      .filter(Boolean)
      .join('\n'),
  );
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <title>${xml(feed.title ?? 'Test News')}</title>`,
    `  <link href="${xml(feed.home ?? 'https://news.test/')}"/>`,
    `  <id>${xml(feed.home ?? 'https://news.test/')}</id>`,
    `  <updated>${updated}</updated>`,
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}

export function jsonFeed(items: FixtureItem[], feed: FixtureFeed = {}): string {
  return JSON.stringify(
    {
      version: 'https://jsonfeed.org/version/1.1',
      title: feed.title ?? 'Test News',
      home_page_url: feed.home ?? 'https://news.test/',
      items: items.map((item, index) => ({
        id: item.guid ?? item.link ?? `urn:test:item:${index}`,
        title: item.title,
        ...(item.link ? { url: item.link } : {}),
        ...(item.summary !== undefined ? { content_text: item.summary } : {}),
        ...(item.publishedAt ? { date_published: item.publishedAt } : {}),
      })),
    },
    null,
    2,
  );
}

export const FEED_CONTENT_TYPES = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
} as const;
