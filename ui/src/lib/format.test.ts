import { describe, expect, it } from 'vitest';
import { ago, day, duration, isIsoTime, ms, when } from './format.ts';

const berlin = { timeZone: 'Europe/Berlin' };

describe('time formats', () => {
  it('writes a time one way: local day, month name, year and a 24-hour clock', () => {
    expect(when('2026-11-30T07:08:12.345Z', berlin)).toBe('30 Nov 2026, 08:08:12');
    expect(when('2026-07-01T22:30:00Z', berlin)).toBe('2 Jul 2026, 00:30:00');
    expect(when('2026-11-30T07:08:12Z', { timeZone: 'America/New_York' })).toBe('30 Nov 2026, 02:08:12');
    // ms since the epoch (the flow charts' buckets) read the same as the API's ISO strings.
    expect(when(Date.parse('2026-11-30T07:08:12.345Z'), berlin)).toBe(when('2026-11-30T07:08:12.345Z', berlin));
    // An offset is a time too.
    expect(when('2026-11-30T08:08:12+01:00', berlin)).toBe('30 Nov 2026, 08:08:12');
  });

  it('says "–" for no time and shows a value that is not a time as it is', () => {
    expect(when(null)).toBe('–');
    expect(when('')).toBe('–');
    expect(when('soon')).toBe('soon');
    expect(day(undefined)).toBe('–');
  });

  // Regression: past a week, "last seen" fell back to the ISO date (2026-01-01) where every other time was local.
  it('writes an old "ago" as the date, the way every date is written', () => {
    const now = Date.parse('2026-11-30T12:00:00Z');
    expect(ago('2026-11-30T11:57:00Z', now)).toBe('3 min ago');
    expect(ago('2026-11-28T12:00:00Z', now)).toBe('2 d ago');
    expect(ago('2026-01-01T00:30:00Z', now, berlin)).toBe('1 Jan 2026');
    expect(ago('2026-01-01T00:30:00Z', now, berlin)).toBe(day('2026-01-01T00:30:00Z', berlin));
    expect(ago('2026-01-01T00:30:00Z', now, berlin)).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(ago(null, now)).toBe('never');
  });

  it('tells an ISO 8601 date-time from other text', () => {
    for (const t of ['2026-11-30T07:08:12.345Z', '2026-11-30T07:08:12Z', '2026-11-30T07:08Z', '2026-11-30T08:08:12+01:00']) expect(isIsoTime(t), t).toBe(true);
    for (const t of ['2026-11-30', '07:08:12', 'crm.demo.local', '2026-13-45T99:99:99Z', 'since 2026-11-30T07:08:12Z', 42, null])
      expect(isIsoTime(t), String(t)).toBe(false);
  });
});

describe('duration', () => {
  // Regression: the trace waterfall wrote "5.061 ms" beside "2.51 s" and "12.3 ms" (three rules in one function),
  // and other pages had their own ("2,517 ms"); at 390 px the figures did not read alike.
  it('writes every duration under a minute with three significant digits in the unit that suits it', () => {
    expect([0.000834, 0.0834, 0.83412, 1.2, 5.0613, 12.34, 123.4, 2510, 12_500, 59_940].map(duration)).toEqual([
      '834 ns',
      '83.4 µs',
      '834 µs',
      '1.20 ms',
      '5.06 ms',
      '12.3 ms',
      '123 ms',
      '2.51 s',
      '12.5 s',
      '59.9 s',
    ]);
  });

  it('moves to the next unit where rounding reaches it', () => {
    expect(duration(0.99996)).toBe('1.00 ms');
    expect(duration(999.6)).toBe('1.00 s');
    expect(duration(59_970)).toBe('1 min');
  });

  it('writes a minute or more in whole units as people say them, the two largest', () => {
    expect([60_000, 250_000, 3_600_000, 12_000_000, 12_005_000, 90_000_000].map(duration)).toEqual([
      '1 min',
      '4 min 10 s',
      '1 h',
      '3 h 20 min',
      '3 h 20 min',
      '1 d 1 h',
    ]);
  });

  it('writes zero, a negative duration and none', () => {
    expect(duration(0)).toBe('0 ms');
    expect(duration(-1.2)).toBe('−1.20 ms');
    expect(duration(null)).toBe('–');
    expect(duration(undefined)).toBe('–');
    expect(duration(Number.NaN)).toBe('–');
    expect(ms(1234)).toBe('1.23 s');
    expect(ms(null)).toBe('–');
  });
});
