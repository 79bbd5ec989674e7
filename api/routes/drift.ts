import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RoutePluginOptions } from '../services.ts';
import { DriftSchema } from '../schemas/probes.ts';
import { probesOf } from './probe-schemas.ts';

/** Record-count drift: each domain's system of record against each replica, from the latest probe counts. */
export const driftRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { services }) => {
  app.get(
    '/drift',
    {
      config: { access: 'read' },
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
