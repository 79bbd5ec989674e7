/**
 * The estate catalog, as Weft uses it after validation ("estate as code", YAML in git). Every type
 * is derived from the TypeBox schema in `schema.ts`, so the two cannot drift: the YAML shape is the
 * same, field for field, with the schema's defaults filled in (lifecycle `active`, empty match rules,
 * replicas and drift settings) and names defaulting to ids (`complete` in load.ts). Durations are
 * strings like "5m" in YAML and stay so here (parse them with core/time parseDuration where used).
 */
import type { Static } from '@sinclair/typebox';
import type { AlertRuleSpec, ReceiverSpec, RemediationSpec, RouteSpec } from './alerting.ts';
import type { ProbeSpec, ReconcileSpec } from './probes.ts';
import type { ReportSchedule } from './reports.ts';
import type {
  ControllerSchema,
  DomainSchema,
  DriftSchema,
  FlowSchema,
  MatchRulesSchema,
  OwnerSchema,
  ScheduleSchema,
  SloClassSchema,
  SystemSchema,
} from './schema.ts';

/** After loading, every owner, system, domain and flow has a name (its id when the catalog gives none). */
type Named<T extends { name?: string }> = Omit<T, 'name'> & { name: string };

/** active, deprecated or retired. */
export type Lifecycle = Static<typeof SystemSchema>['lifecycle'];

/** A team: id, name and its contacts (email, slack, oncall). */
export type Owner = Named<Static<typeof OwnerSchema>>;
/** The controller of the processing and its representative and DPO (GDPR Art. 30(1)(a); `controller` in the catalog). */
export type Controller = Static<typeof ControllerSchema>;

/**
 * How a touched endpoint is recognised as this system; any rule matching is enough. hosts (names or
 * "host:port", with `*` wildcards), urlPrefixes (scheme, host, port — the scheme's default when none —
 * and up to two path segments), peerServices (`peer.service`), databases (`db.system` + optional
 * `db.namespace` and host, or a DSN), destinations (queue/topic names with `*`, optional
 * `messaging.system`), services (`service.name` of a runtime that is this system itself).
 */
export type MatchRules = Static<typeof MatchRulesSchema>;

/** A system of the estate; `kind` is crm, erp, billing, ecommerce, wms, support, database, broker, topic, saas, other… */
export type System = Named<Static<typeof SystemSchema>>;

/**
 * Record-count drift settings of a domain: a replica may differ from the system of record by
 * `toleranceAbsolute` records or `tolerancePercent` of it (whichever is larger), for longer than
 * `settle` (records in flight are not drift).
 */
export type DriftSettings = Static<typeof DriftSchema>;

/**
 * A data domain: its system of record (owns the truth), replicas (hold copies), allowedWriters (may
 * write into the system of record besides itself, e.g. an MDM hub), regulated data categories.
 */
export type Domain = Named<Static<typeof DomainSchema>>;

/** A flow's expected schedule: at least `every` ("15m"), or a `cron` expression (UTC). */
export type Schedule = Static<typeof ScheduleSchema>;

/**
 * A documented flow source → target; `runtime` is what runs it as seen in spans (`service.name`,
 * `integration.flow`); `class` an SLO class id; `staleAfter`, `latencyP95Ms`, `latencyP99Ms` and
 * `errorRate` override its class's (a catalog file may also give them under `slo`; loading moves them here).
 */
export type Flow = Named<Omit<Static<typeof FlowSchema>, 'slo'>>;

/**
 * An SLO class: latency thresholds (ms), error rate (0..1), staleAfter (a scheduled flow silent longer
 * is stale), minTraces (traces a flow needs in the window before its latency is judged; default 10),
 * errorRateMinTraces (before its error rate is judged; default 5, see `errorRateMinTraces`).
 */
export type SloClass = Static<typeof SloClassSchema>;

/** The validated, merged catalog: one array per section, plus the files it was read from (for messages). */
export interface Catalog {
  /**
   * Owner of whatever names none (docs/catalog.md, "Ownership"): systems and domains take it;
   * a flow takes its domain's owner, else its runtime's (the system whose match.services lists the
   * flow's runtime service), else this.
   */
  defaultOwner?: string;
  /** The controller, its representative and DPO (GDPR Art. 30(1)(a)); set in one file only. */
  controller?: Controller;
  owners: Owner[];
  systems: System[];
  domains: Domain[];
  flows: Flow[];
  classes: SloClass[];
  probes: ProbeSpec[];
  reconciliations: ReconcileSpec[];
  /** Alert rules, receivers, routes and remediation actions (alerting/). */
  alerts: AlertRuleSpec[];
  receivers: ReceiverSpec[];
  routes: RouteSpec[];
  remediations: RemediationSpec[];
  /** Scheduled compliance reports (reports/). */
  reports: ReportSchedule[];
  sources: string[];
}
