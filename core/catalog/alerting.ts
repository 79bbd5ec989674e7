import { labelRegexProblem } from './label-regex.ts';
import { httpCredentialProblems } from './secret-fields.ts';
/**
 * The alerting sections of the estate catalog: `alerts` (custom rules), `receivers`, `routes` and
 * `remediations`. Owned by alerting/; the loader validates them with the schemas exported here, then
 * calls `validateAlertingSections` for what the schemas cannot say (references, regexes, shapes per
 * receiver type). Secrets (webhook URLs, SMTP passwords, header values) are `env:NAME` references only.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { SectionProblem } from './probes.ts';
import { didYouMean } from '../text/index.ts';
import { DURATION_PATTERN, parseDuration } from '../time/index.ts';

const Id = Type.String({ pattern: '^[a-z0-9][a-z0-9._-]*$', description: 'lower-case id: letters, digits, ".", "_" or "-"' });
const Duration = Type.String({ pattern: DURATION_PATTERN, description: 'a duration like 30s, 5m, 2h, 7d' });
const EnvRef = Type.String({ pattern: '^env:[A-Za-z_][A-Za-z0-9_]*$', description: 'env:NAME — read from the environment when used, never stored' });
const UrlOrEnv = Type.String({
  pattern: '^(https?://|env:[A-Za-z_][A-Za-z0-9_]*$)',
  description: 'http(s)://… (a query value may be a reference: ?token=env:NAME) or env:NAME (a URL that is a secret, such as a Slack webhook)',
});
const LABEL_NAME = '^[a-zA-Z_][a-zA-Z0-9_]*$';
const labelNameRule = 'a label name is letters, digits and "_", not starting with a digit';

/**
 * A map keyed by alert label names (Prometheus data model: `[a-zA-Z_][a-zA-Z0-9_]*`). A key outside
 * that rule is refused, not ignored: Alertmanager would refuse the label. `propertyNames` is JSON
 * Schema's own keyword for a rule on keys (for editors), and its description is what schema-problems.ts
 * says of a refused key; the check itself is patternProperties with additionalProperties false.
 */
function byLabelName<T extends TSchema>(value: T, description: string) {
  return Type.Record(Type.String({ pattern: LABEL_NAME }), value, {
    additionalProperties: false,
    description,
    propertyNames: { pattern: LABEL_NAME, description: labelNameRule },
  });
}

/** Alert labels: label name → value. */
export const Labels = byLabelName(Type.String(), 'label name → value');

/**
 * Measures that alert on an open finding of the same kind, one alert per finding (the probes' drift
 * verdicts, the hop accounting's, the analyzer's estate findings). Each is also a derived rule's id.
 */
export const findingMeasures = [
  'record-count-drift',
  'key-drift',
  'schema-drift',
  'hop-record-loss',
  'unknown-system',
  'sor-violation',
  'deprecated-in-use',
  'probe-failing',
] as const;
export type FindingMeasure = (typeof findingMeasures)[number];

/** The measures judged per flow (a rule of one is evaluated for each flow its selector picks). */
export const flowMeasures = ['latency-p95', 'latency-p99', 'error-rate', 'traces', 'staleness', 'throughput-drop'] as const;

/** What a rule measures, per flow (or once for the estate: telemetry-gap; once for Weft itself: pairing-lag). */
export const alertMeasures = [...flowMeasures, ...findingMeasures, 'system-unreachable', 'telemetry-gap', 'pairing-lag'] as const;
export type AlertMeasure = (typeof alertMeasures)[number];

/**
 * The measures a rule's `window` shapes: the flow measures read over it (latency, error rate, runs, a throughput drop;
 * for staleness, the window its sample traces come from) and the calls a system answered. The others take none: a
 * finding measure alerts on each open finding, `telemetry-gap` and `pairing-lag` on the time since Weft last received a
 * span or completed a pairing run.
 */
/** The measures judged on a sample of a window's runs, which take a `minTraces` (too few runs: no verdict). */
export const sampledMeasures: ReadonlySet<AlertMeasure> = new Set<AlertMeasure>(['error-rate', 'latency-p95', 'latency-p99']);

export const windowedMeasures: ReadonlySet<AlertMeasure> = new Set<AlertMeasure>([...flowMeasures, 'system-unreachable']);

