import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedStore } from '../test/migrated-store.ts';
import type { Store } from './index.ts';

/** Days of a table's TTL (`toIntervalDay(N)` in its engine), from the migrated schema. */
async function ttlDays(store: Store): Promise<Map<string, number>> {
  const rows = await store.client
    .query({ query: "SELECT name, engine_full FROM system.tables WHERE database = currentDatabase() AND engine_full LIKE '%TTL%'", format: 'JSONEachRow' })
    .then((r) => r.json<{ name: string; engine_full: string }>());
  return new Map(rows.map((r) => [r.name, Number(/\bTTL\b.*?toIntervalDay\((\d+)\)/s.exec(r.engine_full)?.[1])]));
}

describe('the pairing ledgers (migration 121)', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openMigratedStore(join(mkdtempSync(join(tmpdir(), 'weft-ledger-ttl-')), 'data'), { rawDays: 30, rollupDays: 400, recordDays: 730 });
  });
  afterAll(() => store?.close());

  // Regression: both expired 2 days after they were written, and TTL deletes a row only when its part is merged: a ledger
  // merged first let a late span pair its trace again with nothing to retract (its runs counted twice).
  it('keep what each pairing added, took back or moved for a day longer than the arrival rows they account for', async () => {
    const days = await ttlDays(store);
    const arrivals = ['weft_trace_spans', 'weft_trace_touch_sets', 'weft_trace_index'].map((t) => days.get(t)!);
    expect(arrivals).toEqual([2, 2, 2]);
    for (const ledger of ['weft_pairing_ledger', 'weft_pairing_pieces', 'weft_transport_ledger'])
      expect([ledger, days.get(ledger)]).toEqual([ledger, Math.max(...arrivals) + 1]);
  });
});
