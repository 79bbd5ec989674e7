import { dbSystemAliases } from '../../core/net/db-system-names.ts';
import { defaultPorts } from '../../core/net/default-ports.ts';
import { asciiLower, asciiUpper, validUtf8 } from './byte-text.ts';
import { endpointHost, endpointPath, hostAndPort, hostValue, peerService, requestPath, splitUrl, type UrlSplit } from './endpoint-host.ts';
import { azureMessagingDirection, impliedMessagingSystem, messagingDestination } from './messaging.ts';
import { s3Bucket } from './object-store.ts';
import { graphqlDirection } from './graphql.ts';
import { HEALTH_PATH } from './health-path.ts';
import { SESSION_PATH } from './session-path.ts';
import { LAMBDA_INVOKES, LAMBDA_SERVICES, lambdaHttpName, lambdaLocalStackEndpoint, lambdaRpcEndpoint } from './lambda.ts';
import { A, type SpanRecord } from './span-record.ts';
import { nameDirection } from './name-verb.ts';
import { skippedFastPath } from './skipped-fast-path.ts';
import { dbOperation, extract, operationDirection, statementDirection } from './sql-direction.ts';
import { checkedRegExp } from '../../core/text/checked-regexp.ts';

/**
 * One endpoint a span touched: direction ('read', 'write', 'unknown', or '' for none), kind
 * ('system', 'messaging', 'db', 'http', 'rpc', 'peer', 'unnamed', or '' for none), system, host,
 * name, peer — the tuple weft_span_touches_mv builds, as byte strings.
 */
export type Touch = readonly [direction: string, kind: string, sys: string, host: string, name: string, peer: string];

const NONE: readonly Touch[] = [['', '', '', '', '', '']];

/** What decides a span's direction (`dir` in SQL), read once per span. */
interface DirectionFacts {
  method: string;
  dbSys: string;
  dbOp: string;
  dbText: string;
  producer: boolean;
  consumer: boolean;
  /**
   * An HTTP POST (of no messaging or database span but Elasticsearch's and OpenSearch's) to an API's read endpoint
   * (POST_READ_PATH), or to a gRPC method that reads.
   */
  postRead?: boolean;
  /** The direction an RPC span's method names (`GetCustomer` reads, `UpdateOrder` writes), for an HTTP or RPC span: name-verb.ts. */
  rpcMethod?: string;
  /** The direction a GraphQL operation's type says ('read', 'write' or ''), for an HTTP or RPC span: graphql.ts. */
  graphql?: string;
  /** The direction an Azure SDK's older messaging span's name says (`ServiceBusSender.Send` writes): messaging.ts. */
  azure?: string;
  /** The AWS API call of an aws-sdk span (`rpc.method` under `rpc.system` aws-api), else ''. */
  awsCall: string;
  /** Whether the span is an aws-sdk call to AWS Lambda (`rpc.service` Lambda). */
  lambda: boolean;
}

/** 'read', 'write' or 'unknown': the operation the integration names, else the database operation or statement, the HTTP method, the messaging operation, the span kind. */
function direction(s: SpanRecord, f: DirectionFacts): string {
  const op = asciiLower(s.attr(A['integration.operation']));
  if (op === 'read') return 'read';
  if (op === 'create' || op === 'update' || op === 'upsert' || op === 'delete' || op === 'write') return 'write';
  // A database reached over HTTP (Elasticsearch, OpenSearch, ClickHouse…) names its operation or statement: that
  // decides, not the method that carried it (a search is a POST).
  if (f.dbSys !== '') {
    const byOp = operationDirection(f.dbOp, f.dbSys);
    if (byOp !== '') return byOp;
    const bySql = f.dbText === '' ? '' : statementDirection(f.dbText, f.dbSys);
    if (bySql !== '') return bySql;
    // The stable conventions name a stored procedure in db.stored_procedure.name: its verb (migration 122).
    const byProcedure = nameDirection(validUtf8(s.attr(A['db.stored_procedure.name'])));
    if (byProcedure !== '') return byProcedure;
    // DynamoDB's operations are its API's: one that neither reads nor writes items (DescribeTable, ListTables, CreateTable,
    // DescribeTimeToLive…) says no direction, whatever the HTTP method that carried it — every DynamoDB call is a POST, and
    // the Java agent puts the method on the call's own span (migration 122).
    if (f.dbSys === 'dynamodb' && f.dbOp !== '') return 'unknown';
  }
  // An RPC's method says what the call does, whatever the HTTP method that carried it (gRPC's is always a POST).
  if (f.rpcMethod) return f.rpcMethod;
  // So does a GraphQL operation's type, sent as a POST whether it reads or writes (migration 128).
  if (f.graphql) return f.graphql;
  const method = f.method;
  if (method === 'GET' || method === 'HEAD' || f.postRead) return 'read';
  if (method === 'POST' || method === 'PUT' || method === 'PATCH' || method === 'DELETE') return 'write';
  const msgOp = asciiLower(first(s.attr(A['messaging.operation.type']), s.attr(A['messaging.operation'])));
  if (msgOp === 'receive' || msgOp === 'process' || msgOp === 'deliver') return 'read';
  if (msgOp === 'publish' || msgOp === 'send' || msgOp === 'create') return 'write';
  // An SQS or SNS call that names no messaging operation (otelaws before semconv 1.39, botocore: CLIENT spans) sends or
  // receives as its RPC method says (migration 125).
  if (f.awsCall === 'SendMessage' || f.awsCall === 'SendMessageBatch' || f.awsCall === 'Publish' || f.awsCall === 'PublishBatch') return 'write';
  if (f.awsCall === 'ReceiveMessage') return 'read';
  // An AWS Lambda Invoke hands the function its payload, as the POST that carries it does (migration 129).
  if (f.lambda && LAMBDA_INVOKES.has(f.awsCall)) return 'write';
  // The Azure SDKs' older messaging spans say it by their name (migration 128).
  if (f.azure) return f.azure;
  if (f.producer) return 'write';
  if (f.consumer) return 'read';
  return 'unknown';
}

