import { describe, expect, it } from 'vitest';
import { serviceAvailable } from '../../test/services.ts';
import { Secrets } from '../secrets.ts';
import { openSqlSource } from './open-sql-source.ts';
import { sqlTarget } from './sql-target.ts';

/**
 * One source's snapshot inside another's (a reconciliation reads both sides so): a statement that fails
 * is told as the database that ran it. A PostgreSQL error in a snapshot holding a MariaDB one read
 * "MySQL/MariaDB at mysql://…: cannot convert infinity to bigint", naming the wrong database.
 */
const up = (await serviceAvailable('PostgreSQL', 5432)) && (await serviceAvailable('MariaDB', 3306));
const secrets = new Secrets(() => undefined);

describe.skipIf(!up)('nested snapshots of two SQL sources', () => {
  it('name the database whose statement failed, whichever snapshot is outside', async () => {
    const pg = openSqlSource(sqlTarget({ url: 'postgres://postgres@127.0.0.1:5432/test' }, secrets, 'snapshot test'), 1);
    const my = openSqlSource(sqlTarget({ url: 'mysql://root@127.0.0.1:3306/test' }, secrets, 'snapshot test'), 1);
    try {
      const failing = (outer: typeof pg, inner: typeof pg, which: 'outer' | 'inner') =>
        outer
          .snapshot(10_000, (qo) =>
            inner.snapshot(10_000, async (qi) => {
              await (which === 'outer' ? qo : qi)('SELECT no_such_column FROM (SELECT 1 AS a) AS t');
            }),
          )
          .then(
            () => 'no error',
            (err: Error) => err.message,
          );
      expect(await failing(pg, my, 'outer')).toMatch(/^PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:5432\/test rejected the query: .*no_such_column/);
      expect(await failing(pg, my, 'inner')).toMatch(/^MySQL\/MariaDB at mysql:\/\/root@127\.0\.0\.1:3306\/test rejected the query: .*no_such_column/);
      expect(await failing(my, pg, 'outer')).toMatch(/^MySQL\/MariaDB at .* rejected the query: .*no_such_column/);
      expect(await failing(my, pg, 'inner')).toMatch(/^PostgreSQL at .* rejected the query: .*no_such_column/);
      // both sessions are usable afterwards
      expect((await pg.query('SELECT 1 AS one', [], 10_000)).rows[0].one).toBe(1);
      expect(Number((await my.query('SELECT 1 AS one', [], 10_000)).rows[0].one)).toBe(1);
    } finally {
      await pg.close();
      await my.close();
    }
  });
});
