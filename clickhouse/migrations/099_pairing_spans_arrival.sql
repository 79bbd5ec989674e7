-- When a trace's spans last arrived (weft_trace_spans' stamp), beside last_arrival (the later of its spans' and its
-- touch sets' stamps): a pairing run leaves a waiting trace to the next from before its spans' arrival
-- (analyzer/flows/pairing-job.ts). Each view of an insert stamps its own now64(), and the touch sets' can come seconds
-- after the spans'; from before last_arrival the next run read spans from after the trace's and never paired it.
ALTER TABLE weft_pairing_traces ADD COLUMN IF NOT EXISTS spans_arrival DateTime64(3, 'UTC');
