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
  - { id: erp, owner: icoe, match: { databases: ["oracle://ora01/ERP"] } }
  - { id: billing, owner: icoe, match: { databases: ["mssql://sql01/Billing"] } }
flows:
  - { id: crm-to-erp, source: crm, target: erp, owner: icoe, runtime: { service: customer-sync } }
  - { id: crm-to-billing, source: crm, target: billing, owner: icoe, runtime: { service: invoice-sync } }
  - { id: billing-to-crm, source: billing, target: crm, owner: icoe, runtime: { service: balance-sync } }
`;

const call = (method: string, url: string): SpanSpec => httpCall(method, url);
/** The Java agent's JDBC span of a CallableStatement on Oracle. */
const jdbcCall = (statement: string): SpanSpec => ({
  name: 'CALL ERP',
  kind: CLIENT,
  attributes: {
    'db.system': 'oracle',
    'db.name': 'ERP',
    'db.connection_string': 'oracle:thin://ora01:1521',
    'db.user': 'sync',
    'db.statement': statement,
    'db.operation': 'CALL',
    'net.peer.name': 'ora01',
    'net.peer.port': 1521,
  },
});
/** OpenTelemetry.Instrumentation.SqlClient's span of a SqlCommand of CommandType.StoredProcedure: the text is the name. */
const sqlClientProcedure = (name: string): SpanSpec => ({
  name: 'Billing',
  kind: CLIENT,
  attributes: { 'db.system': 'mssql', 'db.name': 'Billing', 'db.statement': name, 'server.address': 'sql01' },
});

describe('stored procedure calls, by their names (migration 122)', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    const run = (service: string, children: SpanSpec[], at: number) =>
      sendSpans({ url: h.collector.url, serviceName: service }, [{ name: 'sync', kind: INTERNAL, start: at, children }]);
    // Reads CRM customers and upserts each into the ERP through a PL/SQL package.
    await run('customer-sync', [call('GET', 'http://crm.internal/api/customers'), jdbcCall('{call customer_pkg.upsert_customer(?, ?, ?)}')], t0);
    // Reads CRM accounts and writes invoices into billing through T-SQL procedures.
    await run('invoice-sync', [call('GET', 'http://crm.internal/api/accounts'), sqlClientProcedure('dbo.usp_UpsertInvoice')], t0 + 1000);
    // Reads balances out of billing through a procedure and writes them into the CRM.
    await run('balance-sync', [sqlClientProcedure('dbo.usp_GetOpenBalances'), call('PATCH', 'http://crm.internal/api/accounts/7')], t0 + 2000);
    await h.collector.flush();
    analyzer = testAnalyzer(h.store, catalogYaml, { lateMs: 1 });
    expect((await analyzer.runNow()).errors).toEqual([]);
  }, 240_000);
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  // Regression: a stored procedure call had no direction, so none of these runs wrote or read the database: the observed
  // edges were `crm -> integration:customer-sync` and `crm -> integration:invoice-sync` (the integrations as targets), the
  // documented flows were never observed, and balance-sync wrote the CRM from nowhere (`integration:balance-sync -> crm`).
  it('pairs each call into its documented flow', async () => {
    expect(await observedEdges(analyzer)).toEqual(['billing -> crm billing-to-crm', 'crm -> billing crm-to-billing', 'crm -> erp crm-to-erp']);
    expect(await openFindingTitles(analyzer, ['undocumented-flow', 'unknown-system', 'sor-violation'])).toEqual([]);
  });
});
