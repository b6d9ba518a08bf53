import { isAbsolute, resolve } from 'node:path';
import { loadAgents, selectAgents, type AgentDefinition } from '../../agents/index.js';
import { InputError } from '../../errors/index.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { environmentWithDotenv } from '../load-env.js';
import { DEFAULT_PATHS } from '../paths.js';

export interface AgentsOptions {
  agentsDir?: string;
  format: string;
}

async function load(options: AgentsOptions, io: CliIo): Promise<AgentDefinition[]> {
  if (options.format !== 'text' && options.format !== 'json') throw new InputError(`unknown format ${options.format}; use text or json`);
  const env = environmentWithDotenv(io.env, io.cwd);
  const dir = options.agentsDir ?? env['ASSESS_AGENTS_DIR'] ?? DEFAULT_PATHS.agentsDir;
  return loadAgents(isAbsolute(dir) ? dir : resolve(io.cwd, dir));
}

const override = (a: AgentDefinition): string =>
  a.provider || a.model ? `${a.provider ?? 'default'}/${a.model ?? 'default'}` : 'default';

/** `assess agents list`: one line per desk. */
export async function agentsListCommand(options: AgentsOptions, io: CliIo): Promise<ExitCode> {
  const agents = await load(options, io);
  if (options.format === 'json') {
    io.stdout.write(`${JSON.stringify(agents, null, 2)}\n`);
    return EXIT.ok;
  }
  const rows = agents.map((a) => [a.id, a.name, a.country, override(a), a.keywords.slice(0, 5).join(', ')]);
  const header = ['ID', 'NAME', 'COUNTRY', 'MODEL', 'KEYWORDS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cols: string[]) => cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  io.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
  return EXIT.ok;
}

/** `assess agents show JP-01`: the whole desk definition, brief included. */
export async function agentsShowCommand(id: string, options: AgentsOptions, io: CliIo): Promise<ExitCode> {
  const [agent] = selectAgents(await load(options, io), [id]);
  if (!agent) throw new InputError(`unknown desk ${id}`);
  if (options.format === 'json') {
    io.stdout.write(`${JSON.stringify(agent, null, 2)}\n`);
    return EXIT.ok;
  }
  io.stdout.write(
    [
      `${agent.id} — ${agent.name} (${agent.country})`,
      `model: ${override(agent)}`,
      `keywords: ${agent.keywords.join(', ')}`,
      '',
      agent.brief,
      '',
    ].join('\n'),
  );
  return EXIT.ok;
}
