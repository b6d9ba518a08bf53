import { loadRun, type ArchivedRun } from '../../archive/load-run.js';
import { resolveRunId } from '../../archive/resolve-run-id.js';
import { InputError } from '../../errors/index.js';
import type { WebContext, WebDeps } from '../deps.js';
import { refuse } from '../respond.js';

/**
 * A run from the `:id` of a URL, a full id or a unique prefix (the CLI's resolveRunId), or the
 * answer to send instead: 404 for an unknown or malformed id, 400 for an ambiguous prefix, one
 * line either way (HTML, or `{ error }` on the JSON twin).
 */
export function lookupRun(c: WebContext, deps: WebDeps, id: string): { run: ArchivedRun } | { response: Response } {
  try {
    return { run: loadRun(deps.read, resolveRunId(deps.read, id)) };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { response: refuse(c, /ambiguous/.test(error.message) ? 400 : 404, error.message) };
  }
}
