import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { userInfo } from 'node:os';
import type { Actor, AuditLog, Credentials } from '../../access/index.ts';
import type { Store } from '../../clickhouse/index.ts';
import { isWeftStore, type ParsedArgs } from '../../core/config/index.ts';
import { ERR_CONFIG } from '../../core/errors/index.ts';
import { weftApi } from './weft-api.ts';
import { localStoreConfig, openLocalStore } from './store-flags.ts';
import type { CommandIO } from '../command.ts';

/** Who acts when the CLI changes the store directly: whoever can open the data directory is its operator. */
export function cliActor(): Actor {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers)
  }
  return { name: `cli:${user}`, role: 'admin' };
}

/**
 * Runs `fn` with the store of --data DIR (embedded; Weft must not be running on it) or
 * --clickhouse URL, migrated, with the credentials and audit log over it.
 */
export async function withAccessStore<T>(
  args: ParsedArgs,
  io: CommandIO,
  options: { mustExist: boolean },
  fn: (s: { store: Store; credentials: Credentials; auditLog: AuditLog }) => Promise<T>,
): Promise<T> {
  const config = localStoreConfig(args, io);
  // A directory without a Weft store in it (missing, or an empty data/) is not Weft's: read, it would be made empty.
  if (options.mustExist && config.store.kind === 'embedded' && !isWeftStore(config.store.path)) {
    throw ERR_CONFIG(
      `No Weft data in ${config.store.path}: pass --data with the directory Weft ran with, --url for a running Weft, or --clickhouse for a ClickHouse server.`,
    );
  }
  const [{ createAuditLog, Credentials }, { migrate }] = await Promise.all([import('../../access/index.ts'), import('../../clickhouse/index.ts')]);
  // A store this command makes is removed again when the command fails: a refused `token create` left an empty store,
  // which `token list` and `audit-log verify` then read as Weft's ("Audit log is empty.").
  const made = config.store.kind === 'embedded' && !isWeftStore(config.store.path) ? madeHere(resolve(config.store.path)) : undefined;
  let ok = false;
  const store = await openLocalStore(config);
  try {
    await migrate(store, { retention: config.retention });
    const auditLog = createAuditLog(store);
    const credentials = await Credentials.create({ configured: config.access.tokens, store, auditLog });
    const result = await fn({ store, credentials, auditLog });
    ok = true;
    return result;
  } finally {
    await store.close();
    if (!ok && made) {
      rmSync(made.path, { recursive: true, force: true });
      if (made.keep) mkdirSync(made.path);
    }
  }
}

/**
 * What opening a store at `path` (absolute, holding no Weft store) makes, to be removed when the command fails: the
 * outermost directory of `path` that does not exist yet; or, when `path` is an empty directory, its contents (`keep`:
 * the directory itself is put back). Undefined when `path` holds anything else: what is there is not this command's.
 */
function madeHere(path: string): { path: string; keep: boolean } | undefined {
  if (existsSync(path)) return statSync(path).isDirectory() && readdirSync(path).length === 0 ? { path, keep: true } : undefined;
  let missing = path;
  for (let up = dirname(missing); up !== missing && !existsSync(up); up = dirname(up)) missing = up;
  return { path: missing, keep: false };
}

/** Calls a running Weft's API (`path` under /api/v1) with WEFT_TOKEN (an admin token); a non-2xx answer becomes a message that says what to do. */
export async function callApi<T>(url: string, io: CommandIO, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  return weftApi(url, io.env.WEFT_TOKEN, 'an admin token').json<T>(`/api/v1${path}`, { method, body: method === 'POST' ? (body ?? {}) : undefined });
}
