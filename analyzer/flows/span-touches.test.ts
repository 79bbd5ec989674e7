import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '@opentelemetry/sdk-node';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { messages } from '../../collector/otlp/proto-codec.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { sendSpans, type SpanSpec } from '../../test/otel.ts';
import { startAnalyzer, type Analyzer } from '../index.ts';
import { catalogFrom } from '../test/estate-fixture.ts';
import { toChTime } from '../../clickhouse/index.ts';

const { CLIENT, INTERNAL, PRODUCER, CONSUMER, SERVER } = api.SpanKind;
const MIN = 60_000;

/**
 * An analyzer over `h`'s store on a clock stopped at `now` (epoch ms), a day's window and a minute's late-arrival
 * window, not scheduled, after one run without errors.
 */
async function analyzedAt(h: Harness, catalog: ReturnType<typeof catalogFrom>, now: number): Promise<Analyzer> {
  const analyzer = startAnalyzer({
    store: h.store,
    catalog,
    logger: silentLogger(),
    config: { intervalMs: 3_600_000, windowMs: 86_400_000, lateMs: MIN, completeGraceMs: 0 },
    clock: { now: () => new Date(now) },
    schedule: false,
  });
  expect((await analyzer.runNow()).errors).toEqual([]);
  return analyzer;
}

/** The observed edges of `analyzer`'s graph (of one of `integrations` when given), as `source -> target integration`. */
async function observedEdges(analyzer: Analyzer, integrations?: string[]): Promise<string[]> {
  return (await analyzer.graph()).edges
    .filter((e) => e.observed && (!integrations || e.integrations.some((i) => integrations.includes(i))))
    .map((e) => `${e.source} -> ${e.target} ${e.integrations.join(',')}`)
    .sort();
}

/** One span per case; `integration.flow` names the case so each row can be told apart. */
const span = (id: string, kind: api.SpanKind, attributes: api.Attributes): SpanSpec => ({
  name: id,
  kind,
  attributes: { 'integration.flow': id, ...attributes },
});
const sql = (id: string, statement: string, more: api.Attributes = {}) =>
  span(id, CLIENT, { 'db.system.name': 'postgresql', 'db.namespace': 'orders', 'server.address': 'db.internal', 'db.query.text': statement, ...more });

