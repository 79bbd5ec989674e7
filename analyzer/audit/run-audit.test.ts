import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseCatalogYaml, sendEstateTraffic } from '../test/estate-fixture.ts';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { loadCatalog, type Catalog } from '../../core/catalog/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { analyzerKinds } from '../detectors/index.ts';
import { startAnalyzer } from '../runner.ts';
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
      const audit = await runAudit(h.store, catalog, { sinceMs: 30_000, now, failOn: null, pair: false });
      // Stated as read: from the start of the minute holding now − 30 s to the end of the minute in progress.
      const since = Math.floor((now.getTime() - 30_000) / MINUTE) * MINUTE;
      expect(audit.window).toEqual({ since: new Date(since).toISOString(), until: new Date(minute + MINUTE).toISOString() });
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
