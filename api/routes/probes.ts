import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ERR_NOT_FOUND } from '../../core/errors/index.ts';
import { boundedSince, DEFAULT_MAX_RECORD_SINCE_MS } from './bounds.ts';
import { identityOf } from '../../access/index.ts';
import type { RoutePluginOptions } from '../services.ts';
import { ProbeSchema, SampleSchema } from '../schemas/probes.ts';
import { IdParams, probesOf, sampleOut } from './probe-schemas.ts';

/** Probe health: each catalog probe with its latest sample; its history; run one now. */
export const probeRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { services }) => {
  app.get(
    '/probes',
    {
      config: { access: 'read' },
      schema: { summary: 'Probes and their health', tags: ['probes'], response: { 200: Type.Object({ probes: Type.Array(ProbeSchema) }) } },
    },
    async () => {
      const probes = probesOf(services);
      const ids = probes.catalog.probes.map((p) => p.id);
      const [latest, streaks] = probes.samples ? await Promise.all([probes.samples.latest(ids), probes.samples.failureStreaks(ids)]) : [[], []];
      const last = new Map(latest.map((s) => [s.probeId, s]));
      const fails = new Map(streaks.map((s) => [s.probeId, s.failures]));
      return {
        probes: probes.catalog.probes.map((p) => {
          const s = last.get(p.id);
          return {
            id: p.id,
            kind: p.kind,
            system: p.system,
            domain: p.domain ?? '',
            schedule: p.cron ? `cron ${p.cron}` : p.every ? `every ${p.every}` : 'on demand',
            timeout: p.timeout ?? '10s',
            healthy: s ? s.ok : null,
            consecutiveFailures: fails.get(p.id) ?? 0,
            latest: s ? sampleOut(s) : null,
          };
        }),
      };
    },
  );

  app.get(
    '/probes/:id/samples',
    {
      config: { access: 'read' },
      schema: {
        summary: "One probe's recent samples, oldest first",
        tags: ['probes'],
        params: IdParams,
        querystring: Type.Object(
          {
            since: Type.Optional(
              Type.String({ maxLength: 32, pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h|d|w))+$', description: 'look-back window (default 24h, at most 730d)' }),
            ),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, default: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ probe: Type.String(), samples: Type.Array(SampleSchema) }) },
      },
    },
    async (request) => {
      const probes = probesOf(services);
      const { id } = request.params;
      if (!probes.catalog.probes.some((p) => p.id === id)) throw ERR_NOT_FOUND(`No probe "${id}" in the catalog.`);
      const since = new Date(Date.now() - (boundedSince(request.query.since, DEFAULT_MAX_RECORD_SINCE_MS) ?? 86_400_000));
      const samples = probes.samples ? await probes.samples.history([id], since, request.query.limit ?? 500) : [];
      return { probe: id, samples: samples.map(sampleOut) };
    },
  );

  app.post(
    '/probes/:id/run',
    {
      config: { access: 'run' },
      schema: {
        summary: 'Run one probe now',
        tags: ['probes'],
        params: IdParams,
        response: { 200: Type.Object({ probe: Type.String(), sample: SampleSchema, shapeChanged: Type.Boolean() }) },
      },
    },
    async (request) => {
      const result = await probesOf(services).runProbe(request.params.id);
      await services.auditLog?.append(identityOf(request), 'probe.run', request.params.id, { ok: result.sample.ok });
      return { probe: request.params.id, sample: sampleOut(result.sample), shapeChanged: result.shapeChanged };
    },
  );
};
