import { describe, expect, it } from 'vitest';
import { tickLabel, timeTicks } from './time-ticks.ts';

const MINUTE = 60_000;
const local = (...a: [number, number, number, number?, number?]) => new Date(a[0], a[1], a[2], a[3] ?? 0, a[4] ?? 0).getTime();

describe('time axis ticks', () => {
  it('lays round local times across a day, a month and a year boundary, as many as asked for', () => {
    for (const end of [local(2026, 11, 1, 0, 50), local(2027, 0, 1, 0, 20), local(2026, 10, 30, 12, 50)]) {
      const ticks = timeTicks(end - 60 * MINUTE, end, 4);
      expect(ticks.map(tickLabel).length).toBeGreaterThanOrEqual(3);
      expect(ticks.length).toBeLessThanOrEqual(5);
      for (const t of ticks) {
        expect(t).toBeGreaterThanOrEqual(end - 60 * MINUTE);
        expect(t).toBeLessThanOrEqual(end);
        expect(new Date(t).getMinutes() % 15).toBe(0);
      }
    }
  });

  it('writes a local midnight as a date (with the year on 1 January), any other tick as its time', () => {
    expect(tickLabel(local(2026, 11, 1))).toBe('1 Dec');
    expect(tickLabel(local(2027, 0, 1))).toBe('1 Jan 2027');
    expect(tickLabel(local(2026, 10, 30, 23, 45))).toBe('23:45');
    expect(tickLabel(local(2026, 10, 30, 0, 5))).toBe('00:05');
  });

  it('steps by days and by months over long ranges, on local midnights and firsts of months', () => {
    const week = timeTicks(local(2026, 10, 24, 13), local(2026, 11, 1, 13), 6);
    expect(week.map(tickLabel)).toEqual(['25 Nov', '27 Nov', '29 Nov', '1 Dec']);
    const year = timeTicks(local(2026, 0, 10), local(2027, 1, 10), 4);
    expect(year.map(tickLabel)).toEqual(['1 Jul', '1 Jan 2027']);
    // A day is laid on its own midnight, also when the range starts after it.
    expect(timeTicks(local(2026, 10, 29, 20), local(2026, 10, 30, 20), 4).map(tickLabel)).toEqual(['30 Nov', '06:00', '12:00', '18:00']);
  });
});
