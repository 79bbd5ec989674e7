import { fromChTime, toChTime, type Store } from '../../clickhouse/index.ts';
import { NOT_RECORDED, type Period, type Recorded } from '../model.ts';
import type { AlertRow, AlertRuleRow, AuditLogRead, AuditLogRow, RemediationRow } from './report-data.ts';

/**
 * Tables other parts own and an installation may not have (alerting/: migrations 060–069; access/:
 * weft_audit_log). Each reader returns `{ recorded: false }` when its table is absent, and maps
 * columns by the first of several names present, so the report reads what those parts write.
 */
export const optionalTables = {
  alertRules: ['weft_alert_rules'],
  alerts: ['weft_alert_events'],
  remediations: ['weft_remediation_attempts', 'weft_remediations'],
  auditLog: ['weft_audit_log'],
} as const;

type Row = Record<string, unknown>;

/** The first of `names` the row has (not null), as text. */
function pick(row: Row, names: string[], fallback = ''): string {
  for (const n of names) {
    if (Object.hasOwn(row, n) && row[n] !== null && row[n] !== undefined) {
      const v = row[n];
      return Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v);
    }
  }
  return fallback;
}

function pickTime(row: Row, names: string[]): string | null {
  const v = pick(row, names);
  return v ? fromChTime(v.replace('T', ' ').replace('Z', '')) : null;
}

function pickList(row: Row, names: string[]): string[] {
  for (const n of names) {
    if (!Object.hasOwn(row, n)) continue;
    const v = row[n];
    if (Array.isArray(v)) return v.map(String).filter(Boolean);
    if (typeof v === 'string' && v) return [v];
    if (v && typeof v === 'object') {
      const labels = new Map(Object.entries(v as Record<string, unknown>));
      const flow = labels.get('flow') ?? labels.get('flow_id');
      if (typeof flow === 'string' && flow) return [flow];
    }
  }
  return [];
}

async function firstTable(store: Store, names: readonly string[]): Promise<string | null> {
  const rows = await store.client
    .query({
      query: 'SELECT name FROM system.tables WHERE database = currentDatabase() AND name IN {names:Array(String)}',
      query_params: { names },
      format: 'JSONEachRow',
    })
    .then((r) => r.json<{ name: string }>());
  return names.find((n) => rows.some((r) => r.name === n)) ?? null;
}

/** Reads `SELECT *` of the first present table; a missing table or an unreadable one is "not recorded", with why. */
async function readOptional<T>(
  store: Store,
  names: readonly string[],
  where: (table: string, columns: Set<string>) => string,
  params: Row,
  map: (r: Row) => T,
): Promise<Recorded<T>> {
  try {
    const table = await firstTable(store, names);
    if (!table) return { recorded: false, reason: `${NOT_RECORDED} (no ${names.join(' or ')} table)` };
    const cols = await store.client
      .query({
        query: 'SELECT name FROM system.columns WHERE database = currentDatabase() AND table = {t:String}',
        query_params: { t: table },
        format: 'JSONEachRow',
      })
      .then((r) => r.json<{ name: string }>());
    const rows = await store.client
      .query({ query: `SELECT * FROM ${table} ${where(table, new Set(cols.map((c) => c.name)))}`, query_params: params, format: 'JSONEachRow' })
      .then((r) => r.json<Row>());
    return { recorded: true, rows: rows.map(map) };
  } catch (err) {
    return { recorded: false, reason: `could not be read in this installation: ${(err as Error).message.split('\n')[0]}` };
  }
}

/** WHERE clause on the first time column present, for the period (or none when no time column is known). */
function inPeriod(columns: Set<string>, names: string[], order = true): string {
  const col = names.find((n) => columns.has(n));
  if (!col) return '';
  return `WHERE ${col} >= {since:DateTime64(3, 'UTC')} AND ${col} < {until:DateTime64(3, 'UTC')}${order ? ` ORDER BY ${col}` : ''}`;
}

