import { InputError } from '../errors/index.js';

/** Commander checks --format choices too; this keeps in-process callers honest with the same message. */
export function checkFormat(format: string, allowed: string[]): void {
  if (!allowed.includes(format)) throw new InputError(`unknown format ${format}; use ${allowed.join(' or ')}`);
}
