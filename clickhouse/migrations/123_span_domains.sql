-- What a take-back or a move (analyzer/flows/taken-back.ts, transport-hosts.ts) needs of a span to find the endpoint
-- rollup rows the views counted it on: its data domain (the span's integration.domain, else its resource's, as
-- weft_span_touches takes it) and its duration (the latency its touches were counted with). Both were read from
-- otel_traces, which cannot tell copies apart nor keeps what its TTL (by span time) dropped: a later copy sent with
-- another resource domain was taken back under any copy's, and a span of history older than the raw retention under
-- none; the rows they were counted on stayed counted, and the rows they were taken back from read 2^64 − 1 (a call
-- moved to its transport's host: `Unknown system dynamodb:///Orders`). The arrival rows now keep them per stored row
-- (per insert, as the take-backs are). Rows stored before this migration have duration_ms −1: their domain is read
-- from otel_traces, as before.
ALTER TABLE weft_trace_spans ADD COLUMN IF NOT EXISTS domain String DEFAULT '',
    ADD COLUMN IF NOT EXISTS duration_ms Float64 DEFAULT -1;
ALTER TABLE weft_pairing_spans ADD COLUMN IF NOT EXISTS domain String DEFAULT '',
    ADD COLUMN IF NOT EXISTS duration_ms Float64 DEFAULT -1;

-- The view 114 made, with the domain and the duration; of a span the collector classified (log_comment
-- 'weft:classified'), its integration and domain cut to 1024 bytes at a UTF-8 character boundary, as the collector cuts
-- them in the touches it counts (collector/otlp/limits.ts MAX_NAME_BYTES; cut invalid UTF-8 goes back 4 bytes at most):
-- a copy whose resource integration.domain was 2,000 bytes long was taken back under the whole of it, and that row read
-- 2^64 − 1 beside the cut one, counted; a transport under a 1,100-byte integration.flow was never taken back (the
-- arrival rows and the touch sets named two integrations).
DROP VIEW IF EXISTS weft_trace_spans_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS weft_trace_spans_mv TO weft_trace_spans AS
SELECT
    now64(3, 'UTC') AS arrived,
    TraceId AS trace_id,
    SpanId AS span_id,
    -- cut as the collector cuts the names of the touches it classifies (123)
    if(getSetting('log_comment') = 'weft:classified' AND length(multiIf(SpanAttributes['integration.flow'] != '', SpanAttributes['integration.flow'], ResourceAttributes['integration.flow'] != '', ResourceAttributes['integration.flow'], ServiceName) AS integration_given) > 1024,
        substring(integration_given, 1, multiIf(NOT bitAnd(reinterpretAsUInt8(substring(integration_given, 1025, 1)), 192) = 128, 1024, NOT bitAnd(reinterpretAsUInt8(substring(integration_given, 1024, 1)), 192) = 128, 1023, NOT bitAnd(reinterpretAsUInt8(substring(integration_given, 1023, 1)), 192) = 128, 1022, NOT bitAnd(reinterpretAsUInt8(substring(integration_given, 1022, 1)), 192) = 128, 1021, 1020)),
        integration_given) AS integration,
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
    if(call_kind = 1, ParentSpanId, '') AS parent_span_id,
    cityHash64(if(extract(toString(getSetting('insert_deduplication_token')), '^weft-spool-[a-z_]+-([0-9a-z]+\\.[0-9]+)') AS spool_segment != '', spool_segment, queryID())) AS insert_key,
    if(getSetting('log_comment') = 'weft:classified' AND length(if(SpanAttributes['integration.domain'] != '', SpanAttributes['integration.domain'], ResourceAttributes['integration.domain']) AS domain_given) > 1024,
        substring(domain_given, 1, multiIf(NOT bitAnd(reinterpretAsUInt8(substring(domain_given, 1025, 1)), 192) = 128, 1024, NOT bitAnd(reinterpretAsUInt8(substring(domain_given, 1024, 1)), 192) = 128, 1023, NOT bitAnd(reinterpretAsUInt8(substring(domain_given, 1023, 1)), 192) = 128, 1022, NOT bitAnd(reinterpretAsUInt8(substring(domain_given, 1022, 1)), 192) = 128, 1021, 1020)),
        domain_given) AS domain,
    Duration / 1e6 AS duration_ms
FROM otel_traces;
