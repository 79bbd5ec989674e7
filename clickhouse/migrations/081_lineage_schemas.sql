-- Dataset schemas OpenLineage producers report (the `schema` dataset facet), in the shape probe_schemas
-- keeps (041): one row whenever a dataset's schema is first reported or differs from the last one
-- recorded, so the first row of a dataset is its baseline. The probes' schema-drift detector reads it
-- beside probe_schemas; `run_id` / `job` name the run that reported the shape (the finding's evidence).
-- `dataset` is the partition-free key (lineage/dataset-endpoint.ts `datasetKey`); `namespace` and
-- `name` resolve it to a catalog system when read, so a catalog change re-attributes past reports.
CREATE TABLE IF NOT EXISTS weft_lineage_schemas (
    ts DateTime64(3, 'UTC'),
    dataset String,
    namespace String,
    name String,
    run_id String,
    job String,
    domain LowCardinality(String),
    fingerprint String,
    shape String
) ENGINE = MergeTree
ORDER BY (dataset, ts)
TTL toDateTime(ts) + INTERVAL {{RECORD_TTL_DAYS}} DAY;
