import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../clickhouse/index.ts';
import type { FindingKind } from '../core/contracts/index.ts';
import { createFindingStore, type FindingStore } from '../findings/index.ts';
import { openMigratedStore } from '../test/migrated-store.ts';
import { evaluateFindings, probeAuditCandidates } from './evaluate.ts';
import { ReconciliationRunStore } from './reconcile/index.ts';
import type { ReconciliationRun } from './reconcile/reconciliation-run.ts';
import { SampleStore } from './sample-store.ts';
import { catalogOf, SYSTEMS_YAML } from './testing/fixtures.ts';

const MIN = 60_000;
const t0 = Date.UTC(2026, 2, 2, 9, 0);
const at = (minutes: number) => new Date(t0 + minutes * MIN);

const catalog = catalogOf(`${SYSTEMS_YAML}probes:
  - { id: crm-customers, kind: sql, system: crm, domain: customer, every: 1m, url: "postgres://postgres@127.0.0.1:5432/test", query: "select count(*) from customers" }
  - { id: erp-customers, kind: sql, system: erp, domain: customer, every: 1m, url: "mysql://root@127.0.0.1:3306/test", query: "SELECT COUNT(*) FROM customers" }
reconciliations:
  - id: customers
    domain: customer
    key: id
    columns: [name]
    left: { system: crm, url: "postgres://postgres@127.0.0.1:5432/test", table: customers }
    right: { system: erp, url: "mysql://root@127.0.0.1:3306/test", table: customers }
`);

/** A count read by `probeId` at minute `minute`; `value` null: the probe failed (its target down). */
const count = (probeId: string, minute: number, value: number | null) => ({
  ts: at(minute),
  probeId,
  kind: 'sql',
  system: probeId.startsWith('crm') ? 'crm' : 'erp',
  domain: 'customer',
  ok: value !== null,
  value,
  metrics: {},
  latencyMs: 3,
  errorCode: value === null ? ('down' as const) : ('' as const),
  error: value === null ? 'connect ECONNREFUSED 127.0.0.1:5432' : '',
});

/** A run of the `customers` reconciliation at minute `minute`: `missing` keys missing from erp, or failed with `error`. */
const reconciliation = (minute: number, missing: number, error = ''): ReconciliationRun => ({
  runId: `run-${minute}`,
  reconcileId: 'customers',
  domain: 'customer',
  leftSystem: 'crm',
  rightSystem: 'erp',
  startedAt: at(minute),
  finishedAt: at(minute),
  status: error ? 'error' : 'ok',
  error,
  leftRows: error ? 0 : 10,
  rightRows: error ? 0 : 10 - missing,
  missing,
  extra: 0,
  changed: 0,
  changedDuringRun: 0,
  sampleMissing: Array.from({ length: missing }, (_, k) => String(k + 1)),
  sampleExtra: [],
  sampleChanged: [],
  queries: 1,
  rowsDownloaded: 0,
  checksumRows: 0,
  details: { levels: 0, durationMs: 1, changedColumns: [] },
});

// Regression: a drift finding resolved ("condition cleared") while the probes could not say anything: a count probe
// whose target was down long enough that no two counts could be compared in the window, or a reconciliation whose
// latest run failed. It opened again once they answered: a flapping finding and a false "resolved" in its history.
describe('record-count and key drift while a probe or reconciliation target is down', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-no-verdict-'));
  let store: Store;
  let findings: FindingStore;
  let samples: SampleStore;
  let runs: ReconciliationRunStore;
  const evaluate = (minute: number) => evaluateFindings(catalog, samples, runs, findings, at(minute));
  const actions = async (kind: FindingKind) => {
    const [f] = await findings.list({ kind: [kind] });
    return { status: f.status, lastSeen: f.lastSeen, events: (await findings.history(f.id)).map((e) => e.action) };
  };

  beforeAll(async () => {
    store = await openMigratedStore(join(dir, 'data'), { rawDays: 3650, rollupDays: 3650, recordDays: 3650 });
    findings = createFindingStore(store);
    samples = new SampleStore(store);
    runs = new ReconciliationRunStore(store);
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens both while the targets answer', async () => {
    // erp holds 6 of crm's 10 customers for 10 minutes (settle 5m): drift.
    await samples.write(Array.from({ length: 11 }, (_, m) => [count('crm-customers', m, 10), count('erp-customers', m, 6)]).flat());
    await runs.write(reconciliation(10, 4));
    const synced = (await evaluate(10)).synced;
    expect(synced['record-count-drift']).toMatchObject({ opened: 1 });
    expect(synced['key-drift']).toMatchObject({ opened: 1 });
  });

  it('keeps both open, untouched, while crm is down (its counts and the latest reconciliation run fail)', async () => {
    // Seven hours later: crm's count probe has failed since minute 11, so no count of it in the 6-hour window.
    await samples.write(Array.from({ length: 420 }, (_, k) => [count('crm-customers', 11 + k, null), count('erp-customers', 11 + k, 6)]).flat());
    await runs.write(reconciliation(430, 0, 'connect ECONNREFUSED 127.0.0.1:5432'));
    const synced = (await evaluate(430)).synced;
    expect(synced['record-count-drift']).toMatchObject({ resolved: 0, held: 1 });
    expect(synced['key-drift']).toMatchObject({ resolved: 0, held: 1 });
    expect(await actions('record-count-drift')).toEqual({ status: 'open', lastSeen: at(10).toISOString(), events: ['opened'] });
    expect(await actions('key-drift')).toEqual({ status: 'open', lastSeen: at(10).toISOString(), events: ['opened'] });
    // What the audit reads: the same keys held.
    const forAudit = await probeAuditCandidates(store, catalog, at(430));
    expect(forAudit.held.map((h) => [h.kind, h.key])).toEqual([
      ['record-count-drift', 'customer:erp'],
      ['key-drift', 'customers'],
    ]);
    expect(forAudit.held[1].reason).toBe(`its latest run (${at(430).toISOString()}) failed: connect ECONNREFUSED 127.0.0.1:5432`);
  });

  it('resolves both once crm answers and the sides agree', async () => {
    await samples.write([count('crm-customers', 431, 6), count('erp-customers', 431, 6)]);
    await runs.write(reconciliation(431, 0));
    await evaluate(431);
    expect((await actions('record-count-drift')).events).toEqual(['opened', 'resolved']);
    expect((await actions('key-drift')).events).toEqual(['opened', 'resolved']);
  });
});
