import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventId, nodeEventReaders, readEvent, type EventSpec, type IdentifiedEvent } from '../src/event/index.js';
import { runCliCaptured } from './support/cli-io.js';
import { REPLAY_DIR, SEED_EVENT } from './support/paths.js';

/** The seed event's id, as recorded in fixtures/replay/jbic-550b/manifest.json. */
const SEED_ID = (JSON.parse(readFileSync(join(REPLAY_DIR, 'manifest.json'), 'utf8')) as { eventId: string }).eventId;

const JA_TITLE = '日本、JBICに5500億ドル対米投資の新枠組み';
const JA_BODY =
  '財務省は2025年9月26日、国際協力銀行（JBIC）に5500億ドル規模の対米投資を実行するための新たな枠組みを設けると発表した。\n' +
  '半導体、医薬品、エネルギー、造船などが対象で、日本貿易保険（NEXI）の保証も活用する。「関税合意」の履行が焦点となる。';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'assess-event-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a file in this test file's temp folder and returns its absolute path. */
function write(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Reads an event through the real Node readers (real files, a real stream for stdin). */
function read(spec: EventSpec, stdin = ''): Promise<IdentifiedEvent> {
  return readEvent(spec, nodeEventReaders(Readable.from([Buffer.from(stdin, 'utf8')])));
}

const readFileEvent = (name: string, content: string): Promise<IdentifiedEvent> => read({ path: write(name, content) });

/** A replay folder that answers `id` with the seed event's recordings, so a full run works offline. */
function replayDirFor(id: string): string {
  const root = mkdtempSync(join(dir, 'replay-'));
  const folder = join(root, 'event');
  mkdirSync(folder);
  cpSync(REPLAY_DIR, folder, { recursive: true });
  writeFileSync(join(folder, 'manifest.json'), JSON.stringify({ eventId: id, eventFile: 'test' }));
  return root;
}

interface ReportJson {
  status: string;
  event: { id: string; title: string; summary: string; publishedAt?: string; url?: string; tags: string[] };
}

describe('file formats', () => {
  it('reads a .json event', async () => {
    const { event } = await readFileEvent(
      'e.json',
      JSON.stringify({ title: 'JSON title', summary: 'JSON body', url: 'https://example.com/a', tags: ['x', 'y'], language: 'en' }),
    );
    expect(event).toEqual({ title: 'JSON title', summary: 'JSON body', url: 'https://example.com/a', tags: ['x', 'y'], language: 'en' });
  });

  it('reads .yaml and .yml events the same way', async () => {
    const yaml = 'title: YAML title\nsummary: |\n  First line.\n  Second line.\ntags: [a, b]\npublishedAt: 2025-09-26\n';
    const a = await readFileEvent('e.yaml', yaml);
    const b = await readFileEvent('e.yml', yaml);
    expect(a.event).toEqual({
      title: 'YAML title',
      summary: 'First line.\nSecond line.\n',
      tags: ['a', 'b'],
      publishedAt: '2025-09-26T00:00:00.000Z',
    });
    expect(b).toEqual(a);
  });

  it('reads .md: the first # heading is the title, the rest is the body, front matter gives publishedAt and tags', async () => {
    const md = [
      '---',
      'publishedAt: 2025-09-26',
      'tags: [Japan, JBIC]',
      '---',
      '',
      '# The real title',
      '',
      'First paragraph.',
      '',
      '## A subheading stays in the body',
      '',
      'Second paragraph.',
      '',
    ].join('\n');
    const { event } = await readFileEvent('e.md', md);
    expect(event.title).toBe('The real title');
    expect(event.summary).toBe('First paragraph.\n\n## A subheading stays in the body\n\nSecond paragraph.');
    expect(event.publishedAt).toBe('2025-09-26T00:00:00.000Z');
    expect(event.tags).toEqual(['Japan', 'JBIC']);
  });

  it('reads .md with CRLF line endings and a byte-order mark', async () => {
    const { event } = await readFileEvent('crlf.md', '\uFEFF---\r\ntags: [a]\r\n---\r\n# CRLF title\r\n\r\nBody\r\n');
    expect(event).toEqual({ title: 'CRLF title', summary: 'Body', tags: ['a'] });
  });

  it('reads the shipped seed event (.md with front matter)', async () => {
    const { id, event } = await read({ path: SEED_EVENT });
    expect(id).toBe(SEED_ID);
    expect(event.title).toBe('Japan Unveils $550B U.S. Investment');
    expect(event.publishedAt).toBe('2025-09-26T00:00:00.000Z');
    expect(event.language).toBe('en');
    expect(event.summary.startsWith('On September 26, 2025')).toBe(true);
  });

  it('reads .txt: the first line is the title, the rest is the body', async () => {
    const { event } = await readFileEvent('e.txt', '\n\nPlain headline\n\nLine one of the story.\nLine two.\n');
    expect(event.title).toBe('Plain headline');
    expect(event.summary).toBe('Line one of the story.\nLine two.');
  });

  // Regression: .txt used to be parsed as Markdown, so a later "# " line stole the title.
  it('.txt keeps its first line as the title even when a later line starts with "# "', async () => {
    const { event } = await readFileEvent('hash.txt', 'Plain headline\nStory text.\n# 1 priority, officials said\nMore text.\n');
    expect(event.title).toBe('Plain headline');
  });

  // Regression: with a front-matter title and no heading, the first body line used to vanish.
  it('a front-matter title with no # heading keeps the whole body', async () => {
    const { event } = await readFileEvent('fm-title.md', '---\ntitle: Front-matter title\n---\nFirst paragraph.\n\nSecond paragraph.\n');
    expect(event.title).toBe('Front-matter title');
    expect(event.summary).toBe('First paragraph.\n\nSecond paragraph.');
  });

  // Regression: a UTF-8 byte-order mark (Windows editors, Japanese ones included, write one) used
  // to make a valid .json event "malformed JSON at line 1, column 1".
  it('a .json event saved with a UTF-8 byte-order mark is accepted', async () => {
    const { event } = await read({ path: write('bom.json', Buffer.from(`\uFEFF${JSON.stringify({ title: JA_TITLE, summary: JA_BODY })}`, 'utf8')) });
    expect(event.title).toBe(JA_TITLE);
  });
});

describe('stdin (-)', () => {
  it('sniffs JSON', async () => {
    const { event } = await read({ path: '-' }, '\n  {"title": "From stdin", "body": "JSON body"}\n');
    expect(event).toEqual({ title: 'From stdin', summary: 'JSON body', tags: [] });
  });

  it('sniffs Markdown', async () => {
    const { event } = await read({ path: '-' }, '# Markdown from stdin\n\nThe body.\n');
    expect(event).toEqual({ title: 'Markdown from stdin', summary: 'The body.', tags: [] });
  });

  it('sniffs plain text (first line is the title)', async () => {
    const { event } = await read({ path: '-' }, 'Plain headline\nThe body.\n');
    expect(event).toEqual({ title: 'Plain headline', summary: 'The body.', tags: [] });
  });

  it('sniffs YAML that starts with title:', async () => {
    const { event } = await read({ path: '-' }, 'title: YAML from stdin\ntext: the body\n');
    expect(event).toEqual({ title: 'YAML from stdin', summary: 'the body', tags: [] });
  });

  it('`assess run -` reads JSON from stdin into the report', async () => {
    const stdin = JSON.stringify({ title: JA_TITLE, summary: JA_BODY });
    const id = eventId({ title: JA_TITLE, summary: JA_BODY });
    const r = await runCliCaptured(['run', '-', '--provider', 'replay', '--replay-dir', replayDirFor(id), '--format', 'json', '--no-progress'], {
      stdin,
      cwd: dir,
    });
    expect(r.stderr).not.toContain('    at ');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as ReportJson;
    expect(report.event).toMatchObject({ id, title: JA_TITLE, summary: JA_BODY });
  });

  // Regression: stdin starting with `---` used to be sniffed as YAML, so the seed event piped in
  // failed as "malformed YAML"; front matter followed by a body is now Markdown.
  it('`assess run -` reads Markdown with YAML front matter (the seed event piped in)', async () => {
    const r = await runCliCaptured(['run', '-', '--provider', 'replay', '--format', 'json', '--no-progress'], {
      stdin: readFileSync(SEED_EVENT, 'utf8'),
      cwd: dir,
    });
    expect(r.stderr).not.toMatch(/^assess:/m); // today: "assess: stdin: malformed YAML at line 5, column 1 (Source contains multiple documents…)"
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as ReportJson).event.id).toBe(SEED_ID);
  });
});

