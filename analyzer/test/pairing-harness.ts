import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { startAnalyzer, type Analyzer } from '../index.ts';
import { catalogFrom } from './estate-fixture.ts';

const HOUR = 3_600_000;

/** A collector on a new store and an analyzer over it that runs only when asked, for tests of the pairing. */
export interface PairingHarness {
  h: Harness;
  analyzer: Analyzer;
  /** Stops the analyzer, then the collector and its store. */
  close(): Promise<void>;
}

/**
 * Starts a collector harness and an analyzer on `catalogYaml` with a 3-hour window, a late-arrival window of 0 (whatever
 * arrived before a run is settled: the window's wait is not what pairing tests are about) and a run gap of 1 s, not
 * scheduled. Throws what startHarness and catalogFrom throw.
 */
export async function startPairingHarness(catalogYaml: string): Promise<PairingHarness> {
  const h = await startHarness();
  const analyzer = startAnalyzer({
    store: h.store,
    catalog: catalogFrom(catalogYaml),
    logger: silentLogger(),
    config: { intervalMs: HOUR, windowMs: 3 * HOUR, lateMs: 0, runGapMs: 1000 },
    schedule: false,
  });
  return {
    h,
    analyzer,
    close: async () => {
      await analyzer.stop();
      await h.close();
    },
  };
}
