-- Pairing by arrival (analyzer/flows/pairing-job.ts). The arrival tables are sorted by arrival (a run
-- reads what arrived since its frontier as one key range) with a bloom filter on trace_id (the older rows
-- of the few traces that have some). Spans are paired into flow edges once no new
-- span of their trace has *arrived* for the late-arrival window, whatever their timestamps say; spans
-- arriving later re-pair the trace. Everything here is keyed by arrival time (now64() at insert),
-- kept two days, so the pairing job reads only what arrived recently: its cost follows the ingest rate.

-- One row per span: identity (for exact de-duplication of re-exported spans), arrival, and the run
-- boundaries of its integration (integration.run.id, the service instance, whether it is a root span).
-- `integration` is computed exactly as weft_span_touches_mv computes it (021).
CREATE TABLE IF NOT EXISTS weft_trace_spans (
    arrived DateTime64(3, 'UTC'),
    trace_id String,
    span_id String,
    integration LowCardinality(String),
    service LowCardinality(String),
    instance String,
    run_id String,
    is_root UInt8,
    root_touch UInt8,
    is_error UInt8,
    records UInt64,
    ts DateTime64(3, 'UTC'),
    end_ts DateTime64(3, 'UTC'),
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.01) GRANULARITY 1
) ENGINE = MergeTree
PARTITION BY toStartOfHour(arrived)
ORDER BY (arrived, trace_id, span_id)
TTL toDateTime(arrived) + toIntervalDay(2);

CREATE MATERIALIZED VIEW IF NOT EXISTS weft_trace_spans_mv TO weft_trace_spans AS
SELECT
    now64(3, 'UTC') AS arrived,
    TraceId AS trace_id,
    SpanId AS span_id,
    multiIf(SpanAttributes['integration.flow'] != '', SpanAttributes['integration.flow'], ResourceAttributes['integration.flow'] != '', ResourceAttributes['integration.flow'], ServiceName) AS integration,
    ServiceName AS service,
    multiIf(
        ResourceAttributes['service.instance.id'] != '', ResourceAttributes['service.instance.id'],
        ResourceAttributes['process.pid'] != '' AND (ResourceAttributes['host.id'] != '' OR ResourceAttributes['host.name'] != ''),
            concat(if(ResourceAttributes['host.id'] != '', ResourceAttributes['host.id'], ResourceAttributes['host.name']), '/', ResourceAttributes['process.pid']),
        '') AS instance,
    if(SpanAttributes['integration.run.id'] != '', SpanAttributes['integration.run.id'], ResourceAttributes['integration.run.id']) AS run_id,
    toUInt8(ParentSpanId = '') AS is_root,
    toUInt8(positionCaseInsensitive(SpanKind, 'client') > 0 OR positionCaseInsensitive(SpanKind, 'producer') > 0 OR positionCaseInsensitive(SpanKind, 'consumer') > 0) AS root_touch,
    toUInt8(positionCaseInsensitive(StatusCode, 'error') > 0) AS is_error,
    toUInt64OrZero(SpanAttributes['integration.records']) AS records,
    toDateTime64(Timestamp, 3, 'UTC') AS ts,
    fromUnixTimestamp64Milli(toInt64(toUnixTimestamp64Milli(toDateTime64(Timestamp, 3, 'UTC')) + intDiv(Duration, 1000000)), 'UTC') AS end_ts
FROM otel_traces;

-- When each trace first arrived: the pairing job reads the older rows only of the traces that have some
-- (a late span of an earlier trace), instead of looking every recent trace up across two days of rows.
CREATE TABLE IF NOT EXISTS weft_trace_index (
    trace_id String,
    first_arrived SimpleAggregateFunction(min, DateTime64(3, 'UTC'))
) ENGINE = AggregatingMergeTree
ORDER BY trace_id
TTL toDateTime(first_arrived) + toIntervalDay(2);

CREATE MATERIALIZED VIEW IF NOT EXISTS weft_trace_index_mv TO weft_trace_index AS
SELECT TraceId AS trace_id, min(now64(3, 'UTC')) AS first_arrived
FROM otel_traces
GROUP BY trace_id;

-- What each trace read and wrote, per integration, as it arrives (one row per insert block and trace).
CREATE TABLE IF NOT EXISTS weft_trace_touch_sets (
    arrived DateTime64(3, 'UTC'),
    trace_id String,
    integration LowCardinality(String),
    domains Array(String),
    reads Array(Tuple(String, String, String, String, String)),
    writes Array(Tuple(String, String, String, String, String)),
    unknowns Array(Tuple(String, String, String, String, String)),
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.01) GRANULARITY 1
) ENGINE = MergeTree
PARTITION BY toStartOfHour(arrived)
ORDER BY (arrived, trace_id, integration)
TTL toDateTime(arrived) + toIntervalDay(2);

