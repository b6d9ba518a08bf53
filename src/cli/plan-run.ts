import { isAbsolute, resolve } from 'node:path';
import { loadAgents, selectAgents, type AgentDefinition } from '../agents/index.js';
import { loadConfigFile, resolveConfig, type AssessConfig, type ConfigFlags } from '../config/index.js';
import { InputError } from '../errors/index.js';
import { isPageUrl, nodeEventReaders, readEvent, type EventSpec, type IdentifiedEvent } from '../event/index.js';
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

export /** The values of settled promises, or the first rejection in the order given (not the order they failed in). */
function inOrder<T extends readonly unknown[]>(results: { [K in keyof T]: PromiseSettledResult<T[K]> }): T {
  for (const r of results as readonly PromiseSettledResult<unknown>[]) if (r.status === 'rejected') throw r.reason;
  return (results as readonly PromiseSettledResult<unknown>[]).map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

const splitList = (value: string | undefined): string[] | undefined =>
  value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter(Boolean);

/** The format and the configuration (flags, environment and .env, settings file): InputError when wrong. */
export function resolveRunConfig(options: PlanRunOptions, io: CliIo): { config: AssessConfig; abs: (path: string) => string } {
  if (!(FORMATS as readonly string[]).includes(options.format)) {
    throw new InputError(`unknown format ${options.format}; use md or json`);
  }
  const env = environmentWithDotenv(io.env, io.cwd);
  const config = resolveConfig(options, env, DEFAULT_PATHS, loadConfigFile(options.configFile, env, io.cwd));
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(io.cwd, p));
  return { config, abs };
}

/** The desks `--agents` selects and the prompt templates. */
export async function loadDesksAndPrompts(
  config: AssessConfig,
  abs: (path: string) => string,
  options: Pick<PlanRunOptions, 'agents'>,
): Promise<{ agents: AgentDefinition[]; prompts: PromptSet }> {
  // Both at once (each is a handful of small files); a broken desk is still reported before a broken prompt.
  const [agents, prompts] = inOrder(await Promise.allSettled([loadAgents(abs(config.agentsDir)), loadPrompts(abs(config.promptsDir))]));
  return { agents: selectAgents(agents, splitList(options.agents)), prompts };
}

/**
 * Reads one event argument — a file, `-` for stdin, an http(s) URL of a news page — or, without
 * one, the event given by flags. Errors name a path as the user typed it, not the absolute one.
 */
export async function readEventArgument(
  eventPath: string | undefined,
  options: PlanRunOptions,
  io: CliIo,
  config: Pick<AssessConfig, 'maxEventChars'>,
  abs: (path: string) => string,
): Promise<IdentifiedEvent> {
  const spec: EventSpec = {
    ...(eventPath === undefined ? {} : isPageUrl(eventPath) ? { pageUrl: eventPath } : { path: eventPath === '-' ? '-' : abs(eventPath) }),
    ...(options.title !== undefined ? { title: options.title } : {}),
    ...(options.text !== undefined ? { text: options.text } : {}),
    ...(options.url !== undefined ? { url: options.url } : {}),
    ...(options.published !== undefined ? { published: options.published } : {}),
    ...(options.tags !== undefined ? { tags: splitList(options.tags) ?? [] } : {}),
    ...(options.language !== undefined ? { language: options.language } : {}),
  };
  const readers = nodeEventReaders(io.stdin, { ...(io.fetch ? { fetch: io.fetch } : {}), signal: io.signal });
  return readEvent(spec, readers, { maxChars: config.maxEventChars }).catch((error: unknown) => {
    if (error instanceof InputError && eventPath && eventPath !== '-' && !isPageUrl(eventPath)) {
      throw new InputError(error.message.replace(abs(eventPath), eventPath));
    }
    throw error;
  });
}

/**
 * The part of `assess run` that needs no model and no key: validates the format and the
 * configuration, reads the event, selects the desks and loads the prompt templates. Bad input
 * throws InputError (exit 2) before anything is called or written.
 */
export async function planRun(eventPath: string | undefined, options: PlanRunOptions, io: CliIo): Promise<RunPlan> {
  const { config, abs } = resolveRunConfig(options, io);
  // The event, the desks and the prompts are read at once: one after the other, the process sat
  // idle between small file reads. Errors keep their order: the event's first.
  const [event, { agents, prompts }] = inOrder(
    await Promise.allSettled([readEventArgument(eventPath, options, io, config, abs), loadDesksAndPrompts(config, abs, options)]),
  );
  return { config, event, agents, prompts, abs };
}
