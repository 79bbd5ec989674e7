-- A span is one span (analyzer/flows/span-copies.ts). The same trace id and span id sent again with other content — an
-- SDK reusing ids, a pipeline that rewrote a copy — made calls that never happened: an integration's CLIENT span sent as
-- `POST http://erp.internal/…` and, in a later request, as `POST http://billing.internal/…` kept the first copy's fields
-- (the pairing's FIRST_ROW) but the touches of both, and the pairing printed `Undocumented flow crm → billing` beside the
-- documented crm → erp; the endpoint rollups counted billing.internal too. The first copy to arrive is the span: the
-- touches of later copies that it did not make are left out of the pairing and taken back out of the endpoint rollups
-- (once: weft_transport_ledger, with the reason 'copy'). An exact copy (a re-export) makes no touch the first did not.
--
-- Which touch-set row holds which copy: each view stamps its own now64() (the touch sets seconds after the spans on a
-- large insert, and the collector stores a segment's touches in an insert of their own before its spans), so arrival
-- times do not tell. Both tables now keep the insert a row came from: the spool segment named by the load's
-- deduplication token (`weft-spool-<table>-<run>.<seq>[-<part>]`, the same segment for its touches and its spans), else
-- the insert's query id (one insert feeds both views: an OpenTelemetry Collector's exporter, a server load). Rows stored
-- before this migration have 0 and are never told apart.
ALTER TABLE weft_trace_spans ADD COLUMN IF NOT EXISTS insert_key UInt64 DEFAULT 0;
ALTER TABLE weft_pairing_spans ADD COLUMN IF NOT EXISTS insert_key UInt64 DEFAULT 0;
ALTER TABLE weft_trace_touch_sets ADD COLUMN IF NOT EXISTS insert_key UInt64 DEFAULT 0;

-- The view 112 made, with the insert.
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
    if(call_kind = 1, ParentSpanId, '') AS parent_span_id,
    cityHash64(if(extract(toString(getSetting('insert_deduplication_token')), '^weft-spool-[a-z_]+-([0-9a-z]+\\.[0-9]+)') AS spool_segment != '', spool_segment, queryID())) AS insert_key
FROM otel_traces;

-- The view 101 made, with the insert.
DROP VIEW IF EXISTS weft_trace_touch_sets_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS weft_trace_touch_sets_mv TO weft_trace_touch_sets AS
SELECT
    now64(3, 'UTC') AS arrived, trace_id, integration,
    groupUniqArrayIf(domain, domain != '') AS domains,
    groupUniqArrayIf((ep_kind, ep_sys, ep_host, ep_name, ep_peer), direction = 'read' AND ep_kind != '') AS reads,
    groupUniqArrayIf((ep_kind, ep_sys, ep_host, ep_name, ep_peer), direction = 'write' AND ep_kind != '') AS writes,
    groupUniqArrayIf((ep_kind, ep_sys, ep_host, ep_name, ep_peer), direction NOT IN ('read', 'write') AND ep_kind != '') AS unknowns,
    groupUniqArrayIf((span_id, direction, records), records > 0 AND is_error = 0) AS record_spans,
    maxMapIf([concat(ep_kind, char(31), ep_sys, char(31), ep_host, char(31), ep_name, char(31), ep_peer)],
             [toUInt64(toUnixTimestamp64Milli(end_ts)) * 2 + (is_error = 0)], direction = 'write' AND ep_kind != '') AS write_last,
    groupUniqArrayIf((span_id, concat(ep_kind, char(31), ep_sys, char(31), ep_host, char(31), ep_name, char(31), ep_peer)),
             direction = 'write' AND ep_kind != '') AS write_spans,
    groupUniqArrayIf((span_id, (ep_kind, ep_sys, ep_host, ep_name, ep_peer)), direction = 'read' AND ep_kind != '') AS read_spans,
    groupUniqArrayIf((span_id, (ep_kind, ep_sys, ep_host, ep_name, ep_peer)), direction NOT IN ('read', 'write') AND ep_kind != '') AS unknown_spans,
    cityHash64(if(extract(toString(getSetting('insert_deduplication_token')), '^weft-spool-[a-z_]+-([0-9a-z]+\\.[0-9]+)') AS spool_segment != '', spool_segment, queryID())) AS insert_key
FROM weft_span_touches
GROUP BY trace_id, integration;

-- Scratch tables of a pairing run, emptied before each use (as weft_pairing_spans): the spans whose copies arrived in
-- more than one insert, with the insert of the first (`first_key`); and the touches of their later copies that the
-- first did not make, per touch-set row (trace, insert, integration): `touch` is `<direction>\x1e<endpoint>` (the
-- endpoint's five fields joined by \x1f, as write_spans keeps it), or `records\x1e<direction>` for its record_spans entry.
CREATE TABLE IF NOT EXISTS weft_pairing_resent (
    trace_id String,
    span_id String,
    first_key UInt64
) ENGINE = MergeTree
ORDER BY (trace_id, span_id);

CREATE TABLE IF NOT EXISTS weft_pairing_dropped (
    trace_id String,
    insert_key UInt64,
    integration String,
    span_id String,
    touch String
) ENGINE = MergeTree
ORDER BY (trace_id, insert_key);

-- weft_pairing_retract (112) says what it takes back: which touches (`touches`, direction and endpoint), whether the
-- span's records go with them (`with_records`), why (`reason`: transport, copy) and, for a copy, its insert.
ALTER TABLE weft_pairing_retract ADD COLUMN IF NOT EXISTS insert_key UInt64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS reason LowCardinality(String) DEFAULT 'transport',
    ADD COLUMN IF NOT EXISTS touches Array(Tuple(String, Tuple(String, String, String, String, String))),
    ADD COLUMN IF NOT EXISTS with_records UInt8 DEFAULT 0;

-- The ledger of what was taken back out of the endpoint rollups keeps why, and a copy's insert: a transport span is
-- taken back per arrival (rows), a copy once per insert.
ALTER TABLE weft_transport_ledger ADD COLUMN IF NOT EXISTS reason LowCardinality(String) DEFAULT 'transport',
    ADD COLUMN IF NOT EXISTS insert_key UInt64 DEFAULT 0;
