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

  // Regression: runs sent after they ran (a gateway's backlog, history sent to a new installation) are counted in the
  // minutes they ran, before Weft first received a span: 12 runs of the 12 minutes before a fresh start, received in
  // its first 90 s, read 478 traces/h instead of 60.
  it('counts from the first run counted when it ran before Weft started observing', () => {
    const until = '2026-11-30T12:00:00.000Z';
    const since = '2026-11-29T12:00:00.000Z';
    expect(throughputPerHour(12, since, until, '2026-11-30T11:58:30.000Z', '2026-11-30T11:48:00.000Z')).toBe(60);
    // A backlog of the whole window: the whole window, not the minute observed.
    expect(throughputPerHour(1440, since, until, '2026-11-30T11:59:00.000Z', '2026-11-29T12:00:00.000Z')).toBe(60);
    // A run before the window's start counts from the start; a run after observing began changes nothing.
    expect(throughputPerHour(360, since, until, '2026-11-30T11:48:00.000Z', '2026-11-01T00:00:00.000Z')).toBe(15);
    expect(throughputPerHour(360, since, until, '2026-11-30T11:48:00.000Z', '2026-11-30T11:50:00.000Z')).toBe(1800);
    // A past window (the period before, on the flow page) Weft had not observed yet but holds runs sent late.
    expect(throughputPerHour(60, '2026-11-29T10:00:00.000Z', '2026-11-29T11:00:00.000Z', '2026-11-30T11:48:00.000Z', '2026-11-29T10:00:00.000Z')).toBe(60);
  });
});