describe('flags', () => {
  it('--title --text --url --published --tags build the event', async () => {
    const { event } = await read({
      title: 'Flag title',
      text: 'Flag body',
      url: 'https://example.com/story',
      published: '2025-09-26T18:30:00+09:00',
      tags: ['a', 'b'],
      language: 'ja',
    });
    expect(event).toEqual({
      title: 'Flag title',
      summary: 'Flag body',
      url: 'https://example.com/story',
      publishedAt: '2025-09-26T09:30:00.000Z',
      tags: ['a', 'b'],
      language: 'ja',
    });
  });

  it('`assess run --title … --text …` gives the same id as the file and runs the recorded desks', async () => {
    const seed = await read({ path: SEED_EVENT });
    const r = await runCliCaptured(
      [
        'run',
        '--title',
        seed.event.title,
        '--text',
        seed.event.summary,
        '--url',
        'https://example.com/jbic?utm_source=feed',
        '--published',
        '2025-09-26T09:00:00Z',
        '--tags',
        'Japan, JBIC',
        '--provider',
        'replay',
        '--format',
        'json',
        '--no-progress',
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as ReportJson;
    expect(report.status).toBe('ok');
    expect(report.event).toMatchObject({
      id: SEED_ID,
      url: 'https://example.com/jbic?utm_source=feed',
      publishedAt: '2025-09-26T09:00:00.000Z',
      tags: ['Japan', 'JBIC'],
    });
  });

  it('a file together with --title is refused', async () => {
    await expect(read({ path: SEED_EVENT, title: 'x' })).rejects.toThrow(/either as a file .* not both/);
  });

  it('no file and no flags is refused', async () => {
    await expect(read({})).rejects.toThrow(/no event given/);
  });
});

describe('stable event id', () => {
  const base = { title: 'Japan Unveils $550B U.S. Investment', summary: 'Café owners in Tokyo react.\nThe yen moved.' };

  it('is 16 hex characters and the same on every read', async () => {
    const a = await readFileEvent('id1.json', JSON.stringify(base));
    const b = await readFileEvent('id2.json', JSON.stringify(base));
    expect(a.id).toMatch(/^[0-9a-f]{16}$/);
    expect(b.id).toBe(a.id);
    expect(eventId(base)).toBe(a.id);
  });

  it('ignores whitespace, case and Unicode composition', async () => {
    const a = await readFileEvent('ws1.json', JSON.stringify(base));
    const b = await readFileEvent(
      'ws2.json',
      JSON.stringify({
        title: '  JAPAN unveils   $550b\tu.s. INVESTMENT ',
        // "é" decomposed (e + combining acute), re-wrapped, different spacing and case.
        summary: '\n  cafe\u0301 OWNERS in\n   tokyo react. the   YEN moved.  \n',
      }),
    );
    expect(b.id).toBe(a.id);
    // Full-width Latin letters and digits (common in Japanese text) fold to the same id too.
    expect(eventId({ title: '日本、ＪＢＩＣに５５００億ドル', summary: '' })).toBe(eventId({ title: '日本、JBICに5500億ドル', summary: '' }));
  });

  it('is the same for the same story in .json, .yaml, .md and .txt', async () => {
    const ids = await Promise.all([
      readFileEvent('same.json', JSON.stringify(base)),
      readFileEvent('same.yaml', `title: ${base.title}\nsummary: "${base.summary.replace('\n', '\\n')}"\n`),
      readFileEvent('same.md', `---\npublishedAt: 2025-09-26\n---\n# ${base.title}\n\n${base.summary}\n`),
      readFileEvent('same.txt', `${base.title}\n${base.summary}\n`),
    ]);
    expect(new Set(ids.map((e) => e.id)).size).toBe(1);
  });

  it('changes when the body changes', async () => {
    const a = await readFileEvent('b1.json', JSON.stringify(base));
    const b = await readFileEvent('b2.json', JSON.stringify({ ...base, summary: `${base.summary} Then it moved back.` }));
    const c = await readFileEvent('b3.json', JSON.stringify({ ...base, title: `${base.title} again` }));
    expect(b.id).not.toBe(a.id);
    expect(c.id).not.toBe(a.id);
  });

  it('does not change with metadata (url, publishedAt, source, tags, language)', async () => {
    const a = await readFileEvent('m1.json', JSON.stringify(base));
    const b = await readFileEvent(
      'm2.json',
      JSON.stringify({
        ...base,
        url: 'https://example.com/a?utm_source=x',
        publishedAt: '2025-09-27T01:02:03Z',
        source: { name: 'Wire', url: 'https://wire.example.com' },
        tags: ['Japan'],
        language: 'en',
      }),
    );
    const c = await readFileEvent('m3.json', JSON.stringify({ ...base, url: 'https://other.example.org/b', publishedAt: '2024-01-01' }));
    expect(b.id).toBe(a.id);
    expect(c.id).toBe(a.id);
  });

  it('the seed event keeps its recorded id (the replay manifest depends on it)', () => {
    expect(SEED_ID).toBe('a650d00f1aebde57');
  });
});

describe('Japanese text', () => {
  it('is read untouched from .json, .md and .yaml', async () => {
    const fromJson = await readFileEvent('ja.json', JSON.stringify({ title: JA_TITLE, summary: JA_BODY, language: 'ja' }));
    const fromMd = await readFileEvent('ja.md', `# ${JA_TITLE}\n\n${JA_BODY}\n`);
    const fromYaml = await readFileEvent('ja.yaml', `title: ${JA_TITLE}\nsummary: |\n  ${JA_BODY.split('\n').join('\n  ')}\n`);
    for (const { event } of [fromJson, fromMd]) {
      expect(event.title).toBe(JA_TITLE);
      expect(event.summary).toBe(JA_BODY);
    }
    expect(fromYaml.event.title).toBe(JA_TITLE);
    expect(fromYaml.event.summary.trim()).toBe(JA_BODY);
    expect(fromMd.id).toBe(fromJson.id);
  });

  it('is carried through to the JSON report in UTF-8, byte for byte (--out report.json and stdout)', async () => {
    // Deliberately un-normalised: full-width letters and a decomposed "ガ" (カ + combining dakuten)
    // must reach the report as written; only the id is computed on the normalised form.
    const title = `${JA_TITLE}（ＪＢＩＣ）カ\u3099`;
    const file = write('ja-report.json', Buffer.from(JSON.stringify({ title, summary: JA_BODY, language: 'ja' }), 'utf8'));
    const id = eventId({ title, summary: JA_BODY });
    expect(id).toBe(eventId({ title: `${JA_TITLE}（JBIC）ガ`, summary: JA_BODY }));
    const replayDir = replayDirFor(id);

    const out = join(dir, 'out-ja');
    // Not archived: the file's archive already holds this story under another title, and a desk
    // with memory would be asked for an update the seed recordings do not have.
    const written = await runCliCaptured(['run', file, '--provider', 'replay', '--replay-dir', replayDir, '--out', out, '--no-progress', '--no-archive'], { cwd: dir });
    expect(written.code).toBe(0);
    const bytes = readFileSync(join(out, 'report.json'));
    expect(bytes.includes(Buffer.from(title, 'utf8'))).toBe(true);
    expect(bytes.includes(Buffer.from(JSON.stringify(JA_BODY).slice(1, -1), 'utf8'))).toBe(true);
    expect(bytes.toString('utf8')).not.toMatch(/\\u[0-9a-fA-F]{4}/); // not escaped to ASCII
    const report = JSON.parse(bytes.toString('utf8')) as ReportJson;
    expect(report.event).toMatchObject({ id, title, summary: JA_BODY });
    expect(report.event.title.normalize('NFC')).not.toBe(report.event.title); // composition untouched

    const printed = await runCliCaptured(['run', file, '--provider', 'replay', '--replay-dir', replayDir, '--format', 'json', '--no-progress', '--no-archive'], { cwd: dir });
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain(title);
    expect((JSON.parse(printed.stdout) as ReportJson).event.title).toBe(title);
  });
});

describe('publishedAt', () => {
  const publishedOf = async (value: unknown): Promise<string | undefined> =>
    (await readFileEvent('p.json', JSON.stringify({ title: 'T', publishedAt: value }))).event.publishedAt;

  it('normalises dates and date-times with an offset to ISO 8601 UTC', async () => {
    expect(await publishedOf('2025-09-26')).toBe('2025-09-26T00:00:00.000Z');
    expect(await publishedOf('2025-09-26T09:00:00Z')).toBe('2025-09-26T09:00:00.000Z');
    expect(await publishedOf('2025-09-26T18:30:00+09:00')).toBe('2025-09-26T09:30:00.000Z');
    expect(await publishedOf(' 2025-09-26T09:00:00.123Z ')).toBe('2025-09-26T09:00:00.123Z');
  });

  it('normalises an unquoted YAML date', async () => {
    const { event } = await readFileEvent('p.yaml', 'title: T\npublishedAt: 2025-09-26\n');
    expect(event.publishedAt).toBe('2025-09-26T00:00:00.000Z');
  });

  it('rejects non-ISO dates, naming the field', async () => {
    await expect(publishedOf('26/09/2025')).rejects.toThrow(/publishedAt: must be an ISO 8601 date/);
    await expect(publishedOf('September 26, 2025')).rejects.toThrow(/publishedAt/);
  });

  // Regression: Date.parse rolls an impossible day over (2025-02-30 → 2025-03-02); it is now rejected.
  it('an impossible calendar date (2025-02-30) is rejected, not rolled over to March 2', async () => {
    await expect(publishedOf('2025-02-30')).rejects.toThrow(/publishedAt/);
  });

  // Regression: a date-time without an offset used to be read in the machine's time zone; it is UTC now.
  it('a date-time without an offset normalises the same whatever the machine time zone', async () => {
    const saved = process.env['TZ'];
    try {
      process.env['TZ'] = 'UTC';
      const utc = await publishedOf('2025-09-26T09:00:00');
      process.env['TZ'] = 'Asia/Tokyo';
      const tokyo = await publishedOf('2025-09-26T09:00:00');
      expect(tokyo).toBe(utc);
    } finally {
      if (saved === undefined) delete process.env['TZ'];
      else process.env['TZ'] = saved;
    }
  });
});

describe('aliases', () => {
  it('`body` and `text` stand for `summary`', async () => {
    expect((await readFileEvent('a1.json', JSON.stringify({ title: 'T', body: 'from body' }))).event.summary).toBe('from body');
    expect((await readFileEvent('a2.yaml', 'title: T\ntext: from text\n')).event.summary).toBe('from text');
  });

  it('`summary` wins over an alias, and the alias does not leak into the event', async () => {
    const { event } = await readFileEvent('a3.json', JSON.stringify({ title: 'T', summary: 'real', body: 'alias' }));
    expect(event).toEqual({ title: 'T', summary: 'real', tags: [] });
  });

  it('an alias gives the same id as `summary`', async () => {
    const a = await readFileEvent('a4.json', JSON.stringify({ title: 'T', summary: 'same body' }));
    const b = await readFileEvent('a5.json', JSON.stringify({ title: 'T', body: 'same body' }));
    const c = await readFileEvent('a6.json', JSON.stringify({ title: 'T', text: 'same body' }));
    expect(b.id).toBe(a.id);
    expect(c.id).toBe(a.id);
  });

  it('`source` as a plain string becomes { name }', async () => {
    const { event } = await readFileEvent('a7.json', JSON.stringify({ title: 'T', source: 'Nikkei' }));
    expect(event.source).toEqual({ name: 'Nikkei' });
  });
});
