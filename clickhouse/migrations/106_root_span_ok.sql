-- Whether a span's status is Ok, which its application set (OpenTelemetry trace API, "Set Status": Ok is final, set by
-- an application developer or operator to say the operation completed successfully; instrumentation libraries leave
-- it Unset). A run whose own root span says Ok did not fail, whatever its calls said: an integration that handled a
-- failed call (a clean-up DELETE answered 404, a lock already gone) and said so on its root span had every run counted
-- failed, and its flow's error rate at 100% (analyzer/flows/pairing-job.ts). Spans stored before this migration read 0.
ALTER TABLE weft_trace_spans ADD COLUMN IF NOT EXISTS is_ok UInt8 DEFAULT 0 AFTER is_error;
ALTER TABLE weft_pairing_spans ADD COLUMN IF NOT EXISTS is_ok UInt8 DEFAULT 0 AFTER is_error;

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
    toUInt8(positionCaseInsensitive(StatusCode, 'error') > 0) AS is_error,
    toUInt8(positionCaseInsensitive(StatusCode, 'ok') > 0) AS is_ok,
    toUInt64OrZero(SpanAttributes['integration.records']) AS records,
    toDateTime64(Timestamp, 3, 'UTC') AS ts,
    fromUnixTimestamp64Milli(toInt64(toUnixTimestamp64Milli(toDateTime64(Timestamp, 3, 'UTC')) + intDiv(Duration, 1000000)), 'UTC') AS end_ts
FROM otel_traces;
