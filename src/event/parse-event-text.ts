import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { InputError } from '../errors/index.js';
import { NewsEventSchema, type NewsEvent } from './schema.js';

export type EventFormat = 'json' | 'yaml' | 'markdown';

/** Picks the format from the file extension; anything unknown is read as Markdown/plain text. */
export function formatFromPath(path: string): EventFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  return 'markdown';
}

/** Guesses the format of text with no file name (stdin). */
export function sniffFormat(text: string): EventFormat {
  const start = text.trimStart();
  if (start.startsWith('{')) return 'json';
  if (start.startsWith('---') || /^title\s*:/m.test(start.split('\n')[0] ?? '')) return 'yaml';
  return 'markdown';
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return { line, column };
}

function parseJsonStrict(text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // JSON.parse on Node 20 often omits the position; jsonc-parser always reports an offset.
    const errors: ParseError[] = [];
    parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false });
    const first = errors[0];
    if (!first) throw new InputError(`${label}: malformed JSON`);
    const { line, column } = lineColumn(text, first.offset);
    throw new InputError(`${label}: malformed JSON at line ${line}, column ${column} (${printParseErrorCode(first.error)})`);
  }
}

function parseYamlStrict(text: string, label: string): unknown {
  try {
    return parseYaml(text, { prettyErrors: true });
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const pos = error.linePos?.[0];
      const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
      const reason = error.message.split(' at line')[0] ?? error.message;
      throw new InputError(`${label}: malformed YAML${where} (${reason})`, { cause: error });
    }
    throw error;
  }
}

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/;

/**
 * Markdown or plain text: optional YAML front matter for metadata, then the first `#` heading
 * (or, failing that, the first non-empty line) is the title and everything else is the body.
 */
function parseMarkdown(text: string, label: string): Record<string, unknown> {
  let meta: Record<string, unknown> = {};
  let body = text.replace(/^\uFEFF/, '');
  const front = FRONT_MATTER.exec(body);
  if (front) {
    const parsed = parseYamlStrict(front[1] ?? '', `${label} (front matter)`);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) meta = parsed as Record<string, unknown>;
    body = body.slice(front[0].length);
  }
  const lines = body.split(/\r?\n/);
  let titleIndex = lines.findIndex((l) => /^#\s+\S/.test(l));
  if (titleIndex === -1) titleIndex = lines.findIndex((l) => l.trim() !== '');
  if (titleIndex === -1) return { ...meta };
  const title = (lines[titleIndex] ?? '').replace(/^#\s+/, '').trim();
  const rest = [...lines.slice(0, titleIndex), ...lines.slice(titleIndex + 1)].join('\n').trim();
  return { title, summary: rest, ...meta, ...(meta['title'] ? { title: meta['title'] } : {}) };
}

/** Names the first failing field, e.g. `source.url: must be an http(s) URL`. */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid event';
  const path = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') return `unknown field(s) ${issue.keys.join(', ')}`;
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** Accepts the common alias `body`/`text` for `summary`, so hand-written files just work. */
function normaliseAliases(raw: Record<string, unknown>): Record<string, unknown> {
  const out = { ...raw };
  for (const alias of ['body', 'text']) {
    if (alias in out) {
      if (out['summary'] === undefined) out['summary'] = out[alias];
      delete out[alias];
    }
  }
  if (typeof out['source'] === 'string') out['source'] = { name: out['source'] };
  return out;
}

/** Validates a raw object as a NewsEvent; errors name the input and the field. */
export function toNewsEvent(raw: unknown, label: string): NewsEvent {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError(`${label}: an event must be an object with at least a title`);
  }
  const result = NewsEventSchema.safeParse(normaliseAliases(raw as Record<string, unknown>));
  if (!result.success) throw new InputError(`${label}: ${firstIssue(result.error)}`);
  return result.data;
}

/** Parses event text in the given format. `label` names the input in error messages. */
export function parseEventText(text: string, format: EventFormat, label: string): NewsEvent {
  if (text.trim() === '') throw new InputError(`${label}: the event is empty`);
  switch (format) {
    case 'json':
      return toNewsEvent(parseJsonStrict(text, label), label);
    case 'yaml':
      return toNewsEvent(parseYamlStrict(text, label), label);
    case 'markdown':
      return toNewsEvent(parseMarkdown(text, label), label);
  }
}
