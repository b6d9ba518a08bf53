import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../src/errors/index.js';
import {
  decodeBody,
  FeedError,
  fetchArticleText,
  fetchFeed,
  htmlToText,
  parseFeedDate,
  parseFeedText,
  type FeedItem,
  type FetchedFeed,
  type HttpOptions,
} from '../src/feeds/index.js';

/**
 * The feed fetching and parsing layer against msw-served feeds at https://feeds.test/: the four
 * formats normalised to FeedItem, the messy cases real feeds have (CDATA markup, HTML entities,
 * relative links, named time zones, legacy charsets), conditional GET, and every failure mode
 * mapped to a one-line FeedError with the right `retryable`.
 */

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function httpOptions(overrides: Partial<HttpOptions> = {}): HttpOptions {
  return {
    // Looked up at call time, so msw's patched global fetch is the one used.
    fetch: (input, init) => fetch(input, init),
    timeoutMs: 5_000,
    maxBytes: 1_000_000,
    userAgent: 'assess-test/1.0 (+https://example.test/bot)',
    signal: new AbortController().signal,
    ...overrides,
  };
}

function serve(path: string, body: string | Uint8Array, contentType: string, headers: Record<string, string> = {}): void {
  server.use(
    http.get(`https://feeds.test${path}`, () => new HttpResponse(body, { headers: { 'Content-Type': contentType, ...headers } })),
  );
}

async function fetchOk(url: string, http = httpOptions()): Promise<Extract<FetchedFeed, { notModified: false }>> {
  const result = await fetchFeed(url, {}, http);
  if (result.notModified) throw new Error('unexpected 304');
  return result;
}

async function fetchError(url: string, http = httpOptions(), validators = {}): Promise<FeedError> {
  const error: unknown = await fetchFeed(url, validators, http).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FeedError);
  return error as FeedError;
}

function byTitle(items: FeedItem[], start: string): FeedItem {
  const item = items.find((i) => i.title.startsWith(start));
  if (!item) throw new Error(`no item titled "${start}…" in ${JSON.stringify(items.map((i) => i.title))}`);
  return item;
}

const LONG_BODY =
  'The central bank raised its policy rate by 25 basis points on Monday, the first increase in seventeen years, ' +
  'and signalled that further moves would depend on wage growth and the yen.';

const RSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>World &amp; Markets</title>
  <link>https://feeds.test/</link>
  <description>News</description>
  <item>
    <title><![CDATA[Markets <em>rally</em> &amp; yields fall]]></title>
    <link>https://news.test/markets/1</link>
    <description>Short teaser.</description>
    <content:encoded><![CDATA[<p>${LONG_BODY}</p><p>Second <b>paragraph</b>.</p>]]></content:encoded>
    <guid isPermaLink="false">  markets-1  </guid>
    <pubDate>Mon, 06 Sep 2021 16:45:00 GMT</pubDate>
    <dc:creator>Jane Doe</dc:creator>
  </item>
  <item>
    <title>Minister&#8217;s visit to Caf&eacute; &amp; Bar in Br&#252;ssel</title>
    <link>/world/2</link>
    <description>&lt;p&gt;Talks &lt;a href="/x"&gt;continued&lt;/a&gt; late.&lt;/p&gt;</description>
    <pubDate>Tue, 07 Sep 2021 09:00:00 +0900</pubDate>
  </item>
  <item>
    <title>Dublin Core dated</title>
    <link>https://news.test/dc/3</link>
    <guid>https://news.test/dc/3</guid>
    <dc:date>2021-09-08T12:30:00+02:00</dc:date>
  </item>
  <item xml:base="https://cdn.feeds.test/world/">
    <title>Relative to xml:base</title>
    <link>story-4.html</link>
    <guid>story-4</guid>
    <pubDate>Wed, 08 Sep 2021 08:00:00 EST</pubDate>
  </item>
  <item>
    <description>&lt;p&gt;An item without a title still says something worth reading about the budget and the deficit, at some length, so that its title has to be cut somewhere.&lt;/p&gt;</description>
    <guid>untitled-5</guid>
  </item>
  <item>
    <guid>empty-6</guid>
  </item>
  <item>
    <title>Permalink guid only</title>
    <guid isPermaLink="true">https://news.test/permalink/7</guid>
    <pubDate>not a date at all</pubDate>
  </item>
