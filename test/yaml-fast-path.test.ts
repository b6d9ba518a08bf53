import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { fastParseYaml } from '../src/yaml/fast-parse.js';
import { parseYamlInput } from '../src/yaml/parse-yaml-input.js';
import { readYamlDocument } from '../src/yaml/yaml-document.js';
import { ROOT } from './support/paths.js';

/**
 * YAML is read by js-yaml when it can be (fast), and by the `yaml` library otherwise (it decides
 * what is malformed and says where). The two must agree on every document js-yaml accepts, or
 * a desk file would mean one thing on the fast path and another in an error message.
 */

const shipped = (): [string, string][] => {
  const files: [string, string][] = [];
  for (const f of readdirSync(join(ROOT, 'agents'))) if (f.endsWith('.yaml')) files.push([`agents/${f}`, readFileSync(join(ROOT, 'agents', f), 'utf8')]);
  files.push(['examples/assess.config.yaml', readFileSync(join(ROOT, 'examples', 'assess.config.yaml'), 'utf8')]);
  for (const f of readdirSync(join(ROOT, 'fixtures', 'events'))) {
    const text = readFileSync(join(ROOT, 'fixtures', 'events', f), 'utf8');
    const front = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
    if (front) files.push([`fixtures/events/${f} (front matter)`, front[1]!]);
    else if (/\.ya?ml$/.test(f)) files.push([`fixtures/events/${f}`, text]);
  }
  return files;
};

const tricky: string[] = [
  'publishedAt: 2025-09-26\ntime: 2025-09-26T09:00:00Z',
  'yes: yes\nno: no\non: off\ny: n',
  'octal: 017\nhex: 0x1F\nexp: 1e3\nneg: -12\nplus: +12\nfloat: 3.50\ninf: .inf\nnan: .NaN',
  'empty:\ntilde: ~\nvalue: null\nquoted: "null"',
  'brief: |\n  Line one.\n  Line two.\n\n  After a blank line.\nfolded: >\n  folded\n  text\nstrip: |-\n  no newline',
  'title: 日本、5500億ドルの対米投資枠を創設\ntags: [Japan, 国際協力銀行, "a: b"]',
  'anchors:\n  base: &b { provider: openai }\n  copy: *b',
  "single: 'it''s'\ndouble: \"tab\\there\"\nplain: a # comment",
  'list:\n  - one\n  -\n    nested: true\n  - [1, 2]',
  '# only a comment',
  'key with spaces: value\n"quoted key": 1\n? complex\n: value',
];

describe('js-yaml fast path agrees with the yaml library', () => {
  it.each(shipped())('%s', (_name, text) => {
    const fast = fastParseYaml(text);
    expect(fast).toBeDefined();
    expect(fast!.value).toEqual(parse(text));
  });

  it.each(tricky.map((t) => [t.split('\n')[0]!, t]))('%s', (_name, text) => {
    const fast = fastParseYaml(text);
    expect(fast?.value ?? parse(text)).toEqual(parse(text));
  });

  it('the one known difference: a key written `null` is "null" here, "" in the yaml library (no field of ours is either)', () => {
    expect(fastParseYaml('null: 1')?.value).toEqual({ null: 1 });
    expect(parse('null: 1')).toEqual({ '': 1 });
  });

  it('an empty document is null either way', () => {
    expect(parseYamlInput('', 'x')).toBeNull();
    expect(parseYamlInput('# nothing here\n', 'x')).toBeNull();
    expect(readYamlDocument('', 'x').raw).toBeNull();
  });
});

describe('what js-yaml refuses, the yaml library explains', () => {
  it('malformed YAML: the yaml library\'s message, line and column', () => {
    expect(() => parseYamlInput('a: 1\n\tb: 2\n', 'desk.yaml')).toThrow(/^desk\.yaml: malformed YAML at line 2, column 1 \(Tabs are not allowed as indentation/);
    expect(() => readYamlDocument('a: [1, 2\n', 'assess.config.yaml')).toThrow(
      'assess.config.yaml:2:1: malformed YAML (Flow sequence in block collection must be sufficiently indented and end with a ])',
    );
  });

  it('a valid document read fast still names the line of a field', () => {
    const doc = readYamlDocument('provider: openai\ndesks:\n  CN-01:\n    provider: opnai\n', 'assess.config.yaml');
    expect(doc.raw).toEqual({ provider: 'openai', desks: { 'CN-01': { provider: 'opnai' } } });
    expect(doc.lineAt(['desks', 'CN-01', 'provider'])).toBe(4);
    expect(doc.lineAt(['desks', 'CN-01', 'model'])).toBe(4);
    expect(doc.keyLine(['desks'], 'CN-01')).toBe(3);
  });
});
