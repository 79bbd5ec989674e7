/**
 * The estate catalog file's schema (TypeBox = JSON Schema). One file may hold any of the sections;
 * several files merge into one catalog. docs/catalog.schema.json is generated from `CatalogFileSchema`.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ProbeSpecSchema, ReconcileSpecSchema } from './probes.ts';
import { AlertRuleSchema, Labels, ReceiverSchema, RemediationSchema, RouteSchema } from './alerting.ts';
import { ReportScheduleSchema } from './reports.ts';
import { DURATION_PATTERN } from '../time/index.ts';

const Id = Type.String({ pattern: '^[a-z0-9][a-z0-9._-]*$', description: 'lower-case id: letters, digits, ".", "_" or "-"' });
const Ref = (what: string) => Type.String({ minLength: 1, description: `${/^[aeiou]/.test(what) ? 'an' : 'a'} ${what} id declared in the catalog` });
const Duration = Type.String({ pattern: DURATION_PATTERN, description: 'a duration like 30s, 5m, 2h, 7d' });
const Lifecycle = Type.Union([Type.Literal('active'), Type.Literal('deprecated'), Type.Literal('retired')], {
  default: 'active',
  description: 'active, deprecated or retired',
});
const Names = (description: string) => Type.Array(Type.String({ minLength: 1 }), { description });
const Region = Type.String({ minLength: 2, description: 'where the system processes data: an ISO 3166 country code (DE, US) or EU / EEA' });

export const OwnerSchema = Type.Object(
  {
    id: Id,
    name: Type.Optional(Type.String({ minLength: 1 })),
    email: Type.Optional(Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$', description: 'an e-mail address' })),
    slack: Type.Optional(Type.String()),
    oncall: Type.Optional(Type.String()),
    receiver: Type.Optional(Type.String({ minLength: 1, description: "the team's alert receiver (a receivers id)" })),
  },
  { additionalProperties: false },
);

/** A party of the record of processing: a name and how to reach it (postal address, e-mail or telephone). */
const PartySchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    contact: Type.String({ minLength: 1, description: 'how to reach it: a postal address, an e-mail address or a telephone number' }),
  },
  { additionalProperties: false },
);

/**
 * Who is responsible for the processing the catalog records: GDPR Art. 30(1)(a), the name and contact details of the
 * controller and, where applicable, the joint controller, the controller's representative (Art. 27) and the data
 * protection officer (Art. 37).
 */
export const ControllerSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'the controller: the organisation that decides why and how personal data is processed' }),
    contact: Type.String({ minLength: 1, description: 'its contact details: a postal address, an e-mail address or a telephone number' }),
    jointControllers: Type.Optional(Type.Array(PartySchema, { description: 'joint controllers (Art. 26), where there are any' })),
    representative: Type.Optional(PartySchema),
    dpo: Type.Optional(PartySchema),
  },
  {
    additionalProperties: false,
    description: "GDPR Art. 30(1)(a): the controller's name and contact details, with its representative and data protection officer",
  },
);

export const DatabaseRuleSchema = Type.Union(
  [
    Type.String({ pattern: '^[a-z][a-z0-9+]*://\\S*$', description: 'a DSN without credentials, no spaces: postgresql://host/db' }),
    Type.Object(
      { system: Type.String({ minLength: 1 }), namespace: Type.Optional(Type.String()), host: Type.Optional(Type.String()) },
      { additionalProperties: false },
    ),
  ],
  { description: 'a DSN like "postgresql://db.internal/crm" or { system: postgresql, namespace: crm, host: db.internal }' },
);

export const DestinationRuleSchema = Type.Union(
  [Type.String({ minLength: 1 }), Type.Object({ name: Type.String({ minLength: 1 }), system: Type.Optional(Type.String()) }, { additionalProperties: false })],
  { description: 'a queue/topic name (with * wildcards) or { name: orders.*, system: rabbitmq }' },
);

