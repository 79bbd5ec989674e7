-- When Weft received each flow edge's newest run, by its own clock (the run's spans' arrival), beside last_seen (the
-- run's end by the clocks of the processes that ran it). A flow's silence is counted from it: a writer whose clock is
-- behind Weft's made every run look older than it was, and a flow that ran a minute ago was reported stale.
-- Rows paired before this migration keep 1970 (unknown): their last_seen stands in for it.
ALTER TABLE weft_pairing_work ADD COLUMN IF NOT EXISTS arrived DateTime64(3, 'UTC') DEFAULT toDateTime64(0, 3, 'UTC');

ALTER TABLE weft_flow_edges_1m ADD COLUMN IF NOT EXISTS last_arrived SimpleAggregateFunction(max, DateTime64(3, 'UTC'));

ALTER TABLE weft_flow_edges_seen ADD COLUMN IF NOT EXISTS last_arrived SimpleAggregateFunction(max, DateTime64(3, 'UTC'));

DROP VIEW IF EXISTS weft_flow_edges_seen_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS weft_flow_edges_seen_mv TO weft_flow_edges_seen AS
SELECT integration, service, src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer,
    sum(traces) AS traces, min(first_seen) AS first_seen, max(last_seen) AS last_seen, max(last_arrived) AS last_arrived
FROM weft_flow_edges_1m
GROUP BY integration, service, src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer;
