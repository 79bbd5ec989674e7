-- Findings: one row per version of a finding; the highest version is the current state.
-- id = stable hash of kind + key, so the same condition keeps its id across evaluations.
CREATE TABLE IF NOT EXISTS weft_findings (
    id String,
    kind LowCardinality(String),
    key String,
    severity LowCardinality(String),
    title String,
    subject_systems Array(String),
    subject_flows Array(String),
    subject_domains Array(String),
    evidence String,
    hint String,
    status LowCardinality(String),
    first_seen DateTime64(3, 'UTC'),
    last_seen DateTime64(3, 'UTC'),
    resolved_at Nullable(DateTime64(3, 'UTC')),
    acknowledged_by Nullable(String),
    acknowledged_at Nullable(DateTime64(3, 'UTC')),
    note String,
    version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY id
TTL toDateTime(last_seen) + toIntervalDay({{RECORD_TTL_DAYS}});

-- Who did what to a finding, and when: opened, updated by evaluation, acknowledged, reopened, resolved.
CREATE TABLE IF NOT EXISTS weft_finding_events (
    finding_id String,
    at DateTime64(3, 'UTC'),
    actor String,
    action LowCardinality(String),
    status LowCardinality(String),
    note String
) ENGINE = MergeTree
ORDER BY (finding_id, at)
TTL toDateTime(at) + toIntervalDay({{RECORD_TTL_DAYS}});
