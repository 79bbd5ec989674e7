-- The shape each sql / http probe reads (columns and types, or the JSON shape of a response),
-- one row whenever it is first seen or changes. The first row of a probe is its baseline.
CREATE TABLE IF NOT EXISTS probe_schemas (
    ts DateTime64(3, 'UTC'),
    probe_id LowCardinality(String),
    system LowCardinality(String),
    domain LowCardinality(String),
    fingerprint String,
    shape String
) ENGINE = MergeTree
ORDER BY (probe_id, ts)
TTL toDateTime(ts) + INTERVAL {{RECORD_TTL_DAYS}} DAY;