const cases: Array<[SpanSpec, string | null]> = [
  // hosts in URLs: userinfo, single-label hosts, old http.url only, IPv6, default and explicit ports
  [
    span('url-userinfo', CLIENT, { 'http.request.method': 'GET', 'url.full': 'https://REDACTED:REDACTED@crm.test.local/api/x' }),
    'read http https crm.test.local /api/x',
  ],
  [
    span('url-python-requests', CLIENT, { 'http.method': 'GET', 'http.url': 'http://localhost:18081/api/customers?page=2' }),
    'read http http localhost:18081 /api/customers',
  ],
  [span('url-single-label', CLIENT, { 'http.request.method': 'POST', 'url.full': 'http://erp-api/orders/1/lines' }), 'write http http erp-api /orders/1'],
  [span('url-ipv6', CLIENT, { 'http.request.method': 'PUT', 'url.full': 'http://[::1]:8080/a' }), 'write http http [::1]:8080 /a'],
  // an IPv6 address in brackets where a bare one belongs (server.address from a parsed URI, a Host header)
  [
    span('host-ipv6-bracketed', CLIENT, { 'http.request.method': 'POST', 'server.address': '[2001:db8::5]', 'server.port': 8443, 'url.path': '/a' }),
    'write http http [2001:db8::5]:8443 /a',
  ],
  [
    span('host-header-ipv6', CLIENT, { 'http.method': 'GET', 'http.host': '[2001:DB8::7]:8443', 'http.target': '/a?x=1' }),
    'read http http [2001:db8::7]:8443 /a',
  ],
  // a host attribute that carries its port
  [
    span('host-with-port', CLIENT, {
      'db.system.name': 'postgresql',
      'db.namespace': 'erp',
      'server.address': 'erp-db.internal:5433',
      'db.query.text': 'SELECT * FROM t',
    }),
    'read db postgresql erp-db.internal:5433 erp',
  ],
  [
    span('peer-name-with-port', CLIENT, {
      'http.request.method': 'GET',
      'net.peer.name': 'WMS.internal:8443',
      'http.target': '/api/x',
      'http.scheme': 'https',
    }),
    'read http https wms.internal:8443 /api/x',
  ],
  [
    span('host-v6-with-port', CLIENT, { 'http.request.method': 'GET', 'server.address': '[2001:db8::9]:8443', 'url.path': '/x' }),
    'read http http [2001:db8::9]:8443 /x',
  ],
  [span('url-default-port', CLIENT, { 'http.request.method': 'GET', 'url.full': 'HTTPS://Crm.Example.COM.:443/x' }), 'read http https crm.example.com /x'],
  [
    span('url-none', CLIENT, {
      'http.request.method': 'GET',
      'server.address': 'erp.internal',
      'server.port': 8443,
      'url.scheme': 'https',
      'url.path': '/v1/orders',
    }),
    'read http https erp.internal:8443 /v1/orders',
  ],
  [span('url-no-host', CLIENT, { 'http.request.method': 'GET', 'url.path': '/x' }), 'read unnamed http  /x'],
  // connection-level spans touch nothing
  [span('net-connect', INTERNAL, { 'server.address': '127.0.0.1', 'server.port': 5432, 'network.transport': 'tcp' }), null],
  [span('dns-lookup', CLIENT, { 'peer.ipv4': '127.0.0.1' }), null],
  // a SERVER span's own URL is where it was called, not what it touched
  [span('server-own-url', SERVER, { 'http.request.method': 'POST', 'url.full': 'https://me.test/api/orders', 'server.address': 'me.test' }), null],
  // an INTERNAL span with no endpoint attributes: no touch (its errors and records still count, below)
  [{ ...span('internal-work', INTERNAL, { 'integration.records': 7 }), status: { code: api.SpanStatusCode.ERROR } }, null],
  [span('pg-connect', CLIENT, { 'db.system.name': 'postgresql', 'db.namespace': 'orders', 'server.address': '127.0.0.1', 'server.port': 5432 }), null],
  [span('http-server', SERVER, { 'http.request.method': 'GET', 'server.address': 'api.local', 'url.path': '/x' }), null],
  // messaging per system
  [
    span('amqplib-default-exchange', PRODUCER, {
      'messaging.system': 'rabbitmq',
      'messaging.destination': '',
      'messaging.rabbitmq.routing_key': 'orders',
      'server.address': '127.0.0.1',
      'server.port': 5672,
    }),
    'write messaging rabbitmq 127.0.0.1 orders',
  ],
  [
    span('amqplib-consume', CONSUMER, {
      'messaging.system': 'rabbitmq',
      'messaging.destination': '',
      'messaging.rabbitmq.routing_key': 'orders',
      'messaging.operation': 'process',
      'server.address': '127.0.0.1',
      'server.port': 5672,
    }),
    'read messaging rabbitmq 127.0.0.1 orders',
  ],
  [
    span('stable-default-exchange', PRODUCER, {
      'messaging.system': 'rabbitmq',
      'messaging.destination.name': 'amq.default',
      'messaging.rabbitmq.destination.routing_key': 'orders',
      'server.address': '127.0.0.1',
    }),
    'write messaging rabbitmq 127.0.0.1 orders',
  ],
  // the Java agent names the default exchange `<default>`, on a publish (1.x: messaging.destination and the older routing
  // key; 2.x: messaging.destination.name) and on a delivery: the queue is the routing key (migration 122)
  [
    span('java-default-exchange-1x', PRODUCER, {
      'messaging.system': 'rabbitmq',
      'messaging.destination': '<default>',
      'messaging.destination_kind': 'queue',
      'messaging.rabbitmq.routing_key': 'orders',
      'net.peer.name': '127.0.0.1',
      'net.peer.port': 5672,
    }),
    'write messaging rabbitmq 127.0.0.1 orders',
  ],
  [
    span('java-default-exchange', PRODUCER, {
      'messaging.system': 'rabbitmq',
      'messaging.destination.name': '<default>',
      'messaging.operation': 'publish',
      'messaging.rabbitmq.destination.routing_key': 'orders',
      'server.address': '127.0.0.1',
    }),
    'write messaging rabbitmq 127.0.0.1 orders',
  ],
  [
    span('java-default-exchange-process', CONSUMER, {
      'messaging.system': 'rabbitmq',
      'messaging.destination.name': '<default>',
      'messaging.operation': 'process',
      'messaging.rabbitmq.destination.routing_key': 'orders',
    }),
    'read messaging rabbitmq  orders',
  ],
  [
    span('java-default-exchange-reply', PRODUCER, {
      'messaging.system': 'rabbitmq',
      'messaging.destination.name': '<default>',
      'messaging.rabbitmq.destination.routing_key': 'amq.gen-JzTY20BRgKO-HjmUJj0wLg',
    }),
    null,
  ],
  [
    span('java-default-exchange-no-key', PRODUCER, { 'messaging.system': 'rabbitmq', 'messaging.destination.name': '<default>' }),
    'write unnamed messaging  rabbitmq',
  ],
  // only RabbitMQ's: another system's destination so named is itself
  [span('kafka-angle-named', PRODUCER, { 'messaging.system': 'kafka', 'messaging.destination.name': '<default>' }), 'write messaging kafka  <default>'],
  // pika marks every publish messaging.temp_destination=true: still a real queue
  [
    span('pika-publish', PRODUCER, {
      'messaging.system': 'rabbitmq',
      'messaging.destination': 'orders',
      'messaging.temp_destination': true,
      'net.peer.name': '127.0.0.1',
      'net.peer.port': '5672',
    }),
    'write messaging rabbitmq 127.0.0.1 orders',
  ],
  [
    span('pika-stable-named', CONSUMER, {
      'messaging.system': 'rabbitmq',
      'messaging.destination.name': 'events:customer.changed',
      'messaging.operation.type': 'process',
      'server.address': '127.0.0.1',
    }),
    'read messaging rabbitmq 127.0.0.1 events',
  ],
  [
    span('pika-stable-default', PRODUCER, { 'messaging.system': 'rabbitmq', 'messaging.destination.name': 'orders', 'messaging.operation.type': 'send' }),
    'write messaging rabbitmq  orders',
  ],
  [
    {
      ...span('pika-old-temporary', PRODUCER, { 'messaging.system': 'rabbitmq', 'messaging.destination': '(temporary)', 'messaging.temp_destination': true }),
      name: 'orders send',
    },
    'write messaging rabbitmq  orders',
  ],
  [span('nats-inbox-old', PRODUCER, { 'messaging.system': 'nats', 'messaging.destination.name': '_INBOX.abc.1' }), null],
  [
    span('named-exchange', PRODUCER, { 'messaging.system': 'rabbitmq', 'messaging.destination': 'events', 'messaging.rabbitmq.routing_key': 'order.created' }),
    'write messaging rabbitmq  events',
  ],
  [span('no-destination', PRODUCER, { 'messaging.system': 'rabbitmq', 'messaging.destination': '' }), 'write unnamed messaging  rabbitmq'],
  // an RPC server's reply through the default exchange (amqplib's sendToQueue(replyTo)): the queue is the routing key
  [
    span('amqplib-direct-reply-to', PRODUCER, {
      'messaging.system': 'rabbitmq',
      'messaging.destination': '',
      'messaging.rabbitmq.routing_key': 'amq.rabbitmq.reply-to.g1hkABCD.x',
    }),
    null,
  ],
  [
    span('amqplib-server-named-reply', PRODUCER, {
      'messaging.system': 'rabbitmq',
      'messaging.destination.name': '',
      'messaging.rabbitmq.destination.routing_key': 'amq.gen-JzTY20BRgKO-HjmUJj0wLg',
    }),
    null,
  ],
  [span('pika-reply-consume', CONSUMER, { 'messaging.system': 'rabbitmq', 'messaging.destination.name': ':amq.gen-Qx3' }), null],
  [
    span('nats-subject', PRODUCER, {
      'messaging.system': 'nats',
      'messaging.destination.name': 'orders.created',
      'messaging.operation.type': 'publish',
      'server.address': 'nats.internal',
      'server.port': 4223,
    }),
    'write messaging nats nats.internal:4223 orders.created',
  ],
  [
    span('nats-reply-inbox', PRODUCER, { 'messaging.system': 'nats', 'messaging.destination.name': '_INBOX.x1', 'messaging.destination.temporary': true }),
    null,
  ],
  [
    span('kafka-topic', CONSUMER, { 'messaging.system': 'kafka', 'messaging.destination.name': 'orders', 'messaging.operation.type': 'receive' }),
    'read messaging kafka  orders',
  ],
  // SQL, the way a tokenizer reads it
  [sql('sql-comment', '/* app=sync */ SELECT id FROM orders'), 'read db postgresql db.internal orders'],
  [sql('sql-line-comment', '-- nightly\n  select id from orders'), 'read db postgresql db.internal orders'],
  [sql('sql-parenthesis', '(SELECT a FROM t) UNION (SELECT b FROM u)'), 'read db postgresql db.internal orders'],
  // a SELECT of no table reads nothing: a driver's or a pool's check of its connection (migration 113)
  [sql('sql-no-table', 'select version();'), 'unknown db postgresql db.internal orders'],
  [sql('sql-dual', 'SELECT 1 FROM DUAL', { 'db.system.name': 'oracle.db' }), 'unknown db oracle db.internal orders'],
  [sql('sql-catalog', 'select * from information_schema.tables where table_name = $1'), 'unknown db postgresql db.internal orders'],
  [sql('sql-catalog-and-table', 'SELECT * FROM pg_catalog.pg_class c JOIN orders o ON o.id = c.oid'), 'read db postgresql db.internal orders'],
  [sql('sql-dual-then-table', 'SELECT 1 FROM DUAL; SELECT id FROM customers', { 'db.system.name': 'mysql' }), 'read db mysql db.internal orders'],
  [sql('sql-cte-write', 'WITH c AS (SELECT id FROM staging) INSERT INTO orders SELECT id FROM c'), 'write db postgresql db.internal orders'],
  [sql('sql-cte-read', "WITH c AS (SELECT 'delete' AS x) SELECT * FROM c"), 'read db postgresql db.internal orders'],
  [sql('sql-copy-from', 'COPY orders (id) FROM STDIN WITH (FORMAT csv)'), 'write db postgresql db.internal orders'],
  // a row lock in a CTE is no write (an outbox poller); `#` is PostgreSQL's operator, MySQL's comment
  [
    sql('sql-cte-row-lock', 'WITH b AS (SELECT id FROM outbox ORDER BY id LIMIT 10 FOR NO KEY UPDATE SKIP LOCKED) SELECT o.* FROM outbox o JOIN b USING (id)'),
    'read db postgresql db.internal orders',
  ],
  [
    sql('sql-pg-hash-operator', "WITH s AS (SELECT payload #>> '{customer,id}' AS id FROM inbox) INSERT INTO customers (id) SELECT id FROM s"),
    'write db postgresql db.internal orders',
  ],
  // several statements in one: a write when one writes, else a read when one reads
  [sql('sql-multi-write', 'BEGIN; INSERT INTO customers (id) VALUES ($1); COMMIT'), 'write db postgresql db.internal orders'],
  [sql('sql-multi-set-write', "SET search_path TO erp; UPDATE customers SET name = 'a;b'"), 'write db postgresql db.internal orders'],
  [sql('sql-multi-read', 'START TRANSACTION READ ONLY; SELECT * FROM customers; COMMIT'), 'read db postgresql db.internal orders'],
  [sql('sql-mysql-hash-comment', 'WITH s AS (SELECT 1) SELECT * FROM s # UPDATE later', { 'db.system.name': 'mysql' }), 'read db mysql db.internal orders'],
  [sql('sql-copy-to', 'COPY (SELECT * FROM orders) TO STDOUT'), 'read db postgresql db.internal orders'],
  [sql('sql-select-into', 'SELECT * INTO archive_2026 FROM orders'), 'write db postgresql db.internal orders'],
  [sql('sql-merge', 'merge into orders o using staging s on o.id = s.id when matched then update set x = s.x'), 'write db postgresql db.internal orders'],
  [sql('sql-truncate', 'TRUNCATE orders'), 'write db postgresql db.internal orders'],
  [sql('sql-create-as', 'CREATE TEMP TABLE t AS SELECT * FROM orders'), 'write db postgresql db.internal orders'],
  [
    span('sql-operation-name', CLIENT, {
      'db.system.name': 'postgresql',
      'db.namespace': 'orders.public',
      'server.address': 'db.internal',
      'db.operation.name': 'UPDATE',
    }),
    'write db postgresql db.internal orders.public',
  ],
  [
    span('sql-summary', CLIENT, {
      'db.system.name': 'mysql',
      'db.namespace': 'shop',
      'server.address': 'db.internal',
      'server.port': 3306,
      'db.query.summary': 'SELECT orders',
    }),
    'read db mysql db.internal shop',
  ],
  // an RPC span reads or writes as its method's name says, before the HTTP method that carried it (migration 122)
  [
    span('grpc-go-get', CLIENT, {
      'rpc.system': 'grpc',
      'rpc.service': 'crm.v1.CustomerService',
      'rpc.method': 'GetCustomer',
      'server.address': 'crm.internal',
      'server.port': 50051,
    }),
    'read rpc grpc crm.internal:50051 crm.v1.CustomerService',
  ],
  [
    span('grpc-java-update', CLIENT, {
      'rpc.system': 'grpc',
      'rpc.service': 'erp.v1.OrderService',
      'rpc.method': 'UpdateOrder',
      'net.peer.name': 'erp.internal',
    }),
    'write rpc grpc erp.internal erp.v1.OrderService',
  ],
  [
    span('grpc-health-check', CLIENT, {
      'rpc.system': 'grpc',
      'rpc.service': 'grpc.health.v1.Health',
      'rpc.method': 'Check',
      'server.address': 'erp.internal',
    }),
    null,
  ],
  [
    span('grpc-reflection', CLIENT, {
      'rpc.system': 'grpc',
      'rpc.service': 'grpc.reflection.v1.ServerReflection',
      'rpc.method': 'ServerReflectionInfo',
      'server.address': 'erp.internal',
    }),
    'unknown rpc grpc erp.internal grpc.reflection.v1.ServerReflection',
  ],
  [span('grpc-health-over-http', CLIENT, { 'http.request.method': 'POST', 'url.full': 'https://erp.internal:50051/grpc.health.v1.Health/Check' }), null],
  [
    span('aws-s3-select', CLIENT, {
      'rpc.system': 'aws-api',
      'rpc.service': 'S3',
      'rpc.method': 'SelectObjectContent',
      'http.method': 'POST',
      'http.url': 'https://lake.s3.eu-west-1.amazonaws.com/orders.csv',
    }),
    // the bucket, as an OpenLineage object store dataset names it (migration 126)
    'read http s3 lake /orders.csv',
  ],
  // a gRPC call seen by the HTTP instrumentation alone: a POST to /<package>.<Service>/<Method>
  [
    span('grpc-over-http-get', CLIENT, { 'http.request.method': 'POST', 'url.full': 'https://crm.internal:8443/crm.v1.CustomerService/GetCustomer' }),
    'read http https crm.internal:8443 /crm.v1.CustomerService/GetCustomer',
  ],
  [
    span('grpc-over-http-update', CLIENT, { 'http.request.method': 'POST', 'url.full': 'https://erp.internal/erp.v1.OrderService/UpdateOrder' }),
    'write http https erp.internal /erp.v1.OrderService/UpdateOrder',
  ],
  [
    span('rest-post-unqualified', CLIENT, { 'http.request.method': 'POST', 'url.full': 'https://erp.internal/Orders/GetOrder' }),
    'write http https erp.internal /Orders/GetOrder',
  ],
  // the Java agent's AWS SDK span of a DynamoDB call carries its POST: an operation on no item says no direction (122)
  [
    span('java-ddb-describe', CLIENT, {
      'db.system': 'dynamodb',
      'db.operation': 'DescribeTable',
      'rpc.system': 'aws-api',
      'rpc.method': 'DescribeTable',
      'http.method': 'POST',
      'net.peer.name': 'dynamodb.eu-west-1.amazonaws.com',
      'aws.dynamodb.table_names': ['Orders'],
    }),
    'unknown db dynamodb dynamodb.eu-west-1.amazonaws.com Orders',
  ],
  [
    span('java-ddb-get', CLIENT, {
      'db.system': 'dynamodb',
      'db.operation': 'GetItem',
      'http.method': 'POST',
      'net.peer.name': 'dynamodb.eu-west-1.amazonaws.com',
      'aws.dynamodb.table_names': ['Orders'],
    }),
    'read db dynamodb dynamodb.eu-west-1.amazonaws.com Orders',
  ],
  // stored procedure calls read or write as their names' verbs say (migration 122): the Java agent's JDBC span of a
  // CallableStatement, T-SQL's EXEC, a SQL Server client's bare name (CommandType.StoredProcedure), db.stored_procedure.name
  [sql('proc-jdbc-call', '{call billing_pkg.upsert_invoice(?, ?, ?)}', { 'db.operation': 'CALL' }), 'write db postgresql db.internal orders'],
  [sql('proc-jdbc-function', '{?= call get_customer_balance(?)}'), 'read db postgresql db.internal orders'],
  [sql('proc-call', 'CALL sync_orders()'), 'write db postgresql db.internal orders'],
  [sql('proc-exec', 'EXEC dbo.usp_UpsertInvoice @id = @p0', { 'db.system.name': 'mssql' }), 'write db mssql db.internal orders'],
  [sql('proc-exec-suffix', 'exec @rc = [dbo].[usp_Customers_Get] 5', { 'db.system.name': 'mssql' }), 'read db mssql db.internal orders'],
  [sql('proc-bare-name', 'dbo.usp_UpsertInvoice', { 'db.system.name': 'mssql' }), 'write db mssql db.internal orders'],
  [sql('proc-plsql-block', 'BEGIN billing_pkg.delete_invoice(:1); END;', { 'db.system.name': 'oracle' }), 'write db oracle db.internal orders'],
  [sql('proc-after-set', 'SET NOCOUNT ON; EXEC dbo.usp_Invoice_Upd 1', { 'db.system.name': 'mssql' }), 'write db mssql db.internal orders'],
  [
    sql('proc-stable-name', '', {
      'db.system.name': 'microsoft.sql_server',
      'db.operation.name': 'EXECUTE',
      'db.stored_procedure.name': 'dbo.usp_GetCustomers',
    }),
    'read db mssql db.internal orders',
  ],
  // a name without a verb says nothing, as before
  [sql('proc-executesql', "EXEC sp_executesql N'INSERT INTO t VALUES (1)'", { 'db.system.name': 'mssql' }), 'unknown db mssql db.internal orders'],
  [sql('proc-no-verb', 'CALL recalc_totals()'), 'unknown db postgresql db.internal orders'],
  [sql('proc-commit', 'COMMIT'), 'unknown db postgresql db.internal orders'],
  [span('sql-nameless', CLIENT, { 'db.system.name': 'sqlite', 'db.query.text': 'select * from t' }), 'read unnamed db  sqlite'],
  [
    span('redis-set', CLIENT, { 'db.system': 'redis', 'db.statement': 'SET customer:1 ?', 'net.peer.name': 'cache', 'net.peer.port': 6380 }),
    'write db redis cache:6380 ',
  ],
  // MongoDB and Redis operations that named no direction (migration 096): a run reading or writing with them paired nothing
  ...(
    [
      ['findOne', 'read'],
      ['getMore', 'read'],
      ['estimatedDocumentCount', 'read'],
      ['save', 'write'],
      ['remove', 'write'],
      ['findOneAndReplace', 'write'],
      ['findOneAndDelete', 'write'],
      ['create', 'write'],
    ] as const
  ).map(([op, dir]): [SpanSpec, string] => [
    span(`mongo-${op}`, CLIENT, { 'db.system.name': 'mongodb', 'db.namespace': 'erp', 'db.operation.name': op, 'server.address': 'erp-mongo' }),
    `${dir} db mongodb erp-mongo erp`,
  ]),
  ...(
    [
      ['BRPOP jobs 0', 'read'],
      ['LPOP jobs', 'read'],
      ['LMOVE jobs done LEFT RIGHT', 'read'],
      ['XREADGROUP GROUP g c STREAMS events >', 'read'],
      ['HLEN h', 'read'],
      ['TTL k', 'read'],
      ['SETNX lock 1', 'write'],
      ['HINCRBY h f 1', 'write'],
      ['UNLINK k', 'write'],
      ['PUBLISH orders {}', 'write'],
      ['XACK events g 1-0', 'write'],
      ['GETDEL k', 'write'],
      // SAVE persists Redis's dataset: a write only in MongoDB (mongoose's save)
      ['SAVE', 'unknown'],
    ] as const
  ).map(([q, dir]): [SpanSpec, string] => [
    span(`redis-${q.split(' ')[0].toLowerCase()}`, CLIENT, { 'db.system': 'redis', 'db.statement': q, 'server.address': 'queue' }),
    `${dir} db redis queue `,
  ]),
  // A database reached over HTTP names its operation: it decides, not the method that carried it (migration 109)
  ...(
    [
      ['search', 'POST', 'read'],
      ['msearch', 'POST', 'read'],
      ['count', 'POST', 'read'],
      ['get', 'GET', 'read'],
      ['bulk', 'POST', 'write'],
      ['index', 'PUT', 'write'],
      ['delete_by_query', 'POST', 'write'],
    ] as const
  ).map(([op, method, dir]): [SpanSpec, string] => [
    span(`es-${op}`, CLIENT, {
      'db.system.name': 'elasticsearch',
      'db.operation.name': op,
      'http.request.method': method,
      'url.full': 'http://es.internal:9200/products/_search',
      'server.address': 'es.internal',
      'server.port': 9200,
    }),
    `${dir} db elasticsearch es.internal:9200 `,
  ]),
  [
    span('opensearch-search', CLIENT, { 'db.system': 'opensearch', 'db.operation': 'search', 'http.method': 'POST', 'net.peer.name': 'os.internal' }),
    'read db opensearch os.internal ',
  ],
  // a ClickHouse SELECT sent as a POST reads
  [
    span('clickhouse-http-select', CLIENT, {
      'db.system.name': 'clickhouse',
      'db.namespace': 'sales',
      'db.query.text': 'SELECT count() FROM orders',
      'http.request.method': 'POST',
      'server.address': 'ch.internal',
    }),
    'read db clickhouse ch.internal sales',
  ],
  // DynamoDB's operations, as the aws-sdk instrumentation names them (no host: the table is the name)
  ...(
    [
      ['GetItem', 'read'],
      ['Query', 'read'],
      ['Scan', 'read'],
      ['BatchGetItem', 'read'],
      ['TransactGetItems', 'read'],
      ['PutItem', 'write'],
      ['UpdateItem', 'write'],
      ['DeleteItem', 'write'],
      ['BatchWriteItem', 'write'],
      ['TransactWriteItems', 'write'],
      ['CreateTable', 'unknown'],
    ] as const
  ).map(([op, dir]): [SpanSpec, string] => [
    span(`dynamodb-${op}`, CLIENT, {
      'rpc.system': 'aws-api',
      'rpc.service': 'DynamoDB',
      'rpc.method': op,
      'db.system.name': 'dynamodb',
      'db.namespace': 'Orders',
      'db.operation.name': op,
    }),
    `${dir} db dynamodb  Orders`,
  ]),
  // DynamoDB's batch and transaction operations have no TableName, so no db.namespace: their tables are named in
  // aws.dynamodb.table_names (migration 109); anything but a list of table names still names none
  ...(
    [
      ['BatchWriteItem', ['Orders'], 'write db dynamodb  Orders'],
      ['BatchGetItem', ['order.lines-v2'], 'read db dynamodb  order.lines-v2'],
      ['TransactWriteItems', ['Orders'], 'write db dynamodb  Orders'],
      ['BatchWriteItem', [], 'write unnamed db  dynamodb'],
      ['BatchGetItem', ['not a table'], 'read unnamed db  dynamodb'],
    ] as const
  ).map(([op, tables, want], i): [SpanSpec, string] => [
    span(`dynamodb-tables-${i}`, CLIENT, {
      'rpc.system': 'aws-api',
      'rpc.service': 'DynamoDB',
      'rpc.method': op,
      'db.system.name': 'dynamodb',
      'db.operation.name': op,
      'aws.dynamodb.table_names': [...tables],
    }),
    want,
  ]),
  // OAuth 2.0 token requests fetch a credential, not data: they touch nothing, as a TLS handshake does not (migration 109)
  ...[
    'https://login.microsoftonline.com/0b3c-tenant/oauth2/v2.0/token',
    'https://login.salesforce.com/services/oauth2/token',
    'https://acme.okta.com/oauth2/default/v1/token',
    'https://acme.okta.com/oauth2/v1/token',
    'https://id.internal/realms/erp/protocol/openid-connect/token',
    'https://sso.internal/connect/token',
    'https://acme.eu.auth0.com/oauth/token',
    'https://shop.myshopify.com/admin/oauth/access_token',
    'https://pf.internal:9031/as/token.oauth2',
    'https://api.hubapi.com/oauth/v1/token',
    'https://sso.internal/OAuth2/Token/',
    // a token path under an authorization server's segment, at the root, or as ServiceNow names it (migration 111)
    'https://wd2-impl-services1.workday.com/ccx/oauth2/acme/token',
    'https://acme.zendesk.com/oauth/tokens',
    'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
    'https://api.amazon.com/auth/o2/token',
    'https://appleid.apple.com/auth/token',
    'https://ims-na1.adobelogin.com/ims/token/v3',
    'https://www.linkedin.com/oauth/v2/accessToken',
    'https://123-abc-456.mktorest.com/identity/oauth/token',
    'https://identity.xero.com/connect/token',
    'https://keystone.internal/identity/v3/auth/tokens',
    'https://oauth2.googleapis.com/token',
    'https://oauth.accounting.sage.com/token',
    'https://accounts.spotify.com/api/token',
    'https://acme.service-now.com/oauth_token.do',
    // Adobe Commerce, Snowflake, Databricks, OneLogin, PingOne, Asana, GitHub apps, UKG, Shopee, WordPress, Webex,
    // Reddit, and revocation and introspection (migration 111)
    'https://shop.example.com/rest/V1/integration/admin/token',
    'https://shop.example.com/rest/default/V1/integration/customer/token',
    'https://acme.snowflakecomputing.com/oauth/token-request',
    'https://adb-123.4.azuredatabricks.net/oidc/v1/token',
    'https://accounts.cloud.databricks.com/oidc/accounts/0d1e-acct/v1/token',
    'https://acme.onelogin.com/oidc/2/token',
    'https://auth.pingone.eu/0f3a-env/as/token',
    'https://app.asana.com/-/oauth_token',
    'https://api.github.com/app/installations/42/access_tokens',
    'https://acme.mykronos.com/api/authentication/access_token',
    'https://partner.shopeemobile.com/api/v2/auth/token/get',
    'https://shop.example.com/wp-json/jwt-auth/v1/token',
    'https://webexapis.com/v1/access_token',
    'https://www.reddit.com/api/v1/access_token',
    'https://acme.okta.com/oauth2/v1/revoke',
    'https://login.salesforce.com/services/oauth2/introspect',
    'https://api.dropboxapi.com/2/auth/token/revoke',
  ].map((u, i): [SpanSpec, null] => [span(`oauth-token-${i}`, CLIENT, { 'http.request.method': 'POST', 'url.full': u }), null]),
  [span('oauth-token-old-semconv', CLIENT, { 'http.method': 'POST', 'http.target': '/oauth/token', 'net.peer.name': 'auth.internal' }), null],
  // not a token request: a GET of that path, an API whose resource is called tokens, a path that only begins so
  [
    span('oauth-token-get', CLIENT, { 'http.request.method': 'GET', 'url.full': 'https://auth.internal/oauth2/token' }),
    'read http https auth.internal /oauth2/token',
  ],
  [
    span('api-tokens-post', CLIENT, { 'http.request.method': 'POST', 'url.full': 'https://erp.internal/api/tokens' }),
    'write http https erp.internal /api/tokens',
  ],
  [
    span('card-tokens-post', CLIENT, { 'http.request.method': 'POST', 'url.full': 'https://api.stripe.com/v1/tokens' }),
    'write http https api.stripe.com /v1/tokens',
  ],
  [
    span('payment-token-post', CLIENT, { 'http.request.method': 'POST', 'url.full': 'https://erp.internal/api/payments/token' }),
    'write http https erp.internal /api/payments',
  ],
  [
    span('auth-token-deeper', CLIENT, { 'http.request.method': 'POST', 'url.full': 'https://erp.internal/auth/a/b/c/token' }),
    'write http https erp.internal /auth/a',
  ],
  [
    span('oauth-token-prefix', CLIENT, { 'http.request.method': 'POST', 'url.full': 'https://erp.internal/oauth/token/revoked-list' }),
    'write http https erp.internal /oauth/token',
  ],
  // a session login, sign-in or logout opens or closes the integration's own session, whatever the method: it touches
  // nothing, as a token request does not (migration 113); each is the path its vendor documents
  ...(
    [
      ['POST', 'https://b1.internal:50000/b1s/v1/Login'],
      ['POST', 'https://b1.internal:50000/b1s/v2/Login'],
      ['POST', 'https://b1.internal:50000/b1s/v2/Logout'],
      ['POST', 'https://tableau.example.com/api/3.27/auth/signin'],
      ['POST', 'https://tableau.example.com/api/3.27/auth/signout'],
      ['POST', 'https://tableau.example.com/api/3.27/auth/switchSite'],
      ['POST', 'https://acme.cloud.looker.com/api/4.0/login'],
      ['POST', 'https://acme.cloud.looker.com/api/4.0/login/42'],
      ['DELETE', 'https://acme.cloud.looker.com/api/4.0/logout'],
      ['POST', 'https://acme.okta.com/api/v1/authn'],
      ['POST', 'https://acme.okta.com/api/v1/authn/factors/ostf1/verify'],
      ['POST', 'https://acme.snowflakecomputing.com/session/v1/login-request?databaseName=SALES&warehouse=WH'],
      ['POST', 'https://acme.snowflakecomputing.com/session/token-request?requestId=1'],
      ['POST', 'https://acme.snowflakecomputing.com/session/heartbeat?requestId=2'],
      ['POST', 'https://acme.snowflakecomputing.com/session?delete=true&requestId=3'],
      ['POST', 'https://acme.acumatica.com/AcumaticaERP/entity/auth/login'],
      ['POST', 'https://acme.acumatica.com/entity/auth/logout'],
      ['POST', 'https://ais.internal:9200/jderest/v2/tokenrequest'],
      ['POST', 'https://ais.internal:9200/jderest/v2/tokenrequest/logout'],
      ['POST', 'https://ais.internal:9200/jderest/tokenrequest'],
      ['GET', 'https://ais.internal:9200/jderest/v3/orchestrator/jde-logout'],
      ['POST', 'https://acme.odoo.com/web/session/authenticate'],
      ['POST', 'https://acme.odoo.com/web/session/destroy'],
      ['POST', 'https://jira.internal/rest/auth/1/session'],
      ['DELETE', 'https://jira.internal/rest/auth/1/session'],
      ['POST', 'https://acme.eu.qlikcloud.com/login/jwt-session'],
      ['POST', 'https://qlik.internal:4243/qps/hdr/ticket'],
      ['GET', 'https://csi.internal/IDORequestService/ido/token/CSI_DALS/sa/secret'],
      ['POST', 'https://centralus.epicorsaas.com/SaaS5333/TokenResource.svc/'],
      ['POST', 'https://bo.internal:6405/biprws/logon/long'],
      ['POST', 'https://bo.internal:6405/biprws/logoff'],
      ['POST', 'https://acme.veevavault.com/api/v24.1/auth'],
      ['POST', 'https://dm-us.informaticacloud.com/ma/api/v2/user/login'],
      ['POST', 'https://na4.dm-us.informaticacloud.com/saas/api/v2/user/logout'],
      ['POST', 'https://bi.internal/MicroStrategyLibrary/api/auth/login'],
      ['POST', 'https://bi.internal/MicroStrategyLibrary/api/auth/logout'],
    ] as const
  ).map(([method, u], i): [SpanSpec, null] => [span(`session-${i}`, CLIENT, { 'http.request.method': method, 'url.full': u }), null]),
  [span('session-old-semconv', CLIENT, { 'http.method': 'POST', 'http.target': '/b1s/v2/Login', 'net.peer.name': 'b1.internal' }), null],
  // not a session: business resources that are only named so still touch their system (migration 113)
  ...(
    [
      ['GET', 'https://crm.internal/api/users/login-history', 'read http https crm.internal /api/users'],
      ['POST', 'https://crm.internal/customers/42/login', 'write http https crm.internal /customers/42'],
      ['POST', 'https://crm.internal/api/sessions', 'write http https crm.internal /api/sessions'],
      ['POST', 'https://b1.internal:50000/b1s/v2/Users', 'write http https b1.internal:50000 /b1s/v2'],
      ['GET', 'https://b1.internal:50000/b1s/v2/BusinessPartners', 'read http https b1.internal:50000 /b1s/v2'],
      ['POST', 'https://events.internal/api/42/login', 'write http https events.internal /api/42'],
      ['POST', 'https://acme.snowflakecomputing.com/queries/v1/query-request', 'write http https acme.snowflakecomputing.com /queries/v1'],
      ['POST', 'https://ais.internal:9200/jderest/v2/orchestrator/SyncCustomers', 'write http https ais.internal:9200 /jderest/v2'],
      ['POST', 'https://acme.odoo.com/web/dataset/call_kw', 'write http https acme.odoo.com /web/dataset'],
      ['POST', 'https://lms.internal/courses/7/session', 'write http https lms.internal /courses/7'],
      ['GET', 'https://bo.internal:6405/biprws/infostore', 'read http https bo.internal:6405 /biprws/infostore'],
      ['POST', 'https://acme.veevavault.com/api/v24.1/vobjects/product__v', 'write http https acme.veevavault.com /api/v24.1'],
      ['POST', 'https://crm.internal/api/auth/users', 'write http https crm.internal /api/auth'],
    ] as const
  ).map(([method, u, want], i): [SpanSpec, string] => [span(`not-session-${i}`, CLIENT, { 'http.request.method': method, 'url.full': u }), want]),
  // an API that takes its query in a POST body: the endpoint reads, whatever the method says (migration 111)
  ...(
    [
      ['https://api.hubapi.com/crm/v3/objects/contacts/search', 'read http https api.hubapi.com /crm/v3'],
      ['https://acme.atlassian.net/rest/api/3/search/jql', 'read http https acme.atlassian.net /rest/api'],
      ['https://api.notion.com/v1/databases/0f3c/query', 'read http https api.notion.com /v1/databases'],
      ['https://ABC-dsn.algolia.net/1/indexes/*/queries', 'read http https abc-dsn.algolia.net /1/indexes'],
      ['https://acme.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql', 'read http https acme.suitetalk.api.netsuite.com /services/rest'],
      ['https://api.airtable.com/v0/appX/tblY/listRecords/', 'read http https api.airtable.com /v0/appX'],
      ['http://search.internal:9200/orders/_search?q=x', 'read http http search.internal:9200 /orders/_search'],
      ['http://search.internal:9200/_msearch/template', 'read http http search.internal:9200 /_msearch/template'],
      // more read endpoints that take a POST (migration 111)
      ['https://api.hubapi.com/crm/v3/objects/contacts/batch/read', 'read http https api.hubapi.com /crm/v3'],
      ['https://www.zohoapis.com/crm/v2/coql', 'read http https www.zohoapis.com /crm/v2'],
      ['https://acme.my.salesforce.com/services/data/v60.0/parameterizedSearch', 'read http https acme.my.salesforce.com /services/data'],
      ['https://acme.my.salesforce.com/services/data/v60.0/composite/sobjects/Account', 'read http https acme.my.salesforce.com /services/data'],
      ['https://acme.crm.dynamics.com/api/data/v9.2/searchquery', 'read http https acme.crm.dynamics.com /api/data'],
      ['https://acme.crm.dynamics.com/api/search/v1.0/suggest', 'read http https acme.crm.dynamics.com /api/search'],
      ['https://s.search.windows.net/indexes/hotels/docs/autocomplete?api-version=2024-07-01', 'read http https s.search.windows.net /indexes/hotels'],
      ['https://graph.microsoft.com/v1.0/directoryObjects/getByIds', 'read http https graph.microsoft.com /v1.0/directoryObjects'],
      ['https://graph.microsoft.com/v1.0/users/42/getMemberGroups', 'read http https graph.microsoft.com /v1.0/users'],
      ['https://googleads.googleapis.com/v17/customers/123/googleAds:searchStream', 'read http https googleads.googleapis.com /v17/customers'],
      ['https://analyticsdata.googleapis.com/v1beta/properties/9:runReport', 'read http https analyticsdata.googleapis.com /v1beta/properties'],
      ['https://firestore.googleapis.com/v1/projects/p/databases/(default)/documents:runQuery', 'read http https firestore.googleapis.com /v1/projects'],
      ['https://logging.googleapis.com/v2/entries:list', 'read http https logging.googleapis.com /v2/entries:list'],
      ['http://prometheus.internal:9090/api/v1/query_range', 'read http http prometheus.internal:9090 /api/v1'],
      ['http://search.internal:9200/_query', 'read http http search.internal:9200 /_query'],
      ['http://search.internal:9200/orders/_async_search', 'read http http search.internal:9200 /orders/_async_search'],
      ['http://couch.internal:5984/orders/_design/d/_view/by_date', 'read http http couch.internal:5984 /orders/_design'],
      ['https://splunk.internal:8089/services/search/v2/jobs/export', 'read http https splunk.internal:8089 /services/search'],
      ['https://wd2-impl-services1.workday.com/ccx/api/wql/v1/acme/data', 'read http https wd2-impl-services1.workday.com /ccx/api'],
      ['https://acme.atlassian.net/rest/api/3/issue/bulkfetch', 'read http https acme.atlassian.net /rest/api'],
      ['https://ms.internal/multi-search', 'read http https ms.internal /multi-search'],
      ['https://erp.internal/odata/Orders/$query', 'read http https erp.internal /odata/Orders'],
      // not a read: a batch written, a collection of records created, an SQL ingestion task
      ['https://api.hubapi.com/crm/v3/objects/contacts/batch/create', 'write http https api.hubapi.com /crm/v3'],
      ['https://acme.my.salesforce.com/services/data/v60.0/composite/sobjects', 'write http https acme.my.salesforce.com /services/data'],
      ['http://druid.internal:8888/druid/v2/sql/task', 'write http http druid.internal:8888 /druid/v2'],
      // not a read: a saved search created, an export started from a search, a bulk write
      ['https://erp.internal/api/searches', 'write http https erp.internal /api/searches'],
      ['https://erp.internal/api/search/export', 'write http https erp.internal /api/search'],
      ['http://search.internal:9200/orders/_bulk', 'write http http search.internal:9200 /orders/_bulk'],
    ] as const
  ).map(([u, want], i): [SpanSpec, string] => [span(`post-read-${i}`, CLIENT, { 'http.request.method': 'POST', 'url.full': u }), want]),
  [span('put-search', CLIENT, { 'http.request.method': 'PUT', 'url.full': 'https://erp.internal/api/search' }), 'write http https erp.internal /api/search'],
  [
    span('post-search-declared-write', CLIENT, {
      'http.request.method': 'POST',
      'url.full': 'https://erp.internal/api/search',
      'integration.operation': 'create',
    }),
    'write http https erp.internal /api/search',
  ],
  [
    span('post-search-old-semconv', CLIENT, { 'http.method': 'POST', 'http.target': '/crm/v3/objects/deals/search?x=1', 'net.peer.name': 'api.hubapi.com' }),
    'read http http api.hubapi.com /crm/v3',
  ],
  // a SQL driver's generic `query` operation still leaves the statement to decide
  [sql('sql-query-operation', 'INSERT INTO t VALUES (1)', { 'db.operation.name': 'query' }), 'write db postgresql db.internal orders'],
  // SQL's CREATE without AS is schema, not a write (CREATE writes for MongoDB only)
  [sql('sql-create-operation', 'CREATE TABLE t (a int)', { 'db.operation.name': 'CREATE' }), 'unknown db postgresql db.internal orders'],
  // a client naming its route only in url.template (OpenTelemetry semantic conventions), not url.full, url.path or http.target
  [
    span('url-template', CLIENT, {
      'http.request.method': 'GET',
      'server.address': 'shop.internal',
      'url.scheme': 'https',
      'url.template': '/api/orders/{id}?expand={what}',
    }),
    'read http https shop.internal /api/orders',
  ],
  [
    span('url-template-after-path', CLIENT, { 'http.request.method': 'GET', 'server.address': 'h', 'url.path': '/p/1', 'url.template': '/p/{id}' }),
    'read http http h /p/1',
  ],
  [
    span('sql-socket', CLIENT, {
      'db.system.name': 'postgresql',
      'db.namespace': 'orders',
      'server.address': '/var/run/postgresql',
      'server.port': 5432,
      'db.query.text': 'select * from t',
    }),
    'read db postgresql /var/run/postgresql orders',
  ],
];

