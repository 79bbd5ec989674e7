-- What each span touched: one row per (span, endpoint touched), computed once at insert.
-- A Null table: nothing is stored here; the materialized views below aggregate what passes through.
-- Endpoint: kind (system | db | messaging | http | rpc | peer, '' when the span touched nothing),
-- sys (db.system / messaging.system / URL scheme), host, name (db namespace, destination, first two
-- URL path segments, or the system id of integration.source/target), peer (peer.service).
CREATE TABLE IF NOT EXISTS weft_span_touches (
    ts DateTime64(3, 'UTC'),
    end_ts DateTime64(3, 'UTC'),
    trace_id String,
    integration String,
    service String,
    domain String,
    direction String,
    ep_kind String,
    ep_sys String,
    ep_host String,
    ep_name String,
    ep_peer String,
    is_error UInt8,
    is_primary UInt8,
    records UInt64,
    duration_ms Float64
) ENGINE = Null;

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
            src_x != '' OR tgt_x != '',
                arrayFilter(x -> x.5 != '', [('read', 'system', '', '', src_x, ''), ('write', 'system', '', '', tgt_x, '')]),
            msg_sys != '' OR dest != '', [(dir, 'messaging', msg_sys, host, dest, peer)],
            db_sys != '', [(dir, 'db', db_sys, host, db_ns, peer)],
            NOT is_server AND (url != '' OR method != '' OR host != '' OR peer != ''),
                [(dir, multiIf(rpc != '', 'rpc', url != '' OR method != '', 'http', host != '', 'http', 'peer'), if(url != '', protocol(url), if(method != '', 'http', rpc)), host, url_path, peer)],
            [('', '', '', '', '', '')]
        ) AS touches
    FROM (
        SELECT
            toDateTime64(Timestamp, 3, 'UTC') AS ts,
            fromUnixTimestamp64Milli(toInt64(toUnixTimestamp64Milli(toDateTime64(Timestamp, 3, 'UTC')) + intDiv(Duration, 1000000)), 'UTC') AS end_ts,
            TraceId AS trace_id,
            ServiceName AS service,
            multiIf(SpanAttributes['integration.flow'] != '', SpanAttributes['integration.flow'], ResourceAttributes['integration.flow'] != '', ResourceAttributes['integration.flow'], ServiceName) AS integration,
            if(SpanAttributes['integration.domain'] != '', SpanAttributes['integration.domain'], ResourceAttributes['integration.domain']) AS domain,
            toUInt8(positionCaseInsensitive(StatusCode, 'error') > 0) AS is_error,
            toUInt64OrZero(SpanAttributes['integration.records']) AS records_all,
            Duration / 1e6 AS duration_ms,
            SpanAttributes['integration.source'] AS src_x,
            SpanAttributes['integration.target'] AS tgt_x,
            if(SpanAttributes['db.system.name'] != '', SpanAttributes['db.system.name'], SpanAttributes['db.system']) AS db_sys_raw,
            multiIf(db_sys_raw = 'postgres', 'postgresql', db_sys_raw = 'mariadb', 'mysql', lower(db_sys_raw)) AS db_sys,
            if(SpanAttributes['db.namespace'] != '', SpanAttributes['db.namespace'], SpanAttributes['db.name']) AS db_ns,
            lower(SpanAttributes['messaging.system']) AS msg_sys,
            if(SpanAttributes['messaging.destination.name'] != '', SpanAttributes['messaging.destination.name'], SpanAttributes['messaging.destination']) AS dest,
            if(SpanAttributes['url.full'] != '', SpanAttributes['url.full'], SpanAttributes['http.url']) AS url,
            lower(multiIf(SpanAttributes['server.address'] != '', SpanAttributes['server.address'], SpanAttributes['net.peer.name'] != '', SpanAttributes['net.peer.name'], url != '', domain(url), SpanAttributes['network.peer.address'] != '', SpanAttributes['network.peer.address'], SpanAttributes['net.peer.ip'])) AS host,
            if(url != '', arrayStringConcat(arraySlice(splitByChar('/', path(url)), 1, 3), '/'), '') AS url_path,
            SpanAttributes['peer.service'] AS peer,
            SpanAttributes['rpc.system'] AS rpc,
            positionCaseInsensitive(SpanKind, 'server') > 0 AS is_server,
            lower(SpanAttributes['integration.operation']) AS op,
            upper(if(SpanAttributes['http.request.method'] != '', SpanAttributes['http.request.method'], SpanAttributes['http.method'])) AS method,
            upper(multiIf(
                SpanAttributes['db.operation.name'] != '', SpanAttributes['db.operation.name'],
                SpanAttributes['db.operation'] != '', SpanAttributes['db.operation'],
                extract(if(SpanAttributes['db.query.text'] != '', SpanAttributes['db.query.text'], SpanAttributes['db.statement']), '^\\s*([A-Za-z]+)'))) AS dbop,
            lower(if(SpanAttributes['messaging.operation.type'] != '', SpanAttributes['messaging.operation.type'], SpanAttributes['messaging.operation'])) AS msgop,
            multiIf(
                op = 'read', 'read',
                op IN ('create', 'update', 'upsert', 'delete', 'write'), 'write',
                method IN ('GET', 'HEAD'), 'read',
                method IN ('POST', 'PUT', 'PATCH', 'DELETE'), 'write',
                dbop IN ('SELECT', 'WITH', 'SHOW', 'FIND', 'GET', 'MGET', 'HGET', 'HGETALL', 'SCAN', 'AGGREGATE', 'COUNT'), 'read',
                dbop IN ('INSERT', 'UPDATE', 'DELETE', 'UPSERT', 'MERGE', 'REPLACE', 'COPY', 'SET', 'HSET', 'TRUNCATE', 'INSERTONE', 'INSERTMANY', 'UPDATEONE', 'UPDATEMANY', 'DELETEONE', 'DELETEMANY'), 'write',
                msgop IN ('receive', 'process', 'deliver'), 'read',
                msgop IN ('publish', 'send', 'create'), 'write',
                positionCaseInsensitive(SpanKind, 'producer') > 0, 'write',
                positionCaseInsensitive(SpanKind, 'consumer') > 0, 'read',
                'unknown') AS dir
        FROM otel_traces
    )
)
ARRAY JOIN touches AS t, arrayEnumerate(touches) AS n;

