-- A run counted once per flow. A run's edges are every endpoint it read × every endpoint it wrote; a sync that
-- reads /api/customers and /api/orders of the CRM and writes two ERP resources is four endpoint edges, all of
-- them crm → erp once the catalog resolves them, and summing them made one run four (its records four times
-- over, its latency four samples). Each edge row now carries its run's shape: a hash of the sorted endpoints
-- the run read and wrote (of an OpenLineage run: of the job and run id). Every edge of one shape holds the same
-- runs, so a query that resolves edges to systems takes each shape's counts once per resolved edge
-- (analyzer/flows/window-source.ts, `RUN_SHAPE`). Rows from before this migration have shape 0 and are summed
-- edge by edge, as they were.
ALTER TABLE weft_flow_edges_1m ADD COLUMN IF NOT EXISTS shape UInt64,
    MODIFY ORDER BY (minute, integration, src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer, domain, service, shape);

ALTER TABLE weft_flow_edges_1h ADD COLUMN IF NOT EXISTS shape UInt64,
    MODIFY ORDER BY (hour, integration, src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer, domain, service, shape);

DROP VIEW IF EXISTS weft_flow_edges_1h_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS weft_flow_edges_1h_mv TO weft_flow_edges_1h AS
SELECT toStartOfHour(minute) AS hour, integration, service, domain,
    src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer, shape,
    sum(traces) AS traces, sum(failed_traces) AS failed_traces, sum(error_spans) AS error_spans, sum(records) AS records,
    quantilesTDigestMergeState(0.5, 0.95, 0.99)(latency) AS latency,
    min(first_seen) AS first_seen, max(last_seen) AS last_seen, max(sample_trace) AS sample_trace, max(sample_error_trace) AS sample_error_trace,
    max(sample_slow) AS sample_slow
FROM weft_flow_edges_1m
GROUP BY hour, integration, service, domain, src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer, shape;

DROP VIEW IF EXISTS weft_lineage_flow_edges_mv;

-- An OpenLineage run is one run of each of its edges (080 counted one per input × output row, so a run
-- reading two tables of one database was two), its records the rows written to the edge's target datasets
-- (each dataset once), its latency one sample. Its shape is the job and run id.
CREATE MATERIALIZED VIEW IF NOT EXISTS weft_lineage_flow_edges_mv TO weft_flow_edges_1m AS
SELECT minute, integration, '' AS service, domain,
    src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer, shape,
    toUInt64(1) AS traces, toUInt64(failed) AS failed_traces, toUInt64(failed) AS error_spans, records,
    quantilesTDigestStateIf(0.5, 0.95, 0.99)(ms, has_start = 1) AS latency,
    first_seen, last_seen, '' AS sample_trace, '' AS sample_error_trace
FROM (
    SELECT toStartOfMinute(max(ended)) AS minute, job AS integration, domain,
        src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer,
        cityHash64(job, run_id) AS shape,
        max(status = 'FAIL') AS failed,
        toUInt64(arraySum(x -> x.2, groupUniqArray((tgt_dataset, greatest(rows_written, 0))))) AS records,
        toFloat64(dateDiff('millisecond', min(started), max(ended))) AS ms, max(has_start) AS has_start,
        min(started) AS first_seen, max(ended) AS last_seen
    FROM weft_lineage_flows
    GROUP BY job, run_id, domain, src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer
)
GROUP BY minute, integration, domain, src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer, shape,
    failed, records, first_seen, last_seen;