const periodParams = (p: Period) => ({ since: toChTime(new Date(p.since)), until: toChTime(new Date(p.until)) });

/** Labels as a Map (ClickHouse Map(String, String) arrives as a JSON object): never a plain-object lookup. */
function labelsOf(row: Row): Map<string, string> {
  const v = row.labels;
  return new Map(v && typeof v === 'object' && !Array.isArray(v) ? Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, String(x)]) : []);
}

export function readAlertRules(store: Store): Promise<Recorded<AlertRuleRow>> {
  return readOptional(
    store,
    optionalTables.alertRules,
    (_t, c) => (c.has('version') ? 'FINAL' : ''),
    {},
    (r) => ({
      id: pick(r, ['id', 'rule_id']),
      name: pick(r, ['name', 'title', 'id']),
      flows: pickList(r, ['flows', 'subject_flows', 'flow', 'flow_id', 'labels']),
      source: pick(r, ['source', 'origin', 'kind'], 'custom'),
    }),
  );
}

/**
 * What an alert is about, as the API and UI name it: its flow, else its system, else its domain, else the
 * finding it was raised for (`finding <key>`); '' for an estate-wide alert.
 */
export function alertSubject(labels: ReadonlyMap<string, string>): string {
  const finding = labels.get('finding');
  return labels.get('flow') || labels.get('system') || labels.get('domain') || (finding ? `finding ${finding}` : '');
}

/**
 * Every alert open at any time in the period, one row per time it fired (an episode: firing, then resolved):
 * an alert firing when the period began (its last firing or resolved event before `since` was a firing) with
 * the time it really opened, one that fired and resolved within it, one still firing at its end (resolvedAt
 * null). An alert that fired again after resolving is a second row. Acknowledgements go to the episode they
 * were made in. Events are read in [since, until) plus, per alert, its last firing or resolved event before.
 */
export async function readAlerts(store: Store, period: Period): Promise<Recorded<AlertRow>> {
  const events = await readOptional(
    store,
    optionalTables.alerts,
    (table) =>
      `WHERE at < {until:DateTime64(3, 'UTC')} AND (at >= {since:DateTime64(3, 'UTC')} OR (fingerprint, at) IN (
         SELECT fingerprint, max(at) FROM ${table} WHERE at < {since:DateTime64(3, 'UTC')} AND event IN ('firing', 'resolved') GROUP BY fingerprint))
       ORDER BY at`,
    periodParams(period),
    (r) => ({
      at: pickTime(r, ['at']) ?? '',
      fingerprint: pick(r, ['fingerprint']),
      rule: pick(r, ['rule']),
      event: pick(r, ['event']),
      actor: pick(r, ['actor']),
      note: pick(r, ['note']),
      labels: labelsOf(r),
    }),
  );
  if (!events.recorded) return events;
  const rows: AlertRow[] = [];
  const open = new Map<string, AlertRow>();
  const last = new Map<string, AlertRow>();
  for (const e of events.rows) {
    let a = open.get(e.fingerprint);
    if (e.event === 'firing' && !a) {
      const flow = e.labels.get('flow');
      const subject = alertSubject(e.labels);
      a = {
        id: e.fingerprint,
        rule: e.rule,
        severity: e.labels.get('severity') ?? '',
        title: `${e.rule}${subject ? ` on ${subject}` : ''}`,
        subject,
        flows: flow ? [flow] : [],
        openedAt: e.at,
        acknowledgedBy: null,
        acknowledgedAt: null,
        note: '',
        resolvedAt: null,
      };
      open.set(e.fingerprint, a);
      last.set(e.fingerprint, a);
      rows.push(a);
    }
    a ??= last.get(e.fingerprint);
    if (!a) continue;
    if (e.event === 'acknowledged') Object.assign(a, { acknowledgedBy: e.actor, acknowledgedAt: e.at, note: e.note });
    if (e.event === 'resolved' && open.get(e.fingerprint) === a) {
      a.resolvedAt = e.at;
      open.delete(e.fingerprint);
    }
  }
  // An episode that resolved before the period (read only to know the state at its start) is not in it.
  return { recorded: true, rows: rows.filter((a) => a.resolvedAt === null || a.resolvedAt >= period.since) };
}

