import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtoResponse, messages } from '../otlp/proto-codec.ts';
import { protoTracesBody } from '../test/otlp-proto.ts';
import { startHarness, type Harness } from '../test/harness.ts';

const NOW_NS = BigInt(Date.now()) * 1_000_000n;
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
/** A kvlistValue attribute `key` holding `inner` twice: 'first' then 'second'. */
const twice = (key: string, inner = 'k') => ({ key, value: { kvlistValue: { values: [str(inner, 'first'), str('other', 'x'), str(inner, 'second')] } } });
/** The same, one level deeper (a kvlist in a kvlist, in an array). */
const deep = (key: string) => ({ key, value: { arrayValue: { values: [{ kvlistValue: { values: [twice('in')] } }] } } });
const FIRST = '{"k":"first","other":"x"}';
const DEEP = '[{"in":{"k":"first","other":"x"}}]';

const traces = (service: string) => ({
  resourceSpans: [
    {
      resource: { attributes: [str('service.name', service), twice('r')] },
      scopeSpans: [
        {
          spans: [
            {
              traceId: '5b8efff798038103d269b633813fc611',
              spanId: 'eee19b7ec3c1b171',
              name: 'kv',
              kind: 3,
              startTimeUnixNano: String(NOW_NS),
              endTimeUnixNano: String(NOW_NS + 1n),
              attributes: [twice('a'), deep('d')],
              events: [{ timeUnixNano: String(NOW_NS), name: 'e', attributes: [twice('a')] }],
              links: [{ traceId: '5b8efff798038103d269b633813fc612', spanId: 'eee19b7ec3c1b172', attributes: [twice('a')] }],
            },
          ],
        },
      ],
    },
  ],
});

/** A span whose attributes, resource, event and link each name a key twice; 130 span attributes, 128 kept (AttributeCountLimit). */
const flat = (service: string) => ({
  resourceSpans: [
    {
      resource: { attributes: [str('service.name', service), str('host.name', 'first'), str('host.name', 'second')] },
      scopeSpans: [
        {
          spans: [
            {
              traceId: '5b8efff798038103d269b633813fc613',
              spanId: 'eee19b7ec3c1b173',
              name: 'flat',
              kind: 3,
              startTimeUnixNano: String(NOW_NS),
              endTimeUnixNano: String(NOW_NS + 1n),
              attributes: [
                str('peer.service', 'billing'),
                ...Array.from({ length: 100 }, (_, i) => str(`k${i}`, `${i}`)),
                str('peer.service', 'erp'),
                ...Array.from({ length: 28 }, (_, i) => str(`m${i}`, `${i}`)),
              ],
              events: [{ timeUnixNano: String(NOW_NS), name: 'e', attributes: [str('a', 'first'), str('b', 'x'), str('a', 'second')] }],
              links: [{ traceId: '5b8efff798038103d269b633813fc614', spanId: 'eee19b7ec3c1b174', attributes: [str('a', 'first'), str('a', 'second')] }],
            },
          ],
        },
      ],
    },
  ],
});

const logs = (service: string) => ({
  resourceLogs: [
    {
      resource: { attributes: [str('service.name', service), twice('r')] },
      scopeLogs: [
        {
          scope: { name: 's', attributes: [twice('s'), str('dup', 'first'), str('dup', 'second')] },
          logRecords: [
            {
              timeUnixNano: String(NOW_NS),
              body: { kvlistValue: { values: [str('k', 'first'), str('other', 'x'), str('k', 'second')] } },
              attributes: [twice('a'), deep('d'), str('dup', 'first'), str('dup', 'second')],
            },
          ],
        },
      ],
    },
  ],
});

const metrics = (service: string) => ({
  resourceMetrics: [
    {
      resource: { attributes: [str('service.name', service), twice('r')] },
      scopeMetrics: [
        {
          scope: { name: 's', attributes: [twice('s')] },
          metrics: [
            {
              name: 'kv.gauge',
              gauge: {
                dataPoints: [
                  {
                    timeUnixNano: String(NOW_NS),
                    asDouble: 1,
                    attributes: [twice('a'), deep('d'), str('dup', 'first'), str('dup', 'second')],
                    exemplars: [{ timeUnixNano: String(NOW_NS), asDouble: 1, filteredAttributes: [twice('a')] }],
                  },
                ],
              },
            },
          ],
        },
      ],
    },
  ],
});

/** The request as an OTLP/protobuf body (protobufjs from the OTLP/JSON object: these requests carry no ids). */
const proto = (signal: 'logs' | 'metrics', req: object) => {
  const t = messages[signal].request;
  return Buffer.from(t.encode(t.fromObject(req)).finish());
};

