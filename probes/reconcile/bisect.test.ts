import { describe, expect, it } from 'vitest';
import { bisect, firstWidth, mergeRanges, splitFactor } from './bisect.ts';
import { planColumn, valueClassOf } from './canonical.ts';
import type { KeyRange, RowKey, SegmentSum, SideQueries } from './sql-side.ts';

/** A side held in memory: the same answers a database gives, for the bisection logic alone; with `unit`, a locator of `unit` keys. */
function memorySide(rows: Map<number, string>, unit?: number): SideQueries & { scanned: number } {
  const inRanges = (k: number, ranges: KeyRange[] | null) => ranges === null || ranges.some((r) => k >= r.from && k < r.to);
  const side = {
    scanned: 0,
    duplicates: [],
    ...(unit ? { locator: { unit, unitOf: (k: RowKey) => Math.floor(Number(k) / unit) } } : {}),
    async bounds() {
      const keys = [...rows.keys()];
      return { min: keys.length ? Math.min(...keys) : null, max: keys.length ? Math.max(...keys) : null, estimate: keys.length };
    },
    async summarize(lo: number, width: number, ranges: KeyRange[] | null, locate = false) {
      const out = new Map<number, SegmentSum>();
      for (const [k, h] of rows) {
        if (!inRanges(k, ranges)) continue;
        side.scanned++;
        const b = Math.floor((k - lo) / width);
        const s = out.get(b) ?? { count: 0, sum: '0', ...(locate ? { weighted: '0' } : {}) };
        const weighted = locate ? { weighted: (BigInt(s.weighted!) + BigInt(Math.floor(k / unit!)) * (BigInt(h) % 2n ** 30n)).toString() } : {};
        out.set(b, { count: s.count + 1, sum: (BigInt(s.sum) + BigInt(h)).toString(), ...weighted });
      }
      return out;
    },
    async download(ranges: KeyRange[]) {
      return new Map([...rows].filter(([k]) => inRanges(k, ranges)));
    },
    async hashes(keys: RowKey[]) {
      return new Map(keys.filter((k) => rows.has(k as number)).map((k) => [k, rows.get(k as number)!]));
    },
    async values() {
      return new Map();
    },
  };
  return side;
}

const hash = (k: number, salt = '') => String((BigInt(k) * 2654435761n + BigInt(salt.length * 97)) % 1152921504606846976n);

describe('mergeRanges', () => {
  it('joins touching and overlapping ranges', () => {
    expect(
      mergeRanges([
        { from: 10, to: 20 },
        { from: 0, to: 5 },
        { from: 20, to: 30 },
        { from: 25, to: 26 },
      ]),
    ).toEqual([
      { from: 0, to: 5 },
      { from: 10, to: 30 },
    ]);
  });
});

describe('firstWidth', () => {
  it('is the smallest power of two giving at most the wanted segments', () => {
    expect(firstWidth(1_000_000, 1000)).toBe(1024);
    expect(firstWidth(5, 1000)).toBe(1);
  });
});

describe('bisect', () => {
  it('finds missing, extra and changed keys and scans far fewer rows than a full compare per level', async () => {
    const left = new Map<number, string>();
    for (let k = 0; k < 50_000; k++) left.set(k * 5, hash(k * 5));
    const right = new Map(left);
    right.delete(500);
    right.delete(249_995);
    right.set(123_457, hash(123_457));
    right.set(77_000, hash(77_000, 'changed'));
    const l = memorySide(left);
    const r = memorySide(right);
    const result = await bisect(l, r, { downloadBelow: 16 });
    expect(result).toMatchObject({ missing: [500, 249_995], extra: [123_457], changed: [77_000] });
    expect(result.rowsDownloaded).toBeLessThan(200);
    expect(l.scanned).toBeLessThan(2 * left.size);
  });

  it('copes with an empty side and with both sides empty', async () => {
    const rows = new Map([
      [7, '1'],
      [9, '2'],
    ]);
    expect(await bisect(memorySide(rows), memorySide(new Map()), { downloadBelow: 16 })).toMatchObject({ missing: [7, 9], extra: [] });
    expect(await bisect(memorySide(new Map()), memorySide(new Map()), { downloadBelow: 16 })).toMatchObject({ missing: [], extra: [], changed: [], levels: 0 });
  });
});

describe('valueClassOf', () => {
  it('groups declared types of both databases into comparable classes', () => {
    expect(['bigint', 'int(11)', 'integer', 'tinyint(1)'].map(valueClassOf)).toEqual(['integer', 'integer', 'integer', 'integer']);
    expect(['numeric(12,2)', 'decimal(14,4)'].map(valueClassOf)).toEqual(['decimal', 'decimal']);
    expect(['timestamp without time zone(3)', 'datetime(3)', 'timestamp with time zone(6)'].map(valueClassOf)).toEqual([
      'timestamp',
      'timestamp',
      'timestamptz',
    ]);
    expect(['text', 'varchar(80)', 'character varying(20)', 'uuid'].map(valueClassOf)).toEqual(['text', 'text', 'text', 'uuid']);
  });
});

