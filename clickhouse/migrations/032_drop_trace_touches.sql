-- weft_trace_touches (022) fed only the trace view once pairing moved to arrival (025); the trace view
-- now reads the same per-trace reads and writes from weft_trace_touch_sets. One aggregation fewer on
-- every insert into otel_traces (about 1 µs of CPU a span) and ~20 bytes a span less on disk.
DROP VIEW IF EXISTS weft_trace_touches_mv;

DROP TABLE IF EXISTS weft_trace_touches;
