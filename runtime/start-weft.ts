import { startAlerting, type AlertingRuntime } from '../alerting/index.ts';
import { apiRoles, assertSafeBinding, untrustedProxyWarning, createAuditLog, Credentials, ingestRoles, type AuditLog, type Binding } from '../access/index.ts';
import { datasetSystem, startApi, type ApiServer } from '../api/index.ts';
import { startAnalyzer, type Analyzer } from '../analyzer/index.ts';
import { createFindingStore } from '../findings/index.ts';
import { assertStoreFree, migrate, openStore, type Store } from '../clickhouse/index.ts';
import { emptyCatalog, formatProblem, loadCatalogWithWarnings } from '../core/catalog/index.ts';
import { startCollector, type Collector } from '../collector/index.ts';
import type { DemoEstate } from '../demo/index.ts';
import { isLoopback, isWeftStore, type WeftConfig } from '../core/config/index.ts';
import type { Logger } from '../core/log/logger.ts';
import { startProbes, type ProbesRuntime } from '../probes/index.ts';
import { startReports, type ReportsRuntime } from '../reports/index.ts';
import { uiBuildDir } from '../ui/index.ts';
import { createServer } from 'node:net';
import { stateHolderAddress } from '../core/fs/pid-lock.ts';
import { ensurePrivateDir } from '../core/fs/private-dir.ts';
import { enabledPlugins, type StartedPlugin, type WeftPlugin } from './plugins/index.ts';

/** Something the composition root started and must stop, in reverse order. */
export interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

export interface RunningWeft {
  config: WeftConfig;
  /** The catalog files read (a plugin's, such as the demo's, or `config.catalogFiles`). */
  catalogFiles: string[];
  store: Store;
  /** The one credential check every listener uses (tokens configured and stored). */
  credentials: Credentials;
  /** Every state-changing action, hash-chained (weft_audit_log). */
  auditLog: AuditLog;
  api?: ApiServer;
  collector?: Collector;
  /** Flows, graph, inventory and findings (also serves the API when this process runs it). */
  analyzer?: Analyzer;
  /** Scheduled probes, drift and reconciliations. */
  probes?: ProbesRuntime;
  /** Alert rules, notifications and remediation (evaluates where the analyzer runs, holding the lease). */
  alerting?: AlertingRuntime;
  /** Compliance reports, catalog history and scheduled reports. */
  reports?: ReportsRuntime;
  /** The demo estate, when started with --demo (attached by the demo plugin). */
  demo?: DemoEstate;
  stop(): Promise<void>;
}

export interface StartWeftOptions {
  /** Plugins to run beside the parts (runtime/plugins); default: those the configuration enables (`--demo`). */
  plugins?: readonly WeftPlugin[];
}

/**
 * The composition root: storage, migrations, then each part this process runs (collector, the
 * plugins such as the demo estate, then probes, analyzer, API + UI), stopped in reverse order.
 * Tests and benchmarks call it too.
 */
