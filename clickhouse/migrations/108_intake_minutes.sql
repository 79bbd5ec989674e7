-- The minutes in which Weft received spans, by its own clock, and how many, kept 9 days: whether the intake was silent
-- over the same stretch of time a day or a week before (alerting/evaluate/quiet-hours.ts). An estate busy by day and
-- silent at night (event-driven flows, people's working hours) was told every night, as critical, that its exporters,
-- the network or Weft's collector were down (`telemetry-gap`): the night's silence was not usual by the last day's
-- silences, of which it was the longest. One row per minute and insert, added up by merges: a few thousand rows.
CREATE TABLE IF NOT EXISTS weft_intake_1m (
    minute DateTime('UTC'),
    spans SimpleAggregateFunction(sum, UInt64)
) ENGINE = AggregatingMergeTree
ORDER BY minute
TTL minute + toIntervalDay(9);

CREATE MATERIALIZED VIEW IF NOT EXISTS weft_intake_1m_mv TO weft_intake_1m AS
SELECT toStartOfMinute(arrived) AS minute, count() AS spans
FROM weft_trace_spans
GROUP BY minute;

-- The last day's arrival minutes, from the senders' rollup (a span count it does not keep: 1 a minute).
INSERT INTO weft_intake_1m SELECT DISTINCT minute, 1 FROM weft_sender_lag_1m WHERE minute >= now() - toIntervalDay(1);
