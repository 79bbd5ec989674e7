import { explains, locateUnits, type RowsTotal } from './segment-locator.ts';
import type { KeyRange, RowKey, SegmentSum, SideQueries } from './sql-side.ts';

export interface BisectOptions {
  /** First-level segments wanted (rounded so that every level splits a segment into `factor`). */
  segments?: number;
  /** A differing segment is downloaded (keys and row hashes) once it holds at most this many rows. */
  downloadBelow: number;
  /** Ways a differing segment is split at least: a power of two (default 16); more when the largest differing segment holds more than `factor × downloadBelow` rows, so that the next level's segments are small enough to download. */
  factor?: number;
  /** Share (0–1) of both tables' rows that may be downloaded whole instead of split by one more level, when a level's differing segments hold several differences each; default 0 (always split). */
  wholeShare?: number;
  onLevel?: (level: { level: number; width: number; segments: number; differing: number; downloading: number }) => void | Promise<void>;
}

export interface BisectResult {
  /** In the left side (system of record), not in the right. */
  missing: RowKey[];
  /** In the right side, not in the left. */
  extra: RowKey[];
  /** In both, compared columns differ. */
  changed: RowKey[];
  leftRows: number;
  rightRows: number;
  levels: number;
  checksumRows: number;
  rowsDownloaded: number;
}

/** Adjacent ranges become one, so a level's WHERE stays short. */
export function mergeRanges(ranges: KeyRange[]): KeyRange[] {
  const sorted = [...ranges].sort((a, b) => a.from - b.from);
  const out: KeyRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to) last.to = Math.max(last.to, r.to);
    else out.push({ ...r });
  }
  return out;
}

/** The first-level width: a power of two, so that each level's buckets (width / factor) nest in the previous level's. */
export function firstWidth(span: number, segments: number): number {
  let width = 1;
  while (span / width > segments) width *= 2;
  return width;
}

/**
 * How many ways to split the differing segments of a level: at least `factor`, and enough that the
 * largest (`largest` rows) becomes segments of about `downloadBelow` rows — a skewed first level (many
 * keys in one segment) then costs one more level, not one per factor of 16. A power of two, at most
 * `width` (segments of one point) and 65,536 (segment sums a level may return per split segment).
 */
export function splitFactor(largest: number, downloadBelow: number, factor: number, width: number): number {
  let f = factor;
  while (f < 65_536 && largest / f > downloadBelow) f *= 2;
  return Math.min(f, Math.max(1, width));
}

function differs(a: SegmentSum | undefined, b: SegmentSum | undefined): boolean {
  return (a?.count ?? 0) !== (b?.count ?? 0) || (a?.sum ?? '0') !== (b?.sum ?? '0') || (a?.weighted ?? '0') !== (b?.weighted ?? '0');
}

/** A differing segment whose single difference was located: its sums on both sides, and the unit ranges downloaded for it. */
interface Located {
  range: KeyRange;
  width: number;
  largest: number;
  l?: SegmentSum;
  r?: SegmentSum;
  units: KeyRange[];
}

const largestOf = (segments: Array<{ largest: number }>) => segments.reduce((n, s) => Math.max(n, s.largest), 0);

/** Count and hash sum of the downloaded rows of each located segment's units, on one side. */
function totalsIn(rows: Map<RowKey, string>, located: Located[], unit: number, unitOf: (key: RowKey) => number): RowsTotal[] {
  const totals = located.map(() => ({ count: 0, sum: 0n }));
  const byUnit = new Map<number, number>();
  located.forEach((s, i) => s.units.forEach((u) => byUnit.set(u.from / unit, i)));
  for (const [key, h] of rows) {
    const i = byUnit.get(unitOf(key));
    if (i === undefined) continue;
    totals[i].count++;
    totals[i].sum += BigInt(h);
  }
  return totals;
}

/**
 * Checksum bisection: both databases sum row hashes per key bucket in one query per level; only
 * buckets whose count or sum differ are split further (`factor` ways), and a differing bucket is
 * downloaded as key + hash once it is small. Gaps in the key space cost nothing: empty buckets
 * return no rows. Where both sides have a `locator` (levels are scans), a differing bucket that
 * holds a single difference is settled at once by downloading the one unit it lies in; the
 * others are downloaded whole when they fit `wholeShare`, else split by another level.
 */