export async function startWeft(config: WeftConfig, logger: Logger, options: StartWeftOptions = {}): Promise<RunningWeft> {
  const started: Stoppable[] = [];
  const stopAll = async () => {
    for (const part of started.reverse()) {
      try {
        await part.stop();
      } catch (err) {
        logger.error({ err, part: part.name }, 'stop failed');
      }
    }
    started.length = 0;
  };
  // The configured catalog is read before anything starts (a store made, a port taken): one that cannot be
  // read stops here, with every problem it has. A plugin that brings its own catalog (the demo) is read later.
  const readFiles = (files: string[]) =>
    files.length === 0 ? { catalog: emptyCatalog(), warnings: [] } : loadCatalogWithWarnings(files, { envPolicy: config.catalogEnv });
  const configured = readFiles(config.catalogFiles);
  // So are the ports it will listen on: a port in use stops the start before a store is made or opened. A directory
  // another Weft holds is said first, as such: that Weft listens on the same ports.
  assertStoreFree(config.store);
  if (config.only.includes('collector')) await assertPortFree(config.collector.host, config.collector.port, '--otlp-port', '--otlp-host');
  if (config.only.includes('api')) await assertPortFree(config.api.host, config.api.port, '--port', '--host');
  const runs = (part: WeftConfig['only'][number]) => config.only.includes(part);
  const bindings: Binding[] = [];
  if (runs('collector')) bindings.push({ what: 'collector', host: config.collector.host });
  if (runs('api')) bindings.push({ what: 'API', host: config.api.host });
  const publicNames = config.access.publicNames;
  // A store not made yet holds no token: a start refused for want of one is refused before the store is made. It left
  // an empty store behind, which later commands read as this Weft's ("Audit log is empty.").
  if (config.store.kind === 'embedded' && !isWeftStore(config.store.path)) {
    const configured = config.access.tokens;
    await assertSafeBinding({ hasTokens: async (roles) => configured.some((t) => roles.includes(t.role)) }, bindings, publicNames);
  }
  // Before anything is written there: the store, the spool, report bundles and the signing key live under it.
  const openToOthers = ensurePrivateDir(config.dataDir);
  if (openToOthers) logger.warn({ dataDir: config.dataDir }, openToOthers);
  const untrusted = runs('api') ? untrustedProxyWarning(publicNames, config.access.trustedProxies) : undefined;
  if (untrusted) logger.warn({ publicNames }, untrusted);
  try {
    const store = await openStore(config.store);
    started.push({ name: 'store', stop: () => store.close() });
    const migrations = await migrate(store, { retention: config.retention });
    logger.info(
      { store: config.store.kind, where: config.store.kind === 'embedded' ? config.store.path : config.store.url, applied: migrations.applied.length },
      'storage ready',
    );

    const auditLog = createAuditLog(store, { logger });
    const credentials = await Credentials.create({ configured: config.access.tokens, store, auditLog, logger });
    await assertSafeBinding(credentials, bindings, publicNames);
    const weft: RunningWeft = { config, catalogFiles: config.catalogFiles, store, credentials, auditLog, stop: stopAll };

    if (runs('collector')) {
      const collector = await startCollector({
        config: config.collector,
        store,
        logger,
        credentials,
        publicNames,
        trustedProxies: config.access.trustedProxies,
      });
      weft.collector = collector;
      // Stopped before the store closes (reverse order): stop() flushes what it holds.
      started.push({ name: 'collector', stop: () => collector.stop() });
      logger.info(`OTLP/HTTP collector listening on ${collector.url} (/v1/traces, /v1/metrics, /v1/logs)`);
      // The collector's no-token mode ends with an ingest token, not with the API's tokens: say so when only the API is closed.
      if (isLoopback(config.collector.host) && !(await credentials.hasTokens(ingestRoles)) && (await credentials.hasTokens(apiRoles)))
        logger.warn(
          'the API requires tokens, but the collector takes telemetry from any process on this machine without one (no ingest token exists): make one to close it too ("weft token create --role ingest --name NAME") and give it to your exporters',
        );
    }

    // Plugins run beside the parts: after the collector (they may export to it), before the catalog
    // is read (they may bring it); each stops before the parts started earlier.
    const plugins: StartedPlugin[] = [];
    for (const plugin of options.plugins ?? enabledPlugins(config)) {
      const running = await plugin.start({ config, otlpUrl: weft.collector?.url ?? `http://127.0.0.1:${config.collector.port}`, logger, credentials });
      plugins.push(running);
      started.push({ name: plugin.name, stop: () => running.stop() });
      running.attach?.(weft);
      if (running.catalogFiles) weft.catalogFiles = running.catalogFiles;
    }

    // Read and validated once; the analyzer and the probes share it (a reload re-reads the files).
    // No catalog: an empty one, so everything observed shows up as undocumented.
    const catalogFiles = weft.catalogFiles;
    // Its warnings are logged here at start, and by POST /api/v1/catalog/reload (which also returns them) on a reload.
    const readCatalog = () => readFiles(catalogFiles);
    const { catalog, warnings: catalogWarnings } = catalogFiles === config.catalogFiles ? configured : readCatalog();
    for (const w of catalogWarnings) logger.warn(`catalog: ${formatProblem(w)}`);
    // One finding store: the analyzer's and the probes' kinds, their lifecycle, the API's view. A
    // finding opened or resolved asks alerting to evaluate at once (drift, failing probes → alerts).
    const stored = createFindingStore(store);
    const findings: typeof stored = {
      ...stored,
      async sync(kinds, candidates, now, held) {
        const changed = await stored.sync(kinds, candidates, now, held);
        if (changed.opened > 0 || changed.resolved > 0) weft.alerting?.soon();
        return changed;
      },
    };

    if (runs('analyzer') || runs('api')) {
      const analyzer = startAnalyzer({
        store,
        catalog,
        catalogWarnings,
        loadCatalog: readCatalog,
        logger,
        config: config.analyzer,
        findings,
        schedule: runs('analyzer'),
        pairing: runs('analyzer'),
        // New edges are evaluated by alerting right after they are paired, not on a timer of its own.
        onPairing: (p) => {
          if (p.paired > 0 || p.retracted > 0) weft.alerting?.soon();
        },
      });
      weft.analyzer = analyzer;
      started.push({ name: 'analyzer', stop: () => analyzer.stop() });
    }

    if (runs('probes')) {
      const probes = startProbes({ store, catalog, logger, findings, env: config.env, envPolicy: config.catalogEnv, resolveDataset: datasetSystem });
      weft.probes = probes;
      started.push({ name: 'probes', stop: () => probes.stop() });
    }

    if (runs('analyzer') || runs('api')) {
      // Catalog history is stored by the process that loads the catalog; schedules run beside the analyzer (once per installation).
      const reports = await startReports({
        store,
        dataDir: config.dataDir,
        logger,
        catalog: () => weft.analyzer?.catalog() ?? catalog,
        env: config.env,
        envPolicy: config.catalogEnv,
        schedule: runs('analyzer'),
        auditLog,
        exports: config.reports,
      });
      weft.reports = reports;
      started.push({ name: 'reports', stop: () => reports.stop() });
    }

    if (runs('analyzer') || runs('api')) {
      // Alerting: evaluated by the process holding the lease, on the catalog as the analyzer has it now.
      const apiUrl = `http://${config.api.host}:${config.api.port}`;
      const alerting = startAlerting({
        store,
        catalog: () => weft.analyzer?.catalog() ?? catalog,
        findings,
        logger,
        env: config.env,
        envPolicy: config.catalogEnv,
        // Right after each pairing run that paired something and each finding change (soon()), and
        // at the analyzer's pace at the latest (time alone makes flows stale and alerts due).
        intervalMs: Math.max(5_000, config.analyzer.intervalMs),
        externalUrl: () => weft.api?.url ?? apiUrl,
        schedule: runs('analyzer'),
        autoRemediate: config.alerting.autoRemediate,
        auditLog,
      });
      weft.alerting = alerting;
      started.push({ name: 'alerting', stop: () => alerting.stop() });
    }

    if (runs('api')) {
      const services = {
        store,
        findings,
        analyzer: weft.analyzer,
        probes: weft.probes,
        reports: weft.reports,
        alerting: weft.alerting,
        auditLog,
        traceLinkTemplate: config.api.traceLinkTemplate,
        rollupDays: config.retention.rollupDays,
      };
      weft.api = await startApi({
        config: config.api,
        logger,
        uiRoot: uiBuildDir,
        credentials,
        publicNames,
        trustedProxies: config.access.trustedProxies,
        services,
      });
      started.push({ name: 'api', stop: () => weft.api!.stop() });
      for (const plugin of plugins) plugin.apiReady?.(weft.api.url);
      logger.info(`API and UI listening on ${weft.api.url}`);
      // Beside the directory's pid file: a command refused the directory says to ask this address (cli openLocalStore).
      if (config.store.kind === 'embedded') {
        const unstate = stateHolderAddress(config.store.path, weft.api.url);
        started.push({ name: 'api address', stop: async () => unstate() });
      }
    }
    return weft;
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * Resolves when `host:port` can be listened on now (the port taken and let go at once; port 0 takes any free port, which
 * still checks the host). Rejects with the error `listen` gives (`EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL`; with `syscall`,
 * `address` and `port`) or the host's lookup gives (`ENOTFOUND`; `syscall` getaddrinfo, `hostname`), each with `option`
 * and `hostOption`: the command-line options that set this port and this host. So a start that would fail to bind fails
 * before it makes or opens a store. Another process may still take the port before the part listens: that start fails
 * as it did before.
 */
export function assertPortFree(host: string, port: number, option: string, hostOption = '--host'): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: Error) => reject(Object.assign(err, { option, hostOption })));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
