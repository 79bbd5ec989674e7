import type { Store } from '../../clickhouse/index.ts';
import { toChTime } from '../../clickhouse/index.ts';

/**
 * Test fixtures for the tables other parts own and may not have merged yet: alerting's alerts and
 * remediation attempts, access's hash-chained audit log (columns as that part specifies them).
 */
export async function createOptionalTables(store: Store, at: Date): Promise<void> {
  const c = store.client;
  await c.command({
    query: `CREATE TABLE IF NOT EXISTS weft_audit_log (seq UInt64, at DateTime64(3, 'UTC'), actor String, role LowCardinality(String), action LowCardinality(String),
            subject String, detail String, prev_hash String, hash String) ENGINE = MergeTree ORDER BY seq`,
  });
  // As alerting's migration 060 writes them.
  await c.command({
    query: `CREATE TABLE IF NOT EXISTS weft_alert_events (at DateTime64(3, 'UTC'), fingerprint String, rule LowCardinality(String), event LowCardinality(String), actor String,
            value Float64, note String, labels Map(String, String)) ENGINE = MergeTree ORDER BY (at, fingerprint)`,
  });
  await c.command({
    query: `CREATE TABLE IF NOT EXISTS weft_remediation_attempts (at DateTime64(3, 'UTC'), run_id String, action LowCardinality(String), fingerprint String, flow String, attempt UInt16,
            idempotency_key String, method LowCardinality(String), url String, http_status UInt16, outcome LowCardinality(String), error String, duration_ms UInt32, actor String)
            ENGINE = MergeTree ORDER BY (at, action)`,
  });
  await c.command({
    query: `CREATE TABLE IF NOT EXISTS weft_alert_rules (id String, name String, flows Array(String), source String) ENGINE = MergeTree ORDER BY id`,
  });
  const t = (minutes: number) => toChTime(new Date(at.getTime() + minutes * 60_000));
  await c.insert({
    table: 'weft_audit_log',
    format: 'JSONEachRow',
    values: [
      {
        seq: 1,
        at: t(1),
        actor: 'alice-sre',
        role: 'sre',
        action: 'finding.acknowledge',
        subject: 'finding:abc',
        detail: '{"note":"on it"}',
        prev_hash: '',
        hash: 'h1',
      },
      { seq: 2, at: t(2), actor: 'ico-bob', role: 'icoe', action: 'catalog.reload', subject: 'catalog', detail: '{}', prev_hash: 'h1', hash: 'h2' },
    ],
  });
  const labels = { alertname: 'customer-sync-latency', flow: 'customer-sync', severity: 'high' };
  await c.insert({
    table: 'weft_alert_events',
    format: 'JSONEachRow',
    values: [
      { at: t(2.5), fingerprint: 'alert-1', rule: 'customer-sync-latency', event: 'pending', actor: 'weft', value: 300, note: '', labels },
      { at: t(3), fingerprint: 'alert-1', rule: 'customer-sync-latency', event: 'firing', actor: 'weft', value: 300, note: '', labels },
      {
        at: t(4),
        fingerprint: 'alert-1',
        rule: 'customer-sync-latency',
        event: 'acknowledged',
        actor: 'alice-sre',
        value: 300,
        note: 'paging the ERP team',
        labels,
      },
      { at: t(9), fingerprint: 'alert-1', rule: 'customer-sync-latency', event: 'resolved', actor: 'weft', value: 80, note: '', labels },
    ],
  });
  const attempt = {
    run_id: 'r1',
    action: 'rerun-customer-sync',
    fingerprint: 'alert-1',
    flow: 'customer-sync',
    idempotency_key: 'k1',
    method: 'POST',
    url: 'http://ipaas.internal/run',
    duration_ms: 40,
    actor: 'weft',
  };
  await c.insert({
    table: 'weft_remediation_attempts',
    format: 'JSONEachRow',
    values: [
      { ...attempt, at: t(5), attempt: 1, http_status: 503, outcome: 'failed', error: 'Service Unavailable' },
      { ...attempt, at: t(6), attempt: 2, http_status: 202, outcome: 'succeeded', error: '' },
    ],
  });
  await c.insert({
    table: 'weft_alert_rules',
    format: 'JSONEachRow',
    values: [{ id: 'customer-sync-latency', name: 'customer-sync latency', flows: ['customer-sync'], source: 'catalog' }],
  });
}
