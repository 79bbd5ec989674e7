import { describe, expect, it } from 'vitest';
import { defaultIngestLimits, IngestReport } from '../otlp/limits.ts';
import { logRows } from './log-rows.ts';
import { metricRows } from './metric-rows.ts';
import { tables, type TableName } from './tables.ts';

// Regression: the attribute limits held resources too, which the OpenTelemetry specification exempts them from: with
// WEFT_ATTRIBUTE_COUNT_LIMIT=1 a service.name after another resource attribute was dropped, and with a small value
// length it was cut, and the records and points were stored under another service. (Traces: trace-decoder.test.ts.)
describe('resource attributes are exempt from the attribute limits (logs and metrics)', () => {
  const ctx = () => ({ limits: { ...defaultIngestLimits(20 << 20), attributeCountLimit: 1, attributeValueLengthLimit: 4 }, report: new IngestReport() });
  const resource = {
    attributes: [
      { key: 'host.name', value: { stringValue: 'worker-1.internal' } },
      { key: 'service.name', value: { stringValue: 'orders-sync' } },
    ],
  };
  const column = (table: TableName, row: unknown[], name: string) => row[tables[table].fields.findIndex((f) => f.column === name)];
  const attrs = [
    { key: 'a', value: { stringValue: 'long value' } },
    { key: 'b', value: { stringValue: 'x' } },
  ];

  it('keeps a log record resource whole, and limits the record', () => {
    const c = ctx();
    const { rows } = logRows({ resourceLogs: [{ resource, scopeLogs: [{ logRecords: [{ timeUnixNano: '1764230400000000000', attributes: attrs }] }] }] }, c);
    expect(column('otel_logs', rows[0], 'ServiceName')).toBe('orders-sync');
    expect({ ...(column('otel_logs', rows[0], 'ResourceAttributes') as object) }).toEqual({ 'host.name': 'worker-1.internal', 'service.name': 'orders-sync' });
    expect({ ...(column('otel_logs', rows[0], 'LogAttributes') as object) }).toEqual({ a: 'long' });
    expect(c.report.message).toMatch(/resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[0\]/);
    expect(c.report.message).not.toMatch(/resource\.attributes/);
  });

  it("keeps a data point's resource whole, and limits the point", () => {
    const { gauge } = metricRows(
      {
        resourceMetrics: [
          {
            resource,
            scopeMetrics: [
              { metrics: [{ name: 'queue.depth', gauge: { dataPoints: [{ timeUnixNano: '1764230400000000000', asInt: '3', attributes: attrs }] } }] },
            ],
          },
        ],
      },
      ctx(),
    );
    expect(column('otel_metrics_gauge', gauge[0], 'ServiceName')).toBe('orders-sync');
    expect(Object.keys(column('otel_metrics_gauge', gauge[0], 'ResourceAttributes') as object)).toHaveLength(2);
    expect({ ...(column('otel_metrics_gauge', gauge[0], 'Attributes') as object) }).toEqual({ a: 'long' });
  });
});
