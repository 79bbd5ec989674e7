import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AuditFormat, AuditReport } from '../../analyzer/index.ts';
import { flag, notWeftDataProblem, type WeftConfig } from '../../core/config/index.ts';
import type { Severity } from '../../core/contracts/index.ts';
import { ERR_CONFIG } from '../../core/errors/index.ts';
import { weftApi } from './weft-api.ts';
import { parsePositiveDuration } from '../../core/time/index.ts';
import { givenPairingWindows, localStoreConfig, openLocalStore, refuseBesideUrl } from './store-flags.ts';
import type { Command, CommandIO } from '../command.ts';
import type { Store } from '../../clickhouse/index.ts';
import type { Catalog } from '../../core/catalog/index.ts';

/**
 * The catalog a store's Weft last ran with (`weft_catalog_versions`, stored at every start and reload that changed it),
 * for an audit given no --catalog; a note on stderr says which. Throws ERR_CONFIG naming --catalog (and the demo's
 * catalog file, in the demo's directory) when the store has none recorded: audited against no catalog, every system
 * would be reported unknown and every flow undocumented.
 */
async function storedCatalog(store: Store, config: WeftConfig, io: CommandIO): Promise<Catalog> {
  const { CatalogVersionStore } = await import('../../reports/index.ts');
  const stored = await new CatalogVersionStore(store).latest();
  if (stored) {
    const { version } = stored;
    io.err(
      `note: no --catalog given: auditing against the catalog this store's Weft last ran with (${version.sources.join(', ') || 'no file'}, loaded ${version.at} by ${version.actor}); pass --catalog FILE… for another`,
    );
    return stored.catalog;
  }
  // The demo writes its catalog into its data directory.
  const demoCatalog = join(config.dataDir, 'demo', 'demo-catalog.yaml');
  const demo = config.store.kind === 'embedded' && existsSync(demoCatalog) ? ` (this directory is the demo's: --catalog ${demoCatalog})` : '';
  throw ERR_CONFIG(
    `No catalog to audit against: this store has none recorded. Pass the estate catalog its Weft runs with: --catalog FILE…${demo}. Without one every system would be reported unknown and every flow undocumented.`,
  );
}

/** `--url`: ask a running Weft's API for the audit (the embedded store is held by that process). */
async function auditFromApi(url: string, query: { since: string; failOn?: string }, token: string | undefined): Promise<AuditReport> {
  const params = new URLSearchParams({ since: query.since, ...(query.failOn ? { failOn: query.failOn } : {}) });
  return weftApi(url, token, 'a viewer token is enough').json<AuditReport>(`/api/v1/audit?${params}`);
}

export const auditCommand: Command = {
  summary: 'Audit the estate: inventory summary and findings for a window; exits 1 when findings reach --fail-on',
  usage:
    'audit [--url http://127.0.0.1:3000 | [--catalog FILE…] [--data DIR [--late-arrival DURATION] [--run-gap DURATION] | --clickhouse URL]] [--since 7d] [--format table|json|markdown] [--fail-on info|low|medium|high|critical]',
  options: ['url', 'catalog', 'data', 'clickhouse', 'late-arrival', 'run-gap', 'since', 'format', 'fail-on'],
  operands: Infinity,
  async run(args, io) {
    const [{ auditFormats, runAudit }, { severities }] = await Promise.all([import('../../analyzer/index.ts'), import('../../core/contracts/index.ts')]);
    const format = (flag(args, 'format') ?? 'table') as AuditFormat;
    if (!Object.hasOwn(auditFormats, format)) throw ERR_CONFIG(`--format takes table, json or markdown, got "${format}".`);
    const failOnText = flag(args, 'fail-on');
    if (failOnText !== undefined && !severities.includes(failOnText as Severity))
      throw ERR_CONFIG(`--fail-on takes ${severities.join(', ')}, got "${failOnText}".`);
    const since = flag(args, 'since') ?? '7d';
    const sinceMs = parsePositiveDuration(since, '--since', 'no time at all is not a window');
    const url = flag(args, 'url');
    const files = [...(args.flags.catalog ?? []), ...args.positionals];
    if (url) {
      refuseBesideUrl(
        args,
        ['data', 'clickhouse', 'late-arrival', 'run-gap'],
        'store, catalog and pairing (reload the catalog there with weft catalog reload)',
        files.length,
      );
      const report = await auditFromApi(url, { since, failOn: failOnText }, io.env.WEFT_TOKEN);
      io.out(auditFormats[format](report));
      return report.failed ? 1 : 0;
    }
    const config = localStoreConfig(args, io);
    const [{ loadCatalog }, { migrate }, { probeAuditCandidates }, { datasetSystem }, { createFindingStore }] = await Promise.all([
      import('../../core/catalog/index.ts'),
      import('../../clickhouse/index.ts'),
      import('../../probes/index.ts'),
      import('../../api/dataset-system.ts'),
      import('../../findings/index.ts'),
    ]);
    const given =
      files.length > 0
        ? loadCatalog(
            files.map((f) => resolve(io.cwd, f)),
            { envPolicy: config.catalogEnv },
          )
        : null;
    const notWeft = config.store.kind === 'embedded' ? notWeftDataProblem(config.dataDir) : null;
    if (notWeft) {
      throw ERR_CONFIG(
        `No Weft data to audit: ${notWeft}. Pass --data with the directory Weft ran with (as weft start printed it), --url for a running Weft, or --clickhouse for a ClickHouse server.`,
      );
    }
    const pairing = givenPairingWindows(args, io, config);
    const store = await openLocalStore(config);
    try {
      await migrate(store, { retention: config.retention });
      const catalog = given ?? (await storedCatalog(store, config, io));
      const report = await runAudit(store, catalog, {
        sinceMs,
        now: new Date(),
        failOn: (failOnText as Severity | undefined) ?? null,
        // A stopped Weft's embedded store: paired first, with the windows given, else those it last ran with.
        pair: store.kind === 'embedded' ? pairing : undefined,
        more: [(store, catalog, now) => probeAuditCandidates(store, catalog, now, datasetSystem)],
        // The severities the store's findings hold (a stopped Weft's last word; a lower one falls after 10 minutes).
        findings: createFindingStore(store),
      });
      io.out(auditFormats[format](report));
      return report.failed ? 1 : 0;
    } finally {
      await store.close();
    }
  },
};
