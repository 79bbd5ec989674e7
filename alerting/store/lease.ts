import { toChTime, type Store } from '../../clickhouse/index.ts';

export interface Lease {
  /** True when this holder may evaluate until its next renewal. */
  acquire(now: Date): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * The evaluation lease (table weft_alerting_lease): with several Weft processes on one ClickHouse server,
 * the holder evaluates and the others wait. A process claims the lease when it is free (expired, or its
 * own) by inserting a row with a higher version, waits `settleMs`, and holds it only if its row is
 * still the newest — of two processes that claim at once, the later version wins and the other backs off.
 * The holder renews on every evaluation; a holder that dies loses the lease after `ttlMs`.
 */
export function createLease(store: Store, holder: string, options: { ttlMs: number; settleMs?: number; name?: string }): Lease {
  const name = options.name ?? 'alerting';
  const settle = options.settleMs ?? 250;
  let held = false;
  let lastVersion = 0;
  const current = async () => {
    const [row] = await store.client
      .query({
        query: 'SELECT holder, toUnixTimestamp64Milli(expires_at) AS expires FROM weft_alerting_lease FINAL WHERE name = {name:String}',
        query_params: { name },
        format: 'JSONEachRow',
      })
      .then((r) => r.json<{ holder: string; expires: string }>());
    return row ? { holder: row.holder, expires: Number(row.expires) } : undefined;
  };
  const write = async (expires: Date) => {
    lastVersion = Math.max(lastVersion + 1, Date.now() * 1000);
    await store.client.insert({
      table: 'weft_alerting_lease',
      values: [{ name, holder, expires_at: toChTime(expires), version: lastVersion }],
      format: 'JSONEachRow',
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
      await write(new Date(now.getTime() + options.ttlMs));
      if (!held || c?.holder !== holder) await new Promise((r) => setTimeout(r, settle));
      const after = await current();
      held = after?.holder === holder;
      return held;
    },
    async release() {
      if (!held) return;
      held = false;
      await write(new Date(0));
    },
  };
}
