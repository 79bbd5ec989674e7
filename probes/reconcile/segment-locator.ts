/**
 * Most differing segments hold a single difference. Besides its count and row-hash sum, a segment
 * can carry Σ u·(h mod 2^30) over its rows — u the row's unit (for hashed keys its spread), h its
 * row hash — and from both sides' three sums the unit of a single missing, extra or changed row
 * follows by one division. Only that unit's rows are then downloaded, with no further level; the
 * segment is accepted only if those rows account for its whole difference (`explains`), so a
 * segment with several differences is never taken for one with a single difference.
 */

/** Bits of the row hash in the weight: u (32 bits) × weight stays below 2^63 in both databases' integers. */
export const WEIGHT_BITS = 30;
const M = 2n ** BigInt(WEIGHT_BITS);

export interface LocatorSums {
  count: number;
  /** Σ row hash, as decimal text. */
  sum: string;
  /** Σ unit × (row hash mod 2^30), as decimal text; absent when the level did not compute it. */
  weighted?: string;
}

const big = (s: string | undefined) => BigInt(s ?? '0');

/**
 * The units (0, 1 or 2 candidates, ≥ 0) where a segment's single difference would lie, from the two
 * sides' sums: a row on one side only (counts differ by one: its hash is the sums' difference, its
 * unit the weighted sums' difference divided by its weight), or a changed row (counts equal: the
 * weights' difference is the hashes' difference modulo 2^30, or that less 2^30). Empty when the
 * sums cannot come from one difference, or when a side lacks the weighted sum.
 */
export function locateUnits(l: LocatorSums | undefined, r: LocatorSums | undefined): number[] {
  if ((l && l.weighted === undefined) || (r && r.weighted === undefined)) return [];
  const dn = (l?.count ?? 0) - (r?.count ?? 0);
  const dh = big(l?.sum) - big(r?.sum);
  const dw = big(l?.weighted) - big(r?.weighted);
  const units: bigint[] = [];
  if (dn === 1 || dn === -1) {
    const sign = BigInt(dn);
    const h = sign * dh;
    const w = h % M;
    if (h >= 0n && w !== 0n && (sign * dw) % w === 0n) units.push((sign * dw) / w);
  } else if (dn === 0 && dh !== 0n) {
    const low = ((dh % M) + M) % M;
    for (const delta of [low, low - M]) if (delta !== 0n && dw % delta === 0n) units.push(dw / delta);
  }
  return units.filter((u) => u >= 0n && u <= BigInt(Number.MAX_SAFE_INTEGER)).map(Number);
}

/** Count and hash sum of some rows: those of a located unit, on one side. */
export interface RowsTotal {
  count: number;
  sum: bigint;
}

/**
 * Whether the downloaded rows of a segment's located units account for its whole difference: the
 * rest of the segment has the same count and hash sum on both sides (as a matching segment has).
 */
export function explains(l: LocatorSums | undefined, r: LocatorSums | undefined, inL: RowsTotal, inR: RowsTotal): boolean {
  return (l?.count ?? 0) - inL.count === (r?.count ?? 0) - inR.count && big(l?.sum) - inL.sum === big(r?.sum) - inR.sum;
}
