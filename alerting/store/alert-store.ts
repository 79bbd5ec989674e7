import { randomUUID } from 'node:crypto';
import { fromChTime, toChTime, type Store } from '../../clickhouse/index.ts';
import type { Alert, AlertState } from '../model/alert.ts';
import type { RunEnd } from '../remediation/escalation.ts';
import type { Matcher, Silence } from '../silences/matchers.ts';

/** One lifecycle or acknowledgement event of an alert. */
export interface AlertEvent {
  at: string;
  fingerprint: string;
  rule: string;
  event: string;
  actor: string;
  value: number;
  note: string;
  labels: Record<string, string>;
}

/** One delivery attempt to a receiver. */
export interface Delivery {
  at: string;
  receiver: string;
  receiverType: string;
  groupKey: string;
  status: 'firing' | 'resolved';
  fingerprints: string[];
  attempt: number;
  ok: boolean;
  httpStatus: number;
  error: string;
  durationMs: number;
}

/** How a receiver's deliveries went lately (`AlertStore.receiverHealth`). */
export interface ReceiverHealth {
  receiver: string;
  /** Whether its latest delivery attempt succeeded. */
  ok: boolean;
  /** When its latest successful attempt was (ISO 8601), null when none in the days read. */
  lastSuccessAt: string | null;
}

/** One remediation attempt (an HTTP call to an integration platform, or the escalation after the last). */
export interface RemediationAttempt {
  at: string;
  runId: string;
  action: string;
  fingerprint: string;
  flow: string;
  attempt: number;
  idempotencyKey: string;
  method: string;
  /** The URL with secrets redacted. */
  url: string;
  httpStatus: number;
  outcome: 'succeeded' | 'failed' | 'retrying' | 'escalated' | 'escalation-failed';
  error: string;
  durationMs: number;
  actor: string;
}

const ch = (iso: string) => toChTime(new Date(iso));
const limitOf = (n: number | undefined, max = 5000) => Math.max(1, Math.min(max, Math.floor(n ?? 500)));

/**
 * Alerting's records in ClickHouse (migration 060): alerts and their events, silences, notification
 * groups, deliveries, remediation attempts. Every write is an insert; current state is read with FINAL.
 */
export class AlertStore {
  private lastVersion = 0;
  constructor(readonly store: Store) {}

  private version(): number {
    this.lastVersion = Math.max(this.lastVersion + 1, Date.now() * 1000);
    return this.lastVersion;
  }

