import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RoutePluginOptions } from '../services.ts';
import { DriftSchema } from '../schemas/probes.ts';
import { ERR_NOT_FOUND } from '../../core/errors/index.ts';
import { didYouMean } from '../../core/text/index.ts';
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
      const probes = probesOf(services);
      const { domain } = request.query;
      // A domain the catalog does not declare would answer "no drift", as if its replicas agreed.
      if (domain !== undefined && !probes.catalog.domains.some((d) => d.id === domain))
        throw ERR_NOT_FOUND(
          `No domain ${JSON.stringify(domain.slice(0, 100))} in the catalog${didYouMean(
            domain.slice(0, 100),
            probes.catalog.domains.map((d) => d.id),
          )} (domains: ${probes.catalog.domains.map((d) => d.id).join(', ') || 'none'}).`,
        );
      const states = await probes.drift();
      return {
        drift: states
          .filter((s) => !request.query.domain || s.domain === request.query.domain)
          .map((s) => ({ ...s, at: s.at.toISOString(), divergingSince: s.divergingSince?.toISOString() ?? null })),
      };
    },
  );
};
