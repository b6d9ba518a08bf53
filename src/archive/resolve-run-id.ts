import type { Database } from 'better-sqlite3';
import { InputError } from '../errors/index.js';

/** Full run id from a full id or a unique prefix; unknown or ambiguous is an InputError. */
export function resolveRunId(db: Database, idOrPrefix: string): string {
  const prefix = idOrPrefix.trim().toLowerCase();
  if (!/^[0-9a-f-]{1,36}$/.test(prefix)) throw new InputError(`invalid run id ${idOrPrefix}: expected hex digits, e.g. 3f2a9c`);
  const rows = db
    .prepare("SELECT id FROM runs WHERE id >= ? AND id < ? || '~' ORDER BY id LIMIT 3")
    .all(prefix, prefix) as { id: string }[];
  if (rows.length === 0) throw new InputError(`unknown run ${idOrPrefix}`);
  const exact = rows.find((r) => r.id === prefix);
  if (exact) return exact.id;
  if (rows.length > 1) throw new InputError(`run id prefix ${idOrPrefix} is ambiguous (${rows.map((r) => r.id.slice(0, 12)).join(', ')}…); give more characters`);
  return rows[0]!.id;
}
