-- The slowest run of each flow edge, kept beside the sample trace: (latency in ms, trace id), the largest in the
-- minute and the hour. A latency finding shows this trace, one that is slow, not any trace of the flow.
ALTER TABLE weft_flow_edges_1m ADD COLUMN IF NOT EXISTS sample_slow SimpleAggregateFunction(max, Tuple(Float64, String));

ALTER TABLE weft_flow_edges_1h ADD COLUMN IF NOT EXISTS sample_slow SimpleAggregateFunction(max, Tuple(Float64, String));

DROP VIEW IF EXISTS weft_flow_edges_1h_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS weft_flow_edges_1h_mv TO weft_flow_edges_1h AS
SELECT toStartOfHour(minute) AS hour, integration, service, domain,
    src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer,
    sum(traces) AS traces, sum(failed_traces) AS failed_traces, sum(error_spans) AS error_spans, sum(records) AS records,
    quantilesTDigestMergeState(0.5, 0.95, 0.99)(latency) AS latency,
    min(first_seen) AS first_seen, max(last_seen) AS last_seen, max(sample_trace) AS sample_trace, max(sample_error_trace) AS sample_error_trace,
    max(sample_slow) AS sample_slow
FROM weft_flow_edges_1m
GROUP BY hour, integration, service, domain, src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer;
