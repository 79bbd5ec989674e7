-- The late-arrival window and run gap each pairing run used (ms; NULL for a run stored before this migration):
-- `weft audit --data` and `weft report --data` pair what a stopped Weft had not paired with the windows it last ran
-- with, unless told others. Paired with other windows, a run of an integration that loses trace context became a read
-- and a write of their own, and stayed so: what is paired is not paired again.
ALTER TABLE weft_pairing_runs ADD COLUMN IF NOT EXISTS late_ms Nullable(UInt64);
ALTER TABLE weft_pairing_runs ADD COLUMN IF NOT EXISTS run_gap_ms Nullable(UInt64);
