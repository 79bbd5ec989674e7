/** Response and body shapes of /api/v1/alerts, /silences and /remediations (TypeBox only). */
import { Type } from '@sinclair/typebox';
import { Nullable, NullStr, Num, SeveritySchema, Str } from './common.ts';

const StrMap = Type.Record(Type.String(), Type.String());

export const AlertStateSchema = Type.Union([Type.Literal('pending'), Type.Literal('firing'), Type.Literal('resolved'), Type.Literal('inactive')]);

export const AlertSchema = Type.Object({
  fingerprint: Str,
  rule: Str,
  labels: StrMap,
  annotations: Type.Record(Type.String(), Type.String(), {
    description:
      "summary, value, threshold; finding_severity: the severity of the finding the alert is about (when finding is set), as the findings API gives it. The alert's own severity is its rule's (alerting/README.md), which routes it",
  }),
  state: AlertStateSchema,
  severity: SeveritySchema,
  value: Type.Union([Num, Type.Null()], { description: 'null: no data' }),
  threshold: Type.Union([Num, Type.Null()], { description: 'null: none (an escalation, rule remediation-failed)' }),
  activeSince: NullStr,
  firedAt: NullStr,
  lastTrueAt: NullStr,
  falseSince: Type.Union([Str, Type.Null()], { description: 'set while a firing alert is recovering (keepFiringFor)' }),
  resolvedAt: NullStr,
  lastEvalAt: Str,
  acknowledgedBy: NullStr,
  acknowledgedAt: NullStr,
  ackNote: Str,
  inhibitedBy: NullStr,
  silencedBy: Type.Array(Str),
  flow: NullStr,
  systems: Type.Array(Str),
  finding: Type.Union([Str, Type.Null()], {
    description:
      "the id of the finding the alert is about (/api/v1/findings/{id}, UI /findings/{id}): the finding an alert on a finding measure comes from; for a flow's latency, error-rate or staleness alert the open latency-slo-breach, error-rate or stale-flow finding on the same flow; null when there is none",
  }),
  traceIds: Type.Array(Str, {
    description:
      "sample trace ids of what the alert is about (/api/v1/traces/{id}, UI /traces/{id}): the finding's sample traces for an alert on a finding measure; for a flow's alert a run of the flow in the rule's window (a failed run first for error-rate), else its finding's; empty when none is known",
  }),
});

export const AlertEventSchema = Type.Object({ at: Str, fingerprint: Str, rule: Str, event: Str, actor: Str, value: Num, note: Str, labels: StrMap });

export const MatcherSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$', description: 'a label name: letters, digits and _, not starting with a digit' }),
    value: Type.String({ maxLength: 1000 }),
    isRegex: Type.Optional(Type.Boolean({ description: 'default false' })),
    isEqual: Type.Optional(Type.Boolean({ description: 'default true: = or =~; false: != or !~' })),
  },
  { additionalProperties: false },
);

export const SilenceSchema = Type.Object({
  id: Str,
  matchers: Type.Array(MatcherSchema),
  startsAt: Str,
  endsAt: Str,
  createdBy: Str,
  comment: Str,
  createdAt: Str,
  status: Type.Union([Type.Literal('pending'), Type.Literal('active'), Type.Literal('expired')]),
});

export const SilenceBodySchema = Type.Object(
  {
    matchers: Type.Array(
      Type.Union([MatcherSchema, Type.String({ minLength: 2, maxLength: 1000, description: 'name=value, name!=value, name=~regex, name!~regex' })]),
      { minItems: 1, maxItems: 20 },
    ),
    startsAt: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'when the silence starts, an RFC 3339 date-time with its offset such as 2026-11-29T08:00:00Z (default now)',
      }),
    ),
    endsAt: Type.Optional(
      Type.String({ format: 'date-time', description: 'when it ends, an RFC 3339 date-time with its offset such as 2026-11-29T10:00:00Z (or give duration)' }),
    ),
    duration: Type.Optional(
      Type.String({ pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h|d|w))+$', description: 'how long, instead of endsAt: a duration such as 2h or 1d' }),
    ),
    comment: Type.String({ minLength: 1, maxLength: 2000 }),
  },
  { additionalProperties: false },
);

export const DeliverySchema = Type.Object({
  at: Str,
  receiver: Str,
  receiverType: Str,
  groupKey: Str,
  status: Str,
  fingerprints: Type.Array(Str),
  attempt: Num,
  ok: Type.Boolean(),
  httpStatus: Num,
  error: Str,
  durationMs: Num,
});

export const RemediationAttemptSchema = Type.Object({
  at: Str,
  runId: Str,
  action: Str,
  fingerprint: Str,
  flow: Str,
  attempt: Num,
  idempotencyKey: Str,
  method: Str,
  url: Str,
  httpStatus: Num,
  outcome: Str,
  error: Str,
  durationMs: Num,
  actor: Str,
});

export const RemediationOutcomeSchema = Type.Object({
  runId: Str,
  action: Str,
  fingerprint: Str,
  outcome: Str,
  attempts: Num,
  lastStatus: Num,
  lastError: Str,
});

export const RuleSchema = Type.Object({
  id: Str,
  origin: Str,
  measure: Str,
  op: Str,
  /** The window the rule reads (ms); null for a measure that takes none (a finding measure, telemetry-gap, pairing-lag). */
  windowMs: Nullable(Num),
  forMs: Num,
  keepFiringForMs: Num,
  severity: SeveritySchema,
  /** The rule's one threshold in its measure's unit (ms, a fraction, a score); null when it is per flow (flowThresholds). */
  threshold: Nullable(Num),
  /** Each flow's threshold when the rule's is per flow (a scheduled flow's allowed silence); null: the flow is not watched. */
  flowThresholds: Type.Array(Type.Object({ flow: Str, threshold: Nullable(Num) })),
  flows: Type.Array(Str),
  remediation: NullStr,
});
