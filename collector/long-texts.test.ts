import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtoResponse, messages } from './otlp/proto-codec.ts';
import { startHarness, type Harness } from './test/harness.ts';

const NOW = String(BigInt(Date.now()) * 1_000_000n);
const LIMIT = 65_536;
const resource = (service: string) => ({ attributes: [{ key: 'service.name', value: { stringValue: service } }] });
const CUT =
  'names and messages longer than AttributeValueLengthLimit (a span, event, scope or metric name, a status message, a trace state, a severity text, a metric description or unit) were cut to it';
/** 100,000 bytes of text ending in a two-byte character across the limit (so the cut must step back one byte). */
const long = (c: string) => `${c.repeat(LIMIT - 1)}é${c.repeat(100_000 - LIMIT - 1)}`;

// Regression: a span's name, its events' names, its status message and trace state, its scope's name, a log record's
// severity text and a metric's name had no bound but the expansion budget: a 5 MiB span name was stored whole (and
// repeated in every row of a scope for a scope name), while an attribute value beside it was cut to 64 KiB. Each is
// now cut to AttributeValueLengthLimit at a character boundary and said in partial_success, from protobuf and OTLP/JSON.
describe('names and messages past AttributeValueLengthLimit', () => {
  let h: Harness;
  const post = (path: string, body: Buffer | string, type?: string) => h.post(path, body, type);
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('cuts a span’s names and messages, from protobuf and OTLP/JSON', async () => {
    const request = (service: string, ids: (hex: string) => unknown) => ({
      resourceSpans: [
        {
          resource: resource(service),
          scopeSpans: [
            {
              scope: { name: long('c') },
              spans: [
                {
                  traceId: ids('07'.repeat(16)),
                  spanId: ids('01'.repeat(8)),
                  name: long('n'),
                  traceState: long('t'),
                  startTimeUnixNano: NOW,
                  endTimeUnixNano: NOW,
                  status: { code: 2, message: long('m') },
                  events: [{ timeUnixNano: NOW, name: long('e') }],
                },
              ],
            },
          ],
        },
      ],
    });
    const t = messages.traces.request;
    const proto = Buffer.from(t.encode(t.fromObject(request('long-proto', (x) => Buffer.from(x, 'hex')))).finish());
    const at = 'resourceSpans[0].scopeSpans[0]';
    const warning = { partialSuccess: { errorMessage: `5 kept: ${CUT} (first at ${at}.scope.name)` } };
    const pres = await post('/v1/traces', proto, 'application/x-protobuf');
    expect(decodeProtoResponse('traces', Buffer.from(await pres.arrayBuffer()))).toEqual(warning);
    const jres = await post('/v1/traces', JSON.stringify(request('long-json', (x) => x)));
    expect(await jres.json()).toEqual({ partialSuccess: { rejectedSpans: 0, ...warning.partialSuccess } });
    await h.collector.flush();
    const rows = await h.rows(
      `SELECT ServiceName, length(SpanName) AS name, length(TraceState) AS state, length(StatusMessage) AS message, length(ScopeName) AS scope,
              length(Events.Name[1]) AS event, endsWith(SpanName, 'n') AS whole FROM otel_traces WHERE ServiceName LIKE 'long-%' ORDER BY ServiceName`,
    );
    // The two-byte character that would straddle the limit is left out: 65,535 bytes.
    const cut = { name: LIMIT - 1, state: LIMIT - 1, message: LIMIT - 1, scope: LIMIT - 1, event: LIMIT - 1, whole: 1 };
    expect(rows).toEqual([
      { ServiceName: 'long-json', ...cut },
      { ServiceName: 'long-proto', ...cut },
    ]);
  });

  it('cuts a log record’s severity text and a metric’s name', async () => {
    const logs = { resourceLogs: [{ resource: resource('long-logs'), scopeLogs: [{ logRecords: [{ timeUnixNano: NOW, severityText: long('s') }] }] }] };
    const res = await post('/v1/logs', JSON.stringify(logs));
    expect(await res.json()).toEqual({
      partialSuccess: { rejectedLogRecords: 0, errorMessage: `1 kept: ${CUT} (first at resourceLogs[0].scopeLogs[0].logRecords[0].severityText)` },
    });
    const metrics = {
      resourceMetrics: [
        { resource: resource('long-metrics'), scopeMetrics: [{ metrics: [{ name: long('m'), gauge: { dataPoints: [{ timeUnixNano: NOW, asDouble: 1 }] } }] }] },
      ],
    };
    const mres = await post('/v1/metrics', JSON.stringify(metrics));
    expect(await mres.json()).toEqual({
      partialSuccess: { rejectedDataPoints: 0, errorMessage: `1 kept: ${CUT} (first at resourceMetrics[0].scopeMetrics[0].metrics[0].name)` },
    });
    await h.collector.flush();
    expect(await h.rows(`SELECT length(SeverityText) AS n FROM otel_logs WHERE ServiceName = 'long-logs'`)).toEqual([{ n: LIMIT - 1 }]);
    expect(await h.rows(`SELECT length(MetricName) AS n FROM otel_metrics_gauge WHERE ServiceName = 'long-metrics'`)).toEqual([{ n: LIMIT - 1 }]);
  });
});
