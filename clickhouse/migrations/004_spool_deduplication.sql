-- The collector loads each spool segment with an insert_deduplication_token. A deduplication
-- window on the span tables turns a replayed segment (after a crash between insert and
-- acknowledgement of the load) into a no-op, so every acknowledged span is stored exactly once.
ALTER TABLE otel_traces MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE otel_traces_trace_id_ts MODIFY SETTING non_replicated_deduplication_window = 1000;