</channel>
</rss>`;

const RDF = `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://feeds.test/rdf">
    <title>RDF Wire</title>
    <link>https://feeds.test/</link>
    <description>RSS 1.0</description>
    <items><rdf:Seq><rdf:li rdf:resource="https://news.test/rdf/1"/><rdf:li rdf:resource="https://news.test/rdf/2"/></rdf:Seq></items>
  </channel>
  <item rdf:about="https://news.test/rdf/1">
    <title>First RDF story</title>
    <link>https://news.test/rdf/1</link>
    <description>One.</description>
    <dc:date>2024-03-01T12:00:00+01:00</dc:date>
    <dc:creator>Wire Desk</dc:creator>
  </item>
  <item rdf:about="https://news.test/rdf/2">
    <title>Second RDF story</title>
    <link>/rdf/2</link>
    <dc:date>2024-03-02T00:30:00Z</dc:date>
  </item>
</rdf:RDF>`;

const ATOM = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://feeds.test/atom/">
  <title type="html">Atom &amp;amp; Co</title>
  <id>urn:uuid:feed</id>
  <updated>2024-05-01T00:00:00Z</updated>
  <author><name>Feed Author</name></author>
  <entry>
    <id>  urn:uuid:entry-1 </id>
    <title type="html">&lt;b&gt;Ceasefire&lt;/b&gt; talks resume</title>
    <link rel="enclosure" href="audio/1.mp3"/>
    <link rel="alternate" type="text/html" href="posts/1"/>
    <summary>Short.</summary>
    <content type="html">&lt;p&gt;Negotiators met again in Doha on Wednesday, officials said, as pressure grew for a deal.&lt;/p&gt;</content>
    <published>2024-05-01T09:00:00+09:00</published>
    <updated>2024-05-02T00:00:00Z</updated>
  </entry>
  <entry xml:base="https://elsewhere.test/blog/">
    <id>urn:uuid:entry-2</id>
    <title>Entry with its own base</title>
    <link href="two.html"/>
    <summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Inline <em>XHTML</em> summary.</p></div></summary>
    <updated>2024-05-01T10:15:30.250-04:00</updated>
    <author><name>Entry Author</name></author>
  </entry>
</feed>`;

const JSON_FEED = JSON.stringify({
  version: 'https://jsonfeed.org/version/1.1',
  title: 'JSON Wire',
  home_page_url: 'https://feeds.test/',
  items: [
    {
      id: 'json-1',
      url: '/json/1',
      title: 'Rates on hold',
      content_html: '<p>The bank kept rates <strong>unchanged</strong>.</p>',
      date_published: '2024-06-01T08:00:00+02:00',
      authors: [{ name: 'Ana' }],
    },
    {
      id: 'json-2',
      url: 'https://news.test/json/2',
      title: 'Plain text item',
      content_text: 'Line one.\n\nLine two.',
      date_published: '2024-06-02T00:00:00Z',
    },
  ],
});

