import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../core/log/logger.ts';
import { InProcessBroker } from './broker/in-process-broker.ts';
import { readDemoCatalog, renderCatalog } from './catalog/render-catalog.ts';
import type { DemoContext } from './estate/demo-context.ts';
import { Scheduler } from './estate/scheduler.ts';
import { startSystemServer, type SystemServer } from './estate/system-server.ts';
import { SystemStore } from './estate/system-store.ts';
import { demoCensus, unknownHostsOf } from './estate/census.ts';
import { createStores, demoSystems, seedStores, shadowSystem, type DemoStores, type SeedSizes } from './estate/systems.ts';
import { FaultSwitches, type FaultKind, type FaultSelection } from './faults/fault-switches.ts';
import { isPlannedFailure } from './faults/failing-flow.ts';
import { listenPreferring, readDemoPorts, writeDemoPorts } from './estate/demo-ports.ts';
import { wmsDelay } from './faults/latency-regression.ts';
import { installReplicaLoss } from './faults/replica-loss.ts';
import { installRogueJobs } from './faults/rogue-jobs.ts';
import { installBatchSyncs } from './integrations/batch-syncs.ts';
import { installCaseToResolution } from './integrations/case-to-resolution.ts';
import { installLeadToCash } from './integrations/lead-to-cash.ts';
import { installNightlyEtl } from './integrations/nightly-etl.ts';
import { installOrderToFulfillment } from './integrations/order-to-fulfillment.ts';
import { runtimeControlHost, startRunEndpoint, type RunEndpoint } from './integrations/run-endpoint.ts';
import { IntegrationRuntime } from './telemetry/integration-runtime.ts';
import { LineageReporter } from './telemetry/lineage-reporter.ts';
import { count } from '../core/text/index.ts';

export interface DemoOptions {
  /** Weft's OTLP/HTTP endpoint, e.g. http://127.0.0.1:4318 */
  otlpUrl: string;
  /** Bearer token, when the collector requires ingest tokens (the ETL jobs send it to the lineage endpoint too). */
  otlpToken?: string;
  /**
   * Weft's API base URL, where the ETL jobs POST their OpenLineage events (`/api/v1/lineage`); when
   * absent, they keep their events until `setLineageUrl` says where (Weft's API starts after the demo).
   */
  lineageUrl?: string;
  /** Where the demo writes the catalog Weft loads (the rendered estate.yaml). */
  workDir: string;
  /** Faults on from the start: all (true), none (false) or a selection. */
  faults: FaultSelection;
  /** 1 = the `npm start` pace; 0.1 = ten times faster (schedules and the catalog's durations alike). */
  timeScale?: number;
  /**
   * false: the integrations lose trace context (no root span per run, no context passed on calls or
   * messages: every call its own trace, as zero-code instrumented scripts and many iPaaS runtimes do).
   * Each runtime still says who it is (service.name, service.instance.id). Default true.
   */
  propagation?: boolean;
  seed?: SeedSizes;
  /** Address the systems listen on (default 127.0.0.1); 0.0.0.0 when Weft runs elsewhere (docker compose). */
  bindHost?: string;
  /** Host name Weft's probes use to reach the systems (default 127.0.0.1), written into the catalog. */
  advertiseHost?: string;
  logger: Logger;
}

