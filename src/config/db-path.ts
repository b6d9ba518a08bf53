import { defaultDbPath } from '../archive/db-path.js';

/** The archive file: --db, else ASSESS_DB, else the user's data directory. Kept free of zod: review commands start fast. */
export function resolveDbPath(flags: { db?: string }, env: Record<string, string | undefined>): string {
  const pick = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
  return pick(flags.db) ?? pick(env['ASSESS_DB']) ?? defaultDbPath(env);
}
