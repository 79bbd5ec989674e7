import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RoutePluginOptions } from '../services.ts';
import { DomainRowSchema, FlowRowSchema, OwnerRowSchema, SystemRowSchema } from '../schemas/inventory.ts';
import { SinceQuery, WindowFields } from '../schemas/common.ts';
import { analyzerOf, sinceMs } from './analyzer-schemas.ts';

const sections = { systems: SystemRowSchema, flows: FlowRowSchema, owners: OwnerRowSchema, domains: DomainRowSchema } as const;

/** The estate inventory: systems, flows, owners and domains, each with observed stats and last seen. */
export const inventoryRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { services }) => {
  for (const [name, row] of Object.entries(sections) as Array<[keyof typeof sections, (typeof sections)[keyof typeof sections]]>) {
    app.get(
      `/inventory/${name}`,
      {
        config: { access: 'read' },
        schema: {
          summary: `Inventory: ${name}, catalogued and observed`,
          tags: ['inventory'],
          querystring: SinceQuery,
          response: { 200: Type.Object({ ...WindowFields, [name]: Type.Array(row) }) },
        },
      },
      async (request) => {
        const inv = await analyzerOf(services).inventory(sinceMs(request.query.since));
        return { since: inv.since, until: inv.until, [name]: inv[name] };
      },
    );
  }
};
