-- Each audit-log row carries a random value drawn by its appender (access/audit-log.ts), hashed with it: two processes
-- appending the same action in the same millisecond wrote identical rows under the same claim token (097), the engine
-- kept one, both appenders read their hash back, and one action went unrecorded. Rows stored before keep '' and their
-- hash (the canonical row leaves an empty nonce out: access/audit-chain.ts).
ALTER TABLE weft_audit_log ADD COLUMN IF NOT EXISTS nonce String DEFAULT '' AFTER prev_hash;
