-- What each span touched, as official instrumentation really reports it (replaces the view of 021;
-- the columns of weft_span_touches are unchanged). See docs/catalog.md "How endpoints are identified".
--
-- * Only spans that can touch a system are classified: CLIENT, PRODUCER and CONSUMER spans, or spans
--   carrying endpoint attributes (integration.source/target, messaging.system, db.system with a query or
--   operation, url.full). Connection-level spans — net `tcp.connect`/`ipc.connect` (INTERNAL, only
--   server.address/port), `dns.lookup` (only peer.ipv4), `pg.connect`/pool acquisition (db.system without a
--   query or operation), TLS handshakes — touch nothing. Every span still yields one row (kind '') so the
--   trace's start, end and error count are whole.
-- * Hosts come from an RFC 3986 split of url.full / http.url (userinfo dropped, IPv6 in brackets,
--   single-label hosts kept), else server.address / net.peer.name / http.host, else the peer address.
--   ep_host = lower-case host, trailing dot dropped, IPv6 as [addr], plus ":port" unless it is the
--   scheme's or system's default port. Unix socket paths (/var/run/postgresql) are kept as they are.
-- * Values are made valid UTF-8 (invalid bytes become U+FFFD) so an endpoint key read back as JSON and
--   passed to a query as a parameter is the same string as the stored one.
-- * Messaging destination per system: RabbitMQ's default exchange ('' or 'amq.default') is the routing
--   key (messaging.rabbitmq.routing_key, messaging.rabbitmq.destination.routing_key or
--   rabbitmq.destination.routing_key), so the queue is one node whichever client library touched it;
--   pika's stable "<exchange>:<routing key>" is the exchange, and older pika's "(temporary)" is read
--   from the span name "<destination> send";
--   temporary destinations (messaging.destination.temporary/anonymous, NATS _INBOX.*, RabbitMQ direct reply-to)
--   use messaging.destination.template or touch nothing.
-- * SQL direction: db.operation.name / db.operation / db.query.summary when they name a verb, else the
--   statement with comments, string literals and quoted identifiers removed and leading parentheses
--   skipped: SELECT/SHOW/VALUES/TABLE/EXPLAIN read; INSERT/UPDATE/DELETE/MERGE/REPLACE/UPSERT/TRUNCATE/
--   LOAD, COPY … FROM, SELECT … INTO table, CREATE TABLE … AS and WITH … INSERT/UPDATE/DELETE/MERGE write.
-- * An endpoint with no usable name (an HTTP span without any host, a messaging span without any
--   destination, a database span with neither host nor namespace) becomes ep_kind 'unnamed' (ep_sys says which kind): the analyzer reports it, never a system.
DROP VIEW IF EXISTS weft_span_touches_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS weft_span_touches_mv TO weft_span_touches AS
SELECT
    ts,
    end_ts,
    trace_id,
    integration,
    service,
    domain,
    t.1 AS direction,
    t.2 AS ep_kind,
    t.3 AS ep_sys,
    t.4 AS ep_host,
    t.5 AS ep_name,
    t.6 AS ep_peer,
    is_error,
    toUInt8(n = 1) AS is_primary,
    if(n = 1, records_all, 0) AS records,
    duration_ms
