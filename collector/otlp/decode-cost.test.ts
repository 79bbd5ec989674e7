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

/**
 * A metrics request of `n` gauge points, as an SDK sends them: two attributes each, or the five short ones of hostmetrics'
 * system.filesystem.usage (device, mode, mountpoint, type, state).
 */
function gaugeRequest(n: number, attributes: 2 | 5 = 2) {
  const m = messages.metrics.request;
  const attrs = (i: number) =>
    attributes === 2
      ? [
          { key: 'http.request.method', value: { stringValue: 'GET' } },
          { key: 'server.address', value: { stringValue: `host-${i % 7}.internal` } },
        ]
      : [
          { key: 'device', value: { stringValue: `sd${'abcd'[i % 4]}1` } },
          { key: 'mode', value: { stringValue: 'rw' } },
          { key: 'mountpoint', value: { stringValue: '/' } },
          { key: 'type', value: { stringValue: 'ext4' } },
          { key: 'state', value: { stringValue: 'used' } },
        ];
  const points = Array.from({ length: n }, (_, i) => ({
    attributes: attrs(i),
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
  // Regression (break test): points with five short attributes, as the OpenTelemetry Collector's hostmetrics receiver
  // sends system.filesystem.usage, spend 11.5 bytes a message, and a bound of budget / 48 refused them from 19.2 MiB.
  it('takes a full default-size body of dense data points', () => {
    for (const attributes of [2, 5] as const) {
      const body = gaugeRequest(2000, attributes);
      const count = protoMessageCount(messages.metrics.request, body, Infinity);
      const atFullBody = count * ((20 * 1024 * 1024) / body.length);
      expect([attributes, atFullBody < maxDecodedMessages(4 * 20 * 1024 * 1024)]).toEqual([attributes, true]);
    }
  });
});
