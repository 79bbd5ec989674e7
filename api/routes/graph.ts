import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { queryFlowSeries, ERR_FLOW_NOT_FOUND } from '../../analyzer/index.ts';
import { ERR_BAD_REQUEST } from '../../core/errors/index.ts';
import type { RoutePluginOptions } from '../services.ts';
import { FlowSeriesSchema, GraphSchema } from '../schemas/graph.ts';
import { SinceQuery } from '../schemas/common.ts';
import { analyzerOf, sinceMs } from './analyzer-schemas.ts';
import { boundedStep } from './bounds.ts';

/** The longest range one series may cover (400 days: the default rollup retention). */
const MAX_RANGE_MS = 400 * 86_400_000;
const STEPS: Array<[number, string]> = [
  [60_000, '1m'],
  [300_000, '5m'],
  [900_000, '15m'],
  [3_600_000, '1h'],
  [21_600_000, '6h'],
  [86_400_000, '1d'],
];

/** A step giving at most 200 buckets (about 100–200) over `rangeMs`, from 1m to 1d. */
export function autoStep(rangeMs: number): string {
  return (STEPS.find(([ms]) => rangeMs / ms <= 200) ?? STEPS[STEPS.length - 1])[1];
}

/** The series range: absolute (`from`, `to`) or relative (`since`, default 24h), checked: 400 on a range that cannot be read. */
export function seriesRange(q: { since?: string; from?: string; to?: string }, now = Date.now()): { since: Date; until: Date } {
  if (q.from === undefined && q.to === undefined) return { since: new Date(now - (sinceMs(q.since) ?? 86_400_000)), until: new Date(now) };
  if (q.since !== undefined) throw ERR_BAD_REQUEST('Give either since, or from and to, not both.');
  const parse = (v: string | undefined, name: string, fallback?: number) => {
    if (v === undefined && fallback !== undefined) return fallback;
    const t = v === undefined ? NaN : Date.parse(v);
    if (!Number.isFinite(t)) throw ERR_BAD_REQUEST(`${name} must be an ISO 8601 date-time such as 2026-11-29T08:00:00Z, got "${v ?? ''}".`);
    return t;
  };
  const from = parse(q.from, 'from');
  const to = parse(q.to, 'to', now);
  if (from >= to) throw ERR_BAD_REQUEST('from must be before to.');
  if (to - from > MAX_RANGE_MS) throw ERR_BAD_REQUEST('The range may cover at most 400 days.');
  return { since: new Date(from), until: new Date(to) };
}

/** The dependency graph, and one flow's time series. */
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

  app.get(
    '/flows/:id/series',
    {
      config: { access: 'read' },
      schema: {
        summary: "One flow's time series (a catalog flow id, or observed:SOURCE->TARGET@INTEGRATION)",
        tags: ['graph'],
        params: Type.Object({ id: Type.String({ minLength: 1 }) }),
        querystring: Type.Object(
          {
            since: SinceQuery.properties.since,
            from: Type.Optional(
              Type.String({
                minLength: 10,
                maxLength: 40,
                description: 'absolute range start (ISO 8601, e.g. 2026-11-29T08:00:00Z); with `to`, instead of `since`',
              }),
            ),
            to: Type.Optional(Type.String({ minLength: 10, maxLength: 40, description: 'absolute range end (ISO 8601; default now)' })),
            step: Type.Optional(
              Type.String({
                maxLength: 32,
                pattern: '^(\\d+(ms|s|m|h|d|w))+$',
                description: 'bucket size: at least 1m, at most the range, at most 10,000 points (default: at most 200 buckets)',
              }),
            ),
          },
          { additionalProperties: false },
        ),
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
      const edge = flow
        ? { source: flow.source, target: flow.target, integration: flow.runtime.flow, service: flow.runtime.service }
        : { source: observed![1], target: observed![2], integration: observed![3] };
      const { since, until } = seriesRange(request.query);
      const step = request.query.step ?? autoStep(until.getTime() - since.getTime());
      const stepMs = boundedStep(step, Math.max(until.getTime() - since.getTime(), 60_000));
      const points = await queryFlowSeries(services.store, catalog, edge, since, until, stepMs / 1000);
      return { flow: id, source: edge.source, target: edge.target, since: since.toISOString(), until: until.toISOString(), step, points };
    },
  );
};
