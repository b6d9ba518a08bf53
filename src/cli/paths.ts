import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/**
 * The package root, where the shipped agents/, prompts/ and fixtures/ live. The CLI sits two
 * levels below it both as source (src/cli) and built (dist/cli).
 */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const DEFAULT_PATHS = {
  agentsDir: join(PACKAGE_ROOT, 'agents'),
  promptsDir: join(PACKAGE_ROOT, 'prompts'),
  replayDir: join(PACKAGE_ROOT, 'fixtures', 'replay'),
};
