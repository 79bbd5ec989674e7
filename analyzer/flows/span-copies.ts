import type { Store } from '../../clickhouse/index.ts';
import { primaryTouches, recordTouches, takeBack, touchPairs } from './taken-back.ts';
import { spanDomains } from './transport-spans.ts';
import { transportLedger } from './staged-writes.ts';
import { COPY_ORDER } from './nameless-service.ts';
import { emptyTable } from '../../clickhouse/cluster-aware.ts';

/**
 * A span is one span (migration 114). The same trace id and span id sent again with other content — an SDK reusing ids,
 * a pipeline that rewrote a copy — is not a second call: an integration's CLIENT span sent as `POST
 * http://erp.internal/…` and, in a later request, as `POST http://billing.internal/…` kept the first copy's fields (the
 * pairing's FIRST_ROW) but the touches of both, and the pairing printed `Undocumented flow crm → billing` beside the
 * documented crm → erp. The first copy to arrive is the span (the integration's own row before a nameless service's
 * copy, as FIRST_ROW): the touches and records of later copies that it did not make are left out of the pairing
 * (`withoutTakenBack`), and each later copy is taken back out of the endpoint rollups whole, its records from the touch
 * they were counted on (`takeBack`, 118), so that the rollups count the span once, as its first copy.
 *
 * Copies are told apart by the insert that stored them (insert_key: the spool segment, else the insert's query), so
 * copies in one insert are not (their touches are the first insert's): the collector refuses the later copy of a span id
 * within one request, and stores a request with a span id already in the open spool segment in a new segment. Rows
 * stored before 114 (insert_key 0) are never told apart, nor are transport spans (all of their touches go).
 */

const SPANS = '(SELECT * FROM weft_pairing_spans)';
/** weft_pairing_resent read as a subquery (as the pairing reads its scratch tables). */
const RESENT_ROWS = '(SELECT * FROM weft_pairing_resent)';

/** The spans of weft_pairing_spans stored by more than one insert (transport spans aside), and the first's insert. */
const RESENT = `SELECT trace_id, span_id, argMin(insert_key, ${COPY_ORDER}) AS first_key
    FROM ${SPANS}
    WHERE (trace_id, span_id) NOT IN (SELECT trace_id, span_id FROM (SELECT * FROM weft_pairing_transport))
    GROUP BY trace_id, span_id
    HAVING uniqExact(insert_key) > 1 AND min(insert_key) > 0`;

/**
 * The touches of weft_pairing_resent's spans in the touch sets `touchSets` selects: trace_id, insert_key, integration,
 * span_id, touch (the key `touchPairs` gives it) and its (direction, endpoint tuple) `ep`.
 */
const RESENT_TOUCHES = (touchSets: string) => `SELECT trace_id, insert_key, integration, x.1 AS span_id, x.2 AS touch, x.3 AS ep
    FROM (${touchSets})
    ARRAY JOIN ${touchPairs('')} AS x
    WHERE trace_id IN (SELECT trace_id FROM ${RESENT_ROWS}) AND (trace_id, x.1) IN (SELECT trace_id, span_id FROM ${RESENT_ROWS})`;

/**
 * Fills weft_pairing_dropped with the touches of later copies that the first copy did not make (all, when it made none),
 * and their records: the span's records are its first copy's. Kept, a later copy's records that disagreed with the
 * first's in one direction made the pairing keep the larger (the span moved 3 records, a later copy said 4: the edge
 * said 4, the endpoint rollups 3).
 */
const DROPPED_INSERT = (touchSets: string) => `INSERT INTO weft_pairing_dropped (trace_id, insert_key, integration, span_id, touch)
    SELECT p.trace_id, p.insert_key, p.integration, p.span_id, p.touch
    FROM (${RESENT_TOUCHES(touchSets)}) AS p
    INNER JOIN ${RESENT_ROWS} AS r ON p.trace_id = r.trace_id AND p.span_id = r.span_id
    LEFT JOIN (
      SELECT trace_id, span_id, groupUniqArray(touch) AS made
      FROM (${RESENT_TOUCHES(touchSets)})
      WHERE (trace_id, span_id, insert_key) IN (SELECT trace_id, span_id, first_key FROM ${RESENT_ROWS})
      GROUP BY trace_id, span_id
    ) AS f ON p.trace_id = f.trace_id AND p.span_id = f.span_id
    WHERE p.insert_key != r.first_key AND (NOT has(f.made, p.touch) OR startsWith(p.touch, concat('records', char(30))))`;

/**
 * Fills weft_pairing_retract with the later copies of weft_pairing_resent's spans not taken back yet
 * (weft_transport_ledger, reason 'copy', per copy's insert): per span, insert and the integration and service it arrived
 * with, its rows, its start, error and records, all its touches, and the touch its records were counted on
 * (`recordTouches`). A copy is not the span: taken back whole, also the touches its first copy made too, and also when
 * it is the same as the first (a re-export in a request of other bytes: counted twice, its records made a hop look
 * lossy). Only the touches the first copy did not make went before, and the records with them only when they were the
 * copy's only touch: a copy reading crm (its first copy's touch) and writing erp kept its 4 records on the crm read row
 * beside the first copy's 3 (7), and its crm read counted twice.
 */
