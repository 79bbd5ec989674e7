import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendSpans, withTracer, type OtelTarget } from '../test/otel.ts';
import { startHarness, type Harness } from './test/harness.ts';

interface SpanRow {
  Timestamp: string;
  TraceId: string;
  SpanId: string;
  ParentSpanId: string;
  TraceState: string;
  SpanName: string;
  SpanKind: string;
  ServiceName: string;
  ResourceAttributes: Record<string, string>;
  ScopeName: string;
  ScopeVersion: string;
  SpanAttributes: Record<string, string>;
  Duration: string;
  StatusCode: string;
  StatusMessage: string;
  'Events.Timestamp': string[];
  'Events.Name': string[];
  'Events.Attributes': Record<string, string>[];
  'Links.TraceId': string[];
  'Links.SpanId': string[];
  'Links.TraceState': string[];
  'Links.Attributes': Record<string, string>[];
}

/** Sends the same small trace (a server span, a client child with an event and a link) and returns what the SDK saw. */
async function sendTrace(target: OtelTarget) {
  const start = Date.UTC(2026, 10, 27, 12, 0, 0, 123);
  const seen: Record<string, { traceId: string; spanId: string }> = {};
  await withTracer({ ...target, resource: { 'deployment.environment': 'test', 'integration.flow': 'crm-to-erp' } }, (tracer) => {
    const link = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
    const root = tracer.startSpan('POST /orders', {
      kind: api.SpanKind.SERVER,
      startTime: start,
      attributes: { 'http.request.method': 'POST', 'http.response.status_code': 201 },
    });
    const ctx = api.trace.setSpan(api.ROOT_CONTEXT, root);
    const child = tracer.startSpan(
      'INSERT orders',
      {
        kind: api.SpanKind.CLIENT,
        startTime: start + 2,
        links: [{ context: link, attributes: { 'link.kind': 'batch' } }],
        attributes: { 'db.system': 'postgresql', 'integration.records': 42, ratio: 0.5, ok: true, tags: ['a', 'b'] },
      },
      ctx,
    );
    child.addEvent('retry', { attempt: 2 }, start + 3);
    child.setStatus({ code: api.SpanStatusCode.ERROR, message: 'deadlock detected' });
    child.end(start + 7.5);
    root.end(start + 10);
    seen.root = root.spanContext();
    seen.child = child.spanContext();
  });
  return { start, seen };
}

describe('collector traces', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('accepts many exporters at once (the SDK uploads chunked, without a length)', async () => {
    const services = Array.from({ length: 12 }, (_, i) => `concurrent-${i}`);
    await Promise.all(
      services.map((serviceName) =>
        sendSpans(
          { url: h.collector.url, serviceName },
          Array.from({ length: 20 }, (_, i) => ({ name: `op-${i}` })),
        ),
      ),
    );
    await h.collector.flush();
    expect(await h.rows(`SELECT count() AS n, uniqExact(ServiceName) AS services FROM otel_traces WHERE ServiceName LIKE 'concurrent-%'`)).toEqual([
      { n: 240, services: 12 },
    ]);
  });

  for (const [label, target] of [
    ['protobuf', { protocol: 'proto' as const }],
    ['OTLP/JSON', { protocol: 'json' as const }],
    ['gzip protobuf', { protocol: 'proto' as const, gzip: true }],
    ['gzip OTLP/JSON', { protocol: 'json' as const, gzip: true }],
  ] as const) {
    it(`stores every field of spans the real SDK exports as ${label}`, async () => {
      const serviceName = `svc-${label.replace(/\W+/g, '-')}`;
      const { start, seen } = await sendTrace({ url: h.collector.url, serviceName, ...target });
      await h.collector.flush();
      const rows = await h.rows<SpanRow>(`SELECT * FROM otel_traces WHERE ServiceName = '${serviceName}' ORDER BY Timestamp`);
      expect(rows).toHaveLength(2);
      const [root, child] = rows;
      expect(root).toMatchObject({
        Timestamp: '2026-11-27 12:00:00.123000000',
        TraceId: seen.root.traceId,
        SpanId: seen.root.spanId,
        ParentSpanId: '',
        SpanName: 'POST /orders',
        SpanKind: 'Server',
        ServiceName: serviceName,
        ScopeName: 'weft-test',
        ScopeVersion: '1.0.0',
        SpanAttributes: { 'http.request.method': 'POST', 'http.response.status_code': '201' },
        Duration: 10000000,
        StatusCode: 'Unset',
        StatusMessage: '',
        'Events.Name': [],
        'Links.TraceId': [],
      });
      expect(root.ResourceAttributes).toMatchObject({ 'service.name': serviceName, 'deployment.environment': 'test', 'integration.flow': 'crm-to-erp' });
      expect(child).toMatchObject({
        Timestamp: '2026-11-27 12:00:00.125000000',
        TraceId: seen.root.traceId,
        SpanId: seen.child.spanId,
        ParentSpanId: seen.root.spanId,
        SpanName: 'INSERT orders',
        SpanKind: 'Client',
        SpanAttributes: { 'db.system': 'postgresql', 'integration.records': '42', ratio: '0.5', ok: 'true', tags: '["a","b"]' },
        Duration: 5500000,
        StatusCode: 'Error',
        StatusMessage: 'deadlock detected',
        'Events.Timestamp': ['2026-11-27 12:00:00.126000000'],
        'Events.Name': ['retry'],
        'Events.Attributes': [{ attempt: '2' }],
        'Links.TraceId': ['0af7651916cd43dd8448eb211c80319c'],
        'Links.SpanId': ['b7ad6b7169203331'],
        'Links.TraceState': [''],
        'Links.Attributes': [{ 'link.kind': 'batch' }],
      });
      const lookup = await h.rows<{ Start: string }>(`SELECT Start FROM otel_traces_trace_id_ts WHERE TraceId = '${seen.root.traceId}'`);
      expect(lookup).toEqual([{ Start: '2026-11-27 12:00:00' }]);
      expect(start).toBeGreaterThan(0);
    });
  }
});
