import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { httpCall, sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { flowEdges, MISREADING_KINDS, observedEdges, openFindingTitles, testAnalyzer } from '../test/test-analyzer.ts';

const { CLIENT, INTERNAL } = api.SpanKind;
const MIN = 60_000;

const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: billing, owner: icoe, match: { hosts: [billing.internal] } }
  - { id: orders-db, owner: icoe, match: { databases: [{ system: mssql, namespace: orders, host: sql01 }] } }
  - { id: orders-dr, owner: icoe, match: { databases: [{ system: mssql, namespace: orders, host: "sql02:14330" }] } }
flows:
  - { id: ef-sync, source: orders-db, target: billing, owner: icoe, runtime: { service: ef-sync } }
  - { id: ef-dr, source: orders-dr, target: billing, owner: icoe, runtime: { service: ef-dr } }
`;

/**
 * OpenTelemetry.Instrumentation.EntityFrameworkCore's span of a command: named after the database, db.system `mssql`,
 * the connection's DataSource as it is in server.address (no port attribute), the statement.
 */
const command = (dataSource: string, statement: string): SpanSpec => ({
  name: 'orders',
  kind: CLIENT,
  attributes: { 'db.system': 'mssql', 'db.name': 'orders', 'server.address': dataSource, 'db.statement': statement },
});

describe('SQL Server data sources given as the host (EF Core)', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    const send = (service: string, roots: SpanSpec[]) => sendSpans({ url: h.collector.url, serviceName: service }, roots);
    const run = (start: number, dataSource: string): SpanSpec => ({
      name: 'sync',
      kind: INTERNAL,
      start,
      children: [command(dataSource, 'SELECT [o].[Id], [o].[Total] FROM [Orders] AS [o]'), httpCall('POST', 'https://billing.internal/api/invoices')],
    });
    // A protocol and a port, a named instance (with and without a port), the named pipe, the dedicated admin connection.
    await send('ef-sync', [
      run(t0, 'tcp:sql01,1433'),
      run(t0 + 1000, 'sql01\\INST1'),
      run(t0 + 2000, 'SQL01\\INST1,1433'),
      run(t0 + 3000, 'np:\\\\sql01\\pipe\\MSSQL$INST1\\sql\\query'),
      run(t0 + 4000, 'admin:sql01'),
      // Older versions of the instrumentation: the DataSource as peer.service, no host attribute.
      {
        name: 'sync',
        kind: INTERNAL,
        start: t0 + 5000,
        children: [
          {
            name: 'orders',
            kind: CLIENT,
            attributes: { 'db.system': 'mssql', 'db.name': 'orders', 'peer.service': 'tcp:sql01,1433', 'db.statement': 'SELECT [o].[Id] FROM [Orders] AS [o]' },
          },
          httpCall('POST', 'https://billing.internal/api/invoices'),
        ],
      },
    ]);
    // A port that is not the default: the endpoint keeps it, so a rule naming it matches.
    await send('ef-dr', [run(t0, 'tcp:sql02.,14330')]);
    await h.collector.flush();
    analyzer = testAnalyzer(h.store, catalogYaml, { lateMs: 1 });
    expect((await analyzer.runNow()).errors).toEqual([]);
  }, 240_000);
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  it('reads the server and port of the data source, and matches the rule naming them', async () => {
    expect(await flowEdges(analyzer)).toEqual(['ef-dr orders-dr -> billing', 'ef-sync orders-db -> billing']);
    expect(await openFindingTitles(analyzer, [...MISREADING_KINDS])).toEqual([]);
    expect(await observedEdges(analyzer, (e) => `${e.source} ${e.traces}`)).toEqual(['orders-db 6', 'orders-dr 1']);
  });
});
