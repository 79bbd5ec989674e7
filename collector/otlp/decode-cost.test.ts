import { describe, expect, it } from 'vitest';
import { protoMessageCount } from './decode-cost.ts';
import { maxDecodedMessages } from './limits.ts';
import { messages } from './proto-codec.ts';

/** The messages protobufjs built for a decoded object (every object with a `$type`, the request included). */
function built(v: unknown): number {
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + built(x), 0);
  if (!v || typeof v !== 'object' || ArrayBuffer.isView(v)) return 0;
  return ('$type' in v ? 1 : 0) + Object.values(v).reduce((n: number, x) => n + built(x), 0);
}

/** A metrics request of `n` gauge points with two attributes each, as an SDK sends them. */
function gaugeRequest(n: number) {
  const m = messages.metrics.request;
  const points = Array.from({ length: n }, (_, i) => ({
    attributes: [
      { key: 'http.request.method', value: { stringValue: 'GET' } },
      { key: 'server.address', value: { stringValue: `host-${i % 7}.internal` } },
    ],
    timeUnixNano: 1_764_000_000_000_000_000 + i,
    asDouble: i / 3,
  }));
  const request = {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
        scopeMetrics: [{ scope: { name: 'meter' }, metrics: [{ name: 'queue.depth', gauge: { dataPoints: points } }] }],
      },
    ],
  };
  return Buffer.from(m.encode(m.fromObject(request)).finish());
}

describe('decode cost (the messages a request decoded whole would build)', () => {
  it('counts on the wire the messages protobufjs builds, and stops past the maximum', () => {
    const body = gaugeRequest(500);
    const decoded = messages.metrics.request.decode(body);
    expect(protoMessageCount(messages.metrics.request, body, Infinity)).toBe(built(decoded));
    expect(protoMessageCount(messages.metrics.request, body, 100)).toBe(101);
    // A malformed body is counted as far as it goes (its one ResourceMetrics runs past the end): protobufjs refuses it.
    expect(protoMessageCount(messages.metrics.request, body.subarray(0, 700), Infinity)).toBe(1);
    expect(() => messages.metrics.request.decode(body.subarray(0, 700))).toThrow();
  });

  // The bound must never refuse what SDKs send: a full 20 MiB body of dense data points stays under it at the defaults.
  it('takes a full default-size body of dense data points', () => {
    const body = gaugeRequest(2000);
    const count = protoMessageCount(messages.metrics.request, body, Infinity);
    const atFullBody = count * ((20 * 1024 * 1024) / body.length);
    expect(atFullBody).toBeLessThan(maxDecodedMessages(4 * 20 * 1024 * 1024));
  });
});
