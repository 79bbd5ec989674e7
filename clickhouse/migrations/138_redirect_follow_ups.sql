-- An HTTP write answered 303 See Other, or a POST answered 301 or 302, is followed by its client with a GET of the
-- Location the server named (RFC 9110 15.4.4, the Fetch standard's HTTP-redirect fetch, follow-redirects in axios and
-- got): that GET is the write's response, not a read of the system (analyzer/flows/transport-spans.ts,
-- `REDIRECT_FOLLOWS`). fetch (undici) and Node http clients trace it as a CLIENT span of its own beside the write: read
-- as a read, it paired with the run's other writes — `Undocumented flow erp → billing` for a sync that read the CRM,
-- created an order in the ERP (303 to the order) and posted the invoice to billing. The spans the pairing reads now keep
-- each CLIENT span's redirect hop: 1 when it was a write answered with such a redirect, 2 when it is a GET answered with
-- a redirect (a chain of them: 303, then 302 to a file host), 3 when it is any other GET. Spans stored before this
-- migration keep 0: their follow-up GETs stay reads.
ALTER TABLE weft_trace_spans ADD COLUMN IF NOT EXISTS redirect_hop UInt8 DEFAULT 0;
ALTER TABLE weft_pairing_spans ADD COLUMN IF NOT EXISTS redirect_hop UInt8 DEFAULT 0;

-- weft_trace_spans_mv as 135 made it, with that column; making it anew loses nothing stored.
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
    Duration / 1e6 AS duration_ms,
    -- 138: a CLIENT span's HTTP redirect hop: 1 when it was a write answered with a redirect its client follows with a
    -- GET, 2 when it is a GET answered with a redirect (followed with a GET), 3 when it is any other GET
    multiIf(call_kind != 1, 0,
        http_status = '303' AND http_method NOT IN ('GET', 'HEAD', ''), 1,
        http_status IN ('301', '302') AND http_method = 'POST', 1,
        http_method = 'GET' AND http_status IN ('301', '302', '303', '307', '308'), 2,
        http_method = 'GET', 3, 0) AS redirect_hop
FROM otel_traces;