/**
 * What a span touched: the rules of clickhouse/migrations/033 (030's, written in SQL there),
 * applied to one otel_traces row. At least one touch; the first is the span's primary row.
 * `collector/touches/parity.test.ts` checks it against the SQL on real chDB, row for row.
 */
export function classify(s: SpanRecord): readonly Touch[] {
  const isServer = s.kindIs('server');
  const isClient = s.kindIs('client');
  const isProducer = s.kindIs('producer');
  const isConsumer = s.kindIs('consumer');
  const canTouch =
    isClient ||
    isProducer ||
    isConsumer ||
    s.has(A['integration.source']) ||
    s.has(A['integration.target']) ||
    s.has(A['messaging.system']) ||
    s.has(A['db.system.name']) ||
    s.has(A['db.system']) ||
    (!isServer && (s.has(A['url.full']) || s.has(A['http.url'])));
  if (!canTouch) return NONE;

  const src = validUtf8(s.attr(A['integration.source']));
  const tgt = validUtf8(s.attr(A['integration.target']));
  if (src !== '' || tgt !== '') {
    if (tgt === '') return [['read', 'system', '', '', src, '']];
    if (src === '') return [['write', 'system', '', '', tgt, '']];
    return [
      ['read', 'system', '', '', src, ''],
      ['write', 'system', '', '', tgt, ''],
    ];
  }

  const peer = peerService(s);
  const dbSysRaw = asciiLower(first(s.attr(A['db.system.name']), s.attr(A['db.system'])));
  const dbSys = validUtf8(dbSystemAliases.get(dbSysRaw) ?? dbSysRaw);
  const msgSysNamed = asciiLower(validUtf8(s.attr(A['messaging.system'])));
  const msgSys = msgSysNamed !== '' ? msgSysNamed : impliedMessagingSystem(s);
  const url = validUtf8(first(s.attr(A['url.full']), s.attr(A['http.url'])));
  const method = asciiUpper(first(s.attr(A['http.request.method']), s.attr(A['http.method'])));
  const isHttp = !isServer && (url !== '' || method !== '');
  const rpc = validUtf8(s.attr(A['rpc.system']));

  const split = splitUrl(url);
  const { host, port } = hostAndPort(split, s, dbSys);
  const hostV = hostValue(host);
  const scheme = asciiLower(split.scheme || s.attr(A['url.scheme']) || s.attr(A['http.scheme']) || (isHttp ? 'http' : ''));
  const defaultPort = defaultPorts.get(isHttp ? scheme : msgSys !== '' ? msgSys : dbSys) ?? '';

  const dbText = validUtf8(first(s.attr(A['db.query.text']), s.attr(A['db.statement'])));
  // otelaws (aws-sdk-go-v2) names a DynamoDB call's operation only as its RPC method (rpc.method PutItem, no db.operation):
  // the operation, as the other aws-sdk instrumentations name it (migration 125).
  const dbOpNamed = first(s.attr(A['db.operation.name']), s.attr(A['db.operation']), s.attr(A['db.query.summary']));
  const dbOp = dbOperation(dbOpNamed === '' && rpc === 'aws-api' ? s.attr(A['rpc.method']) : dbOpNamed, dbSys, dbText);
  const facts: DirectionFacts = {
    method,
    dbSys,
    dbOp,
    dbText,
    producer: isProducer,
    consumer: isConsumer,
    postRead: false,
    awsCall: rpc === 'aws-api' ? validUtf8(s.attr(A['rpc.method'])) : '',
    lambda: rpc === 'aws-api' && LAMBDA_SERVICES.has(asciiLower(validUtf8(s.attr(A['rpc.service'])))),
    azure: azureMessagingDirection(s),
  };

  if (msgSys !== '') {
    // instrumentation-socket.io's spans are a socket.io server's own connections with its clients (`receive /`,
    // `send /`), not a broker it reads or writes: like a SERVER span, they touch nothing (migration 115).
    if (msgSys === 'socket.io') return NONE;
    const m = messagingDestination(s, msgSys);
    if (m.temporary && m.destination === '') return NONE;
    // MassTransit's consume activity names no destination: the receive activity it runs under reads the queue (126).
    if (m.destination === '' && s.has(A['messaging.masstransit.consumer_type'])) return NONE;
    // A Celery task run with no queue (`task.apply()`, or eager mode: no routing key delivered it) read no broker (128).
    if (m.destination === '' && msgSysNamed === '' && msgSys === 'celery') return NONE;
    if (m.destination !== '') return [[direction(s, facts), 'messaging', msgSys, endpointHost(hostV, port, defaultPort), m.destination, peer]];
    return [[direction(s, facts), 'unnamed', 'messaging', endpointHost(hostV, port, defaultPort), msgSys, peer]];
  }
  if (dbSys !== '') {
    if (dbText === '' && dbOp === '') return NONE;
    // XSAM/otelsql's span of a statement prepared (database/sql's Prepare, named `sql.conn.prepare`) runs nothing: its
    // statement is run by the `sql.stmt.exec` or `sql.stmt.query` spans after it (migration 125); nor does uptrace's
    // otelsql's (`db.Prepare`), nor a call the driver answered driver.ErrSkip, made again as a prepared statement
    // (migration 126).
    const name = s.spanName();
    if (name === OTELSQL_PREPARE || name === UPTRACE_PREPARE || skippedFastPath(s)) return NONE;
    // A MongoDB driver's own commands — a connection check, the handshake, authentication, the sessions it ends at close, a
    // transaction's commit — run against the `admin` database and read or write no collection (migration 119).
    if (dbSys === 'mongodb' && MONGODB_SESSION_OPS.has(dbOp)) return NONE;
    // Elasticsearch's and OpenSearch's reads that their clients name by an endpoint no direction is known for (the Java
    // agent's and the Elasticsearch clients' `esql.query`, `sql.query`, `knn_search`, `async_search.submit`…) are POSTs to a
    // read endpoint, as the same request from an HTTP client is (migration 128).
    if ((dbSys === 'elasticsearch' || dbSys === 'opensearch') && isHttp && method === 'POST') facts.postRead = postReadPath(s, split);
    const ep = endpointHost(hostV, port, defaultPort);
    const dbNs = validUtf8(first(s.attr(A['db.namespace']), s.attr(A['db.name'])));
    const names = dbNs !== '' ? [dbNs] : dbSys === 'dynamodb' ? dynamodbTables(s.attr(A['aws.dynamodb.table_names'])) : [];
    if (ep === '' && names.length === 0) {
      // A DynamoDB operation on no table and no item (ListTables, DescribeLimits…), from a client naming no host (otelaws):
      // nothing to name, and no data moved (migration 125).
      if (dbSys === 'dynamodb' && dbOp !== '' && operationDirection(dbOp, dbSys) === '') return NONE;
      return [[direction(s, facts), 'unnamed', 'db', '', dbSys, peer]];
    }
    const dir = direction(s, facts);
    return names.length === 0 ? [[dir, 'db', dbSys, ep, '', peer]] : names.map((name): Touch => [dir, 'db', dbSys, ep, name, peer]);
  }
  // An RPC span (gRPC, Thrift, the aws-sdk's…) reads or writes as its method's name says (migration 122).
  const rpcMethod = validUtf8(s.attr(A['rpc.method']));
  if (rpc !== '') facts.rpcMethod = nameDirection(rpcMethod);
  facts.graphql = graphqlDirection(s.attr(A['graphql.operation.type']), s.attr(A['graphql.document']));
  // The Java agent's span of an SQS or SNS management call (GetQueueUrl, CreateQueue, CreateTopic, Subscribe…) carries
  // its HTTP request and no messaging attribute: like the aws-sdk's in JavaScript (a messaging span naming nothing), it
  // moves no message (migration 122).
  if (rpc === 'aws-api' && AWS_MESSAGING_SERVICES.has(asciiLower(validUtf8(s.attr(A['rpc.service'])))) && !AWS_MESSAGE_CALLS.has(rpcMethod)) return NONE;
  if (isHttp) {
    const whole = requestPath(split.path, s.attr(A['url.path']), s.attr(A['http.target']), s.attr(A['url.template']));
    const requested = asciiLower(whole);
    // A session login or logout (SAP Business One's Service Layer, Tableau, Snowflake's drivers…) opens or closes the
    // integration's own session, whatever the method: a credential, not data, so it touches nothing.
    if (SESSION_PATH.test(requested)) return NONE;
    // A health or liveness check of a dependency says whether it is up, never a record of it (migration 119).
    if ((method === 'GET' || method === 'HEAD') && HEALTH_PATH.test(requested)) return NONE;
    // So is gRPC's standard health check, a POST as every gRPC call is (`/grpc.health.v1.Health/Check`; migration 122).
    if (GRPC_HEALTH_PATH.test(requested)) return NONE;
    // An Event Hubs processor's checkpoint and ownership blobs record how far it read and which partitions it owns, not
    // data: its blob checkpoint store's requests touch nothing (migration 128).
    // Both name a Service Bus host: a span whose path and URL name none (nearly every one) is not read for them again.
    if ((requested.includes('.servicebus.') && CHECKPOINT_BLOB.test(validUtf8(requested))) || (SERVICE_BUS.test(url) && listsCheckpoints(asciiLower(url))))
      return NONE;
    // The request that opens a socket.io or engine.io WebSocket connection opens a connection and carries no data
    // (migration 115); the long-polling transport's requests carry the events, and read and write.
    if (
      SOCKET_IO_PATH.test(requested) &&
      (WEBSOCKET_TRANSPORT.test(asciiLower(url)) || WEBSOCKET_TRANSPORT.test(asciiLower(validUtf8(s.attr(A['http.target'])))))
    )
      return NONE;
    if (method === 'POST') {
      // An OAuth 2.0 token request fetches a credential, not data: like a TLS handshake, it touches nothing.
      if (TOKEN_PATH.test(requested)) return NONE;
      // A gRPC, gRPC-Web, Connect or Twirp call seen by the HTTP instrumentation alone: `POST /crm.v1.CustomerService/GetCustomer`.
      facts.postRead = postReadPath(s, split);
    }
    const path = hostV !== '' || peer === '' ? endpointPath(split.path, s.attr(A['url.path']), s.attr(A['http.target']), s.attr(A['url.template'])) : '';
    if (hostV !== '') {
      const ep = endpointHost(hostV, port, defaultPort);
      // An aws-sdk call to LocalStack (its edge port, its hosts), which emulates AWS, touches what the call to AWS would (131).
      const localStack = rpc === 'aws-api' && (ep.endsWith(':4566') || hostV === 'localhost.localstack.cloud' || hostV.endsWith('.localhost.localstack.cloud'));
      // An Amazon S3 call touches its bucket, as OpenLineage names an object store (sys s3, the bucket as host; 126).
      const s3 = s3Bucket(hostV, whole, path, s3BucketAttr(s), localStack && S3_SERVICES.has(asciiLower(validUtf8(s.attr(A['rpc.service'])))));
      if (s3 !== undefined) return s3.bucket === '' ? NONE : [[direction(s, facts), 'http', 's3', s3.bucket, s3.name, peer]];
      // An AWS Lambda call is the function's, whatever the API version, qualifier or ARN it names it by (129).
      const fn = lambdaHttpName(hostV, whole, lambdaFunctionAttr(s));
      if (fn === undefined && localStack && facts.lambda) {
        const emulated = lambdaLocalStackEndpoint(whole, lambdaFunctionAttr(s), lambdaRegionAttr(s));
        if (emulated !== undefined) return [[direction(s, facts), 'http', 'https', emulated.host, emulated.name, peer]];
      }
      return [[direction(s, facts), 'http', scheme, ep, fn ?? path, peer]];
    }
    if (peer !== '') return [[direction(s, facts), 'peer', '', '', '', peer]];
    return [[direction(s, facts), 'unnamed', 'http', '', path, '']];
  }
  // An aws-sdk Lambda call with no HTTP request on it (JavaScript's aws-sdk and Python's botocore instrumentations) touches
  // the function it names, as its request to Lambda's endpoint does (129).
  const lambdaEp = facts.lambda ? lambdaRpcEndpoint(lambdaFunctionAttr(s), lambdaRegionAttr(s), hostV) : undefined;
  if (lambdaEp !== undefined) return [[direction(s, facts), 'http', 'https', lambdaEp.host, lambdaEp.name, peer]];
  // An aws-sdk S3 call naming its bucket and no URL (the JavaScript and Java instrumentations' `aws.s3.bucket`) touches the
  // bucket (126).
  if (rpc === 'aws-api' && S3_SERVICES.has(asciiLower(validUtf8(s.attr(A['rpc.service'])))) && s3BucketAttr(s) !== '')
    return [[direction(s, facts), 'http', 's3', asciiLower(s3BucketAttr(s)), '', peer]];
  if (rpc !== '' && (hostV !== '' || peer !== '')) {
    const service = validUtf8(s.attr(A['rpc.service']));
    // gRPC's standard health service says whether the server is up, never a record of it (migration 122).
    if (service === GRPC_HEALTH_SERVICE) return NONE;
    return [[direction(s, facts), 'rpc', rpc, endpointHost(hostV, port, defaultPort), service, peer]];
  }
  // peer.service "may be used for any operation that accesses some remote service": a producer's span writes to it, a
  // consumer's reads from it, as a client's span calls it (migration 139).
  if (peer !== '' && (isClient || isProducer || isConsumer)) return [[direction(s, facts), 'peer', '', '', '', peer]];
  return NONE;
}

