// A collector in its own process for the crash-and-replay test: it acknowledges spans into the
// spool and never loads them (long batch wait), until the test kills it with SIGKILL.
import { join } from 'node:path';
import { migrate, openStore } from '../../clickhouse/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { startCollector } from '../index.ts';
import { collectorConfig } from './harness.ts';

const dir = process.argv[2];
const store = await openStore({ kind: 'embedded', path: join(dir, 'data') });
await migrate(store, { retention: { rawDays: 30, rollupDays: 400, recordDays: 730 } });
const collector = await startCollector({ config: collectorConfig(dir, { batchMaxWaitMs: 600_000 }), store, logger: silentLogger() });
process.stdout.write(`${JSON.stringify({ url: collector.url })}\n`);
setInterval(() => undefined, 60_000);
