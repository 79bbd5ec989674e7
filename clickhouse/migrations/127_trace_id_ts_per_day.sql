-- otel_traces_trace_id_ts (001, the OpenTelemetry Collector ClickHouse exporter's lookup of a trace's time range) gets a
-- row per trace and day of its spans' starts in each insert, not one per trace: Start and End stay the earliest and
-- latest start, so min(Start) and max(End) over a trace's rows are what they were, for every reader of the exporter's
-- schema. The trace view reads a trace's spans from otel_traces on the days its rows name (analyzer/traces/trace-view.ts);
-- with one row per insert, a trace with a span from a sender whose clock was years behind, stored in the same insert as
-- its other spans, had a row from that day to today, and the view read every partition between. Rows stored before keep
-- their range, which the view still reads whole.
DROP VIEW IF EXISTS otel_traces_trace_id_ts_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS otel_traces_trace_id_ts_mv
TO otel_traces_trace_id_ts
AS SELECT
    TraceId,
    min(Timestamp) AS Start,
    max(Timestamp) AS End
FROM otel_traces
WHERE TraceId != ''
GROUP BY TraceId, toDate(Timestamp);
