import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { queryFlowSeries, ERR_FLOW_NOT_FOUND } from '../../analyzer/index.ts';
import { parseDuration } from '../../core/time/index.ts';
import type { RoutePluginOptions } from '../services.ts';
import { FlowSeriesSchema, GraphSchema } from '../schemas/graph.ts';
import { SinceQuery } from '../schemas/common.ts';
import { analyzerOf, sinceMs } from './analyzer-schemas.ts';

/** The dependency graph, and one flow's time series. */
export const graphRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { services }) => {
  app.get('/graph', { config: { access: 'read' }, schema: { summary: 'Dependency graph: systems and integrations, flows marked documented / undocumented / deprecated, sprawl figures', tags: ['graph'], querystring: SinceQuery, response: { 200: GraphSchema } } }, async (request) =>
    analyzerOf(services).graph(sinceMs(request.query.since)),
  );

  app.get(
    '/flows/:id/series',
    {
      config: { access: 'read' },
      schema: {
        summary: "One flow's time series (a catalog flow id, or observed:SOURCE->TARGET@INTEGRATION)",
        tags: ['graph'],
        params: Type.Object({ id: Type.String({ minLength: 1 }) }),
        querystring: Type.Object({ since: SinceQuery.properties.since, step: Type.Optional(Type.String({ pattern: '^(\\d+(ms|s|m|h|d))+$', description: 'bucket size, at least 1m (default 5m)' })) }, { additionalProperties: false }),
        response: { 200: FlowSeriesSchema },
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
