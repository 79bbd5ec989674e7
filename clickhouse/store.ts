import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ClickHouseLogLevel, createClient, type ClickHouseClient, type ClickHouseClientConfigOptions } from '@clickhouse/client';
// Before chdb: the allocator's settings are read when the library loads.
import './embedded-allocator.ts';
import { drainPending, Session } from 'chdb';
import { createChdbConnection } from 'chdb/connection';
import type { StoreConfig } from '../core/config/index.ts';
import { ERR_STORE_LOCKED, ERR_STORE_UNREACHABLE } from '../core/errors/index.ts';
import { claimPidFile, holderAddress, liveHolder } from '../core/fs/pid-lock.ts';
import { EMBEDDED_ENGINE_ARGS } from './embedded-memory.ts';
import { EMBEDDED_SESSION_SETTINGS, setStatement } from './embedded-session.ts';

/** The one way every part reaches ClickHouse: embedded chDB or a server, same client API. */
export interface Store {
  readonly client: ClickHouseClient;
  readonly kind: 'embedded' | 'server';
  /** Database the tables live in ('default' when embedded). */
  readonly database: string;
  /** Cluster name when the schema is the cluster variant. */
  readonly cluster?: string;
  /** Embedded data directory, for loading files straight into the engine. */
  readonly path?: string;
  close(): Promise<void>;
}

const LOCKED = /Cannot lock file|Another server instance in same directory is already running/i;

/**
 * libchdb allows one process per data directory. Weft keeps a pid file beside the engine's own
 * lock so that a second process is told so in plain words before the engine complains.
 */
function claimDirectory(path: string): () => void {
  return claimPidFile(join(path, 'weft.pid'), () => {
    throw ERR_STORE_LOCKED(path, holderAddress(path));
  });
}

const CLIENT_CALLS = new Set(['query', 'command', 'insert', 'exec']);

/**
 * The embedded engine's client, refusing `clickhouse_settings`: the embedded connection sends them as
 * `SET` statements, which hold for the engine's whole session — a deduplication token given for one
 * insert was carried by every insert after it, and those were dropped as duplicates. Settings for one
 * statement go in the statement (`settingsClause`, clickhouse/statement-settings.ts). Such a call
 * rejects with a plain Error naming the settings.
 */
function withoutSessionSettings(client: ClickHouseClient): ClickHouseClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (typeof prop !== 'string' || !CLIENT_CALLS.has(prop)) return fn.bind(target);
      return (...args: unknown[]) => {
        const settings = (args[0] as { clickhouse_settings?: Record<string, unknown> } | undefined)?.clickhouse_settings;
        const names = Object.keys(settings ?? {});
        if (names.length > 0)
          return Promise.reject(
            new Error(
              `The embedded store does not take clickhouse_settings (${names.join(', ')}): its engine would keep them for the whole session. Write them in the statement (settingsClause).`,
            ),
          );
        return fn.apply(target, args);
      };
    },
  });
}

/**
 * Throws ERR_STORE_LOCKED (with the address the holder's API stated) when another live Weft holds the embedded
 * directory; nothing for a server. For a start to say so before anything else it checks (its ports: the holder listens
 * on them too); `openStore` claims the directory itself.
 */
export function assertStoreFree(config: StoreConfig): void {
  if (config.kind === 'embedded' && liveHolder(join(config.path, 'weft.pid')) !== undefined) throw ERR_STORE_LOCKED(config.path, holderAddress(config.path));
}

/** The embedded stores this process has open and not yet closed (`openEmbeddedStores`). */
const openEmbedded = new Set<Store>();

/**
 * The embedded stores this process has opened and not closed, in the order they were opened: at most one
 * data directory (chDB binds one a process), possibly through more than one store. For a host of many
 * tasks in one process (a test worker runs file after file) to close what a task left open, as the next
 * one could open no other directory.
 */
export function openEmbeddedStores(): Store[] {
  return [...openEmbedded];
}

