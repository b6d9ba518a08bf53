import { createRequire } from 'node:module';

type YamlLibrary = typeof import('yaml');

let library: YamlLibrary | undefined;

/**
 * The `yaml` library, loaded on first use. It reads YAML that js-yaml refused (to say exactly
 * what is wrong, and where) and keeps documents with node positions (to say which line a bad
 * field is on): both happen only when something needs explaining, so the common run never pays
 * for loading it. Loaded with `require` because the callers are synchronous; it ships CommonJS,
 * and is kept out of the bundle, so it loads from node_modules when it is needed.
 */
export function yamlLibrary(): YamlLibrary {
  library ??= createRequire(import.meta.url)('yaml') as YamlLibrary;
  return library;
}
