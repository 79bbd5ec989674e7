import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtoResponse, messages } from './otlp/proto-codec.ts';
import { startHarness, type Harness } from './test/harness.ts';

const NOW = String(BigInt(Date.now()) * 1_000_000n);
const TRACE = '5b8efff798038103d269b633813fc60c';
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const resource = (service: string) => ({ attributes: [str('service.name', service)] });
const wrong = (items: string) => `${items} with a field of the wrong type or range, or whose resource, scope or metric has one`;
const TOO_DEEP = 'spans with an attribute value or body nesting arrayValue/kvlistValue past WEFT_MAX_ANY_VALUE_DEPTH';
/** `n` hex digits of a span id numbered `i`. */
const spanId = (i: number) => i.toString(16).padStart(16, '0');
const span = (i: number, more: object = {}) => ({ traceId: TRACE, spanId: spanId(i), name: `s${i}`, startTimeUnixNano: NOW, endTimeUnixNano: NOW, ...more });

// Regression: one span, data point or log record of OTLP/JSON with a field of the wrong type (`"name": 5`,
// `"attributes": "x"`, `"events": {}`, `"status": []`, `"kind": "bogus"`, a log body that is a number…) made the whole
// request a 400, so the good items beside it were lost; so did a resource or scope with one, and an attribute value
// nested past WEFT_MAX_ANY_VALUE_DEPTH in one span (from protobuf too). Each now refuses what holds the field (the item,
// or the resource's or scope's items) in partial_success, naming the field; a body that is no OTLP at all is still a 400.
describe('fields of the wrong type', () => {
  let h: Harness;
  const post = (path: string, body: Buffer | string, type?: string) => h.post(path, body, type);
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses each span with one alone, and the spans of a resource or scope with one, from OTLP/JSON', async () => {
    const odd: object[] = [
      { attributes: 'x' },
      { events: {} },
      { name: 5 },
      { kind: 'bogus' },
      { status: [] },
      { startTimeUnixNano: true },
      { traceState: 1 },
      { links: 'x' },
      { events: [5] },
      { attributes: [{ key: 'k', value: 'x' }] },
      { status: { code: 'bogus' } },
    ];
    const body = {
      resourceSpans: [
        { resource: resource('wrong-types'), scopeSpans: [{ spans: [span(1), ...odd.map((o, i) => span(10 + i, o)), span(2)] }] },
        { resource: resource('wrong-types'), scopeSpans: [{ scope: { name: 7 }, spans: [span(30), span(31)] }, { spans: [span(3)] }] },
        { resource: { attributes: 'x' }, scopeSpans: [{ spans: [span(40), span(41), span(42)] }] },
        { resource: resource('wrong-types'), scopeSpans: [{ spans: { x: 1 } }] },
      ],
    };
    const res = await post('/v1/traces', JSON.stringify(body));
    expect(res.status).toBe(200);
    const json = (await res.json()) as { partialSuccess: { rejectedSpans: number; errorMessage: string } };
    // 10 odd spans, 2 of a scope whose name is a number, 3 of a resource whose attributes are a string, 1 for a list that
    // is no list; a time of `true` is no time, refused as a time is.
    expect(json.partialSuccess).toEqual({
      rejectedSpans: 17,
      errorMessage: [
        `16 rejected: ${wrong('spans')} (first at resourceSpans[0].scopeSpans[0].spans[1].attributes must be a list of key/value pairs)`,
        `1 rejected: spans with a time that is not nanoseconds since the epoch as a whole number from 0 to 2^64 - 1 (a negative, a fraction, an exponent, text) (first at resourceSpans[0].scopeSpans[0].spans[6].startTimeUnixNano)`,
      ].join('; '),
    });
    await h.collector.flush();
    expect(await h.rows(`SELECT SpanName FROM otel_traces WHERE ServiceName = 'wrong-types' ORDER BY SpanName`)).toEqual([
      { SpanName: 's1' },
      { SpanName: 's2' },
      { SpanName: 's3' },
    ]);
  });

  it('still refuses a body that is no OTLP/JSON export request as a whole', async () => {
    for (const [body, said] of [
      ['{"resourceSpans": ', 'The body is not valid JSON'],
      ['[1]', 'The body must be a JSON object'],
      ['{"resourceSpans": {"spans": []}}', 'resourceSpans must be a list'],
    ]) {
      const res = await post('/v1/traces', body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toContain(said);
    }
  });

  it('refuses each log record and data point with one alone from OTLP/JSON', async () => {
    const rec = (body: string, more: object = {}) => ({ timeUnixNano: NOW, body: { stringValue: body }, ...more });
    const logs = {
      resourceLogs: [
        {
          resource: resource('wrong-types-logs'),
          scopeLogs: [
            {
              logRecords: [rec('kept'), rec('a', { severityText: 5 }), { timeUnixNano: NOW, body: 5 }, rec('c', { attributes: 'x' }), rec('d', { flags: 'x' })],
            },
            { scope: [], logRecords: [rec('e'), rec('f')] },
          ],
        },
      ],
    };
    const res = await post('/v1/logs', JSON.stringify(logs));
    expect(res.status).toBe(200);
    const at = 'resourceLogs[0].scopeLogs[0].logRecords';
    expect(await res.json()).toEqual({
      partialSuccess: { rejectedLogRecords: 6, errorMessage: `6 rejected: ${wrong('log records')} (first at ${at}[1].severityText must be a string)` },
    });
    const point = (v: number, more: object = {}) => ({ timeUnixNano: NOW, asDouble: v, ...more });
    const metrics = {
      resourceMetrics: [
        {
          resource: resource('wrong-types-metrics'),
          scopeMetrics: [
            {
              metrics: [
                { name: 'g', gauge: { dataPoints: [point(1), point(2, { attributes: 'x' }), point(3, { flags: 'x' }), 7] } },
                { name: 5, gauge: { dataPoints: [point(4), point(5)] } },
                { name: 's', sum: { aggregationTemporality: 2, dataPoints: { x: 1 } } },
              ],
            },
          ],
        },
      ],
    };
    const mres = await post('/v1/metrics', JSON.stringify(metrics));
    expect(mres.status).toBe(200);
    expect(await mres.json()).toEqual({
      partialSuccess: {
        rejectedDataPoints: 6,
        errorMessage: `6 rejected: ${wrong('data points')} (first at resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[1].attributes must be a list of key/value pairs)`,
      },
    });
    await h.collector.flush();
    expect(await h.rows(`SELECT Body FROM otel_logs WHERE ServiceName = 'wrong-types-logs'`)).toEqual([{ Body: 'kept' }]);
    expect(await h.rows(`SELECT MetricName, Value FROM otel_metrics_gauge WHERE ServiceName = 'wrong-types-metrics'`)).toEqual([{ MetricName: 'g', Value: 1 }]);
  });

  it('refuses a span whose attribute nests past the limit alone, from protobuf and OTLP/JSON', async () => {
    let value: Record<string, unknown> = { stringValue: 'leaf' };
    for (let i = 0; i < 34; i++) value = i % 2 ? { kvlistValue: { values: [{ key: 'k', value }] } } : { arrayValue: { values: [value] } };
    const request = (service: string) => ({
      resourceSpans: [{ resource: resource(service), scopeSpans: [{ spans: [span(1), span(2, { attributes: [{ key: 'deep', value }] }), span(3)] }] }],
    });
    const t = messages.traces.request;
    const limit = protobuf.util.recursionLimit;
    protobuf.util.recursionLimit = 1000;
    const binary = JSON.parse(JSON.stringify(request('deep-proto')), (k, v) => (k === 'traceId' || k === 'spanId' ? Buffer.from(v, 'hex') : v));
    const proto = Buffer.from(t.encode(t.fromObject(binary)).finish());
    protobuf.util.recursionLimit = limit;
    const expected = `1 rejected: ${TOO_DEEP} (first at resourceSpans[0].scopeSpans[0].spans[1].attributes nests arrayValue/kvlistValue deeper than 32 levels; flatten the attribute value)`;
    const pres = await post('/v1/traces', proto, 'application/x-protobuf');
    expect(pres.status).toBe(200);
    expect(decodeProtoResponse('traces', Buffer.from(await pres.arrayBuffer()))).toEqual({ partialSuccess: { rejectedSpans: 1, errorMessage: expected } });
    const jres = await post('/v1/traces', JSON.stringify(request('deep-json')));
    expect(jres.status).toBe(200);
    expect(await jres.json()).toEqual({ partialSuccess: { rejectedSpans: 1, errorMessage: expected } });
    await h.collector.flush();
    for (const service of ['deep-proto', 'deep-json']) {
      expect(await h.rows(`SELECT SpanName FROM otel_traces WHERE ServiceName = '${service}' ORDER BY SpanName`)).toEqual([
        { SpanName: 's1' },
        { SpanName: 's3' },
      ]);
    }
  });
  // Regression: an attribute value of OTLP/JSON whose member had another type than the JSON mapping gives it was
  // stored as something else: `"stringValue": 5` as "5", `"boolValue": "false"` as true, `"doubleValue": "x"` as NaN,
  // `"intValue": true` as 0, `"bytesValue": 5` as '', `"key": 5` as "5", inside an array or kvlist value too; a log
  // body's too. Each now refuses its item, naming the member.
  it('refuses an item whose attribute value or body has a member of the wrong type, naming it', async () => {
    const at = 'resourceSpans[0].scopeSpans[0].spans[1].attributes';
    const cases: [attribute: object, said: string][] = [
      [{ key: 'k', value: { stringValue: 5 } }, `${at}[1].value.stringValue must be a string, got 5`],
      [{ key: 'k', value: { stringValue: true } }, `${at}[1].value.stringValue must be a string, got true`],
      [{ key: 'k', value: { boolValue: 'false' } }, `${at}[1].value.boolValue must be true or false, got "false"`],
      [{ key: 'k', value: { doubleValue: 'x' } }, `${at}[1].value.doubleValue must be a number, its text, "NaN", "Infinity" or "-Infinity", got "x"`],
      [{ key: 'k', value: { intValue: true } }, `${at}[1].value.intValue must be an integer or its decimal text, got true`],
      [{ key: 'k', value: { bytesValue: 5 } }, `${at}[1].value.bytesValue must be base64 text, got 5`],
      [{ key: 5, value: { stringValue: 'v' } }, `${at}[1].key must be a string, got 5`],
      [
        { key: 'k', value: { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 6 }] } } },
        `${at}[1].value.arrayValue.values[1].stringValue must be a string, got 6`,
      ],
      [
        { key: 'k', value: { arrayValue: { values: [7] } } },
        `${at}[1].value.arrayValue.values[0] must be an AnyValue object (such as {"stringValue": "…"}), got a number`,
      ],
      [
        { key: 'k', value: { kvlistValue: { values: [{ key: 'a', value: { boolValue: 1 } }] } } },
        `${at}[1].value.kvlistValue.values[0].value.boolValue must be true or false, got 1`,
      ],
      [
        { key: 'k', value: { kvlistValue: { values: [{ key: 8, value: { stringValue: 'x' } }] } } },
        `${at}[1].value.kvlistValue.values[0].key must be a string, got 8`,
      ],
      // A key naming a secret has its value redacted whole: its type is still checked.
      [{ key: 'password', value: { stringValue: 9 } }, `${at}[1].value.stringValue must be a string, got 9`],
      // Regression: stored as "1", "[]", "a" and as sent, without a word.
      [{ key: 'k', value: { intValue: 1.5 } }, `${at}[1].value.intValue must be an integer or its decimal text, got 1.5`],
      [{ key: 'k', value: { arrayValue: { values: 5 } } }, `${at}[1].value.arrayValue.values must be a list, got 5`],
      [{ key: 'k', value: { kvlistValue: 'x' } }, `${at}[1].value.kvlistValue must be an object with "values", got "x"`],
      [
        { key: 'k', value: { stringValue: 'a', intValue: '1' } },
        `${at}[1].value holds both stringValue and intValue: an AnyValue holds one value (a protobuf oneof)`,
      ],
      [{ key: 'k', value: { bytesValue: '!!!notbase64' } }, `${at}[1].value.bytesValue must be base64 text, got "!!!notbase64"`],
      [
        { key: 'k', value: { arrayValue: { values: [{ boolValue: true, doubleValue: 1 }] } } },
        `${at}[1].value.arrayValue.values[0] holds both boolValue and doubleValue: an AnyValue holds one value (a protobuf oneof)`,
      ],
    ];
    for (const [i, [attribute, said]] of cases.entries()) {
      const service = `member-types-${i}`;
      const attributes = [str('ok', 'yes'), attribute];
      const body = { resourceSpans: [{ resource: resource(service), scopeSpans: [{ spans: [span(1), span(2, { attributes }), span(3)] }] }] };
      const res = await post('/v1/traces', JSON.stringify(body));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ partialSuccess: { rejectedSpans: 1, errorMessage: `1 rejected: ${wrong('spans')} (first at ${said})` } });
    }
    // Values of the types the mapping allows are kept (a double as text, an int64 as a number).
    const fine = [
      { key: 'd', value: { doubleValue: '1.5' } },
      { key: 'n', value: { doubleValue: 'NaN' } },
      { key: 'i', value: { intValue: 12 } },
      { key: 'b', value: { boolValue: false } },
      { key: 'y', value: { bytesValue: 'AQI=' } },
    ];
    const ok = await post(
      '/v1/traces',
      JSON.stringify({ resourceSpans: [{ resource: resource('member-types-fine'), scopeSpans: [{ spans: [span(1, { attributes: fine })] }] }] }),
    );
    expect(await ok.json()).toEqual({});
    const logs = {
      resourceLogs: [
        {
          resource: resource('member-types-logs'),
          scopeLogs: [
            {
              logRecords: [
                { timeUnixNano: NOW, body: { stringValue: 'kept' } },
                { timeUnixNano: NOW, body: { stringValue: 5 } },
              ],
            },
          ],
        },
      ],
    };
    const lres = await post('/v1/logs', JSON.stringify(logs));
    expect(await lres.json()).toEqual({
      partialSuccess: {
        rejectedLogRecords: 1,
        errorMessage: `1 rejected: ${wrong('log records')} (first at resourceLogs[0].scopeLogs[0].logRecords[1].body.stringValue must be a string, got 5)`,
      },
    });
    const point = (v: number, more: object = {}) => ({ timeUnixNano: NOW, asDouble: v, ...more });
    const metrics = {
      resourceMetrics: [
        {
          resource: resource('member-types-metrics'),
          scopeMetrics: [{ metrics: [{ name: 'g', gauge: { dataPoints: [point(1), point(2, { attributes: [{ key: 'k', value: { stringValue: 5 } }] })] } }] }],
        },
      ],
    };
    const mres = await post('/v1/metrics', JSON.stringify(metrics));
    expect(await mres.json()).toEqual({
      partialSuccess: {
        rejectedDataPoints: 1,
        errorMessage: `1 rejected: ${wrong('data points')} (first at resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[1].attributes[0].value.stringValue must be a string, got 5)`,
      },
    });
    await h.collector.flush();
    expect(
      await h.rows(
        `SELECT ServiceName, SpanName FROM otel_traces WHERE ServiceName LIKE 'member-types-%' AND ServiceName != 'member-types-fine' ORDER BY ServiceName, SpanName`,
      ),
    ).toEqual(
      cases
        .flatMap((_, i) => [`s1`, `s3`].map((SpanName) => ({ ServiceName: `member-types-${i}`, SpanName })))
        .sort((a, b) => (a.ServiceName < b.ServiceName ? -1 : a.ServiceName > b.ServiceName ? 1 : 0)),
    );
    expect(await h.rows(`SELECT SpanAttributes FROM otel_traces WHERE ServiceName = 'member-types-fine'`)).toEqual([
      { SpanAttributes: { d: '1.5', n: 'NaN', i: '12', b: 'false', y: 'AQI=' } },
    ]);
    expect(await h.rows(`SELECT Body FROM otel_logs WHERE ServiceName = 'member-types-logs'`)).toEqual([{ Body: 'kept' }]);
    expect(await h.rows(`SELECT Value FROM otel_metrics_gauge WHERE ServiceName = 'member-types-metrics'`)).toEqual([{ Value: 1 }]);
  });
});