-- The first rollup: per minute, per integration, per touched endpoint, direction and domain.
CREATE TABLE IF NOT EXISTS weft_endpoint_rollup_1m (
    minute DateTime('UTC'),
    integration LowCardinality(String),
    service LowCardinality(String),
    direction LowCardinality(String),
    ep_kind LowCardinality(String),
    ep_sys LowCardinality(String),
    ep_host String,
    ep_name String,
    ep_peer String,
    domain LowCardinality(String),
    spans SimpleAggregateFunction(sum, UInt64),
    errors SimpleAggregateFunction(sum, UInt64),
    records SimpleAggregateFunction(sum, UInt64),
    latency AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), Float64),
    first_seen SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    last_seen SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
    sample_trace SimpleAggregateFunction(max, String),
    sample_error_trace SimpleAggregateFunction(max, String)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, integration, direction, ep_kind, ep_sys, ep_host, ep_name, ep_peer, domain, service)
TTL minute + toIntervalDay({{ROLLUP_TTL_DAYS}});

CREATE MATERIALIZED VIEW IF NOT EXISTS weft_endpoint_rollup_1m_mv TO weft_endpoint_rollup_1m AS
SELECT
    toStartOfMinute(ts) AS minute, integration, service, direction, ep_kind, ep_sys, ep_host, ep_name, ep_peer, domain,
    count() AS spans,
    countIf(is_error = 1) AS errors,
    sum(records) AS records,
    quantilesTDigestState(0.5, 0.95, 0.99)(duration_ms) AS latency,
    min(ts) AS first_seen,
    max(ts) AS last_seen,
    max(trace_id) AS sample_trace,
    maxIf(trace_id, is_error = 1) AS sample_error_trace
FROM weft_span_touches
GROUP BY minute, integration, service, direction, ep_kind, ep_sys, ep_host, ep_name, ep_peer, domain;

-- Per trace and integration: what it read and what it wrote. Kept two days: the pairing job
-- reads only recent hours of it (the bounded late-arrival window), so its cost does not grow with history.
CREATE TABLE IF NOT EXISTS weft_trace_touches (
    hour DateTime('UTC'),
    trace_id String,
    integration LowCardinality(String),
    service LowCardinality(String),
    domains SimpleAggregateFunction(groupUniqArrayArray, Array(String)),
    reads SimpleAggregateFunction(groupUniqArrayArray, Array(Tuple(String, String, String, String, String))),
    writes SimpleAggregateFunction(groupUniqArrayArray, Array(Tuple(String, String, String, String, String))),
    spans SimpleAggregateFunction(sum, UInt64),
    errors SimpleAggregateFunction(sum, UInt64),
    records SimpleAggregateFunction(sum, UInt64),
    start SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    end SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
) ENGINE = AggregatingMergeTree
PARTITION BY toDate(hour)
ORDER BY (hour, integration, trace_id, service)
TTL hour + toIntervalDay(2);

CREATE MATERIALIZED VIEW IF NOT EXISTS weft_trace_touches_mv TO weft_trace_touches AS
SELECT
    toStartOfHour(ts) AS hour, trace_id, integration, service,
    groupUniqArrayIf(domain, domain != '') AS domains,
    groupUniqArrayIf((ep_kind, ep_sys, ep_host, ep_name, ep_peer), direction = 'read') AS reads,
    groupUniqArrayIf((ep_kind, ep_sys, ep_host, ep_name, ep_peer), direction = 'write') AS writes,
    countIf(is_primary = 1) AS spans,
    countIf(is_primary = 1 AND is_error = 1) AS errors,
    sum(records) AS records,
    min(ts) AS start,
    max(end_ts) AS end
FROM weft_span_touches
GROUP BY hour, trace_id, integration, service;
