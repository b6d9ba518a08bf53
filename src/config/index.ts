export {
  resolveConfig,
  modelFor,
  modelChoiceFor,
  resolveConfigWithSources,
  type ConfigSource,
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
export { buildModels, pricesFor, type Models } from './build-models.js';
export { keyedProviderOf, keyAvailable } from './provider-keys.js';
export { loadConfigFile, parseConfigFile, DEFAULT_CONFIG_FILE, type ConfigFile, type ConfigFileValues } from './config-file.js';
export { retryPolicyFrom, runOptionsFrom } from './run-options.js';
