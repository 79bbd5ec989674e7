-- The ledger of what was taken back out of the endpoint rollups (112, 114) keeps the touches each row took back. A
-- transport span's later copy taken back as a copy before its parent arrived lost then the touches the first copy of
-- that time did not make; the first copy can change after (a nameless service's copy comes first until the
-- integration's own arrives), so once the span is a transport, what is left of the copy to take back is its touches less
-- those the ledger says went. Rows written before this migration have none (transport-spans.ts then judges by the first
-- copy of now, as before).
ALTER TABLE weft_transport_ledger ADD COLUMN IF NOT EXISTS touches Array(Tuple(String, Tuple(String, String, String, String, String)));
