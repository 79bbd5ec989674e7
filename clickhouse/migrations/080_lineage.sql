-- OpenLineage RunEvents as received (lineage/): one row per (run, event type, event time); a
-- repeated event replaces itself (the newest arrival wins), so a client's retries count once.
CREATE TABLE IF NOT EXISTS weft_lineage_events (
    event_time DateTime64(3, 'UTC'),
    arrived DateTime64(3, 'UTC'),
    run_id String,
    event_type LowCardinality(String),
    job_namespace String,
    job_name String,
    parent_run_id String,
    parent_job_namespace String,
    parent_job_name String,
    -- the `domain` tag of the job or run (tags facet), or ''
    domain LowCardinality(String),
    nominal_start Nullable(DateTime64(3, 'UTC')),
    nominal_end Nullable(DateTime64(3, 'UTC')),
    inputs Array(Tuple(namespace String, name String)),
    outputs Array(Tuple(namespace String, name String)),
    -- rowCount from inputStatistics / outputStatistics per dataset, -1 where the event gave none.
    input_rows Array(Int64),
    output_rows Array(Int64),
    producer String,
    raw String
) ENGINE = ReplacingMergeTree(arrived)
PARTITION BY toYYYYMM(event_time)
ORDER BY (run_id, event_type, event_time)
TTL toDateTime(event_time) + INTERVAL {{RECORD_TTL_DAYS}} DAY;

-- The flows of finished runs: one row per run × input × output (an empty side: the job itself),
-- written once per run by the receiver when its COMPLETE, FAIL or ABORT arrives. Endpoint columns
-- are those of weft_flow_edges_1m (see 022), so the catalog's match rules resolve them at query time.
CREATE TABLE IF NOT EXISTS weft_lineage_flows (
    ended DateTime64(3, 'UTC'),
    started DateTime64(3, 'UTC'),
    has_start UInt8,
    run_id String,
    job String,
    parent_job String,
    domain LowCardinality(String),
    status LowCardinality(String),
    src_dataset String,
    tgt_dataset String,
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
    rows_read Int64,
    rows_written Int64
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(ended)
ORDER BY (run_id, src_dataset, tgt_dataset)
TTL toDateTime(ended) + INTERVAL {{RECORD_TTL_DAYS}} DAY;

-- A finished run is one "trace" of its job's flow edges, beside the traced ones: FAIL counts as failed,
-- records are the rows written, latency the run's duration when its START was seen.
CREATE MATERIALIZED VIEW IF NOT EXISTS weft_lineage_flow_edges_mv TO weft_flow_edges_1m AS
SELECT toStartOfMinute(ended) AS minute, job AS integration, '' AS service, domain,
    src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer,
    count() AS traces, countIf(status = 'FAIL') AS failed_traces, countIf(status = 'FAIL') AS error_spans,
    toUInt64(sum(greatest(rows_written, 0))) AS records,
    quantilesTDigestStateIf(0.5, 0.95, 0.99)(toFloat64(dateDiff('millisecond', started, ended)), has_start = 1) AS latency,
    min(started) AS first_seen, max(ended) AS last_seen, '' AS sample_trace, '' AS sample_error_trace
FROM weft_lineage_flows
GROUP BY minute, integration, domain, src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer;

-- Datasets are endpoints like any other, so the analyzer's endpoint mapping resolves them.
CREATE MATERIALIZED VIEW IF NOT EXISTS weft_lineage_endpoints_mv TO weft_endpoints AS
SELECT ep.1 AS ep_kind, ep.2 AS ep_sys, ep.3 AS ep_host, ep.4 AS ep_name, ep.5 AS ep_peer, min(started) AS first_seen, max(ended) AS last_seen
FROM weft_lineage_flows
ARRAY JOIN [(src_kind, src_sys, src_host, src_name, src_peer), (tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer)] AS ep
WHERE ep.1 != ''
GROUP BY ep_kind, ep_sys, ep_host, ep_name, ep_peer;
