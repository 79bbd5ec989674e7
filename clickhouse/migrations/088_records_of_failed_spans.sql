-- A span that failed moved none of the records it names: a write answered 503 and retried with 201, both spans
-- reporting 5 records, moved 5, not 10. The touch sets keep (span id, direction, records) of the spans that
-- reported records and did not fail (085's view, with that condition).
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
