import { ruleView } from './alert-rule-view.ts';
import { commaList } from './bounds.ts';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { identityOf } from '../../access/index.ts';
import {
  AlertingError,
  backtestRule,
  parseMatcher,
  matcherOf,
  silenceStatus,
  type Alert,
  type AlertingRuntime,
  type Matcher,
  type Silence,
} from '../../alerting/index.ts';
import { ERR_BAD_REQUEST, ERR_NOT_FOUND } from '../../core/errors/index.ts';
import { INSTANT_EXAMPLE, instantMs, parseDuration, STORE_FIRST_YEAR, STORE_LAST_YEAR, storableTime } from '../../core/time/index.ts';
import type { ApiServices, RoutePluginOptions } from '../services.ts';
import {
  AlertEventSchema,
  AlertSchema,
  DeliverySchema,
  RemediationAttemptSchema,
  RemediationOutcomeSchema,
  RuleSchema,
  SilenceBodySchema,
  SilenceSchema,
} from '../schemas/alerts.ts';

const states = ['pending', 'firing', 'resolved'] as const;

const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 200 }));
const FpParams = Type.Object({ fingerprint: Type.String({ pattern: '^[0-9a-f]{16}$', description: 'the alert fingerprint (16 hex digits)' }) });
const IdParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f-]{36}$', description: 'silence id' }) });

function alertingOf(services: ApiServices): AlertingRuntime {
  if (!services.alerting) throw ERR_NOT_FOUND('Alerting does not run in this process (start Weft with the analyzer or API part).');
  return services.alerting;
}

/** AlertingError (a user's mistake) → 404 / 400 with its message. */
async function userErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof AlertingError) throw err.code === 'not-found' ? ERR_NOT_FOUND(err.message) : ERR_BAD_REQUEST(err.message);
    throw err;
  }
}

/** An alert as the API shows it: no NaN in JSON; alerts stored before `finding` and `traceIds` existed get null and []. */
const view = (a: Alert) => ({
  ...a,
  value: Number.isFinite(a.value) ? a.value : null,
  threshold: Number.isFinite(a.threshold) ? a.threshold : null,
  finding: a.finding ?? null,
  traceIds: a.traceIds ?? [],
});
const silenceView = (s: Silence) => ({ ...s, status: silenceStatus(s, new Date()) });

/**
 * Alerts, silences and remediations. Every route declares its access level (access/roles.ts): reading is
 * `read`; acknowledging and silencing `silence` (both stop an alert's notifications: the SRE's call); remediating `remediate`.
 */
