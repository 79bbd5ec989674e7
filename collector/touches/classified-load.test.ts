import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '@opentelemetry/sdk-node';
import { sendSpans } from '../../test/otel.ts';
import { startHarness, type Harness } from '../test/harness.ts';

const { CLIENT, INTERNAL } = api.SpanKind;

/**
 * The collector's own loads (embedded store): spans and their touches go in together, and the SQL
 * classification does not run for them; an insert by anyone else still goes through it.
 */
describe('classified loads', () => {
  let h: Harness;
  const total = async (q: string) => Number((await h.rows<{ n: string }>(q))[0].n);
  beforeAll(async () => {
    h = await startHarness({ batchMaxWaitMs: 600_000 });
    // What reaches the SQL classification, kept to be counted (weft_spans_unclassified is a Null table).
    await h.store.client.command({ query: 'CREATE TABLE unclassified_seen (TraceId String) ENGINE = MergeTree ORDER BY tuple()' });
    await h.store.client.command({
      query: 'CREATE MATERIALIZED VIEW unclassified_seen_mv TO unclassified_seen AS SELECT TraceId FROM weft_spans_unclassified',
    });
  });
  afterAll(async () => h?.close());

  it('spools the touches beside the spans, loads both and leaves the SQL classification out', async () => {
    await sendSpans({ url: h.collector.url, serviceName: 'classified', resource: { 'integration.flow': 'crm-to-erp' } }, [
      {
        name: 'run',
        kind: INTERNAL,
        children: [
          {
            name: 'GET',
            kind: CLIENT,
            attributes: { 'http.request.method': 'GET', 'url.full': 'https://crm.example.com/api/customers/7', 'integration.records': 3 },
          },
          { name: 'POST', kind: CLIENT, attributes: { 'http.request.method': 'POST', 'server.address': 'erp.example.com', 'server.port': 8443 } },
        ],
      },
    ]);
    const spool = join(h.dir, 'spool');
    expect(
      readdirSync(spool)
        .filter((f) => /^otel_traces\..*\.(open|touches|commit)$/.test(f))
        .map((f) => f.split('.').pop())
        .sort(),
    ).toEqual(['commit', 'open', 'touches']);
    await h.collector.flush();
    expect(readdirSync(spool).filter((f) => f.startsWith('otel_traces.'))).toEqual([]);
    expect(await total("SELECT count() AS n FROM otel_traces WHERE ServiceName = 'classified'")).toBe(3);
    expect(await total('SELECT count() AS n FROM unclassified_seen')).toBe(0);
    const touched = await h.rows<Record<string, string | number>>(
      "SELECT direction, ep_kind, ep_host, ep_name, spans, records FROM weft_endpoint_rollup_1m FINAL WHERE integration = 'crm-to-erp' ORDER BY ep_kind, direction",
    );
    expect(touched).toEqual([
      { direction: '', ep_kind: '', ep_host: '', ep_name: '', spans: 1, records: 0 },
      { direction: 'read', ep_kind: 'http', ep_host: 'crm.example.com', ep_name: '/api/customers', spans: 1, records: 3 },
      { direction: 'write', ep_kind: 'http', ep_host: 'erp.example.com:8443', ep_name: '', spans: 1, records: 0 },
    ]);
    const metrics = await (await fetch(`${h.collector.url}/metrics`)).text();
    expect(metrics).toMatch(/^weft_collector_inserted_rows_total\{table="weft_span_touches"\} 3$/m);
  });

  it('regression: a segment split by day, and its parts split again, is classified once (its touches before the split)', async () => {
    const DAY = 86_400_000;
    // The engine refuses spans over more than 3 days in one insert: 8 days split into 8, then 4 + 4, then 2 + 2 + 2 + 2.
    await h.store.client.command({ query: 'SET max_partitions_per_insert_block = 3' });
    try {
      await sendSpans(
        { url: h.collector.url, serviceName: 'split-days' },
        Array.from({ length: 8 }, (_, i) => ({
          name: `day-${i}`,
          kind: CLIENT,
          start: Date.now() - i * DAY,
          attributes: { 'http.request.method': 'GET', 'url.full': 'https://crm.example.com/api/x' },
        })),
      );
      await h.collector.flush();
    } finally {
      await h.store.client.command({ query: 'SET max_partitions_per_insert_block = 100' });
    }
    expect(await total("SELECT count() AS n FROM otel_traces WHERE ServiceName = 'split-days'")).toBe(8);
    expect(await total("SELECT sum(spans) AS n FROM weft_endpoint_rollup_1m WHERE service = 'split-days'")).toBe(8);
    expect(await total("SELECT count() AS n FROM unclassified_seen WHERE TraceId IN (SELECT TraceId FROM otel_traces WHERE ServiceName = 'split-days')")).toBe(
      0,
    );
    const metrics = await (await fetch(`${h.collector.url}/metrics`)).text();
    expect(Number(/^weft_collector_segments_split_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(3);
  });

  it('classifies in SQL what another writer inserts into otel_traces', async () => {
    await h.store.client.command({
      query: "INSERT INTO otel_traces SELECT * REPLACE ('other-writer' AS ServiceName) FROM (SELECT * FROM otel_traces WHERE ServiceName = 'classified')",
    });
    expect(await total('SELECT count() AS n FROM unclassified_seen')).toBe(3);
    expect(await total("SELECT sum(spans) AS n FROM weft_endpoint_rollup_1m WHERE service = 'other-writer' AND ep_kind = 'http'")).toBe(2);
  });
});
