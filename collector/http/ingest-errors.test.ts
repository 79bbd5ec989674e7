import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtoResponse, decodeProtoStatus } from '../otlp/proto-codec.ts';
import { protoTracesBody } from '../test/otlp-proto.ts';
import { startHarness, type Harness } from '../test/harness.ts';

const MAX = 1024 * 1024;
const NOW_NS = BigInt(Date.now()) * 1_000_000n;

function spanRequest(service: string, spans: { traceId: string; spanId: string; name: string; links?: { traceId: string; spanId: string }[] }[]) {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            scope: { name: 's' },
            spans: spans.map((s) => ({ ...s, kind: 2, startTimeUnixNano: String(NOW_NS), endTimeUnixNano: String(NOW_NS + 5_000_000n) })),
          },
        ],
      },
    ],
  };
}

describe('collector ingest errors', () => {
  let h: Harness;
  const post = (path: string, body: Buffer | string, headers: Record<string, string>) => fetch(`${h.collector.url}${path}`, { method: 'POST', body, headers });
  const json = (body: unknown) => JSON.stringify(body);

  beforeAll(async () => {
    h = await startHarness({ maxBodyBytes: MAX });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers garbage protobuf with 400 and a protobuf Status saying what was wrong', async () => {
    const res = await post('/v1/traces', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), { 'content-type': 'application/x-protobuf' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/x-protobuf');
    const status = decodeProtoStatus(Buffer.from(await res.arrayBuffer()));
    expect(status.message).toMatch(/^The body is not a valid OTLP ExportTraceServiceRequest in protobuf: /);
  });

  it('answers truncated protobuf with 400', async () => {
    const body = protoTracesBody(spanRequest('trunc', [{ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'x' }]));
    const res = await post('/v1/traces', body.subarray(0, body.length - 7), { 'content-type': 'application/x-protobuf' });
    expect(res.status).toBe(400);
    expect(decodeProtoStatus(Buffer.from(await res.arrayBuffer())).message).toMatch(/not a valid OTLP/);
  });

  it('answers invalid JSON with 400 and a JSON message', async () => {
    const res = await post('/v1/traces', '{"resourceSpans": [', { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(((await res.json()) as { message: string }).message).toMatch(/^The body is not valid JSON: /);
  });

  it('answers a wrong content type with 415 naming it', async () => {
    const res = await post('/v1/traces', 'hello', { 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { message: string }).message).toBe('Unsupported content type "text/plain": send application/x-protobuf or application/json.');
  });

  it('answers an unknown content encoding with 415', async () => {
    const res = await post('/v1/traces', '{}', { 'content-type': 'application/json', 'content-encoding': 'br' });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { message: string }).message).toMatch(/Unsupported content encoding "br"/);
  });

  // Regression: one span with a malformed id (a 64-bit trace id from an older tracer, base64 from protobuf's JSON
  // mapping) failed the whole request with 400, which OTLP exporters do not retry: the request's good spans were lost.
  it("refuses a span with a malformed id alone, keeping the request's other spans, and names the field", async () => {
    const good = { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'kept' };
    const res = await post(
      '/v1/traces',
      json(
        spanRequest('bad-ids-json', [
          { traceId: 'not-hex', spanId: 'eee19b7ec3c1b174', name: 'x' },
          good,
          { traceId: 'W47/95gDgQPSabYzgT/GDA==', spanId: '7uGbfsPBsXQ=', name: 'base64' },
          { traceId: '5b8efff798038103', spanId: 'eee19b7ec3c1b175', name: '64-bit trace id' },
        ]),
      ),
      { 'content-type': 'application/json' },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      partialSuccess: {
        rejectedSpans: 3,
        errorMessage:
          '2 rejected: spans with a trace id or span id of the wrong length (a trace id is 16 bytes, in OTLP/JSON 32 hex characters; a span id 8 bytes, 16 hex) (first at resourceSpans[0].scopeSpans[0].spans[0].traceId); ' +
          '1 rejected: spans with ids in base64 (OTLP/JSON writes trace and span ids as hex, not as the base64 of protobuf JSON) (first at resourceSpans[0].scopeSpans[0].spans[2].traceId)',
      },
    });
    const short = protoTracesBody(spanRequest('bad-ids-proto', [{ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b', name: 'x' }, good]));
    const res2 = await post('/v1/traces', short, { 'content-type': 'application/x-protobuf' });
    expect(res2.status).toBe(200);
    expect(decodeProtoResponse('traces', Buffer.from(await res2.arrayBuffer()))).toEqual({
      partialSuccess: {
        rejectedSpans: 1,
        errorMessage:
          '1 rejected: spans with a trace id or span id of the wrong length (a trace id is 16 bytes, in OTLP/JSON 32 hex characters; a span id 8 bytes, 16 hex) (first at resourceSpans[0].scopeSpans[0].spans[0].spanId)',
      },
    });
    await h.collector.flush();
    for (const service of ['bad-ids-json', 'bad-ids-proto'])
      expect(await h.rows(`SELECT SpanName FROM otel_traces WHERE ServiceName = '${service}'`), service).toEqual([{ SpanName: 'kept' }]);
  });

  it("refuses a span whose link id is malformed alone, over HTTP, naming the link's field", async () => {
    const good = { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'kept' };
    const res = await post(
      '/v1/traces',
      json(
        spanRequest('bad-link-json', [
          { ...good, spanId: 'eee19b7ec3c1b176', name: 'base64 link', links: [{ traceId: 'W47/95gDgQPSabYzgT/GDA==', spanId: '7uGbfsPBsXQ=' }] },
          { ...good, links: [{ traceId: '5b8efff798038103d269b633813fc60d', spanId: 'eee19b7ec3c1b177' }] },
        ]),
      ),
      { 'content-type': 'application/json' },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      partialSuccess: {
        rejectedSpans: 1,
        errorMessage:
          '1 rejected: spans with ids in base64 (OTLP/JSON writes trace and span ids as hex, not as the base64 of protobuf JSON) (first at resourceSpans[0].scopeSpans[0].spans[0].links[0].traceId)',
      },
    });
    await h.collector.flush();
    expect(await h.rows(`SELECT SpanName, Links.SpanId AS links FROM otel_traces WHERE ServiceName = 'bad-link-json'`)).toEqual([
      { SpanName: 'kept', links: ['eee19b7ec3c1b177'] },
    ]);
  });

  it('refuses a span with a field of the wrong type in partial_success, naming its path', async () => {
    const times = { startTimeUnixNano: String(NOW_NS), endTimeUnixNano: String(NOW_NS + 1n) };
    const res = await post(
      '/v1/traces',
      json({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', ...times, name: 7 }] }] }] }),
      { 'content-type': 'application/json' },
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as { partialSuccess: { errorMessage: string } }).partialSuccess.errorMessage).toBe(
      '1 rejected: spans with a field of the wrong type or range, or whose resource, scope or metric has one (first at resourceSpans[0].scopeSpans[0].spans[0].name must be a string)',
    );
  });

  // Regression: a time OTLP/JSON can send and protobuf cannot ("-1", 21 digits, a fraction, text, in a span's start or
  // end or an event's time) was a 400 for the whole request: the spans beside it were lost. Leading zeros, which the
  // OpenTelemetry Collector's JSON reader takes, were a 400 too.
  it("refuses a span whose time is not a uint64 alone, keeping the request's other spans; reads leading zeros", async () => {
    const id = (n: number) => ({ traceId: n.toString(16).padStart(32, 'a'), spanId: n.toString(16).padStart(16, 'b') });
    const at = (start: unknown, end: unknown, more: object = {}) => ({ startTimeUnixNano: start, endTimeUnixNano: end, ...more });
    const ok = String(NOW_NS);
    const spans = [
      { name: 'negative start', ...at('-1', ok) },
      { name: 'negative number', ...at(-1, ok) },
      { name: '21 digits', ...at(ok, '100000000000000000000') },
      { name: 'past 2^64', ...at(ok, '18446744073709551616') },
      { name: 'fraction', ...at(`${ok}.5`, ok) },
      { name: 'text', ...at('yesterday', ok) },
      { name: 'event', ...at(ok, ok, { events: [{ timeUnixNano: '-5', name: 'e' }] }) },
      { name: 'leading zeros', ...at(`000${NOW_NS}`, `0${NOW_NS + 7n}`, { events: [{ timeUnixNano: `00${NOW_NS + 1n}`, name: 'e' }] }) },
      { name: 'kept', ...at(ok, String(NOW_NS + 5n)) },
    ].map((s, i) => ({ ...id(i + 1), kind: 2, ...s }));
    const body = {
      resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bad-times-json' } }] }, scopeSpans: [{ spans }] }],
    };
    const res = await post('/v1/traces', json(body), { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      partialSuccess: {
        rejectedSpans: 7,
        errorMessage:
          '7 rejected: spans with a time that is not nanoseconds since the epoch as a whole number from 0 to 2^64 - 1 (a negative, a fraction, an exponent, text) (first at resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano)',
      },
    });
    await h.collector.flush();
    expect(
      await h.rows(
        `SELECT SpanName, toString(toUnixTimestamp64Nano(Timestamp)) AS start, toString(Duration) AS duration,
           arrayMap(t -> toString(toUnixTimestamp64Nano(t)), Events.Timestamp) AS events
         FROM otel_traces WHERE ServiceName = 'bad-times-json' ORDER BY SpanName`,
      ),
    ).toEqual([
      { SpanName: 'kept', start: ok, duration: '5', events: [] },
      { SpanName: 'leading zeros', start: ok, duration: '7', events: [String(NOW_NS + 1n)] },
    ]);
  });

  // Regression: a key sent twice (OTLP forbids it; SDKs and processors still send it) was read as its last value from
  // OTLP/JSON and as its first from protobuf (a Map column's lookup): the same span, one encoding or the other, touched
  // another system, moved another count of records, and its resource's service.name was the last in both.
  it('reads a key sent twice as its first value, from OTLP/JSON and from protobuf alike', async () => {
    const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
    const request = (service: string) => ({
      resourceSpans: [
        {
          resource: { attributes: [str('service.name', service), str('service.name', 'second-service')] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: '5b8efff798038103d269b633813fc60d',
                  spanId: 'eee19b7ec3c1b176',
                  name: 'dup',
                  kind: 3,
                  startTimeUnixNano: String(NOW_NS),
                  endTimeUnixNano: String(NOW_NS + 1n),
                  attributes: [str('peer.service', 'billing'), str('peer.service', 'erp'), str('integration.records', '3'), str('integration.records', 'x')],
                },
              ],
            },
          ],
        },
      ],
    });
    const res = await post('/v1/traces', json(request('dup-json')), { 'content-type': 'application/json' });
    expect(await res.json()).toEqual({});
    const res2 = await post('/v1/traces', protoTracesBody(request('dup-proto')), { 'content-type': 'application/x-protobuf' });
    expect(decodeProtoResponse('traces', Buffer.from(await res2.arrayBuffer()))).toEqual({});
    await h.collector.flush();
    expect(
      await h.rows(
        `SELECT ServiceName, SpanAttributes['peer.service'] AS peer, SpanAttributes['integration.records'] AS records
         FROM otel_traces WHERE SpanName = 'dup' ORDER BY ServiceName`,
      ),
    ).toEqual([
      { ServiceName: 'dup-json', peer: 'billing', records: '3' },
      { ServiceName: 'dup-proto', peer: 'billing', records: '3' },
    ]);
  });

  // Regression: OTLP/JSON may send a 64-bit integer as a number; JSON.parse rounded one past 2^53 to a double: the times
  // moved by up to 128 ns (the duration with them) and an intValue 9007199254740993 was stored as 9007199254740992.
  it('stores 64-bit integers sent as JSON numbers exactly', async () => {
    const start = NOW_NS + 123n;
    const body =
      `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"long-numbers"}}]},"scopeSpans":[{"spans":[` +
      `{"traceId":"5b8efff798038103d269b633813fc60e","spanId":"eee19b7ec3c1b177","name":"n","kind":2,` +
      `"startTimeUnixNano":${start},"endTimeUnixNano":${start + 1000457n},"events":[{"timeUnixNano":${start + 5n},"name":"e"}],` +
      `"attributes":[{"key":"id","value":{"intValue":9007199254740993}},{"key":"neg","value":{"intValue":-9007199254740993}},` +
      `{"key":"text","value":{"stringValue":"at 1764230400123456789"}},{"key":"ratio","value":{"doubleValue":12345678901234567.5}}]}]}]}]}`;
    const res = await post('/v1/traces', body, { 'content-type': 'application/json' });
    expect(await res.json()).toEqual({});
    await h.collector.flush();
    expect(
      await h.rows(
        `SELECT toString(toUnixTimestamp64Nano(Timestamp)) AS start, toString(Duration) AS duration,
           arrayMap(t -> toString(toUnixTimestamp64Nano(t)), Events.Timestamp) AS events, SpanAttributes AS attributes
         FROM otel_traces WHERE ServiceName = 'long-numbers'`,
      ),
    ).toEqual([
      {
        start: String(start),
        duration: '1000457',
        events: [String(start + 5n)],
        attributes: { id: '9007199254740993', neg: '-9007199254740993', text: 'at 1764230400123456789', ratio: '12345678901234568' },
      },
    ]);
  });

  it('answers invalid gzip with 400', async () => {
    const res = await post('/v1/traces', Buffer.from('not gzip at all'), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/^The body is marked gzip but is not valid gzip/);
  });

  it('answers a body over the limit with 413 before reading it all', async () => {
    const res = await post('/v1/traces', Buffer.alloc(MAX + 1), { 'content-type': 'application/x-protobuf' });
    expect(res.status).toBe(413);
    expect(decodeProtoStatus(Buffer.from(await res.arrayBuffer())).message).toBe(`Request body exceeds ${MAX} bytes as sent; send smaller batches.`);
  });

  it('stops a gzip bomb while inflating and answers 413', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * MAX));
    expect(bomb.length).toBeLessThan(MAX);
    const before = process.memoryUsage().rss;
    const res = await post('/v1/traces', bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { message: string }).message).toBe(`Request body exceeds ${MAX} bytes after decompression; send smaller batches.`);
    expect(process.memoryUsage().rss - before).toBeLessThan(32 * MAX);
  });

  it('accepts the valid spans of a request and reports the rest in partial_success', async () => {
    const body = protoTracesBody(
      spanRequest('partial', [
        { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'kept' },
        { traceId: '00000000000000000000000000000000', spanId: 'eee19b7ec3c1b175', name: 'no trace id' },
      ]),
    );
    const res = await post('/v1/traces', body, { 'content-type': 'application/x-protobuf' });
    expect(res.status).toBe(200);
    expect(decodeProtoResponse('traces', Buffer.from(await res.arrayBuffer()))).toEqual({
      partialSuccess: { rejectedSpans: 1, errorMessage: '1 rejected: spans without a trace id or span id (first at resourceSpans[0].scopeSpans[0].spans[1])' },
    });
    const jres = await post('/v1/metrics', json({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'q', summary: { dataPoints: [{}, {}] } }] }] }] }), {
      'content-type': 'application/json',
    });
    expect(jres.status).toBe(200);
    expect(await jres.json()).toEqual({
      partialSuccess: { rejectedDataPoints: 2, errorMessage: 'summary metrics are not stored (only sum, gauge and histogram)' },
    });
    await h.collector.flush();
    expect(await h.rows(`SELECT SpanName FROM otel_traces WHERE ServiceName = 'partial'`)).toEqual([{ SpanName: 'kept' }]);
  });

  it('keeps good requests whole while bad ones fail beside them', async () => {
    const goods = Array.from({ length: 20 }, (_, i) =>
      post(
        '/v1/traces',
        protoTracesBody(
          spanRequest('concurrent', [{ traceId: `5b8efff798038103d269b633813f${String(i).padStart(4, '0')}`, spanId: 'eee19b7ec3c1b174', name: `good-${i}` }]),
        ),
        { 'content-type': 'application/x-protobuf' },
      ),
    );
    const bads = Array.from({ length: 20 }, (_, i) =>
      i % 2
        ? post('/v1/traces', Buffer.from([0xff, 0xff, i]), { 'content-type': 'application/x-protobuf' })
        : post('/v1/traces', '{"resourceSpans": 1}', { 'content-type': 'application/json' }),
    );
    const results = await Promise.all([...goods, ...bads]);
    expect(results.slice(0, 20).map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(results.slice(20).map((r) => r.status)).toEqual(Array(20).fill(400));
    await h.collector.flush();
    expect(await h.rows(`SELECT count() AS n, uniqExact(SpanName) AS names FROM otel_traces WHERE ServiceName = 'concurrent'`)).toEqual([{ n: 20, names: 20 }]);
  });

  it('serves health, readiness and Prometheus self-metrics', async () => {
    expect((await fetch(`${h.collector.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${h.collector.url}/readyz`)).json()).toEqual({ status: 'ready' });
    const text = await (await fetch(`${h.collector.url}/metrics`)).text();
    expect(text).toMatch(/^weft_collector_accepted_total\{signal="traces"\} 29$/m);
    expect(text).toMatch(/^weft_collector_rejected_items_total\{signal="traces"\} 14$/m);
    expect(text).toMatch(/^weft_collector_rejected_requests_total\{status="400"\} \d+$/m);
    expect(text).toMatch(/^weft_collector_rejected_requests_total\{status="413"\} 2$/m);
    // Statuses never answered yet are 0, not missing (an alert on the series sees it before the first refusal).
    expect(text).toMatch(/^weft_collector_rejected_requests_total\{status="401"\} 0$/m);
    expect(text).toMatch(/^weft_collector_inserted_rows_total\{table="otel_traces"\} 29$/m);
    expect(text).toMatch(/^weft_collector_insert_duration_seconds_count [1-9]\d*$/m);
    expect(text).toMatch(/^weft_collector_spooled_bytes 0$/m);
  });
});
