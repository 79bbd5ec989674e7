import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { identityOf } from '../../access/index.ts';
import { shownCatalog, shownCatalogFiles } from './catalog-files.ts';
import { formatProblem, type CatalogProblem } from '../../core/catalog/index.ts';
import { count } from '../../core/text/index.ts';
import type { RoutePluginOptions } from '../services.ts';
import { Num, Str } from '../schemas/common.ts';
import { analyzerOf } from './analyzer-schemas.ts';

const Counts = Type.Object({ owners: Num, systems: Num, domains: Num, flows: Num, classes: Num, probes: Num, reconciliations: Num, sources: Type.Array(Str) });
const Warning = Type.Object(
  {
    file: Str,
    line: Type.Integer({ description: '1-based; 0 when the warning is about the file as a whole' }),
    column: Type.Integer(),
    path: Type.String({ description: 'the field inside the file, e.g. systems[2].match; empty for the whole file' }),
    message: Str,
    text: Type.String({ description: 'the warning as weft catalog validate prints it: file:line:column: path: message' }),
  },
  { description: 'Something in the catalog that is valid but will not do what it seems to (a match rule that can never match, an empty file)' },
);
const warningsOf = (ws: CatalogProblem[]) => ws.map((w) => ({ ...w, text: formatProblem(w) }));

const RunSchema = Type.Object({
  at: Str,
  candidates: Num,
  findings: Type.Union([Type.Object({ opened: Num, updated: Num, resolved: Num, held: Num }), Type.Null()]),
  errors: Type.Array(Str),
});

const counts = (c: ReturnType<ReturnType<typeof analyzerOf>['catalog']>) => ({
  owners: c.owners.length,
  systems: c.systems.length,
  domains: c.domains.length,
  flows: c.flows.length,
  classes: c.classes.length,
  probes: c.probes.length,
  reconciliations: c.reconciliations.length,
  sources: c.sources,
});

/** The catalog in use, its reload from its files, and an on-demand analysis. */
export const catalogRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { services }) => {
  // Viewers read this: env:NAME references are shown, literal credentials never (redactCatalog).
  app.get(
    '/catalog',
    {
      config: { access: 'read' },
      schema: {
        summary:
          "The estate catalog in use (credentials redacted; env:NAME references shown; the files' paths on the server and reports' directories only to roles that may reload it, others see the files relative to their directory)",
        tags: ['catalog'],
        response: { 200: Type.Object({ counts: Counts, catalog: Type.Record(Type.String(), Type.Unknown()) }) },
      },
    },
    async (request) => {
      const c = analyzerOf(services).catalog();
      return { counts: { ...counts(c), sources: shownCatalogFiles(request, c.sources) }, catalog: shownCatalog(request, c) as Record<string, unknown> };
    },
  );

  app.post(
    '/catalog/reload',
    {
      config: { access: 'catalog' },
      schema: {
        summary:
          'Re-read the catalog files, validate them, and re-evaluate flows and findings (400 with every problem when invalid; the warnings of a valid catalog, as weft catalog validate prints them, in warnings)',
        tags: ['catalog'],
        response: { 200: Type.Object({ counts: Counts, warnings: Type.Array(Warning), run: RunSchema }) },
      },
    },
    async (request) => {
      const analyzer = analyzerOf(services);
      // Catalog history (reports/): a new version when it changed, with who reloaded it, stored before the catalog is
      // used, so that the evaluation of the reload knows since when its lifecycles hold (deprecated-in-use).
      const run = await analyzer.reloadCatalog(undefined, async (next) => {
        await services.reports?.recordCatalog(next, { actor: identityOf(request).name, reason: 'reload' });
      });
      const c = analyzer.catalog();
      const detail = { systems: c.systems.length, flows: c.flows.length, probes: c.probes.length };
      await services.auditLog?.append(identityOf(request), 'catalog.reload', c.sources.join(','), detail);
      // The probes read the same catalog: new probes, reconciliations and drift settings apply now.
      await services.probes?.reloadCatalog(analyzer.catalog());
      // Scheduled reports follow the catalog.
      services.reports?.reloadSchedules(analyzer.catalog());
      const warnings = analyzer.catalogWarnings();
      request.log.info(
        { sources: c.sources, warnings: warnings.length },
        `catalog reloaded: ${count(c.systems.length, 'system')}, ${count(c.flows.length, 'flow')}, ${count(warnings.length, 'warning')}`,
      );
      for (const w of warnings) request.log.warn(`catalog: ${formatProblem(w)}`);
      return { counts: counts(analyzer.catalog()), warnings: warningsOf(warnings), run };
    },
  );

  app.post(
    '/analyzer/run',
    { config: { access: 'run' }, schema: { summary: 'Evaluate flows and findings now', tags: ['catalog'], response: { 200: RunSchema } } },
    async (request) => {
      const run = await analyzerOf(services).runNow();
      await services.auditLog?.append(identityOf(request), 'analyzer.run', '', { findings: run.findings });
      return run;
    },
  );
};
