import { isAbsolute, resolve } from 'node:path';
import { loadAgents, selectAgents, type AgentDefinition } from '../agents/index.js';
import { loadConfigFile, resolveConfig, type AssessConfig, type ConfigFlags } from '../config/index.js';
import { InputError } from '../errors/index.js';
import { nodeEventReaders, readEvent, type EventSpec, type IdentifiedEvent } from '../event/index.js';
import { loadPrompts, type PromptSet } from '../prompts/index.js';
import type { CliIo } from './io.js';
import { environmentWithDotenv } from './load-env.js';
import { DEFAULT_PATHS } from './paths.js';

/** The `assess run` flags the plan reads: configuration, the event, the desks, the format. */
export interface PlanRunOptions extends ConfigFlags {
  title?: string;
  text?: string;
  url?: string;
  published?: string;
  tags?: string;
  language?: string;
  agents?: string;
  format: string;
}

export interface RunPlan {
  config: AssessConfig;
  event: IdentifiedEvent;
  agents: AgentDefinition[];
  prompts: PromptSet;
  /** Resolves a path the user gave against the working directory. */
  abs: (path: string) => string;
}

const FORMATS = ['md', 'json'] as const;

const splitList = (value: string | undefined): string[] | undefined =>
  value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter(Boolean);

/**
 * The part of `assess run` that needs no model and no key: validates the format and the
 * configuration, reads the event, selects the desks and loads the prompt templates. Bad input
 * throws InputError (exit 2) before anything is called or written.
 */
export async function planRun(eventPath: string | undefined, options: PlanRunOptions, io: CliIo): Promise<RunPlan> {
  if (!(FORMATS as readonly string[]).includes(options.format)) {
    throw new InputError(`unknown format ${options.format}; use md or json`);
  }
  const env = environmentWithDotenv(io.env, io.cwd);
  const config = resolveConfig(options, env, DEFAULT_PATHS, loadConfigFile(options.configFile, env, io.cwd));
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(io.cwd, p));

  const spec: EventSpec = {
    ...(eventPath !== undefined ? { path: eventPath === '-' ? '-' : abs(eventPath) } : {}),
    ...(options.title !== undefined ? { title: options.title } : {}),
    ...(options.text !== undefined ? { text: options.text } : {}),
    ...(options.url !== undefined ? { url: options.url } : {}),
    ...(options.published !== undefined ? { published: options.published } : {}),
    ...(options.tags !== undefined ? { tags: splitList(options.tags) ?? [] } : {}),
    ...(options.language !== undefined ? { language: options.language } : {}),
  };
  const event = await readEvent(spec, nodeEventReaders(io.stdin), { maxChars: config.maxEventChars }).catch((error: unknown) => {
    // Name the path as the user typed it, not the absolute one.
    if (error instanceof InputError && eventPath && eventPath !== '-') {
      throw new InputError(error.message.replace(abs(eventPath), eventPath));
    }
    throw error;
  });
  const agents = selectAgents(await loadAgents(abs(config.agentsDir)), splitList(options.agents));
  const prompts = await loadPrompts(abs(config.promptsDir));
  return { config, event, agents, prompts, abs };
}
