import { describe, expect, it } from 'vitest';
import { countChange, latencyChange, ratioChange } from './period-change.ts';

describe('change from the previous period', () => {
  it('writes a count change with its percentage, and from none the count alone', () => {
    expect(countChange(3, 2)).toBe('+1 (+50%)');
    expect(countChange(0, 3)).toBe('−3 (−100%)');
    expect(countChange(1204, 1000)).toBe('+204 (+20%)');
    expect(countChange(3, 0)).toBe('+3');
    expect(countChange(0, 0)).toBe('±0');
    expect(countChange(3, undefined)).toBe('–');
  });

  it('writes an error-rate change in percentage points, and none where a period had no trace', () => {
    expect(ratioChange(0.25, 0.125)).toBe('+12.5 pp');
    expect(ratioChange(0, 0.5)).toBe('−50 pp');
    expect(ratioChange(0.1, 0.1)).toBe('±0 pp');
    expect(ratioChange(0.1, null)).toBe('–');
  });

  it('writes a latency change as every duration is written, and none from "no data" (never from 0 ms)', () => {
    expect(latencyChange(60, 48)).toBe('+12.0 ms (+25%)');
    expect(latencyChange(18_000, 30_000)).toBe('−12.0 s (−40%)');
    expect(latencyChange(40.2, 40)).toBe('+200 µs (+1%)');
    // the two latencies read "40.0 ms": no change shown
    expect(latencyChange(40.02, 40)).toBe('±0 ms');
    expect(latencyChange(40, null)).toBe('–');
    expect(latencyChange(null, 40)).toBe('–');
  });
});
