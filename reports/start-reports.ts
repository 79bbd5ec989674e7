import type { AuditLog } from '../access/index.ts';
import type { Store } from '../clickhouse/index.ts';
import type { Catalog, EnvPolicy } from '../core/catalog/index.ts';
import type { Logger } from '../core/log/logger.ts';
import { startReportSchedules, type ReportSchedules } from './schedule/scheduled-reports.ts';
import type { ExportLimits } from './export/export-slots.ts';
import { createReportService, type ReportService } from './service.ts';

/** Reports as `weft start` runs them: the service, the catalog history and (optionally) the schedules. */
export interface ReportsRuntime extends ReportService {
  /** Applies a reloaded catalog's `reports` section. */
  reloadSchedules(catalog: Catalog): void;
  schedules: ReportSchedules | null;
  stop(): Promise<void>;
}

export interface StartReportsOptions {
  store: Store;
  dataDir: string;
  logger: Logger;
  /** The catalog in use now (for an installation that stored no version yet). */
  catalog: () => Catalog;
  env: (name: string) => string | undefined;
  /** Which variables an `env:NAME` SMTP reference may read (the operator's allow- and deny-list; never WEFT_*). */
  envPolicy?: EnvPolicy;
  /** Run the catalog's report schedules in this process (the one running the analyzer). */
  schedule: boolean;
  /** Reports built at once and waiting, API and schedules together (default 1 and 4). */
  exports?: ExportLimits;
  /** Where scheduled reports are recorded (those exported through the API are recorded by the API). */
  auditLog?: AuditLog;
}

/** Builds the report service, stores the catalog in use as a version (when it changed) and starts the schedules. */
export async function startReports(options: StartReportsOptions): Promise<ReportsRuntime> {
  const logger = options.logger.child({ part: 'reports' });
  const service = createReportService({
    store: options.store,
    dataDir: options.dataDir,
    logger,
    currentCatalog: options.catalog,
    exports: options.exports,
  });
  await service.recordCatalog(options.catalog(), { actor: 'weft start', reason: 'start' });
  const schedules = options.schedule
    ? startReportSchedules(options.catalog(), {
        service,
        dataDir: options.dataDir,
        logger,
        env: options.env,
        envPolicy: options.envPolicy,
        auditLog: options.auditLog,
      })
    : null;
  return {
    ...service,
    schedules,
    reloadSchedules: (catalog) => schedules?.reload(catalog),
    async stop() {
      await schedules?.stop();
      await service.idle();
    },
  };
}
