export * from './types';
export { loadConfig, redactedConfig, redactUrl, ConfigError } from './load';
export { FIELDS } from './fields';
