import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RoutePluginOptions } from '../services.ts';
import { probesOf } from './probe-schemas.ts';

const DriftSchema = Type.Object({
  domain: Type.String(),
  systemOfRecord: Type.String(),
  replica: Type.String(),
  at: Type.String({ format: 'date-time', description: 'time of the latest counts compared' }),
  sorCount: Type.Number(),
  replicaCount: Type.Number(),
  difference: Type.Number({ description: 'replica minus system of record' }),
  differencePercent: Type.Number(),
  tolerance: Type.Number(),
  diverging: Type.Boolean(),
  divergingSince: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  drift: Type.Boolean({ description: 'diverging for longer than the settle time' }),
  settleMs: Type.Number(),
  trend: Type.Union([Type.Literal('growing'), Type.Literal('shrinking'), Type.Literal('steady')]),
  ratePerHour: Type.Number(),
  recent: Type.Array(Type.Object({ ts: Type.String(), sor: Type.Number(), replica: Type.Number() })),
});

/** Record-count drift: each domain's system of record against each replica, from the latest probe counts. */
export const driftRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { services }) => {
  app.get(
    '/drift',
    {
      schema: {
        summary: 'Record-count drift per domain and replica',
        tags: ['probes'],
        querystring: Type.Object({ domain: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ drift: Type.Array(DriftSchema) }) },
      },
    },
    async (request) => {
      const states = await probesOf(services).drift();
      return {
        drift: states
          .filter((s) => !request.query.domain || s.domain === request.query.domain)
          .map((s) => ({ ...s, at: s.at.toISOString(), divergingSince: s.divergingSince?.toISOString() ?? null })),
      };
    },
  );
};
