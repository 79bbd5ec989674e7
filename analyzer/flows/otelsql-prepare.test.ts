import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { testAnalyzer, observedEdges } from '../test/test-analyzer.ts';

const { CLIENT, INTERNAL } = api.SpanKind;
const MIN = 60_000;

const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: crm-db, owner: icoe, match: { databases: [{ system: postgresql, namespace: crm }] } }
  - { id: orders-db, owner: icoe, match: { databases: [{ system: postgresql, namespace: orders }] } }
flows:
  - { id: order-import, source: crm-db, target: orders-db, owner: icoe, runtime: { service: order-import } }
`;

const SELECT = 'SELECT id, name FROM customers WHERE updated_at > $1';
const INSERT = 'INSERT INTO orders (id, customer) VALUES ($1, $2)';

/**
 * XSAM/otelsql's span of a database/sql call: a CLIENT span named by the method (`sql.conn.prepare`, `sql.stmt.query`,
 * `sql.stmt.exec`, `sql.rows`), with the attributes the service configured (the system, here its database and host too)
 * and the statement, when the call has one.
 */
const otelsql = (method: string, database: string, statement?: string, start?: number): SpanSpec => ({
  name: method,
  kind: CLIENT,
  ...(start === undefined ? {} : { start }),
  attributes: {
    'db.system': 'postgresql',
    'db.name': database,
    'server.address': `${database}-db.internal`,
    ...(statement === undefined ? {} : { 'db.statement': statement }),
  },
});

describe("XSAM/otelsql's spans of statements prepared (database/sql in Go)", () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    await sendSpans({ url: h.collector.url, serviceName: 'order-import' }, [
      // At its start the service prepares its statements (db.PrepareContext with no span around: a trace each).
      otelsql('sql.conn.prepare', 'crm', SELECT, t0 - MIN),
      otelsql('sql.conn.prepare', 'orders', INSERT, t0 - MIN + 10),
      // A run: the prepared statements executed; a statement prepared inside a transaction, then run.
      {
        name: 'import',
        kind: INTERNAL,
        start: t0,
        children: [
          otelsql('sql.stmt.query', 'crm', SELECT),
          otelsql('sql.rows', 'crm'),
          otelsql('sql.conn.prepare', 'orders', INSERT),
          otelsql('sql.stmt.exec', 'orders', INSERT),
        ],
      },
    ]);
    await h.collector.flush();
    analyzer = testAnalyzer(h.store, catalogYaml, { lateMs: 1 });
    expect((await analyzer.runNow()).errors).toEqual([]);
  }, 240_000);
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  // Regression: `crm-db -> orders-db order-import traces=2`: the statements prepared at the service's start were a run
  // of the flow (one trace read the CRM, the next wrote the orders), and each prepare counted as a read or a write.
  it('takes a statement prepared for no run and no read or write', async () => {
    expect(await observedEdges(analyzer, (e) => `${e.source} -> ${e.target} ${e.flowId ?? ''} traces=${e.traces}`)).toEqual([
      'crm-db -> orders-db order-import traces=1',
    ]);
    const rows = await h.rows<{ ep: string }>(
      `SELECT concat(direction, ' ', ep_host, ' ', ep_name, ' ', toString(sum(spans))) AS ep FROM weft_endpoint_rollup_1m
       WHERE ep_kind = 'db' GROUP BY direction, ep_host, ep_name ORDER BY ep`,
    );
    expect(rows.map((r) => r.ep)).toEqual(['read crm-db.internal crm 1', 'write orders-db.internal orders 1']);
  });
});
