import { InputError } from '../errors/index.js';
import { fastParseYaml } from './fast-parse.js';
import { yamlLibrary } from './yaml-library.js';

/**
 * Parses YAML a person wrote (event, desk or price file). Malformed YAML is an InputError of one
 * line naming `label` with the line and column, so the CLI shows where to look, not a stack.
 */
export function parseYamlInput(text: string, label: string): unknown {
  const fast = fastParseYaml(text);
  if (fast) return fast.value;
  const { parse, YAMLParseError } = yamlLibrary();
  try {
    return parse(text, { prettyErrors: true });
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
