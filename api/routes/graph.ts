import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RoutePluginOptions } from '../services.ts';
import { GraphSchema } from '../schemas/graph.ts';
import { SinceQuery } from '../schemas/common.ts';
import { analyzerOf, sinceMs } from './analyzer-schemas.ts';

/** The dependency graph (one flow's series and summary: flows.ts). */
export const graphRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { services }) => {
  app.get(
    '/graph',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Dependency graph: systems and integrations, flows marked documented / undocumented / deprecated, sprawl figures',
        tags: ['graph'],
        querystring: SinceQuery,
        response: { 200: GraphSchema },
      },
    },
    async (request) => analyzerOf(services).graph(sinceMs(request.query.since)),
  );
};
