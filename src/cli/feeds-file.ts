import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { loadWatchConfig } from '../feeds/config.js';
import type { WatchConfig } from '../feeds/types.js';
import { DEFAULT_FEEDS_FILE } from './commands/watch.js';

/**
 * The feeds file for commands that can do without one (`feeds status`, `serve`): the one given
 * (an error when it cannot be read), else assess.feeds.yaml in the working directory when there is
 * one, else none — they then show what the archive knows.
 */
export async function optionalFeedsFile(given: string | undefined, cwd: string): Promise<WatchConfig | undefined> {
  const path = given ?? DEFAULT_FEEDS_FILE;
  const abs = isAbsolute(path) ? path : resolve(cwd, path);
  return given !== undefined || existsSync(abs) ? loadWatchConfig(abs) : undefined;
}
