-- Spans their sender sampled (OpenTelemetry probability sampling: the `th` threshold, or the older `p` value, of the `ot`
-- entry of the span's W3C tracestate; https://opentelemetry.io/docs/specs/otel/trace/tracestate-probability-sampling/),
-- per service and minute, with the lowest probability seen: a flow whose runs reach Weft sampled at 10% looks silent for
-- ten times as long as it is, and its staleness is judged against that (analyzer/flows/sampling.ts). A threshold T (1–14
-- hex digits, padded right to 56 bits) samples with probability (2^56 − T) / 2^56, computed on integers (down to 2^−56,
-- not rounded to 0); `p:N` (0–62) with 2^−N. `p:63` (zero adjusted count: a span kept by a sampler that is not a
-- probability sampler) and out-of-range values say nothing of the chance of a run reaching Weft: not kept, as a span
-- without either, or sampled at 1; a probability of 0 kept here would let no silence say a flow stopped. `last_end` is when the minute's last sampled span ended: a sampled
-- run lasting minutes ends long after the minute it started in, and its flow is still sampled (flowSampling).
-- The view reads spans with a TraceState alone, empty for most.
CREATE TABLE IF NOT EXISTS weft_sampled_1m (
    minute DateTime('UTC'),
    service LowCardinality(String),
    min_probability SimpleAggregateFunction(min, Float64),
    spans SimpleAggregateFunction(sum, UInt64),
    last_end SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
) ENGINE = AggregatingMergeTree
ORDER BY (service, minute)
TTL minute + toIntervalDay({{ROLLUP_TTL_DAYS}});

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
