import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtoResponse, decodeProtoStatus } from './otlp/proto-codec.ts';
import { startHarness, type Harness } from './test/harness.ts';
import { lenField, tag, withFields } from './test/otlp-proto.ts';

const NOW = (BigInt(Date.now()) * 1_000_000n).toString();
const resource = (service: string) => ({ attributes: [{ key: 'service.name', value: { stringValue: service } }] });

const span = (i: number, extra?: (w: protobuf.Writer) => void) =>
  withFields('Span', { traceId: Buffer.alloc(16, 3), spanId: Buffer.alloc(8, i), name: `s${i}`, startTimeUnixNano: NOW, endTimeUnixNano: NOW }, extra);
/** A request of one ResourceSpans (`resourceBytes`, else a resource named `service`) of one ScopeSpans of `spans`. */
function request(spans: Uint8Array[], service: string, resourceBytes?: Uint8Array): Buffer {
  const scope = protobuf.Writer.create();
  for (const s of spans) scope.uint32(tag(2, 2)).bytes(s);
  const rs = protobuf.Writer.create()
    .uint32(tag(1, 2))
    .bytes(resourceBytes ?? withFields('Resource', resource(service)))
    .uint32(tag(2, 2))
    .bytes(scope.finish());
  return Buffer.from(protobuf.Writer.create().uint32(tag(1, 2)).bytes(rs.finish()).finish());
}
const BROKEN =
  "spans whose own bytes are not a protobuf Span (a length, varint or fixed-size value inside one runs past its end, or a tag has an invalid wire type), though the request's framing around them is whole: each such span was refused, the request's other spans kept";