/**
 * Whether a POST's request path (of the URL `split`, else url.path, http.target or url.template) is an API's read endpoint
 * (`POST_READ_PATH`) or a gRPC (Connect, Twirp) method that reads.
 */
function postReadPath(s: SpanRecord, split: UrlSplit): boolean {
  const whole = requestPath(split.path, s.attr(A['url.path']), s.attr(A['http.target']), s.attr(A['url.template']));
  return POST_READ_PATH.test(asciiLower(whole)) || nameDirection(extract(whole, RPC_PATH)) === 'read';
}

/** Amazon S3 as the aws-sdk instrumentations name it in `rpc.service`, lower-case (`S3`; the Java agent 1.x `Amazon S3`). */
const S3_SERVICES = new Set(['s3', 'amazon s3']);

/** The bucket an aws-sdk S3 span names (`aws.s3.bucket`, the Java agent's older `aws.bucket.name`), valid UTF-8. */
function s3BucketAttr(s: SpanRecord): string {
  return validUtf8(first(s.attr(A['aws.s3.bucket']), s.attr(A['aws.bucket.name'])));
}

/** The function an aws-sdk Lambda span names (`faas.invoked_name`; the Java agent's `aws.lambda.function.name`), valid UTF-8. */
function lambdaFunctionAttr(s: SpanRecord): string {
  return validUtf8(first(s.attr(A['faas.invoked_name']), s.attr(A['aws.lambda.function.name'])));
}

