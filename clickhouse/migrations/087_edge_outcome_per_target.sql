-- A run's failure on the edge it failed on. A run that wrote ERP (201) and billing (500) failed, and every edge of it
-- counted a failed run: crm → erp, whose every write succeeded, got a false error-rate finding. Now an edge to a
-- target fails when the last write of the run to that target failed; where no write's last attempt failed (the root
-- span failed, or a read), a failed run fails every edge of it, as before; an edge with no target (a run that only
-- reads) fails with its run.
--
-- The touch sets keep, per write endpoint, its last write: (end ms × 2 + 1 when it succeeded), the largest wins, so
-- of writes ending in the same millisecond one that succeeded is the last. Their view is made anew with this column and
-- 085's record_spans: (span id, direction, records) of the spans that reported records and did not fail.
ALTER TABLE weft_trace_touch_sets ADD COLUMN IF NOT EXISTS write_last Tuple(Array(String), Array(UInt64));

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
             [toUInt64(toUnixTimestamp64Milli(end_ts)) * 2 + (is_error = 0)], direction = 'write' AND ep_kind != '') AS write_last
FROM weft_span_touches
GROUP BY trace_id, integration;

-- The targets whose last write failed, per trace and per unit; and, in the ledger, the shape each unit's edge rows
-- were added with (086), so that retracting them hits those rows (units paired before this migration: 0, as theirs).
ALTER TABLE weft_pairing_traces ADD COLUMN IF NOT EXISTS failed_writes Array(Tuple(String, String, String, String, String));

ALTER TABLE weft_pairing_work ADD COLUMN IF NOT EXISTS failed_writes Array(Tuple(String, String, String, String, String));

ALTER TABLE weft_pairing_work MODIFY COLUMN digest UInt64 MATERIALIZED
    cityHash64(minute, integration, service, domain, arraySort(reads), arraySort(writes), failed, errors, records, start, end, arraySort(traces), arraySort(failed_writes));

ALTER TABLE weft_pairing_ledger ADD COLUMN IF NOT EXISTS failed_writes Array(Tuple(String, String, String, String, String));

ALTER TABLE weft_pairing_ledger ADD COLUMN IF NOT EXISTS shape UInt64;
