-- A client library's call takes the host of its transport (analyzer/flows/transport-hosts.ts). A library span that
-- names what it touched and no host — the aws-sdk's `DynamoDB.PutItem` (db.system.name dynamodb, db.namespace Orders),
-- an Elasticsearch client's span without its URL, an SQS SendMessage (messaging.system aws_sqs) — was the endpoint
-- `dynamodb:///Orders`, while the instrumented HTTP call under it (its transport, 112: taken back) had reached
-- https://dynamodb.eu-west-1.amazonaws.com/. A catalog system matched by its host (`hosts:`, or `databases:` with a
-- `host`) did not match it: `Unknown system dynamodb:///Orders` and an undocumented flow to it, beside the system the
-- call really went to. Now such a call's endpoints without a host (database, messaging, RPC and peer ones) take the
-- host and port its transport reached: in the pairing's reads and writes, and in the endpoint rollups, where the
-- counted touch is moved (taken back, as 112 does, and added again with the host). weft_transport_ledger keeps each
-- move (reason 'host', the touches as moved), so that it is made once, and so that a touch taken back later (the call
-- becoming a transport itself, a copy's touch: 112, 114) is taken back where it went.
--
-- Scratch tables of a pairing run, emptied before each use: the calls given a host, per kind and system of their
-- touches without one, and the `ep_host` those take (the host their transport reached, with the port it used unless
-- that is the call's system's default); and what of their rows and touches is not moved yet (`touches` as counted,
-- `hosted` the same with the host; `record_touches` the one of `touches` the span's records move with, when the
-- rollups counted them on a touch that moves; `duration_ms` the span's as its latency was counted).
CREATE TABLE IF NOT EXISTS weft_pairing_hosts (
    trace_id String,
    span_id String,
    kind String,
    sys String,
    host String
) ENGINE = MergeTree
ORDER BY (trace_id, span_id);

CREATE TABLE IF NOT EXISTS weft_pairing_hosted (
    trace_id String,
    span_id String,
    integration String,
    service String,
    domain String,
    ts DateTime64(3, 'UTC'),
    duration_ms Float64,
    is_error UInt8,
    records UInt64,
    rows UInt64,
    insert_key UInt64,
    touches Array(Tuple(String, Tuple(String, String, String, String, String))),
    hosted Array(Tuple(String, Tuple(String, String, String, String, String))),
    record_touches Array(Tuple(String, Tuple(String, String, String, String, String)))
) ENGINE = MergeTree
ORDER BY (trace_id, span_id);
