import type { Document, LineCounter } from 'yaml';
import { InputError } from '../errors/index.js';
import { fastParseYaml } from './fast-parse.js';
import { yamlLibrary } from './yaml-library.js';

/**
 * A YAML configuration file kept as a document, so validation errors can name the line of the
 * field at fault (`assess.config.yaml:7: desks.CN-01.provider: …`), not just its path.
 */
export interface YamlDocument {
  /** The parsed value (null for an empty file). */
  raw: unknown;
  /** Line of the node at `path`, or of its nearest existing ancestor (a missing field → its object). */
  lineAt(path: readonly PropertyKey[]): number;
  /** Line of the key `key` inside the map at `path` (for unknown fields). */
  keyLine(path: readonly PropertyKey[], key: string): number;
}

/** The `yaml` library's document with node positions; malformed YAML is an InputError `label:line:col: malformed YAML (reason)`. */
function positionedDocument(text: string, label: string): { doc: Document; lines: LineCounter } {
  const { LineCounter, parseDocument } = yamlLibrary();
  const lines = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const pos = yamlError.linePos?.[0];
    const reason = yamlError.message.split(' at line')[0]?.split('\n')[0] ?? yamlError.message;
    const where = pos ? `:${pos.line}:${pos.col}` : '';
    throw new InputError(`${label}${where}: malformed YAML (${reason})`, { cause: yamlError });
  }
  return { doc, lines };
}

/**
 * Parses `text`; malformed YAML is an InputError `label:line:col: malformed YAML (reason)`. A
 * well-formed file is read by js-yaml, and the positioned document is built only when a line is
 * asked for (a field failed validation), so a valid settings file costs a fast parse.
 */
export function readYamlDocument(text: string, label: string): YamlDocument {
  const source = text.replace(/^\uFEFF/, '');
  const fast = fastParseYaml(source);
  let positioned = fast ? undefined : positionedDocument(source, label);
  const located = () => (positioned ??= positionedDocument(source, label));
  const lineAt = (path: readonly PropertyKey[]): number => {
    const { doc, lines } = located();
    for (let n = path.length; n >= 0; n--) {
      const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as unknown[], true);
      const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
      if (range) return lines.linePos(range[0]).line;
    }
    return 1;
  };
  const keyLine = (path: readonly PropertyKey[], key: string): number => {
    const { doc, lines } = located();
    const { isMap, isPair, isScalar } = yamlLibrary();
    const node: unknown = path.length === 0 ? doc.contents : doc.getIn(path as unknown[], true);
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isPair(pair) && isScalar(pair.key) && String(pair.key.value) === key && pair.key.range) {
          return lines.linePos(pair.key.range[0]).line;
        }
      }
    }
    return lineAt(path);
  };
  return { raw: fast ? fast.value : (located().doc.toJS() as unknown), lineAt, keyLine };
}

/** `feeds[0].every`, `desks.CN-01.model`: a field's name from a Zod/YAML path. */
export function fieldName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}