/**
 * The settings every statement is sent with on a cluster (`--cluster`, the schema of cluster.ts), where the plain table
 * names are Distributed tables:
 * - `insert_distributed_sync` 1: an insert returns once every shard holds its rows. The analyzer fills a scratch table
 *   and reads it in its next statement; sent in the background (the default), the read could miss rows still queued.
 *   (Newer releases call it `distributed_foreground_insert` and keep this name as an alias.)
 * - `distributed_product_mode` 'global': an IN or a JOIN over a Distributed table inside a query of another (the
 *   analyzer's reads join the arrival tables with its scratch tables, through subqueries) is run once where the statement
 *   was sent and its result shipped to the shards (GLOBAL IN / GLOBAL JOIN); the default ('deny') refuses such a query,
 *   and 'local' would read each shard's part of the inner table only.
 * - `insert_deduplicate` 0: a Replicated table drops an insert whose block is the same as one of its last inserts (by
 *   its hash) unless told not to. Weft's inserts that are to be dropped when repeated say so with a token
 *   (`claimSettings`, the spool's loader: `insert_deduplicate` 1 with `insert_deduplication_token`); the others are rows
 *   meant as sent, and a repeated one is not a duplicate: a pairing run done again after a failure stages the same
 *   ledger rows as the run that failed, and they were dropped (the retried run's take-backs lost: counted twice).
 */
export const CLUSTER_SESSION_SETTINGS = { insert_distributed_sync: 1, distributed_product_mode: 'global', insert_deduplicate: 0 } as const;

/**
 * Opens the store and checks it answers; a locked embedded directory becomes one plain sentence. Its
 * `close` may be called more than once: later calls resolve when the first has closed it.
 */
export async function openStore(config: StoreConfig): Promise<Store> {
  if (config.kind === 'embedded') {
    // Private to Weft's user (with the data directory, when it makes it): the store holds what the API guards.
    mkdirSync(config.path, { recursive: true, mode: 0o700 });
    const release = claimDirectory(config.path);
    let client: ClickHouseClient;
    let engine: Session | undefined;
    try {
      // The first session of a data directory starts the engine with these arguments; the client's connection shares it.
      engine = new Session(config.path, { connectionArgs: [...EMBEDDED_ENGINE_ARGS] });
      const connection = createChdbConnection({ path: config.path }) as unknown as NonNullable<ClickHouseClientConfigOptions['connection']>;
      client = createClient({ connection });
      await client.query({ query: 'SELECT 1', format: 'JSONEachRow' }).then((r) => r.json());
      // On the raw client: the wrapped one refuses session settings, which is what these are meant to be.
      await client.command({ query: setStatement(EMBEDDED_SESSION_SETTINGS) });
    } catch (err) {
      engine?.close();
      release();
      const e = err as { message?: string; code?: string };
      const lockedByEngine = LOCKED.test(String(e?.message ?? err)) || (e?.code === 'CHDB_CONNECTION' && existsSync(join(config.path, 'status')));
      if (lockedByEngine) throw ERR_STORE_LOCKED(config.path);
      throw err;
    }
    let closing: Promise<void> | undefined;
    const store: Store = {
      client: withoutSessionSettings(client),
      kind: 'embedded',
      database: 'default',
      path: config.path,
      close: () =>
        (closing ??= (async () => {
          openEmbedded.delete(store);
          await client.close();
          engine?.close();
          // close() may return before the engine has let go of the directory (an operation still on a
          // native thread): wait, so that the directory is the caller's again once close resolves.
          await drainPending();
          release();
        })()),
    };
    openEmbedded.add(store);
    return store;
  }
  const client = createClient({
    url: config.url,
    username: config.user,
    password: config.password,
    database: config.database,
    request_timeout: 60_000,
    clickhouse_settings: { date_time_input_format: 'best_effort', ...(config.cluster ? CLUSTER_SESSION_SETTINGS : {}) },
    // Its own warnings (a failed ping, with a stack) would come before Weft's one line saying what to do; its
    // errors are thrown to Weft, which says them.
    log: { level: ClickHouseLogLevel.ERROR },
  });
  const ping = await client.ping();
  if (!ping.success) {
    await client.close();
    throw ERR_STORE_UNREACHABLE(config.url, String((ping as { error?: Error }).error?.message ?? 'no answer'));
  }
  return { client, kind: 'server', database: config.database, cluster: config.cluster, close: () => client.close() };
}
