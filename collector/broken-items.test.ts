import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKEN_REASONS } from './otlp/proto-items.ts';
import { decodeProtoResponse, decodeProtoStatus, WARN_INVALID_UTF8 } from './otlp/proto-codec.ts';
import { startHarness, type Harness } from './test/harness.ts';
import { lenField, tag, withFields } from './test/otlp-proto.ts';

const NOW = (BigInt(Date.now()) * 1_000_000n).toString();
const resource = (service: string) => ({ attributes: [{ key: 'service.name', value: { stringValue: service } }] });
const wrong = (items: string) => `${items} with a field of the wrong type or range, or whose resource, scope or metric has one`;

/** A message of `fields`, each a LEN field `[number, bytes]`, in order. */
const message = (fields: [number, Uint8Array][]) => {
  const w = protobuf.Writer.create();
  for (const [n, b] of fields) w.uint32(tag(n, 2)).bytes(b);
  return w.finish();
};
/** A request of resources, each a resource message and its scopes, each a list of items (`[resource, scope list, item field]`). */
const request = (resources: [Uint8Array, Uint8Array[][]][], itemField = 2) =>
  Buffer.from(
    message(
      resources.map(([res, scopes]) => [
        1,
        message([[1, res], ...scopes.map((items): [number, Uint8Array] => [2, message(items.map((i) => [itemField, i]))])]),
      ]),
    ),
  );

/** The broken bytes the cases append to a good item: each keeps the item's own length whole. */
const BROKEN: [what: string, extra: (w: protobuf.Writer) => void, said: string][] = [
  [
    'an attribute whose length runs past the item',
    (w) => w.uint32(tag(6, 2)).uint32(100).uint32(1),
    'a length of N (its data from byte N) runs past the end of its message (byte N)',
  ],
  ['a tag without its varint', (w) => w.uint32(tag(2, 0)), 'a varint cut short by the end of its message (byte N)'],
  ['a tag of wire type 7', (w) => w.uint32(tag(20, 7)), 'invalid wire type N in the tag before byte N'],
  ['a fixed64 of three bytes', (w) => w.uint32(tag(1, 1)).uint32(1).uint32(1).uint32(1), 'a fixedN cut short by the end of its message (byte N)'],
];
const said = (message: string, prefix: string) => message.slice(prefix.length, -1).replace(/\d+/g, 'N');

