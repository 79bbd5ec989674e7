import { describe, expect, it } from 'vitest';
import { both, bothWaysOf } from './test/both-ways.ts';
import { twoDatabases } from './test/two-databases.ts';

/**
 * PostgreSQL's 'infinity' and '-infinity' timestamps and dates, and its float and numeric Infinity and
 * NaN: MySQL/MariaDB cannot hold them, so against it they are a difference, reported (the run failed:
 * "cannot convert infinity to bigint", "cannot subtract infinite dates"); against PostgreSQL, equal
 * ones match.
 */
const db = await twoDatabases();
const { up } = db;
const bothWays = bothWaysOf(db, 'rk_inf');

describe.skipIf(!up)('reconciliation of infinite and not-a-number values', () => {
  it("timestamp 'infinity' and '-infinity' against DATETIME: a difference, reported (the run failed: cannot convert infinity to bigint)", async () => {
    expect(
      await bothWays(
        'ts',
        {
          db: 'pg',
          type: 'timestamp',
          rows: [
            [1, 'infinity'],
            [2, '-infinity'],
            [3, '2024-01-01 10:00:00'],
          ],
        },
        {
          db: 'my',
          type: 'datetime',
          rows: [
            [1, '9999-12-31 23:59:59'],
            [2, null],
            [3, '2024-01-01 10:00:00'],
          ],
        },
      ),
    ).toEqual(
      both({
        changed: ['1', '2'],
        shown: [
          ['1', 'infinity', '253402300799000000'],
          ['2', '-infinity', null],
        ],
      }),
    );
    // timestamptz(3) against MariaDB TIMESTAMP(6): compared at 3 digits, the same way
    expect(
      await bothWays(
        'tstz',
        {
          db: 'pg',
          type: 'timestamptz(3)',
          rows: [
            [1, 'infinity'],
            [2, '2024-01-01 10:00:00.123+00'],
          ],
        },
        {
          db: 'my',
          type: 'timestamp(6)',
          rows: [
            [1, '2038-01-19 03:14:07'],
            [2, '2024-01-01 10:00:00.123456'],
          ],
        },
      ),
    ).toEqual(both({ changed: ['1'], shown: [['1', 'infinity', '2147483647000000']] }));
  });

  it('PostgreSQL against PostgreSQL: equal infinities match, in another zone or precision too; -infinity against infinity is a change', async () => {
    expect(
      await bothWays(
        'pgpg',
        {
          db: 'pg',
          type: 'timestamptz',
          rows: [
            [1, 'infinity'],
            [2, '-infinity'],
            [3, '2024-06-01 12:00:00+02'],
          ],
        },
        {
          db: 'pg',
          type: 'timestamp(3)',
          timeZone: 'Europe/Berlin',
          rows: [
            [1, 'infinity'],
            [2, 'infinity'],
            [3, '2024-06-01 12:00:00'],
          ],
        },
      ),
    ).toEqual(both({ changed: ['2'], shown: [['2', '-infinity', 'infinity']] }));
  });

  it("date 'infinity' and '-infinity': a difference against MariaDB, equal ones match against PostgreSQL (the run failed: cannot subtract infinite dates)", async () => {
    const pg = {
      db: 'pg' as const,
      type: 'date',
      rows: [
        [1, 'infinity'],
        [2, '-infinity'],
        [3, '2024-01-01'],
      ] as Array<[unknown, unknown]>,
    };
    expect(
      await bothWays('date', pg, {
        db: 'my',
        type: 'date',
        rows: [
          [1, '9999-12-31'],
          [2, '1000-01-01'],
          [3, '2024-01-01'],
        ],
      }),
    ).toEqual(
      both({
        changed: ['1', '2'],
        shown: [
          ['1', 'infinity', '2932896'],
          ['2', '-infinity', '-354285'],
        ],
      }),
    );
    expect(
      await bothWays('datepg', pg, {
        db: 'pg',
        type: 'date',
        rows: [
          [1, 'infinity'],
          [2, 'infinity'],
          [3, '2024-01-01'],
        ],
      }),
    ).toEqual(both({ changed: ['2'], shown: [['2', '-infinity', 'infinity']] }));
  });

  it("an 'infinity' timestamp key: missing on one side, its stand-in extra on the other (the run failed)", async () => {
    expect(
      await bothWays(
        'key',
        {
          db: 'pg',
          keyType: 'timestamp',
          type: 'integer',
          rows: [
            ['infinity', 1],
            ['2024-01-01 00:00:00', 2],
          ],
        },
        {
          db: 'my',
          keyType: 'datetime',
          type: 'integer',
          rows: [
            ['9999-12-31 23:59:59', 1],
            ['2024-01-01 00:00:00', 2],
          ],
        },
      ),
    ).toEqual(both({ missing: ['infinity'], extra: ['253402300799000000'] }));
  });

  it('a numeric key NaN, Infinity or -Infinity: missing against MariaDB, compared against PostgreSQL (such keys were dropped from the differences unseen)', async () => {
    const pg = {
      db: 'pg' as const,
      keyType: 'numeric',
      type: 'integer',
      rows: [
        ['NaN', 1],
        ['Infinity', 2],
        ['1.5', 3],
      ] as Array<[unknown, unknown]>,
    };
    const runs = await bothWays('numkey', pg, {
      db: 'my',
      keyType: 'decimal(12,2)',
      type: 'integer',
      rows: [
        ['0', 1],
        ['1.5', 3],
      ],
    });
    expect(runs.map((r) => ({ ...r, missing: [...r.missing].sort(), extra: [...r.extra].sort() }))).toEqual(
      both({ missing: ['Infinity', 'NaN'], extra: ['0'] }),
    );
    expect(
      await bothWays('numkeypg', pg, {
        db: 'pg',
        keyType: 'numeric',
        type: 'integer',
        rows: [
          ['NaN', 5],
          ['-Infinity', 2],
          ['1.5', 3],
        ],
      }),
    ).toEqual(both({ missing: ['Infinity'], extra: ['-Infinity'], changed: ['NaN'], shown: [['NaN', '1', '5']] }));
  });

  it('float Infinity, -Infinity and NaN: a difference against MariaDB, shown as such (they read "Infinitye7" and "NaNe2"); equal ones match against PostgreSQL', async () => {
    const pg = {
      db: 'pg' as const,
      type: 'double precision',
      rows: [
        [1, 'Infinity'],
        [2, '-Infinity'],
        [3, 'NaN'],
        [4, '1.5'],
      ] as Array<[unknown, unknown]>,
    };
    expect(
      await bothWays('float', pg, {
        db: 'my',
        type: 'double',
        rows: [
          [1, 1.7976931348623157e308],
          [2, null],
          [3, 0],
          [4, 1.5],
        ],
      }),
    ).toEqual(
      both({
        changed: ['1', '2', '3'],
        shown: [
          ['1', 'Infinity', '17976931348623157e308'],
          ['2', '-Infinity', null],
          ['3', 'NaN', '0'],
        ],
      }),
    );
    expect(
      await bothWays('floatpg', pg, {
        db: 'pg',
        type: 'real',
        rows: [
          [1, 'Infinity'],
          [2, 'NaN'],
          [3, 'NaN'],
          [4, '1.5'],
        ],
      }),
    ).toEqual(both({ changed: ['2'], shown: [['2', '-Infinity', 'NaN']] }));
  });

  it('numeric NaN and Infinity: a difference against MariaDB DECIMAL, equal ones match against PostgreSQL, and against a float', async () => {
    expect(
      await bothWays(
        'num',
        {
          db: 'pg',
          type: 'numeric(12,2)',
          rows: [
            [1, 'NaN'],
            [2, '1.50'],
          ],
        },
        {
          db: 'my',
          type: 'decimal(12,2)',
          rows: [
            [1, '0.00'],
            [2, '1.50'],
          ],
        },
      ),
    ).toEqual(both({ changed: ['1'], shown: [['1', 'NaN', '0.00']] }));
    expect(
      await bothWays(
        'numfloat',
        {
          db: 'pg',
          type: 'numeric',
          rows: [
            [1, 'NaN'],
            [2, 'Infinity'],
            [3, '-Infinity'],
            [4, '2.5'],
          ],
        },
        {
          db: 'pg',
          type: 'double precision',
          rows: [
            [1, 'NaN'],
            [2, 'Infinity'],
            [3, 'Infinity'],
            [4, '2.5'],
          ],
        },
      ),
    ).toEqual(both({ changed: ['3'], shown: [['3', '-Infinity', 'Infinity']] }));
  });
});
