import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import type { Analyzer } from '../index.ts';
import { testAnalyzer } from '../test/test-analyzer.ts';
import { otlpJsonSpan as span, randomIds as ids } from '../../test/otlp-json.ts';

const MIN = 60_000;

/** A catalog whose library-call systems are matched by the host their calls went to, and by nothing else. */
const catalogYaml = `systems:
  - { id: crm, match: { hosts: [crm.internal] } }
  - { id: orders-table, match: { databases: [{ system: dynamodb, host: dynamodb.eu-west-1.amazonaws.com }] } }
  - { id: search, match: { databases: [{ system: elasticsearch, host: "es.internal:9200" }] } }
  - { id: orders-queue, match: { hosts: [sqs.eu-west-1.amazonaws.com] } }
  - { id: cache, match: { hosts: [cache.upstash.io] } }
  - { id: billing, match: { hosts: [billing.internal] } }
  - { id: orders-db, match: { databases: [{ system: postgresql, host: pg.internal }] } }
flows:
  - { id: crm-to-dynamodb, source: crm, target: orders-table, runtime: { service: host-sync } }
  - { id: crm-to-search, source: crm, target: search, runtime: { service: host-sync } }
  - { id: crm-to-queue, source: crm, target: orders-queue, runtime: { service: host-sync } }
  - { id: crm-to-cache, source: crm, target: cache, runtime: { service: host-sync } }
  - { id: crm-to-billing, source: crm, target: billing, runtime: { service: host-sync } }
  - { id: crm-to-orders-db, source: crm, target: orders-db, runtime: { service: host-sync } }
`;

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number) => ({ key, value: { intValue: value } });
/** What instrumentation-http records of the request that carries a client library's call. */
const http = (method: string, url: string) => {
  const u = new URL(url);
  return [
    str('http.request.method', method),
    str('url.full', url),
    str('server.address', u.hostname),
    int('server.port', Number(u.port || (u.protocol === 'https:' ? 443 : 80))),
  ];
};
const readCrm = http('GET', 'http://crm.internal/api/orders');
/** Library spans that name their system and what they touched, and no host. */
const putItem = [
  str('rpc.system', 'aws-api'),
  str('rpc.service', 'DynamoDB'),
  str('db.system.name', 'dynamodb'),
  str('db.namespace', 'Orders'),
  str('db.operation.name', 'PutItem'),
];
const esIndex = [str('db.system.name', 'elasticsearch'), str('db.namespace', 'orders'), str('db.operation.name', 'index')];
const sqsSend = [
  str('rpc.system', 'aws-api'),
  str('messaging.system', 'aws_sqs'),
  str('messaging.destination.name', 'orders-queue'),
  str('messaging.operation.type', 'send'),
];
/** A gRPC client library's call named by the peer it calls, and the instrumented gRPC call under it. */
const grpcCall = [
  str('rpc.system', 'grpc'),
  str('rpc.service', 'billing.Invoices'),
  str('rpc.method', 'Create'),
  str('peer.service', 'billing'),
  str('integration.operation', 'create'),
];
const grpcCarrier = [
  str('rpc.system', 'grpc'),
  str('rpc.service', 'billing.Invoices'),
  str('rpc.method', 'Create'),
  str('server.address', 'billing.internal'),
  int('server.port', 50051),
  str('integration.operation', 'create'),
];
/** An ORM's span (the database and no host) and the driver's under it, which names the server. */
const ormInsert = [str('db.system.name', 'postgresql'), str('db.namespace', 'orders'), str('db.operation.name', 'INSERT')];
const pgInsert = [...ormInsert, str('db.query.text', 'INSERT INTO orders VALUES ($1)'), str('server.address', 'pg.internal'), int('server.port', 5432)];
const redisSet = [str('db.system.name', 'redis'), str('db.operation.name', 'SET'), str('db.query.text', 'SET order:1 ?')];

