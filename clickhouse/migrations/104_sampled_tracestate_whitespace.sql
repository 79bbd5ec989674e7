-- weft_sampled_1m_mv (103) restated: the `ot` entry of a tracestate followed by optional whitespace before its comma
-- (`ot=th:e666666666666 ,vendor=a`; W3C trace-context allows optional whitespace around each list member,
-- https://www.w3.org/TR/trace-context/#tracestate-header) is read. The SDKs that parse the header rewrite it without
-- whitespace, but a sender that keeps it as received (.NET's Activity.TraceStateString, a gateway passing OTLP through)
-- sent such spans, and their service was taken as unsampled: its flows were reported stale while they ran sampled.
-- Rows stored before this are as they were.
DROP VIEW IF EXISTS weft_sampled_1m_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS weft_sampled_1m_mv TO weft_sampled_1m AS
SELECT toStartOfMinute(Timestamp) AS minute, ServiceName AS service, min(p) AS min_probability, count() AS spans, max(end_ts) AS last_end
FROM (
    SELECT Timestamp, ServiceName,
        fromUnixTimestamp64Milli(toInt64(toUnixTimestamp64Milli(toDateTime64(Timestamp, 3, 'UTC')) + intDiv(Duration, 1000000)), 'UTC') AS end_ts,
        multiIf(
            match(TraceState, '(?:^|,)[ \\t]*ot=(?:[^,]*;)?th:[0-9a-f]{1,14}(?:;|[ \\t]*,|[ \\t]*$)'),
            toFloat64(72057594037927936 - reinterpretAsUInt64(reverse(unhex(concat('00', rightPad(extract(TraceState, '(?:^|,)[ \\t]*ot=(?:[^,]*;)?th:([0-9a-f]{1,14})'), 14, '0')))))) / 72057594037927936,
            match(TraceState, '(?:^|,)[ \\t]*ot=(?:[^,]*;)?p:(?:[0-9]|[1-5][0-9]|6[0-2])(?:;|[ \\t]*,|[ \\t]*$)'),
            pow(2, -toUInt8OrZero(extract(TraceState, '(?:^|,)[ \\t]*ot=(?:[^,]*;)?p:([0-9]{1,2})'))),
            1) AS p
    FROM otel_traces
    WHERE TraceState != '' AND position(TraceState, 'ot=') > 0
)
WHERE p < 1
GROUP BY minute, service;
