import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { SYNTHESIS } from './support/fake-apis.js';
import { FEED_CONTENT_TYPES, rssFeed } from './support/feed-fixtures.js';
import {
  FEEDS,
  WATCH_STORIES,
  feedBody,
  queryArchive,
  serveFakeLlm,
  useFeedServer,
  useMswServer,
  useWatchWorkspace,
  watchCli,
  writeFeedsFile,
} from './support/watch-harness.js';

/**
 * Feeds that are not what they should be, end to end through `watch --once` and `feeds status`:
 * a document that is not well-formed XML is still read (as feed readers do), but flagged in the
 * log, in `feeds status` and its JSON until the feed is well-formed again; an item with neither a
 * title nor a link or guid is recorded as skipped and never assessed.
 */

const OPENAI_KEY = 'sk-test-watch-warnings-9012';

const server = useMswServer();
const { serveFeed } = useFeedServer(server);
const work = useWatchWorkspace('watch-warnings');
const cli = watchCli(OPENAI_KEY, work);

const STORY = WATCH_STORIES;
const ETAG = '"economy-v1"';

/** The economy feed with `jpUs` whole and `boj` cut off mid-item: no closing item, channel or rss tag. */
const CUT_OFF = rssFeed([STORY.jpUs, STORY.boj]).replace(/<pubDate>[^<]*<\/pubDate>\n {2}<\/item>\n<\/channel>\n<\/rss>\n$/, '');
const WARNING = 'malformed XML: recovered 2 items (<rss>, <channel>, <item> never closed (document cut off?))';

interface FeedStatus {
  name: string;
  lastStatus: number | null;
  warning: string | null;
}
const statusOf = async (config: string): Promise<FeedStatus> =>
  (JSON.parse((await cli.feedsStatus(config, 'json')).stdout) as { feeds: FeedStatus[] }).feeds[0]!;

describe('a malformed feed is flagged, not silently half-read', () => {
  it('recovered items are assessed; the log, feeds status and its JSON say so; a 304 keeps the flag; a well-formed body clears it', async () => {
    expect(CUT_OFF).not.toContain('</rss>');
    let body = CUT_OFF;
    serveFeed('/economy.rss', (request) =>
      request.headers.get('if-none-match') === ETAG && body === CUT_OFF
        ? new HttpResponse(null, { status: 304, headers: { ETag: ETAG } })
        : feedBody(body, FEED_CONTENT_TYPES.rss, body === CUT_OFF ? { ETag: ETAG } : {}),
    );
    const fake = serveFakeLlm(server);
    const config = writeFeedsFile(work, `feeds:\n  - name: economy\n    url: ${FEEDS}/economy.rss\n`);

    const first = await cli.watchOnce(config);
    // Reading a recovered feed is not a failure: both stories are assessed and the exit code is 0.
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(`feed economy: 2 queued, 0 skipped, 0 already seen; warning: ${WARNING}\n`);
    expect(queryArchive<{ status: string }>(work, 'SELECT status FROM feed_items').map((r) => r.status)).toEqual(['done', 'done']);
    expect(fake.requestsFor(SYNTHESIS)).toHaveLength(2);

    const text = (await cli.feedsStatus(config)).stdout;
    expect(text).toMatch(/\n {2}last poll [^\n]* HTTP 200 [^\n]*\n {2}warning: malformed XML: recovered 2 items \(/);
    expect(text).toContain(`\n  warning: ${WARNING}\n`);
    expect(await statusOf(config)).toMatchObject({ lastStatus: 200, warning: WARNING });

    // Not modified: nothing new was read, so the flag stands.
    const unchanged = await cli.watchOnce(config);
    expect(unchanged.stderr).toContain('feed economy: not modified\n');
    expect(await statusOf(config)).toMatchObject({ lastStatus: 304, warning: WARNING });

    // The site fixed its feed: the flag is gone.
    body = rssFeed([STORY.jpUs, STORY.boj]);
    const fixed = await cli.watchOnce(config);
    expect(fixed.code).toBe(0);
    expect(fixed.stderr).toContain('feed economy: 0 queued, 0 skipped, 2 already seen\n');
    expect(fixed.stderr).not.toContain('warning');
    expect(await statusOf(config)).toMatchObject({ lastStatus: 200, warning: null });
    expect((await cli.feedsStatus(config)).stdout).not.toContain('warning:');
  });
});

describe('items nothing identifies', () => {
  it('an item with neither a title nor a link or guid is skipped with the reason, never assessed; one with a link is', async () => {
    const anonymous = 'Anonymous text with no headline and no address, about Japan and the yen.';
    const linkedOnly = 'Tokyo says the yen is weak; a story with a link but no headline.';
    serveFeed('/economy.rss', () =>
      feedBody(
        [
          '<?xml version="1.0"?>',
          '<rss version="2.0"><channel><title>T</title>',
          `<item><description>${anonymous}</description></item>`,
          `<item><description>${linkedOnly}</description><link>https://news.test/untitled</link></item>`,
          '</channel></rss>',
        ].join('\n'),
        FEED_CONTENT_TYPES.rss,
      ),
    );
    const fake = serveFakeLlm(server);
    const config = writeFeedsFile(work, `feeds:\n  - name: economy\n    url: ${FEEDS}/economy.rss\n`);

    const result = await cli.watchOnce(config);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('feed economy: 1 queued, 1 skipped, 0 already seen\n');
    const rows = queryArchive<{ title: string; status: string; skip_reason: string | null; run_id: string | null }>(
      work,
      'SELECT title, status, skip_reason, run_id FROM feed_items ORDER BY id',
    );
    // Undated items are handled in reverse document order (feeds list newest first).
    expect(rows).toEqual([
      { title: linkedOnly, status: 'done', skip_reason: null, run_id: expect.any(String) },
      { title: anonymous, status: 'skipped', skip_reason: 'no title, link or guid: nothing identifies the story', run_id: null },
    ]);
    const sent = fake.requests.flatMap((r) => r.messages.map((m) => m.content)).join('\n');
    expect(sent).not.toContain('Anonymous text');
    expect(sent).toContain('a story with a link but no headline');
  });
});
