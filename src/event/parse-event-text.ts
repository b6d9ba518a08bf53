import type { ParseError } from 'jsonc-parser';
import { parseYamlInput } from '../yaml/parse-yaml-input.js';
import * as z from 'zod';
import { InputError } from '../errors/index.js';
import { sanitizeEventFields, sanitizeText } from './sanitize-text.js';
import { NewsEventSchema, type NewsEvent } from './schema.js';
import { capEvent, DEFAULT_MAX_EVENT_CHARS, type EventLimits } from './size-cap.js';
import { ONE_SHOT_PARSE } from '../validation/one-shot-parse.js';
import { requireOnDemand } from '../lazy/require-on-demand.js';

/** `text` is plain text: the first non-empty line is the title, `#` means nothing special. */
export type EventFormat = 'json' | 'yaml' | 'markdown' | 'text';

/** Picks the format from the file extension; anything unknown is read as Markdown. */
export function formatFromPath(path: string): EventFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  if (lower.endsWith('.txt')) return 'text';
  return 'markdown';
}

const BOM = /^\uFEFF/;
const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

/** Guesses the format of text with no file name (stdin). */
export function sniffFormat(text: string): EventFormat {
  const start = text.replace(BOM, '').trimStart();
  if (start.startsWith('{')) return 'json';
  // Front matter followed by a body is Markdown (the shipped events look like this); a lone
  // `---` document is YAML.
  const front = FRONT_MATTER.exec(start);
  if (front) return start.slice(front[0].length).trim() === '' ? 'yaml' : 'markdown';
  if (start.startsWith('---') || /^title\s*:/i.test(start.split('\n')[0] ?? '')) return 'yaml';
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
    // JSON.parse on Node 20 often omits the position; jsonc-parser always reports an offset. Only
    // malformed JSON needs it, so it is loaded only then.
    const { parse: parseJsonc, printParseErrorCode } = requireOnDemand<typeof import('jsonc-parser')>('jsonc-parser');
    const errors: ParseError[] = [];
    parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false });
    const first = errors[0];
    if (!first) throw new InputError(`${label}: malformed JSON`);
    const { line, column } = lineColumn(text, first.offset);
    throw new InputError(`${label}: malformed JSON at line ${line}, column ${column} (${printParseErrorCode(first.error)})`);
  }
}

/**
 * Markdown or plain text, with optional YAML front matter for metadata. The title is the
 * front matter's `title`, else (Markdown only) the first `#` heading, else the first non-empty
 * line; everything else is the body. A body line is never dropped to make a title.
 */
function parseMarkdown(text: string, label: string, plain: boolean): Record<string, unknown> {
  let meta: Record<string, unknown> = {};
  let body = text;
  const front = FRONT_MATTER.exec(body);
  if (front) {
    const parsed = parseYamlInput(front[1] ?? '', `${label} (front matter)`);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) meta = parsed as Record<string, unknown>;
    body = body.slice(front[0].length);
  }
  const lines = body.split(/\r?\n/);
  const heading = plain ? -1 : lines.findIndex((l) => /^#\s+\S/.test(l));
  const headingText = heading === -1 ? undefined : (lines[heading] ?? '').replace(/^#\s+/, '').trim();
  const without = (index: number) => [...lines.slice(0, index), ...lines.slice(index + 1)].join('\n').trim();

  if (typeof meta['title'] === 'string' && meta['title'].trim() !== '') {
    // A heading that repeats the front-matter title is not body text; any other heading is.
    const summary = headingText !== undefined && headingText === meta['title'].trim() ? without(heading) : body.trim();
    return { summary, ...meta };
  }
  const titleIndex = heading !== -1 ? heading : lines.findIndex((l) => l.trim() !== '');
  if (titleIndex === -1) return { ...meta };
  const title = heading !== -1 ? headingText : (lines[titleIndex] ?? '').trim();
  return { title, summary: without(titleIndex), ...meta };
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

/**
 * Validates a raw object as a NewsEvent; errors name the input and the field. This is the choke
 * point every input path goes through: text fields are cleaned (sanitize-text.ts) before
 * validation, so a title of only invisible characters is an empty title, and the validated event
 * is cut to the size caps (size-cap.ts), the cut recorded in `cut`.
 */
export function toNewsEvent(raw: unknown, label: string, limits: EventLimits = {}): NewsEvent {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError(`${label}: an event must be an object with at least a title`);
  }
  if ('cut' in raw) throw new InputError(`${label}: unknown field(s) cut (assess records it when it shortens a long event)`);
  const result = NewsEventSchema.safeParse(sanitizeEventFields(normaliseAliases(raw as Record<string, unknown>)), ONE_SHOT_PARSE);
  if (!result.success) throw new InputError(`${label}: ${firstIssue(result.error)}`);
  return capEvent(result.data, limits.maxChars ?? DEFAULT_MAX_EVENT_CHARS);
}

/** Parses event text in the given format. `label` names the input in error messages. */
export function parseEventText(raw: string, format: EventFormat, label: string, limits: EventLimits = {}): NewsEvent {
  // Editors on Windows (Japanese ones included) often save a byte-order mark; it is not content.
  // The whole text is cleaned before parsing too, so stray control characters and CRs cannot
  // upset the JSON/YAML parsers or the title/body split; toNewsEvent cleans the parsed fields
  // again for what only appears after parsing (JSON escapes such as \u202E).
  const text = sanitizeText(raw.replace(BOM, ''));
  if (text.trim() === '') throw new InputError(`${label}: the event is empty`);
  switch (format) {
    case 'json':
      return toNewsEvent(parseJsonStrict(text, label), label, limits);
    case 'yaml':
      return toNewsEvent(parseYamlInput(text, label), label, limits);
    case 'markdown':
    case 'text':
      return toNewsEvent(parseMarkdown(text, label, format === 'text'), label, limits);
  }
}