/** The region an aws-sdk Lambda span names (`faas.invoked_region`, else `aws.region`). */
function lambdaRegionAttr(s: SpanRecord): string {
  return first(s.attr(A['faas.invoked_region']), s.attr(A['aws.region']));
}

/** The name XSAM/otelsql (Go's database/sql) gives the span of a statement prepared (its MethodConnPrepare). */
const OTELSQL_PREPARE = 'sql.conn.prepare';
/** The name uptrace's otelsql (opentelemetry-go-extra) gives it. */
const UPTRACE_PREPARE = 'db.Prepare';

/**
 * MongoDB commands (upper-case) that touch no collection: `ping` (a connection check, as the driver's quick start does it),
 * `hello` and `isMaster` (the handshake), `buildInfo`, the authentication conversation (`saslStart`, `saslContinue`,
 * `authenticate`, `getnonce`, `logout`), `endSessions` (sent when a client closes), and a transaction's
 * `commitTransaction` and `abortTransaction` (its writes are the inserts and updates before them). instrumentation-mongodb
 * names the `admin` database for them: `Unknown system mongodb://mongo.internal/admin`.
 */
const MONGODB_SESSION_OPS = new Set([
  'PING',
  'HELLO',
  'ISMASTER',
  'BUILDINFO',
  'SASLSTART',
  'SASLCONTINUE',
  'AUTHENTICATE',
  'GETNONCE',
  'LOGOUT',
  'ENDSESSIONS',
  'COMMITTRANSACTION',
  'ABORTTRANSACTION',
]);