export function readRemediations(store: Store, period: Period): Promise<Recorded<RemediationRow>> {
  const at = ['at', 'started_at', 'attempted_at', 'ts'];
  return readOptional(
    store,
    optionalTables.remediations,
    (_t, c) => inPeriod(c, at),
    periodParams(period),
    (r) => ({
      at: pickTime(r, at) ?? '',
      action: `${pick(r, ['action_id', 'action', 'name'])}${pick(r, ['flow']) ? ` (${pick(r, ['flow'])})` : ''}`,
      subject: pick(r, ['fingerprint', 'alert_id', 'finding_id', 'subject', 'flow']),
      attempt: Number(pick(r, ['attempt', 'attempt_no'], '1')),
      outcome: pick(r, ['outcome', 'status', 'result']),
      actor: pick(r, ['actor', 'triggered_by', 'mode'], 'weft'),
      detail: [pick(r, ['http_status']) && pick(r, ['http_status']) !== '0' ? `HTTP ${pick(r, ['http_status'])}` : '', pick(r, ['error', 'detail', 'response'])]
        .filter(Boolean)
        .join(': '),
    }),
  );
}

/**
 * The audit log's rows stamped in `period`, and the rows beside them a check of the chain across the period's edges
 * needs (`AuditLogRead`): read by seq from the last row before the period's first to the first row after its last, so that rows removed at either edge, or all of the period's, show as a gap, and a row an
 * appender's clock stamped just outside the period (several processes append, each with its own clock) is not one.
 */
export async function readAuditLog(store: Store, period: Period): Promise<AuditLogRead> {
  const inside = "at >= {since:DateTime64(3, 'UTC')} AND at < {until:DateTime64(3, 'UTC')}";
  // From: the last row there is before the period's first (seq), or, with none in it, the last row stamped before it
  // (0: none).
  const firstInside = `(SELECT minIf(seq, ${inside}) FROM weft_audit_log)`;
  const from = `(SELECT if(countIf(${inside}) > 0, maxIf(seq, seq < ${firstInside}), maxIf(seq, at < {since:DateTime64(3, 'UTC')})) FROM weft_audit_log)`;
  // Through: the row after the period's last, or, with none in it, the first stamped after it (else the log's last)…
  const next = `(SELECT if(countIf(${inside}) > 0, maxIf(seq, ${inside}) + 1,
      if(countIf(at >= {until:DateTime64(3, 'UTC')}) > 0, minIf(seq, at >= {until:DateTime64(3, 'UTC')}), max(seq))) FROM weft_audit_log)`;
  // …or the first row there is at or after it: a gap up to it is rows removed.
  const through = `(SELECT ifNull(minOrNull(seq), ${next}) FROM weft_audit_log WHERE seq >= ${next})`;
  const read = await readOptional(
    store,
    optionalTables.auditLog,
    () => `WHERE seq >= ${from} AND seq <= ${through} ORDER BY seq, hash`,
    periodParams(period),
    (r) => ({
      seq: Number(pick(r, ['seq'], '0')),
      at: pickTime(r, ['at']) ?? '',
      actor: pick(r, ['actor']),
      role: pick(r, ['role']),
      action: pick(r, ['action']),
      subject: pick(r, ['subject']),
      detail: pick(r, ['detail']),
      prevHash: pick(r, ['prev_hash']),
      nonce: pick(r, ['nonce']),
      hash: pick(r, ['hash']),
    }),
  );
  if (!read.recorded) return read;
  const since = Date.parse(period.since);
  const until = Date.parse(period.until);
  const stamped = (r: AuditLogRow) => Date.parse(r.at) >= since && Date.parse(r.at) < until;
  return { recorded: true, rows: read.rows.filter(stamped), around: read.rows.filter((r) => !stamped(r)) };
}
