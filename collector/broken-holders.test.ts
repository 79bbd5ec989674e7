import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKEN_REASONS } from './otlp/proto-items.ts';
import { decodeProtoResponse, decodeProtoStatus, type SignalName } from './otlp/proto-codec.ts';
import { TRACE_REASONS } from './rows/trace-rows.ts';
import { startHarness, type Harness } from './test/harness.ts';
import { lenField, tag, withFields } from './test/otlp-proto.ts';

const NOW = (BigInt(Date.now()) * 1_000_000n).toString();
const wrong = (items: string) => `${items} with a field of the wrong type or range, or whose resource, scope or metric has one`;

/** A message of LEN fields `[number, bytes]`, in order, then `extra` (raw bytes a sender could write). */
const message = (fields: [number, Uint8Array][], extra: (w: protobuf.Writer) => void = () => {}) => {
  const w = protobuf.Writer.create();
  for (const [n, b] of fields) w.uint32(tag(n, 2)).bytes(b);
  extra(w);
  return w.finish();
};
const resource = (service: string, extra?: (w: protobuf.Writer) => void) =>
  withFields('Resource', { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, extra);
/**
 * An attribute (field `field`: 1 of a Resource, 3 of an InstrumentationScope) whose value is an array whose first value
 * runs past the array's end, each length around it whole.
 */
const brokenAttribute = (field: number) => lenField(field, [...withFields('KeyValue', { key: 'k' }), tag(2, 2), 5, tag(5, 2), 3, tag(1, 2), 9, 0]);

interface Signal {
  name: SignalName;
  path: string;
  /** OTLP/JSON names of the resource list, the scope list and the item list. */
  lists: [string, string, string];
  item: (i: number) => Uint8Array;
  /** An item with a field sent with another wire type, and the field's name. */
  wrongItem: [bytes: Uint8Array, field: string, want: string];
  rejectedField: string;
  /** The reasons of a resource list entry, a scope list entry, a resource and a scope whose own bytes are broken. */
  reasons: { resourceEntry: string; scopeEntry: string; resource: string; scope: string; wrong: string };
  /** The items stored for services LIKE `like`, as their names. */
  stored: (h: Harness, like: string) => Promise<unknown[]>;
}

const SIGNALS: Signal[] = [
  {
    name: 'traces',
    path: '/v1/traces',
    lists: ['resourceSpans', 'scopeSpans', 'spans'],
    item: (i) =>
      withFields('Span', { traceId: Buffer.alloc(16, 7), spanId: Buffer.alloc(8, i + 1), name: `i${i}`, startTimeUnixNano: NOW, endTimeUnixNano: NOW }),
    wrongItem: [
      withFields('Span', { traceId: Buffer.alloc(16, 7), spanId: Buffer.alloc(8, 99) }, (w) => w.uint32(tag(5, 0)).uint32(1)),
      'name',
      '2 (LEN), got 0 (VARINT)',
    ],
    rejectedField: 'rejectedSpans',
    reasons: {
      resourceEntry: TRACE_REASONS.brokenResourceSpans,
      scopeEntry: TRACE_REASONS.brokenScopeSpans,
      resource: TRACE_REASONS.brokenResource,
      scope: TRACE_REASONS.brokenScope,
      wrong: wrong('spans'),
    },
    stored: (h, like) => h.rows(`SELECT SpanName AS name FROM otel_traces WHERE ServiceName LIKE '${like}' ORDER BY name`),
  },
  {
    name: 'logs',
    path: '/v1/logs',
    lists: ['resourceLogs', 'scopeLogs', 'logRecords'],
    item: (i) => withFields('LogRecord', { timeUnixNano: NOW, body: { stringValue: `i${i}` } }),
    wrongItem: [withFields('LogRecord', { timeUnixNano: NOW }, (w) => w.uint32(tag(3, 0)).uint32(1)), 'severityText', '2 (LEN), got 0 (VARINT)'],
    rejectedField: 'rejectedLogRecords',
    reasons: {
      resourceEntry: BROKEN_REASONS.resourceLogs,
      scopeEntry: BROKEN_REASONS.scopeLogs,
      resource: BROKEN_REASONS.resource('log records'),
      scope: BROKEN_REASONS.scope('log records'),
      wrong: wrong('log records'),
    },
    stored: (h, like) => h.rows(`SELECT Body AS name FROM otel_logs WHERE ServiceName LIKE '${like}' ORDER BY name`),
  },
  {
    name: 'metrics',
    path: '/v1/metrics',
    lists: ['resourceMetrics', 'scopeMetrics', 'metrics'],
    item: (i) => withFields('Metric', { name: `i${i}`, gauge: { dataPoints: [{ timeUnixNano: NOW, asDouble: i }] } }),
    wrongItem: [
      withFields('Metric', { gauge: { dataPoints: [{ timeUnixNano: NOW, asDouble: 1 }] } }, (w) => w.uint32(tag(1, 0)).uint32(1)),
      'name',
      '2 (LEN), got 0 (VARINT)',
    ],
    rejectedField: 'rejectedDataPoints',
    reasons: {
      resourceEntry: BROKEN_REASONS.resourceMetrics,
      scopeEntry: BROKEN_REASONS.scopeMetrics,
      resource: BROKEN_REASONS.resource('data points'),
      scope: BROKEN_REASONS.scope('data points'),
      wrong: wrong('data points'),
    },
    stored: (h, like) => h.rows(`SELECT MetricName AS name FROM otel_metrics_gauge WHERE ServiceName LIKE '${like}' ORDER BY name`),
  },
];

/** A resource list entry of `res` and `scopes` (scope list entries), then `extra`. */
const entry = (res: Uint8Array, scopes: Uint8Array[], extra?: (w: protobuf.Writer) => void) =>
  message([[1, res], ...scopes.map((s): [number, Uint8Array] => [2, s])], extra);
/** A scope list entry of `scope` (none: null) and `items`, then `extra`. */
const scopeEntry = (scope: Uint8Array | null, items: Uint8Array[], extra?: (w: protobuf.Writer) => void) =>
  message([...(scope ? [[1, scope] as [number, Uint8Array]] : []), ...items.map((i): [number, Uint8Array] => [2, i])], extra);
const request = (entries: Uint8Array[]) => Buffer.from(message(entries.map((e): [number, Uint8Array] => [1, e])));
/** `message`'s parts (`N rejected: reason (first at …)`), byte numbers read as N, in order. */
const parts = (m: string) => m.split(/; (?=\d+ rejected: )/).map((p) => p.replace(/\d+ \(its|byte \d+/g, (x) => x.replace(/\d+/, 'N')));

// Regression: bytes that are no protobuf inside a ResourceSpans/Logs/Metrics or ScopeSpans/Logs/Metrics whose own
// length was whole (a span's or record's length running past its ScopeSpans, a scope_spans entry's past its
// ResourceSpans, a schema_url's past its ResourceLogs, a tag without its varint), or inside a span's resource or scope
// (its name running past it, a varint cut short), made the whole request a 400 ("in resourceSpans[0].scopeSpans[0]: a
// length of 30 … runs past the end of its message"): every good item of the request was lost. A span's scope whose
// attribute was broken inside was stored, the break unsaid (a log record's or data point's scope refused its items).
// Each now refuses the smallest message that holds the break, with its items (those of a list entry as far as they
// could be counted, at least one), naming it and the byte: the request's other items are kept at their indices.
describe('protobuf resources, scopes and their list entries whose own bytes are broken', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  for (const sig of SIGNALS) {
    it(`refuses the smallest message holding the break with its ${sig.lists[2]}, for ${sig.name}, keeping the others`, async () => {
      const [rl, sl, il] = sig.lists;
      const item = sig.item;
      const pastEnd = (field: number) => (w: protobuf.Writer) => w.uint32(tag(field, 2)).uint32(40).uint32(1);
      const body = request([
        // 0: the entry's own schema_url runs past its end: its two items.
        entry(resource(`held-${sig.name}`), [scopeEntry(null, [item(0), item(1)])], pastEnd(3)),
        // 1: a scope entry whose second item's length runs past it; one whose scope's attribute is broken inside; one
        // whose third item has a field of another wire type (its index said); one with a tag of wire type 7.
        entry(resource(`kept-${sig.name}`), [
          scopeEntry(null, [item(2)], pastEnd(2)),
          scopeEntry(withFields('InstrumentationScope', { name: 's' }, brokenAttribute(3)), [item(3)]),
          scopeEntry(withFields('InstrumentationScope', { name: 's' }), [item(4), item(5), sig.wrongItem[0], item(6)]),
          scopeEntry(null, [item(7)], (w) => w.uint32(tag(20, 7))),
        ]),
        // 2: a resource whose attribute is broken inside; 3: whose own varint is cut short.
        entry(resource(`held-${sig.name}`, brokenAttribute(1)), [scopeEntry(null, [item(8)])]),
        entry(
          resource(`held-${sig.name}`, (w) => w.uint32(tag(2, 0))),
          [scopeEntry(null, [item(9)])],
        ),
        // 4: a scope entry's length runs past the resource entry: the whole one before it, and the broken one.
        entry(resource(`held-${sig.name}`), [scopeEntry(null, [item(10), item(11)])], pastEnd(2)),
        // 5: a scope whose own name runs past it.
        entry(resource(`kept-${sig.name}`), [scopeEntry(Uint8Array.from([tag(1, 2), 20, 0x61]), [item(12)]), scopeEntry(null, [item(13)])]),
      ]);
      const res = await h.post(sig.path, body, 'application/x-protobuf');
      expect(res.status).toBe(200);
      const { partialSuccess } = decodeProtoResponse(sig.name, Buffer.from(await res.arrayBuffer())) as {
        partialSuccess: Record<string, number | string>;
      };
      const pastMessage = 'a length of N (its data from byte N) runs past the end of its message (byte N)';
      expect(partialSuccess[sig.rejectedField]).toBe(2 + 2 + 1 + 1 + 1 + 1 + 1 + 3 + 1);
      expect(parts(partialSuccess.errorMessage as string).sort()).toEqual(
        [
          `5 rejected: ${sig.reasons.resourceEntry} (first at ${rl}[0]: ${pastMessage})`,
          `3 rejected: ${sig.reasons.scopeEntry} (first at ${rl}[1].${sl}[0].${il}[1]: ${pastMessage})`,
          `2 rejected: ${sig.reasons.scope} (first at ${rl}[1].${sl}[1].scope: a length of N (its data from byte N) runs past the end of its message (byte N))`,
          `1 rejected: ${sig.reasons.wrong} (first at ${rl}[1].${sl}[2].${il}[2].${sig.wrongItem[1]} must be sent with wire type ${sig.wrongItem[2]})`,
          `2 rejected: ${sig.reasons.resource} (first at ${rl}[2].resource: ${pastMessage})`,
        ].sort(),
      );
      await h.collector.flush();
      expect(await sig.stored(h, `held-${sig.name}`)).toEqual([]);
      expect(await sig.stored(h, `kept-${sig.name}`)).toEqual(['i13', 'i4', 'i5', 'i6'].map((name) => ({ name })));
    });
  }

  it('names each break of a scope list entry or a resource and the byte', async () => {
    const said: string[] = [];
    for (const sig of SIGNALS) {
      const [rl, sl] = sig.lists;
      for (const [body, where] of [
        [entry(resource('one'), [scopeEntry(null, [sig.item(0)], (w) => w.uint32(tag(20, 7)))]), `${rl}[0].${sl}[0]`],
        [
          entry(
            resource('one', (w) => w.uint32(tag(2, 0))),
            [scopeEntry(null, [sig.item(0)])],
          ),
          `${rl}[0].resource`,
        ],
        [entry(resource('one'), [scopeEntry(null, [sig.item(0)], (w) => w.uint32(tag(3, 1)).uint32(1))]), `${rl}[0].${sl}[0]`],
      ] as const) {
        const res = await h.post(sig.path, request([body]), 'application/x-protobuf');
        const { partialSuccess } = decodeProtoResponse(sig.name, Buffer.from(await res.arrayBuffer())) as { partialSuccess: Record<string, string> };
        const first = parts(partialSuccess.errorMessage)[0];
        said.push(`${sig.name} ${first.slice(first.indexOf('(first at ') + 10, -1).replace(where, '@')}`);
      }
    }
    expect(said).toEqual(
      ['traces', 'logs', 'metrics'].flatMap((s) => [
        `${s} @: invalid wire type 7 in the tag before byte N`,
        `${s} @: a varint cut short by the end of its message (byte N)`,
        `${s} @: a fixed64 cut short by the end of its message (byte N)`,
      ]),
    );
  });

  it('keeps a 400 for a body whose own framing is broken, naming the byte', async () => {
    for (const sig of SIGNALS) {
      const good = request([entry(resource('frame'), [scopeEntry(null, [sig.item(0)])])]);
      for (const body of [
        good.subarray(0, good.length - 5),
        Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]),
        Buffer.concat([good, Buffer.from([tag(2, 7)])]),
      ]) {
        const res = await h.post(sig.path, body, 'application/x-protobuf');
        expect(res.status).toBe(400);
        const { message } = decodeProtoStatus(Buffer.from(await res.arrayBuffer()));
        expect(message).toMatch(/^The body is not a valid OTLP Export\w+ServiceRequest in protobuf: .*byte \d+/);
      }
    }
  });
});