export const MatchRulesSchema = Type.Object(
  {
    // No whitespace: a list item indented one space too deep is read by YAML as the previous item's
    // continuation ("crm.internal - crm-api"), a host no span can name.
    hosts: Type.Optional(
      Type.Array(
        Type.String({
          pattern: '^\\S+$',
          description: 'a host name or host:port, no spaces (a "- " item indented deeper than the one above it continues that one)',
        }),
        {
          description: 'host names or host:port, * wildcards: crm.internal, *.salesforce.com, 127.0.0.1:18082 (localhost, 127.0.0.1 and ::1 are one host)',
        },
      ),
    ),
    urlPrefixes: Type.Optional(
      Type.Array(
        Type.String({ pattern: '^(https?|s3a?|gs|abfss?|wasbs?|hdfs|file)://\\S*$', description: 'a URL prefix starting with http:// or https://, no spaces' }),
      ),
    ),
    peerServices: Type.Optional(Names('the peer service names a span gives (peer.service, service.peer.name or server.service.name)')),
    databases: Type.Optional(Type.Array(DatabaseRuleSchema)),
    destinations: Type.Optional(Type.Array(DestinationRuleSchema)),
    services: Type.Optional(Names('service.name of runtimes that are this system itself')),
  },
  { additionalProperties: false, default: {} },
);

/**
 * The safeguard a transfer of personal data to a system in a third country rests on (GDPR Chapter V: Art. 45 adequacy
 * decision, Art. 46(2)(c) standard contractual clauses, Art. 47 binding corporate rules, Art. 49 derogation), and where
 * it is documented: Art. 30(1)(e) asks for that documentation for a transfer under Art. 49(1), second subparagraph.
 */
export const TransferSchema = Type.Object(
  {
    mechanism: Type.Union(
      [
        Type.Literal('adequacy-decision'),
        Type.Literal('standard-contractual-clauses'),
        Type.Literal('binding-corporate-rules'),
        Type.Literal('derogation-art-49'),
      ],
      { description: 'adequacy-decision (Art. 45), standard-contractual-clauses (Art. 46), binding-corporate-rules (Art. 47) or derogation-art-49' },
    ),
    documentation: Type.Optional(Type.String({ minLength: 1, description: 'where the safeguard is documented: a link or a document reference' })),
  },
  { additionalProperties: false },
);

export const SystemSchema = Type.Object(
  {
    id: Id,
    name: Type.Optional(Type.String({ minLength: 1 })),
    owner: Type.Optional(Ref('owner')),
    kind: Type.String({ minLength: 1, default: 'other', description: 'crm, erp, billing, ecommerce, wms, support, database, broker, topic, saas, other…' }),
    lifecycle: Lifecycle,
    description: Type.Optional(Type.String()),
    region: Type.Optional(Region),
    transfer: Type.Optional(TransferSchema),
    security: Type.Optional(Names('security measures of the system: encryption-at-rest, sso, access-review…')),
    match: MatchRulesSchema,
  },
  { additionalProperties: false },
);

export const DriftSchema = Type.Object(
  {
    toleranceAbsolute: Type.Number({ minimum: 0, default: 0, description: 'records the replica may differ by (not negative)' }),
    tolerancePercent: Type.Number({ minimum: 0, maximum: 100, default: 0, description: 'percent of the system of record (0..100)' }),
    settle: Type.String({ ...Duration, default: '10m' }),
  },
  { additionalProperties: false, default: {} },
);

export const DomainSchema = Type.Object(
  {
    id: Id,
    name: Type.Optional(Type.String({ minLength: 1 })),
    systemOfRecord: Ref('system'),
    replicas: Type.Array(Ref('system'), { default: [] }),
    allowedWriters: Type.Array(Ref('system'), { default: [], description: 'systems allowed to write into the system of record besides itself' }),
    regulated: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'pii, financial, health, payment-card…' }),
    owner: Type.Optional(Ref('owner')),
    dataSubjects: Type.Optional(Names('categories of data subjects (GDPR Art. 30): customers, employees, prospects…')),
    personalData: Type.Optional(Names('categories of personal data: contact details, billing address, order history…')),
    retention: Type.Optional(Type.String({ minLength: 1, description: 'how long records are kept: "7 years after the last invoice"' })),
    erasure: Type.Optional(Type.String({ minLength: 1, description: 'when and how records are erased (time limit for erasure)' })),
    drift: DriftSchema,
  },
  { additionalProperties: false },
);

export const ScheduleSchema = Type.Object(
  { every: Type.Optional(Duration), cron: Type.Optional(Type.String({ minLength: 9, description: 'cron expression, UTC' })) },
  { additionalProperties: false },
);

