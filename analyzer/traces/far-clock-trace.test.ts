import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../clickhouse/index.ts';
import { openMigratedStore } from '../../test/migrated-store.ts';
import { catalogFrom } from '../test/estate-fixture.ts';
import { queryTrace, TRACE_DAYS_SQL, TRACE_SPANS_SQL } from './trace-view.ts';

const DAY = 86_400_000;
const TRACE = 'ef'.repeat(16);

// Regression: the trace view read a trace's spans over [earliest, latest] of its otel_traces_trace_id_ts rows, one per
// insert: a trace with a span from a sender whose clock was 20 days behind, stored in the same insert as its other span,
// read every partition of the 20 days between (years, for a clock reset to 2000).
describe('trace view of a trace with a span from a clock days behind', () => {
  let dir: string;
  let store: Store;
  const now = Date.now();
  const device = now - 20 * DAY;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'weft-far-trace-'));
    store = await openMigratedStore(join(dir, 'store'), { rawDays: 30, rollupDays: 400, recordDays: 30 });
    const span = (ms: number, trace: string, id: string, name: string) =>
      `(fromUnixTimestamp64Milli(${ms}), '${trace}', '${id}', '', '${name}', 'svc', 1000000)`;
    // The trace's two spans in one insert (one block, as a batch of the collector stores them); other traces on 6 days between.
    await store.client.command({
      query: `INSERT INTO otel_traces (Timestamp, TraceId, SpanId, ParentSpanId, SpanName, ServiceName, Duration) VALUES
        ${[span(now, TRACE, '1111111111111111', 'now'), span(device, TRACE, '2222222222222222', 'device')].join(', ')}`,
    });
    const others = [];
    for (let d = 5; d <= 10; d++) others.push(span(now - d * DAY, 'cd'.repeat(16), `${d}`.padStart(16, '0'), 'other'));
    await store.client.command({
      query: `INSERT INTO otel_traces (Timestamp, TraceId, SpanId, ParentSpanId, SpanName, ServiceName, Duration) VALUES ${others.join(', ')}`,
    });
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows both spans', async () => {
    const view = await queryTrace(store, catalogFrom('systems: []\n'), TRACE);
    expect(view?.spans.map((s) => s.name).sort()).toEqual(['device', 'now']);
  });

  it('reads the days of its spans, not every day between them', async () => {
    const [range] = await (
      await store.client.query({ query: TRACE_DAYS_SQL, query_params: { id: TRACE }, format: 'JSONEachRow' })
    ).json<{
      s: number;
      e: number;
      days: string[];
    }>();
    expect(range.days).toHaveLength(2);
    const params = { id: TRACE, from: (range.s - 60) * 1000, to: (range.e + 60) * 1000, days: range.days, limit: 1000 };
    const plan = await (await store.client.query({ query: `EXPLAIN indexes = 1 ${TRACE_SPANS_SQL}`, query_params: params, format: 'TabSeparatedRaw' })).text();
    const parts = plan
      .split('\n')
      .map((l) => l.replace(/^[\s│└├─]+/, ''))
      .find((l) => /^Parts: \d+\/\d+$/.test(l));
    expect(parts).toBe('Parts: 2/8');
  });
});
