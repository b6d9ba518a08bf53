import { resolve } from 'node:path';

/** Looked for in the working directory when neither --config-file nor ASSESS_CONFIG names a file. */
export const DEFAULT_CONFIG_FILE = 'assess.config.yaml';

/**
 * Which settings file an invocation means: `--config-file`, else `ASSESS_CONFIG`, else
 * `assess.config.yaml` in the working directory. `named` is what the user wrote (for messages), or
 * undefined for the default, which may be absent. Kept free of zod and YAML so the review commands
 * can ask cheaply whether there is a file at all.
 */
export function configFilePath(flag: string | undefined, env: Record<string, string | undefined>, cwd: string): { path: string; named: string | undefined } {
  const named = flag?.trim() || env['ASSESS_CONFIG']?.trim() || undefined;
  return { path: resolve(cwd, named ?? DEFAULT_CONFIG_FILE), named };
}
