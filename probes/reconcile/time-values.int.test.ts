import { describe, expect, it } from 'vitest';
import { both, bothWaysOf } from './test/both-ways.ts';
import { twoDatabases } from './test/two-databases.ts';

/**
 * Times of day (PostgreSQL time, MySQL/MariaDB TIME) of one or two precisions: the same value as each
 * database stores it is equal, a change of one unit of the coarser precision is a change. They were
 * compared as text: '12:00:00.5' (PostgreSQL) against '12:00:00.500' (MariaDB TIME(3)) was changed, and
 * so was every value with a fraction against a TIME without one.
 */
const db = await twoDatabases();
const { up } = db;
const bothWays = bothWaysOf(db, 'rk_time');

const rows = (values: string[]): Array<[unknown, unknown]> => values.map((v, i) => [i + 1, v]);
const written = ['12:34:56.789', '12:00:00.5', '01:00:00', '23:59:59.999', '00:00:00'];

describe.skipIf(!up)('reconciliation of times', () => {
  it("MariaDB TIME(3) against PostgreSQL time and time(3): equal values are equal ('12:00:00.500' against '12:00:00.5' was changed), a millisecond off is a change", async () => {
    const my = { db: 'my' as const, type: 'time(3)', rows: rows(written) };
    expect(await bothWays('t3', my, { db: 'pg', type: 'time', rows: rows(written) })).toEqual(both());
    expect(await bothWays('t33', my, { db: 'pg', type: 'time(3)', rows: rows(written) })).toEqual(both());
    const off = written.map((v, i) => (i === 1 ? '12:00:00.501' : v));
    expect(await bothWays('t3off', my, { db: 'pg', type: 'time', rows: rows(off) })).toEqual(
      both({ changed: ['2'], shown: [['2', '43200500000', '43200501000']] }),
    );
  });

  it('a plain MariaDB TIME against PostgreSQL time(3): compared to the second, as MariaDB stores it (truncated); a second off is a change', async () => {
    const my = { db: 'my' as const, type: 'time', rows: rows(written) };
    expect(await bothWays('t0', my, { db: 'pg', type: 'time(3)', rows: rows(written) })).toEqual(both());
    const off = written.map((v, i) => (i === 0 ? '12:34:57.789' : v));
    expect(await bothWays('t0off', my, { db: 'pg', type: 'time(3)', rows: rows(off) })).toEqual(
      both({ changed: ['1'], shown: [['1', '45296000000', '45297000000']] }),
    );
  });

  it('PostgreSQL time(0) against MariaDB TIME(6): compared to the second, as PostgreSQL stores it (rounded: 23:59:59.999 is 24:00:00)', async () => {
    const pg = { db: 'pg' as const, type: 'time(0)', rows: rows(written) };
    expect(await bothWays('pg0', pg, { db: 'my', type: 'time(6)', rows: rows(written) })).toEqual(both());
    expect(await bothWays('pg0pg', pg, { db: 'pg', type: 'time', rows: rows(written) })).toEqual(both());
    const off = written.map((v, i) => (i === 1 ? '12:00:00.499' : v));
    expect(await bothWays('pg0off', pg, { db: 'my', type: 'time(6)', rows: rows(off) })).toEqual(
      both({ changed: ['2'], shown: [['2', '43201000000', '43200000000']] }),
    );
  });

  it('MariaDB durations of two precisions, negative and beyond a day: equal as MariaDB stores them (truncated toward zero), a change is a change', async () => {
    const durations = ['-01:00:00.56', '100:00:00.5', '-838:59:59', '00:00:00.9'];
    const my0 = { db: 'my' as const, type: 'time', rows: rows(durations) };
    expect(await bothWays('dur', { db: 'my', type: 'time(1)', rows: rows(durations) }, my0)).toEqual(both());
    const off = durations.map((v, i) => (i === 0 ? '-01:00:01.5' : v));
    expect(await bothWays('duroff', { db: 'my', type: 'time(1)', rows: rows(off) }, my0)).toEqual(
      both({ changed: ['1'], shown: [['1', '-3601000000', '-3600000000']] }),
    );
    // No PostgreSQL time is negative: -00:00:00.4 is not 00:00:00
    expect(await bothWays('neg', { db: 'my', type: 'time(1)', rows: rows(['-00:00:00.4']) }, { db: 'pg', type: 'time(0)', rows: rows(['00:00:00']) })).toEqual(
      both({ changed: ['1'], shown: [['1', '-400000', '0']] }),
    );
  });

  it('a time key of two precisions: the same keys match (every key with a fraction was missing and extra)', async () => {
    const keys = (values: string[]): Array<[unknown, unknown]> => values.map((k, i) => [k, i]);
    expect(
      await bothWays(
        'key',
        { db: 'pg', keyType: 'time', type: 'integer', rows: keys(['08:00:00.25', '09:30:00']) },
        { db: 'my', keyType: 'time(3)', type: 'integer', rows: keys(['08:00:00.25', '09:30:00']) },
      ),
    ).toEqual(both());
  });

  it('a time against text holding the same time is still compared as text', async () => {
    expect(await bothWays('text', { db: 'pg', type: 'time', rows: rows(['12:30:00']) }, { db: 'my', type: 'varchar(20)', rows: rows(['12:30:00']) })).toEqual(
      both(),
    );
  });
});
