import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { testAnalyzer, openFindingTitles, observedEdges } from '../test/test-analyzer.ts';

const { CLIENT, INTERNAL } = api.SpanKind;
const MIN = 60_000;

const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: billing, owner: icoe, match: { databases: ["mssql://sql01/Billing"] } }
  - { id: erp, owner: icoe, match: { databases: [{ system: oracle, namespace: ERPPROD }] } }
  - { id: warehouse, owner: icoe, match: { databases: ["postgresql://pg01/Warehouse"] } }
flows:
  - { id: crm-to-billing, source: crm, target: billing, owner: icoe, runtime: { service: invoice-sync } }
  - { id: crm-to-erp, source: crm, target: erp, owner: icoe, runtime: { service: customer-sync } }
  - { id: crm-to-warehouse, source: crm, target: warehouse, owner: icoe, runtime: { service: dwh-load } }
`;

const get = (url: string): SpanSpec => ({
  name: 'GET',
  kind: CLIENT,
  attributes: { 'http.request.method': 'GET', 'url.full': url, 'server.address': new URL(url).hostname, 'http.response.status_code': 200 },
});
const insert = (system: string, database: string, host: string): SpanSpec => ({
  name: `INSERT ${database}`,
  kind: CLIENT,
  attributes: { 'db.system': system, 'db.name': database, 'db.statement': 'INSERT INTO invoices (id, total) VALUES (?, ?)', 'server.address': host },
});

describe('database names of case-insensitive databases (SQL Server, Oracle, Db2, Snowflake, Redshift)', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    const run = (service: string, children: SpanSpec[], at: number) =>
      sendSpans({ url: h.collector.url, serviceName: service }, [{ name: 'sync', kind: INTERNAL, start: at, children }]);
    // A .NET service whose connection string says `Initial Catalog=billing`; SQL Server's database is Billing.
    await run('invoice-sync', [get('http://crm.internal/api/accounts'), insert('mssql', 'billing', 'sql01')], t0);
    // A Java service on `jdbc:oracle:thin:@//ora01:1521/erpprod`; the catalog names the service ERPPROD.
    await run('customer-sync', [get('http://crm.internal/api/customers'), insert('oracle', 'erpprod', 'ora01')], t0 + 1000);
    // PostgreSQL's database names are case-sensitive: `warehouse` is another database than `Warehouse`.
    await run('dwh-load', [get('http://crm.internal/api/customers'), insert('postgresql', 'warehouse', 'pg01')], t0 + 2000);
    await h.collector.flush();
    analyzer = testAnalyzer(h.store, catalogYaml, { lateMs: 1 });
    expect((await analyzer.runNow()).errors).toEqual([]);
  }, 240_000);
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  // Regression: `Unknown system mssql://sql01/billing is used by invoice-sync` and `Undocumented flow crm →
  // unknown:mssql://sql01/billing (invoice-sync)`, the same for oracle://ora01/erpprod: the catalog's `Billing` and
  // `ERPPROD` were compared with the connection string's spelling case by case.
  it('matches a SQL Server or Oracle database whatever the case its client spells it in', async () => {
    expect(await observedEdges(analyzer)).toEqual(['crm -> billing crm-to-billing', 'crm -> erp crm-to-erp', 'crm -> unknown:postgresql://pg01/warehouse ']);
  });

  it('still tells a PostgreSQL database from another spelled in another case', async () => {
    expect(await openFindingTitles(analyzer, ['undocumented-flow', 'unknown-system'])).toEqual([
      'Unknown system postgresql://pg01/warehouse is used by dwh-load',
      'Undocumented flow crm → unknown:postgresql://pg01/warehouse (dwh-load)',
    ]);
  });
});
