import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseYamlInput } from '../yaml/parse-yaml-input.js';
import { InputError } from '../errors/index.js';
import { AgentDefinitionSchema, type AgentDefinition } from './definition.js';
import { ONE_SHOT_PARSE } from '../validation/one-shot-parse.js';

const DESK_FILE = /\.(ya?ml|json)$/i;

/** Loads one desk file; errors name the file and the failing field. */
export function parseAgentFile(text: string, file: string): AgentDefinition {
  const raw = parseYamlInput(text, file);
  const result = AgentDefinitionSchema.safeParse(raw ?? {}, ONE_SHOT_PARSE);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.join('.') || (issue?.code === 'unrecognized_keys' ? issue.keys.join(', ') : '(root)');
    throw new InputError(`${file}: field ${field}: ${issue?.message ?? 'invalid desk definition'}`);
  }
  return result.data;
}

/** Every desk under `dir`, sorted by id. Duplicate ids are an error: which desk would run? */
export async function loadAgents(dir: string): Promise<AgentDefinition[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => DESK_FILE.test(n)).sort();
  } catch (error) {
    throw new InputError(`${dir}: cannot read the desks folder`, { cause: error });
  }
  // Read at once, parsed in name order, so the first broken file reported is always the same one.
  const files = names.map((name) => join(dir, name));
  const texts = await Promise.allSettled(files.map((file) => readFile(file, 'utf8')));
  const seen = new Map<string, string>();
  const agents: AgentDefinition[] = [];
  for (const [i, file] of files.entries()) {
    const text = texts[i]!;
    if (text.status === 'rejected') throw new InputError(`${file}: cannot read desk file`, { cause: text.reason });
    const agent = parseAgentFile(text.value, file);
    const previous = seen.get(agent.id);
    if (previous) throw new InputError(`${file}: desk id ${agent.id} is already defined in ${previous}`);
    seen.set(agent.id, file);
    agents.push(agent);
  }
  if (agents.length === 0) throw new InputError(`${dir}: no desk files (*.yaml) found`);
  return agents.sort((a, b) => a.id.localeCompare(b.id));
}

/** Picks the requested desks in the order asked; unknown ids are an input error listing the known ones. */
export function selectAgents(all: AgentDefinition[], ids: string[] | undefined): AgentDefinition[] {
  if (!ids || ids.length === 0) return all;
  const byId = new Map(all.map((a) => [a.id, a]));
  const chosen: AgentDefinition[] = [];
  for (const raw of ids) {
    const id = raw.trim().toUpperCase();
    const agent = byId.get(id);
    if (!agent) throw new InputError(`unknown desk ${raw}; known desks: ${all.map((a) => a.id).join(', ')}`);
    if (!chosen.includes(agent)) chosen.push(agent);
  }
  return chosen;
}