export async function bisect(left: SideQueries, right: SideQueries, options: BisectOptions): Promise<BisectResult> {
  const factor = options.factor ?? 16;
  const [lb, rb] = await Promise.all([left.bounds(), right.bounds()]);
  const result: BisectResult = { missing: [], extra: [], changed: [], leftRows: 0, rightRows: 0, levels: 0, checksumRows: 0, rowsDownloaded: 0 };
  const mins = [lb.min, rb.min].filter((v): v is number => v !== null);
  const maxs = [lb.max, rb.max].filter((v): v is number => v !== null);
  if (mins.length === 0) return result;
  const lo = Math.min(...mins);
  const hi = Math.max(...maxs);
  // The planners' row estimates size the first level; without one, the key span does (dense keys).
  const span = hi - lo + 1;
  const rows = Math.max(lb.estimate, rb.estimate) > 0 ? Math.min(span, Math.max(lb.estimate, rb.estimate)) : span;
  let width = firstWidth(span, options.segments ?? Math.max(1, Math.min(65_536, Math.ceil(rows / 512))));
  let ranges: KeyRange[] | null = null;
  const locator = left.locator && right.locator && left.locator.unit === right.locator.unit && lo === 0 ? left.locator : undefined;
  const lrows = new Map<RowKey, string>();
  const rrows = new Map<RowKey, string>();

  // Rounds: levels down to downloadable segments, one download, then located segments that their units do not explain go round again.
  for (;;) {
    const leaves: KeyRange[] = [];
    const located: Located[] = [];
    for (;;) {
      const locate = locator !== undefined && width > locator.unit;
      const [ls, rs] = await Promise.all([left.summarize(lo, width, ranges, locate), right.summarize(lo, width, ranges, locate)]);
      result.checksumRows += ls.size + rs.size;
      if (result.levels === 0) {
        for (const v of ls.values()) result.leftRows += v.count;
        for (const v of rs.values()) result.rightRows += v.count;
      }
      const next: Array<{ range: KeyRange; rows: number; largest: number }> = [];
      let downloading = 0;
      for (const b of new Set([...ls.keys(), ...rs.keys()])) {
        const l = ls.get(b);
        const r = rs.get(b);
        if (!differs(l, r)) continue;
        const range = { from: lo + b * width, to: lo + (b + 1) * width };
        const largest = Math.max(l?.count ?? 0, r?.count ?? 0);
        // Small, or present on one side only (every key in it differs): no further split can narrow it.
        const oneSided = (l?.count ?? 0) === 0 || (r?.count ?? 0) === 0;
        const units = locate && !oneSided ? locateUnits(l, r).map((u) => ({ from: u * locator.unit, to: (u + 1) * locator.unit })) : [];
        const inside = units.filter((u) => u.from >= range.from && u.to <= range.to);
        if (width === 1 || oneSided || largest <= options.downloadBelow) leaves.push(range);
        else if (inside.length > 0) {
          located.push({ range, width, largest, l, r, units: inside });
          leaves.push(...inside);
        } else {
          next.push({ range, rows: (l?.count ?? 0) + (r?.count ?? 0), largest });
          continue;
        }
        downloading++;
      }
      // Segments that hold several differences, downloaded whole when that moves fewer rows than the share allows (a level more is a scan more).
      if (next.length > 0 && next.reduce((n, s) => n + s.rows, 0) <= (options.wholeShare ?? 0) * (result.leftRows + result.rightRows)) {
        leaves.push(...next.map((s) => s.range));
        downloading += next.length;
        next.length = 0;
      }
      await options.onLevel?.({ level: result.levels, width, segments: Math.max(ls.size, rs.size), differing: next.length + downloading, downloading });
      result.levels++;
      if (next.length === 0) break;
      ranges = mergeRanges(next.map((s) => s.range));
      width = Math.max(1, width / splitFactor(largestOf(next), options.downloadBelow, factor, width));
    }

    if (leaves.length > 0) {
      const merged = mergeRanges(leaves);
      const [lr, rr] = await Promise.all([left.download(merged), right.download(merged)]);
      for (const [k, h] of lr) lrows.set(k, h);
      for (const [k, h] of rr) rrows.set(k, h);
    }
    if (located.length === 0 || !locator) break;
    const inL = totalsIn(lrows, located, locator.unit, (k) => locator.unitOf(k));
    const inR = totalsIn(rrows, located, locator.unit, (k) => right.locator!.unitOf(k));
    const unexplained = located.filter((s, i) => !explains(s.l, s.r, inL[i], inR[i]));
    if (unexplained.length === 0) break;
    ranges = mergeRanges(unexplained.map((s) => s.range));
    const narrowest = unexplained.reduce((w, s) => Math.min(w, s.width), Infinity);
    width = Math.max(1, narrowest / splitFactor(largestOf(unexplained), options.downloadBelow, factor, narrowest));
  }

  result.rowsDownloaded = lrows.size + rrows.size;
  for (const [key, h] of lrows) {
    const other = rrows.get(key);
    if (other === undefined) result.missing.push(key);
    else if (other !== h) result.changed.push(key);
  }
  for (const key of rrows.keys()) if (!lrows.has(key)) result.extra.push(key);
  // A key held twice on one side once canonical ("ABC" and "abc" against a uuid): never taken as matching.
  const listed = new Set([...result.missing, ...result.extra, ...result.changed]);
  for (const key of new Set([...left.duplicates, ...right.duplicates])) if (!listed.has(key) && lrows.has(key) && rrows.has(key)) result.changed.push(key);
  for (const list of [result.missing, result.extra, result.changed]) list.sort(compareKeys);
  return result;
}

/** Integers by value, texts by code unit (the same order on every machine, whatever a database's collation). */
export function compareKeys(a: RowKey, b: RowKey): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
