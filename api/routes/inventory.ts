import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RoutePluginOptions } from '../services.ts';
import { FlowStatsSchema, Num, NullStr, SinceQuery, Str, WindowFields, analyzerOf, sinceMs } from './analyzer-schemas.ts';

const Strs = Type.Array(Str);

const SystemRow = Type.Object({ id: Str, name: Str, kind: Str, owner: NullStr, lifecycle: Str, documented: Type.Boolean(), integrations: Strs, spans: Num, errors: Num, records: Num, lastSeen: NullStr });
const FlowRow = Type.Object({ id: Str, name: Str, source: Str, target: Str, domain: NullStr, owner: NullStr, lifecycle: Str, documented: Type.Boolean(), integrations: Strs, stats: FlowStatsSchema, lastSeen: NullStr, throughputPerHour: Num });
const OwnerRow = Type.Object({ id: Str, name: Str, email: NullStr, systems: Strs, flows: Strs, domains: Strs, traces: Num, lastSeen: NullStr });
const DomainRow = Type.Object({ id: Str, name: Str, systemOfRecord: Str, replicas: Strs, regulated: Strs, owner: NullStr, flows: Strs, traces: Num, records: Num, lastSeen: NullStr });

const sections = { systems: SystemRow, flows: FlowRow, owners: OwnerRow, domains: DomainRow } as const;

/** The estate inventory: systems, flows, owners and domains, each with observed stats and last seen. */
export const inventoryRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { services }) => {
  for (const [name, row] of Object.entries(sections) as Array<[keyof typeof sections, (typeof sections)[keyof typeof sections]]>) {
    app.get(
      `/inventory/${name}`,
      {
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
