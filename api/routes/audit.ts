import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { runAudit } from '../../analyzer/index.ts';
import type { Severity } from '../../core/contracts/index.ts';
import { probeAuditCandidates } from '../../probes/index.ts';
import { datasetSystem } from '../dataset-system.ts';
import type { RoutePluginOptions } from '../services.ts';
import { Num, SeveritySchema, SinceQuery, Str } from '../schemas/common.ts';
import { analyzerOf, sinceMs } from './analyzer-schemas.ts';
import { shownCatalogFiles } from './catalog-files.ts';

const Strs = Type.Array(Str);
const Counts = Type.Record(Type.String(), Num);

/** The `weft audit --format json` contract (docs/audit.md), as the running Weft sees its estate. */
export const AuditReportSchema = Type.Object({
  version: Type.Literal(1),
  generatedAt: Str,
  window: Type.Object(
    { since: Str, until: Str },
    {
      description:
        'The window evaluated, as the analyzer reads its window: from the start of the minute holding now − since (the rollups keep whole minutes) to now (generatedAt); the minute in progress is read up to now.',
    },
  ),
  pairing: Type.Object(
    { pairedUntil: Str, pendingTraces: Num, pendingSpans: Num },
    {
      description:
        'How far pairing had got when the audit read the store (arrival time), and the traces that had arrived and were not paired yet: their runs are not in this report.',
    },
  ),
  catalog: Type.Object({ files: Strs, systems: Num, flows: Num, domains: Num, owners: Num }),
  summary: Type.Object({
    systems: Type.Object({ total: Num, documented: Num, unknown: Num, observed: Num }),
    flows: Type.Object({ total: Num, documented: Num, undocumented: Num, observed: Num, neverObserved: Num }),
    findings: Type.Object({ total: Num, bySeverity: Counts, byKind: Counts }),
  }),
  findings: Type.Array(
    Type.Object({
      id: Str,
      kind: Str,
      severity: SeveritySchema,
      title: Str,
      subject: Type.Object({ systems: Strs, flows: Strs, domains: Strs }),
      evidence: Type.Record(Type.String(), Type.Unknown()),
      hint: Str,
      noVerdict: Type.Optional(
        Type.Object(
          { reason: Str, lastSeen: Str },
          { description: 'No verdict now (too few runs in the window): the open finding is kept as it was last seen (lastSeen), for reason' },
        ),
      ),
    }),
  ),
  failOn: Type.Union([SeveritySchema, Type.Null()]),
  failed: Type.Boolean(),
});

const AuditQuery = Type.Object({ since: SinceQuery.properties.since, failOn: Type.Optional(SeveritySchema) }, { additionalProperties: false });

/** GET /audit: what `weft audit --url` prints, evaluated now by this process against its catalog. */
export const auditRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { services }) => {
  app.get(
    '/audit',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Audit the estate now: inventory summary and findings for a window (the weft audit JSON contract)',
        tags: ['findings'],
        querystring: AuditQuery,
        response: { 200: AuditReportSchema },
      },
    },
    async (request) => {
      const analyzer = analyzerOf(services);
      // This process's analyzer pairs traces on its own schedule: the audit only reads.
      const report = await runAudit(services.store, analyzer.catalog(), {
        sinceMs: sinceMs(request.query.since) ?? 7 * 86_400_000,
        now: new Date(),
        failOn: (request.query.failOn as Severity | undefined) ?? null,
        more: [(store, catalog, now) => probeAuditCandidates(store, catalog, now, datasetSystem)],
        // Each finding's severity as this process's finding store holds it (held for 10 minutes before it falls).
        findings: services.findings,
      });
      // Where the catalog's files are on the server is for those who may reload it (icoe, admin).
      return { ...report, catalog: { ...report.catalog, files: shownCatalogFiles(request, report.catalog.files) } };
    },
  );
};
