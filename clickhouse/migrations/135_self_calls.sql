-- A service's call to itself is no call to a system (analyzer/flows/transport-spans.ts, `SELF_CALLS`): an integration
-- that serves HTTP and calls its own endpoint (an internal step, a flow of the same runtime called over HTTP, a gRPC
-- service calling its own method) has a CLIENT span whose child, in the same trace, is the SERVER span of the same
-- service. The CLIENT span's host and port (127.0.0.1:8080, the runtime's own) were `Unknown system` and an undocumented
-- flow into it, whatever the catalog said. To see the SERVER span under the CLIENT span, the spans the pairing reads
-- now keep a SERVER span's parent span id too, and mark it with call_kind 3 (CLIENT 1 and PRODUCER 2 as before).
-- Spans stored before this migration have no SERVER parent kept: their self-calls stay calls.
-- weft_trace_spans_mv as 126 made it, with those two columns; making it anew loses nothing stored.

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
    -- a call answered as it asked is not a failed call (107, 125), nor is a database/sql call answered driver.ErrSkip
    -- (126), as in weft_span_touches_mv above
    toUInt8(positionCaseInsensitive(StatusCode, 'error') > 0
        AND NOT (StatusMessage = 'driver: skip fast-path; continue as if unimplemented' OR has(arrayMap(a -> a['exception.message'], Events.Attributes), 'driver: skip fast-path; continue as if unimplemented'))
        AND NOT (positionCaseInsensitive(SpanKind, 'server') = 0 AND multiIf(
        upper(if(SpanAttributes['http.request.method'] != '', SpanAttributes['http.request.method'], SpanAttributes['http.method'])) AS http_method = 'DELETE',
            if(SpanAttributes['http.response.status_code'] != '', SpanAttributes['http.response.status_code'], SpanAttributes['http.status_code']) AS http_status IN ('404', '410'),
        http_method = 'POST' AND http_status = '409', true,
        http_status = '412' AND http_method IN ('PUT', 'POST', 'PATCH')
            AND (SpanAttributes['http.request.header.if-none-match'] != '' OR SpanAttributes['http.request.header.if_none_match'] != '')))) AS is_error,
    toUInt8(positionCaseInsensitive(StatusCode, 'ok') > 0) AS is_ok,
    if(match(SpanAttributes['integration.records'], '^\\+?0*[0-9]{1,13}$') AND toUInt64OrZero(SpanAttributes['integration.records']) <= 1000000000000,
       toUInt64OrZero(SpanAttributes['integration.records']), 0) AS records,
    toDateTime64(Timestamp, 3, 'UTC') AS ts,
    fromUnixTimestamp64Milli(toInt64(toUnixTimestamp64Milli(toDateTime64(Timestamp, 3, 'UTC')) + intDiv(Duration, 1000000)), 'UTC') AS end_ts,
    multiIf(positionCaseInsensitive(SpanKind, 'client') > 0, 1, positionCaseInsensitive(SpanKind, 'producer') > 0, 2,
            positionCaseInsensitive(SpanKind, 'server') > 0, 3, 0) AS call_kind,
    if(call_kind IN (1, 3), ParentSpanId, '') AS parent_span_id,
    cityHash64(if(extract(toString(getSetting('insert_deduplication_token')), '^weft-spool-[a-z_]+-([0-9a-z]+\\.[0-9]+)') AS spool_segment != '', spool_segment, queryID())) AS insert_key,
    if(getSetting('log_comment') = 'weft:classified' AND length(if(SpanAttributes['integration.domain'] != '', SpanAttributes['integration.domain'], ResourceAttributes['integration.domain']) AS domain_given) > 1024,
        substring(domain_given, 1, multiIf(NOT bitAnd(reinterpretAsUInt8(substring(domain_given, 1025, 1)), 192) = 128, 1024, NOT bitAnd(reinterpretAsUInt8(substring(domain_given, 1024, 1)), 192) = 128, 1023, NOT bitAnd(reinterpretAsUInt8(substring(domain_given, 1023, 1)), 192) = 128, 1022, NOT bitAnd(reinterpretAsUInt8(substring(domain_given, 1022, 1)), 192) = 128, 1021, 1020)),
        domain_given) AS domain,
    Duration / 1e6 AS duration_ms
FROM otel_traces;
