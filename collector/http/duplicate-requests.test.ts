import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { api, resources, tracing } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../test/harness.ts';
import { RecentRequests } from './recent-requests.ts';

/** Finished spans of `service` made by `make`, not exported: what an exporter holds and may send again. */
async function spansOf(service: string, make: (tracer: api.Tracer) => void): Promise<tracing.ReadableSpan[]> {
  const memory = new tracing.InMemorySpanExporter();
  const provider = new tracing.BasicTracerProvider({
    resource: resources.resourceFromAttributes({ 'service.name': service, 'service.instance.id': `${service}-1` }),
    spanProcessors: [new tracing.SimpleSpanProcessor(memory)],
  });
  make(provider.getTracer('duplicate-requests'));
  await provider.forceFlush();
  return memory.getFinishedSpans();
}

/** One OTLP/HTTP protobuf export of `spans` to `url`, through the SDK's exporter. */
const exportOnce = (url: string, spans: tracing.ReadableSpan[]) =>
  new Promise<void>((resolve, reject) =>
    new OTLPTraceExporter({ url: `${url}/v1/traces` }).export(spans, (r) => (r.code === 0 ? resolve() : reject(r.error ?? new Error('export failed')))),
  );

// Regression: a producer's batch exported twice with the same span ids (its exporter retried a request Weft had stored,
// whose answer it did not get) was stored twice, and the endpoint rollups summed its record counts twice: "500 customer
// records lost between customer-events and erp-consumer (written into customer-events, not read out of it): 1,000
// written, 500 read" (hop-record-loss, high). OTLP leaves duplicates to the receiver.
describe('an export request sent again (real SDK exporter → collector → chDB)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('is accepted once stored, not stored twice: its spans and record counts count once', async () => {
    const now = Date.now();
    const published = await spansOf('crm-publisher', (t) => {
      for (let i = 0; i < 10; i++) {
        const at = now - 360_000 + i * 15_000;
        const pub = t.startSpan('customer-events publish', {
          kind: api.SpanKind.PRODUCER,
          startTime: at,
          attributes: { 'messaging.system': 'rabbitmq', 'messaging.destination.name': 'customer-events', 'integration.records': 50 },
        });
        pub.end(at + 10);
      }
    });
    // A different batch of the same kind stays two requests: only the same bytes are a repeat.
    const later = await spansOf('crm-publisher', (t) =>
      t
        .startSpan('customer-events publish', {
          kind: api.SpanKind.PRODUCER,
          startTime: now - 1000,
          attributes: { 'messaging.system': 'rabbitmq', 'messaging.destination.name': 'customer-events', 'integration.records': 50 },
        })
        .end(now - 990),
    );
    await exportOnce(h.collector.url, published);
    await exportOnce(h.collector.url, published);
    await exportOnce(h.collector.url, later);
    await h.collector.flush();
    const [stored] = await h.rows<{ spans: string; ids: string }>(
      "SELECT count() AS spans, uniqExact(SpanId) AS ids FROM otel_traces WHERE ServiceName = 'crm-publisher'",
    );
    expect([Number(stored.spans), Number(stored.ids)]).toEqual([11, 11]);
    const [written] = await h.rows<{ records: string }>(
      "SELECT sum(records) AS records FROM weft_endpoint_rollup_1m WHERE service = 'crm-publisher' AND ep_name = 'customer-events'",
    );
    expect(Number(written.records)).toBe(550);
    const metrics = await (await fetch(`${h.collector.url}/metrics`)).text();
    expect(metrics).toContain('weft_collector_duplicate_requests_total{signal="traces"} 1');
    expect(metrics).toContain('weft_collector_accepted_total{signal="traces"} 11');
    // Log records are not looked up (a sender may set no timestamp, or one to the second): two equal ones are stored both.
    const log = JSON.stringify({
      resourceLogs: [
        { resource: {}, scopeLogs: [{ logRecords: [{ timeUnixNano: `${now}000000`, body: { stringValue: 'disk full' }, severityText: 'ERROR' }] }] },
      ],
    });
    for (let i = 0; i < 2; i++)
      expect((await fetch(`${h.collector.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: log })).status).toBe(200);
    await h.collector.flush();
    const [logs] = await h.rows<{ n: string }>("SELECT count() AS n FROM otel_logs WHERE Body = 'disk full'");
    expect(Number(logs.n)).toBe(2);
  });
});

describe('RecentRequests', () => {
  it('remembers a key for its TTL, and forgets the oldest past its maximum', () => {
    const recent = new RecentRequests(1000, 2);
    const [a, b, c] = ['a', 'b', 'c'].map((x) => recent.key('traces', Buffer.from(x)));
    expect(recent.key('logs', Buffer.from('a'))).not.toBe(a);
    recent.add(a, 0);
    expect([recent.has(a, 999), recent.has(a, 1000)]).toEqual([true, false]);
    recent.add(b, 10);
    recent.add(c, 20);
    expect([recent.has(a, 30), recent.has(b, 30), recent.has(c, 30)]).toEqual([false, true, true]);
  });
});
