import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { encodeBodies } from '../../bench/ingest-spans.ts';
import { encodeRows } from '../rows/row-binary.ts';
import { RowBinaryWriter } from '../rows/row-binary-writer.ts';
import { tables } from '../rows/tables.ts';
import { traceColumns } from '../rows/trace-columns.ts';
import { traceRows, type TraceContext } from '../rows/trace-rows.ts';
import { defaultIngestLimits, IngestReport, type IngestLimits } from './limits.ts';
import { decodeJson } from './json-codec.ts';
import { decodeProto, messages } from './proto-codec.ts';
import { WARN_RECORDS } from './records-count.ts';
import { TraceDecoder } from './trace-decoder.ts';

const id = (hex: string) => Buffer.from(hex, 'hex');
const kv = (key: string, value: Record<string, unknown>) => ({ key, value });
const NOW_NS = 1764230460000000000;
const T0 = '1764230400123456789';

function encode(request: unknown): Buffer {
  const t = messages.traces.request;
  return Buffer.from(t.encode(t.fromObject(request as Record<string, unknown>)).finish());
}
const ctx = (limits: Partial<IngestLimits> = {}, nowNs = NOW_NS): TraceContext => ({
  limits: { ...defaultIngestLimits(1 << 20), ...limits },
  report: new IngestReport(),
  nowNs,
});

/** What the reference path (protobufjs decode, object mapper, RowBinary encoder) produces. */
function reference(body: Buffer, limits?: Partial<IngestLimits>, nowNs?: number) {
  const m = traceRows(decodeProto('traces', body, true), ctx(limits, nowNs));
  return { bytes: encodeRows(tables.otel_traces, m.rows), rows: m.rows.length, rejected: m.rejected, message: m.message };
}

function fast(body: Buffer, limits?: Partial<IngestLimits>, nowNs?: number) {
  const out = new RowBinaryWriter(64);
  const r = new TraceDecoder().decode(body, out, ctx(limits, nowNs));
  return { bytes: Buffer.from(out.view()), rows: r.rows, rejected: r.rejected, message: r.message };
}

const span = (over: Record<string, unknown>) => ({
  traceId: id('0102030405060708090a0b0c0d0e0f10'),
  spanId: id('1112131415161718'),
  startTimeUnixNano: T0,
  endTimeUnixNano: T0,
  ...over,
});

/** A request of one span whose resource (with a service name), attributes, event and link each carry `attrs()`. */
const everywhere = (attrs: () => ReturnType<typeof kv>[]) =>
  encode({
    resourceSpans: [
      {
        resource: { attributes: [kv('service.name', { stringValue: 's' }), ...attrs()] },
        scopeSpans: [
          {
            spans: [
              span({
                name: 'GET',
                attributes: attrs(),
                events: [{ timeUnixNano: T0, name: 'e', attributes: attrs() }],
                links: [{ traceId: id('0102030405060708090a0b0c0d0e0f10'), spanId: id('2122232425262728'), attributes: attrs() }],
              }),
            ],
          },
        ],
      },
    ],
  });