// Regression: a span whose own bytes were broken (an attribute, event or value inside it running past its end, a varint
// cut short, an invalid wire type), though its length in the ScopeSpans was whole, made the whole request a 400 ("not a
// valid OTLP ExportTraceServiceRequest in protobuf: truncated varint"): every good span of the request was lost, and
// the message said neither which span nor where. Such a span is now refused alone in partial_success, naming it and the
// byte; a body whose framing around the spans is broken is still a 400, now naming the message and the byte.
describe('protobuf spans whose own bytes are broken', () => {
  let h: Harness;
  const post = (body: Buffer) => h.post('/v1/traces', body, 'application/x-protobuf');
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses each such span alone, keeping the others', async () => {
    const brokenValue = [...withFields('KeyValue', { key: 'k' }), tag(2, 2), 5, tag(5, 2), 3, tag(1, 2), 9, 0];
    const attribute = (value: number[]) => lenField(9, [...withFields('KeyValue', { key: 'k' }), tag(2, 2), value.length, ...value]);
    const broken = [
      // An attribute whose length runs past the span's end.
      (w: protobuf.Writer) => w.uint32(tag(9, 2)).uint32(100).uint32(1),
      // A kind tag with no value: a varint cut short by the span's end.
      (w: protobuf.Writer) => w.uint32(tag(6, 0)),
      // A tag of wire type 7, which protobuf has not.
      (w: protobuf.Writer) => w.uint32(tag(20, 7)),
      // A start time of three bytes.
      (w: protobuf.Writer) => w.uint32(tag(7, 1)).uint32(1).uint32(1).uint32(1),
      // An event whose name runs past the event's end (the event's length is whole).
      lenField(11, [tag(2, 2), 50, 0x61]),
      // An attribute whose string value runs past the AnyValue's end.
      attribute([tag(1, 2), 40, 0x61]),
      // An attribute whose array value's item runs past the array's end.
      attribute([tag(5, 2), 3, tag(1, 2), 9, 0]),
      // A link whose trace state runs past the link's end.
      lenField(13, [tag(3, 2), 9, 0x61]),
      // A status whose code is cut short.
      lenField(15, [tag(3, 0), 0x80]),
      // An event's attribute whose array value's item runs past the array's end (each length around it whole).
      lenField(11, [tag(3, 2), brokenValue.length, ...brokenValue]),
      // A link's attribute so.
      lenField(13, [tag(4, 2), brokenValue.length, ...brokenValue]),
    ];
    const body = request([span(1), ...broken.map((extra, i) => span(10 + i, extra)), span(2)], 'broken-spans');
    const res = await post(body);
    expect(res.status).toBe(200);
    const answer = decodeProtoResponse('traces', Buffer.from(await res.arrayBuffer())) as { partialSuccess: { rejectedSpans: number; errorMessage: string } };
    expect(answer.partialSuccess.rejectedSpans).toBe(broken.length);
    expect(answer.partialSuccess.errorMessage).toMatch(
      new RegExp(
        `^${broken.length} rejected: ${escape(BROKEN)} \\(first at resourceSpans\\[0\\]\\.scopeSpans\\[0\\]\\.spans\\[1\\]: a length of 100 \\(its data from byte \\d+\\) runs past the end of its message \\(byte \\d+\\)\\)$`,
      ),
    );
    // Each alone, for its message.
    const said: string[] = [];
    for (const extra of broken) {
      const one = await post(request([span(1), span(3, extra)], 'broken-spans-one'));
      expect(one.status).toBe(200);
      const a = decodeProtoResponse('traces', Buffer.from(await one.arrayBuffer())) as { partialSuccess: { rejectedSpans: number; errorMessage: string } };
      expect(a.partialSuccess.rejectedSpans).toBe(1);
      said.push(a.partialSuccess.errorMessage.slice(`1 rejected: ${BROKEN} (first at resourceSpans[0].scopeSpans[0].spans[1]: `.length, -1));
    }
    expect(said.map((s) => s.replace(/\d+/g, 'N'))).toEqual([
      'a length of N (its data from byte N) runs past the end of its message (byte N)',
      'a varint cut short by the end of its message (byte N)',
      'invalid wire type N in the tag before byte N',
      'a fixedN cut short by the end of its message (byte N)',
      'a length of N (its data from byte N) runs past the end of its message (byte N)',
      'a length of N (its data from byte N) runs past the end of its message (byte N)',
      'a length of N (its data from byte N) runs past the end of its message (byte N)',
      'a length of N (its data from byte N) runs past the end of its message (byte N)',
      'a varint cut short by the end of its message (byte N)',
      'a length of N (its data from byte N) runs past the end of its message (byte N)',
      'a length of N (its data from byte N) runs past the end of its message (byte N)',
    ]);
    await h.collector.flush();
    expect(await h.rows(`SELECT SpanName FROM otel_traces WHERE ServiceName = 'broken-spans' ORDER BY SpanName`)).toEqual([
      { SpanName: 's1' },
      { SpanName: 's2' },
    ]);
    expect(await h.rows(`SELECT SpanName FROM otel_traces WHERE ServiceName = 'broken-spans-one' ORDER BY SpanName LIMIT 1 BY SpanName`)).toEqual([
      { SpanName: 's1' },
    ]);
  });

  it("refuses a resource's spans when one of its attributes is broken inside", async () => {
    const res = withFields('Resource', resource('broken-resource'), lenField(1, [tag(1, 2), 30, 0x61]));
    const body = Buffer.concat([request([span(1), span(2)], '', res), request([span(3)], 'broken-resource-kept')]);
    const answer = await post(body);
    expect(answer.status).toBe(200);
    const a = decodeProtoResponse('traces', Buffer.from(await answer.arrayBuffer())) as { partialSuccess: { rejectedSpans: number; errorMessage: string } };
    expect(a.partialSuccess.rejectedSpans).toBe(2);
    expect(a.partialSuccess.errorMessage.replace(/\d+ \(|byte \d+/g, (m) => m.replace(/\d+/, 'N'))).toBe(
      "2 rejected: spans whose resource is not a protobuf Resource (a length, varint or fixed-size value inside one runs past its end, or a tag has an invalid wire type): the resource's spans were refused, the request's others kept (first at resourceSpans[0].resource: a length of N (its data from byte N) runs past the end of its message (byte N))",
    );
    await h.collector.flush();
    expect(await h.rows(`SELECT SpanName FROM otel_traces WHERE ServiceName LIKE 'broken-resource%'`)).toEqual([{ SpanName: 's3' }]);
  });

  // What is inside a ResourceSpans whose length is whole refuses that ResourceSpans, or less (broken-holders.test.ts).
  it("keeps a 400 for a body whose request's own framing is broken, naming the byte", async () => {
    const good = request([span(1), span(2)], 'broken-frame');
    const cases: [body: Buffer, said: string][] = [
      // Cut short: the ResourceSpans' length runs past the body's end.
      [good.subarray(0, good.length - 5), 'in the request: a length of N (its data from byte N) runs past the end of its message (byte N)'],
      [Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), 'in the request: a length of N (its data from byte N) runs past the end of its message (byte N)'],
    ];
    for (const [body, said] of cases) {
      const res = await post(body);
      expect(res.status).toBe(400);
      const { message } = decodeProtoStatus(Buffer.from(await res.arrayBuffer()));
      // Its indices kept, its byte numbers (which the cases do not spell) read as N.
      expect(message.replace(/\d+(?!\])/g, 'N')).toBe(`The body is not a valid OTLP ExportTraceServiceRequest in protobuf: ${said}.`);
    }
  });
});

/** `s` with the characters a regular expression reads specially escaped. */
function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