/** A span as another writer (an OpenTelemetry Collector with the ClickHouse exporter) inserts it into otel_traces: attribute values as text. */
function exporterRow(s: SpanSpec, i: number, flow: string) {
  const text = (v: unknown) => (Array.isArray(v) ? JSON.stringify(v) : String(v));
  const attributes = Object.fromEntries(Object.entries({ ...s.attributes, 'integration.flow': flow }).map(([k, v]) => [k, text(v)]));
  const kinds = ['Internal', 'Server', 'Client', 'Producer', 'Consumer'];
  return {
    Timestamp: toChTime(new Date(Date.now() - MIN)),
    TraceId: (0xabc000 + i).toString(16).padStart(32, '0'),
    SpanId: (i + 1).toString(16).padStart(16, '0'),
    SpanName: s.name,
    SpanKind: kinds[s.kind ?? INTERNAL],
    ServiceName: 'exporter-cases',
    ResourceAttributes: { 'service.name': 'exporter-cases' },
    SpanAttributes: attributes,
    Duration: 5_000_000,
    StatusCode: s.status?.code === api.SpanStatusCode.ERROR ? 'Error' : 'Unset',
  };
}

describe('span touches: what official instrumentation emits, through the real collector', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await sendSpans(
      { url: h.collector.url, serviceName: 'touch-cases' },
      cases.map(([s]) => s),
    );
    await h.collector.flush();
  });
  afterAll(async () => h?.close());

  it('classifies each kind of span into the endpoint it touched (or none)', async () => {
    const rows = await h.rows<Record<string, string>>(
      "SELECT integration, direction, ep_kind, ep_sys, ep_host, ep_name FROM weft_endpoint_rollup_1m WHERE ep_kind != '' ORDER BY integration",
    );
    const got = new Map(rows.map((r) => [r.integration, `${r.direction} ${r.ep_kind} ${r.ep_sys} ${r.ep_host} ${r.ep_name}`]));
    const id = (s: SpanSpec) => String(s.attributes?.['integration.flow']);
    expect(Object.fromEntries(cases.map(([s]) => [id(s), got.get(id(s)) ?? null]))).toEqual(Object.fromEntries(cases.map(([s, want]) => [id(s), want])));
  });

  it('classifies the same spans the same way when another writer inserts them straight into otel_traces (in SQL there)', async () => {
    const id = (s: SpanSpec) => String(s.attributes?.['integration.flow']);
    await h.store.client.insert({ table: 'otel_traces', values: cases.map(([s], i) => exporterRow(s, i, `direct:${id(s)}`)), format: 'JSONEachRow' });
    const rows = await h.rows<Record<string, string>>(
      "SELECT integration, direction, ep_kind, ep_sys, ep_host, ep_name FROM weft_endpoint_rollup_1m WHERE ep_kind != '' AND startsWith(integration, 'direct:')",
    );
    const got = new Map(rows.map((r) => [r.integration, `${r.direction} ${r.ep_kind} ${r.ep_sys} ${r.ep_host} ${r.ep_name}`]));
    expect(Object.fromEntries(cases.map(([s]) => [id(s), got.get(`direct:${id(s)}`) ?? null]))).toEqual(
      Object.fromEntries(cases.map(([s, want]) => [id(s), want])),
    );
  });

  it('still counts every span of a trace (connection spans included) in the rollups', async () => {
    const [row] = await h.rows<{ spans: string }>("SELECT sum(spans) AS spans FROM weft_endpoint_rollup_1m WHERE integration = 'net-connect'");
    expect(Number(row.spans)).toBe(1);
  });

  it('counts the errors and records of spans that touch nothing (they skip the classification, not the trace)', async () => {
    const [row] = await h.rows<{ spans: string; errors: string; records: string }>(
      "SELECT sum(spans) AS spans, sum(errors) AS errors, sum(records) AS records FROM weft_endpoint_rollup_1m WHERE integration = 'internal-work'",
    );
    expect({ spans: Number(row.spans), errors: Number(row.errors), records: Number(row.records) }).toEqual({ spans: 1, errors: 1, records: 7 });
    // …and in what pairing reads: one row a span, by arrival.
    const [arrived] = await h.rows<{ spans: string; errors: string; records: string }>(
      "SELECT count() AS spans, sum(is_error) AS errors, sum(records) AS records FROM weft_trace_spans WHERE integration = 'internal-work'",
    );
    expect({ spans: Number(arrived.spans), errors: Number(arrived.errors), records: Number(arrived.records) }).toEqual({ spans: 1, errors: 1, records: 7 });
  });
});

