import { CronTime } from 'cron';
import { describe, expect, it } from 'vitest';
import { longestCronGapMs } from './cron-gap.ts';

const H = 3_600_000;

/** The longest gap between the cron package's own consecutive ticks from `from` over `ticks` ticks (ms). */
function libraryGap(cron: string, from: string, ticks: number): number {
  const time = new CronTime(cron, 'UTC');
  let at = time.getNextDateFrom(new Date(from)).toJSDate();
  let longest = 0;
  for (let i = 0; i < ticks; i++) {
    const next = time.getNextDateFrom(at).toJSDate();
    longest = Math.max(longest, next.getTime() - at.getTime());
    at = next;
  }
  return longest;
}

describe('longestCronGapMs', () => {
  it('is the longest time between two ticks: a day, a week, a weekend, a month', () => {
    expect(longestCronGapMs('0 2 * * *')).toBe(24 * H);
    expect(longestCronGapMs('0 6 * * 1')).toBe(168 * H);
    expect(longestCronGapMs('*/15 9-17 * * 1-5')).toBe(63.25 * H);
    expect(longestCronGapMs('0 0,12 * * *')).toBe(12 * H);
    expect(longestCronGapMs('30 1 1 * *')).toBe(31 * 24 * H);
    expect(longestCronGapMs('* * * * *')).toBe(60_000);
    expect(longestCronGapMs('*/10 * * * * *')).toBe(10_000);
    // Either the 13th or a Friday (both restricted), as the cron package runs it.
    expect(longestCronGapMs('0 0 13 * 5')).toBe(7 * 24 * H);
    // 29 February: once in four years; the 30th of February never.
    expect(longestCronGapMs('0 0 29 2 *')).toBe((3 * 365 + 366) * 24 * H);
    expect(longestCronGapMs('0 0 30 2 *')).toBeUndefined();
  });

  it("agrees with the cron package's own ticks", () => {
    for (const [cron, ticks] of [
      ['0 2 * * *', 60],
      ['0 6 * * 1', 20],
      ['*/15 9-17 * * 1-5', 400],
      ['0 0 13 * 5', 60],
      ['0 8 1,15 * *', 30],
      ['0 3 * 1,4,7,10 0', 40],
      ['5 4 * * 6,0', 30],
      ['0 0 31 * *', 14],
    ] as const)
      expect(longestCronGapMs(cron), cron).toBe(libraryGap(cron, '2026-01-01T00:00:00Z', ticks));
  });

  it('throws on what is not a cron expression', () => {
    expect(() => longestCronGapMs('every night')).toThrow();
  });
});
