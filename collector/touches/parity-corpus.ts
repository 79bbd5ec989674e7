import { messages } from '../otlp/proto-codec.ts';
import { SPAN_KEYS } from './span-record.ts';

/**
 * Spans for the parity test (parity.test.ts): the cases of analyzer/flows/span-touches.test.ts,
 * their siblings (odd and empty values, IPv6, default ports, SQL with comments, CTEs and COPY,
 * temporary destinations, bytes that are not UTF-8, duplicate keys, non-string values…) and
 * seeded random combinations of every attribute the classification reads. `requestOf` encodes
 * them as one OTLP/protobuf request, each span in a trace of its own.
 */
export type Value = string | { int: string } | { bool: boolean } | { double: number } | { bytes: number[] } | { array: string[] } | { raw: number[] };
export type Attributes = [key: string, value: Value][];

export interface ParitySpan {
  name: string;
  /** OTLP span kind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Attributes;
  resource?: Attributes;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  status?: number;
  /** The status message. */
  statusMessage?: string;
  /** The span's events, by their attributes. */
  events?: Attributes[];
  /** Start and duration in nanoseconds (decimal text). */
  startNs?: string;
  durationNs?: string;
}

const [INTERNAL, SERVER, CLIENT, PRODUCER, CONSUMER] = [1, 2, 3, 4, 5];
/** database/sql's driver.ErrSkip, as its Error() reads. */
const ERR_SKIP = 'driver: skip fast-path; continue as if unimplemented';
const span = (name: string, kind: number, attributes: Record<string, Value> | Attributes, more: Partial<ParitySpan> = {}): ParitySpan => ({
  name,
  kind,
  attributes: Array.isArray(attributes) ? attributes : Object.entries(attributes),
  ...more,
});
const sql = (statement: Value, more: Record<string, Value> = {}) =>
  span('sql', CLIENT, { 'db.system.name': 'postgresql', 'db.namespace': 'orders', 'server.address': 'db.internal', 'db.query.text': statement, ...more });
const http = (url: Value, more: Record<string, Value> = {}) => span('http', CLIENT, { 'http.request.method': 'GET', 'url.full': url, ...more });
const host = (address: Value, more: Record<string, Value> = {}) => span('host', CLIENT, { 'http.request.method': 'POST', 'server.address': address, ...more });
const msg = (attributes: Record<string, Value>, kind = PRODUCER, name = 'msg') => span(name, kind, { 'messaging.system': 'rabbitmq', ...attributes });
const raw = (...parts: (string | number[])[]): Value => ({ raw: parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'utf8')] : p)) });

/** The cases of span-touches.test.ts, then their siblings. */
/**
 * HTTP client spans whose path has runs of slashes, in each path source (url.full, url.path, http.target,
 * url.template): each names the endpoint `/api/invoices` of its host (migration 110).
 */
export function slashSpans(): ParitySpan[] {
  return [
    span('slashes-url', CLIENT, { 'http.request.method': 'GET', 'url.full': 'http://billing.internal:8080//api/invoices/42' }),
    span('slashes-url-middle', CLIENT, { 'http.request.method': 'GET', 'url.full': 'http://billing.internal:8080/api//invoices/42?x=//y' }),
    span('slashes-path', CLIENT, { 'http.request.method': 'GET', 'server.address': 'billing.internal', 'url.path': '///api///invoices' }),
    span('slashes-target', CLIENT, { 'http.method': 'GET', 'net.peer.name': 'billing.internal', 'http.target': '//api//invoices//42?a=b' }),
    span('slashes-template', CLIENT, { 'http.request.method': 'GET', 'server.address': 'billing.internal', 'url.template': '//api/invoices/{id}' }),
  ];
}

/**
 * SNS Publish spans as the aws-sdk instrumentations make them (`messaging.destination.name` the TopicArn, TargetArn or
 * PhoneNumber; the older `messaging.destination` the last part of the ARN, or the number), with the destination each
 * names (migration 119): a phone number is `phone_number`, a platform endpoint its application; near misses stay.
 */
export function snsSpans(): { spans: ParitySpan[]; names: string[] } {
  const cases: [system: string, name: string, older: string, named: string][] = [
    ['aws.sns', '+4915112345678', 'phone_number', 'phone_number'],
    ['AmazonSNS', '+14155550123', '', 'phone_number'],
    ['aws_sns', '', '+442071838750', 'phone_number'],
    ['sns', '+1234567', '', 'phone_number'],
    [
      'aws.sns',
      'arn:aws:sns:eu-west-1:123456789012:endpoint/APNS/shop-app/5e3e9847-3183-3f18-a7e8-671c3a57d4b3',
      'endpoint/APNS/shop-app/5e3e9847-3183-3f18-a7e8-671c3a57d4b3',
      'arn:aws:sns:eu-west-1:123456789012:app/APNS/shop-app',
    ],
    ['aws.sns', '', 'endpoint/GCM/shop-app/0f1c', 'app/GCM/shop-app'],
    ['aws.sns', 'arn:aws-cn:sns:cn-north-1:123456789012:endpoint/BAIDU/app/x', '', 'arn:aws-cn:sns:cn-north-1:123456789012:app/BAIDU/app'],
    // near misses
    ['aws.sns', '+123456', '', '+123456'],
    ['aws.sns', '+1234567890123456', '', '+1234567890123456'],
    ['aws.sns', '4915112345678', '', '4915112345678'],
    ['aws.sns', '+49 151 12345678', '', '+49 151 12345678'],
    ['aws.sns', 'arn:aws:sns:eu-west-1:123456789012:orders', 'orders', 'arn:aws:sns:eu-west-1:123456789012:orders'],
    ['aws.sns', 'arn:aws:sns:eu-west-1:123456789012:endpoint/APNS/shop-app', '', 'arn:aws:sns:eu-west-1:123456789012:endpoint/APNS/shop-app'],
    ['aws.sns', 'arn:aws:sns:eu-west-1:1:endpoint/APNS/shop-app/a/b', '', 'arn:aws:sns:eu-west-1:1:endpoint/APNS/shop-app/a/b'],
    ['aws.sns', 'arn:aws:sqs:eu-west-1:1:endpoint/APNS/shop-app/a', '', 'arn:aws:sqs:eu-west-1:1:endpoint/APNS/shop-app/a'],
    ['kafka', '+4915112345678', '', '+4915112345678'],
    ['rabbitmq', '+4915112345678', '', '+4915112345678'],
    ['aws.sns', '+4915112345678\n', '', '+4915112345678\n'],
  ];
  return {
    spans: cases.map(([system, name, older]) =>
      span('sns-publish', PRODUCER, { 'messaging.system': system, 'messaging.destination.name': name, 'messaging.destination': older }),
    ),
    names: cases.map((c) => c[3]),
  };
}