describe('TraceDecoder', () => {
  it('writes the same rows as the reference path for spans from the OpenTelemetry SDK', () => {
    for (const body of encodeBodies(2, 40)) {
      const now = Date.now() * 1e6;
      const got = fast(body, { maxExpandedBytes: 64 << 20 }, now);
      expect(got).toEqual(reference(body, { maxExpandedBytes: 64 << 20 }, now));
      expect(got.rejected).toBe(0);
    }
  });

  it('agrees with the reference path on every value kind and edge case', () => {
    const body = encode({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                span({
                  name: 'edge',
                  parentSpanId: id('0000000000000000'),
                  traceState: 'k=v',
                  kind: 5,
                  endTimeUnixNano: '1764230400200000000',
                  attributes: [
                    kv('neg', { intValue: '-42' }),
                    kv('big', { intValue: '9007199254740993' }),
                    kv('min', { intValue: '-9223372036854775808' }),
                    kv('dbl', { doubleValue: 1.5e-7 }),
                    kv('inf', { doubleValue: Infinity }),
                    kv('f', { boolValue: false }),
                    kv('bytes', { bytesValue: Buffer.from([0, 1, 254]) }),
                    kv('arr', {
                      arrayValue: {
                        values: [
                          { stringValue: 'x' },
                          { intValue: 3 },
                          { kvlistValue: { values: [kv('b', { boolValue: true }), kv('a', { intValue: '9007199254740993' })] } },
                        ],
                      },
                    }),
                    kv('empty', {}),
                    kv('__proto__', { stringValue: 'a plain key' }),
                    kv('unicode', { stringValue: 'zürich "quoted" \\ \n ✓' }),
                  ],
                  events: [{ name: 'no time' }, { timeUnixNano: '1764230400200000000', name: 'e', attributes: [kv('n', { intValue: 1 })] }],
                  links: [{ traceId: id('0102030405060708090a0b0c0d0e0f10'), spanId: id('2122232425262728'), traceState: 's', attributes: [] }],
                  status: { code: 1, message: 'fine' },
                }),
                span({ name: 'rejected', traceId: Buffer.alloc(0), spanId: id('1112131415161719') }),
                span({ name: 'open enum', spanId: id('1112131415161720'), kind: 6, status: { code: 7 } }),
              ],
            },
          ],
          resource: { attributes: [kv('service.name', { stringValue: 'svc' }), kv('region', { stringValue: 'eu' })] },
        },
        {
          scopeSpans: [
            { scope: { name: 'only-scope', version: '9' }, spans: [span({ name: 'minimal', traceId: id('ff'.repeat(16)), spanId: id('ee'.repeat(8)) })] },
          ],
        },
      ],
    });
    const got = fast(body);
    expect(got).toEqual(reference(body));
    expect(got.rows).toBe(3);
    expect(got.rejected).toBe(1);
    expect(got.message).toBe(
      '1 rejected: spans without a trace id or span id (first at resourceSpans[0].scopeSpans[0].spans[1]); ' +
        '1 kept: spans with an unknown kind (stored as Unspecified) (first at resourceSpans[0].scopeSpans[0].spans[2].kind); ' +
        '1 kept: spans with an unknown status code (stored as Unset) (first at resourceSpans[0].scopeSpans[0].spans[2].status.code)',
    );
  });

  // Regression: a span sent twice in one request with the same trace id and span id and other content (a POST to
  // erp.internal, then to billing.internal) was stored twice, and the pairing, which tells copies apart by the insert
  // that stored them, counted the touches of both: an undocumented flow crm → billing.
  it('refuses a span whose trace id and span id an earlier kept span of the request has, the same way on both paths', () => {
    const other = { traceId: id('ab'.repeat(16)) };
    const body = encode({
      resourceSpans: [
        {
          resource: { attributes: [kv('service.name', { stringValue: 'crm-sync' })] },
          scopeSpans: [
            {
              spans: [
                span({ name: 'too old', startTimeUnixNano: '0', endTimeUnixNano: '1000' }),
                span({ name: 'POST erp' }),
                span({ name: 'POST billing' }),
                span({ name: 'same span id, other trace', ...other }),
              ],
            },
          ],
        },
        // A copy under another resource is a copy too.
        { resource: { attributes: [kv('service.name', { stringValue: 'pipeline' })] }, scopeSpans: [{ spans: [span({ name: 'POST ledger' })] }] },
      ],
    });
    const got = fast(body);
    expect(got).toEqual(reference(body));
    expect([got.rows, got.rejected]).toEqual([2, 3]);
    expect(got.message).toBe(
      '1 rejected: spans with times out of range (start before 2000-01-01) (first at resourceSpans[0].scopeSpans[0].spans[0]); ' +
        '2 rejected: spans whose trace id and span id an earlier span of the request has (a span id names one span of its trace: give each span an id of its own, or send it once): the earlier span was kept, this one refused (first at resourceSpans[0].scopeSpans[0].spans[2])',
    );
    // Many spans, each kept once (the set grows past its first table), each sent again refused.
    const many = Array.from({ length: 3000 }, (_, i) => span({ name: `s${i}`, spanId: id((i + 1).toString(16).padStart(16, '0')) }));
    const twice = encode({ resourceSpans: [{ scopeSpans: [{ spans: [...many, ...many] }] }] });
    const both = fast(twice);
    expect(both).toEqual(reference(twice));
    expect([both.rows, both.rejected]).toEqual([3000, 3000]);
    // A decoder reused for the next request starts empty.
    const decoder = new TraceDecoder();
    for (let i = 0; i < 2; i++) expect(decoder.decode(twice, new RowBinaryWriter(64), ctx()).rows).toBe(3000);
  });

  it('refuses out-of-range times per span, the same way on both paths', () => {
    const body = encode({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                span({ name: 'ok' }),
                span({ name: '1970', startTimeUnixNano: '0', endTimeUnixNano: '1000' }),
                span({ name: 'no times', startTimeUnixNano: undefined, endTimeUnixNano: undefined }),
                span({ name: 'forever', endTimeUnixNano: '18446744073709551615' }),
                span({ name: 'no end', endTimeUnixNano: undefined }),
                span({ name: 'end 1970', endTimeUnixNano: '1000' }),
                span({ name: 'tomorrow+', startTimeUnixNano: String(NOW_NS + 2 * 86_400e9), endTimeUnixNano: String(NOW_NS + 2 * 86_400e9) }),
              ],
            },
          ],
        },
      ],
    });
    const got = fast(body);
    expect(got).toEqual(reference(body));
    expect([got.rows, got.rejected]).toEqual([1, 6]);
    expect(got.message).toBe(
      '2 rejected: spans with times out of range (start before 2000-01-01) (first at resourceSpans[0].scopeSpans[0].spans[1]); ' +
        '2 rejected: spans with times out of range (start or end more than a day ahead of the collector clock) (first at resourceSpans[0].scopeSpans[0].spans[3]); ' +
        '2 rejected: spans with times out of range (end unset or before 2000-01-01) (first at resourceSpans[0].scopeSpans[0].spans[4])',
    );
  });

  // Regression: a span ending before it starts (a host clock stepped back mid-span) was refused, and the read
  // or write it recorded was lost to pairing.
  it('keeps a span that ends before it starts with duration 0 and weft.normalized, the same way on both paths', () => {
    const attributes = [kv('a', { stringValue: '1' }), kv('weft.normalized', { stringValue: 'sent' }), kv('b', { stringValue: '2' })];
    const body = encode({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                span({ name: 'backwards by 1 ns', endTimeUnixNano: '1764230400123456788', attributes }),
                span({ name: 'backwards by 2^32 ns', spanId: id('2122232425262728'), endTimeUnixNano: String(BigInt(T0) - 2n ** 32n) }),
                span({ name: 'sender flag kept', spanId: id('3132333435363738'), attributes }),
              ],
            },
          ],
        },
      ],
    });
    const got = fast(body);
    expect(got).toEqual(reference(body));
    expect([got.rows, got.rejected]).toEqual([3, 0]);
    expect(got.message).toBe(
      '2 kept: spans that end before they start (a clock stepped back?), stored with end = start (duration 0) and ' +
        'weft.normalized=end_before_start (first at resourceSpans[0].scopeSpans[0].spans[0])',
    );
    const rows = traceRows(decodeProto('traces', body), ctx()).rows.map((r) => Object.fromEntries(traceColumns.map((c, i) => [c.column, r[i]])));
    expect(rows.map((r) => [r.SpanName, r.Timestamp, r.Duration, { ...(r.SpanAttributes as object) }])).toEqual([
      ['backwards by 1 ns', T0, '0', { a: '1', b: '2', 'weft.normalized': 'end_before_start' }],
      ['backwards by 2^32 ns', T0, '0', { 'weft.normalized': 'end_before_start' }],
      ['sender flag kept', T0, '0', { a: '1', 'weft.normalized': 'sent', b: '2' }],
    ]);
  });

  it('adds weft.normalized past AttributeCountLimit, the same way on both paths', () => {
    const attributes = [kv('a', { stringValue: '1' }), kv('b', { stringValue: '2' }), kv('weft.normalized', { stringValue: 'past the limit' })];
    const body = encode({ resourceSpans: [{ scopeSpans: [{ spans: [span({ endTimeUnixNano: '1764230400000000000', attributes })] }] }] });
    const got = fast(body, { attributeCountLimit: 2 });
    expect(got).toEqual(reference(body, { attributeCountLimit: 2 }));
    const [row] = traceRows(decodeProto('traces', body), ctx({ attributeCountLimit: 2 })).rows;
    expect({ ...(row[traceColumns.findIndex((c) => c.column === 'SpanAttributes')] as object) }).toEqual({
      a: '1',
      b: '2',
      'weft.normalized': 'end_before_start',
    });
  });

  it('truncates and drops attributes past the limits, and says so, the same way on both paths', () => {
    const many = Array.from({ length: 5 }, (_, i) => kv(`k${i}`, { stringValue: 'é'.repeat(10) }));
    const body = encode({
      resourceSpans: [
        {
          resource: { attributes: [kv('service.name', { stringValue: 'truncated-service-name' }), ...many] },
          scopeSpans: [
            {
              spans: [
                span({
                  attributes: [
                    kv('bytes', { bytesValue: Buffer.alloc(30, 7) }),
                    kv('arr', { arrayValue: { values: [{ stringValue: 'x'.repeat(40) }] } }),
                    ...many,
                  ],
                }),
              ],
            },
          ],
        },
      ],
    });
    const limits = { attributeCountLimit: 3, attributeValueLengthLimit: 9 };
    const got = fast(body, limits);
    expect(got).toEqual(reference(body, limits));
    expect(got.message).toMatch(
      /^1 kept: attributes past AttributeCountLimit were dropped \(first at resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.attributes\); 3 kept: attribute values longer than AttributeValueLengthLimit were truncated \(first at resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.attributes\)$/,
    );
    // Regression: the resource was held to the limits too, which the specification exempts it from: service.name (22
    // bytes) was cut to 9 ("truncated") or, past the count, dropped, and the spans were stored under another service.
    const [row] = traceRows(decodeProto('traces', body), ctx(limits)).rows;
    const column = (name: string) => row[traceColumns.findIndex((c) => c.column === name)];
    expect(column('ServiceName')).toBe('truncated-service-name');
    expect(Object.keys(column('ResourceAttributes') as object)).toHaveLength(6);
    expect(Object.keys(column('SpanAttributes') as object)).toHaveLength(3);
  });

  it('never drops service.name past AttributeCountLimit, on both paths', () => {
    const body = encode({
      resourceSpans: [
        {
          resource: {
            attributes: [kv('host.name', { stringValue: 'h1' }), kv('process.pid', { intValue: 7 }), kv('service.name', { stringValue: 'late-in-the-list' })],
          },
          scopeSpans: [{ spans: [span({})] }],
        },
      ],
    });
    const limits = { attributeCountLimit: 1, attributeValueLengthLimit: 1 };
    expect(fast(body, limits)).toEqual(reference(body, limits));
    const [row] = traceRows(decodeProto('traces', body), ctx(limits)).rows;
    expect(row[traceColumns.findIndex((c) => c.column === 'ServiceName')]).toBe('late-in-the-list');
  });

  it('refuses with 413 a request whose resource would be copied into too many rows', () => {
    const spans = Array.from({ length: 50 }, (_, i) => span({ spanId: id(`11121314151617${String(i).padStart(2, '0')}`) }));
    const body = encode({ resourceSpans: [{ resource: { attributes: [kv('big', { stringValue: 'r'.repeat(10_000) })] }, scopeSpans: [{ spans }] }] });
    const limits = { maxExpandedBytes: 100_000 };
    for (const path of [fast, reference]) {
      expect(() => path(body, limits)).toThrow(
        /^The request would expand to more than 100000 bytes of rows \(resourceSpans\[0\]\.resource: 100\d\d bytes repeated in each of 50 rows\)/,
      );
    }
  });

  // Regression (break test): OTLP/JSON `intValue: "twelve"` was stored as the text "twelve" without a word (the
  // OpenTelemetry Collector refuses the whole request); the span is kept, and the sender is told.
  it('keeps an OTLP/JSON intValue that is not an integer as text, and says so in partial_success', () => {
    const request = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'json-sender' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: '0102030405060708090a0b0c0d0e0f10',
                  spanId: '1112131415161718',
                  name: 'GET',
                  startTimeUnixNano: T0,
                  endTimeUnixNano: T0,
                  attributes: [
                    { key: 'integration.records', value: { intValue: 'twelve' } },
                    { key: 'ok', value: { intValue: '12' } },
                    { key: 'number', value: { intValue: 12 } },
                    { key: 'min', value: { intValue: '-9223372036854775808' } },
                    { key: 'max', value: { intValue: '9223372036854775807' } },
                    // Regression: 20 digits past int64 were stored as an integer, without a word to the sender.
                    { key: 'past', value: { intValue: '99999999999999999999' } },
                    { key: 'below', value: { intValue: '-9223372036854775809' } },
                    { key: 'inside', value: { arrayValue: { values: [{ intValue: '9223372036854775808' }, { intValue: '7' }] } } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const m = traceRows(decodeJson('traces', Buffer.from(JSON.stringify(request))), ctx());
    expect([m.rows.length, m.rejected]).toEqual([1, 0]);
    const attributes = m.rows[0][traceColumns.findIndex((c) => c.column === 'SpanAttributes')] as Record<string, string>;
    expect({ ...attributes }).toEqual({
      'integration.records': 'twelve',
      ok: '12',
      number: '12',
      min: '-9223372036854775808',
      max: '9223372036854775807',
      past: '99999999999999999999',
      below: '-9223372036854775809',
      inside: '[null,7]',
    });
    expect(m.message).toBe(
      '3 kept: intValue attributes that are not integers were kept as text (OTLP/JSON writes an int64 as a decimal string) (first at resourceSpans[0].scopeSpans[0].spans[0].attributes); ' +
        `1 kept: ${WARN_RECORDS} (first at resourceSpans[0].scopeSpans[0].spans[0].attributes)`,
    );
  });

  // Regression: an integration.records the rollups could not take (a fraction, a negative, an exponent, spaces, a count
  // past 10^12 that wrapped their sums) was read as 0 or summed modulo 2^64, and the request answered {}: the sender
  // was never told.
  it('warns of spans whose integration.records is not a count Weft takes, the same way on both paths', () => {
    const records = (value: Record<string, unknown>) => [kv('a', { stringValue: '1' }), kv('integration.records', value)];
    const taken = [{ intValue: 12 }, { intValue: '1000000000000' }, { intValue: 0 }, { stringValue: '7' }, { stringValue: '+0007' }, { doubleValue: 12 }];
    const refused = [
      { doubleValue: 12.5 },
      { stringValue: '1e3' },
      { stringValue: ' 7' },
      { intValue: -3 },
      { intValue: '9223372036854775807' },
      { stringValue: '1000000000001' },
      { doubleValue: 1e13 },
      { boolValue: true },
      { stringValue: '' },
      { arrayValue: { values: [{ intValue: 5 }] } },
    ];
    const spans = [...taken, ...refused].map((v, i) => span({ name: `span ${i}`, spanId: id((i + 1).toString(16).padStart(16, '0')), attributes: records(v) }));
    // A span without the attribute, and one whose attribute is past AttributeCountLimit (dropped: not read), are not warned of.
    spans.push(span({ name: 'none', spanId: id('00000000000000ff'), attributes: [kv('a', { stringValue: '1' })] }));
    const body = encode({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
    const got = fast(body);
    expect(got).toEqual(reference(body));
    expect([got.rows, got.rejected]).toEqual([spans.length, 0]);
    const first = `resourceSpans[0].scopeSpans[0].spans[${taken.length}].attributes`;
    expect(got.message).toBe(`${refused.length} kept: ${WARN_RECORDS} (first at ${first})`);
    expect(WARN_RECORDS).toContain('integration.records is not a whole number from 0 to 1000000000000');
    expect(WARN_RECORDS).toContain('send the count of records as an intValue or as a string of decimal digits');
    const past = encode({ resourceSpans: [{ scopeSpans: [{ spans: [span({ attributes: records({ doubleValue: 12.5 }) })] }] }] });
    expect(fast(past, { attributeCountLimit: 1 }).message).toBe(reference(past, { attributeCountLimit: 1 }).message);
    expect(fast(past, { attributeCountLimit: 1 }).message).not.toContain('integration.records');
    // With the span also ending before it starts (weft.normalized is written with the attributes).
    const both = encode({
      resourceSpans: [{ scopeSpans: [{ spans: [span({ endTimeUnixNano: '1764230400123456788', attributes: records({ stringValue: '-1' }) })] }] }],
    });
    expect(fast(both)).toEqual(reference(both));
    expect(fast(both).message).toContain(`1 kept: ${WARN_RECORDS}`);
  });

  // Regression: an attribute value nested past the limit in one span was a 400 for the whole request; the spans beside it
  // were lost. The span (or, in the resource, the resource's spans) is refused alone, the same way on both paths.
  it('refuses a span whose AnyValue nests past the limit alone, on both paths, and a resource holding one with its spans', () => {
    let value: Record<string, unknown> = { stringValue: 'leaf' };
    for (let i = 0; i < 34; i++) value = i % 2 ? { kvlistValue: { values: [kv('k', value)] } } : { arrayValue: { values: [value] } };
    const limit = protobuf.util.recursionLimit;
    protobuf.util.recursionLimit = 1000;
    const sibling = (n: string, over: Record<string, unknown> = {}) => span({ spanId: id(n.repeat(8)), name: `s${n}`, ...over });
    const deepIn = {
      attributes: (v: unknown) => ({ attributes: [kv('ok', { stringValue: 'x'.repeat(20) }), kv('deep', v as Record<string, unknown>)] }),
      event: (v: unknown) => ({ events: [{ timeUnixNano: T0, name: 'e', attributes: [kv('deep', v as Record<string, unknown>)] }] }),
    };
    const body = encode({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                sibling('21'),
                // Its own ids again after it: not refused as sent twice, since the deep one was not kept.
                sibling('22', { endTimeUnixNano: '1764230400123456788', ...deepIn.attributes(value) }),
                sibling('22'),
                sibling('23', deepIn.event(value)),
                sibling('24'),
              ],
            },
          ],
        },
        { resource: { attributes: [kv('deep', value)] }, scopeSpans: [{ spans: [sibling('25'), sibling('26')] }] },
      ],
    });
    protobuf.util.recursionLimit = limit;
    const got = fast(body, { attributeValueLengthLimit: 10 });
    expect(got).toEqual(reference(body, { attributeValueLengthLimit: 10 }));
    expect([got.rows, got.rejected]).toEqual([3, 4]);
    const reason = 'spans with an attribute value or body nesting arrayValue/kvlistValue past WEFT_MAX_ANY_VALUE_DEPTH';
    // No warning of the refused span (it ends before it starts, its first value was cut) is left in the message.
    expect(got.message).toBe(
      `4 rejected: ${reason} (first at resourceSpans[0].scopeSpans[0].spans[1].attributes nests arrayValue/kvlistValue deeper than 32 levels; flatten the attribute value)`,
    );
  });

  // Regression: a known field sent with another wire type (a name as a varint, a status code as a string) was passed over
  // as an unknown field by both paths: the span stored without it, silently. Both refuse the span alone, naming the field.
  it('refuses a span with a field of another wire type alone, the same way on both paths', () => {
    const spanType = messages.traces.request.root.lookupType('weft.otlp.Span');
    const raw = (i: number, extra: (w: protobuf.Writer) => void) => {
      const w = spanType.encode(spanType.fromObject(span({ spanId: id(String(i).padStart(16, '0')), name: `s${i}` })));
      extra(w);
      return w.finish();
    };
    const spans = [
      raw(1, () => {}),
      raw(2, (w) => w.uint32((5 << 3) | 0).uint32(7)),
      raw(3, (w) => w.uint32((7 << 3) | 2).string(T0)),
      raw(4, (w) => w.uint32((15 << 3) | 2).bytes(Buffer.from([(3 << 3) | 2, 1, 0x32]))),
      raw(5, (w) => w.uint32((16 << 3) | 1).fixed64(1)),
      raw(6, (w) =>
        w
          .uint32((10 << 3) | 0)
          .uint32(1)
          .uint32((99 << 3) | 2)
          .string('unknown field'),
      ),
    ];
    const scope = protobuf.Writer.create();
    for (const sp of spans) scope.uint32((2 << 3) | 2).bytes(sp);
    const rs = protobuf.Writer.create()
      .uint32((2 << 3) | 2)
      .bytes(scope.finish());
    const body = Buffer.from(
      protobuf.Writer.create()
        .uint32((1 << 3) | 2)
        .bytes(rs.finish())
        .finish(),
    );
    const got = fast(body);
    expect(got).toEqual(reference(body));
    expect([got.rows, got.rejected]).toEqual([2, 4]);
    expect(got.message).toBe(
      '4 rejected: spans with a field of the wrong type or range, or whose resource, scope or metric has one ' +
        '(first at resourceSpans[0].scopeSpans[0].spans[1].name must be sent with wire type 2 (LEN), got 0 (VARINT))',
    );
  });

  // Regression: a field of an attribute's KeyValue or AnyValue, of an array value's items, of an event or of a link sent
  // with another wire type was passed over by both paths. Both refuse the span alone, naming the field's path, alike.
  it('refuses a span with a nested field of another wire type alone, the same way on both paths', () => {
    const root = messages.traces.request.root;
    const enc = (name: string, m: object, extra: (w: protobuf.Writer) => void = () => {}) => {
      const t = root.lookupType(`weft.otlp.${name}`);
      const w = t.encode(t.fromObject(m));
      extra(w);
      return w.finish();
    };
    const value = (extra: (w: protobuf.Writer) => void) => enc('AnyValue', {}, extra);
    const keyValue = (v: Uint8Array) => enc('KeyValue', { key: 'k' }, (w) => w.uint32((2 << 3) | 2).bytes(v));
    const nested: ((w: protobuf.Writer) => void)[] = [
      (w) => w.uint32((9 << 3) | 2).bytes(enc('KeyValue', {}, (k) => k.uint32((1 << 3) | 0).uint32(1))),
      (w) => w.uint32((9 << 3) | 2).bytes(keyValue(value((v) => v.uint32((1 << 3) | 0).uint32(1)))),
      (w) => w.uint32((9 << 3) | 2).bytes(keyValue(value((v) => v.uint32((4 << 3) | 5).fixed32(1)))),
      (w) =>
        w
          .uint32((9 << 3) | 2)
          .bytes(
            keyValue(
              value((v) =>
                v.uint32((5 << 3) | 2).bytes(enc('ArrayValue', {}, (a) => a.uint32((1 << 3) | 2).bytes(value((x) => x.uint32((3 << 3) | 2).string('1'))))),
              ),
            ),
          ),
      (w) => w.uint32((11 << 3) | 2).bytes(enc('Span.Event', { name: 'e' }, (e) => e.uint32((2 << 3) | 0).uint32(1))),
      (w) => w.uint32((13 << 3) | 2).bytes(enc('Span.Link', {}, (l) => l.uint32((6 << 3) | 0).uint32(1))),
    ];
    const scope = protobuf.Writer.create();
    const spanOf = (i: number, extra: (w: protobuf.Writer) => void) => enc('Span', span({ spanId: id(String(i).padStart(16, '0')), name: `s${i}` }), extra);
    scope.uint32((2 << 3) | 2).bytes(spanOf(1, () => {}));
    nested.forEach((extra, i) => scope.uint32((2 << 3) | 2).bytes(spanOf(10 + i, extra)));
    scope.uint32((2 << 3) | 2).bytes(spanOf(2, () => {}));
    const body = Buffer.from(
      protobuf.Writer.create()
        .uint32((1 << 3) | 2)
        .bytes(
          protobuf.Writer.create()
            .uint32((2 << 3) | 2)
            .bytes(scope.finish())
            .finish(),
        )
        .finish(),
    );
    const got = fast(body);
    expect(got).toEqual(reference(body));
    expect([got.rows, got.rejected]).toEqual([2, nested.length]);
    for (const [i, extra] of nested.entries()) {
      const one = protobuf.Writer.create();
      one.uint32((2 << 3) | 2).bytes(spanOf(1, extra));
      const b = Buffer.from(
        protobuf.Writer.create()
          .uint32((1 << 3) | 2)
          .bytes(
            protobuf.Writer.create()
              .uint32((2 << 3) | 2)
              .bytes(one.finish())
              .finish(),
          )
          .finish(),
      );
      expect(fast(b), `nested case ${i}`).toEqual(reference(b));
    }
    expect(got.message).toBe(
      '6 rejected: spans with a field of the wrong type or range, or whose resource, scope or metric has one ' +
        '(first at resourceSpans[0].scopeSpans[0].spans[1].attributes[0].key must be sent with wire type 2 (LEN), got 0 (VARINT))',
    );
  });

  it("refuses a resource's or scope's spans for a field of it of another wire type, the same way on both paths", () => {
    const root = messages.traces.request.root;
    const enc = (name: string, m: object, extra: (w: protobuf.Writer) => void = () => {}) => {
      const t = root.lookupType(`weft.otlp.${name}`);
      const w = t.encode(t.fromObject(m));
      extra(w);
      return w.finish();
    };
    const sp = (i: number) => enc('Span', span({ spanId: id(String(i).padStart(16, '0')), name: `s${i}` }));
    const scope = (sc: Uint8Array, spans: Uint8Array[]) =>
      enc('ScopeSpans', {}, (w) => (w.uint32((1 << 3) | 2).bytes(sc), spans.forEach((x) => w.uint32((2 << 3) | 2).bytes(x))));
    const rs = (res: Uint8Array, scopes: Uint8Array[]) =>
      enc('ResourceSpans', {}, (w) => (w.uint32((1 << 3) | 2).bytes(res), scopes.forEach((x) => w.uint32((2 << 3) | 2).bytes(x))));
    const res = enc('Resource', { attributes: [kv('service.name', { stringValue: 's' })] });
    const body = Buffer.from(
      enc('ExportTraceServiceRequest', {}, (w) => {
        w.uint32((1 << 3) | 2).bytes(
          rs(res, [
            scope(enc('InstrumentationScope', { name: 'ok' }), [sp(1)]),
            scope(
              enc('InstrumentationScope', {}, (x) => x.uint32((2 << 3) | 0).uint32(1)),
              [sp(2), sp(3)],
            ),
          ]),
        );
        w.uint32((1 << 3) | 2).bytes(
          rs(
            enc('Resource', {}, (x) => x.uint32((1 << 3) | 0).uint32(1)),
            [scope(enc('InstrumentationScope', {}), [sp(4)])],
          ),
        );
      }),
    );
    const got = fast(body);
    expect(got).toEqual(reference(body));
    expect([got.rows, got.rejected]).toEqual([1, 3]);
  });

  it('refuses truncated and garbage bodies with the reference wording', () => {
    const [body] = encodeBodies(1, 8);
    for (const bad of [body.subarray(0, body.length - 5), Buffer.from([0x0a, 0x05, 0x12, 0xff]), Buffer.from([0x0b, 0x01])]) {
      expect(() => fast(bad)).toThrow(/^The body is not a valid OTLP ExportTraceServiceRequest in protobuf: /);
    }
  });

  // Regression: a link with an id of the wrong length failed the whole request with 400, losing its good spans.
  it("refuses a span whose link has an id of the wrong length alone, on both paths, naming the link's field", () => {
    const goodLink = { traceId: id('01'.repeat(16)), spanId: id('02'.repeat(8)) };
    const body = encode({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                span({ name: 'bad link trace id', links: [goodLink, { traceId: id('0102'), spanId: id('01'.repeat(8)) }] }),
                span({ name: 'kept', spanId: id('2122232425262728'), links: [goodLink, { traceId: Buffer.alloc(0), spanId: Buffer.alloc(0) }] }),
                span({ name: 'bad link span id', spanId: id('3132333435363738'), links: [{ traceId: id('01'.repeat(16)), spanId: id('01'.repeat(16)) }] }),
              ],
            },
          ],
        },
      ],
    });
    const got = fast(body);
    expect(got).toEqual(reference(body));
    expect([got.rows, got.rejected]).toEqual([1, 2]);
    expect(got.message).toBe(
      '2 rejected: spans with a trace id or span id of the wrong length (a trace id is 16 bytes, in OTLP/JSON 32 hex characters; a span id 8 bytes, 16 hex) (first at resourceSpans[0].scopeSpans[0].spans[0].links[1].traceId)',
    );
  });
});