CREATE MATERIALIZED VIEW IF NOT EXISTS weft_trace_touch_sets_mv TO weft_trace_touch_sets AS
SELECT
    now64(3, 'UTC') AS arrived, trace_id, integration,
    groupUniqArrayIf(domain, domain != '') AS domains,
    groupUniqArrayIf((ep_kind, ep_sys, ep_host, ep_name, ep_peer), direction = 'read' AND ep_kind != '') AS reads,
    groupUniqArrayIf((ep_kind, ep_sys, ep_host, ep_name, ep_peer), direction = 'write' AND ep_kind != '') AS writes,
    groupUniqArrayIf((ep_kind, ep_sys, ep_host, ep_name, ep_peer), direction NOT IN ('read', 'write') AND ep_kind != '') AS unknowns
FROM weft_span_touches
GROUP BY trace_id, integration;

-- What each paired unit (a trace of an integration, or a run of several traces) last contributed to
-- weft_flow_edges_1m. Re-pairing a unit retracts its previous contribution (counts negated, summed
-- modulo 2^64 by the rollups) before adding the new one; an identical contribution (a re-export)
-- changes nothing. `active = 0`: the unit was retracted and replaced by others.
CREATE TABLE IF NOT EXISTS weft_pairing_ledger (
    unit String,
    grp String,
    active UInt8,
    digest UInt64,
    minute DateTime('UTC'),
    integration String,
    service String,
    domain String,
    reads Array(Tuple(String, String, String, String, String)),
    writes Array(Tuple(String, String, String, String, String)),
    failed UInt8,
    errors UInt64,
    records UInt64,
    start DateTime64(3, 'UTC'),
    end DateTime64(3, 'UTC'),
    traces Array(String),
    paired_at DateTime64(3, 'UTC'),
    version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY unit
TTL toDateTime(paired_at) + toIntervalDay(2);

-- Scratch tables of one pairing run (emptied at its start): the traces it looked at, and the units
-- it computed. One pairing job runs at a time (the analyzer process).
CREATE TABLE IF NOT EXISTS weft_pairing_traces (
    trace_id String,
    integration String,
    service String,
    instance String,
    run_id String,
    has_root UInt8,
    root_touch UInt8,
    domains Array(String),
    reads Array(Tuple(String, String, String, String, String)),
    writes Array(Tuple(String, String, String, String, String)),
    unknowns Array(Tuple(String, String, String, String, String)),
    spans UInt64,
    errors UInt64,
    records UInt64,
    start DateTime64(3, 'UTC'),
    end DateTime64(3, 'UTC'),
    last_arrival DateTime64(3, 'UTC'),
    first_arrival DateTime64(3, 'UTC')
) ENGINE = MergeTree
ORDER BY (trace_id, integration);

CREATE TABLE IF NOT EXISTS weft_pairing_work (
    unit String,
    grp String,
    minute DateTime('UTC'),
    integration String,
    service String,
    domain String,
    reads Array(Tuple(String, String, String, String, String)),
    writes Array(Tuple(String, String, String, String, String)),
    failed UInt8,
    errors UInt64,
    records UInt64,
    start DateTime64(3, 'UTC'),
    end DateTime64(3, 'UTC'),
    latency_ms Float64,
    traces Array(String),
    -- 0: every span of the unit arrived after the last run's newest arrival, so it cannot be in the ledger yet.
    known UInt8 DEFAULT 1,
    digest UInt64 MATERIALIZED cityHash64(minute, integration, service, domain, arraySort(reads), arraySort(writes), failed, errors, records, start, end, arraySort(traces))
) ENGINE = MergeTree
ORDER BY unit;

-- One row per pairing run: what it paired, what is still waiting, what it could not place.
CREATE TABLE IF NOT EXISTS weft_pairing_runs (
    at DateTime64(3, 'UTC'),
    settled_before DateTime64(3, 'UTC'),
    frontier DateTime64(3, 'UTC'),
    newest DateTime64(3, 'UTC'),
    units_paired UInt64,
    units_retracted UInt64,
    pending_traces UInt64,
    pending_spans UInt64,
    unplaced_traces UInt64,
    unplaced_spans UInt64,
    observing_since Nullable(DateTime64(3, 'UTC'))
) ENGINE = MergeTree
ORDER BY at
TTL toDateTime(at) + toIntervalDay(7);

-- weft_trace_touches (022) stays: the trace view (api/routes/traces) reads it; pairing no longer does.
