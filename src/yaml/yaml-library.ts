import { requireOnDemand } from '../lazy/require-on-demand.js';

type YamlLibrary = typeof import('yaml');

/**
 * The `yaml` library. It reads YAML that js-yaml refused (to say exactly what is wrong, and
 * where) and keeps documents with node positions (to say which line a bad field is on): both
 * happen only when something needs explaining, so it is loaded only then.
 */
export const yamlLibrary = (): YamlLibrary => requireOnDemand<YamlLibrary>('yaml');