export function handmadeSpans(): ParitySpan[] {
  return [
    // span-touches.test.ts
    http('https://REDACTED:REDACTED@crm.test.local/api/x'),
    span('python-requests', CLIENT, { 'http.method': 'GET', 'http.url': 'http://localhost:18081/api/customers?page=2' }),
    span('single-label', CLIENT, { 'http.request.method': 'POST', 'url.full': 'http://erp-api/orders/1/lines' }),
    span('ipv6', CLIENT, { 'http.request.method': 'PUT', 'url.full': 'http://[::1]:8080/a' }),
    // Secrets in URLs, redacted at ingest (core/net/url-secrets.ts): both classifications read the redacted value.
    span('url-secrets', CLIENT, { 'http.request.method': 'GET', 'url.full': 'https://svc:p%40ss@crm.internal:8443//api/customers?api_key=K&page=2' }),
    span('url-user-at-at', CLIENT, { 'http.method': 'POST', 'http.url': 'http://a:b@c:d@erp.internal/orders?token=t' }),
    span('target-secret', CLIENT, { 'http.method': 'GET', 'net.peer.name': 'hub', 'http.target': '/socket.io/?EIO=4&token=t&transport=websocket' }),
    // Credentials in statements and secret-named keys, redacted at ingest (core/net/attribute-secrets.ts).
    sql("ALTER USER app WITH PASSWORD 'S3cr3t'; INSERT INTO audit VALUES (1)", { 'http.request.header.authorization': { array: ['Bearer t'] } }),
    sql('ALTER USER app IDENTIFIED BY S3cr3t#1', { 'db.system.name': 'oracle', 'app.password': 'p' }),
    span('redis-auth', CLIENT, { 'db.system': 'redis', 'server.address': 'cache', 'db.statement': 'AUTH default S3cr3t' }),
    span('redis-auth-split', CLIENT, { 'db.system': 'redis', 'server.address': 'cache', 'db.statement': 'AUTH p;INSERT' }),
    span('mongo-pwd', CLIENT, { 'db.system': 'mongodb', 'db.name': 'admin', 'server.address': 'mongo', 'db.statement': '{"createUser":"app","pwd":"S3cr3t"}' }),
    span('target-secret-question', CLIENT, { 'http.method': 'GET', 'net.peer.name': 'hub', 'http.target': '/socket.io/?EIO=4&token=t?transport=websocket' }),
    host('[2001:db8::5]'),
    host('erp-db.internal:5433'),
    host('erp-db.internal:5433', { 'server.port': { int: '6000' } }),
    host('[2001:db8::9]:8443'),
    host('2001:db8::9'),
    host('h:'),
    host('h:x1'),
    host('/tmp/.s.PGSQL:5432'),
    span('peer-name-port', CLIENT, { 'http.request.method': 'GET', 'net.peer.name': 'wms.internal:8443', 'http.scheme': 'https' }),
    span('peer-ip-port', CLIENT, { 'db.system': 'mysql', 'db.statement': 'SELECT 1', 'network.peer.address': '10.0.0.5:3307' }),
    host('[::1].', { 'server.port': { int: '8443' } }),
    span('net-peer-v6', CLIENT, { 'http.request.method': 'GET', 'net.peer.name': '[fe80::1]', 'net.peer.port': '8080' }),
    span('host-header-v6', CLIENT, { 'http.method': 'GET', 'http.host': '[2001:db8::7]:8443' }),
    http('HTTPS://Crm.Example.COM.:443/x'),
    span('url-none', CLIENT, {
      'http.request.method': 'GET',
      'server.address': 'erp.internal',
      'server.port': { int: '8443' },
      'url.scheme': 'https',
      'url.path': '/v1/orders',
    }),
    span('url-no-host', CLIENT, { 'http.request.method': 'GET', 'url.path': '/x' }),
    span('net-connect', INTERNAL, { 'server.address': '127.0.0.1', 'server.port': { int: '5432' }, 'network.transport': 'tcp' }),
    span('dns-lookup', CLIENT, { 'peer.ipv4': '127.0.0.1' }),
    span('server-own-url', SERVER, { 'http.request.method': 'POST', 'url.full': 'https://me.test/api/orders', 'server.address': 'me.test' }),
    span('internal-work', INTERNAL, { 'integration.records': { int: '7' } }, { status: 2 }),
    span('pg-connect', CLIENT, { 'db.system.name': 'postgresql', 'db.namespace': 'orders', 'server.address': '127.0.0.1', 'server.port': { int: '5432' } }),
    span('http-server', SERVER, { 'http.request.method': 'GET', 'server.address': 'api.local', 'url.path': '/x' }),
    msg({ 'messaging.destination': '', 'messaging.rabbitmq.routing_key': 'orders', 'server.address': '127.0.0.1', 'server.port': { int: '5672' } }),
    msg(
      {
        'messaging.destination': '',
        'messaging.rabbitmq.routing_key': 'orders',
        'messaging.operation': 'process',
        'server.address': '127.0.0.1',
        'server.port': { int: '5672' },
      },
      CONSUMER,
    ),
    msg({ 'messaging.destination.name': 'amq.default', 'messaging.rabbitmq.destination.routing_key': 'orders', 'server.address': '127.0.0.1' }),
    msg({ 'messaging.destination': 'orders', 'messaging.temp_destination': { bool: true }, 'net.peer.name': '127.0.0.1', 'net.peer.port': '5672' }),
    msg({ 'messaging.destination.name': 'events:customer.changed', 'messaging.operation.type': 'process', 'server.address': '127.0.0.1' }, CONSUMER),
    msg({ 'messaging.destination.name': 'orders', 'messaging.operation.type': 'send' }),
    msg({ 'messaging.destination': '(temporary)', 'messaging.temp_destination': { bool: true } }, PRODUCER, 'orders send'),
    span('nats-inbox-old', PRODUCER, { 'messaging.system': 'nats', 'messaging.destination.name': '_INBOX.abc.1' }),
    msg({ 'messaging.destination': 'events', 'messaging.rabbitmq.routing_key': 'order.created' }),
    msg({ 'messaging.destination': '' }),
    span('nats-subject', PRODUCER, {
      'messaging.system': 'nats',
      'messaging.destination.name': 'orders.created',
      'messaging.operation.type': 'publish',
      'server.address': 'nats.internal',
      'server.port': { int: '4223' },
    }),
    span('nats-reply', PRODUCER, { 'messaging.system': 'nats', 'messaging.destination.name': '_INBOX.x1', 'messaging.destination.temporary': { bool: true } }),
    span('kafka-topic', CONSUMER, { 'messaging.system': 'kafka', 'messaging.destination.name': 'orders', 'messaging.operation.type': 'receive' }),
    sql('/* app=sync */ SELECT id FROM orders'),
    sql('-- nightly\n  select id from orders'),
    sql('(SELECT 1) UNION (SELECT 2)'),
    sql('WITH c AS (SELECT id FROM staging) INSERT INTO orders SELECT id FROM c'),
    sql("WITH c AS (SELECT 'delete' AS x) SELECT * FROM c"),
    sql('COPY orders (id) FROM STDIN WITH (FORMAT csv)'),
    sql('COPY (SELECT * FROM orders) TO STDOUT'),
    sql('SELECT * INTO archive_2026 FROM orders'),
    sql('merge into orders o using staging s on o.id = s.id when matched then update set x = s.x'),
    sql('TRUNCATE orders'),
    sql('CREATE TEMP TABLE t AS SELECT * FROM orders'),
    span('sql-operation-name', CLIENT, {
      'db.system.name': 'postgresql',
      'db.namespace': 'orders.public',
      'server.address': 'db.internal',
      'db.operation.name': 'UPDATE',
    }),
    span('sql-summary', CLIENT, {
      'db.system.name': 'mysql',
      'db.namespace': 'shop',
      'server.address': 'db.internal',
      'server.port': { int: '3306' },
      'db.query.summary': 'SELECT orders',
    }),
    span('sql-nameless', CLIENT, { 'db.system.name': 'sqlite', 'db.query.text': 'select 1' }),
    span('redis-set', CLIENT, { 'db.system': 'redis', 'db.statement': 'SET customer:1 ?', 'net.peer.name': 'cache', 'net.peer.port': { int: '6380' } }),
    sql('select 1', { 'server.address': '/var/run/postgresql', 'server.port': { int: '5432' } }),
    // URLs: RFC 3986 corners
    http('http://[2001:db8::1]/x'),
    http('http://[fe80::1%25eth0]:8080/a/b'),
    http('http://[::1/x'),
    http('http://h/a@b/c'),
    http('http://u:p@x@host.example:81/p'),
    http('//host.example/path/only'),
    http('api/orders/7'),
    http('mailto:ops@example.com'),
    http('http://host:abc/x'),
    http('http://host:0/x'),
    http('http://host:65536/x'),
    http('http://host:99999999999/x'),
    http('http://host:0080/x'),
    http('http://host:00000000000000000080/x'),
    http('https://host:443/'),
    http('wss://host:443/socket'),
    http('ws://host:8080/socket'),
    http('HTTP://H.EXAMPLE/'),
    http('http://h.example?q=1'),
    http('http://h.example#frag'),
    http('http://h.example/a/b/c/d?x=1#y'),
    http('http:/x/y'),
    http('http://'),
    http('http://:8080/x'),
    http('http://a\nb@host.example/x\ny'),
    http('http://host.example/with space/x'),
    http('http://bücher.example/straße/ü'),
    http('http://%62ad.example/%2F/x'),
    http('1http://not-a-scheme/x'),
    http(raw('http://bad', [0xff, 0xfe], '.example/p', [0xc3], '/q')),
    http(raw('http://u', [0x80], 'x@host.example/', [0xe2, 0x82], 'z')),
    http(raw('http://h', [0xed, 0xa0, 0x80], 'x/', [0xf4, 0x90, 0x80, 0x80])),
    http(raw('http://h', [0xc0, 0xaf], 'x:8080/')),
    http('https://host.example/x', { 'url.scheme': 'ftp' }),
    span('url-old-and-new', CLIENT, { 'http.request.method': 'GET', 'url.full': '', 'http.url': 'http://old.example/a' }),
    span('no-url-scheme', CLIENT, { 'http.request.method': 'GET', 'server.address': 'h.example', 'url.scheme': 'HTTPS', 'server.port': { int: '443' } }),
    span('http-scheme-old', CLIENT, {
      'http.method': 'get',
      'net.peer.name': 'h.example',
      'http.scheme': 'https',
      'net.peer.port': '8443',
      'http.target': '/a/b/c?d',
    }),
    span('method-only', CLIENT, { 'http.request.method': 'OPTIONS' }),
    span('method-only-peer', CLIENT, { 'http.request.method': 'DELETE', 'peer.service': 'billing' }),
    // url.template, the last path source (096): query and fragment dropped, two segments, after url.path and http.target
    span('template', CLIENT, { 'http.request.method': 'GET', 'server.address': 'shop.internal', 'url.scheme': 'https', 'url.template': '/api/orders/{id}' }),
    span('template-query', CLIENT, { 'http.request.method': 'POST', 'server.address': 'h', 'url.template': '/a/{b}?c={c}#d' }),
    span('template-after-path', CLIENT, { 'http.request.method': 'GET', 'server.address': 'h', 'url.path': '/p/q/r', 'url.template': '/t/{x}' }),
    span('template-after-target', CLIENT, { 'http.request.method': 'GET', 'server.address': 'h', 'http.target': '/p?x', 'url.template': '/t/{x}' }),
    span('template-target-no-path', CLIENT, { 'http.request.method': 'GET', 'server.address': 'h', 'http.target': '?page=2', 'url.template': '/t/{x}' }),
    span('template-after-url', CLIENT, { 'http.request.method': 'GET', 'url.full': 'http://h/u/v', 'url.template': '/t/{x}' }),
    span('template-no-host', CLIENT, { 'http.request.method': 'GET', 'url.template': '/t/{x}/y' }),
    span('template-peer', CLIENT, { 'http.request.method': 'GET', 'peer.service': 'p', 'url.template': '/t/{x}' }),
    span('template-bytes', CLIENT, { 'http.request.method': 'GET', 'server.address': 'h', 'url.template': raw('/t', [0xff], '/{x}') }),
    span('template-server', SERVER, { 'http.request.method': 'GET', 'server.address': 'h', 'url.template': '/t/{x}' }),
    // A run of slashes in the path is one before its two segments are taken (110): `//api/invoices/42` is `/api/invoices`.
    ...slashSpans(),
    span('target-hash', CLIENT, { 'http.request.method': 'PATCH', 'server.address': 'h', 'http.target': '/x#frag/y' }),
    span('unspecified-url', 0, { 'url.full': 'http://u.example/x' }),
    span('internal-url', INTERNAL, { 'http.url': 'http://i.example/x/y/z' }),
    // hosts and ports
    host(' Host.Example. '),
    host('[::1]'),
    host('::1', { 'server.port': { int: '8080' } }),
    host('host...'),
    host('HOST.example', { 'server.port': '0' }),
    host('h', { 'server.port': '-1' }),
    host('h', { 'server.port': '08080' }),
    host('h', { 'server.port': 'abc' }),
    host('h', { 'server.port': '4294967296' }),
    host('h', { 'server.port': '4294967295' }),
    host('h', { 'server.port': ' 80' }),
    host('h', { 'server.port': { int: '80' } }),
    host('h', { 'server.port': { double: 80.5 } }),
    host({ int: '12345' }),
    host(''),
    host(raw([0xff, 0xfe], 'shadow')),
    host(raw('sh', [0xc3, 0x28], 'adow')),
    host(raw('[', [0xff], 'abc]')),
    host(raw([0xff], 'host.')),
    span('net-peer', CLIENT, { 'http.request.method': 'GET', 'net.peer.name': 'Old.Example', 'net.peer.port': '8080' }),
    span('http-host', CLIENT, { 'http.request.method': 'GET', 'http.host': 'api.local:8443' }),
    span('http-host-v6', CLIENT, { 'http.request.method': 'GET', 'http.host': '[::1]:9000' }),
    span('http-host-port-only', CLIENT, { 'http.request.method': 'GET', 'http.host': ':8080', 'network.peer.address': '10.0.0.1' }),
    span('http-host-colon', CLIENT, { 'http.request.method': 'GET', 'http.host': 'h:', 'network.peer.port': '81' }),
    span('http-host-bad', CLIENT, { 'http.request.method': 'GET', 'http.host': raw('h', [0xff], ':1:2') }),
    span('peer-address', CLIENT, { 'http.request.method': 'GET', 'network.peer.address': '10.0.0.9', 'network.peer.port': { int: '8080' } }),
    span('peer-ip', CLIENT, { 'http.request.method': 'GET', 'net.peer.ip': 'FE80::1', 'net.peer.port': '80' }),
    // RPC and peer.service
    span('grpc', CLIENT, { 'rpc.system': 'grpc', 'rpc.service': 'orders.v1.Orders', 'server.address': 'orders', 'server.port': { int: '50051' } }),
    span('grpc-peer', CLIENT, { 'rpc.system': 'grpc', 'peer.service': 'orders' }),
    span('grpc-nothing', CLIENT, { 'rpc.system': 'grpc', 'rpc.service': 'x' }),
    span('peer-client', CLIENT, { 'peer.service': 'billing' }),
    span('peer-internal', INTERNAL, { 'peer.service': 'billing' }),
    span('peer-producer', PRODUCER, { 'peer.service': 'billing' }),
    // a producer's or consumer's span naming only the remote service writes to it or reads from it (139), by any of its
    // names; a messaging span's destination, an RPC or HTTP call's endpoint still decide
    span('peer-consumer', CONSUMER, { 'peer.service': 'billing' }),
    span('peer-producer-publish', PRODUCER, { 'peer.service': 'billing', 'messaging.operation.type': 'receive' }),
    span('peer-consumer-op', CONSUMER, { 'peer.service': 'billing', 'integration.operation': 'write' }),
    span('peer-producer-db', PRODUCER, { 'peer.service': 'billing', 'db.system.name': 'redis', 'db.query.text': 'LPUSH q' }),
    span('peer-producer-msg', PRODUCER, { 'peer.service': 'billing', 'messaging.system': 'kafka', 'messaging.destination.name': 'orders' }),
    span('peer-consumer-msg', CONSUMER, { 'peer.service': 'billing', 'messaging.system': 'kafka' }),
    span('peer-producer-http', PRODUCER, { 'peer.service': 'billing', 'http.request.method': 'POST', 'url.full': 'https://billing.example/q' }),
    span('peer-producer-rpc', PRODUCER, { 'peer.service': 'billing', 'rpc.system': 'grpc', 'rpc.service': 'billing.v1.Queue' }),
    span('service-peer-name-client', CLIENT, { 'service.peer.name': 'billing' }),
    span('service-peer-name-producer', PRODUCER, { 'service.peer.name': 'billing' }),
    span('service-peer-name-consumer', CONSUMER, { 'service.peer.name': 'billing' }),
    span('server-service-name-client', CLIENT, { 'server.service.name': 'billing' }),
    span('server-service-name-producer', PRODUCER, { 'server.service.name': 'billing' }),
    span('server-service-name-internal', INTERNAL, { 'server.service.name': 'billing' }),
    span('peer-names-first', PRODUCER, { 'peer.service': 'billing', 'service.peer.name': 'erp', 'server.service.name': 'crm' }),
    span('peer-names-second', CONSUMER, { 'service.peer.name': 'erp', 'server.service.name': 'crm' }),
    span('peer-names-empty', PRODUCER, { 'peer.service': '', 'service.peer.name': '', 'server.service.name': 'crm' }),
    span('service-peer-name-bad', PRODUCER, { 'service.peer.name': raw('bill', [0xff], 'ing') }),
    span('service-peer-name-grpc', CLIENT, { 'rpc.system': 'grpc', 'service.peer.name': 'orders' }),
    span('service-peer-name-http', CLIENT, { 'http.request.method': 'DELETE', 'server.service.name': 'billing' }),
    span('service-peer-name-mssql', CLIENT, { 'db.system.name': 'microsoft.sql_server', 'db.query.text': 'SELECT 1', 'service.peer.name': 'tcp:sql01,1433' }),
    span('grpc-server', SERVER, { 'rpc.system': 'grpc', 'server.address': 'me' }),
    // databases
    sql("SELECT 'it''s' FROM t"),
    sql("SELECT 'a\\'b; delete' FROM t"),
    sql('SELECT "INSERT" FROM t'),
    sql('SELECT `UPDATE` FROM t'),
    sql('DO $$ BEGIN INSERT INTO t VALUES (1); END $$'),
    sql('# mysql comment\nUPDATE t SET x = 1'),
    sql('# mysql comment\nUPDATE t SET x = 1', { 'db.system.name': 'mysql' }),
    sql("WITH s AS (SELECT p #>> '{a}' FROM t) INSERT INTO u SELECT 1", { 'db.system.name': 'cockroachdb' }),
    sql("WITH s AS (SELECT p #>> '{a}' FROM t) INSERT INTO u SELECT 1", { 'db.system.name': 'mariadb' }),
    sql('WITH b AS (SELECT id FROM q FOR UPDATE SKIP LOCKED) SELECT * FROM b'),
    sql('WITH b AS (SELECT id FROM q FOR\n no  KEY\tupdate) SELECT * FROM b'),
    sql('WITH b AS (SELECT id FROM q FOR UPDATE) UPDATE q SET done = 1 FROM b'),
    sql('BEGIN; INSERT INTO t VALUES (1); COMMIT'),
    sql('SET search_path TO erp;\n  (UPDATE t SET a = 1)'),
    sql('SELECT 1; insert into t values (1)'),
    sql('START TRANSACTION; SELECT * FROM t; COMMIT;'),
    sql("SELECT ';' FROM t; COMMIT"),
    sql('COMMIT; CREATE TABLE x AS SELECT 1'),
    sql('BEGIN;COPY t FROM STDIN;'),
    sql(';;'),
    sql('SELECT * FROM t INTO OUTFILE "/tmp/x"'),
    sql('select * into temp table t2 from t'),
    sql('SELECT 1 INTO @v'),
    // a SELECT of no table reads nothing (migration 113)
    sql('select version();'),
    sql('select version() as version', { 'db.system.name': 'mysql' }),
    sql('SELECT 1 FROM DUAL', { 'db.system.name': 'oracle.db' }),
    sql('select 1 from sys.dual'),
    sql('SELECT 1 FROM SYSIBM.SYSDUMMY1'),
    sql('SELECT \'x from y\' AS a, "from" FROM dual'),
    sql('SELECT id FROM dual_rows'),
    sql('SELECT 1 FROM DUAL; SELECT id FROM t'),
    sql('select extract(year from now())'),
    sql('select 1; commit'),
    sql('SELECT\n1'),
    sql('select * from information_schema.tables where table_name = $1 and table_schema = current_schema()'),
    sql('SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace'),
    sql('select banner from v$version'),
    sql('SELECT name FROM sqlite_master WHERE type = ?'),
    sql('SELECT * FROM sys.tables t JOIN orders o ON o.id = t.object_id'),
    sql('SELECT * FROM information_schema.tables, orders'),
    sql('SELECT * FROM pg_stat_activity; SELECT * FROM orders'),
    sql('select * from "information_schema"."tables"'),
    sql('SELECT * FROM information_schemaX.tables'),
    sql('SELECT * FROM (SELECT 1 FROM dual) x'),
    sql('SELECT * INTO UNLOGGED TABLE t3 FROM t'),
    sql('WITH x AS (SELECT 1) SELECT * FROM x'),
    sql('WITH x AS (SELECT 1) UPDATE t SET a = 1'),
    sql('WITH x AS (SELECT 1) SELECT updated_at FROM x'),
    sql('COPY t FROM STDIN'),
    sql("COPY t (a, b) FROM '/x.csv'"),
    sql('copy t to stdout'),
    sql('COPY t(a)FROM x'),
    sql('CREATE TABLE x AS SELECT 1'),
    sql('CREATE TABLE x (a int)'),
    sql('create unlogged table t as select 1'),
    sql('CREATE TABLE x\n(a int) AS\nSELECT 1'),
    sql('EXPLAIN SELECT 1'),
    sql('DESC t'),
    sql('VALUES (1)'),
    sql('TABLE t'),
    sql('LOAD DATA INFILE "x" INTO TABLE t'),
    sql('CALL proc()'),
    sql('   ((select 1))'),
    sql('UPSERT INTO t VALUES (1)'),
    sql('REPLACE INTO t VALUES (1)'),
    sql("SELECT 'é' FROM t"),
    sql('\n\tselect 1'),
    sql('/* unterminated SELECT'),
    sql("'unterminated string SELECT"),
    sql('   '),
    sql(''),
    sql(raw('/* ', [0xff], ' */ INSERT INTO t VALUES (1)')),
    sql(raw('SELECT ', [0xe2, 0x82], ' FROM t')),
    sql(raw("SELECT '", [0xc0], "' ; DELETE")),
    sql('select 1', { 'db.operation.name': 'select' }),
    sql('delete from t', { 'db.operation.name': 'find' }),
    sql('select 1', { 'db.operation.name': 'bulkWrite' }),
    sql('select 1', { 'db.operation.name': 'unknown_op' }),
    sql('select 1', { 'db.operation.name': '(  insertMany' }),
    sql('select 1', { 'db.operation': 'INSERT' }),
    sql('select 1', { 'db.query.summary': 'DELETE orders' }),
    sql('select 1', { 'integration.operation': 'Create' }),
    sql('insert into t values (1)', { 'integration.operation': 'READ' }),
    span('redis-get', CLIENT, { 'db.system': 'redis', 'db.statement': 'GET k' }),
    span('redis-del', CLIENT, { 'db.system': 'redis', 'db.statement': 'del k', 'server.address': 'cache', 'server.port': { int: '6379' } }),
    span('redis-hgetall', CLIENT, { 'db.system.name': 'valkey', 'db.query.text': '  HGETALL h' }),
    span('memcached', CLIENT, { 'db.system': 'memcached', 'db.statement': 'get x' }),
    span('redis-empty', CLIENT, { 'db.system': 'redis' }),
    // a command in a transaction or a pipeline, as @opentelemetry/instrumentation-ioredis 0.71 names it (span name the
    // command; db.operation.name `MULTI <cmd>` or `PIPELINE <cmd>`, the control commands bare) and -redis 0.71 for
    // node-redis 4/5 (span name `redis-<CMD>`; `MULTI <CMD>`, `PIPELINE <CMD>`, `MULTI`/`PIPELINE` for a batch of several
    // commands) (139)
    ...[
      ['set', 'MULTI set', 'set orders:1 [1 other arguments]'],
      ['lpush', 'PIPELINE lpush', 'lpush orders [1 other arguments]'],
      ['rpop', 'PIPELINE rpop', 'rpop orders'],
      ['hgetall', 'MULTI hgetall', 'hgetall customer:1'],
      ['multi', 'multi', 'multi'],
      ['exec', 'exec', 'exec'],
      ['redis-SET', 'MULTI SET', 'SET orders:1 [1 other arguments]'],
      ['redis-LPUSH', 'PIPELINE LPUSH', 'LPUSH orders [1 other arguments]'],
      ['redis-LPUSH', 'MULTI', 'LPUSH orders [1 other arguments]'],
      ['redis-GET', 'PIPELINE', 'GET orders:1'],
      ['redis-PING', 'PIPELINE', 'PING'],
      ['redis-X', 'MULTI', ''],
      ['redis-X', 'PIPELINE  ', 'BRPOP q 0'],
      ['redis-X', 'MULTI\tdel', 'SET k'],
      ['redis-X', ' (pipeline get', ''],
      ['redis-X', 'MULTI 1', 'del k'],
      ['redis-X', 'MULTIPLE SET', 'GET k'],
      ['redis-X', 'MULTI-SET', 'GET k'],
      ['redis-X', 'EXEC SET', 'GET k'],
    ].flatMap(([name, op, text]) => [
      span(
        `redis-batch ${op}`,
        CLIENT,
        { 'db.system.name': 'redis', 'db.operation.name': op, 'db.query.text': text, 'server.address': 'cache', 'server.port': { int: '6379' } },
        { name },
      ),
      span(`valkey-batch ${op}`, CLIENT, { 'db.system': 'valkey', 'db.operation': op, 'db.statement': text }, { name }),
      span(`memcached-batch ${op}`, CLIENT, { 'db.system': 'memcached', 'db.operation': op, 'db.statement': text }, { name }),
      span(`pg-batch ${op}`, CLIENT, { 'db.system': 'postgresql', 'db.operation': op, 'db.statement': text }, { name }),
    ]),
    span('redis-batch-statement-only', CLIENT, { 'db.system': 'redis', 'db.statement': 'MULTI SET k v' }),
    span('redis-batch-statement-bare', CLIENT, { 'db.system': 'redis', 'db.statement': 'PIPELINE' }),
    span('redis-batch-summary', CLIENT, { 'db.system.name': 'redis', 'db.query.summary': 'PIPELINE HSET', 'db.query.text': 'GET k' }),
    span('redis-batch-bad', CLIENT, { 'db.system.name': 'redis', 'db.operation.name': raw('MULTI ', [0xff], 'SET'), 'db.query.text': raw('DEL', [0xff]) }),
    span('pg-old', CLIENT, { 'db.system': 'postgres', 'db.name': 'crm', 'db.statement': 'select 1', 'net.peer.name': 'pg', 'net.peer.port': '5432' }),
    span('mariadb', CLIENT, { 'db.system': 'MariaDB', 'db.name': 'shop', 'db.statement': 'UPDATE x', 'server.address': 'm', 'server.port': '3307' }),
    span('mongo', CLIENT, {
      'db.system': 'mongodb',
      'db.namespace': 'app',
      'db.operation': 'findAndModify',
      'server.address': 'mongo',
      'server.port': { int: '27017' },
    }),
    // operations that named no direction before 096: MongoDB's, Redis's pops and the rest (SAVE and CREATE write for MongoDB only)
    ...['findOne', 'getMore', 'estimatedDocumentCount', 'countDocuments', 'save', 'remove', 'findOneAndReplace', 'findOneAndDelete', 'create'].map((op) =>
      span(`mongo-${op}`, CLIENT, { 'db.system.name': 'mongodb', 'db.namespace': 'erp', 'db.operation.name': op, 'server.address': 'mongo' }),
    ),
    // databases reached over HTTP, and DynamoDB: their own operations decide (109)
    ...['search', 'MSearch', 'scroll', 'get', 'exists', 'count', 'bulk', 'index', 'create', 'update_by_query', 'delete', 'reindex', 'indices.refresh'].map(
      (op) =>
        span(`es-${op}`, CLIENT, {
          'db.system.name': 'elasticsearch',
          'db.operation.name': op,
          'http.request.method': 'POST',
          'server.address': 'es',
          'server.port': { int: '9200' },
        }),
    ),
    span('opensearch-old', CLIENT, { 'db.system': 'OpenSearch', 'db.operation': 'search', 'http.method': 'POST', 'net.peer.name': 'os' }),
    span('es-no-op-put', CLIENT, { 'db.system.name': 'elasticsearch', 'http.request.method': 'PUT', 'url.full': 'http://es:9200/p/_doc/1' }),
    span('ch-http', CLIENT, { 'db.system.name': 'clickhouse', 'db.query.text': 'select 1', 'http.request.method': 'POST', 'server.address': 'ch' }),
    span('pg-query-op', CLIENT, { 'db.system.name': 'postgresql', 'db.operation.name': 'query', 'db.query.text': 'select 1', 'server.address': 'pg' }),
    ...[
      'GetItem',
      'Query',
      'Scan',
      'BatchGetItem',
      'TransactGetItems',
      'PutItem',
      'UpdateItem',
      'DeleteItem',
      'BatchWriteItem',
      'TransactWriteItems',
      'CreateTable',
      'Get',
    ].map((op) => span(`ddb-${op}`, CLIENT, { 'rpc.system': 'aws-api', 'db.system.name': 'dynamodb', 'db.namespace': 'Orders', 'db.operation.name': op })),
    // DynamoDB's batch operations, named by aws.dynamodb.table_names (109)
    ...(
      [
        { array: ['Orders'] },
        { array: ['Orders', 'order.lines-v2'] },
        { array: [] },
        { array: ['a b'] },
        '["Orders"]',
        '[ "A" ,"b" ]',
        '["A",]',
        '["A"',
        'Orders',
        raw('["A', [0xff], '"]'),
      ] as Value[]
    ).map((tables) => span('ddb-batch', CLIENT, { 'db.system.name': 'dynamodb', 'db.operation.name': 'BatchWriteItem', 'aws.dynamodb.table_names': tables })),
    span('ddb-batch-host', CLIENT, {
      'db.system': 'dynamodb',
      'db.operation': 'BatchGetItem',
      'aws.dynamodb.table_names': { array: ['T1', 'T2'] },
      'server.address': 'ddb.local',
      'integration.records': '7',
    }),
    span('ddb-namespace-wins', CLIENT, {
      'db.system.name': 'dynamodb',
      'db.namespace': 'Orders',
      'db.operation.name': 'Query',
      'aws.dynamodb.table_names': { array: ['Other'] },
    }),
    span('pg-table-names', CLIENT, { 'db.system.name': 'postgresql', 'db.query.text': 'select 1', 'aws.dynamodb.table_names': { array: ['T'] } }),
    // OAuth 2.0 token requests touch nothing (109); their near misses still do
    ...[
      'https://login.microsoftonline.com/t/oauth2/v2.0/token',
      'https://x.okta.com/oauth2/aus1/v1/token',
      'https://kc/realms/r/protocol/openid-connect/token',
      'https://s/connect/token/',
      'https://s/admin/oauth/access_token',
      'https://s/OAUTH2/realms/root/Access_Token',
      'https://pf/as/token.oauth2',
      'https://s/oauth/token?grant_type=client_credentials',
      'https://s/oauth/tokens',
      'https://s/oauth/token/x',
      'https://s/as/tokenXoauth2',
      'https://s/oauth2/v2.0/token\n',
      // 111: under an authorization server's segment, at the root, ServiceNow's; and their near misses
      'https://w/ccx/oauth2/t/token',
      'https://s/oauth2/v1/tokens/bearer',
      'https://s/auth/o2/token',
      'https://s/ims/token/v3',
      'https://s/oauth/v2/accessToken',
      'https://oauth2.googleapis.com/token',
      'https://s/api/v1/token/',
      'https://s//token',
      'https://s/oauth_token.do',
      'https://s/v1/tokens',
      'https://s/api/payments/token',
      'https://s/auth/a/b/c/token',
      'https://s/author/token',
      'https://s/ims/token/vx',
      'https://s/oauth_tokenXdo',
      'https://s/x/token',
      // 111: more token endpoints, and their near misses
      'https://s/rest/V1/integration/admin/token',
      'https://s/oauth/token-request',
      'https://s/oidc/accounts/a/v1/token',
      'https://s/auth/a/b/vx/token',
      'https://s/e/as/token',
      'https://s/-/oauth_token',
      'https://s/app/installations/1/access_tokens',
      'https://s/api/authentication/access_token',
      'https://s/api/v2/auth/token/get',
      'https://s/v1/access_token',
      'https://s/oauth2/v1/revoke',
      'https://s/oauth/introspect/x',
      // 111: a POST to a read endpoint reads
      'https://s/crm/v3/objects/contacts/search',
      'https://s/rest/api/3/search/jql/',
      'https://s/v1/databases/x/query',
      'https://s/1/indexes/*/queries',
      'https://s/query/v1/suiteql',
      'https://s/v0/a/t/listRecords',
      'https://s/i/_search/scroll',
      'https://s/db/_all_docs',
      'https://s/api/searches',
      // 111: more read endpoints, and their near misses
      'https://s/crm/v3/objects/c/batch/read',
      'https://s/crm/v2/coql',
      'https://s/services/data/v1/composite/sobjects/Account',
      'https://s/services/data/v1/composite/sobjects/',
      'https://s/v1.0/directoryObjects/getByIds',
      'https://s/v17/customers/1/googleAds:search',
      'https://s/v1/x:commit',
      'https://s/_query/async',
      'https://s/db/_design/d/_view/v',
      "https://s/b1s/v1/SQLQueries('q')/List",
      'https://s/1/indexes/*/objects',
      'https://s/odata/O/$query',
      'https://s/druid/v2/sql/task',
      'https://s/api/search/export',
      'https://s/i/_bulk',
      'https://s/i/_searchx',
    ].map((u) => span('oauth', CLIENT, { 'http.request.method': 'post', 'url.full': u })),
    // 113: session logins and logouts touch nothing, whatever the method; their near misses still touch their system
    ...['POST', 'delete', 'GET', 'PATCH'].flatMap((method) =>
      [
        'https://s:50000/b1s/v2/Login',
        'https://s/id/b1s/v1/LOGOUT/',
        'https://s/api/3.27/auth/signin',
        'https://s/api/3.4/auth/switchSite',
        'https://s/api/4.0/login/42',
        'https://s//api/4.0/logout',
        'https://s/api/v1/authn/factors/f/verify',
        'https://s/session/v1/login-request?warehouse=w',
        'https://s//session?delete=true',
        'https://s/session/heartbeat',
        'https://s/ERP/entity/auth/login',
        'https://s/jderest/tokenrequest',
        'https://s/jderest/v3/orchestrator/jde-logout',
        'https://s/web/session/destroy',
        'https://s/jira/rest/auth/1/session',
        'https://s/login/jwt-session',
        'https://s/qps/vp/session/0f3c',
        'https://s/IDORequestService/ido/token/c/u/p',
        'https://s/SaaS1/TokenResource.svc/',
        'https://s/biprws/logon/long',
        'https://s/api/v24.1/auth/',
        'https://s/ma/api/v2/user/login',
        'https://s/lib/api/auth/logout',
        // near misses
        'https://s/b1s/v2/Users',
        'https://s/b1s/v2/Logins',
        'https://s/api/users/login-history',
        'https://s/customers/42/login',
        'https://s/api/42/login',
        'https://s/api/v4/logout',
        'https://s/api/4.0/login/42/x',
        'https://s/api/v1/authnx',
        'https://s/api/sessions',
        'https://s/x/session',
        'https://s/session/queries',
        'https://s/entity/auth/loginx',
        'https://s/jderest/v2/orchestrator/order-sync',
        'https://s/web/dataset/call_kw',
        'https://s/rest/auth/2/session',
        'https://s/qps/a/b/ticket',
        'https://s/IDORequestService/ido/token',
        'https://s/IDORequestService/ido/load/SLItems',
        'https://s/TokenResourceXsvc',
        'https://s/biprws/logon',
        'https://s/api/v24/auth',
        'https://s/ma/api/v3/user/login',
        'https://s/api/auth/users',
      ].map((u) => span('session', CLIENT, { 'http.request.method': method, 'url.full': u })),
    ),
    // 115: the request opening a socket.io or engine.io WebSocket connection touches nothing; polling and near misses do
    ...[
      'http://hub:3000/socket.io/?EIO=4&transport=websocket',
      'https://hub/chat/socket.io?EIO=3&transport=WebSocket&t=abc',
      'http://hub/engine.io/?transport=websocket#x',
      'http://hub/socket.io/?EIO=4&transport=websocket&sid=s1',
      // near misses
      'http://hub/socket.io/?EIO=4&transport=polling&t=x',
      'http://hub/socket.io/?EIO=4&transport=websockets',
      'http://hub/socket.io/x?transport=websocket',
      'http://hub/socketXio/?transport=websocket',
      'http://hub/api/socket.io/orders',
      'http://hub/socket.io/',
    ].map((u) => span('socket-upgrade', CLIENT, { 'http.request.method': 'GET', 'url.full': u })),
    span('socket-target', CLIENT, { 'http.method': 'GET', 'http.target': '/socket.io/?EIO=4&transport=websocket', 'net.peer.name': 'hub' }),
    ...snsSpans().spans,
    // 119: a GET or HEAD of a health or liveness endpoint touches nothing; other methods and deeper resources do
    ...['GET', 'HEAD', 'POST', 'get', ''].flatMap((method) =>
      [
        'http://erp/health',
        'http://erp/HEALTHZ?full=1',
        'http://erp//api//v1//health/',
        'http://erp/erp/api/v2.1/ping',
        'http://erp/q/health/live',
        'http://erp/actuator/health',
        'http://erp/erp/actuator/health/readiness',
        'http://erp/-/healthy',
        'http://erp/_cluster/health',
        'http://erp/readyz#x',
        // near misses
        'http://erp/api/patients/42/health',
        'http://erp/api/customers/ping/history',
        'http://erp/a/b/health',
        'http://erp/healthy',
        'http://erp/actuator/health/a/b',
        'http://erp/-/reload',
        'http://erp/api/healthcare',
      ].map((u) => span('health', CLIENT, method === '' ? { 'url.full': u } : { 'http.request.method': method, 'url.full': u })),
    ),
    // 119: a MongoDB driver's own commands touch nothing; its reads and writes, and other stores' pings, do
    ...[
      'ping',
      'hello',
      'isMaster',
      'buildInfo',
      'saslStart',
      'saslContinue',
      'endSessions',
      'commitTransaction',
      'abortTransaction',
      'find',
      'killCursors',
      'pingx',
    ].map((op) => span('mongodb-command', CLIENT, { 'db.system': 'mongodb', 'db.name': 'admin', 'db.operation': op, 'net.peer.name': 'mongo' })),
    span('mongodb-command-stable', CLIENT, { 'db.system.name': 'mongodb', 'db.namespace': 'admin', 'db.operation.name': 'PING', 'server.address': 'mongo' }),
    span('mongodb-statement', CLIENT, { 'db.system': 'mongodb', 'db.name': 'admin', 'db.statement': '{"ping":1}', 'net.peer.name': 'mongo' }),
    span('redis-ping', CLIENT, { 'db.system': 'redis', 'db.statement': 'PING', 'net.peer.name': 'cache' }),
    span('health-target', CLIENT, { 'http.method': 'GET', 'http.target': '/healthz?verbose', 'net.peer.name': 'erp' }),
    span('health-path', CLIENT, { 'http.request.method': 'HEAD', 'url.path': '/ping', 'server.address': 'erp' }),
    span('health-template', CLIENT, { 'http.request.method': 'GET', 'url.template': '/actuator/health/{group}', 'server.address': 'erp' }),
    span('health-peer', CLIENT, { 'http.request.method': 'GET', 'url.path': '/health', 'peer.service': 'erp' }),
    span('socket-path-query-elsewhere', CLIENT, { 'http.request.method': 'GET', 'url.path': '/socket.io/', 'server.address': 'hub' }),
    span('socket-io-receive', CONSUMER, { 'messaging.system': 'socket.io', 'messaging.destination': '/', 'messaging.operation': 'receive' }),
    span('socket-io-send', PRODUCER, { 'messaging.system': 'Socket.IO', 'messaging.destination': '/chat', 'messaging.socket.io.rooms': 'r1' }),
    span('socket-io-nsp-less', PRODUCER, { 'messaging.system': 'socket.io' }),
    span('session-path', CLIENT, { 'http.request.method': 'POST', 'url.path': '/b1s/v1/Login', 'server.address': 'b1' }),
    span('session-target', CLIENT, { 'http.method': 'DELETE', 'http.target': '/api/4.0/logout?x=1', 'net.peer.name': 'looker' }),
    span('session-template', CLIENT, { 'http.request.method': 'POST', 'url.template': '/entity/auth/login', 'server.address': 'acu' }),
    span('session-peer', CLIENT, { 'http.request.method': 'POST', 'url.path': '/web/session/authenticate', 'peer.service': 'odoo' }),
    span('oauth-get', CLIENT, { 'http.request.method': 'GET', 'url.full': 'https://s/oauth2/token' }),
    span('oauth-target', CLIENT, { 'http.method': 'POST', 'http.target': '/oauth/token?x=1', 'net.peer.name': 'auth' }),
    span('oauth-path', CLIENT, { 'http.request.method': 'POST', 'url.path': '/oauth2/token', 'server.address': 'auth' }),
    span('oauth-template', CLIENT, { 'http.request.method': 'POST', 'url.template': '/connect/token', 'server.address': 'auth' }),
    span('oauth-peer', CLIENT, { 'http.request.method': 'POST', 'url.path': '/oauth/token', 'peer.service': 'idp' }),
    span('oauth-bytes', CLIENT, { 'http.request.method': 'POST', 'url.full': raw('https://s/o', [0xff], '/oauth/token') }),
    span('ddb-query-post', CLIENT, { 'db.system.name': 'dynamodb', 'db.namespace': 'Orders', 'db.operation.name': 'Query', 'http.request.method': 'POST' }),
    span('mongoose-save-old', CLIENT, { 'db.system': 'mongodb', 'db.name': 'erp', 'db.operation': 'save', 'net.peer.name': 'mongo' }),
    span('redis-save', CLIENT, { 'db.system': 'redis', 'db.statement': 'SAVE' }),
    sql('CREATE TABLE x (a int)', { 'db.operation.name': 'CREATE' }),
    sql('CREATE TABLE x AS SELECT 1', { 'db.operation.name': 'create' }),
    ...['BRPOP jobs 0', 'lpop jobs', 'BLMOVE a b LEFT RIGHT 0', 'XREADGROUP GROUP g c STREAMS s >', 'TTL k', 'ZREVRANGE z 0 -1'].map((q) =>
      span('redis-read-op', CLIENT, { 'db.system': 'redis', 'db.statement': q, 'server.address': 'cache' }),
    ),
    ...['SETNX k v', 'HINCRBYFLOAT h f 1.5', 'unlink k', 'PUBLISH ch msg', 'XACK s g 1-0', 'GETDEL k', 'LTRIM l 0 9'].map((q) =>
      span('redis-write-op', CLIENT, { 'db.system.name': 'valkey', 'db.query.text': q, 'server.address': 'cache' }),
    ),
    span('mssql', CLIENT, {
      'db.system.name': 'mssql',
      'db.namespace': 'inst|orders',
      'db.query.text': 'select 1',
      'server.address': 'sql',
      'server.port': { int: '1433' },
    }),
    span('both-systems', CLIENT, {
      'db.system.name': 'oracle',
      'db.system': 'postgresql',
      'db.query.text': 'select 1',
      'server.address': 'ora',
      'server.port': '1521',
    }),
    // other names of one database system (core/net/db-system-names.ts, migration 113)
    span('tedious-stable', CLIENT, {
      'db.system.name': 'microsoft.sql_server',
      'db.namespace': 'erp',
      'db.query.text': 'UPDATE customers SET x = 1',
      'server.address': 'sql.internal',
      'server.port': { int: '1433' },
    }),
    span('oracledb-stable', CLIENT, { 'db.system.name': 'Oracle.DB', 'db.namespace': 'ERP', 'db.query.text': 'select x from t', 'server.address': 'ora' }),
    ...['mysql2', 'pg', 'pgnative', 'pg-redshift', 'oracledb', 'better-sqlite3', 'sqlite3', 'ibm.db2', 'aws.redshift', 'mysql22'].map((driver) =>
      span(`knex-${driver}`, CLIENT, {
        'knex.version': '3.3.0',
        'db.system.name': driver,
        'db.operation.name': 'insert',
        'db.namespace': 'billing',
        'server.address': '127.0.0.1',
        'db.query.text': 'insert into `invoices` (`note`) values (?)',
      }),
    ),
    span('db-server-kind', SERVER, { 'db.system': 'postgresql', 'db.statement': 'select 1' }),
    span('db-bool-system', CLIENT, { 'db.system': { bool: true }, 'db.statement': 'select 1' }),
    // messaging
    msg({ 'messaging.destination.anonymous': { bool: true }, 'messaging.destination.name': 'amq.gen-x', 'messaging.destination.template': 'replies' }),
    msg({ 'messaging.destination.anonymous': 'true' }),
    span('nats-template', PRODUCER, { 'messaging.system': 'nats', 'messaging.destination.name': '_INBOX.9', 'messaging.destination.template': '_INBOX.*' }),
    msg({ 'messaging.destination.name': 'amq.rabbitmq.reply-to.g1h2' }),
    msg({ 'messaging.destination.name': '', 'messaging.rabbitmq.destination.routing_key': 'amq.rabbitmq.reply-to.g1h2.x' }),
    msg({ 'messaging.destination': '', 'messaging.rabbitmq.routing_key': 'amq.gen-JzTY20BRgKO' }),
    msg({ 'messaging.destination.name': 'amq.default', 'rabbitmq.destination.routing_key': 'amq.gen-x', 'messaging.destination.template': 'rpc-replies' }),
    msg({ 'messaging.destination.name': ':amq.rabbitmq.reply-to.g1h2' }, CONSUMER),
    msg({ 'messaging.destination.name': 'rpc:amq.gen-x' }),
    span('amq.gen-y send', PRODUCER, { 'messaging.system': 'rabbitmq', 'messaging.destination.name': '(temporary)' }),
    msg({ 'messaging.destination.name': 'q', 'messaging.destination.temporary': 'True' }),
    msg({ 'messaging.destination.name': ':orders' }),
    msg({ 'messaging.destination.name': 'ex:rk:more' }),
    msg({ 'messaging.destination': '(temporary)' }, PRODUCER, 'orders publish'),
    msg({ 'messaging.destination': '(temporary)' }, PRODUCER, 'orders  \tsend'),
    msg({ 'messaging.destination': '(temporary)' }, PRODUCER, 'orders send '),
    msg({ 'messaging.destination': '(temporary)' }, PRODUCER, 'send'),
    msg({ 'messaging.destination': '(temporary)' }, PRODUCER, ' send'),
    // RPC methods and gRPC paths, by their names' verbs (migration 122)
    span('grpc-get', CLIENT, {
      'rpc.system': 'grpc',
      'rpc.service': 'crm.v1.CustomerService',
      'rpc.method': 'GetCustomer',
      'server.address': 'crm',
      'server.port': { int: '50051' },
    }),
    span('grpc-update', CLIENT, { 'rpc.system': 'grpc', 'rpc.service': 'erp.v1.OrderService', 'rpc.method': 'UpdateOrder', 'net.peer.name': 'erp' }),
    span('grpc-batch', CLIENT, { 'rpc.system': 'grpc', 'rpc.method': 'BatchGetCustomers', 'peer.service': 'crm' }),
    span('grpc-health', CLIENT, { 'rpc.system': 'grpc', 'rpc.service': 'grpc.health.v1.Health', 'rpc.method': 'Check', 'server.address': 'crm' }),
    span('grpc-no-system', CLIENT, { 'rpc.method': 'GetCustomer', 'server.address': 'crm' }),
    span('aws-select', CLIENT, {
      'rpc.system': 'aws-api',
      'rpc.method': 'SelectObjectContent',
      'http.method': 'POST',
      'http.url': 'https://b.s3.amazonaws.com/k',
    }),
    span('aws-invoke', CLIENT, { 'rpc.system': 'aws-api', 'rpc.method': 'Invoke', 'http.method': 'POST', 'http.url': 'https://lambda.amazonaws.com/f' }),
    span('sqs-delete', CLIENT, { 'rpc.system': 'aws-api', 'rpc.method': 'DeleteMessage', 'messaging.system': 'aws_sqs', 'messaging.destination.name': 'q' }),
    span('ddb-list', CLIENT, { 'rpc.system': 'aws-api', 'rpc.method': 'ListTables', 'db.system': 'dynamodb', 'db.operation': 'ListTables' }),
    http('https://crm:8443/crm.v1.CustomerService/GetCustomer', { 'http.request.method': 'POST' }),
    http('https://crm:8443/crm.v1.CustomerService/UpdateCustomer', { 'http.request.method': 'POST' }),
    http('https://crm/twirp/crm.CustomerService/ListCustomers', { 'http.request.method': 'POST' }),
    http('https://crm/Greeter/GetGreeting', { 'http.request.method': 'POST' }),
    http('https://crm/crm.v1.CustomerService/GetCustomer', { 'http.request.method': 'GET' }),
    span('grpc-target', CLIENT, { 'http.method': 'POST', 'net.peer.name': 'crm', 'http.target': '/crm.v1.CustomerService/GetCustomer?x=1' }),
    span('grpc-health', CLIENT, { 'rpc.system': 'grpc', 'rpc.service': 'grpc.health.v1.Health', 'rpc.method': 'Watch', 'server.address': 'erp' }),
    span('grpc-health-peer', CLIENT, { 'rpc.system': 'grpc', 'rpc.service': 'grpc.health.v1.Health', 'peer.service': 'erp' }),
    span('grpc-health-v2', CLIENT, { 'rpc.system': 'grpc', 'rpc.service': 'grpc.health.v2.Health', 'rpc.method': 'Check', 'server.address': 'erp' }),
    http('https://erp:50051/grpc.health.v1.Health/Check', { 'http.request.method': 'POST' }),
    http('https://erp:50051//grpc.health.v1.Health/Watch/', { 'http.request.method': 'POST' }),
    http('https://erp:50051/grpc.health.v1.Health/List', { 'http.request.method': 'POST' }),
    http('https://erp:50051/api/grpc.health.v1.Health/Check', { 'http.request.method': 'POST' }),
    span('grpc-health-target', CLIENT, { 'http.method': 'POST', 'net.peer.name': 'erp', 'http.target': '/grpc.health.v1.Health/Check' }),
    // aws-sdk calls as Go's otelaws and Python's botocore span them (migration 125): DynamoDB's operation as the RPC method,
    // SQS's queue as its URL, no messaging operation, management calls naming the broker as messaging
    ...['PutItem', 'Query', 'DescribeTable', 'ListTables', 'putitem', ''].flatMap((op) =>
      [['Orders'], []].map((tables) =>
        span(`go-ddb-${op}-${tables.length}`, CLIENT, {
          'rpc.system': 'aws-api',
          'rpc.service': 'DynamoDB',
          'rpc.method': op,
          'db.system': 'dynamodb',
          ...(tables.length ? { 'aws.dynamodb.table_names': { array: tables } } : {}),
        }),
      ),
    ),
    span('go-ddb-named-op', CLIENT, {
      'rpc.system': 'aws-api',
      'rpc.method': 'Query',
      'db.system': 'dynamodb',
      'db.operation': 'PutItem',
      'aws.dynamodb.table_names': { array: ['T'] },
    }),
    span('grpc-db-op', CLIENT, { 'rpc.system': 'grpc', 'rpc.method': 'PutItem', 'db.system': 'dynamodb', 'aws.dynamodb.table_names': { array: ['T'] } }),
    ...(
      [
        { 'messaging.url': 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders' },
        { 'net.peer.name': 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders' },
        { 'server.address': 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders/' },
        { 'aws.sqs.queue.url': 'http://localhost:4566/000000000000/orders?x=1' },
        { 'server.address': 'sqs.eu-west-1.amazonaws.com' },
        { 'server.address': 'https://sqs.eu-west-1.amazonaws.com/orders' },
        { 'messaging.url': 'not a url', 'server.address': 'https://h/1/q' },
        { 'messaging.url': 'https://h/1/q', 'messaging.destination': 'named' },
      ] as Record<string, Value>[]
    ).flatMap((where) =>
      ['SendMessage', 'SendMessageBatch', 'ReceiveMessage', 'DeleteMessage', 'GetQueueAttributes', 'sendmessage'].map((method) =>
        span(`go-sqs-${method}`, CLIENT, { 'rpc.system': 'aws-api', 'rpc.service': 'SQS', 'rpc.method': method, 'messaging.system': 'AmazonSQS', ...where }),
      ),
    ),
    // A host attribute given a whole URL (otelaws' SQS queue URL in server.address or net.peer.name): its host, and its port
    // when no port attribute names one (migration 126); on every kind of endpoint
    ...(
      [
        { 'server.address': 'http://user:pw@localhost:4566/000000000000/orders' },
        { 'server.address': 'HTTPS://SQS.eu-west-1.amazonaws.com.:443/1/q', 'server.port': '8443' },
        { 'net.peer.name': 'amqp://[2001:db8::7]:5673/vhost', 'net.peer.port': '' },
        { 'net.peer.name': 'https://[2001:db8::7]/x', 'server.port': '99' },
        { 'server.address': 'file:///var/run/x.sock', 'http.host': 'h.example:81' },
        { 'server.address': 'https://', 'net.peer.name': 'fallback.internal' },
        { 'server.address': 'mailto:ops@x', 'network.peer.address': '10.0.0.1' },
        { 'server.address': 'db.internal:5433' },
        { 'server.address': raw('https://h', [0xff], '.example/x') },
        // a gRPC channel's target (otelgrpc's interceptors)
        { 'server.address': 'dns:///crm.internal:50051' },
        { 'server.address': 'DNS://8.8.8.8/crm.internal', 'server.port': '443' },
        { 'server.address': 'dns:crm.internal:50051' },
        { 'server.address': 'passthrough:///[2001:db8::1]:50051' },
        { 'net.peer.name': 'xds:///crm-service' },
        { 'server.address': 'unix:///run/crm.sock' },
        { 'server.address': 'unix:/run/crm.sock' },
        { 'server.address': 'unix:relative.sock' },
        { 'server.address': 'dns:///' },
        { 'server.address': 'dns:///a\nb:1' },
        { 'server.address': 'dns:///a\rb:1' },
      ] as Record<string, Value>[]
    ).flatMap((where) => [
      span('url-host-msg', PRODUCER, { 'messaging.system': 'aws_sqs', 'messaging.destination.name': 'q', ...where }),
      span('url-host-db', CLIENT, { 'db.system': 'postgresql', 'db.name': 'orders', 'db.statement': 'SELECT 1', ...where }),
      span('url-host-http', CLIENT, { 'http.method': 'GET', 'http.target': '/api/x', ...where }),
      span('url-host-rpc', CLIENT, { 'rpc.system': 'grpc', 'rpc.service': 'crm.v1.Customers', 'rpc.method': 'GetCustomer', ...where }),
    ]),
    // A Go database/sql call its driver answered driver.ErrSkip, as XSAM/otelsql spans it: Error, the error's text as an
    // exception event's message (and as the status message in older versions); uptrace's span of a statement prepared
    // (migration 126); and near misses
    ...(
      [
        {
          status: 2,
          events: [
            [
              ['exception.type', '*errors.errorString'],
              ['exception.message', ERR_SKIP],
            ],
          ],
        },
        { status: 2, statusMessage: ERR_SKIP },
        { status: 2, statusMessage: ERR_SKIP, events: [[['exception.message', 'other']]] },
        {
          status: 2,
          events: [
            [['x', '1']],
            [
              ['exception.message', ERR_SKIP],
              ['exception.escaped', 'false'],
            ],
          ],
        },
        { status: 0, statusMessage: ERR_SKIP, events: [[['exception.message', ERR_SKIP]]] },
        { status: 1, events: [[['exception.message', ERR_SKIP]]] },
        { status: 2, statusMessage: `${ERR_SKIP}.`, events: [[['exception.message', ERR_SKIP.toUpperCase()]]] },
        { status: 2, events: [[['error.message', ERR_SKIP]], []] },
        { status: 2, statusMessage: 'Error 1062: Duplicate entry' },
      ] as Partial<ParitySpan>[]
    ).flatMap((outcome) => [
      span('sql.conn.exec', CLIENT, { 'db.system': 'mysql', 'db.name': 'orders', 'server.address': 'db', 'db.statement': 'INSERT INTO t VALUES (?)' }, outcome),
      span('sql.conn.query', CLIENT, { 'db.system': 'mysql', 'db.name': 'crm', 'db.statement': 'SELECT 1' }, outcome),
      span('http-errskip', CLIENT, { 'http.method': 'DELETE', 'url.full': 'http://h/x', 'http.status_code': '404' }, outcome),
      span('msg-errskip', PRODUCER, { 'messaging.system': 'kafka', 'messaging.destination.name': 't' }, outcome),
    ]),
    ...['db.Prepare', 'db.prepare', 'stmt.Query', 'db.Query'].map((name) =>
      span(name, CLIENT, { 'db.system': 'mysql', 'db.name': 'crm', 'db.statement': 'SELECT id FROM customers WHERE id = ?' }),
    ),
    // MassTransit's own ActivitySource (migration 126): a message type's exchange `<namespace>:<type>` whole, v8's receive
    // naming its system only by its endpoint's address, the consume naming no destination, temporary endpoints
    ...(
      [
        { 'messaging.system': 'rabbitmq', 'messaging.destination.name': 'Contracts:OrderSubmitted', 'messaging.operation': 'send' },
        { 'messaging.system': 'rabbitmq', 'messaging.destination.name': ':x', 'messaging.operation': 'send' },
        { 'messaging.system': 'rabbitmq', 'messaging.destination.name': '', 'messaging.rabbitmq.destination.routing_key': 'rk' },
        { 'messaging.system': 'rabbitmq', 'messaging.destination.name': 'bus', 'messaging.operation': 'send' },
        { 'messaging.system': 'servicebus', 'messaging.destination.name': 'Contracts/OrderSubmitted', 'messaging.operation': 'send' },
        { 'messaging.operation': 'receive', 'messaging.destination.name': 'order-submitted' },
        { 'messaging.operation': 'process', 'messaging.masstransit.consumer_type': 'OrderConsumer' },
        { 'messaging.system': 'rabbitmq', 'messaging.operation': 'process', 'messaging.masstransit.consumer_type': 'OrderConsumer' },
        { 'messaging.system': 'rabbitmq', 'messaging.destination.name': 'q', 'messaging.masstransit.consumer_type': 'C' },
      ] as Record<string, Value>[]
    ).flatMap((attributes) =>
      (
        [
          {},
          { 'messaging.masstransit.destination_address': 'rabbitmq://mq.internal/Contracts:OrderSubmitted' },
          { 'messaging.masstransit.destination_address': 'rabbitmq://mq.internal/app_bus_ybfoyyrq?temporary=true' },
          { 'messaging.masstransit.input_address': 'rabbitmq://mq.internal/order-submitted' },
          { 'messaging.masstransit.input_address': 'RabbitMQs://mq.internal/vh/order-submitted' },
          { 'messaging.masstransit.input_address': 'amazonsqs://eu-west-1/order-submitted' },
          { 'messaging.masstransit.input_address': 'sb://ns.servicebus.windows.net/order-submitted?temporary=true' },
          { 'messaging.masstransit.input_address': 'sb://ns.servicebus.windows.net/order-submitted' },
          { 'messaging.masstransit.input_address': 'Loopback://localhost/order-submitted' },
          { 'messaging.masstransit.input_address': 'not an address' },
          { 'messaging.masstransit.destination_address': '', 'messaging.masstransit.input_address': 'activemq://mq/q?temporary=true&x=1' },
        ] as Record<string, Value>[]
      ).flatMap((where) => [span('mt-producer', PRODUCER, { ...attributes, ...where }), span('mt-consumer', CONSUMER, { ...attributes, ...where })]),
    ),
    // Amazon S3 calls touch their bucket (migration 126): virtual-hosted and path-style hosts, the Java agent 1.x's endpoint
    // URL with aws.bucket.name, an aws-sdk span with aws.s3.bucket and no URL; near misses (S3 Control, other hosts)
    ...[
      'https://orders-archive.s3.eu-west-1.amazonaws.com/invoices/2026/x.pdf',
      'https://My.Bucket.s3-eu-west-1.amazonaws.com//k',
      'https://b.s3.dualstack.eu-west-1.amazonaws.com.cn/',
      'https://b.s3-accelerate.amazonaws.com',
      'https://s3.eu-west-1.amazonaws.com/Orders-Archive/invoices/2026/x.pdf',
      'https://s3.amazonaws.com//orders-archive//a',
      'https://s3.amazonaws.com/orders-archive',
      'https://s3.amazonaws.com/',
      'https://s3.amazonaws.com',
      'https://123456789012.s3-control.eu-west-1.amazonaws.com/v20180820/jobs',
      'https://s3.example.com/b/k',
      'https://b.s3.amazonaws.com.evil.example/k',
      'http://ap-123456789012.s3-accesspoint.eu-west-1.amazonaws.com:8443/k',
    ].flatMap((url) => [
      http(url),
      span('s3-java', CLIENT, {
        'http.method': 'PUT',
        'http.url': url,
        'rpc.system': 'aws-api',
        'rpc.service': 'Amazon S3',
        'rpc.method': 'PutObject',
        'aws.bucket.name': 'Named',
      }),
    ]),
    span('s3-target', CLIENT, { 'http.method': 'GET', 'net.peer.name': 's3.amazonaws.com', 'http.target': '/orders-archive/a/b/c' }),
    span('s3-template', CLIENT, { 'http.request.method': 'GET', 'server.address': 'b.s3.amazonaws.com', 'url.template': '/{key}' }),
    ...(
      [{ 'aws.s3.bucket': 'Orders-Archive' }, { 'aws.bucket.name': 'orders-archive' }, { 'aws.s3.bucket': raw('bu', [0xff], 'ck') }, {}] as Record<
        string,
        Value
      >[]
    ).flatMap((bucket) =>
      ['S3', 's3', 'Amazon S3', 'DynamoDB'].flatMap((service) =>
        ['PutObject', 'GetObject', 'HeadObject'].map((method) =>
          span('s3-sdk', CLIENT, { 'rpc.system': 'aws-api', 'rpc.service': service, 'rpc.method': method, 'aws.region': 'eu-west-1', ...bucket }),
        ),
      ),
    ),
    // the Java agent's names of a temporary or anonymous destination, on any system (migration 126)
    ...['jms', 'kafka', 'rabbitmq', 'ActiveMQ'].flatMap((system) =>
      ['(temporary)', '(anonymous)', '(Temporary)', ' (temporary)', 'orders'].flatMap((name) => [
        msg({ 'messaging.system': system, 'messaging.destination': name, 'messaging.temp_destination': { bool: true } }),
        msg({ 'messaging.system': system, 'messaging.destination.name': name, 'messaging.destination.template': 'replies' }, CONSUMER, `${name} receive`),
      ]),
    ),
    span('py-sqs-send', CLIENT, {
      'rpc.system': 'aws-api',
      'rpc.service': 'SQS',
      'rpc.method': 'SendMessage',
      'messaging.system': 'aws.sqs',
      'messaging.destination': 'q',
    }),
    span('py-sqs-attrs', CLIENT, {
      'rpc.system': 'aws-api',
      'rpc.service': 'SQS',
      'rpc.method': 'GetQueueAttributes',
      'messaging.system': 'aws.sqs',
      'messaging.destination': 'q',
    }),
    span('go-sns-publish', CLIENT, {
      'rpc.system': 'aws-api',
      'rpc.service': 'SNS',
      'rpc.method': 'Publish',
      'messaging.system': 'aws_sns',
      'messaging.destination.name': 't',
    }),
    span('go-sns-create', CLIENT, { 'rpc.system': 'aws-api', 'rpc.service': 'SNS', 'rpc.method': 'CreateTopic', 'messaging.system': 'aws_sns' }),
    span('kafka-rpc-send', CLIENT, { 'rpc.system': 'grpc', 'rpc.method': 'SendMessage', 'messaging.system': 'kafka', 'messaging.destination.name': 'k' }),
    // XSAM/otelsql's spans (Go's database/sql): a statement prepared runs nothing (migration 125)
    ...['sql.conn.prepare', 'sql.stmt.exec', 'sql.conn.exec', 'SQL.CONN.PREPARE', 'sql.conn.prepare '].map((name) =>
      span(name, CLIENT, { 'db.system': 'postgresql', 'db.name': 'orders', 'db.statement': 'INSERT INTO orders VALUES ($1)' }),
    ),
    span('sql.conn.prepare', CLIENT, { 'http.request.method': 'POST', 'url.full': 'https://erp.internal/api/orders' }),
    // SQS and SNS calls as the Java agent spans them (rpc.system aws-api, the HTTP request)
    span('java-sqs-getqueueurl', CLIENT, {
      'rpc.system': 'aws-api',
      'rpc.service': 'Sqs',
      'rpc.method': 'GetQueueUrl',
      'http.method': 'POST',
      'http.url': 'https://sqs.eu-west-1.amazonaws.com',
    }),
    span('java-sns-createtopic', CLIENT, {
      'rpc.system': 'aws-api',
      'rpc.service': 'Sns',
      'rpc.method': 'CreateTopic',
      'http.method': 'POST',
      'net.peer.name': 'sns.x',
    }),
    span('java-sqs-send-bare', CLIENT, {
      'rpc.system': 'aws-api',
      'rpc.service': 'AmazonSQS',
      'rpc.method': 'SendMessage',
      'http.method': 'POST',
      'http.url': 'https://sqs.x',
    }),
    span('java-sqs-send-msg', PRODUCER, {
      'rpc.system': 'aws-api',
      'rpc.service': 'Sqs',
      'rpc.method': 'SendMessage',
      'messaging.system': 'AmazonSQS',
      'messaging.destination.name': 'orders',
    }),
    span('java-sqs-other-system', CLIENT, {
      'rpc.system': 'AWS-API',
      'rpc.service': 'Sqs',
      'rpc.method': 'GetQueueUrl',
      'http.method': 'POST',
      'http.url': 'https://sqs.x',
    }),
    span('java-s3-get', CLIENT, {
      'rpc.system': 'aws-api',
      'rpc.service': 'S3',
      'rpc.method': 'GetObject',
      'http.method': 'GET',
      'http.url': 'https://b.s3.x/k',
    }),
    // DynamoDB control-plane operations carried by a POST (the Java agent's spans)
    span('ddb-describe', CLIENT, {
      'db.system': 'dynamodb',
      'db.operation': 'DescribeTable',
      'http.method': 'POST',
      'net.peer.name': 'dynamodb.x',
      'aws.dynamodb.table_names': { array: ['Orders'] },
    }),
    span('ddb-list-tables', CLIENT, { 'db.system': 'dynamodb', 'db.operation': 'ListTables', 'http.method': 'POST', 'http.url': 'https://dynamodb.x' }),
    span('ddb-put', CLIENT, { 'db.system': 'dynamodb', 'db.operation': 'PutItem', 'http.method': 'POST', 'db.name': 'Orders' }),
    span('ddb-no-op', CLIENT, { 'db.system': 'dynamodb', 'http.method': 'POST', 'db.name': 'Orders', 'db.statement': 'x' }),
    span('ddb-partiql', CLIENT, {
      'db.system': 'dynamodb',
      'db.operation': 'ExecuteStatement',
      'http.method': 'POST',
      'db.name': 'Orders',
      'db.statement': 'SELECT * FROM Orders',
    }),
    span('es-indices-create', CLIENT, {
      'db.system': 'elasticsearch',
      'db.operation': 'indices.create',
      'http.method': 'PUT',
      'url.full': 'http://es:9200/orders',
    }),
    // stored procedures, by their names' verbs (migration 122)
    sql('{call billing_pkg.upsert_invoice(?, ?, ?)}', { 'db.system.name': 'oracle', 'db.operation': 'CALL' }),
    sql('{ ?= call GET_CUSTOMER(?) }', { 'db.system.name': 'oracle' }),
    sql('{call}'),
    sql('call sync.load_orders()', { 'db.system.name': 'mysql' }),
    sql('EXEC dbo.usp_UpsertInvoice @id = @p0', { 'db.system.name': 'mssql' }),
    sql('exec @rc = [dbo].[usp_Customers_Get] 5', { 'db.system.name': 'mssql' }),
    sql("EXECUTE sp_executesql N'INSERT INTO t VALUES (1)'", { 'db.system.name': 'mssql' }),
    sql('EXEC sp_send_dbmail', { 'db.system.name': 'mssql' }),
    sql('dbo.usp_UpsertInvoice', { 'db.system.name': 'mssql' }),
    sql('  spGetCustomers  ', { 'db.system.name': 'mssql' }),
    sql('usp_UpsertInvoice', { 'db.system.name': 'mssql', 'db.operation.name': 'EXECUTE' }),
    sql('COMMIT'),
    sql('SAVE', { 'db.system.name': 'redis' }),
    sql('UPSERT_X', { 'db.system.name': 'valkey' }),
    sql('GetX', { 'db.system.name': 'memcached' }),
    sql('ADDRESS_GET'),
    sql('GETCUSTOMERS'),
    sql('SETTLEMENT_LIST'),
    sql('INSURANCE_GET'),
    sql('/* job 7 */ BEGIN billing_pkg.delete_invoice(:1); END;', { 'db.system.name': 'oracle' }),
    sql('BEGIN TRANSACTION; EXEC usp_GetCustomers; COMMIT', { 'db.system.name': 'mssql' }),
    sql('SET NOCOUNT ON; EXEC dbo.usp_Invoice_Upd 1', { 'db.system.name': 'mssql' }),
    sql('SELECT * FROM t; EXEC usp_AddX', { 'db.system.name': 'mssql' }),
    sql('EXEC usp_Ünïcode_Get', { 'db.system.name': 'mssql' }),
    sql('', { 'db.system.name': 'mssql', 'db.operation.name': 'EXECUTE', 'db.stored_procedure.name': 'dbo.usp_UpsertInvoice' }),
    sql('', { 'db.system.name': 'mssql', 'db.operation.name': 'EXECUTE', 'db.stored_procedure.name': 'usp_Customer_Get' }),
    sql('EXEC sp_executesql', { 'db.system.name': 'mssql', 'db.stored_procedure.name': 'GetCustomers' }),
    sql('EXEC usp_Upsert', { 'db.system.name': 'mssql', 'db.stored_procedure.name': 'GetCustomers' }),
    sql('', { 'db.system.name': 'mssql', 'db.operation.name': 'EXECUTE', 'db.stored_procedure.name': raw('upsert_', [0xc3, 0x28]) }),
    sql('', { 'db.system.name': 'mssql', 'db.operation.name': 'EXECUTE', 'db.stored_procedure.name': 'Check' }),
    sql('', { 'db.system.name': 'mssql', 'db.operation.name': 'SELECT', 'db.stored_procedure.name': 'UpsertX' }),
    msg({ 'messaging.destination.name': '<default>' }),
    msg({ 'messaging.destination.name': '<default>', 'messaging.rabbitmq.destination.routing_key': 'orders', 'messaging.operation': 'publish' }),
    msg({ 'messaging.destination': '<default>', 'messaging.rabbitmq.routing_key': 'orders', 'net.peer.name': 'mq', 'net.peer.port': { int: '5672' } }),
    msg({ 'messaging.destination.name': '<default>', 'messaging.rabbitmq.destination.routing_key': 'orders', 'messaging.operation': 'process' }, CONSUMER),
    msg({ 'messaging.destination.name': '<default>', 'rabbitmq.destination.routing_key': 'amq.gen-x' }),
    msg({ 'messaging.destination.name': '<DEFAULT>', 'messaging.rabbitmq.destination.routing_key': 'orders' }),
    msg({ 'messaging.destination.name': ' <default>', 'messaging.rabbitmq.destination.routing_key': 'orders' }),
    span('kafka-default', PRODUCER, { 'messaging.system': 'kafka', 'messaging.destination.name': '<default>' }),
    msg({ 'messaging.destination.name': 'amq.default' }),
    msg({
      'messaging.destination.name': '',
      'messaging.rabbitmq.destination.routing_key': '',
      'rabbitmq.destination.routing_key': 'second',
      'messaging.rabbitmq.routing_key': 'third',
    }),
    msg({ 'messaging.destination.name': 'q', 'messaging.operation.type': 'deliver' }, INTERNAL),
    msg({ 'messaging.destination.name': 'q', 'messaging.operation.type': 'create' }, CONSUMER),
    msg({ 'messaging.destination.name': 'q', 'messaging.operation.type': 'settle' }, CONSUMER),
    msg({ 'messaging.destination.name': 'q', 'messaging.operation': 'RECEIVE' }, PRODUCER),
    span('msg-upper', PRODUCER, { 'messaging.system': 'RabbitMQ', 'messaging.destination.name': 'Q', 'server.address': 'mq', 'server.port': '5672' }),
    span('msg-kafka-port', PRODUCER, { 'messaging.system': 'kafka', 'messaging.destination.name': 't', 'server.address': 'k', 'server.port': { int: '9093' } }),
    span('msg-and-db', PRODUCER, { 'messaging.system': 'kafka', 'messaging.destination.name': 't', 'db.system': 'postgresql', 'db.statement': 'insert' }),
    span('msg-peer', PRODUCER, { 'messaging.system': 'sqs', 'messaging.destination.name': 'q', 'peer.service': 'aws' }),
    span('msg-bad', PRODUCER, { 'messaging.system': raw('ka', [0xff], 'fka'), 'messaging.destination.name': raw('topic', [0xfe]) }),
    // systems named by the integration
    span('source', INTERNAL, { 'integration.source': 'crm' }),
    span('target', SERVER, { 'integration.target': 'erp', 'db.system': 'postgresql', 'db.statement': 'select 1' }),
    span('both', CLIENT, { 'integration.source': 'crm', 'integration.target': 'erp', 'integration.records': '12' }),
    span('source-bad', CLIENT, { 'integration.source': raw('cr', [0xff, 0xff], 'm.x') }),
    // what every row carries
    span(
      'flow-span',
      CLIENT,
      { 'peer.service': 'p', 'integration.flow': 'span-flow', 'integration.domain': 'order' },
      { resource: [['integration.flow', 'res-flow']] },
    ),
    span(
      'flow-resource',
      CLIENT,
      { 'peer.service': 'p' },
      {
        resource: [
          ['integration.flow', 'res-flow'],
          ['integration.domain', 'invoice'],
        ],
      },
    ),
    span('flow-empty', CLIENT, { 'peer.service': 'p', 'integration.flow': '' }, { resource: [['service.name', raw('svc-a', [0xff])]] }),
    span('no-service', CLIENT, { 'peer.service': 'p' }, { resource: [['process.executable.name', 'node']] }),
    ...['25', '+7', ' 7', '7 ', '-1', '1e3', '007', '18446744073709551615', '18446744073709551616', '0000000000000000000000042', '', '+', '٣'].map((r) =>
      span(`records ${r}`, CLIENT, { 'peer.service': 'p', 'integration.records': r }),
    ),
    span('records-int', CLIENT, { 'peer.service': 'p', 'integration.records': { int: '12' } }),
    span('records-double', CLIENT, { 'peer.service': 'p', 'integration.records': { double: 2.5 } }),
    span('records-negative', CLIENT, { 'peer.service': 'p', 'integration.records': { int: '-3' } }),
    // The bounds of a count (collector/otlp/records-count.ts, migration 111): 0 to 10^12, in decimal digits.
    ...[
      '1000000000000',
      '1000000000001',
      '+0001000000000000',
      '0000000000000000000001000000000000',
      '9999999999999',
      '9223372036854775807',
      '12.5',
      '12.0',
      '0x10',
      '1_000',
      '0',
    ].map((r) => span(`records bound ${r}`, CLIENT, { 'peer.service': 'p', 'integration.records': r })),
    ...[
      { int: '9223372036854775807' },
      { int: '1000000000000' },
      { int: '1000000000001' },
      { int: '0' },
      { double: 12 },
      { double: 1e12 },
      { double: 1e13 },
      { double: 1e21 },
      { double: -0 },
      { double: 7.000000000000001 },
    ].map((r, i) => span(`records value ${i}`, CLIENT, { 'peer.service': 'p', 'integration.records': r })),
    span('status-ok', CLIENT, { 'peer.service': 'p' }, { status: 1 }),
    span('status-error', CLIENT, { 'peer.service': 'p' }, { status: 2 }),
    // A DELETE answered 404 or 410 is not a failed call (migration 107); other methods, codes, and a server's span are.
    ...(
      [
        { 'http.request.method': 'DELETE', 'http.response.status_code': { int: '404' } },
        { 'http.request.method': 'DELETE', 'http.response.status_code': { int: '410' } },
        { 'http.method': 'delete', 'http.status_code': { int: '404' } },
        { 'http.request.method': 'DELETE', 'http.method': 'GET', 'http.response.status_code': '404', 'http.status_code': '500' },
        { 'http.request.method': 'DELETE', 'http.response.status_code': { int: '500' } },
        { 'http.request.method': 'DELETE', 'http.response.status_code': '4040' },
        { 'http.request.method': 'DELETE', 'http.response.status_code': ' 404' },
        { 'http.request.method': 'DELETEX', 'http.response.status_code': { int: '404' } },
        { 'http.request.method': 'GET', 'http.response.status_code': { int: '404' } },
        { 'http.request.method': 'PUT', 'http.response.status_code': { int: '410' } },
        { 'http.request.method': 'DELETE' },
        // A POST answered 409, a create only if absent answered 412 (migration 125); other methods and headers are failed calls.
        { 'http.request.method': 'POST', 'http.response.status_code': { int: '409' } },
        { 'http.method': 'post', 'http.status_code': '409' },
        { 'http.request.method': 'PUT', 'http.response.status_code': { int: '409' } },
        { 'http.request.method': 'PATCH', 'http.response.status_code': { int: '409' } },
        { 'http.request.method': 'POST', 'http.response.status_code': ' 409' },
        { 'http.request.method': 'PUT', 'http.response.status_code': { int: '412' }, 'http.request.header.if-none-match': { array: ['*'] } },
        { 'http.method': 'PUT', 'http.status_code': { int: '412' }, 'http.request.header.if_none_match': { array: ['*'] } },
        { 'http.request.method': 'post', 'http.response.status_code': '412', 'http.request.header.if-none-match': '*' },
        { 'http.request.method': 'PATCH', 'http.response.status_code': '412', 'http.request.header.if-none-match': { array: ['"v1"'] } },
        { 'http.request.method': 'GET', 'http.response.status_code': '412', 'http.request.header.if-none-match': '*' },
        { 'http.request.method': 'DELETE', 'http.response.status_code': '412', 'http.request.header.if-none-match': '*' },
        { 'http.request.method': 'PUT', 'http.response.status_code': { int: '412' } },
        { 'http.request.method': 'PUT', 'http.response.status_code': { int: '412' }, 'http.request.header.if-none-match': '' },
        { 'http.request.method': 'PUT', 'http.response.status_code': { int: '412' }, 'http.request.header.if-match': '*' },
      ] as Record<string, Value>[]
    ).flatMap((attributes, i) =>
      [CLIENT, SERVER, INTERNAL].map((kind) =>
        span(`delete-gone ${i} ${kind}`, kind, { 'url.full': 'https://erp.internal/api/locks/42', ...attributes }, { status: 2 }),
      ),
    ),
    span('zero-duration', CLIENT, { 'peer.service': 'p' }, { durationNs: '0' }),
    span('sub-ms', CLIENT, { 'peer.service': 'p' }, { startNs: '1767225600123999999', durationNs: '999999' }),
    span('ms', CLIENT, { 'peer.service': 'p' }, { startNs: '1767225600000000001', durationNs: '1000000' }),
    span('long', CLIENT, { 'peer.service': 'p' }, { startNs: '946771200000000000', durationNs: '820000000000000000' }),
    span('odd-duration', CLIENT, { 'peer.service': 'p' }, { startNs: '1767225600000000000', durationNs: '9007199254740993' }),
    // keys twice (the first counts, as a Map lookup finds it), values of other types
    span('dup-url', CLIENT, [
      ['http.request.method', 'GET'],
      ['url.full', 'http://first.example/a'],
      ['url.full', 'http://second.example/b'],
    ]),
    span('dup-empty-first', CLIENT, [
      ['peer.service', ''],
      ['peer.service', 'second'],
    ]),
    span('typed', CLIENT, { 'url.full': { array: ['http://x/a'] }, 'http.request.method': { bool: true }, 'server.address': { double: 1.5 } }),
    span('bytes', CLIENT, { 'peer.service': { bytes: [1, 2, 255] } }),
    // a destination written as a JMS URI (migration 128): IBM MQ's queue (with and without its queue manager, properties
    // after `?`) and topic, ActiveMQ's; the temporary ones; near misses and the systems whose destinations are their own
    ...[
      'queue:///ORDERS.IN',
      'queue://QM1/ORDERS.IN?targetClient=1&persistence=2',
      'QUEUE://QM1/ORDERS/IN',
      'queue://ORDERS.IN',
      'queue://QM1/',
      'queue://',
      'topic://orders/new?brokerVersion=1',
      'Topic://prices',
      'temp-queue://ID:host-41234-1/1/1',
      'TEMP-TOPIC://ID:x',
      'queues://x/y',
      'myqueue://x/y',
      ' queue:///ORDERS.IN',
      raw('queue://QM1/', [0xc3, 0x28], '?a'),
      raw('queue://', [0xff]),
      raw('temp-queue://', [0xff]),
    ].flatMap((destination) =>
      ['jms', 'ibmmq', 'activemq', 'rabbitmq', 'aws.sqs', 'aws.sns', 'kafka'].flatMap((system) => [
        msg({ 'messaging.system': system, 'messaging.destination.name': destination, 'messaging.operation': 'publish' }),
        msg({ 'messaging.system': system, 'messaging.destination': destination, 'messaging.destination.template': 'replies' }, CONSUMER),
      ]),
    ),
    // a Pub/Sub topic or subscription by its full resource name (migration 130): its id; near misses, another system
    ...[
      'projects/acme/subscriptions/orders-sub',
      'projects/acme/topics/orders',
      'projects/acme/snapshots/s',
      'projects/acme/topics/orders/extra',
      'projects//topics/orders',
      'projects/acme/topics/',
      'Projects/acme/topics/orders',
      '//pubsub.googleapis.com/projects/acme/topics/orders',
      'orders-sub',
      'queue://projects/acme/topics/orders',
      raw('projects/acme/subscriptions/', [0xc3, 0x28]),
    ].flatMap((destination) =>
      ['gcp_pubsub', 'GCP_PUBSUB', 'kafka'].flatMap((system) => [
        msg({ 'messaging.system': system, 'messaging.destination.name': destination, 'messaging.operation.type': 'send' }),
        msg({ 'messaging.system': system, 'messaging.destination': destination, 'gcp.project_id': 'acme' }, CONSUMER),
      ]),
    ),
    // opentelemetry-instrumentation-celery's publish and run (migration 128): no messaging.system, the routing key as
    // messaging.destination; a run no queue delivered (eager); near misses
    ...(
      [
        { 'celery.action': 'apply_async', 'celery.task_name': 'tasks.invoice', 'messaging.destination': 'invoices', 'messaging.message.id': 'a1' },
        { 'celery.action': 'run', 'celery.task_name': 'tasks.invoice', 'messaging.destination': 'invoices', 'celery.state': 'SUCCESS' },
        { 'celery.action': 'run', 'celery.task_name': 'tasks.invoice', 'celery.delivery_info': "{'is_eager': True}" },
        { 'celery.action': 'apply_async', 'messaging.destination': 'celery', 'messaging.system': 'rabbitmq' },
        { 'celery.action': 'run', 'messaging.system': 'Celery' },
        { 'celery.action': 'RUN', 'messaging.destination': 'invoices' },
        { 'celery.action': 'retry', 'messaging.destination': 'invoices' },
        { 'celery.action': 'apply_async', 'messaging.destination.name': 'queue:///ORDERS.IN', 'messaging.masstransit.input_address': 'sb://ns/q' },
        { 'celery.task_name': 'tasks.invoice', 'messaging.destination': 'invoices' },
      ] as Record<string, Value>[]
    ).flatMap((attributes) => [
      span('apply_async/tasks.invoice', PRODUCER, attributes),
      span('run/tasks.invoice', CONSUMER, attributes),
      span('celery', INTERNAL, attributes),
    ]),
    // a GraphQL operation's type or document says its direction (migration 128), over an HTTP POST, a GET, an RPC, a
    // messaging or database span (which say their own), with integration.operation
    ...(
      [
        { 'graphql.operation.type': 'query' },
        { 'graphql.operation.type': 'Subscription' },
        { 'graphql.operation.type': 'mutation' },
        { 'graphql.operation.type': 'MUTATION', 'graphql.document': '{ customers { id } }' },
        { 'graphql.operation.type': 'other', 'graphql.document': 'mutation M { x }' },
        { 'graphql.document': '{ customers { id } }' },
        { 'graphql.document': '  # list\n,\tquery Customers($after: ID) { customers(after: $after) { id } }' },
        { 'graphql.document': 'subscription{ orders { id } }' },
        { 'graphql.document': '\r\nmutation CreateInvoice { createInvoice(input: {}) { id } }' },
        { 'graphql.document': 'queryX { a }' },
        { 'graphql.document': 'Query { a }' },
        { 'graphql.document': 'fragment F on Customer { id } query { customers { ...F } }' },
        { 'graphql.document': '# only a comment' },
        { 'graphql.document': raw('#', [0xc3, 0x28], '\nmutation { x }') },
        { 'graphql.document': raw([0xff], '{ x }') },
        // the spec's lexing (migration 130): a comment runs to its line's end, a string or block string is one token, the
        // operation is the first definition that is not a fragment
        { 'graphql.document': '# { x }\nmutation M { x }' },
        { 'graphql.document': '#query\r\n mutation { x }' },
        { 'graphql.document': '# a\n# mutation\n{ x }' },
        { 'graphql.document': 'fragment F on C { id } mutation { x { ...F } }' },
        { 'graphql.document': 'fragment F on C { a(s: "}") } mutation { x }' },
        { 'graphql.document': 'fragment F on C { a(s: "#") }\nmutation { x }' },
        { 'graphql.document': 'fragment F on C { a(s: "\\"}") } subscription { x }' },
        { 'graphql.document': 'fragment F on C { a(s: """ } \\""" # { """) } mutation { x }' },
        { 'graphql.document': 'fragment F on C { a(s: """x"""") } mutation { x }' },
        { 'graphql.document': 'fragment F on C @d(a: {x: [1, {y: 2}]}) { id }, fragment G on C { ...F } { x }' },
        { 'graphql.document': 'fragment F on C { id } fragment G on C { id }' },
        { 'graphql.document': 'fragment F on C ) { id } mutation { x }' },
        { 'graphql.document': '} mutation { x }' },
        { 'graphql.document': 'type Query { x: Int } mutation { x }' },
        { 'graphql.document': 'fragment F on C { a(s: "unterminated }\nmutation { x }' },
        { 'graphql.document': 'fragment F on C { a(s: """unterminated } mutation { x }' },
        { 'graphql.document': 'fragment F on C { a(s: "\\\nmutation { x }") }' },
        { 'graphql.document': raw([0xef, 0xbb, 0xbf], 'mutation { x }') },
        { 'graphql.document': raw('fragment F on C { a(s: "', [0xc3, 0x28], '}") } mutation { x }') },
      ] as Record<string, Value>[]
    ).flatMap((graphql) => [
      span('gql-post', CLIENT, { 'http.request.method': 'POST', 'url.full': 'https://crm.internal/graphql', ...graphql }),
      span('gql-get', CLIENT, { 'http.request.method': 'GET', 'url.full': 'https://crm.internal/graphql?query=x', ...graphql }),
      span('gql-op', CLIENT, { 'http.request.method': 'POST', 'url.full': 'https://crm.internal/graphql', 'integration.operation': 'read', ...graphql }),
      span('gql-subgraph', INTERNAL, {
        'http.request.method': 'POST',
        'url.full': 'https://billing.internal/',
        'server.address': 'billing.internal',
        ...graphql,
      }),
      span('gql-rpc', CLIENT, { 'rpc.system': 'grpc', 'rpc.service': 'crm.v1.Graph', 'rpc.method': 'Execute', 'server.address': 'crm', ...graphql }),
      span('gql-msg', PRODUCER, { 'messaging.system': 'kafka', 'messaging.destination.name': 't', ...graphql }),
      span('gql-db', CLIENT, { 'db.system': 'postgresql', 'db.name': 'orders', 'db.statement': 'SELECT 1 FROM t', ...graphql }),
      span('gql-peer', CLIENT, { 'peer.service': 'crm', ...graphql }),
    ]),
    // a SQL Server data source given as the host (migration 128), as EF Core's instrumentation gives it: protocols, named
    // instances, ports, named pipes; a port attribute beside it; near misses and other systems
    ...[
      'tcp:sql01,1433',
      'TCP:sql01.corp.internal,14330',
      'sql01\\INST1',
      'sql01\\INST1,1433',
      'sql01 , 1433',
      'sql01,1433',
      'admin:sql01',
      'tcp:sql01',
      'np:\\\\sql01\\pipe\\MSSQL$INST1\\sql\\query',
      'np:sql01',
      '(localdb)\\MSSQLLocalDB',
      '.\\SQLEXPRESS',
      'tcp://sql01,1433',
      'tcp://sql01',
      'tcp:sql01:1433',
      'sql01,port',
      'dns:sql01,1433',
      'unix:/run/sql,1',
      'sql01',
      ',1433',
      raw('tcp:', [0xc3, 0x28], ',1433'),
    ].flatMap((address) =>
      (
        [
          { 'db.system': 'mssql', 'db.name': 'orders' },
          { 'db.system.name': 'microsoft.sql_server', 'db.namespace': 'orders', 'server.port': '1444' },
          { 'db.system': 'postgresql', 'db.name': 'orders' },
        ] as Record<string, Value>[]
      ).flatMap((db) => [
        span('ds', CLIENT, { ...db, 'server.address': address, 'db.statement': 'SELECT 1 FROM t' }),
        span('ds-old', CLIENT, { ...db, 'net.peer.name': address, 'db.statement': 'UPDATE t SET a = 1' }),
        span('ds-peer', CLIENT, { ...db, 'peer.service': address, 'db.statement': 'SELECT 1 FROM t' }),
        span('ds-peer-host', CLIENT, { ...db, 'peer.service': address, 'net.peer.name': 'other', 'db.statement': 'SELECT 1 FROM t' }),
        span('ds-peer-ip', CLIENT, {
          ...db,
          'peer.service': address,
          'network.peer.address': '10.0.0.9',
          'network.peer.port': '1435',
          'db.statement': 'SELECT 1 FROM t',
        }),
      ]),
    ),
    // an Event Hubs processor's blob checkpoint store touches nothing (migration 128): checkpoints, ownership claims, their
    // listing (the prefix escaped or not, before or after comp=list), Azurite's account segment; near misses
    ...[
      'https://acct.blob.core.windows.net/checkpoints/ns.servicebus.windows.net/orders-hub/$default/checkpoint/0',
      'https://acct.blob.core.windows.net/checkpoints/ns.servicebus.windows.net/orders-hub/%24default/ownership/12?comp=metadata',
      'https://ACCT.blob.core.windows.net//checkpoints//NS.servicebus.windows.net/Hub/cg/Checkpoint/3/',
      'http://127.0.0.1:10000/devstoreaccount1/checkpoints/ns.servicebus.windows.net/hub/cg/checkpoint/1',
      'https://acct.blob.core.windows.net/checkpoints?restype=container&comp=list&prefix=ns.servicebus.windows.net%2Forders-hub%2F%24default%2Fcheckpoint%2F',
      'https://acct.blob.core.windows.net/checkpoints?prefix=ns.servicebus.windows.net/orders-hub/$default/ownership/&restype=container&comp=list',
      'https://acct.blob.core.windows.net/checkpoints?restype=container&comp=list&prefix=REDACTED',
      'https://acct.blob.core.windows.net/checkpoints/ns/orders-hub/$default/checkpoint/0',
      'https://acct.blob.core.windows.net/checkpoints/ns.servicebus.windows.net/orders-hub/$default/checkpoint/latest',
      'https://acct.blob.core.windows.net/invoices/2026/05/checkpoint/0',
      'https://acct.blob.core.windows.net/a/ns.x/h/g/checkpoint/0#frag',
      'https://acct.blob.core.windows.net/c?comp=list&prefix=ns.x%2Fh%2Fg%2Fcheckpointer',
      'https://acct.blob.core.windows.net/c?comp=list&prefix=ns.servicebus.chinacloudapi.cn%2Fh%2Fg%2Fcheckpoint',
      'https://crm.internal/api/v1.2/orders/42/checkpoint/3',
      'https://acct.blob.core.windows.net/c/ns.servicebus.usgovcloudapi.net/h/g/ownership/7',
    ].flatMap((url) => [
      http(url),
      http(url, { 'http.request.method': 'PUT', 'az.namespace': 'Microsoft.Storage' }),
      span('checkpoint-old', CLIENT, { 'http.method': 'HEAD', 'http.url': url }),
    ]),
    span('checkpoint-target', CLIENT, {
      'http.method': 'PUT',
      'net.peer.name': 'acct.blob.core.windows.net',
      'http.target': '/c/ns.servicebus.windows.net/h/g/ownership/0',
    }),
    span('checkpoint-path', CLIENT, {
      'http.request.method': 'PUT',
      'server.address': 'acct',
      'url.path': raw('/c/ns.servicebus.', [0xc3, 0x28], '/h/g/checkpoint/0'),
    }),
    // Elasticsearch and OpenSearch calls named by an endpoint of no known direction: a POST to a read endpoint reads
    // (migration 128); their known operations, other methods and other systems say their own
    ...['esql.query', 'sql.query', 'knn_search', 'async_search.submit', 'indices.refresh', 'search', 'index', 'cluster.health', ''].flatMap((op) =>
      ['/_query', '/_sql', '/orders/_knn_search', '/orders/_async_search', '/orders/_refresh', '/my.index/GetThing', '/orders/_doc/1'].flatMap((path) =>
        ['elasticsearch', 'opensearch', 'mongodb'].flatMap((system) => [
          span('es', CLIENT, {
            'db.system': system,
            'db.operation': op,
            'url.full': `http://es.internal:9200${path}`,
            'http.request.method': 'POST',
            'server.address': 'es.internal',
            'db.statement': op === '' ? '{"query":{}}' : '',
          }),
          span('es-old', CLIENT, { 'db.system': system, 'db.operation': op, 'net.peer.name': 'es.internal', 'http.method': 'POST', 'http.target': path }),
          span('es-put', CLIENT, { 'db.system': system, 'db.operation': op, 'url.full': `http://es.internal:9200${path}`, 'http.request.method': 'PUT' }),
        ]),
      ),
    ),
    // aio-pika's publish `<exchange>,<routing key>` (migration 128), beside pika's `<exchange>:<routing key>`; the default
    // exchange's; both separators; other systems and MassTransit's addresses keep theirs
    ...['orders-x,order.created', ',orders-q', ',', 'orders-x,', 'a,b:c', 'a:b,c', ',a:b', ':a,b', 'amq.gen-1,x', ',amq.rabbitmq.reply-to.g1', 'x,y,z'].flatMap(
      (destination) => [
        msg({ 'messaging.destination': destination, 'messaging.temp_destination': { bool: true } }),
        msg({ 'messaging.destination': destination, 'messaging.operation': 'receive' }, CONSUMER),
        msg({ 'messaging.destination.name': destination, 'messaging.masstransit.destination_address': 'rabbitmq://mq/x' }),
        msg({ 'messaging.system': 'kafka', 'messaging.destination.name': destination }),
      ],
    ),
    // the Azure SDKs' older messaging spans (migration 128): message_bus.destination and az.namespace, no messaging.system;
    // their direction by name; near misses (another namespace, no destination, a system named, other names)
    ...(
      [
        { 'az.namespace': 'Microsoft.ServiceBus', 'message_bus.destination': 'orders', 'peer.address': 'ns.servicebus.windows.net' },
        { 'az.namespace': 'Microsoft.EventHub', 'message_bus.destination': 'orders-hub' },
        { 'az.namespace': 'Microsoft.ServiceBus', 'message_bus.destination': 'orders-topic/Subscriptions/billing' },
        { 'az.namespace': 'Microsoft.Storage', 'message_bus.destination': 'orders' },
        { 'az.namespace': 'microsoft.servicebus', 'message_bus.destination': 'orders' },
        { 'az.namespace': 'Microsoft.ServiceBus' },
        { 'az.namespace': 'Microsoft.ServiceBus', 'message_bus.destination': 'orders', 'messaging.system': 'servicebus', 'messaging.destination.name': 'q2' },
        { 'az.namespace': 'Microsoft.EventHub', 'message_bus.destination': 'orders-hub', 'messaging.operation': 'publish' },
        { 'message_bus.destination': 'faust-topic' },
      ] as Record<string, Value>[]
    ).flatMap((azure) =>
      [
        'ServiceBusSender.Send',
        'ServiceBusSender.Schedule',
        'ServiceBusReceiver.Receive',
        'ServiceBusReceiver.ReceiveDeferred',
        'ServiceBusReceiver.Peek',
        'ServiceBusReceiver.Complete',
        'ServiceBusProcessor.ProcessMessage',
        'Azure.EventHubs.send',
        'Azure.EventHubs.message',
        'Azure.Servicebus.receive_deferred',
        'EventProcessor.Process',
        'Message',
        'send',
        '.',
      ].flatMap((name) => [span(name, CLIENT, azure), span(name, PRODUCER, azure), span(name, CONSUMER, azure)]),
    ),
    span('ServiceBusSender.Send', CLIENT, { 'az.namespace': 'Microsoft.ServiceBus', 'message_bus.destination': 'orders' }, { name: 'x.\u00ffsend' }),
    // AWS Lambda calls touch the function they name (migration 129): the Invoke URL by a name, a qualifier, an ARN (escaped
    // or not), a partial ARN, other API versions and paths, FIPS, China and dual-stack hosts; near misses (ListFunctions,
    // other hosts and paths) keep the usual endpoint
    ...[
      'https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/orders-fn/invocations',
      'https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/orders-fn:prod/invocations?Qualifier=prod',
      'https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Aorders-fn%3Aprod/invocations',
      'https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:orders-fn/invocations',
      'https://lambda.eu-west-1.amazonaws.com//2015-03-31//functions//123456789012%3afunction%3aorders-fn/invocations',
      'https://lambda.eu-west-1.amazonaws.com/2021-11-15/functions/orders-fn/response-streaming-invocations',
      'https://lambda.eu-west-1.amazonaws.com/2014-11-13/functions/orders-fn/invoke-async/',
      'https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/orders-fn',
      'https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/',
      'https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/%3Ax/invocations',
      'https://lambda.eu-west-1.amazonaws.com/2015-03-31/event-source-mappings/',
      'https://LAMBDA-FIPS.us-east-1.amazonaws.com:8443/2015-03-31/functions/orders-fn/invocations',
      'https://lambda.cn-north-1.amazonaws.com.cn/2015-03-31/functions/orders-fn/invocations',
      'https://lambda.eu-west-1.api.aws/2015-03-31/functions/orders-fn/invocations',
      'https://lambda.eu-west-1.amazonaws.com.evil.example/2015-03-31/functions/orders-fn/invocations',
      'https://api.internal/v1/functions/orders-fn/invocations',
    ].flatMap((url) => [
      http(url, { 'http.request.method': 'POST' }),
      span('Lambda.Invoke', CLIENT, {
        'http.request.method': 'POST',
        'url.full': url,
        'rpc.system': 'aws-api',
        'rpc.service': 'Lambda',
        'rpc.method': 'Invoke',
        'aws.lambda.function.name': 'named-fn',
      }),
    ]),
    span('lambda-target', CLIENT, {
      'http.method': 'POST',
      'net.peer.name': 'lambda.eu-west-1.amazonaws.com',
      'http.target': '/2015-03-31/functions/orders-fn/invocations',
    }),
    span('lambda-named', CLIENT, { 'http.method': 'POST', 'url.full': 'https://lambda.eu-west-1.amazonaws.com/', 'faas.invoked_name': 'orders-fn:prod' }),
    // an aws-sdk span with no HTTP request on it (JavaScript, botocore; the Java agent's function name): by the region given,
    // else aws.region, else the ARN's, else its host; other services, methods, odd regions and names
    ...(
      [
        { 'faas.invoked_name': 'orders-fn', 'faas.invoked_region': 'eu-west-1', 'faas.invoked_provider': 'aws' },
        { 'faas.invoked_name': 'orders-fn:live', 'aws.region': 'EU-West-1' },
        { 'faas.invoked_name': 'arn:aws:lambda:us-east-2:123456789012:function:orders-fn:prod' },
        { 'faas.invoked_name': 'arn:aws-cn:lambda:cn-north-1:123456789012:function:orders-fn', 'faas.invoked_region': 'cn-north-1' },
        { 'faas.invoked_name': '123456789012:function:orders-fn', 'faas.invoked_region': 'eu-west-1' },
        { 'aws.lambda.function.name': 'orders-fn', 'server.address': 'lambda.eu-west-1.amazonaws.com', 'server.port': { int: '443' } },
        { 'faas.invoked_name': 'orders-fn', 'server.address': 'lambda.eu-west-1.amazonaws.com' },
        { 'faas.invoked_name': 'orders-fn', 'server.address': 'crm.internal' },
        { 'faas.invoked_name': 'orders-fn' },
        { 'faas.invoked_name': 'orders-fn', 'faas.invoked_region': 'eu west/1' },
        { 'faas.invoked_name': raw('fn-', [0xff]), 'faas.invoked_region': raw('eu-', [0xff]) },
        { 'faas.invoked_name': ':prod', 'faas.invoked_region': 'eu-west-1' },
        { 'faas.invoked_region': 'eu-west-1', 'peer.service': 'lambda' },
      ] as Record<string, Value>[]
    ).flatMap((given) =>
      [
        ['Lambda', 'Invoke'],
        ['AWSLambda', 'InvokeAsync'],
        ['lambda', 'InvokeWithResponseStream'],
        ['Lambda', 'GetFunction'],
        ['Lambda', 'ListFunctions'],
        ['SQS', 'Invoke'],
      ].map(([service, method]) => span('Lambda.sdk', CLIENT, { 'rpc.system': 'aws-api', 'rpc.service': service, 'rpc.method': method, ...given })),
    ),
    // aws-sdk calls to LocalStack (migration 131): S3 path style to the edge port, virtual-hosted and path style to its
    // hosts, Lambda by its path or attribute; near misses: no aws-api, another port, no region, other services
    ...[
      'http://localhost:4566/orders-archive/invoices/2026/inv-1.pdf',
      'http://localhost:4566/',
      'http://localhost:4566',
      'http://127.0.0.1:4566/Orders-Archive//a/b/c',
      'http://[::1]:4566/orders-archive/k',
      'http://localstack:4566/orders-archive/k',
      'http://localhost:4567/orders-archive/k',
      'https://localhost:4566/orders-archive/k',
      'http://orders-archive.s3.localhost.localstack.cloud:4566/invoices/inv-1.pdf',
      'http://orders-archive.s3.localhost.localstack.cloud/k',
      'http://s3.localhost.localstack.cloud:4566/orders-archive/k',
      'http://localhost.localstack.cloud:4566/orders-archive/k',
      'http://x.localhost.localstack.cloud/orders-archive/k',
      'http://localhost.localstack.cloud.evil.example/orders-archive/k',
      'http://localhost:4566/2015-03-31/functions/orders-fn/invocations',
      'http://localhost.localstack.cloud:4566/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A000000000000%3Afunction%3Ainvoices-fn/invocations',
      'http://localhost:4566/2015-03-31/functions/',
      'http://lambda.us-east-1.amazonaws.com:4566/2015-03-31/functions/orders-fn/invocations',
    ].flatMap((url) =>
      (
        [
          ['S3', 'PutObject', {}],
          ['Amazon S3', 'GetObject', { 'aws.bucket.name': 'attr-bucket' }],
          ['S3', 'ListBuckets', {}],
          ['Lambda', 'Invoke', { 'aws.region': 'us-east-1' }],
          ['AWSLambda', 'Invoke', { 'aws.lambda.function.name': 'named-fn' }],
          ['AWSLambda', 'Invoke', { 'aws.lambda.function.name': 'arn:aws:lambda:eu-west-1:000000000000:function:named-fn' }],
          ['Lambda', 'Invoke', { 'faas.invoked_name': 'named-fn', 'faas.invoked_region': 'eu west' }],
          ['Lambda', 'ListFunctions', { 'aws.region': 'us-east-1' }],
          ['DynamoDB', 'GetItem', { 'aws.region': 'us-east-1' }],
        ] as [string, string, Record<string, Value>][]
      ).flatMap(([service, method, more]) => [
        span(`${service}.${method}`, CLIENT, {
          'rpc.system': 'aws-api',
          'rpc.service': service,
          'rpc.method': method,
          'http.request.method': 'POST',
          'url.full': url,
          ...more,
        }),
        span(`${service}.${method}`, CLIENT, {
          'rpc.system': 'grpc',
          'rpc.service': service,
          'rpc.method': method,
          'http.method': 'PUT',
          'http.url': url,
          ...more,
        }),
      ]),
    ),
    span('many-attributes', CLIENT, [...Array.from({ length: 130 }, (_, i): [string, Value] => [`filler.${i}`, 'x']), ['peer.service', 'beyond-the-limit']]),
  ];
}

/** Values worth trying for each attribute the classification reads. */
function pool(key: string): Value[] {
  const common: Value[] = ['', ' ', 'x', 'ÿ', raw('abcde', [0xff]), { int: '1' }, { bool: true }];
  if (/url|target|path/.test(key))
    return [
      ...common,
      'http://h.example/a/b/c',
      'https://u@H.example:8443/x?y',
      'http://[::1]:80/',
      '/a/b?c',
      '//h/p',
      'http://h:0/',
      raw('http://h', [0xc3], '/p'),
      'http://h/oauth2/v2.0/token',
      '/connect/token',
      'http://h/token',
      '/ccx/oauth2/t/tokens/bearer',
      'http://h/i/_search',
      'https://s3.amazonaws.com/bucket/a/b',
      'https://b.s3.eu-west-1.amazonaws.com/k',
      '/v1/search/',
      'http://h/b1s/v2/Login',
      '/api/4.0/logout',
      '//session?delete=true',
      '/api/users/login-history',
      '/healthz',
      '/erp/actuator/health',
    ];
  if (/port/.test(key)) return [...common, '80', '443', '5432', '08080', '0', '99999', { int: '8080' }, '-5'];
  if (/bucket/.test(key)) return [...common, 'orders-archive', 'Orders-Archive'];
  if (/masstransit/.test(key))
    return [
      ...common,
      'rabbitmq://mq/Contracts:OrderSubmitted',
      'RabbitMQs://mq/v/app_bus_x?temporary=true',
      'amazonsqs://eu-west-1/orders',
      'rabbitmq://mq/x?durable=false&temporary=true#f',
      'loopback://localhost/q?temporary=truex',
      'OrderConsumer',
    ];
  if (/address|peer\.name|peer\.ip|http\.host/.test(key))
    return [
      ...common,
      'Db.Example.',
      '[::1]',
      '::1',
      '/tmp/sock',
      'h:81',
      ' h ',
      'https://sqs.x/1/q',
      'amqp://u@[::1]:5673/v',
      'dns:///h:50051',
      'unix:///run/x.sock',
      'b.s3.eu-west-1.amazonaws.com',
      's3.amazonaws.com',
      'x://',
      raw('host', [0xed, 0xa0, 0x80]),
    ];
  if (/db\.system/.test(key))
    return [...common, 'postgresql', 'postgres', 'mariadb', 'redis', 'valkey', 'sqlite', 'MySQL', 'mongodb', 'dynamodb', 'mysql2', 'Microsoft.SQL_Server'];
  if (/table_names/.test(key)) return [...common, { array: ['T'] }, { array: ['T', 'u.v-1'] }, '[ "T" ]', '["T",]', { array: ['a b'] }];
  if (/stored_procedure/.test(key)) return [...common, 'dbo.usp_GetCustomers', '[dbo].[usp_UpsertInvoice]', 'Check', raw('upsert_', [0xff], 'x')];
  if (/statement|query\.text/.test(key))
    return [
      ...common,
      '{call upsert_x(?)}',
      'EXEC dbo.usp_GetX @a = 1',
      'dbo.usp_SetX',
      'CALL x()',
      'BEGIN pkg.del_x(:1); END;',
      'select 1',
      'INSERT INTO t',
      '/* c */ update t',
      "WITH a AS (SELECT 'x') DELETE FROM t",
      'COPY t FROM STDIN',
      'SET k v',
      'BRPOP q 0',
      'save',
      'LPUSH q [1 other arguments]',
      'multi',
      raw('sel', [0xff], 'ect'),
    ];
  if (/operation|summary/.test(key))
    return [
      ...common,
      'MULTI SET',
      'PIPELINE lpush',
      'MULTI',
      'pipeline',
      'exec',
      'SELECT',
      'insert',
      'find',
      'publish',
      'receive',
      'process',
      'read',
      'upsert',
      'write',
      'Delete x',
      'findOne',
      'save',
      'CREATE',
      'lpop',
      'ping',
      'endSessions',
    ];
  if (/method/.test(key)) return [...common, 'GET', 'post', 'HEAD', 'PUT', 'patch', 'OPTIONS', 'DELETE', 'delete'];
  if (/status_code/.test(key)) return [...common, '404', '410', '409', '412', '200', ' 404', '4040', { int: '404' }, { int: '410' }, { int: '409' }];
  if (/messaging\.system/.test(key)) return [...common, 'rabbitmq', 'kafka', 'nats', 'RabbitMQ', 'aws.sns', 'AmazonSNS'];
  if (/temporary|anonymous/.test(key)) return [...common, 'true', 'True', { bool: false }];
  if (/destination|routing/.test(key))
    return [
      ...common,
      'orders',
      'amq.default',
      '<default>',
      '(temporary)',
      '_INBOX.1',
      'amq.rabbitmq.reply-to.x',
      'amq.gen-q',
      'ex:rk',
      ':q',
      '+4915112345678',
      'arn:aws:sns:r:1:endpoint/APNS/a/d',
      'endpoint/GCM/a/d',
    ];
  if (/scheme/.test(key)) return [...common, 'https', 'HTTP', 'ws'];
  if (/records/.test(key))
    return [...common, '5', '+5', '-5', '5.0', { int: '9' }, '1000000000000', '1000000000001', { int: '9223372036854775807' }, { double: 12 }];
  return [...common, 'crm', 'erp', 'Orders', raw('ep-x', [0xc0, 0x80])];
}

/** A small deterministic generator (mulberry32), so that a failure names a case that comes back. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` spans, each with a random kind and a random handful of the attributes read, with values from their pools. */
export function randomSpans(count: number, seed = 13): ParitySpan[] {
  const next = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
  const out: ParitySpan[] = [];
  for (let i = 0; i < count; i++) {
    const n = 1 + Math.floor(next() * 8);
    const attributes: Attributes = [];
    for (let j = 0; j < n; j++) {
      const key = pick(SPAN_KEYS);
      attributes.push([key, pick(pool(key))]);
    }
    const outcome: Partial<ParitySpan> = { status: Math.floor(next() * 3), name: pick(['r', 'q send', 'q publish', 'sql.conn.prepare', 'db.Prepare']) };
    const skip = pick(['', '', 'message', 'event']);
    if (skip === 'message') outcome.statusMessage = ERR_SKIP;
    if (skip === 'event') outcome.events = [[['exception.message', ERR_SKIP]]];
    out.push(span(`random ${i}`, Math.floor(next() * 6), attributes, outcome));
  }
  return out;
}

const NOW_NS = BigInt(Date.now()) * 1_000_000n;

/** One OTLP ExportTraceServiceRequest holding every span (a resource per span), as protobuf bytes; span i has trace id i + 1. */
export function requestOf(spans: ParitySpan[]): Buffer {
  const patches: { marker: Buffer; bytes: number[] }[] = [];
  const text = (bytes: number[]) => {
    const id = patches.length.toString(36);
    if (bytes.length < id.length + 2) throw new Error('a raw value needs more bytes than its marker');
    const marker = `\x07${id}\x07`.padEnd(bytes.length, '\x07');
    patches.push({ marker: Buffer.from(marker, 'latin1'), bytes });
    return marker;
  };
  const anyValue = (v: Value) => {
    if (typeof v === 'string') return { stringValue: v };
    if ('int' in v) return { intValue: v.int };
    if ('bool' in v) return { boolValue: v.bool };
    if ('double' in v) return { doubleValue: v.double };
    if ('bytes' in v) return { bytesValue: Buffer.from(v.bytes) };
    if ('array' in v) return { arrayValue: { values: v.array.map((s) => ({ stringValue: s })) } };
    return { stringValue: text(v.raw) };
  };
  const kvs = (list: Attributes) => list.map(([key, value]) => ({ key, value: anyValue(value) }));
  const request = messages.traces.request.fromObject({
    resourceSpans: spans.map((s, i) => {
      const start = s.startNs ? BigInt(s.startNs) : NOW_NS - 3_600_000_000_000n + BigInt(i) * 1_000_123n;
      const traceId = Buffer.alloc(16);
      traceId.writeUInt32BE(i + 1, 12);
      return {
        resource: { attributes: kvs(s.resource ?? [['service.name', 'parity']]) },
        scopeSpans: [
          {
            scope: { name: 'parity' },
            spans: [
              {
                traceId,
                spanId: Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]),
                name: s.name,
                kind: s.kind,
                startTimeUnixNano: start.toString(),
                endTimeUnixNano: (start + BigInt(s.durationNs ?? '5000000')).toString(),
                attributes: kvs(s.attributes),
                status: s.status || s.statusMessage ? { code: s.status ?? 0, message: s.statusMessage } : undefined,
                events: (s.events ?? []).map((attributes) => ({ name: 'exception', timeUnixNano: start.toString(), attributes: kvs(attributes) })),
              },
            ],
          },
        ],
      };
    }),
  });
  const body = Buffer.from(messages.traces.request.encode(request).finish());
  for (const p of patches) {
    const at = body.indexOf(p.marker);
    if (at < 0) throw new Error('raw value marker not found in the request');
    Buffer.from(p.bytes).copy(body, at);
  }
  return body;
}