/**
 * The path of a gRPC (and gRPC-Web, Connect) call, `/<package>.<Service>/<Method>`, or of a Twirp one under `/twirp/`: its
 * first group the method. The service must be qualified by its package (`crm.v1.CustomerService`), which no REST path
 * is written as.
 */
const RPC_PATH = /^\/+(?:twirp\/+)?(?:[A-Za-z_][A-Za-z0-9_]*\.)+[A-Za-z_][A-Za-z0-9_]*\/+([A-Za-z_][A-Za-z0-9_]*)\/*$/;

/** Amazon SQS and SNS as the aws-sdk instrumentations name them in `rpc.service`, lower-case (Java `Sqs`, `Sns`; `AmazonSQS`…). */
const AWS_MESSAGING_SERVICES = new Set(['sqs', 'sns', 'amazonsqs', 'amazonsns']);
/** Their calls that send, receive or settle messages: every other (GetQueueUrl, CreateTopic, Subscribe…) manages the broker. */
const AWS_MESSAGE_CALLS = new Set([
  'SendMessage',
  'SendMessageBatch',
  'ReceiveMessage',
  'DeleteMessage',
  'DeleteMessageBatch',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
  'Publish',
  'PublishBatch',
]);

/** gRPC's standard health checking service (grpc/grpc doc/health-checking.md): its Check and Watch tell whether a server is up. */
const GRPC_HEALTH_SERVICE = 'grpc.health.v1.Health';
/** Its methods' path, as an HTTP client's span names it, lower-case. */
const GRPC_HEALTH_PATH = /^\/+grpc\.health\.v1\.health\/+(?:check|watch)\/*$/;

/**
 * A blob of an Event Hubs processor's checkpoint store, on the whole request path, lower-case: the Azure SDKs' blob
 * checkpoint stores (.NET Azure.Messaging.EventHubs.Processor, Java azure-messaging-eventhubs-checkpointstore-blob, Python
 * azure-eventhub-checkpointstoreblob, JavaScript @azure/eventhubs-checkpointstore-blob) name a partition's checkpoint
 * `<container>/<namespace>/<event hub>/<consumer group>/checkpoint/<partition>` and its ownership claim `…/ownership/<partition>`,
 * the namespace fully qualified (`ns.servicebus.windows.net`, or another Azure cloud's `….servicebus.<cloud domain>`); the
 * Azurite emulator's paths name the account first.
 */
