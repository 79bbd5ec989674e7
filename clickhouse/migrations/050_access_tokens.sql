-- Tokens made by `weft token create` (access/): one row per version; the highest version is current.
-- Only a scrypt hash of each token is kept (secret_hash); `id` is the token's non-secret part.
CREATE TABLE IF NOT EXISTS weft_tokens (
    id String,
    name String,
    role LowCardinality(String),
    secret_hash String,
    created_at DateTime64(3, 'UTC'),
    created_by String,
    revoked_at Nullable(DateTime64(3, 'UTC')),
    revoked_by String,
    version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY id;

-- When each token was last used (written at most once a minute per token by the process that checked it).
CREATE TABLE IF NOT EXISTS weft_token_last_used (
    id String,
    last_used_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree(last_used_at)
ORDER BY id;
