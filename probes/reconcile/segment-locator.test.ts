import { describe, expect, it } from 'vitest';
import { explains, locateUnits, type LocatorSums } from './segment-locator.ts';

/** A segment's sums over rows of (unit, row hash), as both databases compute them. */
const sums = (rows: Array<[number, bigint]>): LocatorSums => ({
  count: rows.length,
  sum: rows.reduce((s, [, h]) => s + h, 0n).toString(),
  weighted: rows.reduce((s, [u, h]) => s + BigInt(u) * (h % 2n ** 30n), 0n).toString(),
});
const rows: Array<[number, bigint]> = [
  [7, 0x0abcdef012345n],
  [91, 0xfedcba9876543n * 97n],
  [4_000_000_000, 2n ** 59n + 12345n],
  [12, 0x1234567890abcn],
];

describe('locateUnits', () => {
  it('finds the unit of a single missing, extra or changed row', () => {
    expect(locateUnits(sums(rows), sums(rows.filter(([u]) => u !== 91)))).toEqual([91]);
    expect(locateUnits(sums(rows.slice(1)), sums(rows))).toEqual([7]);
    const changed = rows.map(([u, h]): [number, bigint] => [u, u === 4_000_000_000 ? h - 2n ** 40n + 5n : h]);
    expect(locateUnits(sums(rows), sums(changed))).toContain(4_000_000_000);
    expect(locateUnits(undefined, sums([[3, 99n]]))).toEqual([3]);
  });

  it('gives nothing when a side lacks the weighted sum, or when the sums cannot come from one difference', () => {
    expect(locateUnits({ count: 4, sum: '10' }, sums(rows))).toEqual([]);
    expect(locateUnits(sums(rows), sums(rows.slice(2)))).toEqual([]);
  });
});

describe('explains', () => {
  it('accepts a located unit only when its rows account for the whole difference of the segment', () => {
    const right = rows.filter(([u]) => u !== 91 && u !== 12);
    const total = (rs: Array<[number, bigint]>) => ({ count: rs.length, sum: rs.reduce((s, [, h]) => s + h, 0n) });
    // two rows missing: a unit holding one of them leaves a difference elsewhere in the segment
    expect(explains(sums(rows), sums(right), total(rows.filter(([u]) => u === 91)), total([]))).toBe(false);
    expect(explains(sums(rows), sums(right), total(rows.filter(([u]) => u === 91 || u === 12)), total([]))).toBe(true);
  });
});
