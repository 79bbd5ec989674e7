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
  await c.command({
    query: `CREATE TABLE IF NOT EXISTS weft_alerts (id String, rule_id String, severity String, title String, subject_flows Array(String), started_at DateTime64(3, 'UTC'),
            acknowledged_by Nullable(String), acknowledged_at Nullable(DateTime64(3, 'UTC')), note String, resolved_at Nullable(DateTime64(3, 'UTC')), version UInt64)
            ENGINE = ReplacingMergeTree(version) ORDER BY id`,
  });
  await c.command({
    query: `CREATE TABLE IF NOT EXISTS weft_remediation_attempts (at DateTime64(3, 'UTC'), action_id String, alert_id String, attempt UInt32, outcome String, actor String, error String)
            ENGINE = MergeTree ORDER BY at`,
  });
  await c.command({ query: `CREATE TABLE IF NOT EXISTS weft_alert_rules (id String, name String, flows Array(String), source String) ENGINE = MergeTree ORDER BY id` });
  const t = (minutes: number) => toChTime(new Date(at.getTime() + minutes * 60_000));
  await c.insert({
    table: 'weft_audit_log',
    format: 'JSONEachRow',
    values: [
      { seq: 1, at: t(1), actor: 'alice-sre', role: 'sre', action: 'finding.acknowledge', subject: 'finding:abc', detail: '{"note":"on it"}', prev_hash: '', hash: 'h1' },
      { seq: 2, at: t(2), actor: 'ico-bob', role: 'icoe', action: 'catalog.reload', subject: 'catalog', detail: '{}', prev_hash: 'h1', hash: 'h2' },
    ],
  });
  await c.insert({
    table: 'weft_alerts',
    format: 'JSONEachRow',
    values: [{ id: 'alert-1', rule_id: 'customer-sync-latency', severity: 'high', title: 'customer-sync p95 above 100 ms', subject_flows: ['customer-sync'], started_at: t(3), acknowledged_by: 'alice-sre', acknowledged_at: t(4), note: 'paging the ERP team', resolved_at: t(9), version: 1 }],
  });
  await c.insert({
    table: 'weft_remediation_attempts',
    format: 'JSONEachRow',
    values: [
      { at: t(5), action_id: 'rerun-customer-sync', alert_id: 'alert-1', attempt: 1, outcome: 'failed', actor: 'weft', error: 'HTTP 503' },
      { at: t(6), action_id: 'rerun-customer-sync', alert_id: 'alert-1', attempt: 2, outcome: 'succeeded', actor: 'weft', error: '' },
    ],
  });
  await c.insert({ table: 'weft_alert_rules', format: 'JSONEachRow', values: [{ id: 'customer-sync-latency', name: 'customer-sync latency', flows: ['customer-sync'], source: 'catalog' }] });
}
