import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Store } from '../clickhouse/index.ts';
import type { Catalog } from '../core/catalog/index.ts';
import type { Logger } from '../core/log/logger.ts';
import { loadOrCreateSigningKey, type SigningKey } from './bundle/signing-key.ts';
import { runBuildJob, type BuildJob, type BuildOutput } from './export/build-job.ts';
import { DEFAULT_EXPORT_LIMITS, ExportSlots, type ExportLimits } from './export/export-slots.ts';
import { buildInWorker } from './export/worker-build.ts';
import { CatalogVersionStore } from './catalog-history/catalog-versions.ts';
import { ERR_REPORT_FILE_EXISTS, ERR_REPORT_NOT_FOUND } from './errors.ts';
import type { Period, ReportPairing } from './model.ts';
import { ReportRunStore, type ReportRun, type ReportTrigger } from './runs/report-runs.ts';
import { clickhouseReportSource } from './source/clickhouse-source.ts';
import { readStoredReportData, type ReportSource } from './source/report-source.ts';

export interface ReportRequest {
  period: Period;
  /** Token name, "weft report" or the schedule's id. */
  actor: string;
  trigger: ReportTrigger;
  scheduleId?: string;
  /** Where to write the bundle (default `<dataDir>/reports/<id>.zip`). */
  file?: string;
  /** A catalog to use instead of the stored version (`weft report --catalog`). */
  catalog?: Catalog;
  /** How a stopped Weft's store was paired before the report (`weft report --data`), stated in report.json and the PDF. */
  pairing?: ReportPairing;
  /**
   * Called with the run once it is recorded as running, before it waits for an export place or is assembled: whatever
   * the outcome, the caller knows the run's id (a schedule records it in the audit log, as the API does a report it
   * starts). It must not reject; the run goes on when it resolves.
   */
  onRecorded?: (run: ReportRun) => Promise<void>;
}

export interface ReportResult {
  run: ReportRun;
  /** The signed bundle, as written to `run.file`. */
  zip: Uint8Array;
}

export interface ReportService {
  /**
   * Assembles, renders, signs and writes a report once an export place is free (it waits for one, never refused: a
   * schedule's tick or a CLI export); records the run (failed ones too) and rethrows a failure.
   */
  generate(request: ReportRequest): Promise<ReportResult>;
  /**
   * Takes an export place (waiting in the queue) and runs `generate` in the background; returns the run as recorded at
   * its start ("running", also while it waits). Throws ERR_REPORTS_BUSY (429, Retry-After) when every place is taken:
   * nothing is recorded then.
   */
  start(request: ReportRequest): Promise<ReportRun>;
  get(id: string): Promise<ReportRun>;
  list(limit?: number): Promise<ReportRun[]>;
  /** Stores the catalog as a new version when it changed (catalog history); never throws. */
  recordCatalog(catalog: Catalog, who: { actor: string; reason: string }): Promise<void>;
  /** The signing key's public half and fingerprint. */
  publicKey(): { pem: string; fingerprint: string };
  /** The end (ISO) of the latest period a schedule's runs covered, whatever their outcome; null when it never ran. */
  lastScheduledUntil(scheduleId: string): Promise<string | null>;
  /** Records a later state of a run (e.g. whom its bundle was e-mailed to). */
  update(run: ReportRun): Promise<void>;
  /** Waits for background reports to finish (shutdown). */
  idle(): Promise<void>;
}

export interface ReportServiceOptions {
  store: Store;
  dataDir: string;
  logger: Logger;
  /** The catalog in use, for an installation that stored no catalog version yet. */
  currentCatalog?: () => Catalog;
  source?: ReportSource;
  clock?: { now(): Date };
  /** Reports built at once and waiting (default 1 and 4, `DEFAULT_EXPORT_LIMITS`). */
  exports?: ExportLimits;
  /**
   * Where the CPU-heavy part (assembly, PDF, CSV, JSON, SHA-256, signature, zip) runs: `worker` (default), a worker
   * thread (kept for the next report a while) so the event loop stays free; `loop`, on the event loop (the benchmark's baseline).
   */
  assembly?: 'worker' | 'loop';
}