export interface DemoEstate {
  /** The catalog that documents this running estate (probe URLs point at its ports). */
  catalogFile: string;
  /** Server → loopback base URL: each of the demo's applications by its system id, and the shadow-IT host's server (`growthhub`, in no catalog). */
  systems: Record<string, string>;
  activeFaults(): FaultKind[];
  setFault(kind: FaultKind, on: boolean): void;
  /** Where Weft's API listens, once it does: the ETL jobs' OpenLineage events go there. */
  setLineageUrl(url: string): void;
  /** Exports every span buffered so far. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/** The estate running in this thread: its systems' records can be looked at directly. */
export interface InProcessDemo extends DemoEstate {
  stores: DemoStores;
}

/**
 * Starts the demo enterprise: nine applications on loopback ports (and the shadow-IT host's), the broker, the integrations of the
 * three business processes and the scheduled syncs, each runtime exporting OTLP to Weft, plus the
 * faults selected. Writes the catalog that documents it.
 */
export async function startDemo(options: DemoOptions): Promise<InProcessDemo> {
  const log = options.logger.child({ part: 'demo' });
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0)) throw new Error(`The demo's time scale must be above 0, got ${timeScale}.`);
  const seed = options.seed ?? { customers: 2000, products: 120 };
  const stores = createStores();
  seedStores(stores, seed);
  const faults = new FaultSwitches(options.faults);

  const servers: SystemServer[] = [];
  // A job failing the same way every run (an injected fault) is said once, then once every 5 minutes with a count.
  const failures = new Map<string, { message: string; since: number; count: number; saidAt: number }>();
  const scheduler = new Scheduler((job, err) => {
    const message = (err as Error).message;
    const now = Date.now();
    const f = failures.get(job);
    if (f && f.message === message && now - f.saidAt < 300_000) {
      f.count++;
      return;
    }
    const again = f && f.message === message ? { failedRuns: f.count + 1, since: new Date(f.since).toISOString() } : {};
    failures.set(job, { message, since: f && f.message === message ? f.since : now, count: f && f.message === message ? f.count + 1 : 1, saidAt: now });
    // The failing-flow fault's failure is the demo working as planned: said once, as such, not as a warning.
    if (isPlannedFailure(faults, job, message)) {
      if (!(f && f.message === message))
        log.info({ job, err: message }, `demo job ${job} fails on every run, as the failing-flow fault makes it (its error-rate finding shows it)`);
      return;
    }
    log.warn({ job, err: message, ...again }, f && f.message === message ? 'demo job still failing the same way' : 'demo job failed');
  });
  const broker = new InProcessBroker((err, message) => log.warn({ topic: message.topic, err: (err as Error).message }, 'demo consumer failed'));
  const runtimes = new Map<string, IntegrationRuntime>();
  let control: RunEndpoint | undefined;
  const lineage = new LineageReporter({
    url: options.lineageUrl,
    token: options.otlpToken,
    onError: (message) => log.warn({ err: message }, 'demo lineage event refused'),
  });
  const stop = async () => {
    await control?.stop();
    await scheduler.stop();
    lineage.stop();
    await lineage.flush();
    await broker.close();
    await Promise.all([...runtimes.values()].map((r) => r.shutdown().catch(() => undefined)));
    await Promise.all(servers.map((s) => s.stop()));
  };

  try {
    const endpoints = new Map<string, string>();
    const probeEndpoints = new Map<string, string>();
    // The ports the last demo in this directory used, when free: its catalog names them.
    const previous = readDemoPorts(options.workDir);
    const ports = new Map<string, number>();
    for (const spec of demoSystems) {
      const server = await listenPreferring(previous.get(spec.id), (port) =>
        startSystemServer(stores[spec.id], { port, host: options.bindHost, delay: spec.id === 'wms' ? wmsDelay(faults) : undefined }),
      );
      ports.set(spec.id, server.port);
      servers.push(server);
      endpoints.set(spec.host, server.url);
      probeEndpoints.set(spec.host, `http://${options.advertiseHost ?? '127.0.0.1'}:${server.port}`);
    }
    const shadow = await listenPreferring(previous.get(shadowSystem.id), (port) =>
      startSystemServer(new SystemStore(shadowSystem.id, shadowSystem.collections), { port, host: options.bindHost }),
    );
    ports.set(shadowSystem.id, shadow.port);
    servers.push(shadow);
    endpoints.set(shadowSystem.host, shadow.url);

    const ctx: DemoContext = {
      stores,
      broker,
      scheduler,
      faults,
      every: (ms) => Math.max(10, Math.round(ms * timeScale)),
      runtime(serviceName) {
        let runtime = runtimes.get(serviceName);
        if (!runtime) {
          runtime = new IntegrationRuntime({
            serviceName,
            otlpUrl: options.otlpUrl,
            otlpToken: options.otlpToken,
            endpoints,
            broker,
            exportDelayMs: Math.max(100, Math.round(1000 * timeScale)),
            propagation: options.propagation !== false,
          });
          runtimes.set(serviceName, runtime);
        }
        return runtime;
      },
    };
    installLeadToCash(ctx);
    installOrderToFulfillment(ctx, seed.customers);
    installCaseToResolution(ctx, seed.customers);
    const syncs = installBatchSyncs(ctx);
    installRogueJobs(ctx);
    installNightlyEtl(ctx, lineage);
    // The runtime hosting the scheduled syncs has a run endpoint, which alerting's remediation calls.
    control = await listenPreferring(previous.get(runtimeControlHost), (port) =>
      startRunEndpoint(syncs.all, {
        port,
        host: options.bindHost,
        onRun: (flow) => log.info({ flow }, 'flow run requested through the runtime control API'),
      }),
    );
    ports.set(runtimeControlHost, control.port);
    probeEndpoints.set(runtimeControlHost, `http://${options.advertiseHost ?? '127.0.0.1'}:${control.port}`);
    installReplicaLoss(stores, faults, syncs.customersToBilling);

    mkdirSync(options.workDir, { recursive: true });
    // A port kept from the last start that another process holds now: its server moved, and the catalog with it.
    const moved = [...ports].filter(([name, port]) => previous.has(name) && previous.get(name) !== port);
    if (moved.length > 0)
      log.warn(
        { moved: Object.fromEntries(moved.map(([name, port]) => [name, { was: previous.get(name), now: port }])) },
        `demo servers moved to new ports, theirs being taken by another process (${moved.map(([name, port]) => `${name} ${previous.get(name)} → ${port}`).join(', ')}): the demo catalog names the new ones, and Weft stores it as a new catalog version`,
      );
    writeDemoPorts(options.workDir, ports);
    const catalogFile = join(options.workDir, 'demo-catalog.yaml');
    writeFileSync(catalogFile, renderCatalog(readDemoCatalog(), { endpoints: probeEndpoints, timeScale }));
    faults.onChange((kind, on) => log.info({ fault: kind, on }, on ? 'demo fault switched on' : 'demo fault switched off'));
    // Named for what it counts: the catalog documents more systems than the demo serves (see census.ts).
    const unknownHosts = unknownHostsOf(demoCensus, faults.active()).map((u) => u.host);
    log.info(
      {
        applications: demoCensus.applications.length,
        unknownHosts,
        runtimes: runtimes.size,
        faults: faults.active(),
        timeScale,
        propagation: options.propagation !== false,
        catalog: catalogFile,
      },
      `demo estate running: ${count(demoCensus.applications.length, 'application')}${unknownHosts.length ? ` and ${count(unknownHosts.length, 'host')} outside its catalog (${unknownHosts.join(', ')})` : ''}, ${count(runtimes.size, 'integration runtime')}`,
    );

    return {
      catalogFile,
      systems: Object.fromEntries(servers.map((s) => [s.systemId, s.url])),
      stores,
      activeFaults: () => faults.active(),
      setFault: (kind, on) => faults.set(kind, on),
      setLineageUrl: (url) => lineage.setUrl(url),
      flush: async () => void (await Promise.all([...runtimes.values()].map((r) => r.flush()))),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
