-- Which traces each run of a service instance holds (its ledger units of `inst:` groups), by trace: a trace paired as a
-- piece of such a run before its root arrived (a wrapper span exported when a long job ends, after its calls) leaves
-- the run once it is paired as a trace of its own, and the run is paired again without it. Found by trace id here,
-- not by scanning the ledger. Rows of units retracted since are harmless: the ledger says which units are active.
CREATE TABLE IF NOT EXISTS weft_pairing_pieces (
    trace_id String,
    unit String,
    paired_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree(paired_at)
ORDER BY (trace_id, unit)
TTL toDateTime(paired_at) + toIntervalDay(2);

INSERT INTO weft_pairing_pieces
SELECT arrayJoin(traces) AS trace_id, unit, paired_at
FROM weft_pairing_ledger FINAL
WHERE active = 1 AND startsWith(grp, 'inst:');
