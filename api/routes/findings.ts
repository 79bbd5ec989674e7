import { commaList } from './bounds.ts';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ERR_FINDING_NOT_FOUND, type FindingStore } from '../../findings/index.ts';
import { findingKinds, findingStatuses } from '../../core/contracts/index.ts';
import { identityOf } from '../../access/index.ts';
import type { ApiServices, RoutePluginOptions } from '../services.ts';
import { SeveritySchema } from '../schemas/common.ts';
import { FindingEventSchema, FindingSchema } from '../schemas/findings.ts';
import { analyzerOf } from './analyzer-schemas.ts';

/** The process's finding store (the analyzer's, when a test wires only that). */
function findingsOf(services: ApiServices): FindingStore {
  return services.findings ?? analyzerOf(services).findings;
}

/** "a,b" → checked list; an unknown value is a 400 naming the allowed ones. */

const NoteBody = Type.Object({ note: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false });
const IdParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{6,64}$', description: 'finding id' }) });

/** Findings: list with filters, one with its history, acknowledge and reopen (recorded with who and when). */
export const findingRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { services }) => {
  app.get(
    '/findings',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Findings, most severe first',
        tags: ['findings'],
        querystring: Type.Object(
          {
            kind: Type.Optional(Type.String({ description: `comma-separated: ${findingKinds.join(', ')}` })),
            severity: Type.Optional(SeveritySchema),
            status: Type.Optional(Type.String({ description: `comma-separated: ${findingStatuses.join(', ')} (default open,acknowledged)` })),
            subject: Type.Optional(Type.String({ minLength: 1, description: 'a system, flow or domain id' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, default: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ findings: Type.Array(FindingSchema) }) },
      },
    },
    async (request) => {
      const q = request.query;
      const findings = await findingsOf(services).list({
        kind: commaList(q.kind, findingKinds, 'kind'),
        minSeverity: q.severity,
        status: commaList(q.status, findingStatuses, 'status') ?? ['open', 'acknowledged'],
        subject: q.subject,
        limit: q.limit,
      });
      return { findings };
    },
  );

  app.get(
    '/findings/:id',
    {
      config: { access: 'read' },
      schema: {
        summary: 'One finding with its history',
        tags: ['findings'],
        params: IdParams,
        response: { 200: Type.Object({ finding: FindingSchema, history: Type.Array(FindingEventSchema) }) },
      },
    },
    async (request) => {
      const store = findingsOf(services);
      const finding = await store.get(request.params.id);
      if (!finding) throw ERR_FINDING_NOT_FOUND(request.params.id);
      return { finding, history: await store.history(request.params.id) };
    },
  );

  for (const action of ['ack', 'reopen'] as const) {
    app.post(
      `/findings/:id/${action}`,
      {
        config: { access: 'findings' },
        schema: {
          summary: action === 'ack' ? 'Acknowledge an open finding' : 'Reopen an acknowledged or resolved finding',
          tags: ['findings'],
          params: IdParams,
          body: NoteBody,
          response: { 200: Type.Object({ finding: FindingSchema }) },
        },
      },
      async (request) => {
        const store = findingsOf(services);
        const note = request.body?.note ?? '';
        // Who: the token's name ("local" in no-token mode); never a name the client types.
        const who = identityOf(request);
        const finding = action === 'ack' ? await store.acknowledge(request.params.id, who.name, note) : await store.reopen(request.params.id, who.name, note);
        await services.auditLog?.append(who, action === 'ack' ? 'finding.acknowledge' : 'finding.reopen', request.params.id, { note, kind: finding.kind });
        return { finding };
      },
    );
  }
};
