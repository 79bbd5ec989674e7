-- Every distinct endpoint ever touched, small and all-time: the analyzer resolves these to catalog
-- systems (in the catalog's match rules, at query time) and hands the mapping to its queries.
CREATE TABLE IF NOT EXISTS weft_endpoints (
    ep_kind LowCardinality(String),
    ep_sys LowCardinality(String),
    ep_host String,
    ep_name String,
    ep_peer String,
    first_seen SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    last_seen SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
) ENGINE = AggregatingMergeTree
ORDER BY (ep_kind, ep_sys, ep_host, ep_name, ep_peer);

CREATE MATERIALIZED VIEW IF NOT EXISTS weft_endpoints_mv TO weft_endpoints AS
SELECT ep_kind, ep_sys, ep_host, ep_name, ep_peer, min(ts) AS first_seen, max(ts) AS last_seen
FROM weft_span_touches
WHERE ep_kind != ''
GROUP BY ep_kind, ep_sys, ep_host, ep_name, ep_peer;

INSERT INTO weft_endpoints
SELECT ep_kind, ep_sys, ep_host, ep_name, ep_peer, min(first_seen), max(last_seen)
FROM weft_endpoint_rollup_1m
WHERE ep_kind != ''
GROUP BY ep_kind, ep_sys, ep_host, ep_name, ep_peer;