describe('parsing the four formats', () => {
  it('RSS 2.0: titles, links, dates, guids, content:encoded and the messy cases', async () => {
    serve('/rss.xml', RSS, 'application/rss+xml; charset=utf-8');
    const feed = await fetchOk('https://feeds.test/rss.xml');
    expect(feed.format).toBe('rss');
    expect(feed.httpStatus).toBe(200);
    expect(feed.title).toBe('World & Markets');
    // Seven items, one with neither title nor summary dropped.
    expect(feed.items).toHaveLength(6);

    const markets = feed.items[0]!;
    expect(markets.title).toBe('Markets rally & yields fall');
    expect(markets.link).toBe('https://news.test/markets/1');
    expect(markets.guid).toBe('markets-1');
    expect(markets.publishedAt).toBe('2021-09-06T16:45:00.000Z');
    expect(markets.author).toBe('Jane Doe');
    // content:encoded is longer than the description, so it wins, flattened one line per paragraph.
    expect(markets.summary).toBe(`${LONG_BODY}\nSecond paragraph.`);

    const minister = byTitle(feed.items, 'Minister');
    expect(minister.title).toBe('Minister’s visit to Café & Bar in Brüssel');
    expect(minister.link).toBe('https://feeds.test/world/2');
    expect(minister.guid).toBeUndefined();
    expect(minister.summary).toBe('Talks continued late.');
    expect(minister.publishedAt).toBe('2021-09-07T00:00:00.000Z');

    const dc = byTitle(feed.items, 'Dublin Core');
    expect(dc.publishedAt).toBe('2021-09-08T10:30:00.000Z');
    expect(dc.guid).toBe('https://news.test/dc/3');
    expect(dc.summary).toBe('');

    const based = byTitle(feed.items, 'Relative to xml:base');
    expect(based.link).toBe('https://cdn.feeds.test/world/story-4.html');
    expect(based.publishedAt).toBe('2021-09-08T13:00:00.000Z');

    const untitled = feed.items.find((i) => i.guid === 'untitled-5')!;
    expect(untitled.summary).toMatch(/^An item without a title still says something/);
    expect(untitled.title.length).toBeLessThanOrEqual(100);
    expect(untitled.title).toMatch(/^An item without a title still says something worth reading .*…$/);

    const permalink = byTitle(feed.items, 'Permalink');
    expect(permalink.link).toBe('https://news.test/permalink/7');
    expect(permalink.publishedAt).toBeUndefined();

    expect(feed.items.map((i) => i.guid)).not.toContain('empty-6');
    for (const item of feed.items) expect(item.link ?? 'https://').toMatch(/^https:\/\//);
    // Only the untitled item is marked as titled from its summary; the document is well-formed.
    expect(feed.items.filter((i) => i.titleFromSummary).map((i) => i.guid)).toEqual(['untitled-5']);
    expect(feed.warning).toBeUndefined();
  });

  it('RSS 1.0 (RDF): dc:date, rdf:about as guid, relative link against the feed URL', async () => {
    serve('/rdf.xml', RDF, 'application/rdf+xml');
    const feed = await fetchOk('https://feeds.test/rdf.xml');
    expect(feed.format).toBe('rdf');
    expect(feed.title).toBe('RDF Wire');
    expect(feed.warning).toBeUndefined();
    expect(feed.items).toEqual([
      {
        title: 'First RDF story',
        summary: 'One.',
        link: 'https://news.test/rdf/1',
        guid: 'https://news.test/rdf/1',
        publishedAt: '2024-03-01T11:00:00.000Z',
        author: 'Wire Desk',
      },
      {
        title: 'Second RDF story',
        summary: '',
        link: 'https://feeds.test/rdf/2',
        guid: 'https://news.test/rdf/2',
        publishedAt: '2024-03-02T00:30:00.000Z',
      },
    ]);
  });

  it('Atom: alternate link over enclosure, xml:base on feed and entry, content over summary, offsets', async () => {
    serve('/atom.xml', ATOM, 'application/atom+xml');
    const feed = await fetchOk('https://feeds.test/atom.xml');
    expect(feed.format).toBe('atom');
    expect(feed.title).toBe('Atom & Co');
    expect(feed.warning).toBeUndefined();
    expect(feed.items).toEqual([
      {
        title: 'Ceasefire talks resume',
        summary: 'Negotiators met again in Doha on Wednesday, officials said, as pressure grew for a deal.',
        link: 'https://feeds.test/atom/posts/1',
        guid: 'urn:uuid:entry-1',
        // published wins over updated.
        publishedAt: '2024-05-01T00:00:00.000Z',
        author: 'Feed Author',
      },
      {
        title: 'Entry with its own base',
        summary: 'Inline XHTML summary.',
        link: 'https://elsewhere.test/blog/two.html',
        guid: 'urn:uuid:entry-2',
        publishedAt: '2024-05-01T14:15:30.250Z',
        author: 'Entry Author',
      },
    ]);
  });

  it('JSON Feed: url resolved, content_html flattened, content_text kept as text', async () => {
    serve('/feed.json', JSON_FEED, 'application/feed+json');
    const feed = await fetchOk('https://feeds.test/feed.json');
    expect(feed.format).toBe('json');
    expect(feed.title).toBe('JSON Wire');
    expect(feed.warning).toBeUndefined();
    expect(feed.items).toEqual([
      {
        title: 'Rates on hold',
        summary: 'The bank kept rates unchanged.',
        link: 'https://feeds.test/json/1',
        guid: 'json-1',
        publishedAt: '2024-06-01T06:00:00.000Z',
        author: 'Ana',
      },
      {
        title: 'Plain text item',
        summary: 'Line one. Line two.',
        link: 'https://news.test/json/2',
        guid: 'json-2',
        publishedAt: '2024-06-02T00:00:00.000Z',
      },
    ]);
  });

  it('keeps long summaries whole (the event cap cuts them, and records it) but caps pathological ones', () => {
    const long = `<rss version="2.0"><channel><title>t</title><item><title>Big</title><description>${'word '.repeat(10_000)}</description></item></channel></rss>`;
    expect(parseFeedText(long, 'https://feeds.test/big.xml').items[0]!.summary.length).toBe('word '.repeat(10_000).trim().length);
    const huge = `<rss version="2.0"><channel><title>t</title><item><title>Huge</title><description>${'word '.repeat(250_000)}</description></item></channel></rss>`;
    const summary = parseFeedText(huge, 'https://feeds.test/huge.xml').items[0]!.summary;
    expect(summary.length).toBeLessThanOrEqual(1_000_000);
    expect(summary.endsWith('…')).toBe(true);
  });
});

describe('a feed that is not well-formed XML is read, and flagged', () => {
  const head = '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>T</title>\n';
  const one = '<item><title>One</title><link>https://news.test/1</link></item>\n';
  const two = '<item><title>Two</title><link>https://news.test/2</link></item>\n';

  it('cut off before </channel></rss>: the items are recovered, with a warning naming what was left open', async () => {
    serve('/cut.xml', `${head}${one}`, 'application/rss+xml');
    const feed = await fetchOk('https://feeds.test/cut.xml');
    expect(feed.items.map((i) => i.title)).toEqual(['One']);
    expect(feed.warning).toBe('malformed XML: recovered 1 item (<rss>, <channel> never closed (document cut off?))');
  });

  it('missing only </rss>, or cut inside an item: the warning says where', () => {
    const noRss = parseFeedText(`${head}${one}${two}</channel>\n`, 'https://feeds.test/x');
    expect(noRss.items).toHaveLength(2);
    expect(noRss.warning).toBe("malformed XML: recovered 2 items (line 2: Unclosed tag 'rss')");
    const cutInItem = parseFeedText(`${head}${one}<item><title>Two</title><link>https://news.test/2</link>`, 'https://feeds.test/x');
    expect(cutInItem.items.map((i) => i.title)).toEqual(['One', 'Two']);
    expect(cutInItem.warning).toBe('malformed XML: recovered 2 items (<rss>, <channel>, <item> never closed (document cut off?))');
  });

  it('a bare ampersand: still read, still flagged', () => {
    const feed = parseFeedText(`${head.replace('<title>T</title>', '<title>T & U</title>')}${one}</channel></rss>`, 'https://feeds.test/x');
    expect(feed.items).toHaveLength(1);
    expect(feed.warning).toBe("malformed XML: recovered 1 item (line 2: char '&' is not expected)");
  });

  it('well-formed documents carry no warning: entities, CDATA, a DOCTYPE, a BOM, processing instructions', () => {
    const text =
      '\uFEFF<?xml version="1.0"?>\n<?xml-stylesheet type="text/xsl" href="x.xsl"?>\n<!DOCTYPE rss [<!ENTITY co "Co">]>\n' +
      '<rss version="2.0"><channel><title>A &amp; B &co; &#8217;&nbsp;</title>' +
      '<item><title><![CDATA[One & <b>bold</b>]]></title><link>https://news.test/1</link></item></channel></rss>\n';
    const feed = parseFeedText(text, 'https://feeds.test/x');
    expect(feed.items.map((i) => i.title)).toEqual(['One & bold']);
    expect(feed.warning).toBeUndefined();
  });
});

describe('character sets', () => {
  it('decodes a Latin-1 feed declared only in the XML prolog', async () => {
    const xml = `<?xml version="1.0" encoding="ISO-8859-1"?>
<rss version="2.0"><channel><title>Europa</title><item><title>Gipfel in Brüssel</title><description>Café crème für alle</description><guid>l1</guid></item></channel></rss>`;
    const bytes = Buffer.from(xml, 'latin1');
    expect(bytes.includes(0xfc)).toBe(true); // ü is one byte, not UTF-8's two
    serve('/latin1.xml', new Uint8Array(bytes), 'application/xml');
    const feed = await fetchOk('https://feeds.test/latin1.xml');
    expect(feed.items[0]).toMatchObject({ title: 'Gipfel in Brüssel', summary: 'Café crème für alle' });
  });

  it('decodes a Shift_JIS feed', async () => {
    const NIHON = [0x93, 0xfa, 0x96, 0x7b]; // 日本 in Shift_JIS
    const bytes = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="Shift_JIS"?>\n<rss version="2.0"><channel><title>', 'latin1'),
      Buffer.from(NIHON),
      Buffer.from('</title><item><title>', 'latin1'),
      Buffer.from(NIHON),
      Buffer.from(' economy</title><guid>sj1</guid></item></channel></rss>', 'latin1'),
    ]);
    serve('/sjis.xml', new Uint8Array(bytes), 'text/xml');
    const feed = await fetchOk('https://feeds.test/sjis.xml');
    expect(feed.title).toBe('日本');
    expect(feed.items[0]!.title).toBe('日本 economy');
  });

  it('decodeBody: BOM > Content-Type charset > prolog / meta > UTF-8', () => {
    const latin1 = new Uint8Array(Buffer.from('<?xml version="1.0" encoding="iso-8859-1"?><a>Brüssel</a>', 'latin1'));
    expect(decodeBody(latin1, null)).toContain('Brüssel');
    // The header wins over the prolog.
    const utf8 = new TextEncoder().encode('<?xml version="1.0" encoding="iso-8859-1"?><a>Brüssel</a>');
    expect(decodeBody(utf8, 'text/xml; charset="UTF-8"')).toContain('Brüssel');
    // A UTF-8 BOM wins over everything and is stripped.
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('<a>ü</a>')]);
    expect(decodeBody(bom, 'text/xml; charset=iso-8859-1')).toBe('<a>ü</a>');
    // HTML meta charset.
    // HTML meta charset; 0x93/0x94 are windows-1252's curly quotes.
    const html = Buffer.concat([
      Buffer.from('<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252"></head><body>', 'latin1'),
      Buffer.from([0x93, 0x71, 0x94]),
      Buffer.from('</body></html>', 'latin1'),
    ]);
    expect(decodeBody(new Uint8Array(html), 'text/html')).toContain('“q”');
    // Unknown labels fall back to UTF-8.
    expect(decodeBody(new TextEncoder().encode('ü'), 'text/plain; charset=x-no-such-charset')).toBe('ü');
  });
});

