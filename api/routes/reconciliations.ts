import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ERR_NOT_FOUND } from '../../core/errors/index.ts';
import { identityOf } from '../../access/index.ts';
import type { RoutePluginOptions } from '../services.ts';
import { ReconciliationSchema, RunSchema } from '../schemas/probes.ts';
import { IdParams, probesOf, runOut } from './probe-schemas.ts';

/** Key-level reconciliations: definitions with their latest run, run history, run one now. */
export const reconciliationRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { services }) => {
  app.get(
    '/reconciliations',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Reconciliations and their latest runs',
        tags: ['probes'],
        response: { 200: Type.Object({ reconciliations: Type.Array(ReconciliationSchema) }) },
      },
    },
    async () => {
      const probes = probesOf(services);
      const specs = probes.catalog.reconciliations;
      const latest = probes.runs ? await probes.runs.latest(specs.map((r) => r.id)) : [];
      const byId = new Map(latest.map((r) => [r.reconcileId, r]));
      return {
        reconciliations: specs.map((r) => ({
          id: r.id,
          domain: r.domain ?? '',
          left: { system: r.left.system, table: r.left.table },
          right: { system: r.right.system, table: r.right.table },
          schedule: r.cron ? `cron ${r.cron}` : r.every ? `every ${r.every}` : 'on demand',
          latest: byId.has(r.id) ? runOut(byId.get(r.id)!) : null,
        })),
      };
    },
  );

  app.get(
    '/reconciliations/:id/runs',
    {
      config: { access: 'read' },
      schema: {
        summary: "One reconciliation's runs, newest first",
        tags: ['probes'],
        params: IdParams,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ runs: Type.Array(RunSchema) }) },
      },
    },
    async (request) => {
      const probes = probesOf(services);
      if (!probes.catalog.reconciliations.some((r) => r.id === request.params.id))
        throw ERR_NOT_FOUND(`No reconciliation "${request.params.id}" in the catalog.`);
      const runs = probes.runs ? await probes.runs.list(request.params.id, request.query.limit ?? 50) : [];
      return { runs: runs.map(runOut) };
    },
  );

  app.post(
    '/reconciliations/:id/run',
    {
      config: { access: 'run' },
      schema: { summary: 'Run one reconciliation now', tags: ['probes'], params: IdParams, response: { 200: Type.Object({ run: RunSchema }) } },
    },
    async (request) => {
      const run = await probesOf(services).runReconciliation(request.params.id);
      await services.auditLog?.append(identityOf(request), 'reconciliation.run', request.params.id, { status: run.status });
      return { run: runOut(run) };
    },
  );
};
