-- Which span made each read and each touch of no known direction, as write_spans (088) keeps for writes: a trace whose
-- root span never arrived and whose spans came in apart (one trace context reused by many runs: a constant TRACEPARENT
-- in a CronJob's environment, a worker continuing one long-lived trace) is cut into the runs it holds
-- (analyzer/flows/pairing-job.ts, `traceSegments`), and each run takes the touches of its own spans. A touch set stored
-- before this migration has reads without read_spans: its trace is never cut.
ALTER TABLE weft_trace_touch_sets ADD COLUMN IF NOT EXISTS read_spans Array(Tuple(String, Tuple(String, String, String, String, String))),
    ADD COLUMN IF NOT EXISTS unknown_spans Array(Tuple(String, Tuple(String, String, String, String, String)));

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
             direction = 'write' AND ep_kind != '') AS write_spans,
    groupUniqArrayIf((span_id, (ep_kind, ep_sys, ep_host, ep_name, ep_peer)), direction = 'read' AND ep_kind != '') AS read_spans,
    groupUniqArrayIf((span_id, (ep_kind, ep_sys, ep_host, ep_name, ep_peer)), direction NOT IN ('read', 'write') AND ep_kind != '') AS unknown_spans
FROM weft_span_touches
GROUP BY trace_id, integration;

-- The spans of the traces a pairing run cuts into runs, and the run (segment) each belongs to: `<trace id>@<ms>`, the
-- first arrival of its spans; `mark` is the span's end (epoch ms) × 2, + 1 when it did not fail (write_last's mark).
-- A scratch table, emptied before each use, as weft_pairing_spans (098). Each run cut from a trace is also kept in
-- weft_pairing_pieces (095) under the trace's own id, so that what a trace was paired as is found when it is cut anew.
CREATE TABLE IF NOT EXISTS weft_pairing_segments (
    trace_id String,
    span_id String,
    segment String,
    mark UInt64
) ENGINE = MergeTree
ORDER BY (trace_id, span_id);
