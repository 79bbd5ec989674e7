/**
 * The `probes` and `reconciliations` sections of the estate catalog.
 * Owned by probes/ (issue: probes and drift); the catalog loader validates them with the schemas
 * exported here.
 */
export type ProbeKind = 'sql' | 'http' | 'amqp-queue' | 'nats-consumer';

export interface ProbeSpecBase {
  id: string;
  kind: ProbeKind;
  /** The system probed, and the domain its count belongs to. */
  system: string;
  domain?: string;
  /** "30s" / "5m", or a cron expression (UTC). */
  every?: string;
  cron?: string;
  timeout: string;
  jitter: string;
}

export type ProbeSpec = ProbeSpecBase & Record<string, unknown>;

export interface ReconcileSpec {
  id: string;
  domain?: string;
  every?: string;
  cron?: string;
  [key: string]: unknown;
}