describe('TraceDecoder: secrets in URL-valued attributes', () => {
  const secretAttrs = () => [
    kv('url.full', { stringValue: 'https://svc:S3cr3tPw@crm.internal/api/customers?api_key=K3yK3y' }),
    kv('http.url', { stringValue: 'https://svc:p%40ss@crm.internal/a' }),
    kv('url.query', { stringValue: 'a=1&access_token=T0k3n&token' }),
    kv('http.target', { stringValue: '/a?password=S3cr3tPw' }),
    kv('db.connection_string', { stringValue: 'postgresql://u:S3cr3tPw@pg01:5432/x' }),
    kv('url.original', { intValue: '7' }),
    kv('peer.url', { stringValue: 'https://u:S3cr3tPw@h/' }),
    kv('url.full.x', { stringValue: 'https://kept@h/?api_key=K3yK3y' }),
  ];
  const body = () => everywhere(secretAttrs);

  it('stores no secret, writes what the object path (OTLP/JSON and protobufjs) writes; other keys keep a user alone', () => {
    const got = fast(body());
    expect(got).toEqual(reference(body()));
    const text = got.bytes.toString('latin1');
    for (const s of ['S3cr3tPw', 'K3yK3y', 'p%40ss', 'T0k3n']) expect(text).not.toContain(s);
    expect(text).toContain('https://REDACTED:REDACTED@crm.internal/api/customers?api_key=REDACTED');
    expect(text).toContain('a=1&access_token=REDACTED&token');
    expect(text).toContain('postgresql://REDACTED:REDACTED@pg01:5432/x');
    // Spans, resource, events and links: four maps each.
    expect(text.split('https://REDACTED:REDACTED@crm.internal/api/customers?api_key=REDACTED').length - 1).toBe(4);
    expect(text.split('https://REDACTED:REDACTED@h/').length - 1).toBe(4);
    expect(text.split('https://kept@h/?api_key=REDACTED').length - 1).toBe(4);
  });

  it('redacts before AttributeValueLengthLimit cuts: a password whose @ is past the cut is not stored either', () => {
    const limits = { attributeValueLengthLimit: 20 };
    const got = fast(body(), limits);
    expect(got).toEqual(reference(body(), limits));
    const text = got.bytes.toString('latin1');
    for (const s of ['S3cr3tPw', 'S3cr', 'p%40', 'K3y']) expect(text).not.toContain(s);
    expect(text).toContain('https://REDACTED:RED');
  });
});

