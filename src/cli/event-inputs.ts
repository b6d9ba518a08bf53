import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import PQueue from 'p-queue';
import { Readable } from 'node:stream';
import { InputError, describeError } from '../errors/index.js';
import { decodeUtf8 } from '../event/decode-utf8.js';
import { eventId } from '../event/event-id.js';
import { isPageUrl } from '../event/page-url.js';
import { parseEventText, sniffFormat } from '../event/parse-event-text.js';
import { nodeEventReaders, readEvent } from '../event/read-event.js';
import type { IdentifiedEvent } from '../event/schema.js';
import type { CliIo } from './io.js';

/**
 * The inputs of a batch (`assess run a.md b.yaml https://… folder/ -`), expanded in the order
 * given and read one by one. Every input that cannot be an event — a missing file, malformed
 * JSON, a page that is a paywall stub, a bad JSON line — becomes a skipped input with its one-line
 * reason; it never stops the others.
 *
 * - a folder: its event files (EVENT_FILE_EXTENSIONS), sorted by name (code-point order, the same
 *   on every machine), not recursive: subfolders and dotfiles are left alone;
 * - a `.jsonl`/`.ndjson` file, and `-` when stdin holds JSON Lines: one event object per line,
 *   blank lines ignored, each labelled with its line number (`stdin line 3`);
 * - `-` holding anything else: one event, as for a single run;
 * - an http(s) URL: the page, read as `assess run <URL>` reads it.
 */

/** Files a folder contributes: the event formats, and JSON Lines. */
export const EVENT_FILE_EXTENSIONS = ['.json', '.yaml', '.yml', '.md', '.txt', '.jsonl', '.ndjson'] as const;

/** Pages fetched (or files read) at once while reading a batch's inputs. */
const READ_CONCURRENCY = 4;

export type BatchInput = { n: number; label: string } & ({ ok: true; event: IdentifiedEvent } | { ok: false; reason: string });

type Source =
  | { kind: 'file'; label: string; path: string }
  | { kind: 'page'; label: string; url: string }
  | { kind: 'text'; label: string; text: string; json: boolean }
  | { kind: 'bad'; label: string; reason: string };

export const isJsonLinesPath = (path: string): boolean => /\.(jsonl|ndjson)$/i.test(path);

export async function readStdinBytes(stdin: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

/**
 * The lines of JSON Lines text with their 1-based numbers, blank ones dropped; undefined when the
 * text is not JSON Lines, which is when its first non-blank line is not a whole JSON object by
 * itself (a pretty-printed JSON event starts with a lone `{`, Markdown and YAML never with one).
 */
export function splitJsonLines(content: Uint8Array | string): { line: number; text: string }[] | undefined {
  let text: string;
  try {
    text = typeof content === 'string' ? content : decodeUtf8(content, 'stdin');
  } catch {
    return undefined; // invalid UTF-8 is reported where the event is read
  }
  const lines = text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .map((line, index) => ({ line: index + 1, text: line.replace(/\r$/, '') }))
    .filter((l) => l.text.trim() !== '');
  const first = lines[0]?.text.trim();
  if (first === undefined || !first.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(first);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? lines : undefined;
  } catch {
    return undefined;
  }
}

const linesAsSources = (label: string, lines: { line: number; text: string }[]): Source[] =>
  lines.map((l) => ({ kind: 'text', label: `${label} line ${l.line}`, text: l.text, json: true }));

async function folderSources(label: string, path: string): Promise<Source[]> {
  let names: string[];
  try {
    names = await readdir(path);
  } catch (error) {
    return [{ kind: 'bad', label, reason: `${label}: cannot read folder (${(error as NodeJS.ErrnoException).code ?? 'error'})` }];
  }
  const candidates = names
    .filter((name) => !name.startsWith('.') && EVENT_FILE_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext)))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const sources: Source[] = [];
  for (const name of candidates) {
    const file = join(path, name);
    // A folder named like a file (`old.json/`) is not an event; subfolders are not entered.
    const info = await stat(file).catch(() => undefined);
    if (info && !info.isFile()) continue;
    const fileLabel = join(label, name);
    sources.push(...(isJsonLinesPath(name) ? await jsonLinesFileSources(fileLabel, file) : [{ kind: 'file' as const, label: fileLabel, path: file }]));
  }
  if (sources.length === 0) {
    return [{ kind: 'bad', label, reason: `${label}: no event files in the folder (${EVENT_FILE_EXTENSIONS.join(', ')})` }];
  }
  return sources;
}

