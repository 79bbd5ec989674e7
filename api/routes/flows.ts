import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { queryFlowSeries, queryFlowSummaries, selectFlow } from '../../analyzer/index.ts';
import type { RoutePluginOptions } from '../services.ts';
import { FlowSeriesSchema } from '../schemas/graph.ts';
import { FlowSummarySchema } from '../schemas/inventory.ts';
import { RangeFields } from '../schemas/common.ts';
import { analyzerOf } from './analyzer-schemas.ts';
import { boundedStep, DEFAULT_MAX_SINCE_MS, flowWindow } from './bounds.ts';

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

const FlowParams = Type.Object({ id: Type.String({ minLength: 1, description: 'a catalog flow id, or observed:SOURCE->TARGET@INTEGRATION' }) });

/**
 * The part of [since, until] Weft still keeps: the rollups live `keptMs` (the rollup retention); a
 * window starting earlier is read from `keptSince` on (empty when it ends before), and says so.
 */
export function keptPart(since: Date, until: Date, keptMs: number, now = Date.now()): { read: { since: Date; until: Date }; keptSince: string | null } {
  const kept = now - keptMs;
  if (since.getTime() >= kept) return { read: { since, until }, keptSince: null };
  return { read: { since: new Date(Math.min(kept, until.getTime())), until }, keptSince: new Date(kept).toISOString() };
}

/** One flow's time series and its summary, over the same whole-minute windows (`flowWindow`). */
export const flowRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { services }) => {
  app.get(
    '/flows/:id/series',
    {
      config: { access: 'read' },
      schema: {
        summary:
          "One flow's time series (a catalog flow id, or observed:SOURCE->TARGET@INTEGRATION) over a range widened to whole minutes, as the summary's (since and until in the answer are the window covered; buckets are laid from since)",
        tags: ['flows'],
        params: FlowParams,
        querystring: Type.Object(
          {
            ...RangeFields,
            step: Type.Optional(
              Type.String({
                maxLength: 32,
                pattern: '^(\\d+(ms|s|m|h|d|w))+$',
                description: 'bucket size: whole minutes, at least 1m, at most the range, at most 10,000 points (default: at most 200 buckets)',
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
      const catalog = analyzer.catalog();
      const flow = selectFlow(catalog, request.params.id);
      const { since, until } = flowWindow(request.query);
      const step = request.query.step ?? autoStep(until.getTime() - since.getTime());
      const stepMs = boundedStep(step, Math.max(until.getTime() - since.getTime(), 60_000));
      const points = await queryFlowSeries(services.store, catalog, flow, since, until, stepMs / 1000);
      return { flow: flow.id, source: flow.source, target: flow.target, since: since.toISOString(), until: until.toISOString(), step, points };
    },
  );

  app.get(
    '/flows/:id/summary',
    {
      config: { access: 'read' },
      schema: {
        summary:
          "One flow's inventory row over a range widened to whole minutes (the rollups' grain; since and until in the answer are the window covered): traces, failures, records, latency quantiles, first and last seen in it; stats null when it had no trace there",
        tags: ['flows'],
        params: FlowParams,
        querystring: Type.Object(RangeFields, { additionalProperties: false }),
        response: { 200: FlowSummarySchema },
      },
    },
    async (request) => {
      const analyzer = analyzerOf(services);
      const catalog = analyzer.catalog();
      const flow = selectFlow(catalog, request.params.id);
      // The figures come from per-minute rollups, so the window they cover is made of whole minutes, and
      // that is the window stated: a preset (`since`) is its length in minutes up to the end of the
      // current minute; an absolute range is widened to the minutes it touches (a 30 s range is its
      // whole minute, not a part of it). The series states the same window (`flowWindow`).
      const { since, until } = flowWindow(request.query);
      const { read, keptSince } = keptPart(since, until, (services.rollupDays ?? DEFAULT_MAX_SINCE_MS / 86_400_000) * 86_400_000);
      const [row] = await queryFlowSummaries(services.store, catalog, flow, [read]);
      return { since: since.toISOString(), until: until.toISOString(), keptSince, flow: row };
    },
  );
};
