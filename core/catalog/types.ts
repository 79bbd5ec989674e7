/**
 * The estate catalog, as Weft uses it after validation ("estate as code", YAML in git).
 * The YAML shape is the same, field for field; durations are strings like "5m" in YAML and stay so
 * here (parse them with core/time parseDuration where used).
 */
import type { ProbeSpec, ReconcileSpec } from './probes.ts';
import type { ReportSchedule } from './reports.ts';

export type Lifecycle = 'active' | 'deprecated' | 'retired';

export interface Owner {
  id: string;
  name: string;
  email?: string;
  slack?: string;
  oncall?: string;
}

/** How a touched endpoint is recognised as this system. Any rule matching is enough. */
export interface MatchRules {
  /** Host names or "host:port", with `*` wildcards: "crm.internal", "*.salesforce.com", "127.0.0.1:18082". */
  hosts?: string[];
  /** URL prefixes (scheme, host, port — the scheme's default when none — and up to two path segments): "https://api.example.com/crm/". */
  urlPrefixes?: string[];
  /** `peer.service` values. */
  peerServices?: string[];
  /** Databases: `db.system` + optional `db.namespace` and server host, or a DSN like "postgresql://host/db". */
  databases?: Array<{ system: string; namespace?: string; host?: string } | string>;
  /** Queue, topic or stream names (`messaging.destination.name`), with `*` wildcards; optional `messaging.system`. */
  destinations?: Array<{ name: string; system?: string } | string>;
  /** `service.name` of an instrumented runtime that is this system itself (its own spans are its own). */
  services?: string[];
}

export interface System {
  id: string;
  name: string;
  owner?: string;
  /** crm, erp, cpq, billing, ecommerce, wms, logistics, support, entitlement, database, broker, topic, saas, other… */
  kind: string;
  lifecycle: Lifecycle;
  description?: string;
  /** Where the system processes data: ISO 3166 country code or EU / EEA (third-country transfers in reports). */
  region?: string;
  /** Security measures of the system (encryption-at-rest, sso…), for the record of processing. */
  security?: string[];
  match: MatchRules;
}

export interface DriftSettings {
  /** Replica count may differ from the system of record's by this many records… */
  toleranceAbsolute: number;
  /** …or by this percentage of it (whichever is larger). */
  tolerancePercent: number;
  /** A divergence must last longer than this to be drift (records in flight are not). */
  settle: string;
}

export interface Domain {
  id: string;
  name: string;
  /** The system that owns the truth for this domain. */
  systemOfRecord: string;
  /** Systems holding copies. */
  replicas: string[];
  /** Systems allowed to write into the system of record besides itself (e.g. an MDM hub). */
  allowedWriters: string[];
  /** Regulated data categories carried: pii, financial, health, payment-card… */
  regulated: string[];
  owner?: string;
  /** GDPR Art. 30: categories of data subjects (customers, employees…). */
  dataSubjects?: string[];
  /** GDPR Art. 30: categories of personal data (contact details, billing address…). */
  personalData?: string[];
  /** How long records are kept (free text, e.g. "7 years after the last invoice"). */
  retention?: string;
  /** Time limit and way of erasure (free text). */
  erasure?: string;
  drift: DriftSettings;
}

export interface Schedule {
  /** Runs at least this often ("15m"). */
  every?: string;
  /** Or a cron expression, UTC. */
  cron?: string;
}

export interface Flow {
  id: string;
  name: string;
  source: string;
  target: string;
  domain?: string;
  owner?: string;
  /** What runs it: `service.name` and/or `integration.flow` as seen in spans. */
  runtime: { service?: string; flow?: string };
  /** SLO class id. */
  class?: string;
  schedule?: Schedule;
  lifecycle: Lifecycle;
  purpose?: string;
  /** Security measures in transit (tls, mtls, field-encryption…). */
  security?: string[];
  docs?: string;
  /** Silence allowed before this flow is stale; overrides its class's `staleAfter` (e.g. an hourly flow in a 30m class). */
  staleAfter?: string;
  /** Thresholds of this flow; each overrides its class's. */
  latencyP95Ms?: number;
  latencyP99Ms?: number;
  /** 0..1 */
  errorRate?: number;
}

export interface SloClass {
  id: string;
  latencyP95Ms?: number;
  latencyP99Ms?: number;
  /** 0..1 */
  errorRate?: number;
  /** A scheduled flow not seen for longer than this is stale (silent failure). */
  staleAfter?: string;
  /** Traces a flow needs in the window before its latency is judged (default LATENCY_MIN_TRACES, 10). */
  minTraces?: number;
}

export interface Catalog {
  owners: Owner[];
  systems: System[];
  domains: Domain[];
  flows: Flow[];
  classes: SloClass[];
  probes: ProbeSpec[];
  reconciliations: ReconcileSpec[];
  /** Scheduled compliance reports (reports/). */
  reports: ReportSchedule[];
  /** Files it was read from, for messages. */
  sources: string[];
}
