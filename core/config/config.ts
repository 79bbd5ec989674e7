import type { EnvPolicy } from '../catalog/env-refs.ts';

/** Weft's process configuration: built once, at the edge (CLI flags + environment), then passed down typed. */
export type Role = 'ingest' | 'viewer' | 'sre' | 'icoe' | 'auditor' | 'admin';
/**
 * The default budget of row data one OTLP request may expand to (bytes; WEFT_MAX_EXPANDED_BYTES): four times the body
 * limit (`maxBodyBytes`, bytes), at least 16 MiB. The collector's default (collector/otlp/limits.ts) and the spool's
 * lower bound (core/config/parse.ts) both read it here.
 */
export const defaultMaxExpandedBytes = (maxBodyBytes: number): number => Math.max(4 * maxBodyBytes, 16 * 1024 * 1024);

/**
 * The deepest nesting of AnyValue arrays and kvlists WEFT_MAX_ANY_VALUE_DEPTH may allow (levels; default 32): a request
 * nesting 1,000 levels under a limit above it overflowed the OTLP/JSON decoder's stack (RangeError, answered 500); the
 * protobuf decoder (protobufjs) is given room for it (collector/otlp/proto-codec.ts); 256 levels decode in both
 * (collector/otlp/any-value-depth.test.ts).
 */
export const MAX_ANY_VALUE_DEPTH = 256;

export const roles: readonly Role[] = ['ingest', 'viewer', 'sre', 'icoe', 'auditor', 'admin'];

export type StoreConfig =
  { kind: 'embedded'; path: string } | { kind: 'server'; url: string; user: string; password: string; database: string; cluster?: string };

/** How long each kind of row is kept, in days: 1 to 10,000 each (`MAX_RETENTION_DAYS`, core/config/parse.ts, says why). */
export interface RetentionConfig {
  /** Days of raw spans, metrics and logs kept (TTL). */
  rawDays: number;
  /** Days of rollups (per-minute aggregates) kept. */
  rollupDays: number;
  /** Days of Weft's own records (findings, probe samples, reconciliation runs). The audit log has no TTL: its chain must stay whole. */
  recordDays: number;
}

/** A bearer token given by configuration (`WEFT_API_TOKENS`, `WEFT_INGEST_TOKENS`), checked by access/. */
export interface ConfiguredToken {
  /** The token text (never logged, never stored). */
  token: string;
  role: Role;
  /** Who it is in records (acknowledged by, audit log): `name` from `token:role:name`, else `<VARIABLE>#<n>`. */
  name: string;
  /** The variable it came from, for messages. */
  source: 'WEFT_API_TOKENS' | 'WEFT_INGEST_TOKENS';
}

/** Credentials and the names this Weft answers to; read by access/ for every listener. */
export interface AccessConfig {
  /** Tokens from configuration; tokens made by `weft token create` live in the store. */
  tokens: ConfiguredToken[];
  /**
   * Host names (besides the bound address and loopback names) browsers may use to reach Weft,
   * e.g. `weft.internal` behind a proxy (`--public-name` / `WEFT_PUBLIC_NAMES`); `host:port` allows
   * that port only, a name without one any port. Lower case. Other Host and
   * Origin headers are refused (DNS rebinding, cross-site requests).
   */
  publicNames: string[];
  /**
   * Reverse proxies whose `X-Forwarded-For` / `Forwarded` headers name the client (`--trusted-proxies` /
   * `WEFT_TRUSTED_PROXIES`): IP addresses and CIDR ranges, IPv4 and IPv6. Empty: every client is the connection's
   * address, whatever it sends.
   */
  trustedProxies: string[];
}

export interface CollectorConfig {
  host: string;
  port: number;
  /** Directory of the durable spool. */
  spoolDir: string;
  /** Largest spool on disk before ingest answers 503 + Retry-After. */
  spoolMaxBytes: number;
  /** Largest request body, before and after decompression. */
  maxBodyBytes: number;
  /** Rows per insert batch, the longest a batch waits (ms), and how long it waits for more after its last rows (ms). */
  batchRows: number;
  batchMaxWaitMs: number;
  batchIdleMs?: number;
  /**
   * Limits on what one request may contain and cost (docs/security-limits.md has each default):
   * attribute limits named as in the SDK specification, AnyValue nesting, row bytes one request
   * may expand to, header and body deadlines, and the in-flight share of one peer.
   */
  limits?: Partial<CollectorLimits>;
}

