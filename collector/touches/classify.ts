import { asciiLower, asciiUpper, validUtf8 } from './byte-text.ts';
import { DEFAULT_PORTS, endpointHost, endpointPath, hostAndPort, hostValue, splitUrl } from './endpoint-host.ts';
import { messagingDestination } from './messaging.ts';
import type { SpanRecord } from './span-record.ts';
import { dbOperation, operationDirection, statementDirection } from './sql-direction.ts';

/**
 * One endpoint a span touched: direction ('read', 'write', 'unknown', or '' for none), kind
 * ('system', 'messaging', 'db', 'http', 'rpc', 'peer', 'unnamed', or '' for none), system, host,
 * name, peer — the tuple weft_span_touches_mv builds, as byte strings.
 */
export type Touch = readonly [direction: string, kind: string, sys: string, host: string, name: string, peer: string];

const NONE: readonly Touch[] = [['', '', '', '', '', '']];

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
    s.has('integration.source') ||
    s.has('integration.target') ||
    s.has('messaging.system') ||
    s.has('db.system.name') ||
    s.has('db.system') ||
    (!isServer && (s.has('url.full') || s.has('http.url')));
  if (!canTouch) return NONE;

  const src = validUtf8(s.attr('integration.source'));
  const tgt = validUtf8(s.attr('integration.target'));
  if (src !== '' || tgt !== '') {
    const out: Touch[] = [];
    if (src !== '') out.push(['read', 'system', '', '', src, '']);
    if (tgt !== '') out.push(['write', 'system', '', '', tgt, '']);
    return out;
  }

  const peer = validUtf8(s.attr('peer.service'));
  const dbSysRaw = asciiLower(first(s.attr('db.system.name'), s.attr('db.system')));
  const dbSys = validUtf8(dbSysRaw === 'postgres' ? 'postgresql' : dbSysRaw === 'mariadb' ? 'mysql' : dbSysRaw);
  const msgSys = asciiLower(validUtf8(s.attr('messaging.system')));
  const url = validUtf8(first(s.attr('url.full'), s.attr('http.url')));
  const method = asciiUpper(first(s.attr('http.request.method'), s.attr('http.method')));
  const isHttp = !isServer && (url !== '' || method !== '');
  const rpc = validUtf8(s.attr('rpc.system'));

  const split = splitUrl(url);
  const { host, port } = hostAndPort(split, {
    serverAddress: s.attr('server.address'),
    netPeerName: s.attr('net.peer.name'),
    httpHost: s.attr('http.host'),
    peerAddress: s.attr('network.peer.address'),
    netPeerIp: s.attr('net.peer.ip'),
    serverPort: s.attr('server.port'),
    netPeerPort: s.attr('net.peer.port'),
    peerPort: s.attr('network.peer.port'),
  });
  const hostV = hostValue(host);
  const scheme = asciiLower(split.scheme || s.attr('url.scheme') || s.attr('http.scheme') || (isHttp ? 'http' : ''));
  const epHost = () => endpointHost(hostV, port, DEFAULT_PORTS.get(isHttp ? scheme : msgSys !== '' ? msgSys : dbSys) ?? '');

  const dbText = validUtf8(first(s.attr('db.query.text'), s.attr('db.statement')));
  const dbOp = dbOperation(first(s.attr('db.operation.name'), s.attr('db.operation'), s.attr('db.query.summary')), dbSys, dbText);
  const direction = () => {
    const op = asciiLower(s.attr('integration.operation'));
    if (op === 'read') return 'read';
    if (op === 'create' || op === 'update' || op === 'upsert' || op === 'delete' || op === 'write') return 'write';
    if (method === 'GET' || method === 'HEAD') return 'read';
    if (method === 'POST' || method === 'PUT' || method === 'PATCH' || method === 'DELETE') return 'write';
    if (dbSys !== '') {
      const byOp = operationDirection(dbOp);
      if (byOp !== '') return byOp;
      const bySql = dbText === '' ? '' : statementDirection(dbText);
      if (bySql !== '') return bySql;
    }
    const msgOp = asciiLower(first(s.attr('messaging.operation.type'), s.attr('messaging.operation')));
    if (msgOp === 'receive' || msgOp === 'process' || msgOp === 'deliver') return 'read';
    if (msgOp === 'publish' || msgOp === 'send' || msgOp === 'create') return 'write';
    if (isProducer) return 'write';
    if (isConsumer) return 'read';
    return 'unknown';
  };

  if (msgSys !== '') {
    const { temporary, destination } = messagingDestination({
      system: msgSys,
      destinationName: s.attr('messaging.destination.name'),
      destination: s.attr('messaging.destination'),
      routingKeys: [s.attr('messaging.rabbitmq.destination.routing_key'), s.attr('rabbitmq.destination.routing_key'), s.attr('messaging.rabbitmq.routing_key')],
      temporary: s.attr('messaging.destination.temporary'),
      anonymous: s.attr('messaging.destination.anonymous'),
      template: s.attr('messaging.destination.template'),
      spanName: () => s.spanName(),
    });
    if (temporary && destination === '') return NONE;
    if (destination !== '') return [[direction(), 'messaging', msgSys, epHost(), destination, peer]];
    return [[direction(), 'unnamed', 'messaging', epHost(), msgSys, peer]];
  }
  if (dbSys !== '') {
    if (dbText === '' && dbOp === '') return NONE;
    const ep = epHost();
    const dbNs = validUtf8(first(s.attr('db.namespace'), s.attr('db.name')));
    if (ep === '' && dbNs === '') return [[direction(), 'unnamed', 'db', '', dbSys, peer]];
    return [[direction(), 'db', dbSys, ep, dbNs, peer]];
  }
  if (isHttp) {
    const path = () => endpointPath(split.path, s.attr('url.path'), s.attr('http.target'));
    if (hostV !== '') return [[direction(), 'http', scheme, epHost(), path(), peer]];
    if (peer !== '') return [[direction(), 'peer', '', '', '', peer]];
    return [[direction(), 'unnamed', 'http', '', path(), '']];
  }
  if (rpc !== '' && (hostV !== '' || peer !== '')) return [[direction(), 'rpc', rpc, epHost(), validUtf8(s.attr('rpc.service')), peer]];
  if (peer !== '' && isClient) return [[direction(), 'peer', '', '', '', peer]];
  return NONE;
}

/** The first value that is not empty ('' when all are), as `if(a != '', a, b)` chains do. */
function first(a: string, b: string, c = ''): string {
  return a !== '' ? a : b !== '' ? b : c;
}