describe('conditional GET and HTTP failures', () => {
  it('sends validators, User-Agent and Accept; 304 → notModified', async () => {
    const seen: Headers[] = [];
    server.use(
      http.get('https://feeds.test/cond.xml', ({ request }) => {
        seen.push(request.headers);
        if (request.headers.get('if-none-match') === '"v1"') return new HttpResponse(null, { status: 304, headers: { ETag: '"v1"' } });
        return new HttpResponse(RSS, {
          headers: { 'Content-Type': 'application/rss+xml', ETag: '"v1"', 'Last-Modified': 'Mon, 06 Sep 2021 17:00:00 GMT' },
        });
      }),
    );
    const first = await fetchFeed('https://feeds.test/cond.xml', {}, httpOptions());
    expect(first).toMatchObject({ notModified: false, httpStatus: 200, etag: '"v1"', lastModified: 'Mon, 06 Sep 2021 17:00:00 GMT' });
    expect(seen[0]!.get('user-agent')).toBe('assess-test/1.0 (+https://example.test/bot)');
    expect(seen[0]!.get('accept')).toContain('application/rss+xml');
    expect(seen[0]!.get('if-none-match')).toBeNull();

    const second = await fetchFeed(
      'https://feeds.test/cond.xml',
      { etag: '"v1"', lastModified: 'Mon, 06 Sep 2021 17:00:00 GMT' },
      httpOptions(),
    );
    expect(second).toEqual({ notModified: true, httpStatus: 304, etag: '"v1"', lastModified: 'Mon, 06 Sep 2021 17:00:00 GMT' });
    expect(seen[1]!.get('if-none-match')).toBe('"v1"');
    expect(seen[1]!.get('if-modified-since')).toBe('Mon, 06 Sep 2021 17:00:00 GMT');
  });

  it('5xx is retryable, 404 is not, 429 is', async () => {
    server.use(
      http.get('https://feeds.test/500', () => new HttpResponse('oops', { status: 500 })),
      http.get('https://feeds.test/404', () => new HttpResponse('gone', { status: 404, statusText: 'Not Found' })),
      http.get('https://feeds.test/429', () => new HttpResponse('slow down', { status: 429 })),
    );
    const e500 = await fetchError('https://feeds.test/500');
    expect(e500).toMatchObject({ message: 'HTTP 500 Internal Server Error', httpStatus: 500, retryable: true });
    const e404 = await fetchError('https://feeds.test/404');
    expect(e404).toMatchObject({ message: 'HTTP 404 Not Found', httpStatus: 404, retryable: false });
    const e429 = await fetchError('https://feeds.test/429');
    expect(e429).toMatchObject({ httpStatus: 429, retryable: true });
  });

  it('a slow server times out (retryable)', async () => {
    server.use(
      http.get('https://feeds.test/slow', async ({ request }) => {
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, 2_000);
          request.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            resolve(undefined);
          });
        });
        return new HttpResponse(RSS, { headers: { 'Content-Type': 'application/rss+xml' } });
      }),
    );
    const started = Date.now();
    const error = await fetchError('https://feeds.test/slow', httpOptions({ timeoutMs: 200 }));
    expect(error).toMatchObject({ message: 'timed out after 200ms', retryable: true, httpStatus: undefined });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('a body that stalls mid-stream also times out', async () => {
    server.use(
      http.get('https://feeds.test/stall', () => {
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('<rss version="2.0"><channel>'));
            // …and never another byte.
          },
        });
        return new HttpResponse(stream, { headers: { 'Content-Type': 'application/rss+xml' } });
      }),
    );
    const error = await fetchError('https://feeds.test/stall', httpOptions({ timeoutMs: 200 }));
    expect(error).toMatchObject({ message: 'timed out after 200ms', retryable: true });
  });

  it('cancellation by the caller is a CancelledError, not a feed failure', async () => {
    const controller = new AbortController();
    server.use(
      http.get('https://feeds.test/cancel', async () => {
        controller.abort();
        await new Promise((resolve) => setTimeout(resolve, 100));
        return new HttpResponse(RSS, { headers: { 'Content-Type': 'application/rss+xml' } });
      }),
    );
    await expect(fetchFeed('https://feeds.test/cancel', {}, httpOptions({ signal: controller.signal }))).rejects.toBeInstanceOf(
      CancelledError,
    );
  });

  it('a connection failure is retryable', async () => {
    server.use(http.get('https://feeds.test/down', () => HttpResponse.error()));
    const error = await fetchError('https://feeds.test/down');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/^connection failed: /);
    expect(error.message).not.toContain('\n');
  });

  it('an oversize body is refused, with or without Content-Length', async () => {
    const big = `<rss version="2.0"><channel><title>t</title>${'<item><title>x</title></item>'.repeat(200)}</channel></rss>`;
    serve('/big-declared.xml', big, 'application/rss+xml', { 'Content-Length': String(big.length) });
    server.use(
      http.get('https://feeds.test/big-streamed.xml', () => {
        const chunk = new TextEncoder().encode(big.slice(0, 512));
        let sent = 0;
        const stream = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent++ < 20) controller.enqueue(chunk);
            else controller.close();
          },
        });
        return new HttpResponse(stream, { headers: { 'Content-Type': 'application/rss+xml' } });
      }),
    );
    for (const path of ['/big-declared.xml', '/big-streamed.xml']) {
      const error = await fetchError(`https://feeds.test${path}`, httpOptions({ maxBytes: 1_000 }));
      expect(error).toMatchObject({ message: 'feed larger than 1000 bytes', retryable: false });
    }
  });

  it('malformed XML → "malformed feed: …"', async () => {
    serve('/broken.xml', '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>A</titl></item></channel></rss>', 'application/rss+xml');
    const error = await fetchError('https://feeds.test/broken.xml');
    expect(error.message).toMatch(/^malformed feed: /);
    expect(error.message).not.toContain('\n');
    expect(error).toMatchObject({ retryable: false, httpStatus: 200 });
  });

  it('an HTML page served with 200 → "not a feed: looks like an HTML page"', async () => {
    serve(
      '/moved',
      '<!DOCTYPE html>\n<html><head><title>Page not found</title></head><body><h1>Sorry</h1><p>This feed has moved.</p></body></html>',
      'text/html; charset=utf-8',
    );
    const error = await fetchError('https://feeds.test/moved');
    expect(error).toMatchObject({ message: 'not a feed: looks like an HTML page', retryable: false });
  });

  it('other non-feeds say why', () => {
    const reason = (text: string): string => {
      try {
        parseFeedText(text, 'https://feeds.test/x');
        return 'parsed';
      } catch (error) {
        return error instanceof FeedError ? error.message : String(error);
      }
    };
    expect(reason('')).toBe('not a feed: empty body');
    expect(reason('just some text')).toBe('not a feed: unrecognised format');
    expect(reason('{"hello": "world"}')).toBe('not a feed: JSON but not a JSON Feed');
    expect(reason('{"version": "https://jsonfeed.org/version/1.1", "title": ')).toMatch(/^malformed feed: invalid JSON/);
    expect(reason('<?xml version="1.0"?><note><to>x</to></note>')).toBe('not a feed: XML but not RSS, RSS 1.0 or Atom');
  });
});

