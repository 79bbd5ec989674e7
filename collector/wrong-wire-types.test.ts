import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtoResponse } from './otlp/proto-codec.ts';
import { startHarness, type Harness } from './test/harness.ts';
import { tag, withFields } from './test/otlp-proto.ts';

const NOW = BigInt(Date.now()) * 1_000_000n;
const wrong = (items: string) => `${items} with a field of the wrong type or range, or whose resource, scope or metric has one`;
const resource = (service: string) => ({ attributes: [{ key: 'service.name', value: { stringValue: service } }] });

/** `n` as a protobuf varint. */
const varint = (n: number) => Buffer.from(protobuf.Writer.create().uint32(n).finish());

/** A request (`container` → its list field `listField`, `at` levels deep) of `items`, each already encoded. */
function request(path: [typeName: string, message: object, listField: number][], items: Uint8Array[]): Buffer {
  let inner = items;
  for (let i = path.length - 1; i >= 0; i--) {
    const [typeName, message, listField] = path[i];
    const bytes = withFields(typeName, message, (w) => {
      for (const item of inner) w.uint32(tag(listField, 2)).bytes(item);
    });
    inner = [bytes];
  }
  return Buffer.from(inner[0]);
}

// Regression: a known field sent with another wire type than its type has (a span's name as a varint, its start time
// as a string, its status as a varint; a log record's severity_text as a varint; a data point's time as a varint) was
// passed over as protobuf passes over an unknown field, by the hand-written trace decoder and by protobufjs alike: the
// span was stored without its name, its status, or refused for a missing time it had sent; nothing said why. Such an
// item is now refused alone, naming the field and the wire types, the request's other items kept.
describe('fields sent with the wrong wire type', () => {
  let h: Harness;
  const post = (path: string, body: Buffer) => h.post(path, body, 'application/x-protobuf');
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses each span with one alone', async () => {
    const span = (i: number, extra: (w: protobuf.Writer) => void = () => {}, name: string | undefined = `s${i}`) =>
      withFields(
        'Span',
        { traceId: Buffer.alloc(16, 7), spanId: Buffer.alloc(8, i), name, startTimeUnixNano: NOW.toString(), endTimeUnixNano: NOW.toString() },
        extra,
      );
    const spans = [
      span(1),
      span(2, (w) => w.uint32(tag(5, 0)).uint32(7), undefined),
      span(3, (w) => w.uint32(tag(6, 2)).string('SPAN_KIND_SERVER')),
      span(4, (w) => w.uint32(tag(15, 0)).uint32(2)),
      span(5, (w) => w.uint32(tag(15, 2)).bytes(withFields('Status', {}, (s) => s.uint32(tag(3, 2)).string('ERROR')))),
      span(6, (w) => w.uint32(tag(16, 0)).uint32(1)),
      // A field number Span does not have is an unknown field: passed over, the span kept.
      span(7, (w) => w.uint32(tag(99, 0)).uint32(1)),
    ];
    const body = request(
      [
        ['ExportTraceServiceRequest', {}, 1],
        ['ResourceSpans', { resource: resource('wire-spans') }, 2],
        ['ScopeSpans', {}, 2],
      ],
      spans,
    );
    const res = await post('/v1/traces', body);
    expect(res.status).toBe(200);
    const at = 'resourceSpans[0].scopeSpans[0].spans';
    expect(decodeProtoResponse('traces', Buffer.from(await res.arrayBuffer()))).toEqual({
      partialSuccess: {
        rejectedSpans: 5,
        errorMessage: `5 rejected: ${wrong('spans')} (first at ${at}[1].name must be sent with wire type 2 (LEN), got 0 (VARINT))`,
      },
    });
    await h.collector.flush();
    expect(await h.rows(`SELECT SpanName FROM otel_traces WHERE ServiceName = 'wire-spans' ORDER BY SpanName`)).toEqual([
      { SpanName: 's1' },
      { SpanName: 's7' },
    ]);
  });

  it('refuses each log record and data point with one alone', async () => {
    const record = (body: string, extra: (w: protobuf.Writer) => void = () => {}) =>
      withFields('LogRecord', { timeUnixNano: NOW.toString(), body: { stringValue: body } }, extra);
    const logs = request(
      [
        ['ExportLogsServiceRequest', {}, 1],
        ['ResourceLogs', { resource: resource('wire-logs') }, 2],
        ['ScopeLogs', {}, 2],
      ],
      [record('kept'), record('text as varint', (w) => w.uint32(tag(3, 0)).uint32(9)), record('flags as varint', (w) => w.uint32(tag(8, 0)).uint32(1))],
    );
    const res = await post('/v1/logs', logs);
    expect(decodeProtoResponse('logs', Buffer.from(await res.arrayBuffer()))).toEqual({
      partialSuccess: {
        rejectedLogRecords: 2,
        errorMessage: `2 rejected: ${wrong('log records')} (first at resourceLogs[0].scopeLogs[0].logRecords[1].severityText must be sent with wire type 2 (LEN), got 0 (VARINT))`,
      },
    });
    const point = (v: number, extra: (w: protobuf.Writer) => void = () => {}) =>
      withFields('NumberDataPoint', { timeUnixNano: NOW.toString(), asDouble: v }, extra);
    const gauge = withFields('Gauge', {}, (w) => {
      for (const p of [point(1), point(2, (x) => x.uint32(tag(3, 0)).uint32(5))]) w.uint32(tag(1, 2)).bytes(p);
    });
    const metrics = request(
      [
        ['ExportMetricsServiceRequest', {}, 1],
        ['ResourceMetrics', { resource: resource('wire-points') }, 2],
        ['ScopeMetrics', {}, 2],
      ],
      [withFields('Metric', { name: 'g' }, (w) => w.uint32(tag(5, 2)).bytes(gauge))],
    );
    const mres = await post('/v1/metrics', metrics);
    expect(decodeProtoResponse('metrics', Buffer.from(await mres.arrayBuffer()))).toEqual({
      partialSuccess: {
        rejectedDataPoints: 1,
        errorMessage: `1 rejected: ${wrong('data points')} (first at resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[1].timeUnixNano must be sent with wire type 1 (I64), got 0 (VARINT))`,
      },
    });
    await h.collector.flush();
    expect(await h.rows(`SELECT Body FROM otel_logs WHERE ServiceName = 'wire-logs'`)).toEqual([{ Body: 'kept' }]);
    expect(await h.rows(`SELECT Value FROM otel_metrics_gauge WHERE ServiceName = 'wire-points'`)).toEqual([{ Value: 1 }]);
  });
  // Regression: an exponential histogram's or a summary's field, or one of their points' at any depth (a time, its
  // positive or negative buckets, their counts, a quantile value, an exemplar, an attribute value), sent with another
  // wire type was passed over (their points were read as opaque): such a point was refused as "not stored" with the
  // others, the field unnamed, and an exponential histogram whose dataPoints came as a varint (a gauge's too) was lost
  // with nothing said (0 rejected). Each such point is now refused naming the field, as a gauge's is; a metric whose
  // data's own field has another wire type refuses its points, at least one; a point whose own bytes are broken, alone.
  it("refuses an exponential histogram's or summary's point with one at any depth, naming its path", async () => {
    const t = NOW.toString();
    const msg = (typeName: string, m: object, extra?: (w: protobuf.Writer) => void) => withFields(typeName, m, extra);
    const exp = (extra?: (w: protobuf.Writer) => void) => msg('ExponentialHistogramDataPoint', { timeUnixNano: t, count: 1, scale: 1 }, extra);
    const buckets = (extra: (w: protobuf.Writer) => void) => msg('ExponentialHistogramDataPoint.Buckets', { offset: 1, bucketCounts: [1] }, extra);
    const summary = (extra?: (w: protobuf.Writer) => void) => msg('SummaryDataPoint', { timeUnixNano: t, count: 1 }, extra);
    const len = (field: number, bytes: Uint8Array) => (w: protobuf.Writer) => w.uint32(tag(field, 2)).bytes(bytes);
    const data =
      (points: Uint8Array[], extra: (w: protobuf.Writer) => void = () => {}) =>
      (w: protobuf.Writer) => {
        for (const p of points) w.uint32(tag(1, 2)).bytes(p);
        extra(w);
      };
    const metric = (name: string, kind: number, body: (w: protobuf.Writer) => void) =>
      withFields('Metric', { name }, (w) => w.uint32(tag(kind, 2)).bytes(withFields('Gauge', {}, body)));
    const varintField = (field: number) => (w: protobuf.Writer) => w.uint32(tag(field, 0)).uint32(1);
    const metrics = (list: Uint8Array[]) =>
      request(
        [
          ['ExportMetricsServiceRequest', {}, 1],
          ['ResourceMetrics', { resource: resource('wire-exp') }, 2],
          ['ScopeMetrics', {}, 2],
        ],
        list,
      );
    // Points with a field of another wire type deep inside: positive as a varint, its bucket counts as fixed64, negative's
    // offset as LEN, an exemplar's time as a varint, an attribute's string value as a varint.
    const nested = [
      exp(varintField(8)),
      exp(
        len(
          8,
          buckets((w) => w.uint32(tag(2, 1)).fixed64(1)),
        ),
      ),
      exp(
        len(
          9,
          buckets((w) => w.uint32(tag(1, 2)).bytes(Uint8Array.of(1))),
        ),
      ),
      exp(len(11, msg('Exemplar', { asDouble: 1 }, varintField(2)))),
      exp(len(1, msg('KeyValue', { key: 'k' }, len(2, msg('AnyValue', {}, varintField(1)))))),
    ];
    const list = [
      metric('exp', 10, data([exp(), exp(varintField(3)), ...nested, exp()])),
      metric('exp-points-varint', 10, varintField(1)),
      metric('exp-temporality-len', 10, data([exp(), exp()], len(2, Uint8Array.of(1)))),
      metric(
        'summary',
        11,
        data([summary(), summary(len(6, msg('SummaryDataPoint.ValueAtQuantile', { quantile: 0.5 }, varintField(2)))), summary(varintField(4))]),
      ),
      metric('summary-points-varint', 11, varintField(1)),
      metric('gauge-points-varint', 5, varintField(1)),
      withFields('Metric', { name: 'kept', gauge: { dataPoints: [{ timeUnixNano: t, asDouble: 7 }] } }),
    ];
    const at = (i: number, rest: string) => `resourceMetrics[0].scopeMetrics[0].metrics[${i}].${rest}`;
    const notStored = (kind: string) => `${kind} metrics are not stored (only sum, gauge and histogram)`;
    const res = await post('/v1/metrics', metrics(list));
    const { partialSuccess } = decodeProtoResponse('metrics', Buffer.from(await res.arrayBuffer())) as {
      partialSuccess: { rejectedDataPoints: number; errorMessage: string };
    };
    expect(partialSuccess.errorMessage.split('; ')).toEqual([
      notStored('exponentialHistogram'),
      notStored('summary'),
      `13 rejected: ${wrong('data points')} (first at ${at(0, 'exponentialHistogram.dataPoints[1].timeUnixNano must be sent with wire type 1 (I64), got 0 (VARINT)')})`,
    ]);
    // 8 + 1 + 2 + 3 + 1 + 1: each point, and one for each list sent as a varint.
    expect(partialSuccess.rejectedDataPoints).toBe(16);
    // Each point alone, for the path it names.
    const said: string[] = [];
    for (const [i, one] of list.slice(0, 6).entries()) {
      const a = await post('/v1/metrics', metrics([one]));
      const m = (decodeProtoResponse('metrics', Buffer.from(await a.arrayBuffer())) as { partialSuccess: { errorMessage: string } }).partialSuccess
        .errorMessage;
      for (const match of m.matchAll(/first at resourceMetrics\[0\]\.scopeMetrics\[0\]\.metrics\[0\]\.(\S+) must be sent with wire type (\d)/g))
        said.push(`${i} ${match[1]} ${match[2]}`);
    }
    expect(said).toEqual([
      '0 exponentialHistogram.dataPoints[1].timeUnixNano 1',
      '1 exponentialHistogram.dataPoints 2',
      '2 exponentialHistogram.aggregationTemporality 0',
      '3 summary.dataPoints[1].quantileValues[0].value 1',
      '4 summary.dataPoints 2',
      '5 gauge.dataPoints 2',
    ]);
    const paths: string[] = [];
    for (const point of nested) {
      const a = await post('/v1/metrics', metrics([metric('exp', 10, data([point]))]));
      const m = (decodeProtoResponse('metrics', Buffer.from(await a.arrayBuffer())) as { partialSuccess: { errorMessage: string } }).partialSuccess
        .errorMessage;
      paths.push(m.slice(m.indexOf('first at ') + 9 + at(0, '').length, m.indexOf(' must be')));
    }
    expect(paths).toEqual([
      'exponentialHistogram.dataPoints[0].positive',
      'exponentialHistogram.dataPoints[0].positive.bucketCounts',
      'exponentialHistogram.dataPoints[0].negative.offset',
      'exponentialHistogram.dataPoints[0].exemplars[0].timeUnixNano',
      'exponentialHistogram.dataPoints[0].attributes[0].value.stringValue',
    ]);
    // Read item by item (a point's bytes broken elsewhere in the body): the same, and the broken point refused alone.
    const broken = metric('summary-broken', 11, data([summary((w) => w.uint32(tag(2, 1)).uint32(1))]));
    const framed = await post('/v1/metrics', metrics([list[0], broken]));
    const f = (
      decodeProtoResponse('metrics', Buffer.from(await framed.arrayBuffer())) as { partialSuccess: { rejectedDataPoints: number; errorMessage: string } }
    ).partialSuccess;
    expect(f.rejectedDataPoints).toBe(9);
    expect(f.errorMessage.replace(/byte \d+/, 'byte N').split('; ')).toEqual([
      notStored('exponentialHistogram'),
      `1 rejected: data points whose own bytes are not a protobuf data point (a length, varint or fixed-size value inside one runs past its end, or a tag has an invalid wire type), though the request's framing around them is whole: each such data point was refused, the request's other data points kept (first at ${at(1, 'summary.dataPoints[0]: a fixed64 cut short by the end of its message (byte N))')}`,
      `6 rejected: ${wrong('data points')} (first at ${at(0, 'exponentialHistogram.dataPoints[1].timeUnixNano must be sent with wire type 1 (I64), got 0 (VARINT)')})`,
    ]);
    await h.collector.flush();
    expect(await h.rows(`SELECT MetricName, Value FROM otel_metrics_gauge WHERE ServiceName = 'wire-exp'`)).toEqual([{ MetricName: 'kept', Value: 7 }]);
  });
  // Regression: a field of a message nested in a span (an attribute's KeyValue or AnyValue, an array or kvlist value's
  // items, an event, a link) or in a log record or data point sent with another wire type was passed over: an attribute
  // stored without its key or value, an event without its name or time, silently. Such an item is now refused alone,
  // naming the field's path; a resource attribute with one refuses the resource's spans.
  it('refuses each item with one in a nested message, naming its path', async () => {
    const kv = (key: string, value: Uint8Array) => withFields('KeyValue', { key }, (w) => w.uint32(tag(2, 2)).bytes(value));
    const value = (extra: (w: protobuf.Writer) => void) => withFields('AnyValue', {}, extra);
    const list = (field: number, items: Uint8Array[]) =>
      value((w) => w.uint32(tag(field, 2)).bytes(withFields('ArrayValue', {}, (a) => items.forEach((x) => a.uint32(tag(1, 2)).bytes(x)))));
    const span = (i: number, fields: object, extra: (w: protobuf.Writer) => void = () => {}) =>
      withFields(
        'Span',
        {
          traceId: Buffer.alloc(16, 9),
          spanId: Buffer.alloc(8, i),
          name: `s${i}`,
          startTimeUnixNano: NOW.toString(),
          endTimeUnixNano: NOW.toString(),
          ...fields,
        },
        extra,
      );
    const attribute = (bytes: Uint8Array) => (w: protobuf.Writer) => w.uint32(tag(9, 2)).bytes(bytes);
    const at = 'resourceSpans[0].scopeSpans[0].spans[1]';
    const got = (field: string, want: number, wire: number) => {
      const names = ['VARINT', 'I64', 'LEN'];
      return `${field} must be sent with wire type ${want} (${names[want]}), got ${wire} (${names[wire]})`;
    };
    const cases: [extra: (w: protobuf.Writer) => void, said: string][] = [
      [attribute(withFields('KeyValue', {}, (w) => w.uint32(tag(1, 0)).uint32(5))), got(`${at}.attributes[1].key`, 2, 0)],
      [attribute(withFields('KeyValue', { key: 'k' }, (w) => w.uint32(tag(2, 0)).uint32(5))), got(`${at}.attributes[1].value`, 2, 0)],
      [
        attribute(
          kv(
            'k',
            value((w) => w.uint32(tag(1, 0)).uint32(5)),
          ),
        ),
        got(`${at}.attributes[1].value.stringValue`, 2, 0),
      ],
      [
        attribute(
          kv(
            'k',
            value((w) => w.uint32(tag(3, 2)).string('12')),
          ),
        ),
        got(`${at}.attributes[1].value.intValue`, 0, 2),
      ],
      [
        attribute(
          kv(
            'k',
            value((w) => w.uint32(tag(4, 0)).uint32(1)),
          ),
        ),
        got(`${at}.attributes[1].value.doubleValue`, 1, 0),
      ],
      [
        attribute(
          kv(
            'k',
            value((w) => w.uint32(tag(2, 2)).string('true')),
          ),
        ),
        got(`${at}.attributes[1].value.boolValue`, 0, 2),
      ],
      [
        attribute(kv('k', list(5, [value((w) => w.uint32(tag(1, 2)).string('a')), value((w) => w.uint32(tag(1, 0)).uint32(5))]))),
        got(`${at}.attributes[1].value.arrayValue.values[1].stringValue`, 2, 0),
      ],
      [
        attribute(kv('k', list(6, [withFields('KeyValue', { key: 'a' }, (w) => w.uint32(tag(1, 0)).uint32(5))]))),
        got(`${at}.attributes[1].value.kvlistValue.values[0].key`, 2, 0),
      ],
      [
        attribute(
          kv(
            'k',
            value((w) => w.uint32(tag(5, 2)).bytes(withFields('ArrayValue', {}, (a) => a.uint32(tag(1, 0)).uint32(5)))),
          ),
        ),
        got(`${at}.attributes[1].value.arrayValue.values`, 2, 0),
      ],
      [(w) => w.uint32(tag(11, 2)).bytes(withFields('Span.Event', { name: 'e' }, (e) => e.uint32(tag(2, 0)).uint32(5))), got(`${at}.events[0].name`, 2, 0)],
      [
        (w) => w.uint32(tag(11, 2)).bytes(withFields('Span.Event', { name: 'e' }, (e) => e.uint32(tag(1, 0)).uint32(5))),
        got(`${at}.events[0].timeUnixNano`, 1, 0),
      ],
      [
        (w) => w.uint32(tag(11, 2)).bytes(withFields('Span.Event', { name: 'e' }, (e) => e.uint32(tag(3, 0)).uint32(5))),
        got(`${at}.events[0].attributes`, 2, 0),
      ],
      [(w) => w.uint32(tag(13, 2)).bytes(withFields('Span.Link', {}, (l) => l.uint32(tag(3, 0)).uint32(5))), got(`${at}.links[0].traceState`, 2, 0)],
      [(w) => w.uint32(tag(13, 2)).bytes(withFields('Span.Link', {}, (l) => l.uint32(tag(1, 0)).uint32(5))), got(`${at}.links[0].traceId`, 2, 0)],
    ];
    for (const [i, [extra, said]] of cases.entries()) {
      const service = `nested-wire-${i}`;
      const body = request(
        [
          ['ExportTraceServiceRequest', {}, 1],
          ['ResourceSpans', { resource: resource(service) }, 2],
          ['ScopeSpans', {}, 2],
        ],
        [span(1, {}), span(2, { attributes: [{ key: 'ok', value: { stringValue: 'yes' } }] }, extra), span(3, {})],
      );
      const res = await post('/v1/traces', body);
      expect(res.status).toBe(200);
      expect(decodeProtoResponse('traces', Buffer.from(await res.arrayBuffer()))).toEqual({
        partialSuccess: { rejectedSpans: 1, errorMessage: `1 rejected: ${wrong('spans')} (first at ${said})` },
      });
    }
    // A resource attribute with one: the resource's spans.
    const badResource = withFields('Resource', resource('nested-wire-resource'), (w) =>
      w.uint32(tag(1, 2)).bytes(
        kv(
          'k',
          value((v) => v.uint32(tag(1, 0)).uint32(5)),
        ),
      ),
    );
    const resBody = request(
      [
        ['ExportTraceServiceRequest', {}, 1],
        ['ResourceSpans', {}, 2],
        ['ScopeSpans', {}, 2],
      ],
      [span(1, {}), span(2, {})],
    );
    // The resource (field 1 of ResourceSpans) appended to the ResourceSpans: its place on the wire does not matter.
    const rs = Buffer.from(resBody.subarray(2));
    const whole = Buffer.concat([
      Buffer.from([tag(1, 2)]),
      varint(rs.length + 2 + badResource.length),
      rs,
      Buffer.from([tag(1, 2), badResource.length]),
      badResource,
    ]);
    const rres = await post('/v1/traces', whole);
    expect(decodeProtoResponse('traces', Buffer.from(await rres.arrayBuffer()))).toEqual({
      partialSuccess: {
        rejectedSpans: 2,
        errorMessage: `2 rejected: ${wrong('spans')} (first at ${got('resourceSpans[0].resource.attributes[1].value.stringValue', 2, 0)})`,
      },
    });
    // Log records and data points (decoded by protobufjs) alike.
    const badAttribute = kv(
      'k',
      value((w) => w.uint32(tag(1, 0)).uint32(5)),
    );
    const record = (body: string, extra: (w: protobuf.Writer) => void = () => {}) =>
      withFields('LogRecord', { timeUnixNano: NOW.toString(), body: { stringValue: body } }, extra);
    const logs = request(
      [
        ['ExportLogsServiceRequest', {}, 1],
        ['ResourceLogs', { resource: resource('nested-wire-logs') }, 2],
        ['ScopeLogs', {}, 2],
      ],
      [
        record('kept'),
        record('bad', (w) => w.uint32(tag(6, 2)).bytes(badAttribute)),
        record('bad body', (w) => w.uint32(tag(5, 2)).bytes(value((v) => v.uint32(tag(1, 0)).uint32(5)))),
      ],
    );
    const lres = await post('/v1/logs', logs);
    expect(decodeProtoResponse('logs', Buffer.from(await lres.arrayBuffer()))).toEqual({
      partialSuccess: {
        rejectedLogRecords: 2,
        errorMessage: `2 rejected: ${wrong('log records')} (first at ${got('resourceLogs[0].scopeLogs[0].logRecords[1].attributes[0].value.stringValue', 2, 0)})`,
      },
    });
    const point = (v: number, extra: (w: protobuf.Writer) => void = () => {}) =>
      withFields('NumberDataPoint', { timeUnixNano: NOW.toString(), asDouble: v }, extra);
    const gauge = withFields('Gauge', {}, (w) => {
      for (const p of [point(1), point(2, (x) => x.uint32(tag(7, 2)).bytes(badAttribute))]) w.uint32(tag(1, 2)).bytes(p);
    });
    const metrics = request(
      [
        ['ExportMetricsServiceRequest', {}, 1],
        ['ResourceMetrics', { resource: resource('nested-wire-points') }, 2],
        ['ScopeMetrics', {}, 2],
      ],
      [withFields('Metric', { name: 'g' }, (w) => w.uint32(tag(5, 2)).bytes(gauge))],
    );
    const mres = await post('/v1/metrics', metrics);
    expect(decodeProtoResponse('metrics', Buffer.from(await mres.arrayBuffer()))).toEqual({
      partialSuccess: {
        rejectedDataPoints: 1,
        errorMessage: `1 rejected: ${wrong('data points')} (first at ${got('resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[1].attributes[0].value.stringValue', 2, 0)})`,
      },
    });
    await h.collector.flush();
    expect(await h.rows(`SELECT ServiceName, SpanName FROM otel_traces WHERE ServiceName LIKE 'nested-wire-%' ORDER BY ServiceName, SpanName`)).toEqual(
      cases
        .map((_, i) => `nested-wire-${i}`)
        .sort()
        .flatMap((ServiceName) => ['s1', 's3'].map((SpanName) => ({ ServiceName, SpanName }))),
    );
    expect(await h.rows(`SELECT Body FROM otel_logs WHERE ServiceName = 'nested-wire-logs'`)).toEqual([{ Body: 'kept' }]);
    expect(await h.rows(`SELECT Value FROM otel_metrics_gauge WHERE ServiceName = 'nested-wire-points'`)).toEqual([{ Value: 1 }]);
  });
  // Regression: a field of a resource or scope sent with another wire type (a scope's name as a varint) was passed over:
  // its spans, records or points were stored without it (ScopeName ''), silently. What it holds is now refused, naming it.
  it("refuses a resource's or scope's items when one of its own fields has another wire type", async () => {
    const span = (i: number) =>
      withFields('Span', {
        traceId: Buffer.alloc(16, 5),
        spanId: Buffer.alloc(8, i),
        name: `s${i}`,
        startTimeUnixNano: NOW.toString(),
        endTimeUnixNano: NOW.toString(),
      });
    const scopeSpans = (scope: Uint8Array, spans: Uint8Array[]) =>
      withFields('ScopeSpans', {}, (w) => {
        w.uint32(tag(1, 2)).bytes(scope);
        for (const sp of spans) w.uint32(tag(2, 2)).bytes(sp);
      });
    const resourceSpans = (res: Uint8Array, scopes: Uint8Array[]) =>
      withFields('ResourceSpans', {}, (w) => {
        w.uint32(tag(1, 2)).bytes(res);
        for (const sc of scopes) w.uint32(tag(2, 2)).bytes(sc);
      });
    const goodResource = withFields('Resource', resource('wire-scopes'));
    const body = Buffer.from(
      withFields('ExportTraceServiceRequest', {}, (w) => {
        w.uint32(tag(1, 2)).bytes(
          resourceSpans(goodResource, [
            scopeSpans(withFields('InstrumentationScope', { name: 'kept' }), [span(1)]),
            scopeSpans(
              withFields('InstrumentationScope', {}, (sc) => sc.uint32(tag(1, 0)).uint32(3)),
              [span(2), span(3)],
            ),
          ]),
        );
        w.uint32(tag(1, 2)).bytes(
          resourceSpans(
            withFields('Resource', resource('wire-scopes'), (r) => r.uint32(tag(2, 2)).string('x')),
            [scopeSpans(withFields('InstrumentationScope', {}), [span(4)])],
          ),
        );
      }),
    );
    const res = await post('/v1/traces', body);
    expect(decodeProtoResponse('traces', Buffer.from(await res.arrayBuffer()))).toEqual({
      partialSuccess: {
        rejectedSpans: 3,
        errorMessage: `3 rejected: ${wrong('spans')} (first at resourceSpans[0].scopeSpans[1].scope.name must be sent with wire type 2 (LEN), got 0 (VARINT))`,
      },
    });
    const only = Buffer.from(
      withFields('ExportTraceServiceRequest', {}, (w) =>
        w.uint32(tag(1, 2)).bytes(
          resourceSpans(
            withFields('Resource', resource('wire-scopes'), (r) => r.uint32(tag(2, 2)).string('x')),
            [scopeSpans(withFields('InstrumentationScope', {}), [span(5)])],
          ),
        ),
      ),
    );
    const ores = await post('/v1/traces', only);
    expect(decodeProtoResponse('traces', Buffer.from(await ores.arrayBuffer()))).toEqual({
      partialSuccess: {
        rejectedSpans: 1,
        errorMessage: `1 rejected: ${wrong('spans')} (first at resourceSpans[0].resource.droppedAttributesCount must be sent with wire type 0 (VARINT), got 2 (LEN))`,
      },
    });
    const record = withFields('LogRecord', { timeUnixNano: NOW.toString(), body: { stringValue: 'r' } });
    const logs = request(
      [
        ['ExportLogsServiceRequest', {}, 1],
        ['ResourceLogs', { resource: resource('wire-log-scopes') }, 2],
      ],
      [
        withFields('ScopeLogs', {}, (w) =>
          w
            .uint32(tag(1, 2))
            .bytes(withFields('InstrumentationScope', {}, (sc) => sc.uint32(tag(2, 0)).uint32(1)))
            .uint32(tag(2, 2))
            .bytes(record),
        ),
      ],
    );
    const lres = await post('/v1/logs', logs);
    expect(decodeProtoResponse('logs', Buffer.from(await lres.arrayBuffer()))).toEqual({
      partialSuccess: {
        rejectedLogRecords: 1,
        errorMessage: `1 rejected: ${wrong('log records')} (first at resourceLogs[0].scopeLogs[0].scope.version must be sent with wire type 2 (LEN), got 0 (VARINT))`,
      },
    });
    await h.collector.flush();
    expect(await h.rows(`SELECT ScopeName, SpanName FROM otel_traces WHERE ServiceName = 'wire-scopes'`)).toEqual([{ ScopeName: 'kept', SpanName: 's1' }]);
    expect(await h.rows(`SELECT count() AS n FROM otel_logs WHERE ServiceName = 'wire-log-scopes'`)).toEqual([{ n: 0 }]);
  });

  // Regression: a field of the request itself, of a ResourceSpans/ResourceLogs/ResourceMetrics or of a
  // ScopeSpans/ScopeLogs/ScopeMetrics, of a metric's sum, gauge or histogram, or of an exemplar, sent with another wire type
  // (`resource_spans` or `spans` as a varint, a sum's aggregation_temporality as LEN, an exemplar's time as a varint) was
  // passed over as an unknown field: what it held was lost, or stored without it, silently. What holds it is now refused,
  // naming the path and the wire types; a field that holds no item counts as one.
  it("refuses what a request's, resource list's, scope list's, metric data's or exemplar's own field of another wire type holds", async () => {
    const span = (i: number) =>
      withFields('Span', {
        traceId: Buffer.alloc(16, 11),
        spanId: Buffer.alloc(8, i),
        name: `s${i}`,
        startTimeUnixNano: NOW.toString(),
        endTimeUnixNano: NOW.toString(),
      });
    const traces = (
      service: string,
      rsExtra: (w: protobuf.Writer) => void,
      ssExtra: (w: protobuf.Writer) => void,
      spans: Uint8Array[],
      reqExtra: (w: protobuf.Writer) => void = () => {},
    ) =>
      Buffer.from(
        withFields('ExportTraceServiceRequest', {}, (w) => {
          reqExtra(w);
          w.uint32(tag(1, 2)).bytes(
            withFields('ResourceSpans', { resource: resource(service) }, (rs) => {
              rs.uint32(tag(2, 2)).bytes(
                withFields('ScopeSpans', {}, (ss) => {
                  for (const sp of spans) ss.uint32(tag(2, 2)).bytes(sp);
                  ssExtra(ss);
                }),
              );
              rsExtra(rs);
            }),
          );
        }),
      );
    const none = () => {};
    const cases: [body: Buffer, rejected: number, said: string][] = [
      [
        traces('own-wire-0', none, none, [span(1)], (w) => w.uint32(tag(1, 0)).uint32(3)),
        1,
        'request.resourceSpans must be sent with wire type 2 (LEN), got 0 (VARINT)',
      ],
      [
        traces('own-wire-1', (w) => w.uint32(tag(3, 0)).uint32(3), none, [span(1), span(2)]),
        2,
        'resourceSpans[0].schemaUrl must be sent with wire type 2 (LEN), got 0 (VARINT)',
      ],
      [
        traces('own-wire-2', (w) => w.uint32(tag(2, 0)).uint32(3), none, []),
        1,
        'resourceSpans[0].scopeSpans must be sent with wire type 2 (LEN), got 0 (VARINT)',
      ],
      [
        traces('own-wire-3', none, (w) => w.uint32(tag(2, 0)).uint32(3), []),
        1,
        'resourceSpans[0].scopeSpans[0].spans must be sent with wire type 2 (LEN), got 0 (VARINT)',
      ],
      [
        traces('own-wire-4', none, (w) => w.uint32(tag(1, 5)).fixed32(3), [span(1), span(2)]),
        2,
        'resourceSpans[0].scopeSpans[0].scope must be sent with wire type 2 (LEN), got 5 (I32)',
      ],
    ];
    for (const [body, rejected, said] of cases) {
      const res = await post('/v1/traces', body);
      expect(decodeProtoResponse('traces', Buffer.from(await res.arrayBuffer()))).toEqual({
        partialSuccess: { rejectedSpans: rejected, errorMessage: `${rejected} rejected: ${wrong('spans')} (first at ${said})` },
      });
    }
    const record = withFields('LogRecord', { timeUnixNano: NOW.toString(), body: { stringValue: 'r' } });
    const logCases: [extra: [level: number, (w: protobuf.Writer) => void], rejected: number, said: string][] = [
      [[0, (w) => w.uint32(tag(1, 0)).uint32(1)], 1, 'request.resourceLogs must be sent with wire type 2 (LEN), got 0 (VARINT)'],
      [[1, (w) => w.uint32(tag(3, 0)).uint32(1)], 2, 'resourceLogs[0].schemaUrl must be sent with wire type 2 (LEN), got 0 (VARINT)'],
      [[2, (w) => w.uint32(tag(2, 0)).uint32(1)], 2, 'resourceLogs[0].scopeLogs[0].logRecords must be sent with wire type 2 (LEN), got 0 (VARINT)'],
    ];
    for (const [[level, extra], rejected, said] of logCases) {
      const at = (l: number) => (l === level ? extra : () => {});
      const logs = Buffer.from(
        withFields('ExportLogsServiceRequest', {}, (w) => {
          at(0)(w);
          w.uint32(tag(1, 2)).bytes(
            withFields('ResourceLogs', { resource: resource('own-wire-logs') }, (rl) => {
              rl.uint32(tag(2, 2)).bytes(withFields('ScopeLogs', {}, (sl) => (sl.uint32(tag(2, 2)).bytes(record).uint32(tag(2, 2)).bytes(record), at(2)(sl))));
              at(1)(rl);
            }),
          );
        }),
      );
      const res = await post('/v1/logs', logs);
      expect(decodeProtoResponse('logs', Buffer.from(await res.arrayBuffer()))).toEqual({
        partialSuccess: { rejectedLogRecords: rejected, errorMessage: `${rejected} rejected: ${wrong('log records')} (first at ${said})` },
      });
    }
    const point = (v: number, extra: (w: protobuf.Writer) => void = () => {}) =>
      withFields('NumberDataPoint', { timeUnixNano: NOW.toString(), asDouble: v }, extra);
    const exemplar = withFields('Exemplar', { asDouble: 1 }, (w) => w.uint32(tag(2, 0)).uint32(5));
    const metric = (name: string, kind: number, data: Uint8Array) => withFields('Metric', { name }, (w) => w.uint32(tag(kind, 2)).bytes(data));
    const metrics = request(
      [
        ['ExportMetricsServiceRequest', {}, 1],
        ['ResourceMetrics', { resource: resource('own-wire-points') }, 2],
        ['ScopeMetrics', {}, 2],
      ],
      [
        metric(
          'sum',
          7,
          withFields(
            'Sum',
            { dataPoints: [] },
            (w) => (w.uint32(tag(1, 2)).bytes(point(1)).uint32(tag(1, 2)).bytes(point(2)), w.uint32(tag(2, 2)).string('DELTA')),
          ),
        ),
        metric(
          'gauge',
          5,
          withFields('Gauge', {}, (w) =>
            w
              .uint32(tag(1, 2))
              .bytes(point(3, (p) => p.uint32(tag(5, 2)).bytes(exemplar)))
              .uint32(tag(1, 2))
              .bytes(point(4)),
          ),
        ),
      ],
    );
    const mres = await post('/v1/metrics', metrics);
    expect(decodeProtoResponse('metrics', Buffer.from(await mres.arrayBuffer()))).toEqual({
      partialSuccess: {
        rejectedDataPoints: 3,
        errorMessage: `3 rejected: ${wrong('data points')} (first at resourceMetrics[0].scopeMetrics[0].metrics[0].sum.aggregationTemporality must be sent with wire type 0 (VARINT), got 2 (LEN))`,
      },
    });
    await h.collector.flush();
    expect(await h.rows(`SELECT ServiceName, SpanName FROM otel_traces WHERE ServiceName LIKE 'own-wire-%' ORDER BY ServiceName`)).toEqual([
      { ServiceName: 'own-wire-0', SpanName: 's1' },
    ]);
    expect(await h.rows(`SELECT count() AS n FROM otel_logs WHERE ServiceName = 'own-wire-logs'`)).toEqual([{ n: 2 }]);
    expect(await h.rows(`SELECT Value FROM otel_metrics_gauge WHERE ServiceName = 'own-wire-points'`)).toEqual([{ Value: 4 }]);
  });
});