/** An OTLP protobuf request whose server.address holds `bytes` (not UTF-8): the hot path stores them as they are. */
function requestWithHostBytes(bytes: number[], service: string, at: number): Buffer {
  const placeholder = 'H'.repeat(bytes.length);
  const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
  const ns = (ms: number) => String(BigInt(ms) * 1_000_000n);
  // A trace of its own per service: two services' spans with the same trace and span ids are copies of one span (span-copies.ts).
  const traceId = Buffer.from(Array.from({ length: 16 }, (_, i) => (i * 7 + bytes.length + [...service].reduce((n, c) => n + c.charCodeAt(0), 0)) & 0xff));
  const spanOf = (id: number, attrs: Array<ReturnType<typeof str>>) => ({
    traceId,
    spanId: Buffer.from([id, 2, 3, 4, 5, 6, 7, 8]),
    name: 'call',
    kind: 3,
    startTimeUnixNano: ns(at),
    endTimeUnixNano: ns(at + 5),
    attributes: attrs,
  });
  const request = messages.traces.request.fromObject({
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', service)] },
        scopeSpans: [
          {
            scope: { name: 't' },
            spans: [
              spanOf(1, [str('http.request.method', 'GET'), str('url.full', 'https://crm.internal/api/customers')]),
              spanOf(2, [str('http.request.method', 'POST'), str('server.address', placeholder), str('url.path', '/upload')]),
            ],
          },
        ],
      },
    ],
  });
  const body = Buffer.from(messages.traces.request.encode(request).finish());
  const at2 = body.indexOf(Buffer.from(placeholder));
  Buffer.from(bytes).copy(body, at2);
  return body;
}

