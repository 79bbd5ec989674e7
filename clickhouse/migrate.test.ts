import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMigrations, migrate, openStore, type Store } from './index.ts';

const retention = { rawDays: 30, rollupDays: 400, recordDays: 730 };

describe('migrate', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'weft-migrate-'));
    store = await openStore({ kind: 'embedded', path: join(dir, 'data') });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const schema = async () =>
    store.client
      .query({ query: 'SELECT name, engine, create_table_query FROM system.tables WHERE database = currentDatabase() ORDER BY name', format: 'JSONEachRow' })
      .then((r) => r.json<{ name: string; engine: string; create_table_query: string }>());

  it('applies every numbered file once and records it', async () => {
    const first = await migrate(store, { retention });
    expect(first.applied).toEqual(listMigrations().map((m) => m.name));
    const tables = (await schema()).map((t) => t.name);
    expect(tables).toContain('otel_traces');
    expect(tables).toContain('weft_migrations');
    // The embedded store's memory bounds (embedded-memory.ts), as table settings ClickHouse reports.
    expect(first.tuned).toEqual(['otel_traces']);
    const otel = (await schema()).find((t) => t.name === 'otel_traces')!.create_table_query;
    expect(otel).toMatch(/max_compress_block_size = 65536/);
    expect(otel).toMatch(/vertical_merge_algorithm_min_rows_to_activate = 1/);
  });

  it('changes nothing when run a second time', async () => {
    const before = await schema();
    const second = await migrate(store, { retention });
    expect(second.applied).toEqual([]);
    expect(second.skipped.length).toBe(listMigrations().length);
    expect(second.tuned).toEqual([]);
    expect(await schema()).toEqual(before);
  });
});