describe('text and dates', () => {
  it('htmlToText decodes entities, drops markup and scripts, separates blocks', () => {
    expect(htmlToText('  plain   text\n here ')).toBe('plain text here');
    expect(htmlToText('AT&amp;T &#8217; &eacute; &nbsp;x')).toBe('AT&T ’ é x');
    expect(htmlToText('<p>One <b>bold</b></p><p>Two</p><script>alert(1)</script><style>p{}</style>')).toBe('One bold\nTwo');
    expect(htmlToText('a<br>b<ul><li>c</li><li>d</li></ul>e')).toBe('a\nb\nc\nd\ne');
    expect(htmlToText('<table><tr><td>x</td><td>y</td></tr></table>')).toBe('x y');
    expect(htmlToText('5 < 6 and 7 > 3')).toBe('5 < 6 and 7 > 3');
  });

  it('parseFeedDate accepts RFC 822 and ISO 8601, rejects garbage', () => {
    const cases: [string, string | undefined][] = [
      ['Mon, 06 Sep 2021 16:45:00 GMT', '2021-09-06T16:45:00.000Z'],
      ['Mon, 06 Sep 2021 16:45:00 +0900', '2021-09-06T07:45:00.000Z'],
      ['6 Sep 2021 16:45 EST', '2021-09-06T21:45:00.000Z'],
      ['Monday, 06 September 21 16:45:00 -05:30', '2021-09-06T22:15:00.000Z'],
      ['Mon, 06 Sep 2021 16:45:00 +0000 (UTC)', '2021-09-06T16:45:00.000Z'],
      ['2024-03-01T12:00:00+01:00', '2024-03-01T11:00:00.000Z'],
      ['2024-03-01T12:00:00.5Z', '2024-03-01T12:00:00.500Z'],
      ['2024-03-01 12:00:00-0400', '2024-03-01T16:00:00.000Z'],
      ['2024-03-01', '2024-03-01T00:00:00.000Z'],
      ['2024-02-30T00:00:00Z', undefined],
      ['2024-03-01T25:00:00Z', undefined],
      ['Mon, 06 Foo 2021 16:45:00 GMT', undefined],
      ['Mon, 06 Sep 2021 16:45:00 XYZT', undefined],
      ['yesterday', undefined],
      ['1630946700', undefined],
      ['', undefined],
    ];
    for (const [input, expected] of cases) expect([input, parseFeedDate(input)]).toEqual([input, expected]);
  });
});