const CHECKPOINT_BLOB = /^\/+(?:[^/]+\/+)?[^/]+\/+[^/]+\.servicebus\.[^/]+\/+[^/]+\/+[^/]+\/+(?:checkpoint|ownership)\/+[0-9]+\/*$/;
/** A Service Bus namespace's host part in a URL, in any case: what a checkpoint listing's prefix holds (`listsCheckpoints`). */
const SERVICE_BUS = /\.servicebus\./i;

/**
 * Whether a URL (lower-case) lists a container's checkpoints or ownership claims (`?restype=container&comp=list&prefix=
 * <namespace>/<hub>/<group>/checkpoint/`): among its parameters (before any `#`, each after a `?` or `&`) `comp=list`,
 * and a `prefix=` whose value has a Service Bus host (`.servicebus.`) and then two separators (`/` or `%2f`) before its
 * last, which `checkpoint` or `ownership` follows to its end (a separator after it allowed), as the views' expression
 * reads it (migration 128). One pass over each value: the same expression here took the cube of a value's length.
 */
function listsCheckpoints(url: string): boolean {
  const hash = url.indexOf('#');
  const params = (hash === -1 ? url : url.slice(0, hash)).split(/[?&]/).slice(1);
  return params.includes('comp=list') && params.some((p) => p.startsWith('prefix=') && checkpointPrefix(p.slice('prefix='.length)));
}

/** Whether a listing's prefix value names a checkpoint store's checkpoints or ownership claims (`listsCheckpoints`). */
function checkpointPrefix(value: string): boolean {
  let v = value.endsWith('/') ? value.slice(0, -1) : value.endsWith('%2f') ? value.slice(0, -3) : value;
  if (!v.endsWith('checkpoint') && !v.endsWith('ownership')) {
    if (v === value) return false;
    v = value;
    if (!v.endsWith('checkpoint') && !v.endsWith('ownership')) return false;
  }
  const word = v.endsWith('checkpoint') ? 'checkpoint' : 'ownership';
  const head = v.slice(0, v.length - word.length);
  const sep = head.endsWith('/') ? 1 : head.endsWith('%2f') ? 3 : 0;
  if (sep === 0) return false;
  const host = head.indexOf('.servicebus.');
  if (host === -1) return false;
  let separators = 0;
  const between = head.slice(host + '.servicebus.'.length, head.length - sep);
  for (let i = 0; i < between.length && separators < 2; i++) {
    if (between.charCodeAt(i) === 0x2f) separators++;
    else if (between.startsWith('%2f', i)) (separators++, (i += 2));
  }
  return separators >= 2;
}

