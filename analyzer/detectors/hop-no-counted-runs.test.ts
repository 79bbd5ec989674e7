import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { createLineageReceiver } from '../../lineage/index.ts';
import { runUuid } from '../../test/run-id.ts';
import { runAudit } from '../audit/run-audit.ts';
import type { Analyzer } from '../index.ts';
import { openFindingTitles, testAnalyzer } from '../test/test-analyzer.ts';

const MIN = 60_000;
const producer = 'https://github.com/OpenLineage/OpenLineage/tree/1.24.2/client/python';
const erp = { namespace: 'postgres://erp-db.internal:5432', name: 'erp.public.orders' };
const lake = { namespace: 's3://acme-lake', name: 'raw/orders' };

// One hop carries orders from the ERP's database to the lake: an OpenLineage job, judged per run on the rows it read and wrote.
const catalogYaml = `
owners: [{ id: icoe }]
systems:
  - { id: erp, owner: icoe, kind: erp, match: { databases: ["postgresql://erp-db.internal/erp"] } }
  - { id: lake, owner: icoe, kind: storage, match: { urlPrefixes: ["s3://acme-lake/raw"] } }
domains:
  - { id: order, systemOfRecord: erp, replicas: [lake], drift: { toleranceAbsolute: 0, tolerancePercent: 0.5 } }
flows:
  - { id: orders-extract, source: erp, target: lake, owner: icoe, domain: order, runtime: { flow: etl/orders_extract } }
`;

/** A completed run of etl/orders_extract ending at `end` (epoch ms); with `counts`, the rows it read and wrote (else none reported). */
function run(name: string, end: number, counts?: { read: number; written: number }) {
  const common = {
    run: { runId: runUuid(name) },
    job: { namespace: 'etl', name: 'orders_extract' },
    producer,
    schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
  };
  const stat = (key: string, rowCount: number) => ({ [key]: { _producer: producer, _schemaURL: 's', rowCount } });
  return [
    { ...common, eventType: 'START', eventTime: new Date(end - 30_000).toISOString(), inputs: [erp], outputs: [lake] },
    {
      ...common,
      eventType: 'COMPLETE',
      eventTime: new Date(end).toISOString(),
      inputs: [counts ? { ...erp, inputFacets: stat('inputStatistics', counts.read) } : erp],
      outputs: [counts ? { ...lake, outputFacets: stat('outputStatistics', counts.written) } : lake],
    },
  ];
}

const LOST = '20 order records lost at hop erp → lake (job etl/orders_extract): read 500, wrote 480 over 1 run';

// Regression: a hop with no run in the window whose records were counted (runs that reported no counts, or no run at
// all) resolved its open hop-record-loss finding ("condition cleared"), which the next window with counted runs opened
// again: a false "resolved" in its history and in compliance reports.
describe('hop-record-loss on a window with no counted run', () => {
  let h: Harness;
  // The same store read over 3 hours (the lossy run) and over the last hour (the later ones) and 10 minutes (none).
  let wide: Analyzer;
  let hour: Analyzer;
  let tenMinutes: Analyzer;
  const t0 = Date.now() - 150 * MIN;
  const recent = Date.now() - 40 * MIN;
  const ingest = async (events: unknown[]) => {
    const receiver = createLineageReceiver(h.store);
    for (const e of events) await receiver.ingest(e);
  };

  beforeAll(async () => {
    h = await startHarness();
    wide = testAnalyzer(h.store, catalogYaml, { windowMs: 180 * MIN });
    hour = testAnalyzer(h.store, catalogYaml, { windowMs: 60 * MIN });
    tenMinutes = testAnalyzer(h.store, catalogYaml, { windowMs: 10 * MIN });
  });
  afterAll(async () => {
    for (const a of [wide, hour, tenMinutes]) await a?.stop();
    await h?.close();
  });

  const events = async () => {
    const [f] = await wide.findings.list({ kind: ['hop-record-loss'] });
    return (await wide.findings.history(f.id)).map((e) => e.action);
  };

  it('opens the finding on a run that read 500 rows and wrote 480', async () => {
    await ingest(run('lossy', t0, { read: 500, written: 480 }));
    expect((await wide.runNow()).errors).toEqual([]);
    expect(await openFindingTitles(wide, ['hop-record-loss'])).toEqual([LOST]);
  });

  it('keeps it open, untouched, while the window holds only a run that counted nothing, or no run', async () => {
    const before = await wide.findings.list({ kind: ['hop-record-loss'] });
    await ingest(run('uncounted', recent));
    const counted = 'no run of this hop counted its records in the window (1 run completed without reporting both counts)';
    expect((await hour.runNow()).findings).toMatchObject({ opened: 0, resolved: 0, held: 1 });
    expect((await hour.findings.list({ kind: ['hop-record-loss'] })).map((f) => [f.status, f.noVerdict?.reason])).toEqual([['open', counted]]);
    expect((await tenMinutes.runNow()).findings).toMatchObject({ opened: 0, resolved: 0, held: 1 });
    expect((await tenMinutes.findings.list({ kind: ['hop-record-loss'] })).map((f) => f.noVerdict?.reason)).toEqual(['no run of this hop in the window']);
    expect(await wide.findings.list({ kind: ['hop-record-loss'] })).toEqual(before);
    expect(await events()).toEqual(['opened']);
    // The audit of the last hour lists it as the runner keeps it, and says why.
    const audit = await runAudit(h.store, hour.catalog(), { sinceMs: 60 * MIN, now: new Date(), failOn: null, findings: hour.findings });
    expect(audit.findings.filter((f) => f.kind === 'hop-record-loss').map((f) => [f.title, f.noVerdict?.reason])).toEqual([[LOST, counted]]);
  });

  it('resolves it once a run in the window counted its records and lost none', async () => {
    await ingest(run('whole', recent + 5 * MIN, { read: 300, written: 300 }));
    expect((await hour.runNow()).findings).toMatchObject({ resolved: 1, held: 0 });
    expect(await openFindingTitles(wide, ['hop-record-loss'])).toEqual([]);
    expect(await events()).toEqual(['opened', 'resolved']);
  });
});