// Regression: a key sent twice inside a kvlistValue (an attribute's, an array's item's, a log body's) was stored as its
// last value, from OTLP/JSON and protobuf alike, while a key sent twice among the attributes themselves is read as its
// first (as the OpenTelemetry Collector's Map.Get): the same nested value read one way at the top and the other inside.
describe('a key sent twice', () => {
  let h: Harness;
  const post = async (path: string, body: Buffer | string, type: string) => {
    const res = await fetch(`${h.collector.url}${path}`, { method: 'POST', body, headers: { 'content-type': type } });
    expect(res.status).toBe(200);
    return type === 'application/json' ? res.json() : decodeProtoResponse(path.slice(4) as 'logs', Buffer.from(await res.arrayBuffer()));
  };
  beforeAll(async () => {
    h = await startHarness();
    expect(await post('/v1/traces', JSON.stringify(traces('kv-json')), 'application/json')).toEqual({});
    expect(await post('/v1/traces', protoTracesBody(traces('kv-proto')), 'application/x-protobuf')).toEqual({});
    const dropped = {
      partialSuccess: {
        rejectedSpans: 0,
        errorMessage: '1 kept: attributes past AttributeCountLimit were dropped (first at resourceSpans[0].scopeSpans[0].spans[0].attributes)',
      },
    };
    expect(await post('/v1/traces', JSON.stringify(flat('flat-json')), 'application/json')).toEqual(dropped);
    // protobuf's answer leaves rejected_spans 0 out (a default).
    expect(await post('/v1/traces', protoTracesBody(flat('flat-proto')), 'application/x-protobuf')).toEqual({
      partialSuccess: { errorMessage: dropped.partialSuccess.errorMessage },
    });
    expect(await post('/v1/logs', JSON.stringify(logs('kv-json')), 'application/json')).toEqual({});
    expect(await post('/v1/logs', proto('logs', logs('kv-proto')), 'application/x-protobuf')).toEqual({});
    expect(await post('/v1/metrics', JSON.stringify(metrics('kv-json')), 'application/json')).toEqual({});
    expect(await post('/v1/metrics', proto('metrics', metrics('kv-proto')), 'application/x-protobuf')).toEqual({});
    await h.collector.flush();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('inside a kvlist of a span, its resource, events and links is read as its first value, from OTLP/JSON and protobuf', async () => {
    const rows = await h.rows(
      `SELECT ServiceName, ResourceAttributes['r'] AS r, SpanAttributes['a'] AS a, SpanAttributes['d'] AS d,
         Events.Attributes[1]['a'] AS event, Links.Attributes[1]['a'] AS link
       FROM otel_traces WHERE SpanName = 'kv' ORDER BY ServiceName`,
    );
    const want = { r: FIRST, a: FIRST, d: DEEP, event: FIRST, link: FIRST };
    expect(rows).toEqual([
      { ServiceName: 'kv-json', ...want },
      { ServiceName: 'kv-proto', ...want },
    ]);
  });

  // Regression: from protobuf, a key sent twice among a span's, its resource's, an event's or a link's attributes was
  // stored twice in the Map column (a Map lookup read the first, a reader of the whole Map, as JSON, the last), where the
  // same span from OTLP/JSON was stored with the first only.
  it('among the attributes of a span, its resource, events and links is stored once, with its first value, from either encoding', async () => {
    const rows = await h.rows<Record<string, unknown>>(
      `SELECT ServiceName, SpanAttributes AS attributes, length(SpanAttributes) AS n, mapFilter((k, v) -> k != 'service.name', ResourceAttributes) AS resource,
         Events.Attributes AS events, Links.Attributes AS links
       FROM otel_traces WHERE SpanName = 'flat' ORDER BY ServiceName`,
    );
    expect(rows.map((r) => r.ServiceName)).toEqual(['flat-json', 'flat-proto']);
    const [fromJson, fromProto] = rows.map(({ ServiceName: _, ...r }) => r);
    expect(fromProto).toEqual(fromJson);
    expect(fromJson).toMatchObject({
      n: 127,
      resource: { 'host.name': 'first' },
      events: [{ a: 'first', b: 'x' }],
      links: [{ a: 'first' }],
    });
    expect((fromJson.attributes as Record<string, string>)['peer.service']).toBe('billing');
  });

  it('inside a kvlist, or among the attributes, of a log record, its body, scope and resource is read as its first value', async () => {
    const rows = await h.rows(
      `SELECT ServiceName, Body, ResourceAttributes['r'] AS r, ScopeAttributes['s'] AS s, ScopeAttributes['dup'] AS sdup,
         LogAttributes['a'] AS a, LogAttributes['d'] AS d, LogAttributes['dup'] AS dup, length(LogAttributes) AS n
       FROM otel_logs ORDER BY ServiceName`,
    );
    const want = { Body: FIRST, r: FIRST, s: FIRST, sdup: 'first', a: FIRST, d: DEEP, dup: 'first', n: 3 };
    expect(rows).toEqual([
      { ServiceName: 'kv-json', ...want },
      { ServiceName: 'kv-proto', ...want },
    ]);
  });

  it('inside a kvlist, or among the attributes, of a data point and its exemplars is read as its first value', async () => {
    const rows = await h.rows(
      `SELECT ServiceName, ResourceAttributes['r'] AS r, ScopeAttributes['s'] AS s, Attributes['a'] AS a, Attributes['d'] AS d,
         Attributes['dup'] AS dup, length(Attributes) AS n, Exemplars.FilteredAttributes[1]['a'] AS exemplar
       FROM otel_metrics_gauge ORDER BY ServiceName`,
    );
    const want = { r: FIRST, s: FIRST, a: FIRST, d: DEEP, dup: 'first', n: 3, exemplar: FIRST };
    expect(rows).toEqual([
      { ServiceName: 'kv-json', ...want },
      { ServiceName: 'kv-proto', ...want },
    ]);
  });
});
