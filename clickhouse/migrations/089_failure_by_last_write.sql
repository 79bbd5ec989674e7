-- A run's failure on a target system is its last write to the system's. A write to one ERP host that failed, then
-- the same write to a second ERP host that succeeded (a failover), failed crm → erp: which endpoints are one system is
-- known only when a query resolves them, and the first endpoint's last write had failed. The pairing tables now keep a
-- unit's write endpoints in the order of their last write (`write_order`, of writes ending at once a failed one first;
-- part of the shape), and each edge row its target's place in it (`write_rank`, from 1); a query that resolves edges
-- to systems fails a run group on a system when a resource of it (kind and name, whatever the host) was last written
-- by a write that failed (analyzer/flows/window-source.ts): accounts that failed on one ERP host and were written on
-- another fail nothing; accounts that failed and contacts written after them fail the run.
-- Rows from before this migration carry an empty order and rank 0, and are read as they were.
ALTER TABLE weft_pairing_traces ADD COLUMN IF NOT EXISTS write_order Array(Tuple(String, String, String, String, String));

ALTER TABLE weft_pairing_work ADD COLUMN IF NOT EXISTS write_order Array(Tuple(String, String, String, String, String));

ALTER TABLE weft_pairing_work MODIFY COLUMN digest UInt64 MATERIALIZED
    cityHash64(minute, integration, service, domain, arraySort(reads), arraySort(writes), failed, errors, records, start, end, arraySort(traces),
        arraySort(failed_writes), arraySort(target_records), records_fallback, write_order);

ALTER TABLE weft_pairing_ledger ADD COLUMN IF NOT EXISTS write_order Array(Tuple(String, String, String, String, String));

ALTER TABLE weft_flow_edges_1m ADD COLUMN IF NOT EXISTS write_rank SimpleAggregateFunction(max, UInt16);

ALTER TABLE weft_flow_edges_1h ADD COLUMN IF NOT EXISTS write_rank SimpleAggregateFunction(max, UInt16);

DROP VIEW IF EXISTS weft_flow_edges_1h_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS weft_flow_edges_1h_mv TO weft_flow_edges_1h AS
SELECT toStartOfHour(minute) AS hour, integration, service, domain,
    src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer, shape,
    sum(traces) AS traces, sum(failed_traces) AS failed_traces, sum(error_spans) AS error_spans, sum(records) AS records,
    quantilesTDigestMergeState(0.5, 0.95, 0.99)(latency) AS latency,
    min(first_seen) AS first_seen, max(last_seen) AS last_seen, max(sample_trace) AS sample_trace, max(sample_error_trace) AS sample_error_trace,
    max(sample_slow) AS sample_slow, max(records_per_target) AS records_per_target, sum(records_fallback) AS records_fallback,
    max(write_rank) AS write_rank
FROM weft_flow_edges_1m
GROUP BY hour, integration, service, domain, src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer, shape;
