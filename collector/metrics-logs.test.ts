import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { logs, metrics, resources } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './test/harness.ts';

describe('collector metrics and logs', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('stores sums, gauges and histograms the real SDK exports', async () => {
    const exporter = new OTLPMetricExporter({ url: `${h.collector.url}/v1/metrics` });
    const reader = new metrics.PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const provider = new metrics.MeterProvider({ resource: resources.resourceFromAttributes({ 'service.name': 'metrics-svc' }), readers: [reader] });
    const meter = provider.getMeter('weft-test-meter', '2.0.0');
    meter.createCounter('orders.synced', { description: 'Orders synced', unit: '{order}' }).add(5, { flow: 'crm-to-erp' });
    meter.createObservableGauge('queue.depth').addCallback((r) => r.observe(17, { queue: 'orders' }));
    const h1 = meter.createHistogram('sync.duration', { unit: 'ms', advice: { explicitBucketBoundaries: [10, 100, 1000] } });
    for (const v of [5, 50, 500, 5000]) h1.record(v, { flow: 'crm-to-erp' });
    // The SDK stamps a point's start (its first measurement) and its time (the collection at shutdown)
    // from Date.now(), to the millisecond: the clock must move on between them, or both are the same
    // millisecond and their order cannot be checked (it failed so on a fast run).
    const measuredAt = Date.now();
    while (Date.now() <= measuredAt) await new Promise((r) => setTimeout(r, 1));
    await provider.shutdown();
    await h.collector.flush();

    const sums = await h.rows(
      `SELECT ServiceName, ScopeName, ScopeVersion, MetricName, MetricDescription, MetricUnit, Attributes, Value, AggregationTemporality, IsMonotonic, TimeUnix > StartTimeUnix AS ordered FROM otel_metrics_sum`,
    );
    expect(sums).toEqual([
      {
        ServiceName: 'metrics-svc',
        ScopeName: 'weft-test-meter',
        ScopeVersion: '2.0.0',
        MetricName: 'orders.synced',
        MetricDescription: 'Orders synced',
        MetricUnit: '{order}',
        Attributes: { flow: 'crm-to-erp' },
        Value: 5,
        AggregationTemporality: 2,
        IsMonotonic: true,
        ordered: 1,
      },
    ]);
    const gauges = await h.rows(`SELECT MetricName, Attributes, Value FROM otel_metrics_gauge`);
    expect(gauges).toEqual([{ MetricName: 'queue.depth', Attributes: { queue: 'orders' }, Value: 17 }]);
    const hist = await h.rows(
      `SELECT MetricName, MetricUnit, Count, Sum, BucketCounts, ExplicitBounds, Min, Max, AggregationTemporality FROM otel_metrics_histogram`,
    );
    expect(hist).toEqual([
      {
        MetricName: 'sync.duration',
        MetricUnit: 'ms',
        Count: 4,
        Sum: 5555,
        BucketCounts: [1, 1, 1, 1],
        ExplicitBounds: [10, 100, 1000],
        Min: 5,
        Max: 5000,
        AggregationTemporality: 2,
      },
    ]);
  });

  it('stores log records the real SDK exports, with trace context and attributes', async () => {
    const exporter = new OTLPLogExporter({ url: `${h.collector.url}/v1/logs` });
    const provider = new logs.LoggerProvider({
      resource: resources.resourceFromAttributes({ 'service.name': 'logs-svc' }),
      processors: [new logs.BatchLogRecordProcessor({ exporter })],
    });
    const logger = provider.getLogger('weft-test-logger', '3.0.0');
    const when = Date.UTC(2026, 10, 27, 8, 30, 0, 250);
    logger.emit({ body: 'sync failed for order 42', severityNumber: 17, severityText: 'ERROR', timestamp: when, attributes: { 'order.id': 42, retry: true } });
    await provider.shutdown();
    await h.collector.flush();
    const rows = await h.rows(
      `SELECT Timestamp, ServiceName, SeverityText, SeverityNumber, Body, ScopeName, ScopeVersion, LogAttributes, TimestampTime FROM otel_logs`,
    );
    expect(rows).toEqual([
      {
        Timestamp: '2026-11-27 08:30:00.250000000',
        ServiceName: 'logs-svc',
        SeverityText: 'ERROR',
        SeverityNumber: 17,
        Body: 'sync failed for order 42',
        ScopeName: 'weft-test-logger',
        ScopeVersion: '3.0.0',
        LogAttributes: { 'order.id': '42', retry: 'true' },
        TimestampTime: '2026-11-27 08:30:00',
      },
    ]);
  });

  it.each(['proto', 'json'] as const)('stores log bodies and exception attributes without the secrets in them (OTLP/%s)', async (protocol) => {
    const service = `logs-secrets-${protocol}`;
    const bodies = [
      'connect to postgresql://app:S3cr3tPw@pg01:5432/orders failed; retry with password=S3cr3tPw',
      'calling erp with Authorization: Bearer B3ar3rT0k3n',
    ];
    const structured = { password: 'S3cr3tPw', user: 'app', n: 3, msg: 'retry with token="T0k3nT0k3n"' };
    if (protocol === 'proto') {
      const exporter = new OTLPLogExporter({ url: `${h.collector.url}/v1/logs` });
      const provider = new logs.LoggerProvider({
        resource: resources.resourceFromAttributes({ 'service.name': service }),
        processors: [new logs.BatchLogRecordProcessor({ exporter })],
      });
      const logger = provider.getLogger('weft-test-logger');
      for (const body of bodies) logger.emit({ body, attributes: { 'exception.message': 'login failed: Pwd=S3cr3tPw;' } });
      logger.emit({ body: structured });
      await provider.shutdown();
    } else {
      const record = (body: unknown) => ({
        timeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
        body:
          typeof body === 'string'
            ? { stringValue: body }
            : {
                kvlistValue: {
                  values: Object.entries(body as object).map(([key, v]) => ({ key, value: typeof v === 'number' ? { intValue: v } : { stringValue: v } })),
                },
              },
        attributes: typeof body === 'string' ? [{ key: 'exception.message', value: { stringValue: 'login failed: Pwd=S3cr3tPw;' } }] : [],
      });
      const request = {
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
            scopeLogs: [{ logRecords: [...bodies, structured].map(record) }],
          },
        ],
      };
      const r = await fetch(`${h.collector.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
      expect(r.status).toBe(200);
    }
    await h.collector.flush();
    const rows = await h.rows<{ Body: string; LogAttributes: Record<string, string> }>(
      `SELECT Body, LogAttributes FROM otel_logs WHERE ServiceName = '${service}' ORDER BY Body`,
    );
    expect(JSON.stringify(rows)).not.toContain('S3cr3tPw');
    expect(JSON.stringify(rows)).not.toContain('B3ar3rT0k3n');
    expect(JSON.stringify(rows)).not.toContain('T0k3nT0k3n');
    expect(rows.map((r) => r.Body)).toEqual([
      'calling erp with Authorization: Bearer REDACTED',
      'connect to postgresql://REDACTED:REDACTED@pg01:5432/orders failed; retry with password=REDACTED',
      '{"msg":"retry with token=\\"REDACTED\\"","n":3,"password":"REDACTED","user":"app"}',
    ]);
    expect(rows[0].LogAttributes['exception.message']).toBe('login failed: Pwd=REDACTED;');
    // A structured body stays JSON.
    expect(JSON.parse(rows[2].Body)).toEqual({ msg: 'retry with token="REDACTED"', n: 3, password: 'REDACTED', user: 'app' });
  });
});
