import { describe, expect, it } from 'vitest';
import { MAX_ANY_VALUE_DEPTH } from '../../core/config/index.ts';
import { ingestBody } from '../http/ingest.ts';
import { defaultIngestLimits } from './limits.ts';
import { messages } from './proto-codec.ts';

/** An attribute value nesting `levels` kvlists, innermost a string. */
function nested(levels: number): Record<string, unknown> {
  let v: Record<string, unknown> = { stringValue: 'leaf' };
  for (let i = 0; i < levels; i++) v = { kvlistValue: { values: [{ key: `k${i}`, value: v }] } };
  return v;
}

/** One span whose attribute `deep` nests `levels` kvlists. */
function request(levels: number): Record<string, unknown> {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'deep' } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: '0af7651916cd43dd8448eb211c80319c',
                spanId: 'b7ad6b7169203331',
                name: 'deep',
                kind: 3,
                startTimeUnixNano: '1764230400000000000',
                endTimeUnixNano: '1764230400100000000',
                attributes: [{ key: 'deep', value: nested(levels) }],
              },
            ],
          },
        ],
      },
    ],
  };
}

const json = (levels: number) => Buffer.from(JSON.stringify(request(levels)));
function proto(levels: number): Buffer {
  const t = messages.traces.request;
  const r = request(levels) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, string>> }> }> };
  const span = r.resourceSpans[0].scopeSpans[0].spans[0];
  span.traceId = Buffer.from(span.traceId, 'hex').toString('base64');
  span.spanId = Buffer.from(span.spanId, 'hex').toString('base64');
  return Buffer.from(t.encode(t.fromObject(r)).finish());
}

// Regression: WEFT_MAX_ANY_VALUE_DEPTH took any number; under a limit of a million, a request nesting 1,000 kvlists
// overflowed the OTLP/JSON decoder's stack (RangeError: Maximum call stack size exceeded, answered 500); and over
// protobuf, a value nesting 33 kvlists or more under a raised limit hit protobufjs' own 100 nested messages (a plain
// Error "max depth exceeded", answered 500).
describe('AnyValue nesting at the largest limit WEFT_MAX_ANY_VALUE_DEPTH allows', () => {
  const limits = { ...defaultIngestLimits(20 << 20), maxAnyValueDepth: MAX_ANY_VALUE_DEPTH };

  it.each([
    ['OTLP/JSON', json],
    ['OTLP/protobuf', proto],
  ])('%s: decodes a value nesting that many levels, and refuses a deeper one with a 400 naming the limit', (_wire, body) => {
    const wire = body === json ? 'json' : 'proto';
    expect(ingestBody('traces', wire, body(MAX_ANY_VALUE_DEPTH), { limits }).accepted).toBe(1);
    // (protobufjs, which encodes the test's protobuf bodies, stops at about 260 levels.)
    for (const levels of wire === 'json' ? [MAX_ANY_VALUE_DEPTH + 1, 1_000] : [MAX_ANY_VALUE_DEPTH + 1]) {
      let err: unknown;
      try {
        const batch = ingestBody('traces', wire, body(levels), { limits });
        // The protobuf decoder rejects the span (partial success) rather than the request.
        expect(batch.accepted).toBe(0);
        expect(batch.message).toMatch(/deeper than 256 levels/);
        continue;
      } catch (e) {
        err = e;
      }
      expect(err).not.toBeInstanceOf(RangeError);
      expect((err as { statusCode?: number }).statusCode).toBe(400);
      expect(String((err as Error).message)).toMatch(/256/);
    }
  });
});
