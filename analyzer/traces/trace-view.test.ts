import { describe, expect, it } from 'vitest';
import { durationNsToMs, epochNsToMs, offsetNsToMs, treeOrder, type TraceSpan } from './trace-view.ts';

describe('trace view times', () => {
  it('keeps a span duration to the nanosecond (an 834 ns span is not 0 ms)', () => {
    expect(durationNsToMs('834')).toBe(0.000834);
    expect(durationNsToMs('1')).toBe(0.000001);
    expect(durationNsToMs('0')).toBe(0);
    expect(durationNsToMs('2510000000')).toBe(2510);
    // A day in nanoseconds is still exact in a double.
    expect(durationNsToMs('86400000000001')).toBe(86_400_000.000001);
  });
  it('writes a point in time in epoch milliseconds to the microsecond', () => {
    expect(epochNsToMs('1764500000123456789')).toBe(1_764_500_000_123.456);
    expect(epochNsToMs('0')).toBe(0);
  });

  // Regression: offsets were epoch-millisecond doubles subtracted in the UI, each to the microsecond, so a
  // child 100 ns after the root showed "+0 ms", one 700 ns after "+977 ns", an event at 1000 ns "+977 ns".
  it("gives an offset from the trace's start to the nanosecond", () => {
    const origin = 1_764_500_000_123_456_789n;
    const at = (ns: bigint) => (origin + ns).toString();
    expect(offsetNsToMs(at(100n), origin)).toBe(0.0001);
    expect(offsetNsToMs(at(700n), origin)).toBe(0.0007);
    expect(offsetNsToMs(at(1000n), origin)).toBe(0.001);
    expect(offsetNsToMs(at(0n), origin)).toBe(0);
    expect(offsetNsToMs(at(2_510_000_000n), origin)).toBe(2510);
    expect(offsetNsToMs(at(-300n), origin)).toBe(-0.0003);
    // What the subtraction of epoch milliseconds gave, for contrast: not 0.0007.
    expect(epochNsToMs(at(700n)) - epochNsToMs(at(0n))).not.toBe(0.0007);
  });
  it('orders spans 100 ns apart by their offsets', () => {
    const span = (spanId: string, offsetMs: number): TraceSpan => ({
      spanId,
      parentSpanId: 'root',
      name: spanId,
      kind: 'Internal',
      service: 's',
      startMs: 1_764_500_000_123.456,
      offsetMs,
      durationMs: 0.001,
      status: 'Unset',
      statusMessage: '',
      attributes: {},
      resource: {},
      events: [],
      systems: [],
      depth: 0,
    });
    const out = treeOrder([span('late', 0.0007), span('early', 0.0001), { ...span('root', 0), parentSpanId: '', durationMs: 1 }]);
    expect(out.map((s) => s.spanId)).toEqual(['root', 'early', 'late']);
  });
  // Regression: spans whose parent ids form a cycle (A under C, B under A, C under B) were shown flat at depth 0, where
  // the same calls as a chain nest; each cycle is now shown from its earliest span, nested as the chain would be.
  it('nests a parent cycle of any length from its earliest span, and ends', () => {
    const span = (spanId: string, parentSpanId: string, offsetMs: number): TraceSpan => ({
      spanId,
      parentSpanId,
      name: spanId,
      kind: 'Client',
      service: 's',
      startMs: 1_764_500_000_000 + offsetMs,
      offsetMs,
      durationMs: 1,
      status: 'Unset',
      statusMessage: '',
      attributes: {},
      resource: {},
      events: [],
      systems: [],
      depth: 0,
    });
    const shown = (spans: TraceSpan[]) => treeOrder(spans).map((s) => `${s.spanId}@${s.depth}`);
    expect(shown([span('r', '', 0), span('a', 'r', 1), span('b', 'a', 2), span('c', 'b', 3)])).toEqual(['r@0', 'a@1', 'b@2', 'c@3']);
    expect(shown([span('r', '', 0), span('b', 'a', 2), span('c', 'b', 3), span('a', 'c', 1)])).toEqual(['r@0', 'a@0', 'b@1', 'c@2']);
    expect(shown([span('x', 'y', 5), span('y', 'x', 4), span('s', 's', 9)])).toEqual(['s@0', 'y@0', 'x@1']);
  });
});
