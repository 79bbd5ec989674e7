-- The evaluation lease is claimed with a deduplication token per version (lease name and the
-- version claimed): of several processes claiming the same version at once, the engine stores the
-- first claim and drops the others as duplicates, so exactly one holds the lease however slow the
-- others are. A non-replicated table deduplicates only within this window.
ALTER TABLE weft_alerting_lease MODIFY SETTING non_replicated_deduplication_window = 1000;
