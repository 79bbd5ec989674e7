import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Credentials } from '../../access/index.ts';
import type { Store } from '../../clickhouse/index.ts';
import type { CollectorConfig } from '../../core/config/index.ts';
import { silentLogger, type Logger } from '../../core/log/logger.ts';
import { openMigratedStore } from '../../test/migrated-store.ts';
import { startCollector, type Collector } from '../index.ts';

export interface Harness {
  dir: string;
  store: Store;
  collector: Collector;
  config: CollectorConfig;
  rows<T = Record<string, unknown>>(query: string): Promise<T[]>;
  /** POSTs `body` to the collector's `path` (`/v1/traces`, `/v1/logs`, `/v1/metrics`) as `contentType` (OTLP/JSON by default). */
  post(path: string, body: Buffer | string, contentType?: string): Promise<Response>;
  close(): Promise<void>;
}

export function collectorConfig(dir: string, over: Partial<CollectorConfig> = {}): CollectorConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    spoolDir: join(dir, 'spool'),
    spoolMaxBytes: 256 * 1024 * 1024,
    maxBodyBytes: 20 * 1024 * 1024,
    batchRows: 50_000,
    batchMaxWaitMs: 200,
    ...over,
  };
}

/** A migrated embedded store in a temp directory with a collector on a free port. */
export async function startHarness(
  {
    tokens = [],
    logger = silentLogger(),
    trustedProxies,
    ...over
  }: Partial<CollectorConfig> & { tokens?: string[]; logger?: Logger; trustedProxies?: string[] } = {},
  retention: { rawDays?: number } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'weft-collector-'));
  const store = await openMigratedStore(join(dir, 'data'), { rawDays: retention.rawDays ?? 30, rollupDays: 400, recordDays: 730 });
  const config = collectorConfig(dir, over);
  const configured = tokens.map((token, i) => ({ token, role: 'ingest' as const, name: `ingest-${i + 1}`, source: 'WEFT_INGEST_TOKENS' as const }));
  const collector = await startCollector({ config, store, logger, credentials: await Credentials.create({ configured }), trustedProxies });
  return {
    dir,
    store,
    collector,
    config,
    rows: <T>(query: string) => store.client.query({ query, format: 'JSONEachRow' }).then((r) => r.json<T>()),
    post: (path, body, contentType = 'application/json') =>
      fetch(`${collector.url}${path}`, { method: 'POST', body, headers: { 'content-type': contentType } }),
    close: async () => {
      await collector.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
