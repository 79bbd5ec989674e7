import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { selectFlow } from '../../analyzer/index.ts';
import { ERR_NOT_FOUND } from '../../core/errors/index.ts';
import type { RoutePluginOptions } from '../services.ts';
import { RangeFields } from '../schemas/common.ts';
import { HopsAnswerSchema } from '../schemas/hops.ts';
import { analyzerOf } from './analyzer-schemas.ts';
import { flowWindow } from './bounds.ts';

const HopsQuery = Type.Object(
  {
    since: Type.Optional(
      Type.String({
        maxLength: 32,
        pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h|d|w))+$',
        description: 'look-back window, e.g. 1h, 24h, read over whole minutes as a flow summary (default: the analyzer window)',
      }),
    ),
    from: RangeFields.from,
    to: RangeFields.to,
    domain: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'only the chains of this catalog domain' })),
    flow: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1000,
        description: 'only the chains through this flow (a catalog flow id, or an observed:source->target@integration id)',
      }),
    ),
  },
  { additionalProperties: false },
);

/** The id an observed (undocumented) flow has in the inventory. */
const observedId = (h: { source: string; target: string; integration: string }) => `observed:${h.source}->${h.target}@${h.integration}`;

/** Records per hop: each domain's chains from its system of record to its replicas, and where records were lost. */
export const hopRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { services }) => {
  app.get(
    '/hops',
    {
      config: { access: 'read' },
      schema: {
        summary:
          "Records per hop over a window (since, or from and to, widened to whole minutes as a flow's summary and series): a domain's chains from its system of record to its replicas, records read and written per hop, where the count first diverges",
        tags: ['flows'],
        querystring: HopsQuery,
        response: { 200: HopsAnswerSchema },
      },
    },
    async (request) => {
      const analyzer = analyzerOf(services);
      const { domain, flow } = request.query;
      if (domain !== undefined && !analyzer.catalog().domains.some((d) => d.id === domain)) {
        throw ERR_NOT_FOUND(
          `No domain "${domain}" in the catalog (domains: ${
            analyzer
              .catalog()
              .domains.map((d) => d.id)
              .join(', ') || 'none'
          }).`,
        );
      }
      // A flow that is neither in the catalog nor an observed flow's id would answer "no hops" (the flow page's rule).
      if (flow !== undefined) selectFlow(analyzer.catalog(), flow);
      const { since, from, to } = request.query;
      // A range (since, or from and to) is read over the whole minutes the flow's summary and series state
      // (flowWindow), so the flow page's records per hop count over the same window; none: the analyzer window.
      const range = since !== undefined || from !== undefined || to !== undefined ? flowWindow({ since, from, to }) : undefined;
      const snap = range ? await analyzer.snapshot(range.until.getTime() - range.since.getTime(), range.until) : await analyzer.snapshot();
      const chains = (snap.hopChains ?? [])
        .filter((c) => domain === undefined || c.domain === domain)
        .filter((c) => flow === undefined || c.hops.some((h) => h.flowId === flow || observedId(h) === flow));
      return { since: snap.since, until: snap.until, settleMs: snap.hopSettle?.settleMs ?? 0, settledUntil: snap.hopSettle?.settledUntil ?? null, chains };
    },
  );
};