/** Sends `spans` as one OTLP/JSON request of the service `service` to `h`'s collector, and stores them. */
async function sendJson(h: Harness, service: string, spans: object[]): Promise<void> {
  const body = { resourceSpans: [{ resource: { attributes: [str('service.name', service)] }, scopeSpans: [{ spans }] }] };
  const res = await fetch(`${h.collector.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  await h.collector.flush();
}

/** `<kind> <sys> <host> <name> <spans>` per endpoint of the endpoint rollups' rows of `service` (a test name), spans summed as text. */
async function endpointSpans(h: Harness, service: string, table = 'weft_endpoint_rollup_1m'): Promise<string[]> {
  const rows = await h.rows<{ k: string; spans: string }>(
    `SELECT concat(ep_kind, ' ', ep_sys, ' ', ep_host, ' ', ep_name) AS k, toString(sum(spans)) AS spans FROM ${table}
     WHERE service = '${service}' GROUP BY k ORDER BY k`,
  );
  return rows.map((r) => `${r.k} ${r.spans}`);
}

const openFindings = async (a: Analyzer) =>
  (await a.findings.list({ status: ['open'], kind: ['unknown-system', 'undocumented-flow'] })).map((f) => `${f.kind} ${f.title}`).sort();
const observedEdges = async (a: Analyzer) =>
  (await a.graph()).edges
    .filter((e) => e.observed)
    .map((e) => `${e.source} -> ${e.target}`)
    .sort();
/** The unknown systems and the observed flows `service` (a test name) is in, as findings title them and the graph has them. */
const seenBy = async (a: Analyzer, service: string) => [
  ...(await a.findings.list({ status: ['open'], kind: ['unknown-system'] })).map((f) => f.title).filter((t) => t.endsWith(` ${service}`)),
  ...(await a.graph()).edges
    .filter((e) => e.observed && e.integrations.includes(service))
    .map((e) => `${e.source} -> ${e.target}`)
    .sort(),
];

describe('a client library call that names no host, carried by an HTTP call that does (migration 117)', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 10 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    analyzer = testAnalyzer(h.store, catalogYaml);
    const spans: object[] = [];
    for (const [attrs, kind, carrier] of [
      [putItem, 3, http('POST', 'https://dynamodb.eu-west-1.amazonaws.com/')],
      [esIndex, 3, http('PUT', 'http://es.internal:9200/orders/_doc/1')],
      [sqsSend, 4, http('POST', 'https://sqs.eu-west-1.amazonaws.com/')],
      [redisSet, 3, http('POST', 'https://cache.upstash.io/')],
      [grpcCall, 3, grpcCarrier],
      [ormInsert, 3, pgInsert],
    ] as const) {
      const [trace, root, get, parent, child] = ids(16, 8, 8, 8, 8);
      spans.push(
        span(trace, root, '', 1, t0, []),
        span(trace, get, root, 3, t0 + 1, readCrm),
        span(trace, parent, root, kind, t0 + 10, [...attrs]),
        span(trace, child, parent, 3, t0 + 11, [...carrier]),
      );
    }
    await sendJson(h, 'host-sync', spans);
    expect((await analyzer.runNow()).errors).toEqual([]);
  });
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  // Regression: the DynamoDB, Elasticsearch, SQS, gRPC and ORM calls were `Unknown system dynamodb:///Orders` (and
  // elasticsearch:///orders, aws_sqs:orders-queue, billing, postgresql:///orders) and undocumented flows to them, though
  // their transports reached the hosts the catalog names.
  it('resolves DynamoDB, Elasticsearch, SQS, gRPC and ORM calls by the host their transport reached: no unknown system, no undocumented flow', async () => {
    expect(await openFindings(analyzer)).toEqual([]);
    expect(await observedEdges(analyzer)).toEqual([
      'crm -> billing',
      'crm -> cache',
      'crm -> orders-db',
      'crm -> orders-queue',
      'crm -> orders-table',
      'crm -> search',
    ]);
  });

  it('moves each counted touch to the host once, also when pairing runs again; a Redis call named by nothing but its transport stays its transport', async () => {
    expect((await analyzer.runNow()).errors).toEqual([]);
    expect((await analyzer.runNow()).errors).toEqual([]);
    const expected = [
      '    6',
      'db dynamodb  Orders 0',
      'db dynamodb dynamodb.eu-west-1.amazonaws.com:443 Orders 1',
      'db elasticsearch  orders 0',
      'db elasticsearch es.internal:9200 orders 1',
      // the ORM's call moved to the driver's endpoint, whose own touch (its transport's) was taken back: one call
      'db postgresql  orders 0',
      'db postgresql pg.internal orders 1',
      'http http crm.internal /api/orders 6',
      'http http es.internal:9200 /orders/_doc 0',
      // the Redis span (no host, no database) is an unnamed endpoint, so its HTTP call is no transport: the call itself
      'http https cache.upstash.io / 1',
      'http https dynamodb.eu-west-1.amazonaws.com / 0',
      'http https sqs.eu-west-1.amazonaws.com / 0',
      'messaging aws_sqs  orders-queue 0',
      'messaging aws_sqs sqs.eu-west-1.amazonaws.com:443 orders-queue 1',
      'rpc grpc  billing.Invoices 0',
      'rpc grpc billing.internal:50051 billing.Invoices 1',
      'unnamed db  redis 1',
    ];
    expect(await endpointSpans(h, 'host-sync')).toEqual(expected);
    expect(await endpointSpans(h, 'host-sync', 'weft_endpoint_rollup_1h')).toEqual(expected);
  });
});