export interface CollectorLimits {
  attributeCountLimit: number;
  attributeValueLengthLimit: number;
  maxAnyValueDepth: number;
  maxExpandedBytes: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  bodyMinBytesPerSecond: number;
  bodyMaxTimeoutMs: number;
  peerInflightBytes: number;
  /** Failed loads of one segment (with the store reachable) before it is set aside. */
  segmentMaxAttempts: number;
}

export interface ApiConfig {
  host: string;
  port: number;
  /**
   * Link to a trace in an external viewer (Jaeger, Tempo, SigNoz…), `{traceId}` replaced by the id:
   * e.g. `http://jaeger:16686/trace/{traceId}`. From `--trace-link` / `WEFT_TRACE_LINK`.
   */
  traceLinkTemplate?: string;
}

export type Part = 'collector' | 'probes' | 'analyzer' | 'api';
export const parts: readonly Part[] = ['collector', 'probes', 'analyzer', 'api'];

export interface WeftConfig {
  /** What the configuration allows but likely does not mean, one line each: `weft start` logs each as a warning. */
  warnings?: string[];
  dataDir: string;
  store: StoreConfig;
  retention: RetentionConfig;
  collector: CollectorConfig;
  api: ApiConfig;
  /** Tokens and public names (access/ checks every listener with them). */
  access: AccessConfig;
  /** Estate catalog files (YAML); the demo brings its own. */
  catalogFiles: string[];
  /** Parts this process runs (all by default; splitting needs a ClickHouse server). */
  only: Part[];
  analyzer: {
    /** How often flows and findings are evaluated. */
    intervalMs: number;
    /** The window findings look back over ("documented flow never observed in the window"). */
    windowMs: number;
    /** How long a trace may still receive spans before its reads and writes are paired into flows. */
    lateMs?: number;
    /**
     * Integrations that lose trace context: a write is paired with the reads of the same service
     * instance that ended at most this long before it (ms; analyzer/README.md, "Run boundaries").
     */
    runGapMs?: number;
    /**
     * A trace whose root span arrived is paired once no span of it has arrived for this long (ms; default 15 s,
     * at most lateMs): the other processes' spans of the trace come in their own exporters' batches.
     */
    completeGraceMs?: number;
  };
  demo: {
    enabled: boolean;
    /** Demo faults on from the start: all (true), none (false), or the named ones (`--faults=shadow-it,stale-flow`). */
    faults: boolean | string[];
    /** Multiplies the demo's schedules and its catalog's durations: 1 is the `npm start` pace, 0.1 ten times faster. */
    timeScale: number;
    /** false (`--no-propagation`): the demo's integrations lose trace context, every call its own trace, as zero-code instrumented scripts do. */
    propagation?: boolean;
  };
  /** Alerting (alerting/): evaluated at the analyzer's interval by the lease holder. */
  alerting: {
    /** Run the catalog's `mode: auto` remediations when an alert fires (off: only on request). */
    autoRemediate: boolean;
  };
  /** Report exports (reports/): API and schedules share the bound; past it `POST /api/v1/reports` is answered 429. */
  reports: {
    /** Reports assembled at the same time (`--report-exports` / WEFT_REPORT_EXPORTS; default 1, at least 1). */
    concurrency: number;
    /** Reports that wait for a place beyond those (`--report-queue` / WEFT_REPORT_QUEUE; default 4, 0 or more). */
    queue: number;
  };
  logLevel: string;
  /** Which variables the catalog's `env:NAME` references may read (never WEFT_*): WEFT_CATALOG_ENV_ALLOW / WEFT_CATALOG_ENV_DENY. */
  catalogEnv: EnvPolicy;
  /** Reads one environment variable: only for `env:NAME` references in the catalog, resolved at run time (never stored). */
  env: (name: string) => string | undefined;
}
