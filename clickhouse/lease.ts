import { toChTime } from './ch-time.ts';
import { claimSettings, settingsClause } from './statement-settings.ts';
import type { Store } from './store.ts';

export interface Lease {
  /** True when this holder may evaluate until its next renewal. */
  acquire(now: Date): Promise<boolean>;
  release(): Promise<void>;
}

/** The insert deduplication token of the claim of version `version` of lease `name`. */
export const leaseClaimToken = (name: string, version: number) => `weft-lease-${name}-v${version}`;

/**
 * A named lease (table weft_alerting_lease, a ReplacingMergeTree by `version`, one row a name): with several
 * Weft processes on one ClickHouse server or cluster, the holder acts and the others wait. `alerting` (the default
 * name): alert evaluation; `token-changes`: making and revoking tokens (access/credentials.ts).
 *
 * A process that finds the lease free (no row, its own, or expired at `now`) claims the next version:
 * it inserts a row with `version` = the version it read + 1 and the insert deduplication token
 * {@link leaseClaimToken}(name, version). Every process that read the same version claims the same
 * version with the same token, and the engine keeps the first claim it receives and drops the others
 * as duplicates (`non_replicated_deduplication_window` on the table, Keeper on a replicated one) — a
 * compare-and-set, so no timing decides who holds it: each claimant then reads the lease back and
 * holds it only if the row is its own. The holder renews on every evaluation (a claim like any other,
 * so a renewal racing a takeover is decided the same way); a holder that dies loses the lease after
 * `ttlMs` (ms). `release` gives it up at once.
 *
 * Errors: the store's errors are thrown as they come (a claim that failed to reach the engine leaves
 * the lease as it was).
 */
export function createLease(store: Store, holder: string, options: { ttlMs: number; name?: string }): Lease {
  const name = options.name ?? 'alerting';
  let held = false;
  let heldVersion = 0;
  const current = async () => {
    const [row] = await store.client
      .query({
        query: 'SELECT holder, toUnixTimestamp64Milli(expires_at) AS expires, version FROM weft_alerting_lease FINAL WHERE name = {name:String}',
        query_params: { name },
        format: 'JSONEachRow',
      })
      .then((r) => r.json<{ holder: string; expires: string; version: string }>());
    return row ? { holder: row.holder, expires: Number(row.expires), version: Number(row.version) } : undefined;
  };
  const claim = async (version: number, expires: Date) => {
    // The settings are written in the statement: they hold for this insert only (the embedded
    // engine would keep settings given beside it for its session, and every later insert would
    // carry this token).
    const settings = settingsClause(claimSettings(leaseClaimToken(name, version)));
    await store.client.command({
      query: `INSERT INTO weft_alerting_lease (name, holder, expires_at, version)${settings} SELECT {name:String}, {holder:String}, toDateTime64({expires:String}, 3, 'UTC'), {version:UInt64}`,
      query_params: { name, holder, expires: toChTime(expires), version },
    });
  };
  return {
    async acquire(now) {
      const c = await current();
      const free = !c || c.holder === holder || c.expires <= now.getTime();
      if (!free) {
        held = false;
        return false;
      }
      const version = (c?.version ?? 0) + 1;
      await claim(version, new Date(now.getTime() + options.ttlMs));
      const after = await current();
      held = after?.holder === holder && after.version === version;
      if (held) heldVersion = version;
      return held;
    },
    async release() {
      if (!held) return;
      held = false;
      const c = await current();
      if (c?.holder !== holder || c.version !== heldVersion) return;
      await claim(c.version + 1, new Date(0));
    },
  };
}

/**
 * The lease of a process that is the only one that can evaluate: the embedded store's, whose data directory one process
 * holds (its pid file and the engine's own lock). It is always held, and nothing is read or written: the shared lease
 * cost three statements an evaluation (a claim took ~40 ms), and after a crash (`kill -9`) the restarted process, a new
 * holder, waited out the dead one's claim (30 s at least) before it evaluated again.
 */
export function soleLease(): Lease {
  return { acquire: async () => true, release: async () => undefined };
}
