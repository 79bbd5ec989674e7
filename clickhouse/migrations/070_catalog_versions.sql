-- Each version of the estate catalog Weft loaded (at start and on every reload that changed it):
-- who loaded it, from which files, its SHA-256, the catalog itself (JSON, no secrets: the catalog
-- holds env:NAME references only) and what changed against the previous version (JSON list).
CREATE TABLE IF NOT EXISTS weft_catalog_versions (
    at DateTime64(3, 'UTC'),
    sha256 String,
    actor String,
    reason LowCardinality(String),
    sources Array(String),
    catalog String,
    changes String
) ENGINE = MergeTree
ORDER BY at
TTL toDateTime(at) + toIntervalDay({{RECORD_TTL_DAYS}});