export const alertRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { services }) => {
  app.get(
    '/alerts',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Alerts by state (default pending and firing), most recent first',
        tags: ['alerts'],
        querystring: Type.Object(
          { state: Type.Optional(Type.String({ description: 'comma-separated: pending, firing, resolved' })), limit: Limit },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ alerts: Type.Array(AlertSchema) }) },
      },
    },
    async (request) => {
      const wanted = commaList(request.query.state, states, 'state') ?? ['pending', 'firing'];
      const alerts = await alertingOf(services).alertStore.listAlerts(wanted, request.query.limit);
      return { alerts: alerts.map(view) };
    },
  );

  app.get(
    '/alerts/history',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Lifecycle transitions and acknowledgements, newest first',
        tags: ['alerts'],
        querystring: Type.Object({ limit: Limit }, { additionalProperties: false }),
        response: { 200: Type.Object({ events: Type.Array(AlertEventSchema) }) },
      },
    },
    async (request) => ({ events: await alertingOf(services).alertStore.events({ limit: request.query.limit }) }),
  );

  app.get(
    '/alerts/deliveries',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Notification delivery attempts, newest first',
        tags: ['alerts'],
        querystring: Type.Object({ limit: Limit }, { additionalProperties: false }),
        response: { 200: Type.Object({ deliveries: Type.Array(DeliverySchema) }) },
      },
    },
    async (request) => ({ deliveries: await alertingOf(services).alertStore.deliveries(request.query.limit) }),
  );

  app.get(
    '/alerts/rules',
    {
      config: { access: 'read' },
      schema: {
        summary: 'The rules evaluated: derived from the catalog, and custom',
        tags: ['alerts'],
        response: { 200: Type.Object({ rules: Type.Array(RuleSchema) }) },
      },
    },
    async () => ({
      rules: alertingOf(services).rules().map(ruleView),
    }),
  );

  app.get(
    '/alerts/backtest',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Replay a rule on stored history: when it would have fired and resolved',
        tags: ['alerts'],
        querystring: Type.Object(
          {
            rule: Type.String({ minLength: 1, maxLength: 200 }),
            since: Type.Optional(
              Type.String({
                pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h|d|w))+$',
                default: '7d',
                description: 'how far back to replay: a duration such as 24h or 7d (at most 90d)',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            rule: Type.String(),
            since: Type.String({ description: 'the first evaluation: now minus since, rounded up to a whole minute (the rollups are per minute)' }),
            until: Type.String(),
            stepMs: Type.Number(),
            flows: Type.Number({ description: 'flows replayed' }),
            evaluationsPerFlow: Type.Number({ description: 'evaluations of each flow: at since, then every step up to until, and the last at until (now)' }),
            evaluations: Type.Number({ description: 'evaluations in all: evaluationsPerFlow × flows' }),
            events: Type.Array(Type.Object({ at: Type.String(), flow: Type.String(), transition: Type.String(), value: Type.String() })),
            firingAtEnd: Type.Array(Type.String()),
            noVerdict: Type.Array(Type.Object({ flow: Type.String(), fewRuns: Type.Number(), minTraces: Type.Number(), noDuration: Type.Number() }), {
              description:
                'per flow with any, the evaluations that gave no verdict: fewRuns over fewer than minTraces runs, noDuration over runs of no known duration; they neither fire nor resolve',
            }),
          }),
        },
      },
    },
    async (request) => {
      const until = new Date();
      const sinceMs = parseDuration(request.query.since ?? '7d', 'since');
      if (sinceMs > 90 * 86_400_000) throw ERR_BAD_REQUEST('Invalid querystring field "since": at most 90d.');
      if (sinceMs <= 0)
        throw ERR_BAD_REQUEST('Invalid querystring field "since": it must be a positive duration like 7d (a replay of no time evaluates nothing).');
      if (!services.analyzer) throw ERR_NOT_FOUND('The analyzer does not run in this process: backtests need its catalog.');
      try {
        return await backtestRule(services.store, services.analyzer.catalog(), request.query.rule, new Date(until.getTime() - sinceMs), until);
      } catch (err) {
        if (/^(No rule|Rule )/.test((err as Error).message)) throw ERR_BAD_REQUEST((err as Error).message);
        throw err;
      }
    },
  );

  app.get(
    '/alerts/:fingerprint',
    {
      config: { access: 'read' },
      schema: {
        summary: 'One alert with its events and remediation attempts',
        tags: ['alerts'],
        params: FpParams,
        response: { 200: Type.Object({ alert: AlertSchema, events: Type.Array(AlertEventSchema), remediations: Type.Array(RemediationAttemptSchema) }) },
      },
    },
    async (request) => {
      const { alertStore } = alertingOf(services);
      const alert = await alertStore.getAlert(request.params.fingerprint);
      if (!alert) throw ERR_NOT_FOUND(`No alert with fingerprint ${request.params.fingerprint}; GET /api/v1/alerts lists them.`);
      return {
        alert: view(alert),
        events: await alertStore.events({ fingerprint: alert.fingerprint }),
        remediations: await alertStore.attempts({ fingerprint: alert.fingerprint }),
      };
    },
  );

  app.post(
    '/alerts/:fingerprint/ack',
    {
      config: { access: 'silence' },
      schema: {
        summary: 'Acknowledge a pending or firing alert (no more repeat notifications; resolved is still sent)',
        tags: ['alerts'],
        params: FpParams,
        body: Type.Object({ note: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ alert: AlertSchema }) },
      },
    },
    async (request) => {
      const who = identityOf(request);
      const note = request.body?.note ?? '';
      const alert = await userErrors(() => alertingOf(services).acknowledge(request.params.fingerprint, who.name, note));
      await services.auditLog?.append(who, 'alert.acknowledge', alert.fingerprint, { note, rule: alert.rule });
      return { alert: view(alert) };
    },
  );

  app.get(
    '/silences',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Silences, newest first, with their status now',
        tags: ['alerts'],
        response: { 200: Type.Object({ silences: Type.Array(SilenceSchema) }) },
      },
    },
    async () => ({ silences: (await alertingOf(services).silences()).map(silenceView) }),
  );

  app.post(
    '/silences',
    {
      config: { access: 'silence' },
      schema: {
        summary: 'Create a silence: matching alerts are not notified until it ends',
        tags: ['alerts'],
        body: SilenceBodySchema,
        response: { 201: Type.Object({ silence: SilenceSchema }) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      let matchers: Matcher[];
      try {
        matchers = b.matchers.map((m) => (typeof m === 'string' ? parseMatcher(m) : matcherOf(m)));
      } catch (err) {
        throw ERR_BAD_REQUEST(`Invalid body field "matchers": ${(err as Error).message}.`);
      }
      // The schema's format lets through what no Date holds (an offset of hours only, a leap second): read as every route reads a time.
      const read = (text: string, field: string) => {
        const t = instantMs(text);
        if (Number.isNaN(t))
          throw ERR_BAD_REQUEST(
            `Invalid body field "${field}": expected an RFC 3339 date-time with its offset such as ${INSTANT_EXAMPLE}, got ${JSON.stringify(text.slice(0, 40))}.`,
          );
        return new Date(t);
      };
      const startsAt = b.startsAt ? read(b.startsAt, 'startsAt') : new Date();
      if (b.endsAt && b.duration) throw ERR_BAD_REQUEST('Give either endsAt or duration, not both.');
      const endsAt = b.endsAt ? read(b.endsAt, 'endsAt') : new Date(startsAt.getTime() + parseDuration(b.duration ?? '2h', 'duration'));
      for (const [field, t] of [
        ['startsAt', startsAt],
        ['endsAt', endsAt],
      ] as const) {
        if (!storableTime(t.getTime()))
          throw ERR_BAD_REQUEST(
            `Invalid body field "${field}": it must lie between the years ${STORE_FIRST_YEAR} and ${STORE_LAST_YEAR} (what the store holds), got ${t.toISOString()}.`,
          );
      }
      const who = identityOf(request);
      const silence = await userErrors(() =>
        alertingOf(services).createSilence({
          matchers,
          startsAt: startsAt.toISOString(),
          endsAt: endsAt.toISOString(),
          createdBy: who.name,
          comment: b.comment,
        }),
      );
      await services.auditLog?.append(who, 'silence.create', silence.id, { matchers: b.matchers, endsAt: silence.endsAt, comment: b.comment });
      return reply.status(201).send({ silence: silenceView(silence) });
    },
  );

  app.delete(
    '/silences/:id',
    {
      config: { access: 'silence' },
      schema: { summary: 'Expire a silence now', tags: ['alerts'], params: IdParams, response: { 200: Type.Object({ silence: SilenceSchema }) } },
    },
    async (request) => {
      const who = identityOf(request);
      const silence = await userErrors(() => alertingOf(services).expireSilence(request.params.id, who.name));
      await services.auditLog?.append(who, 'silence.expire', silence.id, {});
      return { silence: silenceView(silence) };
    },
  );

  app.get(
    '/remediations',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Remediation attempts, newest first',
        tags: ['alerts'],
        querystring: Type.Object({ limit: Limit }, { additionalProperties: false }),
        response: { 200: Type.Object({ attempts: Type.Array(RemediationAttemptSchema) }) },
      },
    },
    async (request) => ({ attempts: await alertingOf(services).alertStore.attempts({ limit: request.query.limit }) }),
  );

  app.post(
    '/remediations',
    {
      config: { access: 'remediate' },
      schema: {
        summary: "Run the remediation actions attached to an alert's rule or flow now (waits for their attempts)",
        tags: ['alerts'],
        body: Type.Object(
          {
            fingerprint: Type.String({ pattern: '^[0-9a-f]{16}$', description: 'the alert fingerprint (16 hex digits)' }),
            action: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ outcomes: Type.Array(RemediationOutcomeSchema) }) },
      },
    },
    async (request) => {
      const who = identityOf(request);
      const outcomes = await userErrors(() => alertingOf(services).remediate(request.body.fingerprint, who.name, request.body.action));
      await services.auditLog?.append(who, 'remediation.run', request.body.fingerprint, { outcomes: outcomes.map((o) => `${o.action}:${o.outcome}`) });
      return { outcomes };
    },
  );
};