/** Ids of the rules Weft derives from the catalog (alerting/rules/derive-rules.ts defines them). */
export const derivedRuleIds = [
  'flow-latency-p95',
  'flow-latency-p99',
  'flow-error-rate',
  'deprecated-flow-error-rate',
  'flow-stale',
  'flow-throughput-drop',
  ...findingMeasures,
  'system-unreachable',
  'telemetry-gap',
  'weft-behind',
] as const;
export const alertSeverities = ['info', 'low', 'medium', 'high', 'critical'] as const;

export const AlertSelectorSchema = Type.Object(
  {
    flows: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'flow ids' })),
    owners: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'owner ids' })),
    classes: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'class ids' })),
    domains: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'domain ids' })),
    systems: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'system ids (a flow from or to one of them)' })),
    labels: Type.Optional(Labels),
  },
  { additionalProperties: false, description: 'which flows or systems the rule watches; every given field must match (none: all)' },
);

export const AlertRuleSchema = Type.Object(
  {
    id: Id,
    measure: Type.Union(
      alertMeasures.map((m) => Type.Literal(m)),
      { description: alertMeasures.join(', ') },
    ),
    select: Type.Optional(AlertSelectorSchema),
    op: Type.Optional(Type.Union([Type.Literal('>'), Type.Literal('<')], { description: '> (default) or <' })),
    threshold: Type.Number({
      description:
        'ms for latency, staleness, telemetry-gap and pairing-lag, 0..1 for error-rate, a count for traces, 0..1 for throughput-drop, 1 for finding measures',
    }),
    window: Type.Optional(Duration),
    minTraces: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100000,
        description:
          "error-rate, latency-p95, latency-p99 only: traces a flow needs in the window before the rule judges it (default: the class's errorRateMinTraces or minTraces); fewer is no verdict",
      }),
    ),
    for: Type.Optional(Duration),
    keepFiringFor: Type.Optional(Duration),
    severity: Type.Union(
      alertSeverities.map((s) => Type.Literal(s)),
      { default: 'medium' },
    ),
    labels: Type.Optional(Labels),
    annotations: Type.Optional(
      Type.Object(
        {
          summary: Type.Optional(Type.String()),
          description: Type.Optional(Type.String()),
          runbook_url: Type.Optional(Type.String({ pattern: '^https?://' })),
        },
        { additionalProperties: false },
      ),
    ),
    remediation: Type.Optional(Type.String({ minLength: 1, description: 'a remediation id declared under remediations' })),
  },
  { additionalProperties: false },
);

export const receiverTypes = ['alertmanager', 'webhook', 'slack', 'email'] as const;
export type ReceiverType = (typeof receiverTypes)[number];

