import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMigrations, migrate, openStore, type Store } from './index.ts';
import { ttlRules } from './retention.ts';

describe('retention', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'weft-retention-'));
    store = await openStore({ kind: 'embedded', path: join(dir, 'data') });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const ttl = async (table: string) =>
    store.client
      .query({ query: `SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = '${table}'`, format: 'JSONEachRow' })
      .then((r) => r.json<{ engine_full: string }>())
      .then((rows) => /TTL (.*?) SETTINGS/.exec(rows[0].engine_full)?.[1]);

  it('finds the templated TTL of the span, metric and log tables', () => {
    const tables = ttlRules(listMigrations()).map((r) => r.table);
    expect(tables).toEqual(
      expect.arrayContaining(['otel_traces', 'otel_traces_trace_id_ts', 'otel_metrics_sum', 'otel_metrics_gauge', 'otel_metrics_histogram', 'otel_logs']),
    );
  });

  it('changes the TTL at start when the configured days differ, and only then', async () => {
    const first = await migrate(store, { retention: { rawDays: 30, rollupDays: 400, recordDays: 730 } });
    expect(first.retention).toEqual([]);
    expect(await ttl('otel_traces')).toBe('toDateTime(Timestamp) + toIntervalDay(30)');
    const second = await migrate(store, { retention: { rawDays: 7, rollupDays: 400, recordDays: 730 } });
    expect(second.retention).toEqual(expect.arrayContaining(['otel_traces', 'otel_metrics_sum', 'otel_logs']));
    expect(await ttl('otel_traces')).toBe('toDateTime(Timestamp) + toIntervalDay(7)');
    expect(await ttl('otel_logs')).toBe('TimestampTime + toIntervalDay(7)');
    const third = await migrate(store, { retention: { rawDays: 7, rollupDays: 400, recordDays: 730 } });
    expect(third.retention).toEqual([]);
  });
});
