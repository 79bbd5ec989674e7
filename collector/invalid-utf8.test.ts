import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WARN_INVALID_UTF8_JSON } from './otlp/json-codec.ts';
import { decodeProtoResponse, messages, WARN_INVALID_UTF8 } from './otlp/proto-codec.ts';
import { startHarness, type Harness } from './test/harness.ts';

const NOW = String(BigInt(Date.now()) * 1_000_000n);
const resource = (service: string) => ({ attributes: [{ key: 'service.name', value: { stringValue: service } }] });

/** `body` with each `marker` (ASCII, 2 bytes) replaced by the bytes 0xff 0xfe, which no UTF-8 text holds (stored as one U+FFFD, a run). */
function spoil(body: Buffer, marker: string): Buffer {
  for (let i = body.indexOf(marker); i >= 0; i = body.indexOf(marker, i + 2)) body.set([0xff, 0xfe], i);
  return body;
}

// Regression: a log record or a metric whose protobuf string held bytes that are not UTF-8 (proto3 requires it; a
// sender copying bytes from a Latin-1 source writes them) failed the whole request with 400 ("The encoded data was not
// valid for encoding utf-8"): the request's good records and points were lost. The text is now kept with U+FFFD in place
// of the invalid bytes, and said in partial_success with the string's place in the body.
describe('protobuf strings that are not UTF-8', () => {
  let h: Harness;
  const post = (path: string, body: Buffer) => h.post(path, body, 'application/x-protobuf');
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('keeps log records and data points with U+FFFD in place of the bytes, with a warning', async () => {
    const logs = messages.logs.request;
    const rec = (body: string, more: object = {}) => ({ timeUnixNano: NOW, body: { stringValue: body }, ...more });
    const logBody = Buffer.from(
      logs
        .encode(
          logs.fromObject({
            resourceLogs: [{ resource: resource('utf8-logs'), scopeLogs: [{ logRecords: [rec('good'), rec('b~~d', { severityText: 'W~~N' })] }] }],
          }),
        )
        .finish(),
    );
    const res = await post('/v1/logs', spoil(logBody, '~~'));
    expect(res.status).toBe(200);
    const answer = decodeProtoResponse('logs', Buffer.from(await res.arrayBuffer())) as { partialSuccess: { errorMessage: string } };
    // The first spoiled string (the second record's body) starts at byte 66 of this body.
    expect(answer.partialSuccess.errorMessage).toBe(`2 kept: ${WARN_INVALID_UTF8} (first at byte 66 of the body)`);
    const metrics = messages.metrics.request;
    const metricBody = Buffer.from(
      metrics
        .encode(
          metrics.fromObject({
            resourceMetrics: [
              {
                resource: resource('utf8-metrics'),
                scopeMetrics: [{ metrics: [{ name: 'q~~ue', gauge: { dataPoints: [{ timeUnixNano: NOW, asDouble: 1 }] } }] }],
              },
            ],
          }),
        )
        .finish(),
    );
    const mres = await post('/v1/metrics', spoil(metricBody, '~~'));
    expect(mres.status).toBe(200);
    await h.collector.flush();
    expect(await h.rows(`SELECT Body, SeverityText FROM otel_logs WHERE ServiceName = 'utf8-logs' ORDER BY Body`)).toEqual([
      { Body: 'b\ufffdd', SeverityText: 'W\ufffdN' },
      { Body: 'good', SeverityText: '' },
    ]);
    expect(await h.rows(`SELECT MetricName FROM otel_metrics_gauge WHERE ServiceName = 'utf8-metrics'`)).toEqual([{ MetricName: 'q\ufffdue' }]);
  });
  // Regression: a protobuf span's text that was not UTF-8 (its name, trace state, status message, an attribute's key or
  // value, an event's name, a link's trace state, its resource's attributes, its scope's name and version) was stored
  // byte for byte, silently; one inside an array or kvlist attribute value made the request a 500 (protobufjs's strict
  // read threw). Each is now stored with U+FFFD in place of the invalid bytes and said, naming the field and the byte.
  it('keeps spans with U+FFFD in place of the bytes, with a warning naming the field', async () => {
    const traces = messages.traces.request;
    const T = String(BigInt(Date.now()) * 1_000_000n);
    const kv = (key: string, value: object) => ({ key, value });
    const plain = { name: 'n', traceState: 'ts', status: { message: 'm' }, attributes: [kv('k', { stringValue: 'v' })] };
    const cases: [field: string, span: object, scope: object, res: object, select: string, stored: unknown][] = [
      ['spans[0].name', { name: 'n~~x' }, {}, {}, 'SpanName', 'n\ufffdx'],
      ['spans[0].traceState', { traceState: 't~~s' }, {}, {}, 'TraceState', 't\ufffds'],
      ['spans[0].status.message', { status: { message: 'm~~' } }, {}, {}, 'StatusMessage', 'm\ufffd'],
      [
        'spans[0].attributes[1].key',
        { attributes: [kv('k', { stringValue: 'v' }), kv('b~~d', { stringValue: 'v' })] },
        {},
        {},
        'mapKeys(SpanAttributes)[2]',
        'b\ufffdd',
      ],
      ['spans[0].attributes[0].value.stringValue', { attributes: [kv('k', { stringValue: 'v~~' })] }, {}, {}, "SpanAttributes['k']", 'v\ufffd'],
      [
        'spans[0].attributes[0].value',
        { attributes: [kv('k', { arrayValue: { values: [{ stringValue: 'a~~' }] } })] },
        {},
        {},
        "SpanAttributes['k']",
        '["a\ufffd"]',
      ],
      ['spans[0].events[0].name', { events: [{ timeUnixNano: T, name: 'e~~' }] }, {}, {}, 'Events.Name[1]', 'e\ufffd'],
      [
        'spans[0].links[0].traceState',
        { links: [{ traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 1), traceState: 'l~~' }] },
        {},
        {},
        'Links.TraceState[1]',
        'l\ufffd',
      ],
      ['scope.name', {}, { name: 's~~' }, {}, 'ScopeName', 's\ufffd'],
      ['scope.version', {}, { version: '1~~' }, {}, 'ScopeVersion', '1\ufffd'],
    ];
    for (const [i, [field, over, scope, , select, stored]] of cases.entries()) {
      const service = `utf8-spans-${i}`;
      const span = { traceId: Buffer.alloc(16, 7), spanId: Buffer.alloc(8, 1), startTimeUnixNano: T, endTimeUnixNano: T, ...plain, ...over };
      const body = Buffer.from(
        traces.encode(traces.fromObject({ resourceSpans: [{ resource: resource(service), scopeSpans: [{ scope, spans: [span] }] }] })).finish(),
      );
      const res = await post('/v1/traces', spoil(body, '~~'));
      expect(res.status, field).toBe(200);
      const answer = decodeProtoResponse('traces', Buffer.from(await res.arrayBuffer())) as { partialSuccess: { errorMessage: string } };
      expect(answer.partialSuccess.errorMessage.replace(/byte \d+/, 'byte N'), field).toBe(
        `1 kept: ${WARN_INVALID_UTF8} (first at resourceSpans[0].scopeSpans[0].${field} (its text from byte N of the body))`,
      );
      await h.collector.flush();
      expect(await h.rows(`SELECT ${select} AS v FROM otel_traces WHERE ServiceName = '${service}'`), field).toEqual([{ v: stored }]);
    }
    // A resource attribute: said once, at the resource; its value stored so in each span's row.
    const body = Buffer.from(
      traces
        .encode(
          traces.fromObject({
            resourceSpans: [
              {
                resource: { attributes: [kv('service.name', { stringValue: 'utf8-resource' }), kv('host', { stringValue: 'h~~' })] },
                scopeSpans: [
                  {
                    spans: [1, 2].map((n) => ({
                      traceId: Buffer.alloc(16, 7),
                      spanId: Buffer.alloc(8, n),
                      name: `s${n}`,
                      startTimeUnixNano: T,
                      endTimeUnixNano: T,
                    })),
                  },
                ],
              },
            ],
          }),
        )
        .finish(),
    );
    const res = await post('/v1/traces', spoil(body, '~~'));
    const answer = decodeProtoResponse('traces', Buffer.from(await res.arrayBuffer())) as { partialSuccess: { errorMessage: string } };
    expect(answer.partialSuccess.errorMessage.replace(/byte \d+/, 'byte N')).toBe(
      `1 kept: ${WARN_INVALID_UTF8} (first at resourceSpans[0].resource.attributes[1].value.stringValue (its text from byte N of the body))`,
    );
    await h.collector.flush();
    expect(await h.rows(`SELECT ResourceAttributes['host'] AS host FROM otel_traces WHERE ServiceName = 'utf8-resource'`)).toEqual([
      { host: 'h\ufffd' },
      { host: 'h\ufffd' },
    ]);
  });

  // Regression: an OTLP/JSON body holding bytes that are not UTF-8 in a string (a span's name, an attribute, a log body)
  // was read with Buffer's decoder: stored with one U+FFFD per maximal subpart (FF FE: two, where the protobuf path and
  // the SQL classification write one), and nothing said so. It is now read as a protobuf string is, and said, with the
  // byte of the first invalid sequence.
  it('reads an OTLP/JSON body that is not UTF-8 as the protobuf path does, with a warning naming the byte', async () => {
    const span = { traceId: '7'.repeat(32), spanId: '1'.repeat(16), name: 'n~~x', startTimeUnixNano: NOW, endTimeUnixNano: NOW, kind: 3 };
    const traces = {
      resourceSpans: [
        { resource: resource('utf8-json'), scopeSpans: [{ spans: [{ ...span, attributes: [{ key: 'server.address', value: { stringValue: 'h~~' } }] }] }] },
      ],
    };
    const body = spoil(Buffer.from(JSON.stringify(traces)), '~~');
    const res = await h.post('/v1/traces', body, 'application/json');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      partialSuccess: {
        rejectedSpans: 0,
        errorMessage: `1 kept: ${WARN_INVALID_UTF8_JSON} (first at resourceSpans[0].scopeSpans[0].spans[0].name (byte ${body.indexOf(0xff)} of the body))`,
      },
    });
    const logs = { resourceLogs: [{ resource: resource('utf8-json'), scopeLogs: [{ logRecords: [{ timeUnixNano: NOW, body: { stringValue: 'b~~d' } }] }] }] };
    const logBody = spoil(Buffer.from(JSON.stringify(logs)), '~~');
    const lres = await h.post('/v1/logs', logBody, 'application/json');
    expect(lres.status).toBe(200);
    expect(((await lres.json()) as { partialSuccess: { errorMessage: string } }).partialSuccess.errorMessage).toBe(
      `1 kept: ${WARN_INVALID_UTF8_JSON} (first at resourceLogs[0].scopeLogs[0].logRecords[0].body.stringValue (byte ${logBody.indexOf(0xff)} of the body))`,
    );
    await h.collector.flush();
    expect(await h.rows(`SELECT SpanName, SpanAttributes['server.address'] AS host FROM otel_traces WHERE ServiceName = 'utf8-json'`)).toEqual([
      { SpanName: 'n\ufffdx', host: 'h\ufffd' },
    ]);
    expect(await h.rows(`SELECT Body FROM otel_logs WHERE ServiceName = 'utf8-json'`)).toEqual([{ Body: 'b\ufffdd' }]);
  });

  // Regression: the byte the warning names was found by searching the decoded body for each U+FFFD and measuring the
  // bytes before it: quadratic in the U+FFFDs a sender wrote (100,000 held the collector's thread 6.4 s; this body, about
  // 3 minutes; its 20 MB limit, gzipped to a few KiB, hours). Now one pass.
  it('names the first invalid byte of a JSON body in one pass, however many U+FFFD the sender wrote before it', async () => {
    const span = { traceId: '8'.repeat(32), spanId: '2'.repeat(16), name: 'n', startTimeUnixNano: NOW, endTimeUnixNano: NOW, kind: 3 };
    const traces = {
      resourceSpans: [
        {
          resource: resource('utf8-json-many'),
          scopeSpans: [{ spans: [{ ...span, attributes: [{ key: 'note', value: { stringValue: `${'\ufffd'.repeat(500_000)}~~` } }] }] }],
        },
      ],
    };
    const body = spoil(Buffer.from(JSON.stringify(traces)), '~~');
    const res = await h.post('/v1/traces', body, 'application/json');
    expect(res.status).toBe(200);
    // (the value is also cut to the attribute length limit, said after it)
    const { partialSuccess } = (await res.json()) as { partialSuccess: { errorMessage: string } };
    expect(partialSuccess.errorMessage.split('; ')[0]).toBe(
      `1 kept: ${WARN_INVALID_UTF8_JSON} (first at resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.stringValue (byte ${body.indexOf(0xff)} of the body))`,
    );
  });

  // Regression: the warning for an OTLP/JSON body that is not UTF-8 named only the byte of the first invalid sequence
  // ("first at byte 412 of the body"), which a sender must count out in the body it sent; the protobuf path names the
  // field. It now names the field's path too, as OTLP/JSON writes it (snake_case keys in lowerCamelCase, escaped quotes
  // and brackets inside strings passed over), and the byte.
  it("names the OTLP/JSON path of a JSON body's first invalid byte", async () => {
    const point = (v: number, extra: object = {}) => ({ time_unix_nano: NOW, as_double: v, ...extra });
    const metrics = {
      resource_metrics: [
        {
          resource: resource('utf8-json-path'),
          scope_metrics: [
            {
              scope: { name: 'a "[quoted]" {scope}, with commas' },
              metrics: [
                { name: 'g', gauge: { data_points: [point(1), point(2)] } },
                {
                  name: 'h',
                  gauge: {
                    data_points: [
                      point(3, { attributes: [{ key: 'k', value: { array_value: { values: [{ string_value: 'x' }, { string_value: 'y~~' }] } } }] }),
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const body = spoil(Buffer.from(JSON.stringify(metrics)), '~~');
    const res = await h.post('/v1/metrics', body, 'application/json');
    expect(res.status).toBe(200);
    const { partialSuccess } = (await res.json()) as { partialSuccess: { errorMessage: string } };
    expect(partialSuccess.errorMessage).toBe(
      `1 kept: ${WARN_INVALID_UTF8_JSON} (first at resourceMetrics[0].scopeMetrics[0].metrics[1].gauge.dataPoints[0].attributes[0].value.arrayValue.values[1].stringValue (byte ${body.indexOf(0xff)} of the body))`,
    );
    // In a key: the object holding it.
    const keyed = spoil(Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [], 'k~~': 1 }] }] })), '~~');
    const kres = await h.post('/v1/traces', keyed, 'application/json');
    expect(((await kres.json()) as { partialSuccess: { errorMessage: string } }).partialSuccess.errorMessage).toBe(
      `1 kept: ${WARN_INVALID_UTF8_JSON} (first at a key in resourceSpans[0].scopeSpans[0] (byte ${keyed.indexOf(0xff)} of the body))`,
    );
  });
});