FROM (
    SELECT
        ts, end_ts, trace_id, integration, service, domain, is_error, records_all, duration_ms,
        multiIf(
            NOT can_touch, [('', '', '', '', '', '')],
            src_x != '' OR tgt_x != '',
                arrayFilter(x -> x.5 != '', [('read', 'system', '', '', src_x, ''), ('write', 'system', '', '', tgt_x, '')]),
            msg_sys != '',
                multiIf(msg_temporary AND dest = '', [('', '', '', '', '', '')],
                        dest != '', [(dir, 'messaging', msg_sys, ep_host_v, dest, peer)],
                        [(dir, 'unnamed', 'messaging', ep_host_v, msg_sys, peer)]),
            db_sys != '', multiIf(NOT db_has_query, [('', '', '', '', '', '')],
                                  ep_host_v = '' AND db_ns = '', [(dir, 'unnamed', 'db', '', db_sys, peer)],
                                  [(dir, 'db', db_sys, ep_host_v, db_ns, peer)]),
            is_http, multiIf(host_v != '', [(dir, 'http', scheme, ep_host_v, url_path, peer)],
                        peer != '', [(dir, 'peer', '', '', '', peer)],
                        [(dir, 'unnamed', 'http', '', url_path, '')]),
            rpc != '' AND (host_v != '' OR peer != ''), [(dir, 'rpc', rpc, ep_host_v, rpc_service, peer)],
            peer != '' AND is_client, [(dir, 'peer', '', '', '', peer)],
            [('', '', '', '', '', '')]
        ) AS touches
    FROM (
        SELECT
            toDateTime64(Timestamp, 3, 'UTC') AS ts,
            fromUnixTimestamp64Milli(toInt64(toUnixTimestamp64Milli(toDateTime64(Timestamp, 3, 'UTC')) + intDiv(Duration, 1000000)), 'UTC') AS end_ts,
            TraceId AS trace_id,
            ServiceName AS service,
            multiIf(SpanAttributes['integration.flow'] != '', SpanAttributes['integration.flow'],
                    ResourceAttributes['integration.flow'] != '', ResourceAttributes['integration.flow'], ServiceName) AS integration,
            if(SpanAttributes['integration.domain'] != '', SpanAttributes['integration.domain'], ResourceAttributes['integration.domain']) AS domain,
            toUInt8(positionCaseInsensitive(StatusCode, 'error') > 0) AS is_error,
            toUInt64OrZero(SpanAttributes['integration.records']) AS records_all,
            Duration / 1e6 AS duration_ms,
            positionCaseInsensitive(SpanKind, 'server') > 0 AS is_server,
            positionCaseInsensitive(SpanKind, 'client') > 0 AS is_client,
            positionCaseInsensitive(SpanKind, 'producer') > 0 AS is_producer,
            positionCaseInsensitive(SpanKind, 'consumer') > 0 AS is_consumer,
            toValidUTF8(SpanAttributes['integration.source']) AS src_x,
            toValidUTF8(SpanAttributes['integration.target']) AS tgt_x,
            toValidUTF8(SpanAttributes['peer.service']) AS peer,
            toValidUTF8(SpanAttributes['rpc.system']) AS rpc,
            toValidUTF8(SpanAttributes['rpc.service']) AS rpc_service,
            -- databases
            if(SpanAttributes['db.system.name'] != '', SpanAttributes['db.system.name'], SpanAttributes['db.system']) AS db_sys_raw,
            toValidUTF8(multiIf(lower(db_sys_raw) = 'postgres', 'postgresql', lower(db_sys_raw) = 'mariadb', 'mysql', lower(db_sys_raw))) AS db_sys,
            toValidUTF8(if(SpanAttributes['db.namespace'] != '', SpanAttributes['db.namespace'], SpanAttributes['db.name'])) AS db_ns,
            if(SpanAttributes['db.query.text'] != '', SpanAttributes['db.query.text'], SpanAttributes['db.statement']) AS db_text,
            -- the operation as named by the span; for command stores (redis, memcached) the statement's first word
            upper(extract(multiIf(SpanAttributes['db.operation.name'] != '', SpanAttributes['db.operation.name'],
                SpanAttributes['db.operation'] != '', SpanAttributes['db.operation'],
                SpanAttributes['db.query.summary'] != '', SpanAttributes['db.query.summary'],
                db_sys IN ('redis', 'valkey', 'memcached'), db_text, ''), '^[\\s(]*([A-Za-z]+)')) AS db_op,
            db_text != '' OR db_op != '' AS db_has_query,
            -- the statement as a tokenizer sees it: comments, string literals and quoted identifiers removed
            upper(replaceRegexpOne(
                replaceRegexpAll(db_text, '(?s)/\\*.*?\\*/|--[^\\n]*|#[^\\n]*|\'(?:[^\'\\\\]|\'\'|\\\\.)*\'|"(?:[^"]|"")*"|`[^`]*`|\\$\\$.*?\\$\\$', ' '),
                '^[\\s(]+', '')) AS q,
            extract(q, '^([A-Z]+)') AS q_verb,
            multiIf(
                q_verb = 'SELECT' AND match(q, '\\bINTO\\s+(?:TEMP\\w*\\s+|UNLOGGED\\s+|TABLE\\s+)*[A-Z_]')
                    AND NOT match(q, '\\bINTO\\s+(?:OUTFILE|DUMPFILE)\\b'), 'write',
                q_verb IN ('SELECT', 'SHOW', 'VALUES', 'TABLE', 'EXPLAIN', 'DESCRIBE', 'DESC'), 'read',
                q_verb = 'WITH', if(match(q, '\\b(?:INSERT|UPDATE|DELETE|MERGE)\\b'), 'write', 'read'),
                q_verb IN ('INSERT', 'UPDATE', 'DELETE', 'MERGE', 'REPLACE', 'UPSERT', 'TRUNCATE', 'LOAD'), 'write',
                q_verb = 'COPY', if(match(q, '^COPY\\s+[^\\s(]+(?:\\s*\\([^)]*\\))?\\s+FROM\\b'), 'write', 'read'),
                q_verb = 'CREATE' AND match(q, '^CREATE\\s+(?:\\w+\\s+)*TABLE\\b.*\\bAS\\b'), 'write',
                '') AS sql_dir,
            multiIf(
                db_op IN ('SELECT', 'SHOW', 'VALUES', 'TABLE', 'FIND', 'GET', 'MGET', 'HGET', 'HGETALL', 'HMGET', 'SCAN', 'HSCAN', 'SSCAN', 'ZSCAN',
                          'SMEMBERS', 'LRANGE', 'ZRANGE', 'EXISTS', 'AGGREGATE', 'COUNT', 'COUNTDOCUMENTS', 'DISTINCT', 'XREAD', 'XRANGE'), 'read',
                db_op IN ('INSERT', 'UPDATE', 'DELETE', 'MERGE', 'REPLACE', 'UPSERT', 'TRUNCATE', 'COPY', 'SET', 'MSET', 'SETEX', 'HSET', 'HMSET',
                          'DEL', 'HDEL', 'LPUSH', 'RPUSH', 'SADD', 'ZADD', 'XADD', 'INCR', 'INCRBY', 'DECR', 'EXPIRE', 'INSERTONE', 'INSERTMANY',
                          'UPDATEONE', 'UPDATEMANY', 'DELETEONE', 'DELETEMANY', 'REPLACEONE', 'FINDANDMODIFY', 'FINDONEANDUPDATE', 'BULKWRITE'), 'write',
                '') AS op_dir,
            -- messaging
            lower(toValidUTF8(SpanAttributes['messaging.system'])) AS msg_sys,
            if(SpanAttributes['messaging.destination.name'] != '', SpanAttributes['messaging.destination.name'],
               SpanAttributes['messaging.destination']) AS dest_raw,
            multiIf(SpanAttributes['messaging.rabbitmq.destination.routing_key'] != '', SpanAttributes['messaging.rabbitmq.destination.routing_key'],
                    SpanAttributes['rabbitmq.destination.routing_key'] != '', SpanAttributes['rabbitmq.destination.routing_key'],
                    SpanAttributes['messaging.rabbitmq.routing_key']) AS routing_key,
            -- reply destinations; not the old messaging.temp_destination, which pika and Python's Kafka
            -- instrumentations set on every publish to a real queue or topic
            SpanAttributes['messaging.destination.temporary'] = 'true' OR SpanAttributes['messaging.destination.anonymous'] = 'true'
                OR (msg_sys = 'nats' AND startsWith(dest_raw, '_INBOX.'))
                OR (msg_sys = 'rabbitmq' AND startsWith(dest_raw, 'amq.rabbitmq.reply-to')) AS msg_temporary,
            toValidUTF8(multiIf(
                msg_temporary, SpanAttributes['messaging.destination.template'],
                msg_sys != 'rabbitmq', dest_raw,
                dest_raw IN ('', 'amq.default'), routing_key,
                -- older pika recorded "(temporary)" on every publish; the span name "<destination> send" has it
                dest_raw = '(temporary)', replaceRegexpOne(SpanName, '\\s+(send|publish)$', ''),
                -- pika under the stable conventions: "<exchange>:<routing key>" (the exchange, as amqplib reports it)
                position(dest_raw, ':') > 1, substring(dest_raw, 1, position(dest_raw, ':') - 1),
                startsWith(dest_raw, ':'), substring(dest_raw, 2),
                dest_raw)) AS dest,
            -- HTTP: an RFC 3986 split of the URL (scheme, authority, path); userinfo is dropped
            if(SpanAttributes['url.full'] != '', SpanAttributes['url.full'], SpanAttributes['http.url']) AS url,
            extractGroups(url, '^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?://([^/?#]*))?([^?#]*)') AS url_parts,
            replaceRegexpOne(url_parts[2], '^.*@', '') AS url_hostport,
            if(startsWith(url_hostport, '['), extract(url_hostport, '^\\[([^\\]]*)\\]'), extract(url_hostport, '^([^:]*)')) AS url_host,
            extract(url_hostport, '^(?:\\[[^\\]]*\\]|[^:]*):(\\d+)$') AS url_port,
            url_parts[3] AS url_path_full,
            multiIf(url_path_full != '', url_path_full, SpanAttributes['url.path'] != '', SpanAttributes['url.path'],
                    extract(SpanAttributes['http.target'], '^([^?#]*)')) AS path_any,
            toValidUTF8(if(path_any != '', arrayStringConcat(arraySlice(splitByChar('/', path_any), 1, 3), '/'), '')) AS url_path,
            upper(if(SpanAttributes['http.request.method'] != '', SpanAttributes['http.request.method'], SpanAttributes['http.method'])) AS method,
            NOT is_server AND (url != '' OR method != '') AS is_http,
            lower(multiIf(url_parts[1] != '', url_parts[1], SpanAttributes['url.scheme'] != '', SpanAttributes['url.scheme'],
                          SpanAttributes['http.scheme'] != '', SpanAttributes['http.scheme'], is_http, 'http', '')) AS scheme,
            -- the host and port touched, whatever the kind of endpoint
            multiIf(url_host != '', url_host,
                    SpanAttributes['server.address'] != '', SpanAttributes['server.address'],
                    SpanAttributes['net.peer.name'] != '', SpanAttributes['net.peer.name'],
                    SpanAttributes['http.host'] != '', extract(SpanAttributes['http.host'], '^(\\[[^\\]]*\\]|[^:]*)'),
                    SpanAttributes['network.peer.address'] != '', SpanAttributes['network.peer.address'],
                    SpanAttributes['net.peer.ip']) AS host_any,
            multiIf(url_host != '', url_port,
                    SpanAttributes['server.port'] != '', SpanAttributes['server.port'],
                    SpanAttributes['net.peer.port'] != '', SpanAttributes['net.peer.port'],
                    SpanAttributes['http.host'] != '', extract(SpanAttributes['http.host'], ':(\\d+)$'),
                    SpanAttributes['network.peer.port']) AS port_any,
            toValidUTF8(if(startsWith(host_any, '/'), host_any, lower(replaceRegexpOne(trimBoth(host_any), '^\\[|\\]$|\\.+$', '')))) AS host_v,
            transform(if(is_http, scheme, if(msg_sys != '', msg_sys, db_sys)),
                ['http', 'https', 'ws', 'wss', 'postgresql', 'mysql', 'mssql', 'oracle', 'mongodb', 'redis', 'rabbitmq', 'kafka', 'nats', 'amqp', 'amqps'],
                ['80', '443', '80', '443', '5432', '3306', '1433', '1521', '27017', '6379', '5672', '9092', '4222', '5672', '5671'], '') AS default_port,
            concat(if(position(host_v, ':') > 0 AND NOT startsWith(host_v, '/'), concat('[', host_v, ']'), host_v),
                   if(host_v != '' AND match(port_any, '^[0-9]+$') AND toUInt32OrZero(port_any) != 0 AND toString(toUInt32OrZero(port_any)) != default_port,
                      concat(':', toString(toUInt32OrZero(port_any))), '')) AS ep_host_v,
            is_client OR is_producer OR is_consumer OR src_x != '' OR tgt_x != '' OR msg_sys != '' OR db_sys != '' OR url != '' AS can_touch,
            lower(SpanAttributes['integration.operation']) AS op,
            lower(if(SpanAttributes['messaging.operation.type'] != '', SpanAttributes['messaging.operation.type'],
                     SpanAttributes['messaging.operation'])) AS msgop,
            multiIf(
                op = 'read', 'read',
                op IN ('create', 'update', 'upsert', 'delete', 'write'), 'write',
                method IN ('GET', 'HEAD'), 'read',
                method IN ('POST', 'PUT', 'PATCH', 'DELETE'), 'write',
                db_sys != '' AND op_dir != '', op_dir,
                db_sys != '' AND sql_dir != '', sql_dir,
                msgop IN ('receive', 'process', 'deliver'), 'read',
                msgop IN ('publish', 'send', 'create'), 'write',
                is_producer, 'write',
                is_consumer, 'read',
                'unknown') AS dir
        FROM otel_traces
    )
)
ARRAY JOIN touches AS t, arrayEnumerate(touches) AS n;
