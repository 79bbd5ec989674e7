import type { Store } from '../../clickhouse/index.ts';
import { touchPairs } from './taken-back.ts';

/**
 * Who answered a call (migration 137). A CLIENT span whose child, in the same trace, is the SERVER span of another service
 * (its remote parent: the W3C `traceparent` the call carried) reached that service. A CRM's instrumented API posting a
 * webhook to an integration's own HTTP endpoint reached the integration, at an address (`127.0.0.1:24130`) no catalog
 * names, nor should have to: it was `Unknown system 127.0.0.1:24130 is used by crm-api` and an undocumented flow crm →
 * unknown:127.0.0.1:24130, whatever the catalog said. An integration calling a system's own instrumented API at an
 * address no rule names reached that system.
 *
 * The pairing only records the fact, per endpoint such a call touched and answering service (weft_answered_endpoints);
 * what it means is the catalog's, read at query time as every endpoint's resolution is (match-sql.ts,
 * `answeredNode`), so a catalog change applies to past calls too. A call whose context was lost on the way (no SERVER
 * span under it in its trace) records nothing and stays what its endpoint's rules say. A call answered by a SERVER span
 * of its own service is a call to itself (transport-spans.ts, `SELF_CALLS`), recorded here neither.
 *
 * Decided per pairing run over the spans it reads (weft_pairing_spans: every row of each trace with a new arrival), so
 * the call and its answer may arrive in different requests, in either order.
 */

const SPANS = '(SELECT * FROM weft_pairing_spans)';

/**
 * How many SERVER spans among weft_pairing_spans have a parent span id (column n): only they can answer a call, and most
 * runs have none (an integration's own spans are INTERNAL and CLIENT), and then the join with the touch sets
 * (`ANSWERED_INSERT`) is not run. One scan, no join: 4 CPU-ms a run on a loaded 2-core machine, where counting only
 * those whose parent is a CLIENT span of another service took 8–9 (a run's statements cost their analysis more than
 * their rows); a SERVER span under a caller that sent no span of its own runs the join for nothing.
 */
const CANDIDATES = `SELECT count() AS n FROM ${SPANS} WHERE call_kind = 3 AND parent_span_id != ''`;

/**
 * The named endpoints (any kind but an unnamed one) that the CLIENT spans answered by another service's SERVER span
 * touched, in the touch sets `touchSets` selects, with the answering service and integration (the SERVER span's
 * integration.flow, else its service) and the SERVER span's time (its sender's clock), into weft_answered_endpoints.
 */
const ANSWERED_INSERT = (
  touchSets: string,
) => `INSERT INTO weft_answered_endpoints (ep_kind, ep_sys, ep_host, ep_name, ep_peer, service, integration, first_seen, last_seen)
    SELECT x.3.2.1 AS kind, x.3.2.2 AS sys, x.3.2.3 AS host, x.3.2.4 AS name, x.3.2.5 AS peer, a.service, a.integration, min(a.ts), max(a.ts)
    FROM (${touchSets}) AS t
    ARRAY JOIN arrayFilter(x -> x.3.1 != 'records' AND x.3.2.1 NOT IN ('', 'unnamed'), ${touchPairs('t.')}) AS x
    INNER JOIN (
      SELECT c.trace_id AS trace_id, c.span_id AS span_id, s.service AS service, s.integration AS integration, s.ts AS ts
      FROM (SELECT DISTINCT trace_id, parent_span_id, service, integration, ts FROM ${SPANS} WHERE call_kind = 3 AND parent_span_id != '') AS s
      INNER JOIN (SELECT DISTINCT trace_id, span_id, service FROM ${SPANS} WHERE call_kind = 1) AS c
        ON c.trace_id = s.trace_id AND c.span_id = s.parent_span_id
      WHERE c.service != s.service
    ) AS a ON t.trace_id = a.trace_id AND x.1 = a.span_id
    GROUP BY kind, sys, host, name, peer, a.service, a.integration`;

/**
 * Records who answered the calls among the pairing run's spans (weft_pairing_spans) that another service's SERVER span
 * answered: `touchSets` is SQL selecting the weft_trace_touch_sets rows of their traces, with its statement parameters
 * `params`. Idempotent (weft_answered_endpoints keeps each endpoint and service once, with its first and last time), so
 * a run done again records nothing twice. Rejects with the engine's error.
 */
export async function recordAnsweredCalls(store: Store, touchSets: string, params: Record<string, unknown>): Promise<void> {
  const c = store.client;
  const [candidates] = await c.query({ query: CANDIDATES, format: 'JSONEachRow' }).then((r) => r.json<{ n: number | string }>());
  if (Number(candidates?.n ?? 0) === 0) return;
  await c.command({ query: ANSWERED_INSERT(touchSets), query_params: params });
}