export const FlowSchema = Type.Object(
  {
    id: Id,
    name: Type.Optional(Type.String({ minLength: 1 })),
    source: Ref('system'),
    target: Ref('system'),
    domain: Type.Optional(Ref('domain')),
    owner: Type.Optional(Ref('owner')),
    runtime: Type.Object(
      {
        service: Type.Optional(Type.String({ minLength: 1, pattern: '\\S', description: 'service.name (not blank)' })),
        flow: Type.Optional(Type.String({ minLength: 1, pattern: '\\S', description: 'integration.flow (not blank)' })),
      },
      { additionalProperties: false, default: {} },
    ),
    lookups: Type.Optional(
      Type.Array(Ref('system'), {
        description: 'systems its runtime only reads reference data from (countries, currency rates, products): their reads never make a flow into its target',
      }),
    ),
    stateStores: Type.Optional(
      Type.Array(Ref('system'), {
        description: "its runtime's own state (watermarks, checkpoints, locks): touched by its runtime, never a source or target of its flows",
      }),
    ),
    class: Type.Optional(Ref('class')),
    schedule: Type.Optional(ScheduleSchema),
    lifecycle: Lifecycle,
    purpose: Type.Optional(Type.String()),
    security: Type.Optional(Names('security measures in transit: tls, mtls, signed-payloads, field-encryption…')),
    docs: Type.Optional(Type.String({ pattern: '^https?://', description: 'a link starting with http:// or https://' })),
    slo: Type.Optional(
      Type.Object(
        {
          latencyP95Ms: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
          latencyP99Ms: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
          errorRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
          staleAfter: Type.Optional(Duration),
        },
        { additionalProperties: false, description: "this flow's own thresholds, overriding its class's" },
      ),
    ),
    labels: Type.Optional({ ...Labels, description: 'labels its alerts carry (and rules select on)' }),
    staleAfter: Type.Optional({ ...Duration, description: "silence allowed before the flow is stale; overrides the class's staleAfter" }),
    latencyP95Ms: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: "milliseconds, above 0; overrides the class's" })),
    latencyP99Ms: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: "milliseconds, above 0; overrides the class's" })),
    errorRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: "a fraction between 0 and 1; overrides the class's" })),
  },
  { additionalProperties: false },
);

export const SloClassSchema = Type.Object(
  {
    id: Id,
    latencyP95Ms: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'milliseconds, above 0' })),
    latencyP99Ms: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'milliseconds, above 0' })),
    errorRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'a fraction between 0 and 1' })),
    staleAfter: Type.Optional(Duration),
    minTraces: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 100000, description: 'traces a flow needs in the window before its p95/p99 is judged (default 10)' }),
    ),
    errorRateMinTraces: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100000,
        description:
          "traces a flow needs in the window before its error rate is judged (default 5; a scheduled flow's at most half the runs its schedule puts in the window, at least 1)",
      }),
    ),
  },
  { additionalProperties: false },
);

export const CatalogFileSchema = Type.Object(
  {
    defaultOwner: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'an owner id declared in the catalog: the owner of every system, domain and flow that names none and inherits none',
      }),
    ),
    controller: Type.Optional(ControllerSchema),
    owners: Type.Optional(Type.Array(OwnerSchema)),
    systems: Type.Optional(Type.Array(SystemSchema)),
    domains: Type.Optional(Type.Array(DomainSchema)),
    flows: Type.Optional(Type.Array(FlowSchema)),
    classes: Type.Optional(Type.Array(SloClassSchema)),
    probes: Type.Optional(Type.Array(ProbeSpecSchema)),
    reconciliations: Type.Optional(Type.Array(ReconcileSpecSchema)),
    alerts: Type.Optional(Type.Array(AlertRuleSchema)),
    receivers: Type.Optional(Type.Array(ReceiverSchema)),
    routes: Type.Optional(Type.Array(RouteSchema)),
    remediations: Type.Optional(Type.Array(RemediationSchema)),
    reports: Type.Optional(Type.Array(ReportScheduleSchema)),
  },
  { additionalProperties: false, $id: 'https://weft.dev/schemas/catalog.schema.json', title: 'Weft estate catalog' },
);

export type CatalogFile = Static<typeof CatalogFileSchema>;
export const catalogSections = [
  'owners',
  'systems',
  'domains',
  'flows',
  'classes',
  'probes',
  'reconciliations',
  'alerts',
  'receivers',
  'routes',
  'remediations',
  'reports',
] as const;
export type CatalogSection = (typeof catalogSections)[number];