async function jsonLinesFileSources(label: string, path: string): Promise<Source[]> {
  let text: string;
  try {
    text = decodeUtf8(await readFile(path), label);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = error instanceof InputError ? error.message : `${label}: ${code === 'ENOENT' ? 'no such file' : `cannot read file (${code ?? 'error'})`}`;
    return [{ kind: 'bad', label, reason }];
  }
  if (text.trim() === '') return [{ kind: 'bad', label, reason: `${label}: no events (the file is empty)` }];
  const lines = splitJsonLines(text);
  if (!lines) return [{ kind: 'bad', label, reason: `${label}: not JSON Lines (the first line is not a JSON object)` }];
  return linesAsSources(label, lines);
}

/** Expands the arguments into sources, in order. `abs` resolves a path against the working directory. */
async function expand(args: string[], abs: (path: string) => string, stdin: Uint8Array | undefined): Promise<Source[]> {
  const sources: Source[] = [];
  let stdinUsed = false;
  for (const arg of args) {
    if (arg === '-') {
      if (stdinUsed || stdin === undefined) {
        sources.push({ kind: 'bad', label: 'stdin', reason: 'stdin: given more than once (it can be read only once)' });
        continue;
      }
      stdinUsed = true;
      const lines = splitJsonLines(stdin);
      if (lines) sources.push(...linesAsSources('stdin', lines));
      else sources.push({ kind: 'text', label: 'stdin', text: '', json: false });
      continue;
    }
    if (isPageUrl(arg)) {
      sources.push({ kind: 'page', label: arg, url: arg });
      continue;
    }
    const path = abs(arg);
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory()) sources.push(...(await folderSources(arg, path)));
    else if (isJsonLinesPath(arg) && info) sources.push(...(await jsonLinesFileSources(arg, path)));
    else sources.push({ kind: 'file', label: arg, path });
  }
  return sources;
}

export interface ReadInputsOptions {
  io: Pick<CliIo, 'fetch' | 'signal'>;
  abs: (path: string) => string;
  maxEventChars: number;
  /** stdin's bytes, read once by the caller when `-` is among the arguments. */
  stdin: Uint8Array | undefined;
}

/**
 * Every input as an event or a reason, in argument order (`n` counts from 1). Pages are fetched
 * a few at a time. Only InputErrors make a skipped input: a cancelled fetch (Ctrl-C) or a fault of assess is thrown.
 */
export async function readBatchInputs(args: string[], options: ReadInputsOptions): Promise<BatchInput[]> {
  const sources = await expand(args, options.abs, options.stdin);
  const limits = { maxChars: options.maxEventChars };
  // stdin was read by the caller; the reader's own stdin is never used.
  const readers = nodeEventReaders(Readable.from([]), { ...(options.io.fetch ? { fetch: options.io.fetch } : {}), signal: options.io.signal });
  const read = async (source: Source): Promise<IdentifiedEvent> => {
    switch (source.kind) {
      case 'bad':
        throw new InputError(source.reason);
      case 'page':
        return readEvent({ pageUrl: source.url }, readers, limits);
      case 'file':
        return readEvent({ path: source.path }, readers, limits).catch((error: unknown) => {
          // Name the file as the user typed it, not the absolute path.
          throw error instanceof InputError ? new InputError(error.message.replace(source.path, source.label)) : error;
        });
      case 'text': {
        const text = source.json ? source.text : decodeUtf8(options.stdin ?? new Uint8Array(0), 'stdin');
        const event = parseEventText(text, source.json ? 'json' : sniffFormat(text), source.label, limits);
        return { id: eventId(event), event };
      }
    }
  };
  const queue = new PQueue({ concurrency: READ_CONCURRENCY });
  return Promise.all(
    sources.map((source, index) =>
      queue.add(async (): Promise<BatchInput> => {
        const n = index + 1;
        try {
          return { n, label: source.label, ok: true, event: await read(source) };
        } catch (error) {
          // Only bad input is skipped; anything else is a fault of assess and stops the command.
          if (!(error instanceof InputError)) throw error;
          // A JSON line is one line: its column is what locates the problem.
          const message = describeError(error);
          const reason = source.kind === 'text' && source.json ? message.replace(/: malformed JSON at line 1, column /, ': malformed JSON at column ') : message;
          return { n, label: source.label, ok: false, reason };
        }
      }),
    ),
  );
}