/** Reports for one installation: its store, its data directory (bundles, signing key), its run records. */
export function createReportService(options: ReportServiceOptions): ReportService {
  const { store, dataDir, logger } = options;
  const clock = options.clock ?? { now: () => new Date() };
  const source = options.source ?? clickhouseReportSource(store);
  const runs = new ReportRunStore(store);
  const versions = new CatalogVersionStore(store);
  const pending = new Set<Promise<unknown>>();
  const slots = new ExportSlots(options.exports ?? DEFAULT_EXPORT_LIMITS);
  const build: (job: BuildJob) => Promise<BuildOutput> = options.assembly === 'loop' ? runBuildJob : buildInWorker;
  let key: SigningKey | undefined;
  const signingKey = () => (key ??= loadOrCreateSigningKey(dataDir));

  const begin = (request: ReportRequest): ReportRun => {
    const id = randomUUID();
    return {
      id,
      trigger: request.trigger,
      scheduleId: request.scheduleId ?? '',
      actor: request.actor,
      since: request.period.since,
      until: request.period.until,
      startedAt: clock.now().toISOString(),
      finishedAt: null,
      status: 'running',
      error: '',
      file: request.file ?? join(dataDir, 'reports', `${id}.zip`),
      bytes: 0,
      manifestSha256: '',
      emailedTo: [],
    };
  };

  const finish = async (run: ReportRun, request: ReportRequest): Promise<ReportResult> => {
    try {
      const data = await readStoredReportData(source, request.period, { catalog: request.catalog, fallbackCatalog: options.currentCatalog?.() });
      const bundle = await build({ data, meta: { id: run.id, requestedBy: request.actor, now: clock.now(), pairing: request.pairing }, key: signingKey() });
      // A bundle is for auditors and admins: private to Weft's user, wherever it is written.
      mkdirSync(dirname(run.file), { recursive: true, mode: 0o700 });
      // Exclusively: a signed bundle already written there (one an auditor may have been given) is never replaced,
      // even by another report that was assembled at the same time.
      try {
        writeFileSync(run.file, bundle.zip, { flag: 'wx', mode: 0o600 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        throw ERR_REPORT_FILE_EXISTS(run.file);
      }
      const done: ReportRun = {
        ...run,
        status: 'done',
        finishedAt: clock.now().toISOString(),
        bytes: bundle.zip.length,
        manifestSha256: bundle.manifestSha256,
      };
      await runs.write(done);
      return { run: done, zip: bundle.zip };
    } catch (err) {
      const failed: ReportRun = { ...run, status: 'failed', finishedAt: clock.now().toISOString(), error: (err as Error).message };
      await runs.write(failed).catch((e: unknown) => logger.error({ err: e }, 'could not record a failed report run'));
      throw err;
    }
  };

  return {
    async generate(request) {
      const ticket = slots.take({ refuse: false });
      try {
        const run = begin(request);
        await runs.write(run);
        await request.onRecorded?.(run);
        await ticket.ready;
        return await finish(run, request);
      } finally {
        ticket.release();
      }
    },
    async start(request) {
      const ticket = slots.take({ refuse: true });
      let run: ReportRun;
      try {
        run = begin(request);
        await runs.write(run);
      } catch (err) {
        ticket.release();
        throw err;
      }
      const job = ticket.ready
        .then(() => finish(run, request))
        .catch((err: unknown) => logger.error({ err, report: run.id }, 'report failed'))
        .finally(() => ticket.release());
      pending.add(job);
      void job.finally(() => pending.delete(job));
      return run;
    },
    async get(id) {
      const run = await runs.get(id);
      if (!run) throw ERR_REPORT_NOT_FOUND(id);
      return run;
    },
    list: (limit) => runs.list(limit),
    async recordCatalog(catalog, who) {
      try {
        const v = await versions.record(catalog, who, clock.now());
        if (v) logger.info({ sha256: v.sha256.slice(0, 12), changes: v.changes.length, actor: who.actor }, 'catalog version stored');
      } catch (err) {
        logger.error({ err }, 'could not store the catalog version (catalog history)');
      }
    },
    publicKey() {
      const k = signingKey();
      return { pem: k.publicKeyPem, fingerprint: k.fingerprint };
    },
    lastScheduledUntil: (scheduleId) => runs.lastScheduledUntil(scheduleId),
    update: (run) => runs.write(run),
    async idle() {
      await Promise.allSettled([...pending]);
    },
  };
}
