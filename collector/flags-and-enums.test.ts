import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtoResponse, messages } from './otlp/proto-codec.ts';
import { startHarness, type Harness } from './test/harness.ts';

const NOW = String(BigInt(Date.now()) * 1_000_000n);
const TRACE = '5b8efff798038103d269b633813fc60c';
const resource = (service: string) => ({ attributes: [{ key: 'service.name', value: { stringValue: service } }] });
const wrong = (items: string) => `${items} with a field of the wrong type or range, or whose resource, scope or metric has one`;
const UNKNOWN_SEVERITY =
  'log records with an unknown severityNumber (a name this collector does not know, or a number outside 0 to 24), stored as 0 (unspecified)';
const FLAGS = (where: string, got: string) => `${where}.flags must be a whole number from 0 to 4294967295 (a uint32 of bit flags), got ${got}`;

// Regression: a flags value that is no fixed32 (2^40, -1, 1.5) was cut silently — a log record's to `flags & 0xff`
// (2^40 stored as TraceFlags 0, -1 as 255), a data point's stored as sent, a span's ignored — and a severityNumber
// outside 0..255 was clamped silently (-3 stored as 0, 300 as 255, 2^40 as 255) while one inside it (99) was stored as
// an unknown severity. Now, the same way for every signal: a flags or enum value outside its protobuf type (uint32,
// int32) is no value of the field and refuses its item, naming the field; an int32 severity the logs data model does
// not define (99, -3) keeps its record as 0 (unspecified) with a warning, as a span's unknown kind is kept as
// Unspecified — from OTLP/JSON and protobuf alike.
describe('flags and enum values out of range', () => {
  let h: Harness;
  const post = (path: string, body: Buffer | string, type?: string) => h.post(path, body, type);
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses a log record whose flags or severityNumber is outside its type; keeps an unknown severity as 0 with a warning', async () => {
    const rec = (body: string, more: object = {}) => ({ timeUnixNano: NOW, body: { stringValue: body }, ...more });
    const records = [
      rec('kept', { flags: 257, severityNumber: 9 }),
      rec('flags 2^40', { flags: 2 ** 40 }),
      rec('flags -1', { flags: -1 }),
      rec('flags fraction', { flags: 1.5 }),
      rec('severity 2^40', { severityNumber: 2 ** 40 }),
      rec('severity 99', { severityNumber: 99 }),
      rec('severity -3', { severityNumber: -3 }),
      rec('severity 300', { severityNumber: '300' }),
    ];
    const res = await post('/v1/logs', JSON.stringify({ resourceLogs: [{ resource: resource('flags-logs-json'), scopeLogs: [{ logRecords: records }] }] }));
    expect(res.status).toBe(200);
    const at = 'resourceLogs[0].scopeLogs[0].logRecords';
    expect(await res.json()).toEqual({
      partialSuccess: {
        rejectedLogRecords: 4,
        errorMessage: `4 rejected: ${wrong('log records')} (first at ${FLAGS(`${at}[1]`, '1099511627776')}); 3 kept: ${UNKNOWN_SEVERITY} (first at ${at}[5].severityNumber)`,
      },
    });
    // The same records from protobuf, where flags cannot leave fixed32 and a severity is an int32.
    const t = messages.logs.request;
    const proto = { resourceLogs: [{ resource: resource('flags-logs-proto'), scopeLogs: [{ logRecords: [records[0], records[5], records[6]] }] }] };
    const pres = await post('/v1/logs', Buffer.from(t.encode(t.fromObject(proto)).finish()), 'application/x-protobuf');
    expect(decodeProtoResponse('logs', Buffer.from(await pres.arrayBuffer()))).toEqual({
      partialSuccess: { errorMessage: `2 kept: ${UNKNOWN_SEVERITY} (first at ${at}[1].severityNumber)` },
    });
    await h.collector.flush();
    for (const service of ['flags-logs-json', 'flags-logs-proto']) {
      expect(await h.rows(`SELECT Body, TraceFlags, SeverityNumber FROM otel_logs WHERE ServiceName = '${service}' ORDER BY Body`)).toEqual([
        { Body: 'kept', TraceFlags: 1, SeverityNumber: 9 },
        { Body: 'severity -3', TraceFlags: 0, SeverityNumber: 0 },
        ...(service.endsWith('json') ? [{ Body: 'severity 300', TraceFlags: 0, SeverityNumber: 0 }] : []),
        { Body: 'severity 99', TraceFlags: 0, SeverityNumber: 0 },
      ]);
    }
  });

  it('refuses a span or a data point whose flags, kind or status code is outside its type', async () => {
    const span = (i: number, more: object = {}) => ({
      traceId: TRACE,
      spanId: i.toString(16).padStart(16, '0'),
      name: `s${i}`,
      startTimeUnixNano: NOW,
      endTimeUnixNano: NOW,
      ...more,
    });
    const spans = [
      span(1, { flags: 769, kind: -1 }),
      span(2, { flags: 2 ** 40 }),
      span(3, { flags: -1 }),
      span(4, { links: [{ traceId: TRACE, spanId: 'eee19b7ec3c1b174', flags: 2 ** 32 }] }),
      span(5, { kind: 2 ** 40 }),
      span(6, { status: { code: '4294967296' } }),
    ];
    const res = await post('/v1/traces', JSON.stringify({ resourceSpans: [{ resource: resource('flags-spans'), scopeSpans: [{ spans }] }] }));
    expect(res.status).toBe(200);
    const at = 'resourceSpans[0].scopeSpans[0].spans';
    expect(await res.json()).toEqual({
      partialSuccess: {
        rejectedSpans: 5,
        errorMessage: `1 kept: spans with an unknown kind (stored as Unspecified) (first at ${at}[0].kind); 5 rejected: ${wrong('spans')} (first at ${FLAGS(`${at}[1]`, '1099511627776')})`,
      },
    });
    const point = (v: number, more: object = {}) => ({ timeUnixNano: NOW, asDouble: v, ...more });
    const metrics = {
      resourceMetrics: [
        {
          resource: resource('flags-points'),
          scopeMetrics: [{ metrics: [{ name: 'g', gauge: { dataPoints: [point(1, { flags: 1 }), point(2, { flags: 2 ** 40 }), point(3, { flags: -1 })] } }] }],
        },
      ],
    };
    const mres = await post('/v1/metrics', JSON.stringify(metrics));
    expect(await mres.json()).toEqual({
      partialSuccess: {
        rejectedDataPoints: 2,
        errorMessage: `2 rejected: ${wrong('data points')} (first at ${FLAGS('resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[1]', '1099511627776')})`,
      },
    });
    await h.collector.flush();
    expect(await h.rows(`SELECT SpanName, SpanKind FROM otel_traces WHERE ServiceName = 'flags-spans'`)).toEqual([{ SpanName: 's1', SpanKind: 'Unspecified' }]);
    expect(await h.rows(`SELECT Value, Flags FROM otel_metrics_gauge WHERE ServiceName = 'flags-points'`)).toEqual([{ Value: 1, Flags: 1 }]);
  });
});