// Regression: a protobuf log record, metric or data point whose own bytes were broken (a value inside it running past
// its end, a varint cut short, an invalid wire type), though its length in the message around it was whole, made the
// whole request a 400 ("The body is not a valid OTLP ExportLogsServiceRequest in protobuf: index out of range"): every
// good record and point of the request was lost, and the message named neither the item nor the byte. A span so was
// refused alone (broken-spans.test.ts); each record, point or metric now is too, naming it and the byte, the others kept
// under their own indices.
describe('protobuf log records, metrics and data points whose own bytes are broken', () => {
  let h: Harness;
  const post = (path: string, body: Buffer) => h.post(path, body, 'application/x-protobuf');
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const record = (body: string, extra?: (w: protobuf.Writer) => void) => withFields('LogRecord', { timeUnixNano: NOW, body: { stringValue: body } }, extra);

  it('refuses each such log record alone, keeping the others', async () => {
    const body = request([
      [
        withFields('Resource', resource('broken-records')),
        [[record('r0'), ...BROKEN.map(([, extra], i) => record(`b${i}`, extra)), record('r1'), record('wrong', (w) => w.uint32(tag(3, 0)).uint32(9))]],
      ],
    ]);
    const res = await post('/v1/logs', body);
    expect(res.status).toBe(200);
    const { partialSuccess } = decodeProtoResponse('logs', Buffer.from(await res.arrayBuffer())) as {
      partialSuccess: { rejectedLogRecords: number; errorMessage: string };
    };
    expect(partialSuccess.rejectedLogRecords).toBe(BROKEN.length + 1);
    // The record after the broken ones keeps its index (6) in the message.
    expect(partialSuccess.errorMessage.replace(/\d+ \(its|byte \d+/g, (m) => m.replace(/\d+/, 'N'))).toBe(
      `${BROKEN.length} rejected: ${BROKEN_REASONS.logRecord} (first at resourceLogs[0].scopeLogs[0].logRecords[1]: a length of N (its data from byte N) runs past the end of its message (byte N)); ` +
        `1 rejected: ${wrong('log records')} (first at resourceLogs[0].scopeLogs[0].logRecords[${BROKEN.length + 2}].severityText must be sent with wire type 2 (LEN), got 0 (VARINT))`,
    );
    for (const [what, extra, want] of BROKEN) {
      const one = await post('/v1/logs', request([[withFields('Resource', resource('broken-records-one')), [[record('r0'), record('b', extra)]]]]));
      const a = decodeProtoResponse('logs', Buffer.from(await one.arrayBuffer())) as { partialSuccess: { rejectedLogRecords: number; errorMessage: string } };
      expect([
        what,
        a.partialSuccess.rejectedLogRecords,
        said(a.partialSuccess.errorMessage, `1 rejected: ${BROKEN_REASONS.logRecord} (first at resourceLogs[0].scopeLogs[0].logRecords[1]: `),
      ]).toEqual([what, 1, want]);
    }
    await h.collector.flush();
    expect(await h.rows(`SELECT Body FROM otel_logs WHERE ServiceName = 'broken-records' ORDER BY Body`)).toEqual([{ Body: 'r0' }, { Body: 'r1' }]);
    expect(await h.rows(`SELECT DISTINCT Body FROM otel_logs WHERE ServiceName = 'broken-records-one'`)).toEqual([{ Body: 'r0' }]);
  });

  it("refuses a resource's or scope's records when its own bytes are broken, and takes back a refused record's warnings", async () => {
    const badResource = withFields('Resource', resource('broken-holder'), lenField(1, [tag(1, 2), 30, 0x61]));
    const badScope = withFields('InstrumentationScope', { name: 's' }, lenField(3, [tag(1, 2), 30, 0x61]));
    // A record with a string that is not UTF-8 before its break: refused, its warning not said.
    const spoilt = withFields('LogRecord', { timeUnixNano: NOW, severityText: '~~' }, (w) => w.uint32(tag(2, 0)));
    const at = Buffer.from(spoilt).indexOf('~~');
    spoilt.set([0xff, 0xfe], at);
    const body = Buffer.concat([
      request([[badResource, [[record('a'), record('b')], [record('c')]]]]),
      request([[withFields('Resource', resource('broken-holder-kept')), [[record('d')]]]]),
      Buffer.from(
        message([
          [
            1,
            message([
              [1, withFields('Resource', resource('broken-holder-kept'))],
              [
                2,
                message([
                  [1, badScope],
                  [2, record('e')],
                ]),
              ],
            ]),
          ],
        ]),
      ),
      request([[withFields('Resource', resource('broken-holder-kept')), [[spoilt, record('f')]]]]),
    ]);
    const res = await post('/v1/logs', body);
    expect(res.status).toBe(200);
    const { partialSuccess } = decodeProtoResponse('logs', Buffer.from(await res.arrayBuffer())) as {
      partialSuccess: { rejectedLogRecords: number; errorMessage: string };
    };
    expect(partialSuccess.rejectedLogRecords).toBe(5);
    expect(partialSuccess.errorMessage).not.toContain(WARN_INVALID_UTF8);
    expect(partialSuccess.errorMessage.replace(/\d+ \(its|byte \d+/g, (m) => m.replace(/\d+/, 'N'))).toBe(
      [
        `3 rejected: ${BROKEN_REASONS.resource('log records')} (first at resourceLogs[0].resource: a length of N (its data from byte N) runs past the end of its message (byte N))`,
        `1 rejected: ${BROKEN_REASONS.scope('log records')} (first at resourceLogs[2].scopeLogs[0].scope: a length of N (its data from byte N) runs past the end of its message (byte N))`,
        `1 rejected: ${BROKEN_REASONS.logRecord} (first at resourceLogs[3].scopeLogs[0].logRecords[0]: a varint cut short by the end of its message (byte N))`,
      ].join('; '),
    );
    await h.collector.flush();
    expect(await h.rows(`SELECT Body FROM otel_logs WHERE ServiceName LIKE 'broken-holder%' ORDER BY Body`)).toEqual([{ Body: 'd' }, { Body: 'f' }]);
  });

  it('refuses each such data point alone, and a metric whose own bytes are broken with its points', async () => {
    const point = (v: number, extra?: (w: protobuf.Writer) => void) => withFields('NumberDataPoint', { timeUnixNano: NOW, asDouble: v }, extra);
    const points = (kind: number, list: Uint8Array[]) => (w: protobuf.Writer) => w.uint32(tag(kind, 2)).bytes(message(list.map((p) => [1, p])));
    const histogramPoint = (count: number, extra?: (w: protobuf.Writer) => void) =>
      withFields('HistogramDataPoint', { timeUnixNano: NOW, count, bucketCounts: [count], explicitBounds: [] }, extra);
    const metrics = [
      // A gauge: its second point's exemplar runs past the point's end, its fourth point's flags are cut short.
      withFields('Metric', { name: 'g' }, points(5, [point(1), point(2, lenField(5, [tag(3, 1), 1, 2])), point(3), point(4, (w) => w.uint32(tag(8, 0)))])),
      // A metric whose description runs past its end: its two points.
      withFields('Metric', { name: 'broken' }, (w) => {
        points(5, [point(5), point(6)])(w);
        w.uint32(tag(2, 2)).uint32(50).uint32(1);
      }),
      // A histogram: its first point's bucket counts run past its end.
      withFields('Metric', { name: 'h' }, points(9, [histogramPoint(1, lenField(6, [1, 2, 3])), histogramPoint(2)])),
    ];
    const body = request([[withFields('Resource', resource('broken-points')), [metrics]]]);
    const res = await post('/v1/metrics', body);
    expect(res.status).toBe(200);
    const { partialSuccess } = decodeProtoResponse('metrics', Buffer.from(await res.arrayBuffer())) as {
      partialSuccess: { rejectedDataPoints: number; errorMessage: string };
    };
    expect(partialSuccess.rejectedDataPoints).toBe(5);
    expect(partialSuccess.errorMessage.replace(/\d+ \(its|byte \d+/g, (m) => m.replace(/\d+/, 'N'))).toBe(
      [
        `3 rejected: ${BROKEN_REASONS.point} (first at resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[1]: a fixed64 cut short by the end of its message (byte N))`,
        `2 rejected: ${BROKEN_REASONS.metric} (first at resourceMetrics[0].scopeMetrics[0].metrics[1]: a length of N (its data from byte N) runs past the end of its message (byte N))`,
      ].join('; '),
    );
    await h.collector.flush();
    expect(await h.rows(`SELECT MetricName, Value FROM otel_metrics_gauge WHERE ServiceName = 'broken-points' ORDER BY Value`)).toEqual([
      { MetricName: 'g', Value: 1 },
      { MetricName: 'g', Value: 3 },
    ]);
    expect(await h.rows(`SELECT MetricName, Count FROM otel_metrics_histogram WHERE ServiceName = 'broken-points'`)).toEqual([{ MetricName: 'h', Count: 2 }]);
  });

  it('keeps a 400 for a body whose framing around the items is broken', async () => {
    const good = request([[withFields('Resource', resource('broken-frame')), [[record('a')]]]]);
    const res = await post('/v1/logs', good.subarray(0, good.length - 3));
    expect(res.status).toBe(400);
    expect(decodeProtoStatus(Buffer.from(await res.arrayBuffer())).message).toMatch(/^The body is not a valid OTLP ExportLogsServiceRequest in protobuf: /);
  });
});
