import { join } from 'node:path';
import { clientUrlHost } from '../../core/net/host-port.ts';
import type { WeftPlugin } from './plugin.ts';

/**
 * The living demo estate (`weft start --demo`, `npm start`): it exports to this process's collector
 * and brings the catalog that documents it, which Weft reads instead of `--catalog` files. Started
 * after the collector, it stops before it, so its last spans are flushed into it.
 */
export const demoPlugin: WeftPlugin = {
  name: 'demo',
  enabled: (config) => config.demo.enabled,
  async start({ config, otlpUrl, logger, credentials }) {
    // Loaded when the demo runs: its estate's telemetry (the OpenTelemetry SDK) is no part of a Weft without it.
    const { faultSelection, startDemoWorker } = await import('../../demo/index.ts');
    const demo = await startDemoWorker({
      otlpUrl,
      // A configured ingest token, else one of this process's own: once a stored ingest token closes the collector,
      // the demo's spans would otherwise be refused (401) one and all.
      otlpToken: config.access.tokens.find((t) => t.role === 'ingest' || t.role === 'admin')?.token ?? credentials.processToken('weft:demo', 'ingest'),
      // Known now when the port is fixed (the API may run in another process); else set once the API listens.
      lineageUrl: config.api.port ? `http://${clientUrlHost(config.api.host)}:${config.api.port}` : undefined,
      workDir: join(config.dataDir, 'demo'),
      faults: faultSelection(config.demo.faults),
      timeScale: config.demo.timeScale,
      propagation: config.demo.propagation,
      logLevel: config.logLevel,
    });
    // `servers`, not `systems`: the demo's applications and the shadow-IT host, each where it listens (the catalog's systems are counted in the banner).
    logger.info({ servers: demo.systems, faults: demo.activeFaults() }, `demo estate running; its catalog: ${demo.catalogFile}`);
    return {
      stop: () => demo.stop(),
      catalogFiles: [demo.catalogFile],
      attach: (weft) => {
        weft.demo = demo;
      },
      // The ETL jobs report OpenLineage to the API, which listens only after the plugins start.
      apiReady: (url) => demo.setLineageUrl(url),
    };
  },
};
