import { describe, expect, it } from 'vitest';
import { durationNsToMs, epochNsToMs } from './trace-view.ts';

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
});
