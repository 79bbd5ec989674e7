-- Each key-level reconciliation run: totals, bounded sample keys, and what it cost.
CREATE TABLE IF NOT EXISTS reconciliation_runs (
    run_id String,
    reconcile_id LowCardinality(String),
    domain LowCardinality(String),
    left_system LowCardinality(String),
    right_system LowCardinality(String),
    started_at DateTime64(3, 'UTC'),
    finished_at DateTime64(3, 'UTC'),
    status LowCardinality(String),
    error String,
    left_rows UInt64,
    right_rows UInt64,
    missing UInt64,
    extra UInt64,
    changed UInt64,
    changed_during_run UInt64,
    sample_missing Array(String),
    sample_extra Array(String),
    sample_changed Array(String),
    queries UInt32,
    rows_downloaded UInt64,
    checksum_rows UInt64,
    details String
) ENGINE = MergeTree
PARTITION BY toYYYYMM(started_at)
ORDER BY (reconcile_id, started_at)
TTL toDateTime(started_at) + INTERVAL {{RECORD_TTL_DAYS}} DAY;
