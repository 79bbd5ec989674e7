import type { CollectorConfig, CollectorLimits } from '../../core/config/index.ts';
import { defaultIngestLimits } from '../otlp/limits.ts';

/**
 * Every collector limit, from the configuration with the defaults filled in (documented in
 * docs/security-limits.md). Body deadline: 20 s plus 1 s per 500 bytes, at most 120 s (Apache
 * mod_reqtimeout's `body=20,MinRate=500`); headers: 10 s; one peer may hold half the in-flight budget.
 */
export function collectorLimits(config: CollectorConfig): CollectorLimits {
  const maxInflight = Math.max(config.maxBodyBytes * 4, 64 * 1024 * 1024);
  return {
    ...defaultIngestLimits(config.maxBodyBytes),
    headersTimeoutMs: 10_000,
    bodyTimeoutMs: 20_000,
    bodyMinBytesPerSecond: 500,
    bodyMaxTimeoutMs: 120_000,
    peerInflightBytes: Math.max(config.maxBodyBytes, Math.floor(maxInflight / 2)),
    segmentMaxAttempts: 5,
    ...config.limits,
  };
}
