import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

/**
 * A CommonJS package loaded the first time it is needed, synchronously. For libraries that only
 * explain errors (where in a YAML or JSON file it went wrong): the common run never pays for
 * loading them, and their synchronous callers need no change. Such a package is not bundled
 * (nothing imports it statically), so it loads from node_modules; it must be a dependency.
 */
export function requireOnDemand<T>(name: string): T {
  return requireHere(name) as T;
}