describe('TraceDecoder: secrets in headers, in keys that name a secret, in statements', () => {
  const array = (...items: string[]) => ({ arrayValue: { values: items.map((s) => ({ stringValue: s })) } });
  const secretAttrs = () => [
    kv('http.request.header.authorization', array('Bearer B3ar3r')),
    kv('http.response.header.set-cookie', array('sid=C00k13; HttpOnly', 'theme=dark')),
    kv('http.request.header.x-api-key', { stringValue: 'K3yK3y' }),
    kv('app.password', { stringValue: 'S3cr3tPw' }),
    kv('app.pin.token', { intValue: '4242' }),
    kv('app.secret', { kvlistValue: { values: [kv('a', { stringValue: 'S3cr3tPw' })] } }),
    kv('client_secret', { bytesValue: Buffer.from('S3cr3tPw') }),
    kv('user.has_password', { boolValue: true }),
    kv('app.token', { stringValue: '' }),
    kv('db.statement', { stringValue: "CREATE USER app WITH PASSWORD 'S3cr3tPw'" }),
    kv('db.query.text', { stringValue: 'AUTH default S3cr3tPw' }),
    kv('http.request.header.accept', array('application/json')),
    kv('llm.usage.total_tokens', { intValue: '12' }),
    kv('messaging.kafka.message.key', { stringValue: 'order-42' }),
  ];
  const body = () => everywhere(secretAttrs);
  const SECRETS = ['B3ar3r', 'C00k13', 'K3yK3y', 'S3cr3tPw', 'UzNjcjN0UHc', '4242'];

  it.each([{}, { attributeValueLengthLimit: 12 }])('stores no secret and writes what the object path writes (limits %j)', (limits) => {
    const got = fast(body(), limits);
    expect(got).toEqual(reference(body(), limits));
    const text = got.bytes.toString('latin1');
    for (const s of SECRETS) expect(text).not.toContain(s);
    if (Object.keys(limits).length > 0) return;
    for (const kept of ['["application/json"]', 'order-42', '["REDACTED","REDACTED"]']) expect(text).toContain(kept);
    expect(text).toContain("CREATE USER app WITH PASSWORD 'REDACTED'");
    expect(text).toContain('AUTH REDACTED REDACTED');
    expect(text.split('["REDACTED"]').length - 1).toBe(4);
  });
});

