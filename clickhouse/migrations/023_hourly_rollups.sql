-- Hourly rollups beside the per-minute ones: a 24-hour window reads 24 rows per edge instead of 1,440.
-- Queries read whole hours from these and the partial hours at the window's edges from the minute tables.
CREATE TABLE IF NOT EXISTS weft_flow_edges_1h (
    hour DateTime('UTC'),
    integration LowCardinality(String),
    service LowCardinality(String),
    domain LowCardinality(String),
    src_kind LowCardinality(String),
    src_sys LowCardinality(String),
    src_host String,
    src_name String,
    src_peer String,
    tgt_kind LowCardinality(String),
    tgt_sys LowCardinality(String),
    tgt_host String,
    tgt_name String,
    tgt_peer String,
    traces SimpleAggregateFunction(sum, UInt64),
    failed_traces SimpleAggregateFunction(sum, UInt64),
    error_spans SimpleAggregateFunction(sum, UInt64),
    records SimpleAggregateFunction(sum, UInt64),
    latency AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), Float64),
    first_seen SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    last_seen SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
    sample_trace SimpleAggregateFunction(max, String),
    sample_error_trace SimpleAggregateFunction(max, String)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, integration, src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer, domain, service)
TTL hour + toIntervalDay({{ROLLUP_TTL_DAYS}});

CREATE MATERIALIZED VIEW IF NOT EXISTS weft_flow_edges_1h_mv TO weft_flow_edges_1h AS
SELECT toStartOfHour(minute) AS hour, integration, service, domain,
    src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer,
    sum(traces) AS traces, sum(failed_traces) AS failed_traces, sum(error_spans) AS error_spans, sum(records) AS records,
    quantilesTDigestMergeState(0.5, 0.95, 0.99)(latency) AS latency,
    min(first_seen) AS first_seen, max(last_seen) AS last_seen, max(sample_trace) AS sample_trace, max(sample_error_trace) AS sample_error_trace
FROM weft_flow_edges_1m
GROUP BY hour, integration, service, domain, src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer;

CREATE TABLE IF NOT EXISTS weft_endpoint_rollup_1h (
    hour DateTime('UTC'),
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
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, integration, direction, ep_kind, ep_sys, ep_host, ep_name, ep_peer, domain, service)
TTL hour + toIntervalDay({{ROLLUP_TTL_DAYS}});

CREATE MATERIALIZED VIEW IF NOT EXISTS weft_endpoint_rollup_1h_mv TO weft_endpoint_rollup_1h AS
SELECT toStartOfHour(ts) AS hour, integration, service, direction, ep_kind, ep_sys, ep_host, ep_name, ep_peer, domain,
    count() AS spans,
    countIf(is_error = 1) AS errors,
    sum(records) AS records,
    quantilesTDigestState(0.5, 0.95, 0.99)(duration_ms) AS latency,
    min(ts) AS first_seen,
    max(ts) AS last_seen,
    max(trace_id) AS sample_trace,
    maxIf(trace_id, is_error = 1) AS sample_error_trace
FROM weft_span_touches
GROUP BY hour, integration, service, direction, ep_kind, ep_sys, ep_host, ep_name, ep_peer, domain;
