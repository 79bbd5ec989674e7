import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createLineageReceiver, decodedBody, ERR_LINEAGE_TOO_LARGE } from '../../lineage/index.ts';
import type { RoutePluginOptions } from '../services.ts';

/** Largest lineage request (the OpenLineage clients send one event per request; Spark events with column lineage run to megabytes). */
export const LINEAGE_BODY_LIMIT = 8 * 1024 * 1024;

const ErrorBody = Type.Object({ statusCode: Type.Integer(), code: Type.String(), error: Type.String(), message: Type.String() });
const Rejected = Type.Object({ index: Type.Integer({ description: "The event's position in the request (0 for a single event)" }), message: Type.String() });

/** OpenLineage in: POST /api/v1/lineage, the default endpoint of the OpenLineage HTTP transport. */
export const lineageRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { services }) => {
  const receiver = createLineageReceiver(services.store);
  app.post(
    '/lineage',
    {
      config: { access: 'ingest' },
      bodyLimit: LINEAGE_BODY_LIMIT,
      // gzip bodies (the clients' "compression: gzip") are inflated here; the limit applies to the inflated bytes.
      preParsing: async (request, _reply, payload) => decodedBody(request.headers['content-encoding'], payload),
      errorHandler: (err, _request, reply) => {
        if ((err as { code?: string }).code !== 'FST_ERR_CTP_BODY_TOO_LARGE') throw err;
        const e = ERR_LINEAGE_TOO_LARGE(LINEAGE_BODY_LIMIT);
        void reply.status(413).header('connection', 'close').send({ statusCode: 413, code: e.code, error: 'Payload Too Large', message: e.message });
      },
      schema: {
        summary: 'OpenLineage RunEvents in (one event or an array); runs that end become flows of their job',
        tags: ['lineage'],
        body: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Array(Type.Unknown())], {
          description: 'a JSON object, an OpenLineage RunEvent (https://openlineage.io/spec/2-0-2/OpenLineage.json), or an array of them',
        }),
        response: {
          200: Type.Object({
            accepted: Type.Integer({ description: 'Events stored' }),
            rejected: Type.Array(Rejected, { description: 'Events not stored, each with the field to change; the others were stored' }),
            runsEnded: Type.Integer({ description: 'Runs whose first COMPLETE, FAIL or ABORT arrived now (their flows were written)' }),
            schemasChanged: Type.Integer({ description: 'Datasets whose reported schema (the schema facet) was new or changed (schema drift reads them)' }),
          }),
          400: ErrorBody,
          413: ErrorBody,
          415: ErrorBody,
        },
      },
    },
    async (request) => {
      const result = await receiver.ingest(request.body);
      // A new or changed reported schema is schema drift's business (probes/): evaluate soon, not in this request.
      if (result.schemasChanged > 0) services.probes?.evaluateSoon();
      return result;
    },
  );
};
