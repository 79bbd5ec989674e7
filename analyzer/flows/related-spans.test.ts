import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../clickhouse/index.ts';
import { openMigratedStore } from '../../test/migrated-store.ts';
import { RELATED_SPANS_SQL, relatedSpansParams } from './related-spans.ts';

const DAY = 86_400_000;
const TRACE = 'ab'.repeat(16);

describe('RELATED_SPANS_SQL', () => {
  let dir: string;
  let store: Store;
  const now = Date.now();
  const device = now - 20 * DAY;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'weft-related-'));
    store = await openMigratedStore(join(dir, 'store'), { rawDays: 30, rollupDays: 400, recordDays: 30 });
    const span = (ms: number, trace: string, id: string, parent: string) => `(fromUnixTimestamp64Milli(${ms}), '${trace}', '${id}', '${parent}', 'svc')`;
    // A trace of a correct sender (now) and of a device whose clock is 20 days behind; other traces on 6 days between.
    const rows = [span(now, TRACE, '1111111111111111', 'aaaaaaaaaaaaaaaa'), span(device, TRACE, '2222222222222222', 'bbbbbbbbbbbbbbbb')];
    for (let d = 5; d <= 10; d++) rows.push(span(now - d * DAY, 'cd'.repeat(16), `${d}`.padStart(16, '0'), 'cccccccccccccccc'));
    await store.client.command({ query: `INSERT INTO otel_traces (Timestamp, TraceId, SpanId, ParentSpanId, ServiceName) VALUES ${rows.join(', ')}` });
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `Parts: <read>/<all>` of the first index the engine prunes otel_traces' parts by for `sql` with `params` (each part is one day here). */
  const partitionsRead = async (sql: string, params: Record<string, unknown>) => {
    const plan = await (await store.client.query({ query: `EXPLAIN indexes = 1 ${sql}`, query_params: params, format: 'TabSeparatedRaw' })).text();
    return plan
      .split('\n')
      .map((l) => l.trim())
      .find((l) => /^Parts: \d+\/\d+$/.test(l));
  };

  it("finds each span's parent in a trace whose senders' clocks are 20 days apart", async () => {
    const rows = await (
      await store.client.query({ query: RELATED_SPANS_SQL, query_params: relatedSpansParams([TRACE], [now, device]), format: 'JSONEachRow' })
    ).json<{ span_id: string; parent: string }>();
    expect(rows.map((r) => `${r.span_id} ${r.parent}`).sort()).toEqual(['1111111111111111 aaaaaaaaaaaaaaaa', '2222222222222222 bbbbbbbbbbbbbbbb']);
  });

  // Regression: the spans were read over [min, max] of their times: a device's clock years behind made that every
  // partition stored, and each pairing tick read the TraceId index of all of them.
  it('reads the days of the spans, not every day between them', async () => {
    const params = relatedSpansParams([TRACE], [now, device]);
    expect(await partitionsRead(RELATED_SPANS_SQL, params)).toMatch(/^Parts: 2\/8$/);
    const range = RELATED_SPANS_SQL.slice(0, RELATED_SPANS_SQL.indexOf('AND toDate(Timestamp) IN'));
    expect(await partitionsRead(range, params)).toMatch(/^Parts: 8\/8$/);
  });
});
