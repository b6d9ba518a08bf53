import { readFile } from 'node:fs/promises';
import { InputError } from '../errors/index.js';
import { decodeUtf8 } from './decode-utf8.js';
import { eventId } from './event-id.js';
import { formatFromPath, parseEventText, sniffFormat, toNewsEvent } from './parse-event-text.js';
import type { IdentifiedEvent, NewsEvent } from './schema.js';
import type { EventLimits } from './size-cap.js';

/** Where the event comes from: a path (`-` for stdin), a web page, or flags. */
export interface EventSpec {
  path?: string;
  /** An http(s) URL of a news page: fetched, its article extracted (read-page-event.ts). */
  pageUrl?: string;
  title?: string;
  text?: string;
  url?: string;
  published?: string;
  tags?: string[];
  language?: string;
}

/**
 * Raw bytes are decoded here, strictly (invalid UTF-8 is an InputError with its byte offset); a
 * string is taken as already decoded.
 */
export interface EventReaders {
  readFile: (path: string) => Promise<Uint8Array | string>;
  readStdin: () => Promise<Uint8Array | string>;
  /** Fetches a page and makes it an event (readPageEvent with the caller's fetch and signal). */
  readPage: (url: string, limits: EventLimits) => Promise<NewsEvent>;
}

/**
 * Files from disk, stdin from `stdin`, pages with `fetchImpl` (cancelled by `signal`). The CLI
 * passes its own; the defaults serve tests and scripts.
 */
export const nodeEventReaders = (
  stdin: NodeJS.ReadableStream = process.stdin,
  page: { fetch?: typeof fetch; signal?: AbortSignal } = {},
): EventReaders => ({
  readFile: (path) => readFile(path),
  readPage: async (url, limits) => {
    // Loaded on demand: the HTML parser and Readability cost start-up time every file run would pay.
    const { pageHttpOptions, readPageEvent } = await import('./read-page-event.js');
    return readPageEvent(url, pageHttpOptions(page.fetch ?? fetch, page.signal ?? new AbortController().signal), limits);
  },
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    return Buffer.concat(chunks);
  },
});

const asText = (content: Uint8Array | string, label: string): string => (typeof content === 'string' ? content : decodeUtf8(content, label));

function fileErrorMessage(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return `${path}: no such file`;
  if (code === 'EACCES' || code === 'EPERM') return `${path}: permission denied`;
  if (code === 'EISDIR') return `${path}: is a directory, expected an event file`;
  return `${path}: cannot read file (${code ?? 'unknown error'})`;
}

/**
 * Reads and validates one event, and gives it its stable id. Throws InputError on bad input.
 * A body longer than `limits.maxChars` (default DEFAULT_MAX_EVENT_CHARS) is cut and the cut
 * recorded on the event; the id is computed from the text as cut, so it is still deterministic.
 */
export async function readEvent(spec: EventSpec, readers: EventReaders, limits: EventLimits = {}): Promise<IdentifiedEvent> {
  const fromFlags = spec.title !== undefined || spec.text !== undefined;
  if ((spec.path !== undefined || spec.pageUrl !== undefined) && fromFlags) {
    throw new InputError('give the event either as a file (or -) or with --title/--text, not both');
  }
  let event;
  if (spec.pageUrl !== undefined) {
    event = await readers.readPage(spec.pageUrl, limits);
  } else if (spec.path === '-') {
    const text = asText(await readers.readStdin(), 'stdin');
    event = parseEventText(text, sniffFormat(text), 'stdin', limits);
  } else if (spec.path !== undefined) {
    let content: Uint8Array | string;
    try {
      content = await readers.readFile(spec.path);
    } catch (error) {
      throw new InputError(fileErrorMessage(spec.path, error), { cause: error });
    }
    event = parseEventText(asText(content, spec.path), formatFromPath(spec.path), spec.path, limits);
  } else if (fromFlags) {
    event = toNewsEvent(
      {
        title: spec.title,
        summary: spec.text ?? '',
        ...(spec.url !== undefined ? { url: spec.url } : {}),
        ...(spec.published !== undefined ? { publishedAt: spec.published } : {}),
        ...(spec.tags !== undefined ? { tags: spec.tags } : {}),
        ...(spec.language !== undefined ? { language: spec.language } : {}),
      },
      'flags',
      limits,
    );
  } else {
    throw new InputError('no event given: pass a file, - for stdin, or --title and --text');
  }
  return { id: eventId(event), event };
}
