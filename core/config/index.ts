export { buildConfig, parseArgs, flag } from './parse.ts';
export type { ParsedArgs } from './parse.ts';
export { roles, parts } from './config.ts';
export type { WeftConfig, StoreConfig, CollectorConfig, CollectorLimits, ApiConfig, RetentionConfig, Role, Part } from './config.ts';
