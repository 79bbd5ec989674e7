import { join } from 'node:path';
import { faultSelection, startDemoWorker } from '../../demo/index.ts';
import type { WeftPlugin } from './plugin.ts';

/**
 * The living demo estate (`weft start --demo`, `npm start`): it exports to this process's collector
 * and brings the catalog that documents it, which Weft reads instead of `--catalog` files. Started
 * after the collector, it stops before it, so its last spans are flushed into it.
 */
export const demoPlugin: WeftPlugin = {
  name: 'demo',
  enabled: (config) => config.demo.enabled,
  async start({ config, otlpUrl, logger }) {
    const demo = await startDemoWorker({
      otlpUrl,
      otlpToken: config.access.tokens.find((t) => t.role === 'ingest' || t.role === 'admin')?.token,
      workDir: join(config.dataDir, 'demo'),
      faults: faultSelection(config.demo.faults),
      timeScale: config.demo.timeScale,
      propagation: config.demo.propagation,
      logLevel: config.logLevel,
    });
    logger.info({ systems: demo.systems, faults: demo.activeFaults() }, `demo estate running; its catalog: ${demo.catalogFile}`);
    return {
      stop: () => demo.stop(),
      catalogFiles: [demo.catalogFile],
      attach: (weft) => {
        weft.demo = demo;
      },
    };
  },
};
