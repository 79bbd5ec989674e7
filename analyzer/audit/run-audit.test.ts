import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseCatalogYaml, sendEstateTraffic } from '../test/estate-fixture.ts';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { loadCatalog, type Catalog } from '../../core/catalog/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { analyzerKinds } from '../detectors/index.ts';
import { startAnalyzer } from '../runner.ts';
import { auditFormats } from './render-audit.ts';
import { runAudit } from './run-audit.ts';

const MINUTE = 60_000;

/**
 * Regression: `weft audit --since 30s` read only the minute in progress (a look-back kept its length in whole
 * minutes, ending with the current minute), so at 10:00:05 it saw 5 s of data and missed what the running
 * analyzer, reading every minute its window touches, had found (the demo's latency regression).
 */
describe('runAudit reads what the running analyzer reads', () => {
  let h: Harness;
  let catalog: Catalog;
  /** The start of a minute ten minutes ago; the estate's traffic comes 20 s before it. */
  const minute = Math.floor(Date.now() / MINUTE) * MINUTE - 10 * MINUTE;

  beforeAll(async () => {
    h = await startHarness();
    writeFileSync(join(h.dir, 'estate.yaml'), baseCatalogYaml);
    catalog = loadCatalog([join(h.dir, 'estate.yaml')]);
    await sendEstateTraffic(h.collector.url, minute - 20_000);
    await h.collector.flush();
  });
  afterAll(async () => {
    await h?.close();
  });

  // Early, mid and late in the minute after the traffic's: the 30 s look-back reaches back into it only early.
  it.each([
    [2_000, true],
    [5_000, true],
    [25_000, true],
    [45_000, false],
  ])('a 30 s look-back %i ms into the next minute: the same findings as the analyzer, over the minutes it touches', async (into, reachesTraffic) => {
    const now = new Date(minute + into);
    const analyzer = startAnalyzer({
      store: h.store,
      catalog,
      logger: silentLogger(),
      config: { intervalMs: 3_600_000, windowMs: 30_000, lateMs: 0 },
      clock: { now: () => now },
      schedule: false,
    });
    try {
      const run = await analyzer.runNow();
      expect(run.errors).toEqual([]);
      const audit = await runAudit(h.store, catalog, { sinceMs: 30_000, now, failOn: null });
      // Stated as read: from the start of the minute holding now − 30 s to now. Regression: it said the end of the
      // minute in progress (up to 59 s after the audit ran), a window ending in the future.
      const since = Math.floor((now.getTime() - 30_000) / MINUTE) * MINUTE;
      expect(audit.window).toEqual({ since: new Date(since).toISOString(), until: now.toISOString() });
      expect(audit.generatedAt).toBe(audit.window.until);
      expect(auditFormats.table(audit).split('\n')[0]).toMatch(
        new RegExp(
          `^window ${new Date(since).toISOString()} \\.\\. ${now.toISOString()} \\(now; from the start of a minute: the rollups keep whole minutes\\); catalog `,
        ),
      );
      expect(audit.summary.flows.observed > 0).toBe(reachesTraffic);
      const open = (await analyzer.findings.list({ status: ['open'] })).map((f) => `${f.kind} ${f.title}`).sort();
      expect(audit.findings.map((f) => `${f.kind} ${f.title}`).sort()).toEqual(open);
      if (reachesTraffic) expect(audit.summary.findings.byKind['latency-slo-breach']).toBeGreaterThan(0);
      // Resolve what this run opened, so the next case starts from no open findings.
      await analyzer.findings.sync(analyzerKinds, [], new Date(now.getTime() + 1));
    } finally {
      await analyzer.stop();
    }
  });
});

// Regression: on a Weft whose pairing was behind, `weft audit --since 30s` listed no edge findings and did not say
// why: the runs that had arrived were simply not paired yet.
describe('runAudit says what it could not see yet', () => {
  let h: Harness;
  let catalog: Catalog;

  beforeAll(async () => {
    h = await startHarness();
    writeFileSync(join(h.dir, 'estate.yaml'), baseCatalogYaml);
    catalog = loadCatalog([join(h.dir, 'estate.yaml')]);
    await sendEstateTraffic(h.collector.url, Date.now() - MINUTE);
    await h.collector.flush();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('states the traces not paired yet, in the JSON and in the table, and nothing once they are paired', async () => {
    const now = new Date();
    const behind = await runAudit(h.store, catalog, { sinceMs: 5 * MINUTE, now, failOn: null });
    expect(behind.pairing.pendingTraces).toBeGreaterThan(0);
    expect(behind.pairing.pendingSpans).toBeGreaterThanOrEqual(behind.pairing.pendingTraces);
    expect(behind.summary.flows.observed).toBe(0);
    // Never paired: no horizon to name.
    expect(auditFormats.table(behind)).toContain(
      `not yet paired: ${behind.pairing.pendingTraces} traces (${behind.pairing.pendingSpans} spans); their runs are not in this audit`,
    );
    expect(auditFormats.markdown(behind)).toContain('- not yet paired: ');
    // A stopped Weft's store: the audit pairs first, and every complete trace is in it.
    const paired = await runAudit(h.store, catalog, { sinceMs: 5 * MINUTE, now, failOn: null, pair: { lateMs: 0, runGapMs: 30_000 } });
    expect(paired.pairing.pendingTraces).toBe(0);
    expect(paired.summary.flows.observed).toBeGreaterThan(0);
    expect(auditFormats.table(paired)).not.toContain('not yet paired');
    // Traces that arrive after a pairing run: named with the horizon they arrived after.
    await sendEstateTraffic(h.collector.url, Date.now() - 30_000);
    await h.collector.flush();
    const later = await runAudit(h.store, catalog, { sinceMs: 5 * MINUTE, now: new Date(), failOn: null });
    expect(later.pairing.pendingTraces).toBeGreaterThan(0);
    expect(later.pairing.pairedUntil < later.window.until).toBe(true);
    expect(auditFormats.table(later)).toContain(`that arrived after ${later.pairing.pairedUntil}; their runs are not in this audit`);
  });
});
