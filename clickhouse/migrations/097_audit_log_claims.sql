-- Each audit-log row is inserted with a deduplication token naming its seq (access/audit-log.ts): of
-- several processes appending at once (a server's store split with --only), the engine stores the
-- first row of a seq and drops the others, whose writers append again after it; two rows no longer
-- take one seq. A non-replicated table deduplicates only within this window.
ALTER TABLE weft_audit_log MODIFY SETTING non_replicated_deduplication_window = 1000;
