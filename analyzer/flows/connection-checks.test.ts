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
  - { id: erp, match: { hosts: [erp.internal] } }
  - { id: billing-db, match: { databases: ["mysql://localhost/billing"] } }
  - { id: ledger-db, match: { databases: ["oracle://ora.internal/LEDGER"] } }
  - { id: orders-db, match: { databases: ["postgresql://localhost/orders"] } }
flows:
  - { id: crm-to-billing, source: crm, target: billing-db, runtime: { service: knex-writer } }
  - { id: crm-to-erp, source: crm, target: erp, runtime: { service: knex-writer } }
  - { id: crm-to-ledger, source: crm, target: ledger-db, runtime: { service: ledger-writer } }
  - { id: crm-to-erp-2, source: crm, target: erp, runtime: { service: ledger-writer } }
  - { id: crm-to-orders, source: crm, target: orders-db, runtime: { service: knex-schema-writer } }
  - { id: crm-to-erp-3, source: crm, target: erp, runtime: { service: knex-schema-writer } }
`;

const http = (method: string, url: string): SpanSpec => ({
  name: method,
  kind: CLIENT,
  attributes: { 'http.request.method': method, 'url.full': url, 'server.address': new URL(url).hostname, 'server.port': 80 },
});
const mysql = (text: string): SpanSpec => ({
  name: text.split(' ')[0],
  kind: CLIENT,
  attributes: { 'db.system.name': 'mysql', 'db.namespace': 'billing', 'server.address': '127.0.0.1', 'server.port': 3306, 'db.query.text': text },
});
const pg = (text: string): SpanSpec => ({
  name: 'pg.query',
  kind: CLIENT,
  attributes: { 'db.system.name': 'postgresql', 'db.namespace': 'orders', 'server.address': '127.0.0.1', 'server.port': 5432, 'db.query.text': text },
});
const oracle = (text: string): SpanSpec => ({
  name: text.split(' ')[0],
  kind: CLIENT,
  attributes: { 'db.system.name': 'oracle.db', 'db.namespace': 'LEDGER', 'server.address': 'ora.internal', 'server.port': 1521, 'db.query.text': text },
});
const run = (start: number, children: SpanSpec[]): SpanSpec => ({ name: 'run', kind: INTERNAL, start, children: children.map((c) => ({ ...c, start })) });

describe("a SELECT of no table but the system catalog's reads no data (migration 113)", () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    // As a knex integration over mysql2 reaches Weft from a real run (auto-instrumentations-node 0.81.2, knex 3.3, MariaDB):
    // Knex asks the new connection `select version() as version` outside any knex span, then the knex insert with
    // instrumentation-mysql2's span of the same statement under it.
    const insert = 'insert into `invoices` (`note`) values (?)';
    await sendSpans({ url: h.collector.url, serviceName: 'knex-writer' }, [
      run(t0, [
        http('GET', 'http://crm.internal/api/customers'),
        mysql('select version() as version'),
        {
          name: 'insert billing.invoices',
          kind: CLIENT,
          attributes: {
            'db.system.name': 'mysql2',
            'db.operation.name': 'insert',
            'db.namespace': 'billing',
            'server.address': '127.0.0.1',
            'db.query.text': insert,
          },
          children: [mysql(insert)],
        },
        http('POST', 'http://erp.internal/api/notices'),
      ]),
    ]);
    // Knex's schema.hasTable before a transaction on PostgreSQL (the knex span of the check, and the driver's)
    await sendSpans({ url: h.collector.url, serviceName: 'knex-schema-writer' }, [
      run(t0, [
        http('GET', 'http://crm.internal/api/customers'),
        pg('select version();'),
        {
          ...pg('select * from information_schema.tables where table_name = ? and table_schema = current_schema()'),
          attributes: {
            ...pg('').attributes,
            'knex.version': '3.3.0',
            'db.query.text': 'select * from information_schema.tables where table_name = ? and table_schema = current_schema()',
          },
          children: [pg('select * from information_schema.tables where table_name = $1 and table_schema = current_schema()')],
        },
        pg('BEGIN;'),
        pg('insert into "orders" ("customer", "id") values ($1, $2) on conflict ("id") do update set "customer" = excluded."customer"'),
        pg('COMMIT;'),
        http('POST', 'http://erp.internal/api/notices'),
      ]),
    ]);
    // a pool that validates its Oracle connection with `SELECT 1 FROM DUAL` before the insert
    await sendSpans({ url: h.collector.url, serviceName: 'ledger-writer' }, [
      run(t0, [
        http('GET', 'http://crm.internal/api/invoices'),
        oracle('SELECT 1 FROM DUAL'),
        oracle('INSERT INTO entries (id, amount) VALUES (:1, :2)'),
        http('POST', 'http://erp.internal/api/notices'),
      ]),
    ]);
    await h.collector.flush();
    analyzer = testAnalyzer(h.store, catalogYaml);
    expect((await analyzer.runNow()).errors).toEqual([]);
  });
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  it("makes no flow from the database a connection check or a schema check asked (knex's select version() and schema.hasTable, a pool's SELECT 1 FROM DUAL)", async () => {
    expect(await openFindingTitles(analyzer, ['unknown-system', 'undocumented-flow'])).toEqual([]);
    const edges = await observedEdges(analyzer, (e) => `${e.source} -> ${e.target} ${e.integrations.join(',')}`);
    expect(edges).toEqual([
      'crm -> billing-db knex-writer',
      'crm -> erp knex-schema-writer',
      'crm -> erp knex-writer',
      'crm -> erp ledger-writer',
      'crm -> ledger-db ledger-writer',
      'crm -> orders-db knex-schema-writer',
    ]);
  });
});
