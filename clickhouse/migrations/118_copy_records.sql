-- A later copy of a span (analyzer/flows/span-copies.ts) is taken back whole, its records where the rollups counted
-- them. The endpoint rollups count a span's records on its first touch only (weft_span_touches.is_primary), and which
-- of its touches that was was not kept: a later copy's records went back only with its only touch, and a copy with two
-- touches, one of them its first copy's, kept its records on that row (the first copy reading crm with 3 records, a
-- later copy reading crm and writing erp with 4: the crm read row counted 7). The touch sets now keep each span's first
-- touch (`primary_spans`: span id, direction, endpoint), and a take-back says where records go apart from the touches
-- whose spans it takes back (`record_touches`, in weft_pairing_retract and in the ledger of what was taken back). Touch
-- sets stored before this migration have none (a copy's records then go with its only touch, as before).
ALTER TABLE weft_trace_touch_sets ADD COLUMN IF NOT EXISTS primary_spans Array(Tuple(String, Tuple(String, Tuple(String, String, String, String, String))));

-- The view 114 made, with the first touches.
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
    groupUniqArrayIf((span_id, (ep_kind, ep_sys, ep_host, ep_name, ep_peer)), direction NOT IN ('read', 'write') AND ep_kind != '') AS unknown_spans,
    cityHash64(if(extract(toString(getSetting('insert_deduplication_token')), '^weft-spool-[a-z_]+-([0-9a-z]+\\.[0-9]+)') AS spool_segment != '', spool_segment, queryID())) AS insert_key,
    groupUniqArrayIf((span_id, (direction, (ep_kind, ep_sys, ep_host, ep_name, ep_peer))), is_primary = 1 AND ep_kind != '') AS primary_spans
FROM weft_span_touches
GROUP BY trace_id, integration;

-- Where a take-back's records go: the touches (direction, endpoint) the rollups counted its records on.
ALTER TABLE weft_pairing_retract ADD COLUMN IF NOT EXISTS record_touches Array(Tuple(String, Tuple(String, String, String, String, String)));
ALTER TABLE weft_transport_ledger ADD COLUMN IF NOT EXISTS record_touches Array(Tuple(String, Tuple(String, String, String, String, String)));
