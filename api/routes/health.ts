import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RoutePluginOptions } from '../services.ts';
import { mayReloadCatalog } from './catalog-files.ts';

export const healthRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { services }) => {
  app.get(
    '/health',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Liveness and storage check',
        description:
          "`version` is the ClickHouse server's version, given to the roles that run Weft's setup (icoe, admin; those that may reload the catalog): to other readers it only says which published flaws the store may have.",
        response: { 200: Type.Object({ status: Type.Literal('ok'), store: Type.String(), version: Type.Optional(Type.String()) }) },
      },
    },
    async (request) => {
      // The query is the storage check for every reader; its answer is shown only to the roles above.
      const rows = await services.store.client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' }).then((r) => r.json<{ v: string }>());
      const health = { status: 'ok' as const, store: services.store.kind };
      return mayReloadCatalog(request) ? { ...health, version: rows[0]?.v ?? '' } : health;
    },
  );
};
