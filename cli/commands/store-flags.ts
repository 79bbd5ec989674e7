import type { Store } from '../../clickhouse/index.ts';
import { buildConfig, flag, type ParsedArgs, type WeftConfig } from '../../core/config/index.ts';
import { ERR_CONFIG, ERR_STORE_LOCKED, isWeftError } from '../../core/errors/index.ts';
import { holderAddress } from '../../core/fs/pid-lock.ts';
import type { CommandIO } from '../command.ts';

/** The flags of `weft start` a command that opens a store itself reads as `weft start` does. */
const storeFlags = ['clickhouse', 'data', 'late-arrival', 'run-gap'] as const;

/**
 * The configuration of the store a command opens itself: `--data DIR` (an embedded store) or
 * `--clickhouse URL` (a server); with neither, WEFT_CLICKHOUSE_URL, WEFT_DATA_DIR or ./.weft as for
 * `weft start`. `--late-arrival` and `--run-gap` (else WEFT_LATE_ARRIVAL, WEFT_RUN_GAP, the defaults) give the
 * windows a stopped Weft's store is paired with. No other flag of the command is read into it. Throws ERR_CONFIG
 * when both stores are given, or for a malformed duration.
 */
export function localStoreConfig(args: ParsedArgs, io: CommandIO): WeftConfig {
  refuseDataWithClickhouse(args);
  const flags: Record<string, string[]> = {};
  for (const name of storeFlags) {
    const value = flag(args, name);
    if (value !== undefined) flags[name] = [value];
  }
  return buildConfig({ positionals: [], flags }, io.env, io.cwd);
}

/**
 * The pairing windows given for a stopped Weft's store (ms): `--late-arrival` and `--run-gap`, else WEFT_LATE_ARRIVAL
 * and WEFT_RUN_GAP, each left out when neither is given (those the store's Weft last recorded are then used:
 * `pairStoppedStore`). `config` is `localStoreConfig`'s, which validated them. Throws ERR_CONFIG when a
 * flag is given for a ClickHouse server, whose running analyzer pairs with its own windows.
 */
export function givenPairingWindows(args: ParsedArgs, io: CommandIO, config: WeftConfig): { lateMs?: number; runGapMs?: number } {
  const given = (name: string, variable: string) => flag(args, name) !== undefined || (io.env[variable] ?? '') !== '';
  if (config.store.kind !== 'embedded') {
    const flags = ['late-arrival', 'run-gap'].filter((name) => flag(args, name) !== undefined);
    if (flags.length > 0)
      throw ERR_CONFIG(
        `${flags.map((f) => `--${f}`).join(' and ')} ${flags.length > 1 ? 'are' : 'is'} for a stopped Weft's embedded store (--data); on a ClickHouse server the running analyzer pairs with its own windows: leave ${flags.length > 1 ? 'them' : 'it'} out.`,
      );
    return {};
  }
  return {
    ...(given('late-arrival', 'WEFT_LATE_ARRIVAL') ? { lateMs: config.analyzer.lateMs } : {}),
    ...(given('run-gap', 'WEFT_RUN_GAP') ? { runGapMs: config.analyzer.runGapMs } : {}),
  };
}

/** Throws ERR_CONFIG when both `--data` and `--clickhouse` are given: one store is read, the other flag would be dropped. */
export function refuseDataWithClickhouse(args: ParsedArgs): void {
  if (flag(args, 'clickhouse') !== undefined && flag(args, 'data') !== undefined)
    throw ERR_CONFIG('Give either --clickhouse (a ClickHouse server) or --data (an embedded data directory), not both.');
}

/**
 * Throws ERR_CONFIG naming what is given beside `--url` among the flags `ignored` (e.g. data, clickhouse)
 * and `catalogFiles` (the count of --catalog and positional catalog files): a running Weft answers
 * from its own `owns` ("store", "store and catalog"), so they would be silently left unused.
 */
export function refuseBesideUrl(args: ParsedArgs, ignored: readonly string[], owns: string, catalogFiles = 0): void {
  if (flag(args, 'url') === undefined) return;
  const given = ignored.filter((name) => flag(args, name) !== undefined).map((name) => `--${name}`);
  if (catalogFiles > 0) given.push('the catalog files');
  if (given.length > 0) throw ERR_CONFIG(`--url asks a running Weft, which uses its own ${owns}; leave out ${given.join(' and ')}.`);
}

/**
 * Opens the store a command reads itself (`localStoreConfig`). An embedded directory a running Weft holds becomes a
 * plain ERR_CONFIG saying to ask that Weft with `--url` (every command that opens a store takes it) at the address its
 * API stated (`holderAddress`; an example when it stated none), not to start this one elsewhere. Throws what
 * `openStore` throws otherwise.
 */
export async function openLocalStore(config: WeftConfig): Promise<Store> {
  const { openStore } = await import('../../clickhouse/index.ts');
  try {
    return await openStore(config.store);
  } catch (err) {
    if (isWeftError(err) && err.code === ERR_STORE_LOCKED.code && config.store.kind === 'embedded') {
      // The Weft holding it states its API's address beside its pid file once it listens (runtime/start-weft.ts).
      const url = holderAddress(config.store.path);
      throw ERR_CONFIG(
        url
          ? `The data directory ${config.store.path} is held by a running Weft: ask it with --url ${url} (its API), or stop it first.`
          : `The data directory ${config.store.path} is held by a running Weft: ask it with --url and its API address (as weft start printed it, e.g. --url http://127.0.0.1:3000), or stop it first.`,
      );
    }
    throw err;
  }
}
