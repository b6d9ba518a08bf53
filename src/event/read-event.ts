import { readFile } from 'node:fs/promises';
import { InputError } from '../errors/index.js';
import { eventId } from './event-id.js';
import { formatFromPath, parseEventText, sniffFormat, toNewsEvent } from './parse-event-text.js';
import type { IdentifiedEvent } from './schema.js';

/** Where the event comes from: a path (`-` for stdin) or flags. */
export interface EventSpec {
  path?: string;
  title?: string;
  text?: string;
  url?: string;
  published?: string;
  tags?: string[];
  language?: string;
}

export interface EventReaders {
  readFile: (path: string) => Promise<string>;
  readStdin: () => Promise<string>;
}

export const nodeEventReaders = (stdin: NodeJS.ReadableStream = process.stdin): EventReaders => ({
  readFile: (path) => readFile(path, 'utf8'),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    return Buffer.concat(chunks).toString('utf8');
  },
});

function fileErrorMessage(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return `${path}: no such file`;
  if (code === 'EACCES' || code === 'EPERM') return `${path}: permission denied`;
  if (code === 'EISDIR') return `${path}: is a directory, expected an event file`;
  return `${path}: cannot read file (${code ?? 'unknown error'})`;
}

/** Reads and validates one event, and gives it its stable id. Throws InputError on bad input. */
export async function readEvent(spec: EventSpec, readers: EventReaders): Promise<IdentifiedEvent> {
  const fromFlags = spec.title !== undefined || spec.text !== undefined;
  if (spec.path !== undefined && fromFlags) {
    throw new InputError('give the event either as a file (or -) or with --title/--text, not both');
  }
  let event;
  if (spec.path === '-') {
    const text = await readers.readStdin();
    event = parseEventText(text, sniffFormat(text), 'stdin');
  } else if (spec.path !== undefined) {
    let text: string;
    try {
      text = await readers.readFile(spec.path);
    } catch (error) {
      throw new InputError(fileErrorMessage(spec.path, error), { cause: error });
    }
    event = parseEventText(text, formatFromPath(spec.path), spec.path);
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
    );
  } else {
    throw new InputError('no event given: pass a file, - for stdin, or --title and --text');
  }
  return { id: eventId(event), event };
}
