import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '@opentelemetry/sdk-node';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { testAnalyzer, openFindingTitles, observedEdges } from '../test/test-analyzer.ts';

const { CLIENT, INTERNAL } = api.SpanKind;
const MIN = 60_000;

const catalogYaml = `systems:
  - { id: crm, match: { hosts: [crm.internal] } }
  - { id: orders-db, match: { databases: ["postgresql://localhost/orders"] } }
  - { id: billing-db, match: { databases: ["mysql://localhost/billing"] } }
  - { id: erp-db, match: { databases: ["mssql://sql.internal/erp"] } }
  - { id: ledger-db, match: { databases: ["oracle://ora.internal/LEDGER"] } }
flows:
  - { id: orders-to-billing, source: orders-db, target: billing-db, runtime: { service: knex-sync } }
  - { id: crm-to-erp, source: crm, target: erp-db, runtime: { service: sqlserver-sync } }
  - { id: ledger-to-crm, source: ledger-db, target: crm, runtime: { service: oracle-sync } }
`;

const readCrm: SpanSpec = {
  name: 'GET',
  kind: CLIENT,
  attributes: { 'http.request.method': 'GET', 'url.full': 'http://crm.internal/api/customers', 'server.address': 'crm.internal', 'server.port': 80 },
};
const writeCrm: SpanSpec = {
  name: 'POST',
  kind: CLIENT,
  attributes: { 'http.request.method': 'POST', 'url.full': 'http://crm.internal/api/ledger', 'server.address': 'crm.internal', 'server.port': 80 },
};
/** instrumentation-pg's span of a statement (the driver Knex's `pg` client runs on). */
const pgQuery = (text: string): SpanSpec => ({
  name: 'pg.query:SELECT orders',
  kind: CLIENT,
  attributes: { 'db.system.name': 'postgresql', 'db.namespace': 'orders', 'server.address': 'localhost', 'server.port': 5432, 'db.query.text': text },
});
/**
 * instrumentation-knex 0.67's span of an insert through Knex's `mysql2` client (`db.system.name` is the driver's name),
 * with instrumentation-mysql2's span of the same statement under it, as they reach Weft from a real run against MariaDB.
 */
const knexInsert: SpanSpec = {
  name: 'insert billing.invoices',
  kind: CLIENT,
  attributes: {
    'knex.version': '3.3.0',
    'db.system.name': 'mysql2',
    'db.collection.name': 'invoices',
    'db.operation.name': 'insert',
    'db.namespace': 'billing',
    'server.address': '127.0.0.1',
    'db.query.text': 'insert into `invoices` (`note`, `order_id`) values (?, ?)',
  },
  children: [
    {
      name: 'insert',
      kind: CLIENT,
      attributes: {
        'db.system.name': 'mysql',
        'db.namespace': 'billing',
        'server.address': '127.0.0.1',
        'server.port': 3306,
        'db.query.text': 'insert into `invoices` (`note`, `order_id`) values (?, ?)',
      },
    },
  ],
};
/** instrumentation-tedious 0.42's span of an update (the stable conventions' name of SQL Server). */
const tediousUpdate: SpanSpec = {
  name: 'execSql erp',
  kind: CLIENT,
  attributes: {
    'db.namespace': 'erp',
    'db.system.name': 'microsoft.sql_server',
    'db.query.text': 'UPDATE customers SET name = @name WHERE id = @id',
    'server.address': 'sql.internal',
    'server.port': 1433,
  },
};
/** instrumentation-oracledb 0.48's span of a select (`oracle.db`). */
const oracleSelect: SpanSpec = {
  name: 'SELECT LEDGER',
  kind: CLIENT,
  attributes: {
    'db.system.name': 'oracle.db',
    'db.namespace': 'LEDGER',
    'db.operation.name': 'SELECT',
    'db.query.text': 'SELECT id, amount FROM entries',
    'server.address': 'ora.internal',
    'server.port': 1521,
  },
};
const run = (start: number, children: SpanSpec[]): SpanSpec => ({ name: 'run', kind: INTERNAL, start, children: children.map((c) => ({ ...c, start })) });

describe('other names of one database system are that system (migration 113)', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    await sendSpans({ url: h.collector.url, serviceName: 'knex-sync' }, [run(t0, [pgQuery('select "id" from "orders"'), knexInsert])]);
    await sendSpans({ url: h.collector.url, serviceName: 'sqlserver-sync' }, [run(t0, [readCrm, tediousUpdate])]);
    await sendSpans({ url: h.collector.url, serviceName: 'oracle-sync' }, [run(t0, [oracleSelect, writeCrm])]);
    await h.collector.flush();
    analyzer = testAnalyzer(h.store, catalogYaml);
    expect((await analyzer.runNow()).errors).toEqual([]);
  });
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  it("matches knex's mysql2, tedious's microsoft.sql_server and oracledb's oracle.db to the catalog's databases", async () => {
    expect(await openFindingTitles(analyzer, ['unknown-system', 'undocumented-flow'])).toEqual([]);
    const edges = await observedEdges(analyzer, (e) => `${e.source} -> ${e.target} ${e.flowId}`);
    expect(edges).toEqual(['crm -> erp-db crm-to-erp', 'ledger-db -> crm ledger-to-crm', 'orders-db -> billing-db orders-to-billing']);
  });

  it('keys each endpoint by the one name, with its default port left out', async () => {
    const rows = await h.rows<{ ep: string }>(
      "SELECT DISTINCT concat(ep_sys, '://', ep_host, '/', ep_name) AS ep FROM weft_endpoint_rollup_1m WHERE ep_kind = 'db' ORDER BY ep",
    );
    expect(rows.map((r) => r.ep)).toEqual([
      'mssql://sql.internal/erp',
      'mysql://127.0.0.1/billing',
      'oracle://ora.internal/LEDGER',
      'postgresql://localhost/orders',
    ]);
  });
});
