-- Alerts: one row per version of an alert (ReplacingMergeTree: the highest version is its state now).
-- fingerprint = Alertmanager's label-set fingerprint, stable across evaluations and processes.
CREATE TABLE IF NOT EXISTS weft_alerts (
    fingerprint String,
    rule LowCardinality(String),
    state LowCardinality(String),
    severity LowCardinality(String),
    labels Map(String, String),
    doc String,
    updated_at DateTime64(3, 'UTC'),
    version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY fingerprint
TTL toDateTime(updated_at) + toIntervalDay({{RECORD_TTL_DAYS}});

-- Every lifecycle transition (pending, firing, resolved, cleared) and every acknowledgement.
CREATE TABLE IF NOT EXISTS weft_alert_events (
    at DateTime64(3, 'UTC'),
    fingerprint String,
    rule LowCardinality(String),
    event LowCardinality(String),
    actor String,
    value Float64,
    note String,
    labels Map(String, String)
) ENGINE = MergeTree
ORDER BY (at, fingerprint)
TTL toDateTime(at) + toIntervalDay({{RECORD_TTL_DAYS}});

-- Silences (one row per version; expiring one writes a new version with ends_at = now).
CREATE TABLE IF NOT EXISTS weft_silences (
    id String,
    matchers String,
    starts_at DateTime64(3, 'UTC'),
    ends_at DateTime64(3, 'UTC'),
    created_by String,
    comment String,
    created_at DateTime64(3, 'UTC'),
    version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY id
TTL toDateTime(ends_at) + toIntervalDay({{RECORD_TTL_DAYS}});

-- Notification groups: what each receiver was last told, so a restart neither repeats nor forgets.
CREATE TABLE IF NOT EXISTS weft_notify_groups (
    group_key String,
    doc String,
    updated_at DateTime64(3, 'UTC'),
    version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY group_key
TTL toDateTime(updated_at) + toIntervalDay({{RECORD_TTL_DAYS}});

-- Every delivery attempt to a receiver: which group, which alerts, the outcome.
CREATE TABLE IF NOT EXISTS weft_alert_deliveries (
    at DateTime64(3, 'UTC'),
    receiver LowCardinality(String),
    receiver_type LowCardinality(String),
    group_key String,
    status LowCardinality(String),
    fingerprints Array(String),
    attempt UInt16,
    ok UInt8,
    http_status UInt16,
    error String,
    duration_ms UInt32
) ENGINE = MergeTree
ORDER BY (at, receiver)
TTL toDateTime(at) + toIntervalDay({{RECORD_TTL_DAYS}});

-- Every remediation attempt: when, which alert and action, the request, the response status, the outcome.
CREATE TABLE IF NOT EXISTS weft_remediation_attempts (
    at DateTime64(3, 'UTC'),
    run_id String,
    action LowCardinality(String),
    fingerprint String,
    flow String,
    attempt UInt16,
    idempotency_key String,
    method LowCardinality(String),
    url String,
    http_status UInt16,
    outcome LowCardinality(String),
    error String,
    duration_ms UInt32,
    actor String
) ENGINE = MergeTree
ORDER BY (at, action)
TTL toDateTime(at) + toIntervalDay({{RECORD_TTL_DAYS}});

-- The evaluation lease: with several Weft processes on one ClickHouse server, the holder evaluates.
CREATE TABLE IF NOT EXISTS weft_alerting_lease (
    name String,
    holder String,
    expires_at DateTime64(3, 'UTC'),
    version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY name;
