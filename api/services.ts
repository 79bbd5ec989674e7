import type { AlertingRuntime } from '../alerting/index.ts';
import type { AuditLog, Credentials } from '../access/index.ts';
import type { Analyzer } from '../analyzer/index.ts';
import type { Store } from '../clickhouse/index.ts';
import type { FindingStore } from '../findings/index.ts';
import type { ProbesRuntime } from '../probes/index.ts';
import type { ReportsRuntime } from '../reports/index.ts';

/**
 * What the API's routes may call. The composition root fills it; each part adds its service
 * here as a named field, and its routes read only that field.
 */
export interface ApiServices {
  store: Store;
  /** Every finding kind's store and lifecycle (findings/); absent only in route tests that need none. */
  findings?: FindingStore;
  /** Inventory, graph, flows, findings and catalog reload (analyzer/). */
  analyzer?: Analyzer;
  /** Probe health, record-count drift and reconciliations (probes/). */
  probes?: ProbesRuntime;
  /** Alerts, silences, notifications and remediation (alerting/). */
  alerting?: AlertingRuntime;
  /**
   * How many days flow rollups are kept (WEFT_RETENTION_ROLLUP_DAYS; default 400): what part of an
   * older window the flow summary can still show.
   */
  rollupDays?: number;
  /** Link template to an external trace viewer (`{traceId}` replaced), from the API config. */
  traceLinkTemplate?: string;
  /** Compliance reports and catalog history (reports/). */
  reports?: ReportsRuntime;
  /** Where every state-changing action is recorded (access/); absent only in route tests. */
  auditLog?: AuditLog;
  /** Tokens (create, list, revoke): set by buildApiApp from its credentials. */
  credentials?: Credentials;
}

export interface RoutePluginOptions {
  services: ApiServices;
}
