import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the archive lives when neither --db nor ASSESS_DB says: the user's data directory
 * (`$XDG_DATA_HOME/assess/assess.db`, else `~/.local/share/assess/assess.db`).
 */
export function defaultDbPath(env: Record<string, string | undefined>): string {
  const xdg = env['XDG_DATA_HOME']?.trim();
  const base = xdg ? xdg : join(env['HOME']?.trim() || homedir(), '.local', 'share');
  return join(base, 'assess', 'assess.db');
}
