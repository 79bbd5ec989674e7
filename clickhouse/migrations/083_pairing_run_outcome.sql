-- A run's outcome and latency, per trace of an integration, for the pairing job (analyzer/flows/pairing-job.ts).
-- failed: the integration's own root span (a wrapper span, not itself a call) failed, or the span of the run that
-- ended last did; a call that failed and was handled (a 503 retried into a 200, a 404 followed by a create) does not
-- fail the run. latency_ms: that root span's duration where there is one (one process, one clock), else the spread of
-- the run's spans; spans from hosts whose clocks differ no longer stretch a 300 ms run to minutes.
-- weft_pairing_traces is a work table, emptied by every pairing run: it is made anew with the two columns.
DROP TABLE IF EXISTS weft_pairing_traces;

CREATE TABLE IF NOT EXISTS weft_pairing_traces (
    trace_id String,
    integration String,
    service String,
    instance String,
    run_id String,
    has_root UInt8,
    root_touch UInt8,
    domains Array(String),
    reads Array(Tuple(String, String, String, String, String)),
    writes Array(Tuple(String, String, String, String, String)),
    unknowns Array(Tuple(String, String, String, String, String)),
    spans UInt64,
    errors UInt64,
    failed UInt8,
    records UInt64,
    start DateTime64(3, 'UTC'),
    end DateTime64(3, 'UTC'),
    latency_ms Float64,
    last_arrival DateTime64(3, 'UTC'),
    first_arrival DateTime64(3, 'UTC')
) ENGINE = MergeTree
ORDER BY (trace_id, integration);