describe('planColumn', () => {
  const col = (column: string, type: string, charset?: string) => ({ table: 't', column, type, nullable: true, charset });
  it('renders exact numbers of known scale at the larger scale on both sides', () => {
    expect(planColumn({ dialect: 'postgres', column: col('amount', 'numeric(12,2)') }, { dialect: 'mysql', column: col('amount', 'decimal(16,5)') })).toEqual([
      'round("amount"::numeric, 5)::text',
      'CAST(`amount` AS CHAR)',
    ]);
    expect(planColumn({ dialect: 'postgres', column: col('qty', 'integer') }, { dialect: 'mysql', column: col('qty', 'decimal(10,0)') })).toEqual([
      '"qty"::text',
      'CAST(`qty` AS CHAR)',
    ]);
  });
  it('trims trailing zeros when a side has no declared scale', () => {
    const [pgExpr, myExpr] = planColumn({ dialect: 'postgres', column: col('x', 'numeric') }, { dialect: 'mysql', column: col('x', 'decimal(10,2)') });
    expect(pgExpr).toContain('trim_scale');
    expect(myExpr).toContain("TRIM(TRAILING '0'");
  });
  it('hashes UTF-8 text as stored and converts other character sets', () => {
    expect(planColumn({ dialect: 'postgres', column: col('n', 'text') }, { dialect: 'mysql', column: col('n', 'varchar(20)', 'utf8mb4') })).toEqual([
      '"n"::text',
      '`n`',
    ]);
    expect(planColumn({ dialect: 'postgres', column: col('n', 'text') }, { dialect: 'mysql', column: col('n', 'varchar(20)', 'latin1') })[1]).toBe(
      'CONVERT(`n` USING utf8mb4)',
    );
  });
});

describe('bisect on a one-sided segment', () => {
  it('downloads a segment that only one side holds instead of splitting it further', async () => {
    const left = new Map<number, string>();
    for (let k = 0; k < 4096; k++) left.set(k, hash(k));
    const l = memorySide(left);
    const result = await bisect(l, memorySide(new Map([[0, hash(0)]])), { downloadBelow: 16, segments: 4 });
    expect(result.missing).toHaveLength(4095);
    // level 0 reads all 4096 rows; only the first segment (1024 rows, on both sides) is split again
    expect(l.scanned).toBeLessThan(4096 + 1024 + 100);
  });
});

describe('planColumn with UUIDs', () => {
  it('compares a uuid against char(36) in lower case, and text against text as stored', () => {
    const col = (column: string, type: string, charset?: string) => ({ table: 't', column, type, nullable: false, charset });
    expect(planColumn({ dialect: 'postgres', column: col('id', 'uuid') }, { dialect: 'mysql', column: col('id', 'char(36)', 'utf8mb4') })).toEqual([
      '"id"::text',
      'LOWER(CONVERT(`id` USING utf8mb4))',
    ]);
    expect(planColumn({ dialect: 'postgres', column: col('id', 'character(36)') }, { dialect: 'mysql', column: col('id', 'uuid') })).toEqual([
      'lower("id"::text)',
      'LOWER(CAST(`id` AS CHAR))',
    ]);
  });
});

describe('keyNotesOf', () => {
  it('pairs missing and extra keys that differ only by case or trailing spaces, and reports them', async () => {
    const { keyNotesOf } = await import('./run-reconciliation.ts');
    expect(keyNotesOf(['SO-1 ', 'so-2', 'Ab ', 'X'], ['SO-1', 'SO-2', 'ab', 'Y'])).toEqual([
      { left: 'SO-1 ', right: 'SO-1', why: 'trailing-space' },
      { left: 'so-2', right: 'SO-2', why: 'case' },
      { left: 'Ab ', right: 'ab', why: 'case+trailing-space' },
    ]);
    expect(keyNotesOf(['caf\u00e9', 'Stra\u00dfe'], ['cafe\u0301', 'strasse'])).toEqual([{ left: 'caf\u00e9', right: 'cafe\u0301', why: 'unicode-form' }]);
  });
});

describe('splitFactor', () => {
  it('splits 16 ways, more when the largest differing segment would still be too big to download', () => {
    expect(splitFactor(700, 256, 16, 1 << 18)).toBe(16);
    expect(splitFactor(20_000, 256, 16, 1 << 26)).toBe(128);
    expect(splitFactor(10_000_000, 256, 16, 1 << 30)).toBe(65_536);
    expect(splitFactor(20_000, 256, 16, 8)).toBe(8);
  });
});

describe('bisect with a locator', () => {
  const table = (n: number) => new Map(Array.from({ length: n }, (_, k) => [k, hash(k)]));

  it('settles segments that hold one difference each at the first level, downloading only their units', async () => {
    const left = table(100_000);
    const right = new Map(left);
    right.delete(500);
    left.delete(77_777);
    right.delete(99_999);
    right.set(40_123, hash(40_123, 'changed'));
    const result = await bisect(memorySide(left, 16), memorySide(right, 16), { downloadBelow: 64 });
    expect(result).toMatchObject({ missing: [500, 99_999], extra: [77_777], changed: [40_123], levels: 1 });
    expect(result.rowsDownloaded).toBeLessThan(4 * 2 * 16);
  });

  it('does not take two changes for one: a unit that does not explain its segment is bisected again', async () => {
    const left = table(50_000);
    const right = new Map(left);
    // equal hash changes at units 100 and 102 of one segment read as one change at unit 101
    for (const k of [1600, 1632]) right.set(k, (BigInt(left.get(k)!) + 1000n).toString());
    const result = await bisect(memorySide(left, 16), memorySide(right, 16), { downloadBelow: 64 });
    expect(result.changed).toEqual([1600, 1632]);
    expect(result.levels).toBeGreaterThan(1);
  });

  it('downloads segments holding several differences whole when they fit the share, instead of another level', async () => {
    const left = table(100_000);
    const right = new Map(left);
    for (const k of [700, 701, 702]) right.delete(k);
    const split = await bisect(memorySide(left, 16), memorySide(right, 16), { downloadBelow: 64 });
    const whole = await bisect(memorySide(left, 16), memorySide(right, 16), { downloadBelow: 64, wholeShare: 0.01 });
    expect(split.missing).toEqual([700, 701, 702]);
    expect(whole.missing).toEqual([700, 701, 702]);
    expect(whole.levels).toBe(1);
    expect(split.levels).toBeGreaterThan(1);
  });
});
