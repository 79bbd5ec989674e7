-- A pairing run's writes are staged, then published (analyzer/flows/staged-writes.ts). A run wrote its ledgers
-- (weft_transport_ledger, weft_pairing_ledger, weft_pairing_runs) and the rollups they account for
-- (weft_endpoint_rollup_1m and _1h, weft_flow_edges_1m) in several statements, with no transaction: a statement failing
-- between a host move's ledger row and its rollup rows left the move recorded and never applied (`Unknown system
-- dynamodb:///Orders`, open for good: the next run took the move as done), and a ledger insert failing after the flow
-- edges were written paired the trace again (traces = 2). Now every row a run writes to those tables goes first to a
-- staged twin of the table below, its run's row last (the run is staged whole once weft_staged_pairing_runs holds it);
-- then each staged table is copied into its table with an insert deduplication token naming the run and the table.
-- The next run publishes a run staged whole and not published (a failed copy, or a stop between two copies) again with
-- the same tokens, before anything else: a copy that went is dropped as a duplicate, one that did not goes. The staged
-- rows of a run not staged whole are dropped, and that run is done again. Scratch tables of their run, as
-- weft_pairing_spans (emptied by the next run).
CREATE TABLE IF NOT EXISTS weft_staged_transport_ledger (
    trace_id String,
    span_id String,
    integration String,
    service String,
    rows UInt64,
    at DateTime64(3, 'UTC'),
    reason LowCardinality(String),
    insert_key UInt64,
    touches Array(Tuple(String, Tuple(String, String, String, String, String))),
    record_touches Array(Tuple(String, Tuple(String, String, String, String, String)))
) ENGINE = MergeTree
ORDER BY (trace_id, span_id);

CREATE TABLE IF NOT EXISTS weft_staged_endpoint_rollup_1m (
    minute DateTime('UTC'),
    integration String,
    service String,
    direction String,
    ep_kind String,
    ep_sys String,
    ep_host String,
    ep_name String,
    ep_peer String,
    domain String,
    spans UInt64,
    errors UInt64,
    records UInt64,
    latency AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), Float64),
    first_seen DateTime64(3, 'UTC'),
    last_seen DateTime64(3, 'UTC'),
    sample_trace String,
    sample_error_trace String
) ENGINE = MergeTree
ORDER BY (minute, integration);

CREATE TABLE IF NOT EXISTS weft_staged_endpoint_rollup_1h (
    hour DateTime('UTC'),
    integration String,
    service String,
    direction String,
    ep_kind String,
    ep_sys String,
    ep_host String,
    ep_name String,
    ep_peer String,
    domain String,
    spans UInt64,
    errors UInt64,
    records UInt64,
    latency AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), Float64),
    first_seen DateTime64(3, 'UTC'),
    last_seen DateTime64(3, 'UTC'),
    sample_trace String,
    sample_error_trace String
) ENGINE = MergeTree
ORDER BY (hour, integration);

CREATE TABLE IF NOT EXISTS weft_staged_flow_edges_1m (
    minute DateTime('UTC'),
    integration String,
    service String,
    domain String,
    src_kind String,
    src_sys String,
    src_host String,
    src_name String,
    src_peer String,
    tgt_kind String,
    tgt_sys String,
    tgt_host String,
    tgt_name String,
    tgt_peer String,
    traces UInt64,
    failed_traces UInt64,
    error_spans UInt64,
    records UInt64,
    latency AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), Float64),
    first_seen DateTime64(3, 'UTC'),
    last_seen DateTime64(3, 'UTC'),
    sample_trace String,
    sample_error_trace String,
    sample_slow Tuple(Float64, String),
    shape UInt64,
    records_per_target UInt8,
    records_fallback UInt64,
    write_rank UInt16,
    last_arrived DateTime64(3, 'UTC')
) ENGINE = MergeTree
ORDER BY (minute, integration);

CREATE TABLE IF NOT EXISTS weft_staged_pairing_ledger (
    unit String,
    grp String,
    active UInt8,
    digest UInt64,
    minute DateTime('UTC'),
    integration String,
    service String,
    domain String,
    reads Array(Tuple(String, String, String, String, String)),
    writes Array(Tuple(String, String, String, String, String)),
    failed UInt8,
    errors UInt64,
    records UInt64,
    start DateTime64(3, 'UTC'),
    end DateTime64(3, 'UTC'),
    traces Array(String),
    paired_at DateTime64(3, 'UTC'),
    version UInt64,
    failed_writes Array(Tuple(String, String, String, String, String)),
    shape UInt64,
    target_records Array(Tuple(Tuple(String, String, String, String, String), UInt64)),
    records_fallback UInt64,
    write_order Array(Tuple(String, String, String, String, String))
) ENGINE = MergeTree
ORDER BY unit;

-- The run's own row, staged last: the run is staged whole once it is here. `batch` names the run in its tokens.
CREATE TABLE IF NOT EXISTS weft_staged_pairing_runs (
    batch String,
    at DateTime64(3, 'UTC'),
    settled_before DateTime64(3, 'UTC'),
    frontier DateTime64(3, 'UTC'),
    newest DateTime64(3, 'UTC'),
    units_paired UInt64,
    units_retracted UInt64,
    pending_traces UInt64,
    pending_spans UInt64,
    unplaced_traces UInt64,
    unplaced_spans UInt64,
    observing_since Nullable(DateTime64(3, 'UTC')),
    late_ms Nullable(UInt64),
    run_gap_ms Nullable(UInt64)
) ENGINE = MergeTree
ORDER BY at;

-- The tables a run publishes to remember the tokens of their last 1,000 inserts (a replicated table does by default), as
-- do the tables views fill from weft_flow_edges_1m (the publishing insert deduplicates in them too). The endpoint
-- rollups have this window already where a collector ran (collector/spool/dedup-windows.ts).
ALTER TABLE weft_transport_ledger MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE weft_endpoint_rollup_1m MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE weft_endpoint_rollup_1h MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE weft_flow_edges_1m MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE weft_flow_edges_1h MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE weft_flow_edges_seen MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE weft_pairing_ledger MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE weft_pairing_runs MODIFY SETTING non_replicated_deduplication_window = 1000;
