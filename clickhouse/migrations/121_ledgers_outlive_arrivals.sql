-- The pairing's ledgers outlive the arrival rows they account for. A trace's arrival rows (weft_trace_spans,
-- weft_trace_touch_sets, weft_trace_index) and its ledger rows (what a pairing run added to the flow edges, the runs a
-- trace was a piece of, the touches taken back or moved) all expired 2 days after they were written, and TTL deletes
-- rows only when a part of their table is merged: a ledger merged before the arrival rows let a span that arrived late
-- for its trace pair the trace again with nothing to retract (its runs counted twice on the flow edges, a touch taken
-- back or moved again below zero). A day more is longer than the engine waits between TTL merges
-- (merge_with_ttl_timeout, 4 hours). Rows already stored keep the TTL they were written with (no rewrite of the parts).
ALTER TABLE weft_pairing_ledger MODIFY TTL toDateTime(paired_at) + toIntervalDay(3) SETTINGS materialize_ttl_after_modify = 0;
ALTER TABLE weft_pairing_pieces MODIFY TTL toDateTime(paired_at) + toIntervalDay(3) SETTINGS materialize_ttl_after_modify = 0;
ALTER TABLE weft_transport_ledger MODIFY TTL toDateTime(at) + toIntervalDay(3) SETTINGS materialize_ttl_after_modify = 0;
