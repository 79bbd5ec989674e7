import { describe, expect, it } from 'vitest';
import { encodeBodies } from '../../bench/ingest-spans.ts';
import { encodeRows } from '../rows/row-binary.ts';
import { RowBinaryWriter } from '../rows/row-binary-writer.ts';
import { tables } from '../rows/tables.ts';
import { traceRows } from '../rows/trace-rows.ts';
import { decodeProto, messages } from './proto-codec.ts';
import { TraceDecoder } from './trace-decoder.ts';

const id = (hex: string) => Buffer.from(hex, 'hex');
const kv = (key: string, value: Record<string, unknown>) => ({ key, value });

function encode(request: unknown): Buffer {
  const t = messages.traces.request;
  return Buffer.from(t.encode(t.fromObject(request as Record<string, unknown>)).finish());
}

/** What the reference path (protobufjs decode, object mapper, RowBinary encoder) produces. */
function reference(body: Buffer) {
  const m = traceRows(decodeProto('traces', body));
  return { bytes: encodeRows(tables.otel_traces, m.rows), rows: m.rows.length, rejected: m.rejected };
}

function fast(body: Buffer) {
  const out = new RowBinaryWriter(64);
  const r = new TraceDecoder().decode(body, out);
  return { bytes: Buffer.from(out.view()), rows: r.rows, rejected: r.rejected };
}

describe('TraceDecoder', () => {
  it('writes the same rows as the reference path for spans from the OpenTelemetry SDK', () => {
    for (const body of encodeBodies(2, 40)) expect(fast(body)).toEqual(reference(body));
  });

  it('agrees with the reference path on every value kind and edge case', () => {
    const body = encode({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  name: 'edge',
                  traceId: id('0102030405060708090a0b0c0d0e0f10'),
                  spanId: id('1112131415161718'),
                  parentSpanId: id('0000000000000000'),
                  traceState: 'k=v',
                  kind: 5,
                  startTimeUnixNano: '1764230400123456789',
                  endTimeUnixNano: '1764230400000000000',
                  attributes: [
                    kv('neg', { intValue: '-42' }),
                    kv('big', { intValue: '9007199254740993' }),
                    kv('min', { intValue: '-9223372036854775808' }),
                    kv('dbl', { doubleValue: 1.5e-7 }),
                    kv('inf', { doubleValue: Infinity }),
                    kv('f', { boolValue: false }),
                    kv('bytes', { bytesValue: Buffer.from([0, 1, 254]) }),
                    kv('arr', { arrayValue: { values: [{ stringValue: 'x' }, { intValue: 3 }, { kvlistValue: { values: [kv('a', { boolValue: true })] } }] } }),
                    kv('empty', {}),
                    kv('unicode', { stringValue: 'zürich "quoted" \\ \n ✓' }),
                  ],
                  events: [{ name: 'no time' }, { timeUnixNano: '1764230400200000000', name: 'e', attributes: [kv('n', { intValue: 1 })] }],
                  links: [{ traceId: id('0102030405060708090a0b0c0d0e0f10'), spanId: id('2122232425262728'), traceState: 's', attributes: [] }],
                  status: { code: 1, message: 'fine' },
                },
                { name: 'rejected', traceId: Buffer.alloc(0), spanId: id('1112131415161719') },
              ],
            },
          ],
          resource: { attributes: [kv('service.name', { stringValue: 'svc' }), kv('region', { stringValue: 'eu' })] },
        },
        { scopeSpans: [{ scope: { name: 'only-scope', version: '9' }, spans: [{ name: 'minimal', traceId: id('ff'.repeat(16)), spanId: id('ee'.repeat(8)) }] }] },
      ],
    });
    const got = fast(body);
    expect(got).toEqual(reference(body));
    expect(got.rows).toBe(2);
    expect(got.rejected).toBe(1);
  });

  it('refuses truncated and garbage bodies with the reference wording', () => {
    const [body] = encodeBodies(1, 8);
    for (const bad of [body.subarray(0, body.length - 5), Buffer.from([0x0a, 0x05, 0x12, 0xff]), Buffer.from([0x0b, 0x01])]) {
      expect(() => fast(bad)).toThrow(/^The body is not a valid OTLP ExportTraceServiceRequest in protobuf: /);
    }
  });

  it('names the field of an id with the wrong length', () => {
    const body = encode({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: id('01'.repeat(16)), spanId: id('01'.repeat(8)), links: [{ traceId: id('0102'), spanId: id('01'.repeat(8)) }] }] }] }] });
    expect(() => fast(body)).toThrow('resourceSpans[0].scopeSpans[0].spans[0].links[0].traceId must be 16 bytes, got 2.');
  });
});
