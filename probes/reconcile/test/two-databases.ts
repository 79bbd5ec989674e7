import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { serviceAvailable } from '../../../test/services.ts';

/** The machine's PostgreSQL and MariaDB for a test file's reconciliations (database `test` on 127.0.0.1 of each). */
export interface TwoDatabases {
  /** Both answer (PostgreSQL on 5432, MariaDB on 3306): the file's tests run; else they skip (`describe.skipIf(!up)`). */
  readonly up: boolean;
  /** A suffix unique to this run of the file, for its table names. */
  readonly suffix: string;
  /** Tables to drop on both sides once the file is done (the file adds the names it creates). */
  readonly tables: string[];
  /** The PostgreSQL connection (user postgres), open from the file's beforeAll on. */
  readonly pg: pg.Client;
  /** The MariaDB connection (user root, utf8mb4), open from the file's beforeAll on. */
  readonly my: mysql.Connection;
}

/**
 * Connects to both databases before the calling test file's tests and, after them, drops `tables` on both and closes the
 * connections; nothing when either database is absent (`up` false, and test/services.ts prints why, or fails the run
 * under WEFT_REQUIRE_SERVICES=1). Call it once, at the top of a test file.
 */
export async function twoDatabases(): Promise<TwoDatabases> {
  const up = (await serviceAvailable('PostgreSQL', 5432)) && (await serviceAvailable('MariaDB', 3306));
  let pgc: pg.Client | undefined;
  let myc: mysql.Connection | undefined;
  const db: TwoDatabases = {
    up,
    suffix: `${process.pid}_${Math.random().toString(36).slice(2, 7)}`,
    tables: [],
    get pg() {
      if (!pgc) throw new Error('PostgreSQL is not connected: use it in a test or a hook, once both databases answer');
      return pgc;
    },
    get my() {
      if (!myc) throw new Error('MariaDB is not connected: use it in a test or a hook, once both databases answer');
      return myc;
    },
  };
  beforeAll(async () => {
    if (!up) return;
    pgc = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: 'test' });
    await pgc.connect();
    myc = await mysql.createConnection({ host: '127.0.0.1', user: 'root', database: 'test', charset: 'utf8mb4' });
  });
  afterAll(async () => {
    if (!up) return;
    for (const t of db.tables) {
      await pgc?.query(`DROP TABLE IF EXISTS ${t}`);
      await myc?.query(`DROP TABLE IF EXISTS ${t}`);
    }
    await pgc?.end();
    await myc?.end();
  });
  return db;
}