describe('malformed values through the collector and the analyzer (issue 9: userinfo URLs, commented SQL, database.schema, non-UTF-8 hosts)', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 10 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    for (const [bytes, service] of [
      [[0xff, 0xfe, 0x73, 0x68, 0x61, 0x64, 0x6f, 0x77], 'copy-a'],
      [[0x73, 0x68, 0xc3, 0x28, 0x61, 0x64, 0x6f, 0x77], 'copy-b'],
    ] as const) {
      const res = await fetch(`${h.collector.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: requestWithHostBytes([...bytes], service, t0),
      });
      expect(res.status).toBe(200);
    }
    // One run that reads a schema-qualified PostgreSQL namespace with a commented SELECT and writes through a URL with userinfo.
    await sendSpans({ url: h.collector.url, serviceName: 'issue9-kinds' }, [
      {
        name: 'run',
        kind: INTERNAL,
        start: t0,
        children: [
          sql('read', '/* app=sync */ SELECT id FROM orders', { 'db.namespace': 'orders.public' }),
          span('write', CLIENT, { 'http.request.method': 'POST', 'url.full': 'https://REDACTED:REDACTED@crm.test.local/api/x' }),
        ].map((c) => ({ ...c, start: t0, attributes: { ...c.attributes, 'integration.flow': 'issue9-kinds' } })),
      },
    ]);
    // A relay that consumes a queue on the API's machine and writes the API: one hosts rule claims both ends.
    await sendSpans({ url: h.collector.url, serviceName: 'relay' }, [
      {
        name: 'orders process',
        kind: CONSUMER,
        start: t0,
        attributes: {
          'messaging.system': 'rabbitmq',
          'messaging.destination': '',
          'messaging.rabbitmq.routing_key': 'orders',
          'messaging.operation': 'process',
          'server.address': 'api.internal',
        },
        children: [span('post', CLIENT, { 'http.request.method': 'POST', 'url.full': 'https://api.internal/orders', 'integration.flow': 'relay' })],
      },
    ]);
    // Two runs of a job that reads two resources of the API on its admin port and writes two on its public one: one
    // run group of four raw edges, each holding both runs.
    const relayRun = {
      name: 'copy batch',
      kind: INTERNAL,
      start: t0,
      attributes: { 'integration.flow': 'port-relay' },
      children: [
        span('get a', CLIENT, { 'http.request.method': 'GET', 'url.full': 'https://api.internal:8443/admin/a' }),
        span('get b', CLIENT, { 'http.request.method': 'GET', 'url.full': 'https://api.internal:8443/admin/b' }),
        span('post c', CLIENT, { 'http.request.method': 'POST', 'url.full': 'https://api.internal/c' }),
        span('post d', CLIENT, { 'http.request.method': 'POST', 'url.full': 'https://api.internal/d' }),
      ].map((c) => ({ ...c, start: t0, attributes: { ...c.attributes, 'integration.flow': 'port-relay' } })),
    };
    await sendSpans({ url: h.collector.url, serviceName: 'port-relay' }, [relayRun, { ...relayRun, start: t0 + 1000 }]);
    await h.collector.flush();
    const catalog = catalogFrom(`systems:
  - { id: api, match: { hosts: [api.internal] } }
  - { id: crm, match: { hosts: [crm.internal] } }
  - { id: orders-db, match: { databases: ["postgresql://db.internal/orders"] } }
  - { id: crm-test, match: { hosts: [crm.test.local] } }
`);
    analyzer = await analyzedAt(h, catalog, t0 + 5 * MIN);
  });
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  // The collector stores a span's text that is not UTF-8 with one U+FFFD a run of invalid bytes (FF FE: one), as the SQL
  // classification of another writer's raw bytes (toValidUTF8) does: both name one unknown system.
  it('resolves each to its system; non-UTF-8 bytes reach graph, inventory and findings as U+FFFD, whatever the bytes', async () => {
    const edges = await observedEdges(analyzer);
    expect(edges).toEqual(['crm -> unknown:\ufffdshadow copy-a', 'crm -> unknown:sh\ufffd(adow copy-b', 'orders-db -> crm-test issue9-kinds'].sort());
    const inventory = await analyzer.inventory();
    expect(
      inventory.systems
        .map((s) => s.id)
        .filter((id) => id.startsWith('unknown:'))
        .sort(),
    ).toEqual(['unknown:sh\ufffd(adow', 'unknown:\ufffdshadow'].sort());
    const findings = (await analyzer.findings.list({ kind: ['unknown-system'] })).map((f) => f.key).sort();
    expect(findings).toEqual(['unknown:sh\ufffd(adow', 'unknown:\ufffdshadow'].sort());
  });

  it('opens catalog-rule-overlap for an edge one hosts rule claims both ends of, instead of dropping it silently', async () => {
    const graph = await analyzer.graph();
    expect(graph.edges.filter((e) => e.source === 'api' || e.target === 'api')).toEqual([]);
    const overlap = (await analyzer.findings.list({ kind: ['catalog-rule-overlap'] })).find((f) => f.key === 'api@relay');
    expect(overlap).toMatchObject({ key: 'api@relay', status: 'open' });
    expect(overlap!.evidence.endpoints).toEqual(['messaging rabbitmq:orders', 'http api.internal/orders']);
  });

  // Regression: the evidence added every raw edge's runs: 2 runs reading two endpoints and writing two were 8 traces.
  it('counts the runs of an overlap once, however many of its endpoints each run read and wrote', async () => {
    const overlap = (await analyzer.findings.list({ kind: ['catalog-rule-overlap'] })).find((f) => f.key === 'api@port-relay');
    expect(overlap).toMatchObject({ key: 'api@port-relay', status: 'open' });
    expect(overlap!.evidence).toMatchObject({
      traces: 2,
      endpoints: ['http api.internal:8443/admin/a', 'http api.internal:8443/admin/b', 'http api.internal/c', 'http api.internal/d'],
    });
  });
});

describe('operations and routes that named no direction or path, paired into their flows (migration 096)', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 10 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    const runOf = (flow: string, children: SpanSpec[]): SpanSpec => ({
      name: 'run',
      kind: INTERNAL,
      start: t0,
      children: children.map((c) => ({ ...c, start: t0, attributes: { ...c.attributes, 'integration.flow': flow } })),
    });
    // A worker that takes a job off a Redis list (BRPOP: the list is read) and saves it with mongoose to erp's database.
    await sendSpans({ url: h.collector.url, serviceName: 'queue-worker' }, [
      runOf('queue-worker', [
        span('brpop', CLIENT, { 'db.system': 'redis', 'db.statement': 'BRPOP jobs 5', 'server.address': 'queue', 'server.port': 6379 }),
        span('save', CLIENT, { 'db.system': 'mongodb', 'db.name': 'erp', 'db.operation': 'save', 'net.peer.name': 'erp-mongo', 'net.peer.port': 27017 }),
      ]),
    ]);
    // A sync whose HTTP client names the shop's route only in url.template, then saves what it read.
    await sendSpans({ url: h.collector.url, serviceName: 'shop-sync' }, [
      runOf('shop-sync', [
        span('GET', CLIENT, { 'http.request.method': 'GET', 'server.address': 'shop.internal', 'url.scheme': 'https', 'url.template': '/api/orders/{id}' }),
        span('save', CLIENT, { 'db.system.name': 'mongodb', 'db.namespace': 'erp', 'db.operation.name': 'save', 'server.address': 'erp-mongo' }),
      ]),
    ]);
    await h.collector.flush();
    const catalog = catalogFrom(`systems:
  - { id: job-queue, match: { databases: [{ system: redis, host: queue }] } }
  - { id: erp, match: { databases: ["mongodb://erp-mongo/erp"] } }
  - { id: shop, match: { urlPrefixes: ["https://shop.internal/api/"] } }
`);
    analyzer = await analyzedAt(h, catalog, t0 + 5 * MIN);
  });
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  it('pairs a Redis BRPOP and a mongoose save into job-queue -> erp, and a url.template read into shop -> erp', async () => {
    const edges = await observedEdges(analyzer);
    expect(edges).toEqual(['job-queue -> erp queue-worker', 'shop -> erp shop-sync']);
    expect((await analyzer.inventory()).systems.map((s) => s.id).filter((id) => id.startsWith('unknown:'))).toEqual([]);
  });
});

describe('database operations carried over HTTP or named after a store API, paired into their flows (migration 109)', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 10 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    const runOf = (flow: string, children: SpanSpec[]): SpanSpec => ({
      name: 'run',
      kind: INTERNAL,
      start: t0,
      children: children.map((c) => ({ ...c, start: t0, attributes: { ...c.attributes, 'integration.flow': flow } })),
    });
    const patchCrm = span('PATCH', CLIENT, { 'http.request.method': 'PATCH', 'url.full': 'http://crm.internal/api/accounts/42' });
    await sendSpans({ url: h.collector.url, serviceName: 'enricher' }, [
      // the Elasticsearch client's span of a search (POST …/_search), then a write to the CRM
      runOf('es-enrich', [
        span('search', CLIENT, {
          'db.system.name': 'elasticsearch',
          'db.operation.name': 'search',
          'http.request.method': 'POST',
          'url.full': 'http://es.internal:9200/products/_search',
          'server.address': 'es.internal',
          'server.port': 9200,
        }),
        patchCrm,
      ]),
      // the aws-sdk instrumentation's span of a DynamoDB Query, then a write to the CRM
      runOf('ddb-enrich', [
        span('DynamoDB.Query', CLIENT, {
          'rpc.system': 'aws-api',
          'rpc.service': 'DynamoDB',
          'rpc.method': 'Query',
          'db.system.name': 'dynamodb',
          'db.namespace': 'Products',
          'db.operation.name': 'Query',
        }),
        patchCrm,
      ]),
      // the CRM read, then a bulk index into the search engine and a BatchWriteItem into DynamoDB
      runOf('crm-index', [
        span('GET', CLIENT, { 'http.request.method': 'GET', 'url.full': 'http://crm.internal/api/accounts' }),
        span('bulk', CLIENT, {
          'db.system.name': 'elasticsearch',
          'db.operation.name': 'bulk',
          'http.request.method': 'POST',
          'server.address': 'es.internal',
          'server.port': 9200,
        }),
        span('DynamoDB.BatchWriteItem', CLIENT, {
          'rpc.system': 'aws-api',
          'db.system.name': 'dynamodb',
          'db.namespace': 'Products',
          'db.operation.name': 'BatchWriteItem',
        }),
      ]),
    ]);
    await h.collector.flush();
    const catalog = catalogFrom(`systems:
  - { id: search, match: { hosts: ["es.internal:9200"] } }
  - { id: products-table, match: { databases: ["dynamodb://localhost/Products"] } }
  - { id: crm, match: { hosts: [crm.internal] } }
`);
    analyzer = await analyzedAt(h, catalog, t0 + 5 * MIN);
  });
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  it('pairs an Elasticsearch search (a POST) and a DynamoDB Query as reads, a bulk index and a BatchWriteItem as writes', async () => {
    const edges = await observedEdges(analyzer);
    expect(edges).toEqual(['crm -> products-table crm-index', 'crm -> search crm-index', 'products-table -> crm ddb-enrich', 'search -> crm es-enrich']);
  });
});

describe('DynamoDB batch operations named by their tables, paired into their flows (migration 109)', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 10 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    // What the aws-sdk instrumentation gives a BatchWriteItem to two tables: no db.namespace, the tables in a list.
    await sendSpans({ url: h.collector.url, serviceName: 'erp-mirror' }, [
      {
        name: 'mirror',
        kind: INTERNAL,
        start: t0,
        children: [
          { name: 'GET', kind: CLIENT, start: t0, attributes: { 'http.request.method': 'GET', 'url.full': 'http://erp.internal/api/orders' } },
          {
            name: 'DynamoDB.BatchWriteItem',
            kind: CLIENT,
            start: t0,
            attributes: {
              'rpc.system': 'aws-api',
              'rpc.service': 'DynamoDB',
              'rpc.method': 'BatchWriteItem',
              'db.system.name': 'dynamodb',
              'db.operation.name': 'BatchWriteItem',
              'aws.dynamodb.table_names': ['Orders', 'OrderLines'],
              'integration.records': 25,
            },
          },
        ],
      },
    ]);
    await h.collector.flush();
    const catalog = catalogFrom(`systems:
  - { id: erp, match: { hosts: [erp.internal] } }
  - { id: orders-table, match: { databases: ["dynamodb://localhost/Orders"] } }
  - { id: order-lines-table, match: { databases: ["dynamodb://localhost/OrderLines"] } }
`);
    analyzer = await analyzedAt(h, catalog, t0 + 5 * MIN);
  });
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  it('pairs the read with a write to each table, and reports no endpoint without a usable name', async () => {
    const edges = await observedEdges(analyzer);
    expect(edges).toEqual(['erp -> order-lines-table erp-mirror', 'erp -> orders-table erp-mirror']);
    expect(await analyzer.findings.list({ kind: ['unnamed-endpoint'] })).toEqual([]);
  });
});

describe('HTTP calls that fetch a credential or read with a POST (migrations 109, 111)', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 10 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    const call = (method: string, u: string): SpanSpec => ({
      name: method,
      kind: CLIENT,
      start: t0,
      attributes: { 'http.request.method': method, 'url.full': u },
    });
    const runs: [string, SpanSpec[]][] = [
      // An Entra ID token, then the CRM read and the ERP write; the ERP read, then a Salesforce and a Google token (at
      // the root of its host: 111) and the CRM write.
      [
        'account-sync',
        [
          call('POST', 'https://login.microsoftonline.com/0b3c-tenant/oauth2/v2.0/token'),
          call('GET', 'https://acme.my.salesforce.com/services/data/v60.0/query'),
          call('POST', 'http://erp.internal/api/accounts'),
        ],
      ],
      [
        'invoice-sync',
        [
          call('GET', 'http://erp.internal/api/invoices'),
          call('POST', 'https://login.salesforce.com/services/oauth2/token'),
          call('POST', 'https://oauth2.googleapis.com/token'),
          call('PATCH', 'https://acme.my.salesforce.com/services/data/v60.0/sobjects/Invoice__c/a0B1'),
        ],
      ],
      // HubSpot's contacts found by a search (a POST), then written to the ERP; Jira's issues found by JQL (a POST), likewise.
      ['contact-sync', [call('POST', 'https://api.hubapi.com/crm/v3/objects/contacts/search'), call('POST', 'http://erp.internal/api/customers')]],
      ['issue-sync', [call('POST', 'https://acme.atlassian.net/rest/api/3/search/jql'), call('POST', 'http://erp.internal/api/tickets')]],
    ];
    for (const [serviceName, children] of runs) {
      await sendSpans({ url: h.collector.url, serviceName }, [{ name: 'run', kind: INTERNAL, start: t0, children }]);
    }
    await h.collector.flush();
    const catalog = catalogFrom(`systems:
  - { id: erp, match: { hosts: [erp.internal] } }
  - { id: crm, match: { hosts: [acme.my.salesforce.com] } }
  - { id: hubspot, match: { hosts: [api.hubapi.com] } }
  - { id: jira, match: { hosts: [acme.atlassian.net] } }
flows:
  - { id: contacts, source: hubspot, target: erp, runtime: { service: contact-sync } }
  - { id: issues, source: jira, target: erp, runtime: { service: issue-sync } }
`);
    analyzer = await analyzedAt(h, catalog, t0 + 5 * MIN);
  });
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  it('pairs the runs into their flows, with no flow into the identity provider and no unknown system', async () => {
    expect(await observedEdges(analyzer, ['account-sync', 'invoice-sync'])).toEqual(['crm -> erp account-sync', 'erp -> crm invoice-sync']);
    expect(await analyzer.findings.list({ kind: ['unknown-system'] })).toEqual([]);
    // The only undocumented flows: the two token runs' own (the catalog documents neither).
    expect((await analyzer.findings.list({ kind: ['undocumented-flow'] })).map((f) => f.key).sort()).toEqual([
      'crm->erp@account-sync',
      'erp->crm@invoice-sync',
    ]);
  });

  // Regression (111): the POST made each search a write: "Undocumented flow integration:contact-sync → hubspot", and
  // the documented flows from HubSpot and Jira were never seen.
  it('pairs each search as the read of its flow, with no flow into the system searched', async () => {
    expect(await observedEdges(analyzer, ['contact-sync', 'issue-sync'])).toEqual(['hubspot -> erp contact-sync', 'jira -> erp issue-sync']);
  });
});
