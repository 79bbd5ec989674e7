-- Each sender's clock against Weft's (analyzer/flows/pairing-job.ts, SENDER_SHIFT). A paired run's minute in
-- weft_flow_edges_1m was its start by its sender's clock: a sender whose clock ran 10 minutes behind Weft's put every run
-- 10 minutes in the past, so its flow, running every minute, had no run in the last 5 minutes (`traces < 1` fired) and
-- its failures and latency never reached the windows ending now (no error-rate or latency alert while it failed).
-- Per arrival minute and sender (service and instance, as weft_trace_spans names them), the least lag of its spans:
-- arrival (Weft's clock) − end (the sender's). An export adds seconds to a span's lag; a clock off adds its offset to
-- every span's. A sender whose last three arrival minutes each hold the same least lag (within 30 s), a minute or more,
-- is a clock that far behind, not history delivered late (a gateway's backlog, a replayed spool, history sent to a new
-- installation arrive with lags that shrink as they are sent). Kept a day.
CREATE TABLE IF NOT EXISTS weft_sender_lag_1m (
    minute DateTime('UTC'),
    service LowCardinality(String),
    instance String,
    min_lag_ms SimpleAggregateFunction(min, Int64)
) ENGINE = AggregatingMergeTree
ORDER BY (service, instance, minute)
TTL minute + toIntervalDay(1);

CREATE MATERIALIZED VIEW IF NOT EXISTS weft_sender_lag_1m_mv TO weft_sender_lag_1m AS
SELECT toStartOfMinute(arrived) AS minute, service, instance, min(dateDiff('millisecond', end_ts, arrived)) AS min_lag_ms
FROM weft_trace_spans
GROUP BY minute, service, instance;

-- Where each trace of a pairing run is placed (its start by Weft's clock: moved by its sender's offset), from which its
-- unit's minute is taken.
ALTER TABLE weft_pairing_traces ADD COLUMN IF NOT EXISTS placed DateTime64(3, 'UTC');
