-- weft_sampled_1m (102) keeps when each minute's last sampled span ended (`last_end`): a sampled run lasting minutes
-- ends long after the minute it started in, and its flow is still sampled (analyzer/flows/sampling.ts, flowSampling).
-- And no probability 0: `ot=p:63` (zero adjusted count: a span kept by a sampler that is not a probability sampler) and
-- out-of-range `p` values say nothing of the chance of a run reaching Weft; a probability of 0 let no silence say a flow
-- stopped. A threshold's probability is computed on integers (down to 2^−56, not rounded to 0). Rows stored before this
-- have no `last_end` (the epoch) and may hold a 0: the reader takes the end of their minute and leaves the 0 out.
ALTER TABLE weft_sampled_1m ADD COLUMN IF NOT EXISTS last_end SimpleAggregateFunction(max, DateTime64(3, 'UTC'));

DROP VIEW IF EXISTS weft_sampled_1m_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS weft_sampled_1m_mv TO weft_sampled_1m AS
SELECT toStartOfMinute(Timestamp) AS minute, ServiceName AS service, min(p) AS min_probability, count() AS spans, max(end_ts) AS last_end
FROM (
    SELECT Timestamp, ServiceName,
        fromUnixTimestamp64Milli(toInt64(toUnixTimestamp64Milli(toDateTime64(Timestamp, 3, 'UTC')) + intDiv(Duration, 1000000)), 'UTC') AS end_ts,
        multiIf(
            match(TraceState, '(?:^|,)[ \\t]*ot=(?:[^,]*;)?th:[0-9a-f]{1,14}(?:;|,|[ \\t]*$)'),
            toFloat64(72057594037927936 - reinterpretAsUInt64(reverse(unhex(concat('00', rightPad(extract(TraceState, '(?:^|,)[ \\t]*ot=(?:[^,]*;)?th:([0-9a-f]{1,14})'), 14, '0')))))) / 72057594037927936,
            match(TraceState, '(?:^|,)[ \\t]*ot=(?:[^,]*;)?p:(?:[0-9]|[1-5][0-9]|6[0-2])(?:;|,|[ \\t]*$)'),
            pow(2, -toUInt8OrZero(extract(TraceState, '(?:^|,)[ \\t]*ot=(?:[^,]*;)?p:([0-9]{1,2})'))),
            1) AS p
    FROM otel_traces
    WHERE TraceState != '' AND position(TraceState, 'ot=') > 0
)
WHERE p < 1
GROUP BY minute, service;
