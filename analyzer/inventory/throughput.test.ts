import { describe, expect, it } from 'vitest';
import { throughputPerHour } from './build-inventory.ts';

describe('throughputPerHour', () => {
  // Regression: on a fresh start the 24 h window's traces were divided by 24 h: 18.9 traces/h where the flow
  // page read ~1,800/h over the 12 minutes Weft had observed.
  it('divides by the part of the window Weft observed, when it started observing within it', () => {
    const until = '2026-11-30T12:00:00.000Z';
    expect(throughputPerHour(360, '2026-11-29T12:00:00.000Z', until, '2026-11-30T11:48:00.000Z')).toBe(1800);
    expect(throughputPerHour(360, '2026-11-29T12:00:00.000Z', until)).toBe(15);
    // Observing since before the window: the whole window.
    expect(throughputPerHour(360, '2026-11-29T12:00:00.000Z', until, '2026-11-01T00:00:00.000Z')).toBe(15);
    // Less than a minute observed counts as a minute.
    expect(throughputPerHour(2, '2026-11-29T12:00:00.000Z', until, '2026-11-30T11:59:50.000Z')).toBe(120);
  });
});
