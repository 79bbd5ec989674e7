import { Credentials, listenerGuard } from '../access/index.ts';
import type { Store } from '../clickhouse/index.ts';
import type { CollectorConfig } from '../core/config/index.ts';
import type { Logger } from '../core/log/logger.ts';
import { buildCollectorApp } from './http/collector-app.ts';
import { collectorLimits } from './http/limits-config.ts';
import { SelfMetrics } from './http/self-metrics.ts';
import { ensureDedupWindows } from './spool/dedup-windows.ts';
import { Loader } from './spool/loader.ts';
import { Spool } from './spool/spool.ts';

export interface Collector {
  /** Base URL, e.g. http://127.0.0.1:4318 (OTLP paths /v1/traces, /v1/metrics, /v1/logs). */
  url: string;
  port: number;
  /** Resolves once everything accepted so far is inserted and queryable. */
  flush(): Promise<void>;
  /** Stops accepting, flushes, and closes. */
  stop(): Promise<void>;
}

export interface StartCollectorOptions {
  config: CollectorConfig;
  store: Store;
  logger: Logger;
  /** The credential check shared by every listener; without it, no tokens (no-token mode on loopback, all refused elsewhere). */
  credentials?: Credentials;
  /** Names (besides the bound address) clients may use in Host (WEFT_PUBLIC_NAMES). */
  publicNames?: readonly string[];
  /** Reverse proxies whose forwarding headers name the client (WEFT_TRUSTED_PROXIES); none by default. */
  trustedProxies?: readonly string[];
}

/**
 * Starts the OTLP/HTTP collector: requests are decoded, mapped to rows and appended to the
 * durable spool before they are acknowledged; the loader inserts sealed segments into
 * ClickHouse. Segments left by a previous run are loaded first, exactly once.
 */
export async function startCollector({ config, store, logger, credentials, publicNames, trustedProxies }: StartCollectorOptions): Promise<Collector> {
  const log = logger.child({ part: 'collector' });
  await ensureDedupWindows(store, log);
  const metrics = new SelfMetrics();
  const limits = collectorLimits(config);
  let loader: Loader | undefined;
  const spool = new Spool({
    dir: config.spoolDir,
    maxBytes: config.spoolMaxBytes,
    batchRows: config.batchRows,
    batchMaxWaitMs: config.batchMaxWaitMs,
    batchIdleMs: config.batchIdleMs,
    onSealed: (segment) => loader?.enqueue(segment),
  });
  loader = new Loader({ store, logger: log, metrics, spool, maxAttempts: limits.segmentMaxAttempts });
  const recovered = spool.recover();
  metrics.quarantinedSegments = spool.quarantined.segments;
  metrics.quarantinedRows = spool.quarantined.rows;
  if (spool.quarantined.segments > 0) {
    const { segments, rows } = spool.quarantined;
    log.warn({ segments, rows, dir: config.spoolDir }, 'quarantined spool segments from earlier runs are kept aside (*.quarantine)');
  }
  if (recovered.length > 0) {
    log.info({ segments: recovered.length, rows: recovered.reduce((n, s) => n + s.rows, 0) }, 'replaying spool segments left by the previous run');
    for (const s of recovered) loader.enqueue(s);
  }
  const app = buildCollectorApp({
    logger: log,
    guard: listenerGuard(credentials ?? (await Credentials.create({ logger: log })), { host: config.host, publicNames, trustedProxies, kind: 'collector' }),
    maxBodyBytes: config.maxBodyBytes,
    maxInflightBytes: Math.max(config.maxBodyBytes * 4, 64 * 1024 * 1024),
    peerInflightBytes: limits.peerInflightBytes,
    limits,
    bodyDeadline: { timeoutMs: limits.bodyTimeoutMs, minBytesPerSecond: limits.bodyMinBytesPerSecond, maxTimeoutMs: limits.bodyMaxTimeoutMs },
    headersTimeoutMs: limits.headersTimeoutMs,
    quarantine: () => ({ ...spool.quarantined }),
    spool,
    metrics,
    spoolMaxBytes: config.spoolMaxBytes,
    // The embedded store loads the collector's touches beside the spans; a server or cluster classifies in SQL.
    classify: store.kind === 'embedded',
    ready: () => {
      if (spool.nearlyFull()) return { ok: false, reason: 'spool nearly full; storage is behind' };
      if (loader.lastError) return { ok: false, reason: `storage: ${loader.lastError}` };
      return { ok: true };
    },
  });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    loader.stop();
    spool.release();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const flush = async () => {
    spool.sealAll();
    await loader.idle();
  };
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    flush,
    stop: () =>
      (stopping ??= (async () => {
        await app.close();
        spool.sealAll();
        if (!loader.lastError) await loader.idle();
        loader.stop();
        spool.release();
      })()),
  };
}
