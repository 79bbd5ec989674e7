import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { testAnalyzer, openFindingTitles, observedEdges } from '../test/test-analyzer.ts';

const { CLIENT, INTERNAL } = api.SpanKind;
const MIN = 60_000;

const catalogYaml = `
owners: [{ id: icoe }]
systems:
  - { id: shop, owner: icoe, match: { databases: ["mongodb://mongo.internal/shop"] } }
  - { id: erp, owner: icoe, match: { hosts: [erp.internal] } }
flows:
  - { id: shop-to-erp, source: shop, target: erp, owner: icoe, runtime: { service: mongo-sync } }
`;

/** instrumentation-mongodb's span of a command `op` on `db`.`coll` (the older conventions, its default). */
const mongo = (db: string, coll: string, op: string): SpanSpec => ({
  name: `mongodb.${op}`,
  kind: CLIENT,
  attributes: {
    'db.system': 'mongodb',
    'db.name': db,
    'db.mongodb.collection': coll,
    'db.operation': op,
    'net.peer.name': 'mongo.internal',
    'net.peer.port': 27017,
    'db.connection_string': 'mongodb://mongo.internal:27017',
  },
});

describe("a MongoDB driver's own commands (migration 119)", () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    // The driver's quick start: `client.db('admin').command({ ping: 1 })` at start, the sync's reads (and a transaction that
    // marks the orders exported), `endSessions` when the client closes.
    await sendSpans({ url: h.collector.url, serviceName: 'mongo-sync' }, [
      { ...mongo('admin', '$cmd', 'ping'), start: t0 },
      {
        name: 'sync',
        kind: INTERNAL,
        start: t0 + 100,
        children: [
          mongo('shop', 'orders', 'find'),
          mongo('shop', 'orders', 'getMore'),
          {
            name: 'POST',
            kind: CLIENT,
            attributes: { 'http.request.method': 'POST', 'url.full': 'http://erp.internal/api/orders', 'http.response.status_code': 201 },
          },
          mongo('shop', 'orders', 'update'),
          mongo('admin', '$cmd', 'commitTransaction'),
        ],
      },
      { ...mongo('admin', '$cmd', 'endSessions'), start: t0 + 500 },
    ]);
    await h.collector.flush();
    analyzer = testAnalyzer(h.store, catalogYaml, { lateMs: 1 });
    expect((await analyzer.runNow()).errors).toEqual([]);
  }, 240_000);
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  // Regression: `Unknown system mongodb://mongo.internal/admin is used by mongo-sync`.
  it('reports no unknown system for the admin database, and sees the documented flow', async () => {
    expect(await openFindingTitles(analyzer, ['unknown-system', 'undocumented-flow'])).toEqual([]);
    const edges = await observedEdges(analyzer);
    expect(edges).toEqual(['shop -> erp shop-to-erp']);
  });

  it('counts the collections read and written, not the driver’s commands', async () => {
    const rows = await h.rows<{ ep: string }>(
      "SELECT DISTINCT concat(service, ' ', direction, ' ', ep_kind, ' ', ep_host, ' ', ep_name) AS ep FROM weft_endpoint_rollup_1m WHERE ep_kind != '' ORDER BY ep",
    );
    expect(rows.map((r) => r.ep)).toEqual([
      'mongo-sync read db mongo.internal shop',
      'mongo-sync write db mongo.internal shop',
      'mongo-sync write http erp.internal /api/orders',
    ]);
  });
});