export const ReceiverSchema = Type.Object(
  {
    id: Id,
    type: Type.Union(
      receiverTypes.map((t) => Type.Literal(t)),
      { description: receiverTypes.join(', ') },
    ),
    url: Type.Optional(UrlOrEnv),
    headers: Type.Optional(Type.Record(Type.String(), Type.String({ description: 'literal, or "<prefix>env:NAME" such as "Bearer env:HOOK_TOKEN"' }))),
    to: Type.Optional(Type.Array(Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$' }), { description: 'e-mail recipients' })),
    from: Type.Optional(Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$' })),
    smtp: Type.Optional(
      Type.Object(
        {
          host: Type.String({ minLength: 1 }),
          port: Type.Integer({ minimum: 1, maximum: 65535, default: 587 }),
          secure: Type.Boolean({ default: false, description: 'TLS from the start (port 465)' }),
          user: Type.Optional(Type.String()),
          password: Type.Optional(EnvRef),
        },
        { additionalProperties: false },
      ),
    ),
    timeout: Type.Optional(
      Type.String({
        ...Duration,
        description: 'how long one attempt waits for the answer (default 10s, 1s to 5m); one that times out may still have been delivered, and is sent again',
      }),
    ),
  },
  { additionalProperties: false },
);

export const RouteSchema = Type.Object(
  {
    receiver: Type.Optional(Type.String({ minLength: 1, description: "a receiver id; without it, each owner's own receiver (owners[].receiver)" })),
    match: Type.Optional(Labels),
    matchRe: Type.Optional(byLabelName(Type.String(), 'label name → regular expression (anchored)')),
    groupBy: Type.Optional(
      Type.Array(
        Type.String({
          pattern: '^([a-zA-Z_][a-zA-Z0-9_]*|\\.\\.\\.)$',
          description: `a label name (letters, digits and "_", not starting with a digit) or '...'`,
        }),
        {
          description: "labels that make a group; ['...'] groups by every label",
        },
      ),
    ),
    groupWait: Type.Optional(Duration),
    groupInterval: Type.Optional(Duration),
    repeatInterval: Type.Optional(Duration),
    continue: Type.Optional(Type.Boolean({ description: 'go on to the next route after this one matched' })),
  },
  { additionalProperties: false },
);

export const RemediationSchema = Type.Object(
  {
    id: Id,
    mode: Type.Union([Type.Literal('auto'), Type.Literal('manual')], { default: 'manual' }),
    flows: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'flows whose alerts this action fixes' })),
    rules: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'rule ids (custom, or derived: flow-stale, flow-latency-p95…)' })),
    request: Type.Object(
      {
        method: Type.Union(
          ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => Type.Literal(m)),
          { default: 'POST' },
        ),
        url: UrlOrEnv,
        headers: Type.Optional(Type.Record(Type.String(), Type.String())),
        body: Type.Optional(Type.String({ description: 'template: {{flow}}, {{rule}}, {{fingerprint}}, {{labels.NAME}}, {{idempotencyKey}}' })),
        timeout: Type.Optional(Duration),
      },
      { additionalProperties: false },
    ),
    attempts: Type.Integer({ minimum: 1, maximum: 20, default: 3 }),
    backoff: Type.String({ ...Duration, default: '2s', description: 'first delay; doubles each attempt, with jitter' }),
    maxBackoff: Type.String({ ...Duration, default: '1m' }),
    escalate: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'a receiver told of the escalation (alertname remediation-failed) when every attempt failed, instead of the receivers its labels route to',
      }),
    ),
  },
  { additionalProperties: false },
);

export type AlertRuleSpec = Static<typeof AlertRuleSchema>;
export type ReceiverSpec = Static<typeof ReceiverSchema>;
export type RouteSpec = Static<typeof RouteSchema>;
export type RemediationSpec = Static<typeof RemediationSchema>;
export type AlertSelector = Static<typeof AlertSelectorSchema>;

interface AlertingRefs {
  owners: Array<{ id: string; receiver?: string }>;
  systems: Array<{ id: string }>;
  domains: Array<{ id: string }>;
  flows: Array<{ id: string }>;
  classes: Array<{ id: string }>;
  alerts: AlertRuleSpec[];
  receivers: ReceiverSpec[];
  routes: RouteSpec[];
  remediations: RemediationSpec[];
}

/** A duration in ms, NaN when it is not one (the schema reports that). */
function durationOrNaN(text: string): number {
  try {
    return parseDuration(text);
  } catch {
    return NaN;
  }
}

/** The longest wait between two attempts of a remediation (a day; a timer holds at most 24.8 days). */
const MAX_REMEDIATION_BACKOFF_MS = 86_400_000;

/** The fields that depend on the receiver's type, and those each type reads (all read id, type and timeout). */
const typeFields = ['url', 'headers', 'to', 'from', 'smtp'] as const;
const receiverReads: Record<ReceiverType, ReadonlyArray<(typeof typeFields)[number]>> = {
  alertmanager: ['url', 'headers'],
  webhook: ['url', 'headers'],
  slack: ['url'],
  email: ['to', 'from', 'smtp'],
};

/** Receiver fields each type needs. */
const receiverNeeds: Record<ReceiverType, (r: ReceiverSpec) => { field: string; message: string } | null> = {
  alertmanager: (r) => (r.url ? null : { field: 'url', message: 'an alertmanager receiver needs url: http://alertmanager:9093' }),
  webhook: (r) => (r.url ? null : { field: 'url', message: 'a webhook receiver needs url: https://… or env:NAME' }),
  slack: (r) => (r.url ? null : { field: 'url', message: 'a slack receiver needs url: env:SLACK_WEBHOOK_URL (the incoming webhook)' }),
  email: (r) =>
    !r.smtp
      ? { field: 'smtp', message: 'an email receiver needs smtp: { host, port }' }
      : !r.to?.length
        ? { field: 'to', message: 'an email receiver needs to: [someone@example.com]' }
        : null,
};