/** The path socket.io and engine.io serve on by default (`/socket.io/`, `/engine.io/`), under any prefix; lower-case. */
const SOCKET_IO_PATH = /\/(?:socket|engine)\.io\/?$/;
/** A query asking engine.io for its WebSocket transport (`?EIO=4&transport=websocket`), in a URL or a request target; lower-case. */
const WEBSOCKET_TRANSPORT = /[?&]transport=websocket(?:[&#]|$)/;

/**
 * The token endpoints of OAuth 2.0 authorization servers (RFC 6749 §3.2, POST only), on the whole request path, lower-case:
 * - `token`, `tokens`, `access_token`, `accesstoken` or `token-request` at most two segments (and a version) under a segment naming an
 *   authorization server (`oauth`, `oauth2`, `o2`, `oidc`, `auth`, `jwt-auth`, `authentication`, `ims`, `identity`,
 *   `connect`, `openid-connect`), optionally followed by `/bearer`, `/refresh`, `/get`, `/create` or a version:
 *   `…/oauth/token` (Salesforce, Auth0, SAP, Stripe Connect), `…/oauth2/v2.0/token` (Microsoft Entra ID),
 *   `…/oauth2/<server>/v1/token` (Okta), `…/oauth/v1/token` (HubSpot), `…/protocol/openid-connect/token` (Keycloak),
 *   `…/connect/token` (IdentityServer, Xero), `…/ccx/oauth2/<tenant>/token` (Workday), `…/oauth/tokens` (Zendesk),
 *   `…/oauth2/v1/tokens/bearer` (Intuit QuickBooks), `…/auth/o2/token` (Amazon Selling Partner API), `…/auth/token`
 *   (Apple), `…/ims/token/v3` (Adobe), `…/oauth/v2/accessToken` (LinkedIn), `…/identity/oauth/token` (Marketo),
 *   `…/oidc/v1/token` and `…/oidc/accounts/<id>/v1/token` (Databricks), `…/oidc/2/token` (OneLogin),
 *   `…/oauth/token-request` (Snowflake), `…/api/authentication/access_token` (UKG Pro WFM), `…/auth/token/get` (Shopee),
 *   `…/jwt-auth/v1/token` (WordPress, WooCommerce);
 * - their revocation and introspection endpoints (RFC 7009, RFC 7662), where they name them so: `…/oauth2/v1/revoke`,
 *   `…/oauth/introspect`, `…/auth/token/revoke` (Dropbox);
 * - `access_token` anywhere under `/oauth` or `/oauth2` (Shopify, ForgeRock, GitHub), GitHub's app installation tokens
 *   (`/app/installations/<id>/access_tokens`);
 * - `/token`, `/access_token`, `/revoke` at the root, under `/api` or a version (`oauth2.googleapis.com/token`, Sage,
 *   Spotify's `/api/token`, Webex's `/v1/access_token`, Reddit's `/api/v1/access_token`);
 * - `/as/token.oauth2` (PingFederate), `/as/token` (PingOne), `/oauth_token.do` (ServiceNow), `/-/oauth_token` (Asana)
 *   and Adobe Commerce's (Magento's) `/rest/<store>/v1/integration/admin/token` and `…/customer/token`.
 * Payment card tokens (`/v1/tokens`) and a `token` under any other segment still touch their system. Session logins and
 * logouts (SAP Business One's `/b1s/v2/Login`, Tableau's `…/auth/signin`…), whatever their method, are session-path.ts's.
 */
const TOKEN_PATH = checkedRegExp(
  [
    String.raw`/(?:oauth2?|o2|oidc|auth|jwt-auth|authentication|ims|identity|connect|openid-connect)(?:/[^/]+){0,2}(?:/v[0-9.]+)?/(?:token|tokens|access_?token|token-request|revoke|introspect)(?:/bearer|/refresh|/revoke|/introspect|/get|/create|/v[0-9.]+)?/?$`,
    // Read from its end (`access_token` first, then what is before it): tried from each `/oauth` of a path, the path's
    // segments after it were read again each time, the square of a path of them (48 KB: 425 ms a span).
    String.raw`access_token/?$(?<=/oauth2?/(?:[^/]+/)*access_token/?)`,
    String.raw`/app/installations/[^/]+/access_tokens/?$`,
    String.raw`^/+(?:api/)?(?:v[0-9.]+/)?(?:token|access_?token|revoke)/?$`,
    String.raw`/as/token(?:\.oauth2)?/?$`,
    String.raw`/oauth_token(?:\.do)?$`,
    String.raw`/v1/integration/(?:admin|customer)/token/?$`,
  ].join('|'),
);

/**
 * The read endpoints of APIs that take their query in a POST body (the method says write; the endpoint reads), on the
 * whole request path, lower-case, by its end:
 * - `search` (HubSpot's `…/objects/contacts/search`, Jira's `/rest/api/3/search` and `…/search/jql`, Notion, Meilisearch),
 *   `multi_search` and `multi-search` (Typesense, Meilisearch), `facet-search` and `documents/fetch` (Meilisearch),
 *   `query` (Notion's `…/databases/<id>/query`, Algolia, Microsoft Graph's `/search/query`, Prometheus), `queries`
 *   (Algolia, BigQuery's `jobs.query`), `suiteql` (NetSuite), `listrecords` (Airtable), `coql` (Zoho CRM),
 *   `parameterizedsearch` (Salesforce), `batch/read` (HubSpot's `…/objects/<type>/batch/read`), `issue/bulkfetch` and
 *   `search/approximate-count` (Jira), `query_range` and `query_exemplars` (Prometheus), `$query` (OData 4.01);
 * - Salesforce's SObject Collections retrieve (`…/composite/sobjects/<sObject>`: a create names no sObject);
 * - Dataverse's and Azure AI Search's `searchquery`, `searchsuggest`, `searchautocomplete`, `…/search/v<n>/suggest` and `…/autocomplete`,
 *   `…/docs/suggest`, `…/docs/autocomplete`, `…/docs/search.post.<search|suggest|autocomplete>`;
 * - Microsoft Graph's reading actions `getbyids`, `getmembergroups`, `getmemberobjects`, `checkmembergroups`,
 *   `checkmemberobjects`, `getschedule`, `findmeetingtimes`;
 * - Google APIs' reading custom methods (`…/customers/<id>/googleads:search`, `…:searchstream`, `…:runreport`,
 *   Firestore's `…/documents:runquery`, `…:batchget`, Datastore's `…:lookup`, Cloud Logging's `/v2/entries:list`);
 * - Splunk's search jobs (`…/search/jobs`, `…/search/v2/jobs/export`), Workday's WQL (`…/wql/v1/<tenant>/data`), Druid
 *   SQL (`/druid/v2/sql`, not its `/task`), Pinot's `/query/sql`, SAP Business One's `…/sqlqueries('<id>')/list` and
 *   `…/queryservice_postquery`, Algolia's `…/indexes/<index>/browse` and getObjects (the index `*`, then `/objects`), Datadog's
 *   `…/analytics/aggregate` and `…/query/timeseries|scalar`, Qdrant's `…/points/scroll|count|recommend|discover` (and
 *   their `/batch` and `/groups`), MongoDB Atlas Data API's `…/action/find|findone|aggregate`;
 * - Elasticsearch's, OpenSearch's and CouchDB's `_search`, `_msearch`, `_count`, `_mget`, `_sql`, `_find`, `_all_docs`
 *   (with `/template` or `/scroll` after the first two, `/translate` after `_sql`), `_query` (ES|QL, with `/async`),
 *   `_async_search`, `_knn_search`, `_field_caps`, `_terms_enum`, `_termvectors`, `_mtermvectors`, `_ppl`, `_bulk_get`,
 *   a design document's `_view/<view>` and `_search/<index>`, when no `db.system` says so, or an Elasticsearch or OpenSearch
 *   span's operation says no direction (`esql.query`, `knn_search`: migration 128).
 * A GraphQL POST can read or write: `graphql.operation.type` or the document tells (graphql.ts), else only
 * `integration.operation`.
 */
const POST_READ_PATH = checkedRegExp(
  [
    String.raw`/(?:_(?:search|msearch|count|mget|sql|find|all_docs|query|async_search|knn_search|field_caps|terms_enum|termvectors|mtermvectors|ppl|bulk_get)(?:/(?:template|scroll|translate|async))?`,
    String.raw`_design/[^/]+/_(?:view|search)/[^/]+`,
    String.raw`search(?:/jql|/approximate-count)?|multi[-_]search|facet-search|documents/fetch|query|queries|suiteql|listrecords|coql|parameterizedsearch`,
    String.raw`batch/read|issue/bulkfetch|query_range|query_exemplars|\$query|composite/sobjects/[^/]+`,
    String.raw`searchquery|searchsuggest|searchautocomplete|search/v[0-9.]+/(?:suggest|autocomplete)|docs/(?:suggest|autocomplete)|docs/search\.post\.(?:search|suggest|autocomplete)`,
    String.raw`getbyids|getmembergroups|getmemberobjects|checkmembergroups|checkmemberobjects|getschedule|findmeetingtimes`,
    String.raw`[^/]*:(?:search|searchstream|runreport|batchrunreports|runpivotreport|batchrunpivotreports|runrealtimereport|runquery|runaggregationquery|batchget|batchgetbydatafilter|lookup|list)`,
    String.raw`search/(?:v2/)?jobs(?:/export)?|wql/v1/[^/]+/data|druid/v2/sql|query/sql|sqlqueries\([^/]*\)/list|queryservice_postquery`,
    String.raw`indexes/[^/]+/browse|indexes/\*/objects|analytics/aggregate|query/(?:timeseries|scalar)`,
    String.raw`points/(?:scroll|count|recommend|discover|search|query)(?:/batch|/groups)?|action/(?:find|findone|aggregate))/?$`,
  ].join('|'),
);

/** A JSON list of DynamoDB table names (whose characters are letters, digits, `_`, `-` and `.`), as text. */
const TABLE_LIST = /^\[[\t\n\f\r ]*"[A-Za-z0-9_.-]+"[\t\n\f\r ]*(?:,[\t\n\f\r ]*"[A-Za-z0-9_.-]+"[\t\n\f\r ]*)*\]$/;
const TABLE_NAME = /"([A-Za-z0-9_.-]+)"/g;

/**
 * The tables of `aws.dynamodb.table_names` (stored as the JSON text of the list, as arrays are): what the aws-sdk
 * instrumentation names a BatchGetItem, BatchWriteItem or TransactWriteItems by, which have no TableName and so no
 * `db.namespace`. Each table is an endpoint of its own. Anything but such a list names none.
 */
function dynamodbTables(list: string): string[] {
  return TABLE_LIST.test(list) ? [...list.matchAll(TABLE_NAME)].map((m) => m[1]) : [];
}

/** The first value that is not empty ('' when all are), as `if(a != '', a, b)` chains do. */
function first(a: string, b: string, c = ''): string {
  return a !== '' ? a : b !== '' ? b : c;
}
