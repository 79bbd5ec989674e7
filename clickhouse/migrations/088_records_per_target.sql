-- A run's records on each of its flows: what it wrote to that flow's target. A run that read 5 CRM customers,
-- wrote 5 accounts to the ERP and 2 invoices to billing showed 7 records on crm → erp and 7 on crm → billing (the
-- run's total on every flow). Now a run whose writes report records (`integration.records`) carries them per write
-- endpoint, and each of its edges the records written to its target (a target whose writes report none and whose
-- last write did not fail: the run's own count, else its reads'); a run whose records come from its root span or its
-- reads (no write reports a count) carries those on every edge, as before.
--
-- The touch sets keep (span id, write endpoint) of every write touch (`write_spans`): a span that wrote counts its
-- records (`record_spans`, on whichever of its touches carries them: a span naming both ends with
-- `integration.source` and `integration.target` carries them on its read) as written, to each endpoint it wrote. A
-- touch set stored before this migration has writes and no write_spans: its trace keeps its records on every edge.
-- The pairing tables keep the records a trace or unit wrote to each target (0: its writes there reported none) and its
-- own count, else its reads' (`records_fallback`); each edge row whether its records are its target's
-- (`records_per_target`) and the fallback of the runs whose last write to its target did not fail and reported none
-- (`records_fallback`). A query that resolves edges to systems takes, per run group, the records its writes to the
-- system reported, or the fallback when none did (5 ERP accounts reported on one host, contacts on another host
-- silent: 5, not 5 plus the fallback), summed over the group's distinct targets as an OpenLineage run's are
-- (analyzer/flows/window-source.ts); the shape includes which targets reported, so a group is one or the other.
-- Rows from before this migration carry 0 and are read as they were.
ALTER TABLE weft_trace_touch_sets ADD COLUMN IF NOT EXISTS write_spans Array(Tuple(String, String));

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
             direction = 'write' AND ep_kind != '') AS write_spans
FROM weft_span_touches
GROUP BY trace_id, integration;

ALTER TABLE weft_pairing_traces ADD COLUMN IF NOT EXISTS target_records Array(Tuple(Tuple(String, String, String, String, String), UInt64));

ALTER TABLE weft_pairing_work ADD COLUMN IF NOT EXISTS target_records Array(Tuple(Tuple(String, String, String, String, String), UInt64));

ALTER TABLE weft_pairing_work ADD COLUMN IF NOT EXISTS records_fallback UInt64;

ALTER TABLE weft_pairing_work MODIFY COLUMN digest UInt64 MATERIALIZED
    cityHash64(minute, integration, service, domain, arraySort(reads), arraySort(writes), failed, errors, records, start, end, arraySort(traces),
        arraySort(failed_writes), arraySort(target_records), records_fallback);

ALTER TABLE weft_pairing_ledger ADD COLUMN IF NOT EXISTS target_records Array(Tuple(Tuple(String, String, String, String, String), UInt64));

ALTER TABLE weft_pairing_ledger ADD COLUMN IF NOT EXISTS records_fallback UInt64;

ALTER TABLE weft_flow_edges_1m ADD COLUMN IF NOT EXISTS records_per_target SimpleAggregateFunction(max, UInt8),
    ADD COLUMN IF NOT EXISTS records_fallback SimpleAggregateFunction(sum, UInt64);

ALTER TABLE weft_flow_edges_1h ADD COLUMN IF NOT EXISTS records_per_target SimpleAggregateFunction(max, UInt8),
    ADD COLUMN IF NOT EXISTS records_fallback SimpleAggregateFunction(sum, UInt64);

DROP VIEW IF EXISTS weft_flow_edges_1h_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS weft_flow_edges_1h_mv TO weft_flow_edges_1h AS
SELECT toStartOfHour(minute) AS hour, integration, service, domain,
    src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer, shape,
    sum(traces) AS traces, sum(failed_traces) AS failed_traces, sum(error_spans) AS error_spans, sum(records) AS records,
    quantilesTDigestMergeState(0.5, 0.95, 0.99)(latency) AS latency,
    min(first_seen) AS first_seen, max(last_seen) AS last_seen, max(sample_trace) AS sample_trace, max(sample_error_trace) AS sample_error_trace,
    max(sample_slow) AS sample_slow, max(records_per_target) AS records_per_target, sum(records_fallback) AS records_fallback
FROM weft_flow_edges_1m
GROUP BY hour, integration, service, domain, src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer, shape;