/**
 * What the schemas cannot check: unique ids; rules, routes, remediations and owners naming
 * receivers, flows, owners, classes, domains and systems that exist; regexes that compile.
 */
export function validateAlertingSections(c: AlertingRefs): SectionProblem[] {
  const problems: SectionProblem[] = [];
  const ids = (list: Array<{ id: string }>) => new Set(list.map((x) => x.id));
  const sets = { flows: ids(c.flows), owners: ids(c.owners), classes: ids(c.classes), domains: ids(c.domains), systems: ids(c.systems) };
  const receivers = ids(c.receivers);
  const remediations = ids(c.remediations);
  const ruleIds = new Set(c.alerts.map((a) => a.id));
  const unique = (list: Array<{ id: string }>, section: string) => {
    const seen = new Set<string>();
    list.forEach((x, i) => {
      if (seen.has(x.id)) problems.push({ path: `${section}[${i}].id`, message: `id "${x.id}" is used twice in ${section}` });
      seen.add(x.id);
    });
  };
  unique(c.alerts, 'alerts');
  unique(c.receivers, 'receivers');
  unique(c.remediations, 'remediations');
  // Credentials are references (env:NAME), never values in the catalog, which every reader of the API sees: as for probes.
  const credentials = (where: string, x: { url?: string; headers?: Record<string, string> }) => {
    for (const p of httpCredentialProblems(x, { passwordField: false })) problems.push({ path: `${where}.${p.field}`, message: p.message });
  };
  c.receivers.forEach((r, i) => {
    // A Slack receiver sends no headers, and its whole URL is the credential (below).
    credentials(`receivers[${i}]`, r.type === 'slack' ? { headers: r.headers } : r);
    if (r.type === 'slack' && typeof r.url === 'string' && !r.url.startsWith('env:'))
      problems.push({
        path: `receivers[${i}].url`,
        message: 'a Slack incoming-webhook URL is itself the credential: give it as env:NAME (the variable holding the URL)',
      });
  });
  c.remediations.forEach((r, i) => {
    if (r.request) credentials(`remediations[${i}].request`, r.request);
  });
  const refList = (where: string, values: string[] | undefined, set: Set<string>, what: string) =>
    values?.forEach((v, j) => {
      if (!set.has(v))
        problems.push({
          path: `${where}[${j}]`,
          message: `unknown ${what} "${v}"${didYouMean(v, set)}: declare it under ${what === 'class' ? 'classes' : `${what}s`}`,
        });
    });
  c.alerts.forEach((a, i) => {
    const where = `alerts[${i}]`;
    refList(`${where}.select.flows`, a.select?.flows, sets.flows, 'flow');
    refList(`${where}.select.owners`, a.select?.owners, sets.owners, 'owner');
    refList(`${where}.select.classes`, a.select?.classes, sets.classes, 'class');
    refList(`${where}.select.domains`, a.select?.domains, sets.domains, 'domain');
    refList(`${where}.select.systems`, a.select?.systems, sets.systems, 'system');
    if (a.remediation && !remediations.has(a.remediation))
      problems.push({
        path: `${where}.remediation`,
        message: `unknown remediation "${a.remediation}"${didYouMean(a.remediation, remediations)}: declare it under remediations`,
      });
    if (a.minTraces !== undefined && !sampledMeasures.has(a.measure))
      problems.push({
        path: `${where}.minTraces`,
        message: `minTraces is the runs an error rate or a latency percentile is judged on; a rule of measure ${a.measure} has none: leave minTraces out`,
      });
    if ((a.measure === 'error-rate' || a.measure === 'throughput-drop') && (a.threshold < 0 || a.threshold > 1)) {
      problems.push({ path: `${where}.threshold`, message: `${a.measure} is a fraction: give a threshold between 0 and 1` });
    }
  });
  c.receivers.forEach((r, i) => {
    const need = receiverNeeds[r.type]?.(r); // a refused receiver's stub has no type
    if (need) problems.push({ path: `receivers[${i}].${need.field}`, message: need.message });
    // A field another type reads was taken and never used: an e-mail receiver given a url sent nothing there.
    const reads = receiverReads[r.type];
    if (reads)
      for (const field of typeFields)
        if (r[field] !== undefined && !reads.includes(field))
          problems.push({
            path: `receivers[${i}].${field}`,
            message: `${/^[aeiou]/.test(r.type) ? 'an' : 'a'} ${r.type} receiver does not read ${field} (it reads ${reads.join(', ')}): leave it out, or give the type that does`,
          });
    const timeoutMs = r.timeout === undefined ? undefined : durationOrNaN(r.timeout);
    if (timeoutMs !== undefined && (timeoutMs < 1000 || timeoutMs > 300_000))
      problems.push({ path: `receivers[${i}].timeout`, message: `timeout ${r.timeout} is out of range: give 1s to 5m` });
  });
  c.alerts.forEach((a, i) => {
    // A window of no time holds no run: `traces < 1` over it fires for every flow, the others never do.
    if (a.window !== undefined && durationOrNaN(a.window) === 0)
      problems.push({ path: `alerts[${i}].window`, message: `window ${a.window} holds nothing: give a window longer than 0 (e.g. 5m)` });
  });
  c.routes.forEach((r, i) => {
    const where = `routes[${i}]`;
    // As Alertmanager refuses group_interval and repeat_interval of 0: a group would be told again at every evaluation.
    for (const field of ['groupInterval', 'repeatInterval'] as const) {
      const text = r[field];
      if (text !== undefined && durationOrNaN(text) === 0)
        problems.push({
          path: `${where}.${field}`,
          message: `${field} ${text} would send the group again at every evaluation (about once a second): give a duration longer than 0 (default ${field === 'groupInterval' ? '1m' : '4h'})`,
        });
    }
    if (r.receiver && !receivers.has(r.receiver))
      problems.push({ path: `${where}.receiver`, message: `unknown receiver "${r.receiver}"${didYouMean(r.receiver, receivers)}: declare it under receivers` });
    for (const [name, re] of Object.entries(r.matchRe ?? {})) {
      const problem = labelRegexProblem(re);
      if (problem) problems.push({ path: `${where}.matchRe.${name}`, message: problem });
    }
  });
  c.owners.forEach((o, i) => {
    if (o.receiver && !receivers.has(o.receiver))
      problems.push({
        path: `owners[${i}].receiver`,
        message: `unknown receiver "${o.receiver}"${didYouMean(o.receiver, receivers)}: declare it under receivers`,
      });
  });
  c.remediations.forEach((r, i) => {
    const where = `remediations[${i}]`;
    refList(`${where}.flows`, r.flows, sets.flows, 'flow');
    r.rules?.forEach((id, j) => {
      if (!ruleIds.has(id) && !(derivedRuleIds as readonly string[]).includes(id))
        problems.push({
          path: `${where}.rules[${j}]`,
          message: `unknown rule "${id}"${didYouMean(id, [...ruleIds, ...derivedRuleIds])}: declare it under alerts, or name a derived rule (${derivedRuleIds.join(', ')})`,
        });
    });
    if (r.escalate && !receivers.has(r.escalate))
      problems.push({ path: `${where}.escalate`, message: `unknown receiver "${r.escalate}"${didYouMean(r.escalate, receivers)}: declare it under receivers` });
    const timeoutMs = r.request?.timeout === undefined ? undefined : durationOrNaN(r.request.timeout);
    if (timeoutMs !== undefined && (timeoutMs < 1000 || timeoutMs > 300_000))
      problems.push({ path: `${where}.request.timeout`, message: `timeout ${r.request.timeout} is out of range: give 1s to 5m` });
    // A wait between attempts is a timer: past a day (timers hold at most 24.8 days) it would fire at once, not wait.
    for (const field of ['backoff', 'maxBackoff'] as const) {
      if (typeof r[field] === 'string' && durationOrNaN(r[field]) > MAX_REMEDIATION_BACKOFF_MS)
        problems.push({ path: `${where}.${field}`, message: `${field} ${r[field]} is too long: give at most 1d between two attempts` });
    }
    if (!r.flows?.length && !r.rules?.length) problems.push({ path: `${where}.flows`, message: 'attach the action to flows: [flow-id] or rules: [rule-id]' });
    // The body is a template ({{labels.flow}}), sent as written: a reference there would go out as its text.
    if (r.request?.body?.includes('env:'))
      problems.push({
        path: `${where}.request.body`,
        message:
          'env: references are read in the url and the headers, not in the body (sent as written): put the secret in a header, e.g. authorization: "Bearer env:NAME"',
      });
  });
  return problems;
}