describe('TraceDecoder: credentials recognisable by their value, under keys that do not name a secret', () => {
  const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJKV1RKV1QifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
  const GHP = `ghp_${'Gh9'.repeat(12)}`;
  const secretAttrs = () => [
    kv('app.auth_header', { stringValue: 'Bearer B3ar3rB3ar3r' }),
    kv('upstream.auth', { stringValue: 'Basic dXNlcjpTM2NyM3RQdw==' }),
    kv('app.session', { stringValue: JWT }),
    kv('aws.key_id', { stringValue: 'AKIAIOSFODNN7EXAMPLE' }),
    kv('tls.key', { stringValue: '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIPr1v4t3K3y\n-----END EC PRIVATE KEY-----' }),
    kv('deploy.note', { stringValue: `pushed with ${GHP} and xoxb-1234567890-SlackSlack` }),
    kv('payment.cfg', { stringValue: 'sk_live_StR1p3StR1p3StR1p3' }),
    kv('cache.dsn', { stringValue: 'redis://app:S3cr3tPw@cache01:6379/0' }),
    // Arrays and kvlists: each string, and a kvlist key that says a secret.
    kv('app.forwarded', { arrayValue: { values: [{ stringValue: 'Bearer B3ar3rB3ar3r' }, { stringValue: 'gzip' }] } }),
    kv('url.full', { stringValue: `https://crm.internal/cb?state=${JWT}&page=2` }),
    kv('db.statement', { stringValue: `SELECT id FROM sessions WHERE jwt = '${JWT}'` }),
    kv('http.request.body', { stringValue: '{"user":"app","password":"S3cr3tPw","remember":true}' }),
    kv('app.config', {
      kvlistValue: { values: [kv('password', { stringValue: 'S3cr3tPw' }), kv('retries', { intValue: '3' }), kv('pin_token', { intValue: '987654' })] },
    }),
    // No credential: kept as sent.
    kv('trace.parent', { stringValue: '4bf92f3577b34da6a3ce929d0e0e4736' }),
    kv('order.id', { stringValue: 'ORD-2026-000042' }),
    kv('blob.sha256', { stringValue: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' }),
    kv('plan', { stringValue: 'Basic plan' }),
    kv('repo', { stringValue: 'ssh://git@github.com/org/repo.git' }),
  ];
  const body = () => everywhere(secretAttrs);
  const SECRETS = ['B3ar3r', 'dXNlcjpTM2NyM3RQdw', 'SflKxwRJ', 'EXAMPLE', 'MHcCAQ', 'Gh9Gh9', 'SlackSlack', 'StR1p3', 'S3cr3tPw', '987654'];

  it.each([{}, { attributeValueLengthLimit: 12 }])('stores no credential and writes what the object path writes (limits %j)', (limits) => {
    const got = fast(body(), limits);
    expect(got).toEqual(reference(body(), limits));
    const text = got.bytes.toString('latin1');
    for (const s of SECRETS) expect(text).not.toContain(s);
    if (Object.keys(limits).length > 0) return;
    for (const want of [
      'Basic REDACTED',
      '-----BEGIN EC PRIVATE KEY-----\nREDACTED\n-----END EC PRIVATE KEY-----',
      'pushed with REDACTED and REDACTED',
      'redis://REDACTED:REDACTED@cache01:6379/0',
      '["Bearer REDACTED","gzip"]',
      '{"password":"REDACTED","pin_token":"REDACTED","retries":3}',
      '{"user":"app","password":"REDACTED","remember":true}',
      'https://crm.internal/cb?state=REDACTED&page=2',
      "SELECT id FROM sessions WHERE jwt = 'REDACTED'",
      '4bf92f3577b34da6a3ce929d0e0e4736',
      'ORD-2026-000042',
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'Basic plan',
      'ssh://git@github.com/org/repo.git',
    ])
      expect(text.split(want).length - 1).toBe(4);
    // The string and the array's item, in each of the four maps.
    expect(text.split('Bearer REDACTED').length - 1).toBe(8);
  });
});

describe('TraceDecoder: secrets in free text (exception, error and status messages, stack traces) and command lines', () => {
  const argv = (...items: string[]) => ({ arrayValue: { values: items.map((s) => ({ stringValue: s })) } });
  const exceptionAttrs = () => [
    kv('exception.type', { stringValue: 'PSQLException' }),
    kv('exception.message', { stringValue: 'could not connect to postgresql://app:S3cr3tPw@pg01:5432/orders (password=S3cr3tPw)' }),
    kv('exception.stacktrace', { stringValue: 'Error: login failed, Server=db1;Password=Pa55w0rd;\n    at connect (db.js:42)' }),
    kv('error.message', { stringValue: 'upstream said api_key=K3yK3y is revoked' }),
  ];
  const processAttrs = () => [
    kv('service.name', { stringValue: 's' }),
    kv('process.command_line', { stringValue: 'PGPASSWORD=Pa55w0rd psql -h pg01 -p 5432 --set token=T0k3nT0k3n orders' }),
    kv('process.command_args', argv('/usr/bin/mysql', '-u', 'root', '-pPa55w0rd', '--port', '3306', 'orders')),
    kv('process.executable.name', { stringValue: 'sync --password=kept-elsewhere' }),
  ];
  const body = () =>
    encode({
      resourceSpans: [
        {
          resource: { attributes: processAttrs() },
          scopeSpans: [
            {
              spans: [
                span({
                  name: 'sync',
                  attributes: [...exceptionAttrs(), kv('process.command_args', argv('sshpass', '-p', 'Pa55w0rd', 'ssh', 'h'))],
                  status: { code: 2, message: 'connect failed: mongodb://app:S3cr3tPw@mongo01/db' },
                  events: [{ timeUnixNano: T0, name: 'exception', attributes: exceptionAttrs() }],
                }),
              ],
            },
          ],
        },
      ],
    });
  const SECRETS = ['S3cr3tPw', 'Pa55w0rd', 'K3yK3y', 'T0k3nT0k3n'];

  it.each([{}, { attributeValueLengthLimit: 24 }])('stores no secret and writes what the object path writes (limits %j)', (limits) => {
    const got = fast(body(), limits);
    expect(got).toEqual(reference(body(), limits));
    const text = got.bytes.toString('latin1');
    for (const s of SECRETS) expect(text).not.toContain(s);
    if (Object.keys(limits).length > 0) return;
    for (const [want, n] of [
      ['could not connect to postgresql://REDACTED:REDACTED@pg01:5432/orders (password=REDACTED)', 2],
      ['Error: login failed, Server=db1;Password=REDACTED;\n    at connect (db.js:42)', 2],
      ['upstream said api_key=REDACTED is revoked', 2],
      ['PGPASSWORD=REDACTED psql -h pg01 -p 5432 --set token=REDACTED orders', 1],
      ['["/usr/bin/mysql","-u","root","-pREDACTED","--port","3306","orders"]', 1],
      ['["sshpass","-p","REDACTED","ssh","h"]', 1],
      ['connect failed: mongodb://REDACTED:REDACTED@mongo01/db', 1],
      // Another key keeps its text (its value has no credential's shape).
      ['sync --password=kept-elsewhere', 1],
    ] as const)
      expect([want, text.split(want).length - 1]).toEqual([want, n]);
  });
});

describe('TraceDecoder: a literal the statement names as a credential column', () => {
  const body = (statement: string) =>
    encode({
      resourceSpans: [
        {
          resource: { attributes: [kv('service.name', { stringValue: 's' })] },
          scopeSpans: [
            { spans: [span({ name: 'INSERT', attributes: [kv('db.system', { stringValue: 'postgresql' }), kv('db.statement', { stringValue: statement })] })] },
          ],
        },
      ],
    });

  it.each([
    ["INSERT INTO users (name, password) VALUES ('bob','S3cr3tPw')", "INSERT INTO users (name, password) VALUES ('bob','REDACTED')"],
    ["UPDATE users SET password_hash = 'S3cr3tPw' WHERE id = 7", "UPDATE users SET password_hash = 'REDACTED' WHERE id = 7"],
  ])('%s is stored as %s, as the object path stores it', (raw, want) => {
    const got = fast(body(raw));
    expect(got).toEqual(reference(body(raw)));
    const text = got.bytes.toString('latin1');
    expect(text).not.toContain('S3cr3tPw');
    expect(text).toContain(want);
  });
});

describe('TraceDecoder: secrets the value rules found one kind of and not its siblings', () => {
  /** [key, value as sent, the secret in it, value as stored]; each key once (a map keeps the first of a key). */
  const CASES: [string, string, string, string][] = [
    // A URL's userinfo in a statement literal holding a quote, as in a URL attribute (url-userinfo.ts).
    ['db.statement', "SELECT 'it''s postgres://u:p@S3cr3tPw@pg01/x'", 'S3cr3tPw', "SELECT 'it''s postgres://REDACTED:REDACTED@pg01/x'"],
    ['db.query.text', 'SELECT $$postgres://u:S3cr$3tPw@pg01/x$$', 'S3cr$3tPw', 'SELECT $$postgres://REDACTED:REDACTED@pg01/x$$'],
    // NTLM and Negotiate tokens, as Bearer's; OpenAI and Anthropic keys, as Stripe's.
    ['upstream.auth', 'NTLM TlRMTVNTUAADAAAAGAAYAEgAAAAYABgAYAAAAA==', 'TlRMTVNTUAAD', 'NTLM REDACTED'],
    ['http.response.header.www-authenticate', 'Negotiate oYG2MIGzoAMKAQChCwYJKoZIgvcSAQIC', 'oYG2MIGzoAMK', 'Negotiate REDACTED'],
    ['llm.key_note', 'called with sk-ant-api03-Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv-AA', 'Ab1Cd2Ef3Gh4', 'called with REDACTED'],
    ['llm.config', 'key sk-proj-Zy9Xw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe', 'Zy9Xw8Vu7Ts6', 'key REDACTED'],
    // Secrets in a URL's path, and a signed URL's parameters in a key that is no URL key.
    [
      'url.full',
      'https://hooks.slack.com/services/T0001ABCD/B0002EFGH/XyZ123abcDEF456ghiJKL789',
      'XyZ123abc',
      'https://hooks.slack.com/services/T0001ABCD/B0002EFGH/REDACTED',
    ],
    ['http.target', '/reset-password/8f2c1e0b9a7d4c3e?lang=en', '8f2c1e0b9a7d4c3e', '/reset-password/REDACTED?lang=en'],
    [
      'http.url',
      'https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ/sendMessage',
      'AAHdqTcvCH1v',
      'https://api.telegram.org/botREDACTED/sendMessage',
    ],
    ['url.path', '/api/keys/ak_live_2x9QmZ8pLk3', 'ak_live_2x9QmZ8pLk3', '/api/keys/REDACTED'],
    [
      'app.download_url',
      'https://b.s3.amazonaws.com/o?X-Amz-Signature=ab12cd34ef&x=1',
      'ab12cd34ef',
      'https://b.s3.amazonaws.com/o?X-Amz-Signature=REDACTED&x=1',
    ],
  ];
  const body = () => everywhere(() => CASES.map(([k, v]) => kv(k, { stringValue: v })));

  const named = (name: string) =>
    encode({
      resourceSpans: [
        {
          resource: { attributes: [kv('service.name', { stringValue: 's' })] },
          scopeSpans: [{ spans: [span({ name, events: [{ timeUnixNano: T0, name: `event ${name}` }] })] }],
        },
      ],
    });

  it.each([
    ['GET https://api.example.com/v1/export?token=T0k3nT0k3n&page=2', 'T0k3nT0k3n', 'GET https://api.example.com/v1/export?token=REDACTED&page=2'],
    ['GET /reset-password/8f2c1e0b9a7d4c3e2f1a', '8f2c1e0b9a7d4c3e2f1a', 'GET /reset-password/REDACTED'],
    ['POST https://svc:S3cr3tPw@crm.internal/x', 'S3cr3tPw', 'POST https://REDACTED:REDACTED@crm.internal/x'],
  ])('a span (and an event) named %s is stored without %s, as %s, by both decoders', (name, secret, want) => {
    const got = fast(named(name));
    expect(got).toEqual(reference(named(name)));
    const text = got.bytes.toString('latin1');
    expect(text).not.toContain(secret);
    expect(text).toContain(want);
    expect(text).toContain(`event ${want}`);
  });

  it.each(['GET /api/customers/3fa85f64-5717-4562-b3fc-2c963f66afa6', 'GET /api/orders/ORD-2026-000042?page=2', 'SELECT orders'])(
    'a span named %s is stored as sent',
    (name) => {
      const got = fast(named(name));
      expect(got).toEqual(reference(named(name)));
      expect(got.bytes.toString('latin1')).toContain(name);
    },
  );

  it.each(CASES)('%s %s: stored without %s, as %s, by both decoders', (_key, _raw, secret, want) => {
    const got = fast(body());
    expect(got).toEqual(reference(body()));
    const text = got.bytes.toString('latin1');
    expect(text).not.toContain(secret);
    expect(text.split(want).length - 1).toBe(4);
  });
});
