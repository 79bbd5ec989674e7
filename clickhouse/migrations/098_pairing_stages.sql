-- Scratch tables of a pairing run's per-trace aggregate (analyzer/flows/pairing-job.ts, `insertTraces`), emptied before
-- each use: the spans it reads, read once, and what it derives from them once — the nameless copies among them
-- (`COPIES`) and the flow of their unnamed spans (`FLOW_OF_UNNAMED`). The aggregate was one statement with these as
-- subqueries inlined (the copies four times, the spans twelve): the engine's analysis and planning of it, not the rows,
-- was most of a pairing run's cost. One pairing job runs at a time (the analyzer process).
CREATE TABLE IF NOT EXISTS weft_pairing_spans (
    arrived DateTime64(3, 'UTC'),
    trace_id String,
    span_id String,
    integration LowCardinality(String),
    service LowCardinality(String),
    instance String,
    run_id String,
    is_root UInt8,
    root_touch UInt8,
    is_error UInt8,
    records UInt64,
    ts DateTime64(3, 'UTC'),
    end_ts DateTime64(3, 'UTC')
) ENGINE = MergeTree
ORDER BY (trace_id, service);

CREATE TABLE IF NOT EXISTS weft_pairing_copies (
    trace_id String,
    service String,
    into_integration String,
    into_service String
) ENGINE = MergeTree
ORDER BY (trace_id, service);

CREATE TABLE IF NOT EXISTS weft_pairing_unnamed (
    trace_id String,
    service String,
    flow String
) ENGINE = MergeTree
ORDER BY (trace_id, service);
