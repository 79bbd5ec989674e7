-- Spans their sender sampled (OpenTelemetry probability sampling: the `th` threshold, or the older `p` value, of the `ot`
-- entry of the span's W3C tracestate; https://opentelemetry.io/docs/specs/otel/trace/tracestate-probability-sampling/),
-- per service and minute, with the lowest probability seen: a flow whose runs reach Weft sampled at 10% looks silent for
-- ten times as long as it is, and its staleness is judged against that (analyzer/flows/sampling.ts). A threshold T (1–14
-- hex digits, padded right to 56 bits) samples with probability (2^56 − T) / 2^56; `p:N` with 2^−N (63: none). Spans
-- without either, or sampled at 1, are not kept here. The view reads TraceState alone, empty for most spans.
CREATE TABLE IF NOT EXISTS weft_sampled_1m (
    minute DateTime('UTC'),
    service LowCardinality(String),
    min_probability SimpleAggregateFunction(min, Float64),
    spans SimpleAggregateFunction(sum, UInt64)
) ENGINE = AggregatingMergeTree
ORDER BY (service, minute)
TTL minute + toIntervalDay({{ROLLUP_TTL_DAYS}});

CREATE MATERIALIZED VIEW IF NOT EXISTS weft_sampled_1m_mv TO weft_sampled_1m AS
SELECT toStartOfMinute(Timestamp) AS minute, ServiceName AS service, min(p) AS min_probability, count() AS spans
FROM (
    SELECT Timestamp, ServiceName,
        multiIf(
            match(TraceState, '(?:^|,)[ \\t]*ot=(?:[^,]*;)?th:[0-9a-f]{1,14}(?:;|,|[ \\t]*$)'),
            1 - toFloat64(reinterpretAsUInt64(reverse(unhex(concat('00', rightPad(extract(TraceState, '(?:^|,)[ \\t]*ot=(?:[^,]*;)?th:([0-9a-f]{1,14})'), 14, '0')))))) / 72057594037927936,
            match(TraceState, '(?:^|,)[ \\t]*ot=(?:[^,]*;)?p:[0-9]{1,2}(?:;|,|[ \\t]*$)'),
            if(toUInt8OrZero(extract(TraceState, '(?:^|,)[ \\t]*ot=(?:[^,]*;)?p:([0-9]{1,2})')) >= 63, 0,
               pow(2, -toUInt8OrZero(extract(TraceState, '(?:^|,)[ \\t]*ot=(?:[^,]*;)?p:([0-9]{1,2})')))),
            1) AS p
    FROM otel_traces
    WHERE TraceState != '' AND position(TraceState, 'ot=') > 0
)
WHERE p < 1
GROUP BY minute, service;
