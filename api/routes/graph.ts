import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { queryFlowSeries, ERR_FLOW_NOT_FOUND } from '../../analyzer/index.ts';
import { parseDuration } from '../../core/time/index.ts';
import type { RoutePluginOptions } from '../services.ts';
import { Num, NullStr, SinceQuery, Str, WindowFields, analyzerOf, sinceMs } from './analyzer-schemas.ts';

const NodeSchema = Type.Object({ id: Str, label: Str, type: Str, kind: Str, owner: NullStr, lifecycle: Str, documented: Type.Boolean(), connections: Num });
const EdgeSchema = Type.Object({
  id: Str,
  source: Str,
  target: Str,
  integrations: Type.Array(Str),
  domain: Str,
  flowId: NullStr,
  mark: Type.Union([Type.Literal('documented'), Type.Literal('undocumented'), Type.Literal('deprecated')]),
  observed: Type.Boolean(),
  traces: Num,
  records: Num,
  errorRate: Num,
  p95Ms: Num,
  lastSeen: NullStr,
});
const GraphSchema = Type.Object({
  ...WindowFields,
  nodes: Type.Array(NodeSchema),
  edges: Type.Array(EdgeSchema),
  integrations: Type.Array(Type.Object({ id: Str, service: Str, edges: Num })),
  sprawl: Type.Object({
    systems: Num,
    edges: Num,
    connectionsPerSystem: Type.Record(Type.String(), Num),
    hubs: Type.Array(Type.Object({ id: Str, connections: Num })),
    flowsPerDomain: Type.Record(Type.String(), Num),
    undocumentedEdges: Num,
    averageConnections: Num,
  }),
});
const PointSchema = Type.Object({ t: Str, traces: Num, failedTraces: Num, records: Num, p50Ms: Num, p95Ms: Num, p99Ms: Num });

/** The dependency graph, and one flow's time series. */
export const graphRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { services }) => {
  app.get('/graph', { schema: { summary: 'Dependency graph: systems and integrations, flows marked documented / undocumented / deprecated, sprawl figures', tags: ['graph'], querystring: SinceQuery, response: { 200: GraphSchema } } }, async (request) =>
    analyzerOf(services).graph(sinceMs(request.query.since)),
  );

  app.get(
    '/flows/:id/series',
    {
      schema: {
        summary: "One flow's time series (a catalog flow id, or observed:SOURCE->TARGET@INTEGRATION)",
        tags: ['graph'],
        params: Type.Object({ id: Type.String({ minLength: 1 }) }),
        querystring: Type.Object({ since: SinceQuery.properties.since, step: Type.Optional(Type.String({ pattern: '^(\\d+(ms|s|m|h|d))+$', description: 'bucket size, at least 1m (default 5m)' })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ flow: Str, source: Str, target: Str, ...WindowFields, step: Str, points: Type.Array(PointSchema) }) },
      },
    },
    async (request) => {
      const analyzer = analyzerOf(services);
      const { id } = request.params;
      const catalog = analyzer.catalog();
      const flow = catalog.flows.find((f) => f.id === id);
      const observed = /^observed:(.+)->(.+)@(.+)$/.exec(id);
      if (!flow && !observed) throw ERR_FLOW_NOT_FOUND(id);
      const edge = flow ? { source: flow.source, target: flow.target, integration: flow.runtime.flow, service: flow.runtime.service } : { source: observed![1], target: observed![2], integration: observed![3] };
      const until = new Date();
      const since = new Date(until.getTime() - (sinceMs(request.query.since) ?? 86_400_000));
      const step = request.query.step ?? '5m';
      const points = await queryFlowSeries(services.store, catalog, edge, since, until, parseDuration(step, 'step') / 1000);
      return { flow: id, source: edge.source, target: edge.target, since: since.toISOString(), until: until.toISOString(), step, points };
    },
  );
};
