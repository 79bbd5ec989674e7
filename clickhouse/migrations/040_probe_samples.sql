-- One row per probe run: the value read (a record count, a queue depth…), named metrics, and the
-- error when it failed. Tagged with the catalog system and domain. Never holds credentials.
CREATE TABLE IF NOT EXISTS probe_samples (
    ts DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    probe_id LowCardinality(String),
    kind LowCardinality(String),
    system LowCardinality(String),
    domain LowCardinality(String),
    ok UInt8,
    value Nullable(Float64),
    metrics Map(LowCardinality(String), Float64),
    latency_ms Float64,
    error_code LowCardinality(String),
    error String
) ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (probe_id, ts)
TTL toDateTime(ts) + INTERVAL {{RECORD_TTL_DAYS}} DAY;