describe('a client library call and its transport arriving apart, again, or as copies (migration 117)', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 10 * MIN;
  const run = async () => expect((await analyzer.runNow()).errors).toEqual([]);
  const dynamoPost = http('POST', 'https://dynamodb.eu-west-1.amazonaws.com/');
  beforeAll(async () => {
    h = await startHarness();
    analyzer = testAnalyzer(
      h.store,
      catalogYaml.replace(
        'flows:',
        `  - { id: gateway, match: { hosts: [gateway.internal] } }
  - { id: es-a, match: { hosts: ["es-a.internal"] } }
  - { id: es-b, match: { hosts: ["es-b.internal", "es-c.internal"] } }
flows:`,
      ),
    );
  });
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  it('moves the call to the host when its transport arrived first, in a request of its own', async () => {
    const [trace, root, get, parent, child] = ids(16, 8, 8, 8, 8);
    await sendJson(h, 'child-first', [span(trace, child, parent, 3, t0 + 11, dynamoPost)]);
    await run();
    await sendJson(h, 'child-first', [
      span(trace, root, '', 1, t0, []),
      span(trace, get, root, 3, t0 + 1, readCrm),
      span(trace, parent, root, 3, t0 + 10, putItem),
    ]);
    await run();
    await run();
    expect(await endpointSpans(h, 'child-first')).toEqual([
      '    1',
      'db dynamodb  Orders 0',
      'db dynamodb dynamodb.eu-west-1.amazonaws.com:443 Orders 1',
      'http http crm.internal /api/orders 1',
      'http https dynamodb.eu-west-1.amazonaws.com / 0',
    ]);
    expect(await seenBy(analyzer, 'child-first')).toEqual(['crm -> orders-table']);
  });

  // Regression: the call paired before its transport arrived stayed `Unknown system dynamodb:///Orders` after it had.
  it('moves the call to the host when its transport arrives in a later request, after the call was paired', async () => {
    const [trace, root, get, parent, child] = ids(16, 8, 8, 8, 8);
    await sendJson(h, 'child-later', [
      span(trace, root, '', 1, t0, []),
      span(trace, get, root, 3, t0 + 1, readCrm),
      span(trace, parent, root, 3, t0 + 10, putItem),
    ]);
    await run();
    expect(await seenBy(analyzer, 'child-later')).toEqual(['Unknown system dynamodb:///Orders is used by child-later', 'crm -> unknown:dynamodb:///Orders']);
    await sendJson(h, 'child-later', [span(trace, child, parent, 3, t0 + 11, dynamoPost)]);
    await run();
    await run();
    expect(await seenBy(analyzer, 'child-later')).toEqual(['crm -> orders-table']);
    expect(await endpointSpans(h, 'child-later')).toEqual([
      '    1',
      'db dynamodb  Orders 0',
      'db dynamodb dynamodb.eu-west-1.amazonaws.com:443 Orders 1',
      'http http crm.internal /api/orders 1',
      'http https dynamodb.eu-west-1.amazonaws.com / 0',
    ]);
  });

  it('never changes a host the call named itself', async () => {
    const [trace, root, parent, child] = ids(16, 8, 8, 8);
    const own = [...esIndex, str('server.address', 'es-a.internal'), int('server.port', 9200)];
    await sendJson(h, 'own-host', [
      span(trace, root, '', 1, t0, []),
      span(trace, parent, root, 3, t0 + 10, own),
      span(trace, child, parent, 3, t0 + 11, http('PUT', 'http://es-b.internal:9200/orders/_doc/1')),
    ]);
    await run();
    expect(await seenBy(analyzer, 'own-host')).toEqual(['integration:own-host -> es-a']);
    expect(await endpointSpans(h, 'own-host')).toEqual([
      '    1',
      'db elasticsearch es-a.internal:9200 orders 1',
      'http http es-b.internal:9200 /orders/_doc 0',
    ]);
  });

  it('takes the host of the transport stored first, then started first, and keeps it when another arrives later', async () => {
    const [trace, root, parent, first, second, third] = ids(16, 8, 8, 8, 8, 8);
    await sendJson(h, 'retried', [
      span(trace, root, '', 1, t0, []),
      span(trace, parent, root, 3, t0 + 10, esIndex),
      span(trace, second, parent, 3, t0 + 12, http('PUT', 'http://es-a.internal:9200/orders/_doc/1')),
      span(trace, first, parent, 3, t0 + 11, http('PUT', 'http://es-b.internal:9200/orders/_doc/1')),
    ]);
    await run();
    await sendJson(h, 'retried', [span(trace, third, parent, 3, t0 + 9, http('PUT', 'http://es-c.internal:9201/orders/_doc/1'))]);
    await run();
    await run();
    expect(await endpointSpans(h, 'retried')).toEqual([
      '    1',
      'db elasticsearch  orders 0',
      'db elasticsearch es-b.internal:9200 orders 1',
      'http http es-a.internal:9200 /orders/_doc 0',
      'http http es-b.internal:9200 /orders/_doc 0',
      'http http es-c.internal:9201 /orders/_doc 0',
    ]);
    expect(await seenBy(analyzer, 'retried')).toEqual(['integration:retried -> es-b']);
  });

  // A later copy, exact or not, is taken back whole where it was counted (118), before the move: the call is moved once,
  // and no copy's touch is moved.
  it("moves a call exported again once, and no later copy's touch", async () => {
    const [trace, root, get, parent, child] = ids(16, 8, 8, 8, 8);
    const call = span(trace, parent, root, 3, t0 + 10, putItem);
    await sendJson(h, 'exported-twice', [
      span(trace, root, '', 1, t0, []),
      span(trace, get, root, 3, t0 + 1, readCrm),
      call,
      span(trace, child, parent, 3, t0 + 11, dynamoPost),
    ]);
    await run();
    await sendJson(h, 'exported-twice', [call]);
    await run();
    const other = [...putItem.filter((a) => a.key !== 'db.namespace'), str('db.namespace', 'Customers')];
    await sendJson(h, 'exported-twice', [span(trace, parent, root, 3, t0 + 10, other)]);
    await run();
    await run();
    expect(await endpointSpans(h, 'exported-twice')).toEqual([
      '    1',
      'db dynamodb  Customers 0',
      'db dynamodb  Orders 0',
      'db dynamodb dynamodb.eu-west-1.amazonaws.com:443 Orders 1',
      'http http crm.internal /api/orders 1',
      'http https dynamodb.eu-west-1.amazonaws.com / 0',
    ]);
    expect(await seenBy(analyzer, 'exported-twice')).toEqual(['crm -> orders-table']);
  });

  it("moves a call's records and errors with its only touch", async () => {
    const [trace, root, parent, child] = ids(16, 8, 8, 8);
    const failed = { ...span(trace, parent, root, 3, t0 + 10, [...putItem, str('integration.records', '7')]), status: { code: 2 } };
    await sendJson(h, 'with-records', [span(trace, root, '', 1, t0, []), failed, span(trace, child, parent, 3, t0 + 11, dynamoPost)]);
    await run();
    await run();
    const rows = await h.rows<{ k: string }>(
      `SELECT concat(ep_host, ' ', toString(sum(spans)), ' ', toString(sum(errors)), ' ', toString(sum(records))) AS k FROM weft_endpoint_rollup_1h
       WHERE service = 'with-records' AND ep_kind = 'db' GROUP BY ep_host ORDER BY ep_host`,
    );
    expect(rows.map((r) => r.k)).toEqual([' 0 0 0', 'dynamodb.eu-west-1.amazonaws.com:443 1 1 7']);
  });

  // Regression (of the move): a call awaiting its own parent was held out of the unknown systems under its endpoint
  // without the host, while the rollups counted it with: `Unknown system dynamodb://dynamodb.us-east-1.amazonaws.com:443/Invoices`
  // was reported at once, and resolved when the call's parent arrived and made it a transport.
  it('holds a call moved to an unknown host out of the unknown systems while its own parent has not arrived', async () => {
    const [trace, root, outer, parent, child] = ids(16, 8, 8, 8, 8);
    const invoices = [...putItem.filter((a) => a.key !== 'db.namespace'), str('db.namespace', 'Invoices')];
    await sendJson(h, 'nested-unknown', [
      span(trace, parent, outer, 3, t0 + 10, invoices),
      span(trace, child, parent, 3, t0 + 11, http('POST', 'https://dynamodb.us-east-1.amazonaws.com/')),
    ]);
    await run();
    expect(await seenBy(analyzer, 'nested-unknown')).toEqual([]);
    expect(await endpointSpans(h, 'nested-unknown')).toContain('db dynamodb dynamodb.us-east-1.amazonaws.com:443 Invoices 1');
    await sendJson(h, 'nested-unknown', [
      span(trace, root, '', 1, t0, []),
      span(trace, outer, root, 3, t0 + 5, http('POST', 'http://gateway.internal/api/invoices')),
    ]);
    await run();
    expect(await seenBy(analyzer, 'nested-unknown')).toEqual(['integration:nested-unknown -> gateway']);
  });

  // Regression (of the move): the moved touch was taken back where it was counted first once the call became a
  // transport itself: that row read spans = 18446744073709551615 and the moved one stayed counted.
  it('takes a moved touch back where it went when the call turns out to be a transport itself', async () => {
    const [trace, root, outer, parent, child] = ids(16, 8, 8, 8, 8);
    await sendJson(h, 'nested', [span(trace, parent, outer, 3, t0 + 10, putItem), span(trace, child, parent, 3, t0 + 11, dynamoPost)]);
    await run();
    await sendJson(h, 'nested', [span(trace, root, '', 1, t0, []), span(trace, outer, root, 3, t0 + 5, http('POST', 'http://gateway.internal/api/orders'))]);
    await run();
    await run();
    expect(await endpointSpans(h, 'nested')).toEqual([
      '    1',
      'db dynamodb  Orders 0',
      'db dynamodb dynamodb.eu-west-1.amazonaws.com:443 Orders 0',
      'http http gateway.internal /api/orders 1',
      'http https dynamodb.eu-west-1.amazonaws.com / 0',
    ]);
    expect(await endpointSpans(h, 'nested', 'weft_endpoint_rollup_1h')).toEqual(await endpointSpans(h, 'nested'));
  });

  /** `<direction> <host> <name> spans=… errors=… records=…` per db endpoint of the hourly rollup's rows of `service`. */
  const dbCounts = async (service: string) =>
    (
      await h.rows<{ k: string }>(
        `SELECT concat(direction, ' ', ep_host, ' ', ep_name, ' spans=', toString(sum(spans)), ' errors=', toString(sum(errors)),
           ' records=', toString(sum(records))) AS k FROM weft_endpoint_rollup_1h
         WHERE service = '${service}' AND ep_kind = 'db' GROUP BY direction, ep_host, ep_name ORDER BY direction, ep_host, ep_name`,
      )
    ).map((r) => r.k);
  /** A DynamoDB BatchWriteItem of `tables` that wrote `records` records, no host named. */
  const batchWrite = (tables: string[], records: number) => [
    str('rpc.system', 'aws-api'),
    str('rpc.service', 'DynamoDB'),
    str('rpc.method', 'BatchWriteItem'),
    str('db.system.name', 'dynamodb'),
    str('db.operation.name', 'BatchWriteItem'),
    { key: 'aws.dynamodb.table_names', value: { arrayValue: { values: tables.map((t) => ({ stringValue: t })) } } },
    str('integration.records', String(records)),
  ];
  /** Touch sets of `service` as 114 stored them, before 118: no first touch kept. */
  const before118 = (service: string) =>
    h.store.client.command({
      query: `ALTER TABLE weft_trace_touch_sets UPDATE primary_spans = CAST([], 'Array(Tuple(String, Tuple(String, Tuple(String, String, String, String, String))))')
        WHERE integration = '${service}' SETTINGS mutations_sync = 2`,
    });

  // Merged with 118: the records of a call with two touches stayed on the first one's row without the host (spans 0,
  // records 4), as the rule before 118 (records only with an only touch) left them.
  it("moves a call's records with the touch the rollups counted them on, of several (118)", async () => {
    const [trace, root, parent, child] = ids(16, 8, 8, 8);
    await sendJson(h, 'two-tables', [
      span(trace, root, '', 1, t0, []),
      span(trace, parent, root, 3, t0 + 10, batchWrite(['Invoices', 'Orders'], 4)),
      span(trace, child, parent, 3, t0 + 11, dynamoPost),
    ]);
    await run();
    await run();
    expect(await dbCounts('two-tables')).toEqual([
      'write  Invoices spans=0 errors=0 records=0',
      'write  Orders spans=0 errors=0 records=0',
      'write dynamodb.eu-west-1.amazonaws.com:443 Invoices spans=1 errors=0 records=4',
      'write dynamodb.eu-west-1.amazonaws.com:443 Orders spans=1 errors=0 records=0',
    ]);
  });

  // Merged with 118: records taken back from the touch they were counted on (`record_touches`) were taken back where
  // it was counted first, not where it was moved: that row read records = 2^64 − 4 and the moved one kept 4.
  it('takes records back where their touch was moved when the call turns out to be a transport itself', async () => {
    const [trace, root, outer, parent, child] = ids(16, 8, 8, 8, 8);
    await sendJson(h, 'nested-records', [
      span(trace, parent, outer, 3, t0 + 10, batchWrite(['Invoices', 'Orders'], 4)),
      span(trace, child, parent, 3, t0 + 11, dynamoPost),
    ]);
    await run();
    expect(await dbCounts('nested-records')).toContain('write dynamodb.eu-west-1.amazonaws.com:443 Invoices spans=1 errors=0 records=4');
    await sendJson(h, 'nested-records', [
      span(trace, root, '', 1, t0, []),
      span(trace, outer, root, 3, t0 + 5, http('POST', 'http://gateway.internal/api/orders')),
    ]);
    await run();
    await run();
    expect(await dbCounts('nested-records')).toEqual([
      'write  Invoices spans=0 errors=0 records=0',
      'write  Orders spans=0 errors=0 records=0',
      'write dynamodb.eu-west-1.amazonaws.com:443 Invoices spans=0 errors=0 records=0',
      'write dynamodb.eu-west-1.amazonaws.com:443 Orders spans=0 errors=0 records=0',
    ]);
  });

  it("takes a later copy of a moved call back whole where it was counted, records too, and keeps the first copy's moved", async () => {
    const [trace, root, parent, child] = ids(16, 8, 8, 8);
    await sendJson(h, 'moved-then-copied', [
      span(trace, root, '', 1, t0, []),
      span(trace, parent, root, 3, t0 + 10, batchWrite(['Orders'], 3)),
      span(trace, child, parent, 3, t0 + 11, dynamoPost),
    ]);
    await run();
    await sendJson(h, 'moved-then-copied', [span(trace, parent, root, 3, t0 + 10, batchWrite(['Invoices', 'Orders'], 4))]);
    await run();
    await run();
    expect(await dbCounts('moved-then-copied')).toEqual([
      'write  Invoices spans=0 errors=0 records=0',
      'write  Orders spans=0 errors=0 records=0',
      'write dynamodb.eu-west-1.amazonaws.com:443 Orders spans=1 errors=0 records=3',
    ]);
  });

  it('moves the records of a call whose touch set was stored before 118 only with its only touch, and of two leaves them', async () => {
    const [trace, root, one, oneChild, two, twoChild] = ids(16, 8, 8, 8, 8, 8);
    await sendJson(h, 'pre118-one-table', [
      span(trace, root, '', 1, t0, []),
      span(trace, one, root, 3, t0 + 10, batchWrite(['Orders'], 3)),
      span(trace, oneChild, one, 3, t0 + 11, dynamoPost),
    ]);
    const [trace2, root2] = ids(16, 8);
    await sendJson(h, 'pre118-two-tables', [
      span(trace2, root2, '', 1, t0, []),
      span(trace2, two, root2, 3, t0 + 10, batchWrite(['Invoices', 'Orders'], 4)),
      span(trace2, twoChild, two, 3, t0 + 11, dynamoPost),
    ]);
    await before118('pre118-one-table');
    await before118('pre118-two-tables');
    await run();
    await run();
    expect(await dbCounts('pre118-one-table')).toEqual([
      'write  Orders spans=0 errors=0 records=0',
      'write dynamodb.eu-west-1.amazonaws.com:443 Orders spans=1 errors=0 records=3',
    ]);
    // Which of its two touches carried the records is not known: they stay where they were counted.
    expect(await dbCounts('pre118-two-tables')).toEqual([
      'write  Invoices spans=0 errors=0 records=4',
      'write  Orders spans=0 errors=0 records=0',
      'write dynamodb.eu-west-1.amazonaws.com:443 Invoices spans=1 errors=0 records=0',
      'write dynamodb.eu-west-1.amazonaws.com:443 Orders spans=1 errors=0 records=0',
    ]);
  });

  it('leaves no rollup row of any of these services below zero', async () => {
    for (const table of ['weft_endpoint_rollup_1m', 'weft_endpoint_rollup_1h']) {
      const [below] = await h.rows<{ n: string }>(
        `SELECT toString(count()) AS n FROM (
           SELECT sum(spans) AS s, sum(errors) AS e, sum(records) AS r FROM ${table}
           GROUP BY integration, service, direction, ep_kind, ep_sys, ep_host, ep_name, ep_peer, domain)
         WHERE s > 1000000000000 OR e > 1000000000000 OR r > 1000000000000`,
      );
      expect(below.n).toBe('0');
    }
  });
});
