import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RoutePluginOptions } from '../services.ts';

export const healthRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { services }) => {
  app.get(
    '/health',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Liveness and storage check',
        response: { 200: Type.Object({ status: Type.Literal('ok'), store: Type.String(), version: Type.String() }) },
      },
    },
    async () => {
      const rows = await services.store.client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' }).then((r) => r.json<{ v: string }>());
      return { status: 'ok' as const, store: services.store.kind, version: rows[0]?.v ?? '' };
    },
  );
};
