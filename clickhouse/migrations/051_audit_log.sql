-- Who did what (access/audit-log.ts): every state-changing action, hash-chained. hash = sha256 over
-- the canonical row including prev_hash, so `weft audit-log verify` finds a removed or altered row.
-- No TTL: removing old rows would break the chain; the rows are few (one per action).
CREATE TABLE IF NOT EXISTS weft_audit_log (
    seq UInt64,
    at DateTime64(3, 'UTC'),
    actor String,
    role LowCardinality(String),
    action LowCardinality(String),
    subject String,
    detail String,
    prev_hash String,
    hash String
) ENGINE = MergeTree
ORDER BY seq;
