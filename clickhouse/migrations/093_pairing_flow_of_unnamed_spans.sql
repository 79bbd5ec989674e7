-- A trace's spans that name no flow of their own take the one flow the other spans of their service in the trace
-- name (auto-instrumented calls under a wrapper span carrying integration.flow: analyzer/flows/pairing-job.ts,
-- `flowOfUnnamed`). `folded` lists the integrations a trace's unit took spans from, so that a unit paired under one
-- of them before the wrapper span arrived is retracted when the trace is paired again.
ALTER TABLE weft_pairing_traces ADD COLUMN IF NOT EXISTS folded Array(String);
