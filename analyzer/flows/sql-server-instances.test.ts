import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { httpCall, sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { testAnalyzer, openFindingTitles, observedEdges } from '../test/test-analyzer.ts';

const { CLIENT, INTERNAL } = api.SpanKind;
const MIN = 60_000;

const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: billing, owner: icoe, match: { databases: [{ system: mssql, namespace: Billing }] } }
  - { id: ledger, owner: icoe, match: { databases: ["mssql://sqlprod02/Ledger"] } }
  - { id: warehouse, owner: icoe, match: { databases: [{ system: postgresql, namespace: warehouse }] } }
flows:
  - { id: crm-to-billing, source: crm, target: billing, owner: icoe, runtime: { service: invoice-sync } }
  - { id: billing-to-ledger, source: billing, target: ledger, owner: icoe, runtime: { service: ledger-sync } }
  - { id: crm-to-warehouse, source: crm, target: warehouse, owner: icoe, runtime: { service: dwh-load } }
`;

/**
 * OpenTelemetry.Instrumentation.SqlClient's span of a command under the stable conventions (1.33): db.system.name
 * `microsoft.sql_server`, the database qualified by the named instance of its Data Source (`sqlprod01\\SALES`) as
 * `<instance>.<database>` in db.namespace, the span named after it.
 */
const sqlClient = (namespace: string, host: string, text: string): SpanSpec => ({
  name: namespace,
  kind: CLIENT,
  attributes: { 'db.system.name': 'microsoft.sql_server', 'db.namespace': namespace, 'server.address': host, 'db.query.text': text },
});

describe('SQL Server databases of a named instance, as .NET SqlClient names them', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    const run = (service: string, children: SpanSpec[], at: number) =>
      sendSpans({ url: h.collector.url, serviceName: service }, [{ name: 'sync', kind: INTERNAL, start: at, children }]);
    await run(
      'invoice-sync',
      [
        httpCall('GET', 'http://crm.internal/api/accounts'),
        sqlClient('SALES.Billing', 'sqlprod01', 'INSERT INTO dbo.invoices (id, total) VALUES (@id, @total)'),
      ],
      t0,
    );
    // The semantic conventions' own form (`<instance>|<database>`), and the database's name in another case.
    await run(
      'ledger-sync',
      [
        sqlClient('SALES|billing', 'sqlprod01', 'SELECT id, total FROM dbo.invoices WHERE posted = 0'),
        sqlClient('FIN.LEDGER', 'sqlprod02', 'INSERT INTO dbo.entries (id, amount) VALUES (@id, @amount)'),
      ],
      t0 + 1000,
    );
    // PostgreSQL's `<database>.<schema>` stays its database.
    await run(
      'dwh-load',
      [
        httpCall('GET', 'http://crm.internal/api/customers'),
        {
          name: 'INSERT warehouse.public',
          kind: CLIENT,
          attributes: {
            'db.system.name': 'postgresql',
            'db.namespace': 'warehouse.public',
            'server.address': 'pg01',
            'db.query.text': 'INSERT INTO customers VALUES ($1)',
          },
        },
      ],
      t0 + 2000,
    );
    await h.collector.flush();
    analyzer = testAnalyzer(h.store, catalogYaml, { lateMs: 1 });
    expect((await analyzer.runNow()).errors).toEqual([]);
  }, 240_000);
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  // Regression: `Unknown system mssql://sqlprod01/SALES.Billing is used by invoice-sync` and `Undocumented flow crm →
  // unknown:mssql://sqlprod01/SALES.Billing (invoice-sync)`: the instance before the database was read as the database.
  it("matches a database by its name, whatever instance SqlClient's db.namespace qualifies it with", async () => {
    expect(await observedEdges(analyzer)).toEqual([
      'billing -> ledger billing-to-ledger',
      'crm -> billing crm-to-billing',
      'crm -> warehouse crm-to-warehouse',
    ]);
    expect(await openFindingTitles(analyzer, ['undocumented-flow', 'unknown-system', 'flow-never-observed'])).toEqual([]);
  });
});