  private async rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
    return this.store.client.query({ query, query_params: params, format: 'JSONEachRow' }).then((r) => r.json<T>());
  }

  async saveAlerts(alerts: Alert[]): Promise<void> {
    if (alerts.length === 0) return;
    const values = alerts.map((a) => ({
      fingerprint: a.fingerprint,
      rule: a.rule,
      state: a.state,
      severity: a.severity,
      labels: a.labels,
      doc: JSON.stringify(a),
      updated_at: ch(a.lastEvalAt),
      version: this.version(),
    }));
    await this.store.client.insert({ table: 'weft_alerts', values, format: 'JSONEachRow' });
  }

  /** Alerts in these states (default: pending and firing), newest first. */
  async listAlerts(states: AlertState[] = ['pending', 'firing'], limit?: number): Promise<Alert[]> {
    const rows = await this.rows<{ doc: string }>(
      `SELECT doc FROM weft_alerts FINAL WHERE state IN {states:Array(String)} ORDER BY updated_at DESC LIMIT ${limitOf(limit)}`,
      { states },
    );
    return rows.map((r) => JSON.parse(r.doc) as Alert);
  }

  /** The stored alerts of these fingerprints, by fingerprint (those not stored are absent). */
  async getAlerts(fingerprints: string[]): Promise<Map<string, Alert>> {
    if (fingerprints.length === 0) return new Map();
    const rows = await this.rows<{ doc: string }>('SELECT doc FROM weft_alerts FINAL WHERE fingerprint IN {fps:Array(String)}', { fps: fingerprints });
    return new Map(rows.map((r) => JSON.parse(r.doc) as Alert).map((a) => [a.fingerprint, a]));
  }

  async getAlert(fingerprint: string): Promise<Alert | undefined> {
    const [row] = await this.rows<{ doc: string }>('SELECT doc FROM weft_alerts FINAL WHERE fingerprint = {fp:String}', { fp: fingerprint });
    return row ? (JSON.parse(row.doc) as Alert) : undefined;
  }

  async recordEvents(events: AlertEvent[]): Promise<void> {
    if (events.length === 0) return;
    const values = events.map((e) => ({ ...e, at: ch(e.at), value: Number.isFinite(e.value) ? e.value : 0 }));
    await this.store.client.insert({ table: 'weft_alert_events', values, format: 'JSONEachRow' });
  }

  /** Transitions and acknowledgements, newest first (optionally of one alert). */
  async events(options: { fingerprint?: string; limit?: number } = {}): Promise<AlertEvent[]> {
    const rows = await this.rows<AlertEvent>(
      `SELECT at, fingerprint, rule, event, actor, value, note, labels FROM weft_alert_events ${options.fingerprint ? 'WHERE fingerprint = {fp:String}' : ''} ORDER BY at DESC LIMIT ${limitOf(options.limit)}`,
      { fp: options.fingerprint ?? '' },
    );
    return rows.map((r) => ({ ...r, at: fromChTime(r.at), value: Number(r.value) }));
  }

  async saveSilence(s: Silence): Promise<void> {
    await this.store.client.insert({
      table: 'weft_silences',
      values: [
        {
          id: s.id,
          matchers: JSON.stringify(s.matchers),
          starts_at: ch(s.startsAt),
          ends_at: ch(s.endsAt),
          created_by: s.createdBy,
          comment: s.comment,
          created_at: ch(s.createdAt),
          version: this.version(),
        },
      ],
      format: 'JSONEachRow',
    });
  }

  async newSilence(input: { matchers: Matcher[]; startsAt: string; endsAt: string; createdBy: string; comment: string }, now: Date): Promise<Silence> {
    const s: Silence = { id: randomUUID(), ...input, createdAt: now.toISOString() };
    await this.saveSilence(s);
    return s;
  }

  async listSilences(limit?: number): Promise<Silence[]> {
    const rows = await this.rows<{ id: string; matchers: string; starts_at: string; ends_at: string; created_by: string; comment: string; created_at: string }>(
      `SELECT id, matchers, starts_at, ends_at, created_by, comment, created_at FROM weft_silences FINAL ORDER BY created_at DESC LIMIT ${limitOf(limit)}`,
    );
    return rows.map((r) => ({
      id: r.id,
      matchers: JSON.parse(r.matchers) as Matcher[],
      startsAt: fromChTime(r.starts_at),
      endsAt: fromChTime(r.ends_at),
      createdBy: r.created_by,
      comment: r.comment,
      createdAt: fromChTime(r.created_at),
    }));
  }

  async loadGroups(): Promise<Map<string, unknown>> {
    const rows = await this.rows<{ group_key: string; doc: string }>('SELECT group_key, doc FROM weft_notify_groups FINAL');
    return new Map(rows.map((r) => [r.group_key, JSON.parse(r.doc)]));
  }

  async saveGroups(groups: Array<{ key: string; doc: unknown }>, now: Date): Promise<void> {
    if (groups.length === 0) return;
    await this.store.client.insert({
      table: 'weft_notify_groups',
      values: groups.map((g) => ({ group_key: g.key, doc: JSON.stringify(g.doc), updated_at: toChTime(now), version: this.version() })),
      format: 'JSONEachRow',
    });
  }

  async recordDelivery(d: Delivery): Promise<void> {
    await this.store.client.insert({
      table: 'weft_alert_deliveries',
      values: [
        {
          at: ch(d.at),
          receiver: d.receiver,
          receiver_type: d.receiverType,
          group_key: d.groupKey,
          status: d.status,
          fingerprints: d.fingerprints,
          attempt: d.attempt,
          ok: d.ok ? 1 : 0,
          http_status: d.httpStatus,
          error: d.error,
          duration_ms: Math.round(d.durationMs),
        },
      ],
      format: 'JSONEachRow',
    });
  }

  async deliveries(limit?: number): Promise<Delivery[]> {
    const rows = await this.rows<Record<string, unknown>>(`SELECT * FROM weft_alert_deliveries ORDER BY at DESC LIMIT ${limitOf(limit)}`);
    return rows.map((r) => ({
      at: fromChTime(String(r.at)),
      receiver: String(r.receiver),
      receiverType: String(r.receiver_type),
      groupKey: String(r.group_key),
      status: r.status as Delivery['status'],
      fingerprints: r.fingerprints as string[],
      attempt: Number(r.attempt),
      ok: Number(r.ok) === 1,
      httpStatus: Number(r.http_status),
      error: String(r.error),
      durationMs: Number(r.duration_ms),
    }));
  }

  /**
   * Per receiver with a delivery attempt in the last 7 days: whether its latest attempt succeeded, and when the latest
   * successful one was (ISO 8601; null when none in those days). Read for Prometheus `/metrics`.
   */
  async receiverHealth(): Promise<ReceiverHealth[]> {
    const rows = await this.rows<{ receiver: string; latest_ok: number | string; last_success: string | null }>(
      `SELECT receiver, argMax(ok, (at, attempt)) AS latest_ok, if(countIf(ok = 1) > 0, maxIf(at, ok = 1), NULL) AS last_success
       FROM weft_alert_deliveries WHERE at >= now64(3) - toIntervalDay(7) GROUP BY receiver ORDER BY receiver`,
    );
    return rows.map((r) => ({ receiver: r.receiver, ok: Number(r.latest_ok) === 1, lastSuccessAt: r.last_success ? fromChTime(r.last_success) : null }));
  }

  async recordAttempt(a: RemediationAttempt): Promise<void> {
    await this.store.client.insert({
      table: 'weft_remediation_attempts',
      values: [
        {
          at: ch(a.at),
          run_id: a.runId,
          action: a.action,
          fingerprint: a.fingerprint,
          flow: a.flow,
          attempt: a.attempt,
          idempotency_key: a.idempotencyKey,
          method: a.method,
          url: a.url,
          http_status: a.httpStatus,
          outcome: a.outcome,
          error: a.error,
          duration_ms: Math.round(a.durationMs),
          actor: a.actor,
        },
      ],
      format: 'JSONEachRow',
    });
  }

  /**
   * How the latest remediation run of each (action, alert, idempotency key) among `keys` ended: its last record
   * that ends a run (succeeded, escalated, escalation-failed), latest by time. Keys absent: no run ended.
   */
  async runEnds(keys: string[]): Promise<RunEnd[]> {
    if (keys.length === 0) return [];
    const rows = await this.rows<{ action: string; fingerprint: string; idempotency_key: string; last: [string, number | string, string] }>(
      `SELECT action, fingerprint, idempotency_key, argMax((outcome, attempt, error), at) AS last
       FROM weft_remediation_attempts
       WHERE idempotency_key IN {keys:Array(String)} AND outcome IN ('succeeded', 'escalated', 'escalation-failed')
       GROUP BY action, fingerprint, idempotency_key`,
      { keys },
    );
    return rows.map((r) => ({
      action: r.action,
      fingerprint: r.fingerprint,
      idempotencyKey: r.idempotency_key,
      outcome: r.last[0] as RunEnd['outcome'],
      attempts: Number(r.last[1]),
      error: r.last[2],
    }));
  }

  async attempts(options: { fingerprint?: string; limit?: number } = {}): Promise<RemediationAttempt[]> {
    const rows = await this.rows<Record<string, unknown>>(
      `SELECT * FROM weft_remediation_attempts ${options.fingerprint ? 'WHERE fingerprint = {fp:String}' : ''} ORDER BY at DESC LIMIT ${limitOf(options.limit)}`,
      { fp: options.fingerprint ?? '' },
    );
    return rows.map((r) => ({
      at: fromChTime(String(r.at)),
      runId: String(r.run_id),
      action: String(r.action),
      fingerprint: String(r.fingerprint),
      flow: String(r.flow),
      attempt: Number(r.attempt),
      idempotencyKey: String(r.idempotency_key),
      method: String(r.method),
      url: String(r.url),
      httpStatus: Number(r.http_status),
      outcome: r.outcome as RemediationAttempt['outcome'],
      error: String(r.error),
      durationMs: Number(r.duration_ms),
      actor: String(r.actor),
    }));
  }
}
