-- Flow edges per minute: one trace of one integration read `src_*` and wrote `tgt_*`
-- (an empty side: the integration itself). Written by the analyzer's pairing job from
-- weft_trace_touches once a trace is past the late-arrival window.
CREATE TABLE IF NOT EXISTS weft_flow_edges_1m (
    minute DateTime('UTC'),
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
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, integration, src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer, domain, service)
TTL minute + toIntervalDay({{ROLLUP_TTL_DAYS}});

-- All-time first/last seen per edge, without a time dimension (for stale-flow detection).
CREATE TABLE IF NOT EXISTS weft_flow_edges_seen (
    integration LowCardinality(String),
    service LowCardinality(String),
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
    first_seen SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    last_seen SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
) ENGINE = AggregatingMergeTree
ORDER BY (integration, src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer, service);

CREATE MATERIALIZED VIEW IF NOT EXISTS weft_flow_edges_seen_mv TO weft_flow_edges_seen AS
SELECT integration, service, src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer,
    sum(traces) AS traces, min(first_seen) AS first_seen, max(last_seen) AS last_seen
FROM weft_flow_edges_1m
GROUP BY integration, service, src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer;

-- How far the pairing job has sealed traces (by trace end time).
CREATE TABLE IF NOT EXISTS weft_analyzer_state (
    name String,
    value DateTime64(3, 'UTC'),
    version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY name;