const RETRACT_INSERT = (touchSets: string) => `INSERT INTO weft_pairing_retract (trace_id, span_id, integration, service, domain, ts, is_error, records, rows,
      insert_key, reason, touches, with_records, record_touches)
    SELECT s.trace_id, s.span_id, s.integration, s.service, dm.domain, s.ts, s.is_error, s.records, s.n - l.done,
      s.insert_key, 'copy', t.touches, toUInt8(notEmpty(rt)), ${recordTouches('s.records', 'p.primary', 't.touches')} AS rt
    FROM (
      SELECT x.trace_id AS trace_id, x.span_id AS span_id, x.insert_key AS insert_key, x.integration AS integration, x.service AS service,
        any(x.ts) AS ts, any(x.is_error) AS is_error, any(x.records) AS records, count() AS n
      FROM ${SPANS} AS x
      INNER JOIN ${RESENT_ROWS} AS r ON x.trace_id = r.trace_id AND x.span_id = r.span_id
      WHERE x.insert_key != r.first_key
      GROUP BY trace_id, span_id, insert_key, integration, service
    ) AS s
    INNER JOIN (
      SELECT trace_id, span_id, insert_key, integration, groupUniqArray(ep) AS touches
      FROM (${RESENT_TOUCHES(touchSets)})
      WHERE NOT startsWith(touch, concat('records', char(30)))
      GROUP BY trace_id, span_id, insert_key, integration
    ) AS t ON s.trace_id = t.trace_id AND s.span_id = t.span_id AND s.insert_key = t.insert_key AND s.integration = t.integration
    LEFT JOIN (${primaryTouches(touchSets, `SELECT trace_id FROM ${RESENT_ROWS}`)}) AS p
      ON s.trace_id = p.trace_id AND s.span_id = p.span_id AND s.insert_key = p.insert_key AND s.integration = p.integration
    LEFT JOIN (
      SELECT trace_id, span_id, integration, service, insert_key, sum(rows) AS done FROM ${transportLedger}
      WHERE trace_id IN (SELECT trace_id FROM ${RESENT_ROWS}) AND reason = 'copy'
      GROUP BY trace_id, span_id, integration, service, insert_key
    ) AS l ON s.trace_id = l.trace_id AND s.span_id = l.span_id AND s.integration = l.integration AND s.service = l.service
      AND s.insert_key = l.insert_key
    LEFT JOIN (${spanDomains('weft_pairing_resent')}) AS dm ON s.trace_id = dm.trace_id AND s.span_id = dm.span_id AND s.integration = dm.integration
      AND s.service = dm.service AND s.insert_key = dm.insert_key
    WHERE s.n > l.done`;

/**
 * Finds the spans of weft_pairing_spans stored by more than one insert (into weft_pairing_resent), the touches and
 * records of their later copies that the first copy did not make (into weft_pairing_dropped: the pairing leaves them
 * out), and takes the later copies not taken back yet out of the endpoint rollups whole, their records too
 * (`takeBack`). Runs after `markTransport` (whose spans it leaves alone) and empties weft_pairing_retract for its own
 * rows. `touchSets`: SQL selecting the weft_trace_touch_sets rows of the spans' traces, with its statement parameters
 * `params`. Resolves to whether any touch was dropped (the pairing then leaves them out: `withoutTakenBack`;
 * weft_pairing_dropped is read only then). Rejects with the engine's error.
 */
export async function markCopies(store: Store, touchSets: string, params: Record<string, unknown>): Promise<boolean> {
  const c = store.client;
  const count = async (query: string) => Number((await c.query({ query, format: 'JSONEachRow' }).then((r) => r.json<{ n: number | string }>()))[0]?.n ?? 0);
  // Each scratch table is emptied just before it is filled: a run without copies (most) costs one statement.
  const empty = (table: string) => emptyTable(store, table);
  if ((await count(`SELECT count() AS n FROM (${RESENT})`)) === 0) return false;
  await empty('weft_pairing_resent');
  await c.command({ query: `INSERT INTO weft_pairing_resent (trace_id, span_id, first_key) ${RESENT}` });
  await empty('weft_pairing_dropped');
  await c.command({ query: DROPPED_INSERT(touchSets), query_params: params });
  await empty('weft_pairing_retract');
  await c.command({ query: RETRACT_INSERT(touchSets), query_params: params });
  if ((await count('SELECT count() AS n FROM weft_pairing_retract')) > 0) await takeBack(store);
  return (await count('SELECT count() AS n FROM weft_pairing_dropped')) > 0;
}