describe('fetchArticleText', () => {
  const paragraphs = [
    'The finance ministry announced on Tuesday a package of measures aimed at stabilising the currency after a week of heavy selling in Asian markets, officials said.',
    'Under the plan, the central bank will widen the trading band and sell part of its foreign reserves, while the government will delay a planned increase in fuel subsidies.',
    'Analysts in Tokyo and Singapore said the measures were larger than expected but warned that their effect would depend on the Federal Reserve’s next decision on interest rates.',
    'Opposition lawmakers criticised the timing, arguing that the announcement came too late to prevent losses among small importers who had already paid for shipments in dollars.',
  ];
  const ARTICLE_PAGE = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Ministry acts to steady currency | Example News</title></head>
<body>
  <header class="site-header"><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/subscribe">Subscribe now</a></li></ul></nav></header>
  <main>
    <article>
      <h1>Ministry acts to steady currency</h1>
      <p class="byline">By A. Reporter</p>
      ${paragraphs.map((p) => `<p>${p}</p>`).join('\n      ')}
    </article>
    <aside class="related"><h2>Related</h2><ul><li><a href="/a">Other story one</a></li><li><a href="/b">Other story two</a></li></ul></aside>
  </main>
  <footer class="site-footer"><p>© 2024 Example News. All rights reserved. Cookie settings.</p></footer>
</body></html>`;

  it('returns the article body, not the navigation or footer', async () => {
    serve('/article', ARTICLE_PAGE, 'text/html; charset=utf-8');
    const text = await fetchArticleText('https://feeds.test/article', httpOptions());
    expect(text).not.toBeNull();
    for (const p of paragraphs) expect(text).toContain(p);
    expect(text).not.toContain('Subscribe now');
    expect(text).not.toContain('All rights reserved');
    expect(text).not.toMatch(/ {2}/);
  });

  it('returns null for a tiny page, an error status, a non-HTML body or a dead host', async () => {
    serve('/tiny', '<!DOCTYPE html><html><head><title>t</title></head><body><p>Just a teaser.</p></body></html>', 'text/html');
    serve('/pdf', '%PDF-1.4 …', 'application/pdf');
    server.use(
      http.get('https://feeds.test/missing', () => new HttpResponse('no', { status: 404 })),
      http.get('https://feeds.test/down', () => HttpResponse.error()),
    );
    for (const path of ['/tiny', '/pdf', '/missing', '/down']) {
      expect(await fetchArticleText(`https://feeds.test${path}`, httpOptions())).toBeNull();
    }
    expect(await fetchArticleText('not a url', httpOptions())).toBeNull();
  });
});
