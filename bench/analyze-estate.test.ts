import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsClause, type Store } from '../clickhouse/index.ts';
import { SQL_CLASSIFICATION_SETTINGS } from '../collector/spool/loader.ts';
import { openMigratedStore } from '../test/migrated-store.ts';
import { INTEGRATIONS, SPAN_COLUMNS, spanRows, TOUCH_COLUMNS, touchRows } from './analyze-estate.ts';

const dir = mkdtempSync(join(tmpdir(), 'weft-analyze-estate-'));
let store: Store;
beforeAll(async () => {
  store = await openMigratedStore(join(dir, 'data'), { rawDays: 3650, rollupDays: 3650, recordDays: 3650 });
  // What passes through weft_span_touches (a Null table), kept for the comparison.
  await store.client.command({ query: `CREATE TABLE bench_touches AS weft_span_touches ENGINE = MergeTree ORDER BY tuple()` });
  await store.client.command({ query: `CREATE MATERIALIZED VIEW bench_touches_mv TO bench_touches AS SELECT * FROM weft_span_touches` });
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const captured = async (): Promise<string[]> => {
  const rows = await store.client
    .query({ query: `SELECT ${TOUCH_COLUMNS} FROM bench_touches ORDER BY ALL`, format: 'JSONCompactEachRow' })
    .then((r) => r.json<unknown[]>());
  await store.client.command({ query: 'TRUNCATE TABLE bench_touches' });
  return rows.map((r) => JSON.stringify(r));
};

describe('bench:analyze estate', () => {
  it('writes the touch rows the span classification makes of its spans (bench:analyze inserts them without classifying)', async () => {
    // Every integration's span shapes (HTTP, SQL, messaging on each side; CLIENT, PRODUCER, CONSUMER), ten traces each.
    const spans = INTEGRATIONS * 4 * 10;
    const start = Date.UTC(2026, 0, 1);
    // Classified in SQL as a server's spans are (SQL_CLASSIFICATION_SETTINGS: 40 CPU-s for this file without it).
    await store.client.command({
      query: `INSERT INTO otel_traces (${SPAN_COLUMNS})${settingsClause(SQL_CLASSIFICATION_SETTINGS)} ${spanRows(spans, 0, start, 3_600_000)}`,
    });
    const classified = await captured();
    await store.client.command({ query: `INSERT INTO weft_span_touches (${TOUCH_COLUMNS}) ${touchRows(spans, 0, start, 3_600_000)}` });
    const generated = await captured();
    expect(classified).toHaveLength(spans);
    expect(classified.filter((r) => r.includes('"messaging"')).length).toBeGreaterThan(0);
    expect(generated).toEqual(classified);
  });
});
