import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openStore, type Store } from '../../clickhouse/index.ts';
import { tables } from './tables.ts';
import { traceColumns } from './trace-columns.ts';

/** A column type as the segment writes it: LowCardinality is a storage detail of the table. */
const written = (type: string) => type.replace(/LowCardinality\((\w+)\)/g, '$1');

describe('traceColumns', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-collector-columns-'));
  let store: Store;
  beforeAll(async () => {
    store = await openStore({ kind: 'embedded', path: join(dir, 'data') });
    await migrate(store, { retention: { rawDays: 30, rollupDays: 400, recordDays: 730 } });
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the columns of otel_traces as ClickHouse reports them after the migrations, in order, with the types written', async () => {
    const columns = await store.client
      .query({
        query: "SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = 'otel_traces' ORDER BY position",
        format: 'JSONEachRow',
      })
      .then((r) => r.json<{ name: string; type: string }>());
    expect(traceColumns.map((c) => ({ name: c.column, type: c.type }))).toEqual(columns.map((c) => ({ name: c.name, type: written(c.type) })));
  });

  it('is the field list the INSERT of a segment uses', () => {
    expect(tables.otel_traces.fields.map((f) => f.column)).toEqual(traceColumns.map((c) => c.column));
  });
});
