export {
  buildConfig,
  configFlags,
  configSwitches,
  unknownWeftVariables,
  weftVariables,
  logLevelOf,
  switchOn,
  envPolicyList,
  parseArgs,
  flag,
  isLoopback,
  configuredTokens,
  MIN_TOKEN_LENGTH,
  RESERVED_TOKEN_NAMES,
  DEFAULT_LATE_ARRIVAL,
  DEFAULT_RUN_GAP,
  MAX_LATE_ARRIVAL_MS,
} from './parse.ts';
export { dataDirOf, isWeftStore, notWeftDataProblem } from './data-dir.ts';
export type { FlagSpec, ParsedArgs } from './parse.ts';
export { roles, parts, defaultMaxExpandedBytes, MAX_ANY_VALUE_DEPTH } from './config.ts';
export type {
  WeftConfig,
  StoreConfig,
  CollectorConfig,
  CollectorLimits,
  ApiConfig,
  RetentionConfig,
  Role,
  Part,
  AccessConfig,
  ConfiguredToken,
} from './config.ts';
