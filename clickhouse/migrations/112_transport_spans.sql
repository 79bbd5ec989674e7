-- A call's transport is not a second call (analyzer/flows/pairing-job.ts, `TRANSPORT`). Instrumented client libraries
-- run over an HTTP layer that is instrumented too: the aws-sdk instrumentation's CLIENT span `DynamoDB.PutItem`
-- (db.system.name dynamodb, the table in db.namespace) has instrumentation-http's CLIENT span `POST`
-- https://dynamodb.eu-west-1.amazonaws.com/ as its child; the Elasticsearch client's span has undici's `PUT` to the
-- cluster; an SQS SendMessage (a PRODUCER span) has the POST that carries it. Each child was counted as a call of its
-- own: an unknown system `dynamodb.eu-west-1.amazonaws.com` and an undocumented flow to it, beside the documented
-- flow to the table. A CLIENT span whose parent, in the same trace and service, is a CLIENT or PRODUCER span that
-- touched a named endpoint is that call's transport: the pairing leaves its touches out of the trace's reads and
-- writes, and takes them back out of the endpoint rollups (counts negated, summed modulo 2^64, as the pairing ledger
-- retracts edges; weft_transport_ledger keeps what was taken back, so that it is taken back once). Parent and child
-- may arrive in different requests, in either order: it is decided when the pairing reads the trace, which it does
-- whenever a span of it arrives. An HTTP call under an INTERNAL or SERVER span (the integration's own work) stays a call.
-- The spans the pairing reads keep what that needs: whether the span is a CLIENT (1) or a PRODUCER (2) span, and a
-- CLIENT span's parent span id (the spans taken back read their domain from otel_traces: looked up on every span at
-- insert, it cost the view 1 µs of CPU a span). Spans stored before this migration have no parent kept and are never a
-- transport.
ALTER TABLE weft_trace_spans ADD COLUMN IF NOT EXISTS parent_span_id String DEFAULT '',
    ADD COLUMN IF NOT EXISTS call_kind UInt8 DEFAULT 0;
ALTER TABLE weft_pairing_spans ADD COLUMN IF NOT EXISTS parent_span_id String DEFAULT '',
    ADD COLUMN IF NOT EXISTS call_kind UInt8 DEFAULT 0;

-- The view 111 made, with the two columns.
DROP VIEW IF EXISTS weft_trace_spans_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS weft_trace_spans_mv TO weft_trace_spans AS
SELECT
    now64(3, 'UTC') AS arrived,
    TraceId AS trace_id,
    SpanId AS span_id,
    multiIf(SpanAttributes['integration.flow'] != '', SpanAttributes['integration.flow'], ResourceAttributes['integration.flow'] != '', ResourceAttributes['integration.flow'], ServiceName) AS integration,
    ServiceName AS service,
    multiIf(
        ResourceAttributes['service.instance.id'] != '', ResourceAttributes['service.instance.id'],
        ResourceAttributes['k8s.pod.uid'] != '', concat('k8s.pod.uid:', ResourceAttributes['k8s.pod.uid']),
        ResourceAttributes['container.id'] != '', concat('container.id:', ResourceAttributes['container.id']),
        ResourceAttributes['process.pid'] != '' AND (ResourceAttributes['host.id'] != '' OR ResourceAttributes['host.name'] != ''),
            concat(if(ResourceAttributes['host.id'] != '', ResourceAttributes['host.id'], ResourceAttributes['host.name']), '/', ResourceAttributes['process.pid']),
        ResourceAttributes['host.id'] != '', concat('host.id:', ResourceAttributes['host.id']),
        ResourceAttributes['host.name'] != '', concat('host.name:', ResourceAttributes['host.name']),
        '') AS instance,
    if(SpanAttributes['integration.run.id'] != '', SpanAttributes['integration.run.id'], ResourceAttributes['integration.run.id']) AS run_id,
    toUInt8(ParentSpanId = '') AS is_root,
    toUInt8(positionCaseInsensitive(SpanKind, 'client') > 0 OR positionCaseInsensitive(SpanKind, 'producer') > 0 OR positionCaseInsensitive(SpanKind, 'consumer') > 0) AS root_touch,
    toUInt8(positionCaseInsensitive(StatusCode, 'error') > 0 AND NOT (positionCaseInsensitive(SpanKind, 'server') = 0
        AND upper(if(SpanAttributes['http.request.method'] != '', SpanAttributes['http.request.method'], SpanAttributes['http.method'])) = 'DELETE'
        AND if(SpanAttributes['http.response.status_code'] != '', SpanAttributes['http.response.status_code'], SpanAttributes['http.status_code']) IN ('404', '410'))) AS is_error,
    toUInt8(positionCaseInsensitive(StatusCode, 'ok') > 0) AS is_ok,
    if(match(SpanAttributes['integration.records'], '^\\+?0*[0-9]{1,13}$') AND toUInt64OrZero(SpanAttributes['integration.records']) <= 1000000000000,
       toUInt64OrZero(SpanAttributes['integration.records']), 0) AS records,
    toDateTime64(Timestamp, 3, 'UTC') AS ts,
    fromUnixTimestamp64Milli(toInt64(toUnixTimestamp64Milli(toDateTime64(Timestamp, 3, 'UTC')) + intDiv(Duration, 1000000)), 'UTC') AS end_ts,
    multiIf(positionCaseInsensitive(SpanKind, 'client') > 0, 1, positionCaseInsensitive(SpanKind, 'producer') > 0, 2, 0) AS call_kind,
    if(call_kind = 1, ParentSpanId, '') AS parent_span_id
FROM otel_traces;

-- Scratch tables of a pairing run, emptied before each use (as weft_pairing_spans): the transport spans of the traces it
-- reads, and those of their rows not taken back out of the endpoint rollups yet (`rows` of them, per span and the
-- integration and service it arrived with; its domain, start, error and records as its touches were counted).
CREATE TABLE IF NOT EXISTS weft_pairing_transport (
    trace_id String,
    span_id String
) ENGINE = MergeTree
ORDER BY (trace_id, span_id);

CREATE TABLE IF NOT EXISTS weft_pairing_retract (
    trace_id String,
    span_id String,
    integration String,
    service String,
    domain String,
    ts DateTime64(3, 'UTC'),
    is_error UInt8,
    records UInt64,
    rows UInt64
) ENGINE = MergeTree
ORDER BY (trace_id, span_id);

-- The transport spans' touches taken back out of weft_endpoint_rollup_1m and _1h: per span and the integration and
-- service it arrived with, how many of its rows (arrivals) were taken back. Kept as long as the spans the pairing reads.
CREATE TABLE IF NOT EXISTS weft_transport_ledger (
    trace_id String,
    span_id String,
    integration String,
    service String,
    rows UInt64,
    at DateTime64(3, 'UTC')
) ENGINE = MergeTree
ORDER BY (trace_id, span_id)
TTL toDateTime(at) + toIntervalDay(2);
