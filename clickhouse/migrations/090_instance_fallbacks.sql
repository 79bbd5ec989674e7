-- Which service instance a span came from, when its resource has no `service.instance.id`: the runs of an integration
-- that loses trace context are put back together per instance (analyzer/flows/run-boundaries.ts), and replicas whose
-- resources said neither an instance id nor host + pid were one instance: a read of one replica and a write of
-- another, close in time, were paired into a flow neither replica ran (an undocumented flow that does not exist).
-- The instance is now the first of the OpenTelemetry resource attributes that tell processes apart
-- (semantic conventions: service, k8s, container, host, process):
--   service.instance.id; k8s.pod.uid; container.id; host.id or host.name with process.pid; host.id or host.name alone
--   (the processes of one host are then one instance, replicas on other hosts apart); else '' as before.
-- Spans stored before this migration keep their instance; a run without trace context that straddles the upgrade
-- may be split in two.
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
    toUInt64OrZero(SpanAttributes['integration.records']) AS records,
    toDateTime64(Timestamp, 3, 'UTC') AS ts,
    fromUnixTimestamp64Milli(toInt64(toUnixTimestamp64Milli(toDateTime64(Timestamp, 3, 'UTC')) + intDiv(Duration, 1000000)), 'UTC') AS end_ts
FROM otel_traces;
