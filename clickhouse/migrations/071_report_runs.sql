-- Every compliance report run (scheduled, API or CLI): the period, who asked, where the bundle went,
-- the SHA-256 of its signed manifest, whom it was e-mailed to, and the error when it failed.
CREATE TABLE IF NOT EXISTS weft_report_runs (
    id String,
    trigger LowCardinality(String),
    schedule_id String,
    actor String,
    period_since DateTime64(3, 'UTC'),
    period_until DateTime64(3, 'UTC'),
    started_at DateTime64(3, 'UTC'),
    finished_at Nullable(DateTime64(3, 'UTC')),
    status LowCardinality(String),
    error String,
    file String,
    bytes UInt64,
    manifest_sha256 String,
    emailed_to Array(String),
    version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY id
TTL toDateTime(started_at) + toIntervalDay({{RECORD_TTL_DAYS}});
