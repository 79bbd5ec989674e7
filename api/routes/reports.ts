import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { identityOf } from '../../access/index.ts';
import { bundleRunMismatch, ERR_REPORT_BUNDLE_CHANGED, ERR_REPORT_NOT_READY, resolvePeriod, type ReportRun, type ReportService } from '../../reports/index.ts';
import type { ApiServices, RoutePluginOptions } from '../services.ts';
import { ReportKeySchema, ReportRunSchema } from '../schemas/reports.ts';
import { ERR_REPORTS_OFF } from './report-errors.ts';

const IdParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f-]{36}$', description: 'report id (a UUID)' }) }, { additionalProperties: false });
const Point = (what: string) =>
  Type.String({
    minLength: 2,
    maxLength: 40,
    description: `${what}: a duration back from now (24h, 7d), an RFC 3339 time with its offset, or a date alone (its midnight UTC)`,
  });
const CreateBody = Type.Object(
  { since: Type.Optional(Point('start of the period (default 24h)')), until: Type.Optional(Point('end of the period (default now)')) },
  { additionalProperties: false },
);

function reportsOf(services: ApiServices): ReportService {
  if (!services.reports) throw ERR_REPORTS_OFF();
  return services.reports;
}

const view = (run: ReportRun) => {
  const { file: _file, ...rest } = run;
  return { ...rest, bundle: run.status === 'done' ? `/api/v1/reports/${run.id}/bundle` : null };
};

/**
 * Compliance reports: start one for a period, follow it, download its signed evidence bundle, read
 * the signing key. Access level `reports` (auditor, admin). Starting one is audited (`report.create`), and so is each
 * download of a bundle (`report.download`: the token's name and role, the report's id, period, format, manifest
 * SHA-256 and size).
 */
export const reportRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { services }) => {
  // Reports hold the estate's regulated flows and its exceptions: access level `reports` (auditors and admins).
  const config = { access: 'reports' as const };
  app.post(
    '/reports',
    {
      config,
      schema: {
        summary: 'Start a compliance report for a period (202; follow it with GET /reports/:id)',
        tags: ['reports'],
        body: CreateBody,
        response: { 202: Type.Object({ report: ReportRunSchema }) },
      },
    },
    async (request, reply) => {
      const period = resolvePeriod({ since: request.body?.since, until: request.body?.until }, new Date());
      const who = identityOf(request);
      const run = await reportsOf(services).start({ period, actor: who.name, trigger: 'api' });
      await services.auditLog?.append(who, 'report.create', run.id, { since: period.since, until: period.until });
      return reply.status(202).send({ report: view(run) });
    },
  );

  app.get(
    '/reports',
    {
      config,
      schema: {
        summary: 'Report runs, newest first (API, CLI and scheduled)',
        tags: ['reports'],
        response: { 200: Type.Object({ reports: Type.Array(ReportRunSchema) }) },
      },
    },
    async () => {
      return { reports: (await reportsOf(services).list(100)).map(view) };
    },
  );

  app.get(
    '/reports/key',
    { config, schema: { summary: "The installation's report-signing public key (Ed25519)", tags: ['reports'], response: { 200: ReportKeySchema } } },
    async () => {
      const key = reportsOf(services).publicKey();
      return { algorithm: 'Ed25519' as const, publicKey: key.pem, fingerprint: key.fingerprint };
    },
  );

  app.get(
    '/reports/:id',
    {
      config,
      schema: {
        summary: 'One report run: its status and, once done, where its bundle is',
        tags: ['reports'],
        params: IdParams,
        response: { 200: Type.Object({ report: ReportRunSchema }) },
      },
    },
    async (request) => {
      return { report: view(await reportsOf(services).get(request.params.id)) };
    },
  );

  app.get(
    '/reports/:id/bundle',
    {
      config,
      schema: {
        summary: 'The signed evidence bundle (application/zip)',
        tags: ['reports'],
        params: IdParams,
        produces: ['application/zip'],
        response: {
          200: Type.String({ format: 'binary', description: 'zip: report.pdf, report.json, csv/*.csv, manifest.json, manifest.sig, public-key.pem' }),
        },
      },
    },
    async (request, reply) => {
      const run = await reportsOf(services).get(request.params.id);
      if (run.status !== 'done' || !existsSync(run.file))
        throw ERR_REPORT_NOT_READY(run.id, run.status === 'done' ? 'done but its bundle file is gone' : run.status);
      // The run records a path: only what is still the bundle it wrote there is sent (a file replaced since, or a path
      // `weft report` recorded on another host, is not this report's evidence).
      const zip = await readFile(run.file);
      const mismatch = bundleRunMismatch(zip, run);
      if (mismatch) throw ERR_REPORT_BUNDLE_CHANGED(run.id, mismatch);
      const name = `weft-report-${run.since.slice(0, 10)}-${run.until.slice(0, 10)}-${run.id.slice(0, 8)}.zip`;
      // Who took which evidence out, before it goes: a download the audit log cannot record is refused (the append
      // throws), so an export never leaves unrecorded.
      await services.auditLog?.append(identityOf(request), 'report.download', run.id, {
        since: run.since,
        until: run.until,
        format: 'bundle',
        files: ['report.pdf', 'report.json', 'csv'],
        manifestSha256: run.manifestSha256,
        bytes: zip.length,
      });
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(zip as unknown as string); // a Buffer: sent as it is, never serialized
    },
  );
};
