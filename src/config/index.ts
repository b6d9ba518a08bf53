export {
  resolveConfig,
  modelFor,
  withAbsolutePaths,
  PROVIDERS,
  DEFAULT_MODELS,
  KEY_VARIABLES,
  type AssessConfig,
  type ConfigFlags,
  type ConfigDefaults,
  type ProviderName,
} from './resolve-config.js';
export { resolveDbPath } from './db-path.js';
export { buildModels, type Models } from './build-models.js';
