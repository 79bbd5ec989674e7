-- Who answered a call (analyzer/flows/answered-calls.ts). A CLIENT span whose child, in the same trace, is the SERVER
-- span of another service reached that service: a CRM's API posting a webhook to an integration's own HTTP endpoint
-- (127.0.0.1:24130, an address no catalog names, nor should have to) reached the integration, not an unknown system;
-- an integration calling a system's own instrumented API at an address no rule names reached that system. Each pairing
-- run keeps, per endpoint such a call touched, the service that answered it (and its integration: the SERVER span's
-- integration.flow, else the service); the analyzer names the endpoint by them when the catalog's rules leave it
-- unknown (a system whose `services` lists the service, else the integration whose documented flow runs on it), at
-- query time, so a catalog change applies to past calls too. Small and all-time, as weft_endpoints: one row per
-- endpoint and answering service once merged.
CREATE TABLE IF NOT EXISTS weft_answered_endpoints (
    ep_kind LowCardinality(String),
    ep_sys LowCardinality(String),
    ep_host String,
    ep_name String,
    ep_peer String,
    service String,
    integration String,
    first_seen SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    last_seen SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
) ENGINE = AggregatingMergeTree
ORDER BY (ep_kind, ep_sys, ep_host, ep_name, ep_peer, service, integration);
