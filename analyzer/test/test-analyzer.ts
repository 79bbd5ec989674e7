import type { Store } from '../../clickhouse/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { startAnalyzer, type Analyzer } from '../index.ts';
import { catalogFrom } from './estate-fixture.ts';

/**
 * An analyzer for a test, over `store` and the catalog `catalogYaml`, on the real clock: a window of `windowMs` (ms, default
 * a day), complete traces paired at once, `lateMs` (ms, default a minute) waited for late spans, and no schedule (the test
 * calls `runNow`). Throws what `catalogFrom` throws on a catalog that does not load.
 */
export function testAnalyzer(store: Store, catalogYaml: string, { lateMs = 60_000, windowMs = 86_400_000 } = {}): Analyzer {
  return startAnalyzer({
    store,
    catalog: catalogFrom(catalogYaml),
    logger: silentLogger(),
    config: { intervalMs: 3_600_000, windowMs, lateMs, completeGraceMs: 0 },
    schedule: false,
  });
}
