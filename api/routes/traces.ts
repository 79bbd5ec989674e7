import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { queryTrace } from '../../analyzer/index.ts';
import { defineError } from '../../core/errors/index.ts';
import type { RoutePluginOptions } from '../services.ts';
import { TraceSchema } from '../schemas/traces.ts';
import { analyzerOf } from './analyzer-schemas.ts';

export const ERR_TRACE_NOT_FOUND = defineError(
  'WEFT_ERR_TRACE_NOT_FOUND',
  404,
  (id: string) => `No span of trace ${id} is stored: it never arrived, or it is older than the raw-span retention (WEFT_RETENTION_RAW_DAYS).`,
);

/** The trace view: one trace's spans (waterfall), attributes, events, status and the systems it touched. */
export const traceRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { services }) => {
  const template = services.traceLinkTemplate;
  app.get(
    '/traces/:traceId',
    {
      config: { access: 'read' },
      schema: {
        summary: "One trace's spans with attributes, events and status, and the systems it read and wrote",
        tags: ['traces'],
        params: Type.Object({ traceId: Type.String({ pattern: '^[0-9a-fA-F]{32}$', description: 'trace id, 32 hex digits' }) }),
        response: { 200: TraceSchema },
      },
    },
    async (request) => {
      const id = request.params.traceId.toLowerCase();
      const view = await queryTrace(services.store, analyzerOf(services).catalog(), id);
      if (!view) throw ERR_TRACE_NOT_FOUND(id);
      return { ...view, externalUrl: template ? template.replaceAll('{traceId}', encodeURIComponent(id)) : null };
    },
  );
};
